// One Vulkan instance + device + compute queue per process, shared by every Renderer/Exporter.
// Device choice: discrete GPU > integrated > virtual > CPU (lavapipe); REELFORGE_DEVICE overrides
// with an index or a case-insensitive substring of the device name.
#pragma once
#include <vulkan/vulkan.h>

#include <memory>
#include <mutex>
#include <string>

namespace reelforge {

class VkContext {
 public:
  static std::shared_ptr<VkContext> get();
  ~VkContext();
  VkContext(const VkContext&) = delete;
  VkContext& operator=(const VkContext&) = delete;

  VkInstance instance = VK_NULL_HANDLE;
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue queue = VK_NULL_HANDLE;
  uint32_t queue_family = 0;
  VkPhysicalDeviceProperties props{};
  VkPhysicalDeviceMemoryProperties memory{};
  std::string name;
  // True when GPU memory is the host's (lavapipe, integrated): shaders write readback buffers directly.
  bool unified_memory = false;
  std::mutex queue_mutex;  // vkQueueSubmit needs external synchronisation

  // Memory type index with all `required` flags (and as many `preferred` as possible); GpuError if none.
  uint32_t memory_type(uint32_t type_bits, VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred = 0) const;

 private:
  VkContext();
};

}  // namespace reelforge
