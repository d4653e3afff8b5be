#include "gpu/compositor.h"

#include "gpu/vk_check.h"
#include "gpu/vk_commands.h"
#include "util/errors.h"

namespace reelforge {

CommandPool Compositor::make_command_pool(const VkContext& ctx) {
  VkCommandPoolCreateInfo cpi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  cpi.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  cpi.queueFamilyIndex = ctx.queue_family;
  VkCommandPool cp;
  RF_VK(vkCreateCommandPool(ctx.device, &cpi, nullptr, &cp));
  return CommandPool(ctx.device, cp);
}

Compositor::Compositor(std::shared_ptr<VkContext> ctx, int width, int height, std::array<float, 4> background,
                       std::vector<LayerSource> sources, int slots, bool rgba_readback)
    : ctx_(std::move(ctx)), width_(width), height_(height), row_pixels_(align16(width)),
      sources_(std::move(sources)), rgba_readback_(rgba_readback), cmd_pool_(make_command_pool(*ctx_)),
      static_images_(*ctx_, cmd_pool_, slots), convert_(*ctx_, slots), generated_(slots),
      composite_(*ctx_, width, height, row_pixels_, background, slots, static_images_.dummy(), rgba_readback),
      graph_(*ctx_, slots, static_images_, convert_, generated_, composite_) {
  for (int k = 0; k < slots; ++k)
    slots_.push_back(std::make_unique<FrameSlot>(*ctx_, cmd_pool_, row_pixels_, height_, rgba_readback_));
}

Compositor::~Compositor() {
  slots_.clear();  // waits for the frames in flight before the passes' resources go
}

void Compositor::submit(int slot, const std::vector<LayerDraw>& draws, bool want_rgba, bool want_nv12) {
  if (want_rgba && !rgba_readback_) throw Error("this compositor was created without RGBA readback");
  FrameSlot& s = *slots_.at(size_t(slot));
  Frame f{*ctx_, s, size_t(slot), s.begin(), draws, sources_, std::vector<Texture>(draws.size()), want_rgba, want_nv12};
  static_images_.begin_frame(size_t(slot), s.serial());
  // Textures (images, converted video), then the nodes (nested content, effects, masks), then
  // the tiled final composite (render_graph.h).
  graph_.prepare(f);
  composite_.record(f);
  s.submit(want_nv12, want_rgba);
  convert_.commit(size_t(slot));
}

void Compositor::wait(int slot) { slots_.at(size_t(slot))->wait(); }

const uint8_t* Compositor::rgba(int slot) const {
  if (!rgba_readback_) throw Error("this compositor was created without RGBA readback");
  return slots_.at(size_t(slot))->rgba();
}

const uint8_t* Compositor::nv12(int slot) const { return slots_.at(size_t(slot))->nv12(); }

}  // namespace reelforge
