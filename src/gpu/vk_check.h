// Vulkan error handling: every failing call becomes a GpuError carrying the VkResult name.
#pragma once
#include <vulkan/vulkan.h>

#include <string>

namespace reelforge {

const char* vk_result_name(VkResult r);
[[noreturn]] void throw_vk(VkResult r, const char* what);

#define RF_VK(call)                                \
  do {                                             \
    VkResult rf_r_ = (call);                       \
    if (rf_r_ != VK_SUCCESS) ::reelforge::throw_vk(rf_r_, #call); \
  } while (0)

}  // namespace reelforge
