#include "gpu/vk_context.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "gpu/vk_check.h"
#include "util/errors.h"

namespace reelforge {

namespace {
int type_rank(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 4;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 3;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 1;
    default: return 0;
  }
}
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}
}  // namespace

std::shared_ptr<VkContext> VkContext::get() {
  static std::mutex m;
  static std::weak_ptr<VkContext> cached;
  std::lock_guard lk(m);
  if (auto ctx = cached.lock()) return ctx;
  std::shared_ptr<VkContext> ctx(new VkContext());
  cached = ctx;
  return ctx;
}

namespace {
// What to install when no Vulkan driver answers (import works without one; rendering needs one).
constexpr const char* kInstallDriver =
    "install a Vulkan driver: Mesa's lavapipe for the CPU (Debian/Ubuntu: apt install mesa-vulkan-drivers; "
    "Fedora: mesa-vulkan-drivers) or your GPU vendor's driver (e.g. NVIDIA's proprietary driver, which "
    "includes Vulkan); `vulkaninfo --summary` lists the devices the loader finds";
}  // namespace

VkContext::VkContext() {
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "reelforge";
  app.apiVersion = VK_API_VERSION_1_1;
  VkInstanceCreateInfo ici{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  ici.pApplicationInfo = &app;
  VkResult r = vkCreateInstance(&ici, nullptr, &instance);
  if (r != VK_SUCCESS)
    throw GpuError(std::string("cannot create a Vulkan instance (") + vk_result_name(r) + "): " + kInstallDriver);

  uint32_t n = 0;
  vkEnumeratePhysicalDevices(instance, &n, nullptr);
  std::vector<VkPhysicalDevice> devs(n);
  vkEnumeratePhysicalDevices(instance, &n, devs.data());
  if (devs.empty()) {
    vkDestroyInstance(instance, nullptr);
    throw GpuError(std::string("no Vulkan device found: ") + kInstallDriver);
  }
  const char* want = std::getenv("REELFORGE_DEVICE");
  int best = -1, best_rank = -1;
  for (size_t i = 0; i < devs.size(); ++i) {
    VkPhysicalDeviceProperties p;
    vkGetPhysicalDeviceProperties(devs[i], &p);
    int rank = type_rank(p.deviceType);
    if (want && *want) {
      const std::string w = want;
      const bool match = (std::all_of(w.begin(), w.end(), ::isdigit) && std::stoul(w) == i) ||
                         lower(p.deviceName).find(lower(w)) != std::string::npos;
      rank = match ? 100 : -1;
    }
    if (rank > best_rank) best = int(i), best_rank = rank;
  }
  if (best < 0) {
    vkDestroyInstance(instance, nullptr);
    throw GpuError(std::string("REELFORGE_DEVICE='") + want + "' matches no Vulkan device (use an index or part of a device name)");
  }
  physical = devs[best];
  vkGetPhysicalDeviceProperties(physical, &props);
  vkGetPhysicalDeviceMemoryProperties(physical, &memory);
  name = props.deviceName;
  unified_memory = props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU ||
                   props.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;

  vkGetPhysicalDeviceQueueFamilyProperties(physical, &n, nullptr);
  std::vector<VkQueueFamilyProperties> fams(n);
  vkGetPhysicalDeviceQueueFamilyProperties(physical, &n, fams.data());
  int family = -1;
  for (uint32_t i = 0; i < n; ++i)
    if (fams[i].queueFlags & VK_QUEUE_COMPUTE_BIT) { family = int(i); break; }
  if (family < 0) {
    vkDestroyInstance(instance, nullptr);
    throw GpuError("Vulkan device '" + name + "' has no compute queue");
  }
  queue_family = uint32_t(family);

  float prio = 1.0f;
  VkDeviceQueueCreateInfo qci{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  qci.queueFamilyIndex = queue_family;
  qci.queueCount = 1;
  qci.pQueuePriorities = &prio;
  VkPhysicalDeviceFeatures feats{};  // none needed: composite.comp indexes textures with constants
  VkDeviceCreateInfo dci{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  dci.queueCreateInfoCount = 1;
  dci.pQueueCreateInfos = &qci;
  dci.pEnabledFeatures = &feats;
  r = vkCreateDevice(physical, &dci, nullptr, &device);
  if (r != VK_SUCCESS) {
    vkDestroyInstance(instance, nullptr);
    throw_vk(r, "vkCreateDevice");
  }
  vkGetDeviceQueue(device, queue_family, 0, &queue);
}

VkContext::~VkContext() {
  if (device) {
    vkDeviceWaitIdle(device);
    vkDestroyDevice(device, nullptr);
  }
  if (instance) vkDestroyInstance(instance, nullptr);
}

uint32_t VkContext::memory_type(uint32_t type_bits, VkMemoryPropertyFlags required,
                                VkMemoryPropertyFlags preferred) const {
  int best = -1, best_score = -1;
  for (uint32_t i = 0; i < memory.memoryTypeCount; ++i) {
    const auto f = memory.memoryTypes[i].propertyFlags;
    if (!(type_bits & (1u << i)) || (f & required) != required) continue;
    const int score = __builtin_popcount(f & preferred);
    if (score > best_score) best = int(i), best_score = score;
  }
  if (best < 0) throw GpuError("no Vulkan memory type with the required properties on '" + name + "'");
  return uint32_t(best);
}

}  // namespace reelforge
