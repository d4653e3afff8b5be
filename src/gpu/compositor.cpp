#include "gpu/compositor.h"

#include <algorithm>
#include <cstring>

#include "gpu/shaders.h"
#include "gpu/tiling.h"
#include "gpu/vk_check.h"
#include "gpu/yuv_matrix.h"
#include "util/errors.h"

extern "C" {
#include <libavutil/frame.h>
}

namespace reelforge {

namespace {
constexpr int kMaxStack = 8;  // MAX_STACK in shaders/stack.glsl: layers per composite pass

struct LayerParamsGpu {  // std140 mirror of LayerParams in shaders/stack.glsl
  float u[4], v[4], clip[4], color[4];
};
static_assert(sizeof(LayerParamsGpu) == 64);

struct TilePush {  // Push in shaders/stack.glsl
  float background[4];
  int32_t dims[4];
  int32_t tile[4];
};

struct ConvertPush {  // Push in shaders/yuv_to_rgba.comp
  float m[3][4];
  int32_t size[4];
  int32_t offsets[4];
  int32_t out[4];
};

VkDeviceSize align_up(VkDeviceSize v, VkDeviceSize a) { return (v + a - 1) / a * a; }
int align16(int v) { return (v + 15) & ~15; }

void image_barrier(VkCommandBuffer cb, VkImage img, VkImageLayout from, VkImageLayout to, VkAccessFlags src_access,
                   VkAccessFlags dst_access, VkPipelineStageFlags src_stage, VkPipelineStageFlags dst_stage) {
  VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
  b.oldLayout = from;
  b.newLayout = to;
  b.srcAccessMask = src_access;
  b.dstAccessMask = dst_access;
  b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  b.image = img;
  b.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
  vkCmdPipelineBarrier(cb, src_stage, dst_stage, 0, 0, nullptr, 0, nullptr, 1, &b);
}

void memory_barrier(VkCommandBuffer cb, VkAccessFlags src, VkAccessFlags dst, VkPipelineStageFlags ss,
                    VkPipelineStageFlags ds) {
  VkMemoryBarrier b{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  b.srcAccessMask = src;
  b.dstAccessMask = dst;
  vkCmdPipelineBarrier(cb, ss, ds, 0, 1, &b, 0, nullptr, 0, nullptr);
}

VkCommandBuffer begin_one_time(VkDevice dev, VkCommandPool pool) {
  VkCommandBufferAllocateInfo cai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  cai.commandPool = pool;
  cai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  cai.commandBufferCount = 1;
  VkCommandBuffer cb;
  RF_VK(vkAllocateCommandBuffers(dev, &cai, &cb));
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  RF_VK(vkBeginCommandBuffer(cb, &bi));
  return cb;
}

void submit_and_wait(VkContext& ctx, VkCommandPool pool, VkCommandBuffer cb) {
  RF_VK(vkEndCommandBuffer(cb));
  Fence fence = make_fence(ctx, false);
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cb;
  {
    std::lock_guard lk(ctx.queue_mutex);
    RF_VK(vkQueueSubmit(ctx.queue, 1, &si, fence));
  }
  VkFence f = fence;
  RF_VK(vkWaitForFences(ctx.device, 1, &f, VK_TRUE, UINT64_MAX));
  vkFreeCommandBuffers(ctx.device, pool, 1, &cb);
}

// Grows `b` to at least `size` bytes (by half again, so steady growth reallocates rarely).
void ensure(const VkContext& ctx, Buffer& b, VkDeviceSize size, VkBufferUsageFlags usage, bool host_visible) {
  if (b.buffer != VK_NULL_HANDLE && b.size >= size) return;
  const VkDeviceSize grown = std::max<VkDeviceSize>({size, b.size + b.size / 2, 256});
  b = Buffer{};  // free first: the old one may be large
  b = make_buffer(ctx, grown, usage, host_visible);
}

// One plane row by row into rows of `dst_stride` bytes, the last sample repeated up to the stride
// (yuv_to_rgba.comp reads whole words past the right edge).
void copy_plane(uint8_t* dst, int dst_stride, const uint8_t* src, int src_stride, int width, int height) {
  for (int y = 0; y < height; ++y) {
    uint8_t* d = dst + ptrdiff_t(y) * dst_stride;
    std::memcpy(d, src + ptrdiff_t(y) * src_stride, size_t(width));
    std::memset(d + width, d[width - 1], size_t(dst_stride - width));
  }
}

// The frame's video layers: where their planes go in the staging buffer and their RGBA8 output.
struct VideoUpload {
  size_t draw = 0;
  int width = 0, height = 0, luma_stride = 0, chroma_stride = 0;
  int div = 1;  // yuv_to_rgba.comp's DIV: converted at 1/div of the source size
  bool alpha = false;
  VkDeviceSize y = 0, cb = 0, cr = 0, a = 0;  // plane offsets in staging, bytes
  VkDeviceSize out = 0;                       // first pixel in the converted buffer
  Image* image = nullptr;                     // the RGBA8 texture it is copied into
};
}  // namespace

struct Compositor::Pass {
  size_t group = 0;
  int first = 0, count = 0;  // layers [first, first + count) of the group's stack
  bool read_acc = false, write_acc = false;
  uint32_t tile_base = 0;
  VkDeviceSize params_offset = 0;
  VkDescriptorSet set = VK_NULL_HANDLE;
  VkPipeline pipeline = VK_NULL_HANDLE;
};

struct Compositor::Slot {
  // Converted RGBA8 video images, pooled by size and handed to the video layers of each frame, so
  // memory follows the number of simultaneous video layers, not the number of clips.
  std::map<std::pair<int, int>, std::vector<std::unique_ptr<Image>>> pool;
  Buffer staging;    // host-visible: the frame's video planes (padded rows), read by yuv_to_rgba
  Buffer converted;  // yuv_to_rgba's RGBA8 output, copied into the pool images
  Buffer params;     // host-visible: one LayerParamsGpu block per composite pass
  Buffer tiles;      // host-visible: the tile lists of every pass
  Buffer acc;        // float16 accumulator, allocated only for stacks deeper than kMaxStack
  Buffer nv12_gpu, nv12_host;  // *_host only where memory is not unified
  Buffer rgba_gpu, rgba_host;
  DescriptorPool descriptors;  // reset every frame
  uint32_t descriptor_capacity = 0;
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  Fence fence;
  bool in_flight = false;
};

Compositor::Compositor(std::shared_ptr<VkContext> ctx, int width, int height, std::array<float, 4> background,
                       std::vector<LayerSource> sources, int slots, bool rgba_readback)
    : ctx_(std::move(ctx)), width_(width), height_(height), row_pixels_(align16(width)), background_(background),
      sources_(std::move(sources)), rgba_readback_(rgba_readback) {
  VkDevice dev = ctx_->device;
  const VkDeviceSize align = std::max<VkDeviceSize>(1, ctx_->props.limits.minUniformBufferOffsetAlignment);
  params_stride_ = align_up(sizeof(LayerParamsGpu) * kMaxStack, align);
  VkSamplerCreateInfo sci{VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO};
  sci.magFilter = sci.minFilter = VK_FILTER_LINEAR;  // bilinear scaling
  sci.addressModeU = sci.addressModeV = sci.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
  VkSampler smp;
  RF_VK(vkCreateSampler(dev, &sci, nullptr, &smp));
  sampler_ = Sampler(dev, smp);

  create_layouts();

  VkCommandPoolCreateInfo cpi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  cpi.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  cpi.queueFamilyIndex = ctx_->queue_family;
  VkCommandPool cp;
  RF_VK(vkCreateCommandPool(dev, &cpi, nullptr, &cp));
  cmd_pool_ = CommandPool(dev, cp);

  upload_static_images();
  dummy_buffer_ = make_buffer(*ctx_, 256, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, false);

  const VkDeviceSize nv12_size = VkDeviceSize(row_pixels_) * height_ * 3 / 2;
  const VkDeviceSize rgba_size = VkDeviceSize(row_pixels_) * 4 * height_;
  const VkBufferUsageFlags out_use = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
  for (int k = 0; k < slots; ++k) {
    auto s = std::make_unique<Slot>();
    // On unified memory shaders write the outputs straight into host-visible memory: no copy.
    s->nv12_gpu = make_buffer(*ctx_, nv12_size, out_use, ctx_->unified_memory);
    if (!ctx_->unified_memory) s->nv12_host = make_buffer(*ctx_, nv12_size, VK_BUFFER_USAGE_TRANSFER_DST_BIT, true);
    if (rgba_readback_) {
      s->rgba_gpu = make_buffer(*ctx_, rgba_size, out_use, ctx_->unified_memory);
      if (!ctx_->unified_memory) s->rgba_host = make_buffer(*ctx_, rgba_size, VK_BUFFER_USAGE_TRANSFER_DST_BIT, true);
    }
    VkCommandBufferAllocateInfo cai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    cai.commandPool = cmd_pool_;
    cai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    cai.commandBufferCount = 1;
    RF_VK(vkAllocateCommandBuffers(dev, &cai, &s->cmd));
    s->fence = make_fence(*ctx_, false);
    slots_.push_back(std::move(s));
  }
}

Compositor::~Compositor() {
  // Resources must outlive any GPU work that still uses them.
  for (auto& s : slots_)
    if (s->in_flight) {
      VkFence f = s->fence;
      vkWaitForFences(ctx_->device, 1, &f, VK_TRUE, UINT64_MAX);
    }
}

void Compositor::create_layouts() {
  VkDevice dev = ctx_->device;
  auto make_set_layout = [&](const std::vector<VkDescriptorSetLayoutBinding>& b) {
    VkDescriptorSetLayoutCreateInfo lci{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    lci.bindingCount = uint32_t(b.size());
    lci.pBindings = b.data();
    VkDescriptorSetLayout sl;
    RF_VK(vkCreateDescriptorSetLayout(dev, &lci, nullptr, &sl));
    return DescriptorSetLayout(dev, sl);
  };
  auto make_layout = [&](VkDescriptorSetLayout set, uint32_t push_size) {
    VkPushConstantRange pcr{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_size};
    VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    pli.setLayoutCount = 1;
    pli.pSetLayouts = &set;
    pli.pushConstantRangeCount = 1;
    pli.pPushConstantRanges = &pcr;
    VkPipelineLayout pl;
    RF_VK(vkCreatePipelineLayout(dev, &pli, nullptr, &pl));
    return PipelineLayout(dev, pl);
  };
  const auto cs = VK_SHADER_STAGE_COMPUTE_BIT;
  // shaders/stack.glsl
  tile_set_layout_ = make_set_layout({{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, cs, nullptr},
                                      {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, cs, nullptr},
                                      {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, cs, nullptr},
                                      {3, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, 1, cs, nullptr},
                                      {4, VK_DESCRIPTOR_TYPE_SAMPLER, 1, cs, nullptr},
                                      {5, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, kMaxStack, cs, nullptr},
                                      {6, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, cs, nullptr}});
  tile_layout_ = make_layout(tile_set_layout_, sizeof(TilePush));
  // shaders/yuv_to_rgba.comp
  convert_set_layout_ = make_set_layout({{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, cs, nullptr},
                                         {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, cs, nullptr}});
  convert_layout_ = make_layout(convert_set_layout_, sizeof(ConvertPush));
}

Pipeline Compositor::build_pipeline(shaders::Spirv code, VkPipelineLayout layout, const std::vector<int32_t>& spec) {
  VkDevice dev = ctx_->device;
  VkShaderModuleCreateInfo smi{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  smi.codeSize = code.size_bytes;
  smi.pCode = code.words;
  VkShaderModule sm;
  RF_VK(vkCreateShaderModule(dev, &smi, nullptr, &sm));
  ShaderModule module(dev, sm);
  // Constant ids 0.. in order; bool constants are 32-bit in SPIR-V.
  std::vector<VkSpecializationMapEntry> entries(spec.size());
  for (uint32_t i = 0; i < entries.size(); ++i) entries[i] = {i, i * 4, 4};
  VkSpecializationInfo si{uint32_t(entries.size()), entries.data(), spec.size() * 4, spec.data()};
  VkComputePipelineCreateInfo cpi{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  cpi.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  cpi.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  cpi.stage.module = sm;
  cpi.stage.pName = "main";
  cpi.stage.pSpecializationInfo = &si;
  cpi.layout = layout;
  VkPipeline p;
  RF_VK(vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpi, nullptr, &p));
  return Pipeline(dev, p);
}

VkPipeline Compositor::convert_pipeline(bool alpha, int div) {
  Pipeline& p = convert_[alpha ? 1 : 0][div == 4 ? 2 : div == 2 ? 1 : 0];
  if (p == VK_NULL_HANDLE) p = build_pipeline(shaders::yuv_to_rgba(), convert_layout_, {alpha, div});
  return p;
}

VkPipeline Compositor::composite_pipeline(const std::vector<int32_t>& spec) {
  auto it = composite_.find(spec);
  if (it == composite_.end()) it = composite_.emplace(spec, build_pipeline(shaders::composite(), tile_layout_, spec)).first;
  return it->second;
}

void Compositor::upload_static_images() {
  // A 1x1 transparent texture fills unused texture bindings; image layers are uploaded once.
  RgbaImage dummy{1, 1, {0, 0, 0, 0}};
  VkDeviceSize total = 4;
  opaque_image_.assign(sources_.size(), false);
  for (size_t i = 0; i < sources_.size(); ++i)
    if (sources_[i].kind == LayerKind::Image) {
      const auto& img = sources_[i].image;
      if (!img || img->pixels.empty()) throw InputError("image layer " + std::to_string(i) + " has no pixels");
      total += img->pixels.size();
      bool opaque = true;
      for (size_t k = 3; k < img->pixels.size() && opaque; k += 4) opaque = img->pixels[k] == 255;
      opaque_image_[i] = opaque;
    }
  Buffer staging = make_buffer(*ctx_, total, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, true);
  const VkImageUsageFlags use = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
  static_images_.resize(sources_.size());
  VkCommandBuffer cb = begin_one_time(ctx_->device, cmd_pool_);
  VkDeviceSize offset = 0;
  auto upload = [&](const RgbaImage& img, Image& dst) {
    dst = make_image(*ctx_, img.width, img.height, VK_FORMAT_R8G8B8A8_UNORM, use);
    std::memcpy(static_cast<uint8_t*>(staging.mapped) + offset, img.pixels.data(), img.pixels.size());
    image_barrier(cb, dst.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0,
                  VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
    VkBufferImageCopy r{};
    r.bufferOffset = offset;
    r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    r.imageExtent = {uint32_t(img.width), uint32_t(img.height), 1};
    vkCmdCopyBufferToImage(cb, staging.buffer, dst.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
    image_barrier(cb, dst.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                  VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_SHADER_READ_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                  VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
    offset += img.pixels.size();
  };
  upload(dummy, dummy_);
  for (size_t i = 0; i < sources_.size(); ++i)
    if (sources_[i].kind == LayerKind::Image) upload(*sources_[i].image, static_images_[i]);
  submit_and_wait(*ctx_, cmd_pool_, cb);
}

void Compositor::ensure_descriptor_capacity(Slot& s, uint32_t sets) {
  if (s.descriptors != VK_NULL_HANDLE && s.descriptor_capacity >= sets) {
    RF_VK(vkResetDescriptorPool(ctx_->device, s.descriptors, 0));
    return;
  }
  const uint32_t n = std::max<uint32_t>({sets, s.descriptor_capacity * 2, 16});
  const VkDescriptorPoolSize sizes[] = {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, n * 4},
                                        {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, n},
                                        {VK_DESCRIPTOR_TYPE_SAMPLER, n},
                                        {VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, n * kMaxStack}};
  VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  dpi.maxSets = n;
  dpi.poolSizeCount = 4;
  dpi.pPoolSizes = sizes;
  VkDescriptorPool pool;
  s.descriptors.reset();
  RF_VK(vkCreateDescriptorPool(ctx_->device, &dpi, nullptr, &pool));
  s.descriptors = DescriptorPool(ctx_->device, pool);
  s.descriptor_capacity = n;
}

void Compositor::submit(int slot, const std::vector<LayerDraw>& draws, bool want_rgba, bool want_nv12) {
  Slot& s = *slots_.at(size_t(slot));
  if (s.in_flight) wait(slot);
  if (want_rgba && !rgba_readback_) throw Error("this compositor was created without RGBA readback");
  VkDevice dev = ctx_->device;

  // 1. Video layers: staging layout, converted images from the slot's pool.
  std::vector<VideoUpload> videos;
  std::vector<VkImageView> views(draws.size(), dummy_.view.get());
  std::map<std::pair<int, int>, size_t> taken;
  std::vector<VkImage> fresh;
  VkDeviceSize staging_bytes = 0, converted_px = 0;
  for (size_t n = 0; n < draws.size(); ++n) {
    const LayerDraw& d = draws[n];
    const LayerSource& src = sources_.at(size_t(d.layer));
    if (src.kind == LayerKind::Image) views[n] = static_images_[size_t(d.layer)].view;
    if (src.kind != LayerKind::Video) continue;
    if (!d.video) throw Error("video layer " + std::to_string(d.layer) + " drawn without a frame");
    VideoUpload v;
    v.draw = n;
    v.width = src.video_width;
    v.height = src.video_height;
    v.alpha = src.video_alpha;
    // Source pixels per canvas pixel: shown at half the size or less, the frame is converted at a
    // half (quarter) of it, box-filtered. The converted height must stay even (16x2 blocks).
    const double shown = std::min(v.width / std::max(1e-6, double(d.place.size[0]) * d.place.px_per_local[0]),
                                  v.height / std::max(1e-6, double(d.place.size[1]) * d.place.px_per_local[1]));
    v.div = shown >= 4 && v.width % 4 == 0 && v.height % 8 == 0 ? 4 : shown >= 2 && v.height % 4 == 0 ? 2 : 1;
    const int out_w = v.width / v.div, out_h = v.height / v.div;
    v.luma_stride = align16(out_w) * v.div;             // whole blocks of output pixels
    v.chroma_stride = align16(v.luma_stride / 2 + 1);  // + 1: the sample right of the last block
    const VkDeviceSize luma = VkDeviceSize(v.luma_stride) * v.height, chroma = VkDeviceSize(v.chroma_stride) * v.height / 2;
    v.y = staging_bytes;
    v.cb = v.y + luma;
    v.cr = v.cb + chroma;
    v.a = v.cr + chroma;
    staging_bytes = v.a + (v.alpha ? luma : 0);
    v.out = converted_px;
    converted_px += VkDeviceSize(align16(out_w)) * out_h;
    auto& list = s.pool[{out_w, out_h}];
    const size_t index = taken[{out_w, out_h}]++;
    if (index == list.size()) {
      list.push_back(std::make_unique<Image>(make_image(*ctx_, out_w, out_h, VK_FORMAT_R8G8B8A8_UNORM,
                                                        VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT)));
      fresh.push_back(list.back()->image);
    }
    v.image = list[index].get();
    views[n] = v.image->view;
    videos.push_back(v);
  }
  if (!videos.empty()) {
    ensure(*ctx_, s.staging, staging_bytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, true);
    ensure(*ctx_, s.converted, converted_px * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
           false);
    auto* staging = static_cast<uint8_t*>(s.staging.mapped);
    for (const VideoUpload& v : videos) {
      const AVFrame* f = draws[v.draw].video;
      const int planes = v.alpha ? 4 : 3;
      for (int k = 0; k < planes; ++k)
        if (!f->data[k]) throw Error("video frame is missing plane " + std::to_string(k));
      if (f->width < v.width || f->height < v.height) throw Error("video frame size changed mid-stream");
      copy_plane(staging + v.y, v.luma_stride, f->data[0], f->linesize[0], v.width, v.height);
      copy_plane(staging + v.cb, v.chroma_stride, f->data[1], f->linesize[1], v.width / 2, v.height / 2);
      copy_plane(staging + v.cr, v.chroma_stride, f->data[2], f->linesize[2], v.width / 2, v.height / 2);
      if (v.alpha) copy_plane(staging + v.a, v.luma_stride, f->data[3], f->linesize[3], v.width, v.height);
    }
  }

  // 2. Tiles grouped by the layers that touch them; each group's stack in passes of kMaxStack.
  std::vector<TileLayer> tile_layers(draws.size());
  for (size_t n = 0; n < draws.size(); ++n) {
    const LayerDraw& d = draws[n];
    const LayerSource& src = sources_[size_t(d.layer)];
    tile_layers[n].bounds = d.place.bounds;
    const bool opaque_source = src.kind == LayerKind::Solid   ? d.color[3] >= 1.0f
                               : src.kind == LayerKind::Image ? bool(opaque_image_[size_t(d.layer)])
                                                              : !src.video_alpha;
    const auto& inv = d.place.inv;
    const bool axis_aligned = inv[1] == 0.0f && inv[3] == 0.0f;
    if (opaque_source && axis_aligned && d.place.opacity >= 1.0f && d.blend == BlendMode::Normal)
      tile_layers[n].opaque = d.place.bounds;
  }
  const std::vector<TileGroup> groups = group_tiles(width_, height_, tile_layers);
  std::vector<Pass> passes;
  size_t tile_count = 0;
  bool need_acc = false;
  for (size_t g = 0; g < groups.size(); ++g) {
    const int depth = int(groups[g].layers.size());
    for (int first = 0; first == 0 || first < depth; first += kMaxStack) {
      Pass p;
      p.group = g;
      p.first = first;
      p.count = std::min(kMaxStack, depth - first);
      p.read_acc = first > 0;
      p.write_acc = first + kMaxStack < depth;
      p.tile_base = uint32_t(tile_count);
      need_acc = need_acc || p.write_acc;
      passes.push_back(p);
    }
    tile_count += groups[g].tiles.size();
  }
  ensure(*ctx_, s.params, params_stride_ * passes.size(), VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT, true);
  ensure(*ctx_, s.tiles, tile_count * sizeof(uint32_t), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, true);
  if (need_acc) ensure(*ctx_, s.acc, VkDeviceSize(row_pixels_) * height_ * 8, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, false);
  {
    auto* tiles = static_cast<uint32_t*>(s.tiles.mapped);
    for (size_t g = 0, at = 0; g < groups.size(); at += groups[g].tiles.size(), ++g)
      std::copy(groups[g].tiles.begin(), groups[g].tiles.end(), tiles + at);
  }
  auto* params = static_cast<uint8_t*>(s.params.mapped);
  for (size_t i = 0; i < passes.size(); ++i) {
    Pass& p = passes[i];
    p.params_offset = params_stride_ * i;
    std::vector<int32_t> spec(13, 0);
    spec[0] = p.count;
    for (int k = 0; k < p.count; ++k) {
      const LayerDraw& d = draws[size_t(groups[p.group].layers[size_t(p.first + k)])];
      const bool solid = sources_[size_t(d.layer)].kind == LayerKind::Solid;
      spec[size_t(1 + k)] = (solid ? 0 : 16) + int(d.blend);
      // Canvas point -> normalised texture coordinate: the layer-local map divided by the size.
      const auto& pl = d.place;
      const float sx = pl.size[0], sy = pl.size[1];
      LayerParamsGpu& L = *reinterpret_cast<LayerParamsGpu*>(params + p.params_offset + size_t(k) * sizeof(LayerParamsGpu));
      L = LayerParamsGpu{{pl.inv[0] / sx, pl.inv[1] / sx, pl.inv[2] / sx, pl.px_per_local[0] * sx},
                         {pl.inv[3] / sy, pl.inv[4] / sy, pl.inv[5] / sy, pl.px_per_local[1] * sy},
                         {pl.clip[0] / sx, pl.clip[1] / sy, pl.clip[2] / sx, pl.clip[3] / sy},
                         {pl.opacity, pl.opacity, pl.opacity, pl.opacity}};
      if (solid) {
        const float a = d.color[3] * pl.opacity;
        L.color[0] = d.color[0] * a, L.color[1] = d.color[1] * a, L.color[2] = d.color[2] * a, L.color[3] = a;
      }
    }
    spec[9] = p.read_acc;
    spec[10] = p.write_acc;
    spec[11] = want_nv12;
    spec[12] = want_rgba;
    p.pipeline = composite_pipeline(spec);
  }

  // 3. Descriptor sets: one per conversion, one per pass.
  ensure_descriptor_capacity(s, uint32_t(videos.size() + passes.size()));
  auto allocate = [&](VkDescriptorSetLayout layout) {
    VkDescriptorSetAllocateInfo dai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    dai.descriptorPool = s.descriptors;
    dai.descriptorSetCount = 1;
    dai.pSetLayouts = &layout;
    VkDescriptorSet set;
    RF_VK(vkAllocateDescriptorSets(dev, &dai, &set));
    return set;
  };
  auto buffer_write = [](VkDescriptorSet set, uint32_t binding, VkDescriptorType type, const VkDescriptorBufferInfo* info) {
    VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    w.dstSet = set;
    w.dstBinding = binding;
    w.descriptorCount = 1;
    w.descriptorType = type;
    w.pBufferInfo = info;
    return w;
  };
  std::vector<VkDescriptorSet> convert_sets;
  if (!videos.empty()) {
    const VkDescriptorBufferInfo in{s.staging.buffer, 0, VK_WHOLE_SIZE}, out{s.converted.buffer, 0, VK_WHOLE_SIZE};
    for (size_t i = 0; i < videos.size(); ++i) {
      VkDescriptorSet set = allocate(convert_set_layout_);
      const VkWriteDescriptorSet w[2] = {buffer_write(set, 0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, &in),
                                         buffer_write(set, 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, &out)};
      vkUpdateDescriptorSets(dev, 2, w, 0, nullptr);
      convert_sets.push_back(set);
    }
  }
  {
    const VkBuffer none = dummy_buffer_.buffer;
    const VkDescriptorBufferInfo nv12{s.nv12_gpu.buffer, 0, VK_WHOLE_SIZE};
    const VkDescriptorBufferInfo rgba{rgba_readback_ ? s.rgba_gpu.buffer.get() : none, 0, VK_WHOLE_SIZE};
    const VkDescriptorBufferInfo tiles{s.tiles.buffer, 0, VK_WHOLE_SIZE};
    const VkDescriptorBufferInfo block{s.params.buffer, 0, sizeof(LayerParamsGpu) * kMaxStack};
    const VkDescriptorBufferInfo acc{need_acc ? s.acc.buffer.get() : none, 0, VK_WHOLE_SIZE};
    const VkDescriptorImageInfo smp{sampler_, VK_NULL_HANDLE, VK_IMAGE_LAYOUT_UNDEFINED};
    for (Pass& p : passes) {
      p.set = allocate(tile_set_layout_);
      VkDescriptorImageInfo tex[kMaxStack];
      for (int k = 0; k < kMaxStack; ++k) {
        const VkImageView view = k < p.count ? views[size_t(groups[p.group].layers[size_t(p.first + k)])] : dummy_.view.get();
        tex[k] = {VK_NULL_HANDLE, view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
      }
      VkWriteDescriptorSet w[7] = {buffer_write(p.set, 0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, &nv12),
                                   buffer_write(p.set, 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, &rgba),
                                   buffer_write(p.set, 2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, &tiles),
                                   buffer_write(p.set, 3, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, &block),
                                   buffer_write(p.set, 4, VK_DESCRIPTOR_TYPE_SAMPLER, nullptr),
                                   buffer_write(p.set, 5, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, nullptr),
                                   buffer_write(p.set, 6, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, &acc)};
      w[4].pBufferInfo = nullptr;
      w[4].pImageInfo = &smp;
      w[5].pBufferInfo = nullptr;
      w[5].pImageInfo = tex;
      w[5].descriptorCount = kMaxStack;
      vkUpdateDescriptorSets(dev, 7, w, 0, nullptr);
    }
  }

  // 4. Commands.
  VkCommandBuffer cb = s.cmd;
  RF_VK(vkResetCommandBuffer(cb, 0));
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  RF_VK(vkBeginCommandBuffer(cb, &bi));
  if (!videos.empty()) {
    for (size_t i = 0; i < videos.size(); ++i) {
      const VideoUpload& v = videos[i];
      ConvertPush pc{};
      const auto m = yuv_to_rgb_matrix(draws[v.draw].video);
      for (int r = 0; r < 3; ++r) std::copy_n(m[r].begin(), 4, pc.m[r]);
      pc.size[0] = v.width, pc.size[1] = v.height, pc.size[2] = v.luma_stride, pc.size[3] = v.chroma_stride;
      pc.offsets[0] = int32_t(v.y), pc.offsets[1] = int32_t(v.cb), pc.offsets[2] = int32_t(v.cr), pc.offsets[3] = int32_t(v.a);
      const int out_w = v.width / v.div, out_h = v.height / v.div;
      pc.out[0] = int32_t(v.out), pc.out[1] = align16(out_w);
      vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, convert_pipeline(v.alpha, v.div));
      vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, convert_layout_, 0, 1, &convert_sets[i], 0, nullptr);
      vkCmdPushConstants(cb, convert_layout_, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof pc, &pc);
      vkCmdDispatch(cb, uint32_t((align16(out_w) / 16 + 7) / 8), uint32_t((out_h / 2 + 7) / 8), 1);
    }
    memory_barrier(cb, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_TRANSFER_READ_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                   VK_PIPELINE_STAGE_TRANSFER_BIT);
    for (const VideoUpload& v : videos) {
      // Whatever the image held is replaced: the previous frame in this slot finished (fence).
      image_barrier(cb, v.image->image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0,
                    VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
      VkBufferImageCopy r{};
      r.bufferOffset = v.out * 4;
      r.bufferRowLength = uint32_t(align16(v.width / v.div));
      r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
      r.imageExtent = {uint32_t(v.width / v.div), uint32_t(v.height / v.div), 1};
      vkCmdCopyBufferToImage(cb, s.converted.buffer, v.image->image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
      image_barrier(cb, v.image->image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                    VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_SHADER_READ_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
    }
  }
  TilePush pc{};
  const float ba = background_[3];
  pc.background[0] = background_[0] * ba, pc.background[1] = background_[1] * ba;
  pc.background[2] = background_[2] * ba, pc.background[3] = ba;
  pc.dims[0] = width_, pc.dims[1] = height_, pc.dims[2] = row_pixels_, pc.dims[3] = row_pixels_;
  pc.tile[1] = row_pixels_;
  // Passes level by level: a stack's next pass reads the accumulator its previous pass wrote.
  for (int level = 0;; ++level) {
    bool any = false;
    for (const Pass& p : passes) {
      if (p.first != level * kMaxStack) continue;
      if (!any && level > 0)
        memory_barrier(cb, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
      any = true;
      pc.tile[0] = int32_t(p.tile_base);
      const uint32_t offset = uint32_t(p.params_offset);
      vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, p.pipeline);
      vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, tile_layout_, 0, 1, &p.set, 1, &offset);
      vkCmdPushConstants(cb, tile_layout_, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof pc, &pc);
      vkCmdDispatch(cb, uint32_t(groups[p.group].tiles.size()), 1, 1);
    }
    if (!any) break;
  }
  auto readback = [&](const Buffer& gpu, const Buffer& host) {
    memory_barrier(cb, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_TRANSFER_READ_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                   VK_PIPELINE_STAGE_TRANSFER_BIT);
    VkBufferCopy r{0, 0, gpu.size};
    vkCmdCopyBuffer(cb, gpu.buffer, host.buffer, 1, &r);
  };
  if (!ctx_->unified_memory) {
    if (want_nv12) readback(s.nv12_gpu, s.nv12_host);
    if (want_rgba) readback(s.rgba_gpu, s.rgba_host);
  }
  memory_barrier(cb, VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT,
                 VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT);
  RF_VK(vkEndCommandBuffer(cb));

  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cb;
  {
    std::lock_guard lk(ctx_->queue_mutex);
    RF_VK(vkQueueSubmit(ctx_->queue, 1, &si, s.fence));
  }
  s.in_flight = true;
}

void Compositor::wait(int slot) {
  Slot& s = *slots_.at(size_t(slot));
  if (!s.in_flight) return;
  VkFence f = s.fence;
  RF_VK(vkWaitForFences(ctx_->device, 1, &f, VK_TRUE, UINT64_MAX));
  RF_VK(vkResetFences(ctx_->device, 1, &f));
  s.in_flight = false;
}

const uint8_t* Compositor::rgba(int slot) const {
  const Slot& s = *slots_.at(size_t(slot));
  if (!rgba_readback_) throw Error("this compositor was created without RGBA readback");
  return static_cast<const uint8_t*>(ctx_->unified_memory ? s.rgba_gpu.mapped : s.rgba_host.mapped);
}

const uint8_t* Compositor::nv12(int slot) const {
  const Slot& s = *slots_.at(size_t(slot));
  return static_cast<const uint8_t*>(ctx_->unified_memory ? s.nv12_gpu.mapped : s.nv12_host.mapped);
}

}  // namespace reelforge
