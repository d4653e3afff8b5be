#include "gpu/compositor.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "gpu/shaders.h"
#include "gpu/vk_check.h"
#include "gpu/yuv_matrix.h"
#include "util/errors.h"

extern "C" {
#include <libavutil/frame.h>
}

namespace reelforge {

namespace {
constexpr int kTexBindings = 4;  // tex0..tex3 in shaders/common.glsl

struct alignas(16) LayerParamsGpu {  // std430 mirror of LayerParams in shaders/common.glsl
  float inv0[4], inv1[4], size[4], color[4];
  float clip[4], reserved[4];
  float yuv[3][4];
};
static_assert(sizeof(LayerParamsGpu) == 144);

struct PushConstants {
  float background[4];
  int32_t dims[4];
  int32_t origin[4];
};

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

// Compute-to-compute dependency on the accumulator between passes.
void acc_barrier(VkCommandBuffer cb) {
  memory_barrier(cb, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
                 VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
}

VkBufferImageCopy plane_copy(VkDeviceSize offset, int w, int h) {
  VkBufferImageCopy r{};
  r.bufferOffset = offset;
  r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  r.imageExtent = {uint32_t(w), uint32_t(h), 1};
  return r;
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
}  // namespace

struct Compositor::Slot {
  // Images for one video layer's frame: planes Y, Cb, Cr[, A] and their RGBA conversion.
  struct VideoImages {
    std::vector<Image> planes;
    Image converted;
  };
  // Pooled by (width, height, alpha) and handed to the video layers active in this frame, so GPU
  // memory follows the number of simultaneous video layers, not the number of clips.
  std::map<std::tuple<int, int, bool>, std::vector<std::unique_ptr<VideoImages>>> pool;
  std::vector<VideoImages*> bound;         // per layer: images its descriptor set points at
  Buffer staging;                          // video planes, tightly packed; grows on demand
  Buffer params;                           // LayerParamsGpu per draw
  Image acc;                               // premultiplied RGBA16F accumulator
  Buffer nv12_gpu, nv12_host;              // *_host only where memory is not unified
  Buffer rgba_gpu, rgba_host;
  std::vector<VkDescriptorSet> sets;       // [0]: no textures; [k + 1]: layer k's textures
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  Fence fence;
  bool in_flight = false;
};

Compositor::Compositor(std::shared_ptr<VkContext> ctx, int width, int height, std::array<float, 4> background,
                       std::vector<LayerSource> sources, int slots, bool rgba_readback)
    : ctx_(std::move(ctx)), width_(width), height_(height), nv12_stride_((width + 3) & ~3),
      background_(background), sources_(std::move(sources)), rgba_readback_(rgba_readback) {
  VkDevice dev = ctx_->device;
  const VkDeviceSize align = std::max<VkDeviceSize>(1, ctx_->props.limits.minUniformBufferOffsetAlignment);
  params_stride_ = (sizeof(LayerParamsGpu) + align - 1) / align * align;
  VkSamplerCreateInfo sci{VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO};
  sci.magFilter = sci.minFilter = VK_FILTER_LINEAR;  // bilinear scaling
  sci.addressModeU = sci.addressModeV = sci.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
  VkSampler smp;
  RF_VK(vkCreateSampler(dev, &sci, nullptr, &smp));
  sampler_ = Sampler(dev, smp);

  create_layout();
  clear_ = build_pipeline(shaders::clear(), 0, 0);
  to_nv12_ = build_pipeline(shaders::rgba_to_nv12(), 0, 0);
  to_rgba8_ = build_pipeline(shaders::acc_to_rgba8(), 0, 0);
  yuv_to_rgba_[0] = build_pipeline(shaders::yuv_to_rgba(), 2, 0);
  yuv_to_rgba_[1] = build_pipeline(shaders::yuv_to_rgba(), 3, 0);

  VkCommandPoolCreateInfo cpi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  cpi.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  cpi.queueFamilyIndex = ctx_->queue_family;
  VkCommandPool cp;
  RF_VK(vkCreateCommandPool(dev, &cpi, nullptr, &cp));
  cmd_pool_ = CommandPool(dev, cp);

  const uint32_t sets = uint32_t(slots) * uint32_t(sources_.size() + 1);
  VkDescriptorPoolSize sizes[] = {{VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, sets * 2},
                                  {VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, sets * (kTexBindings + 1)},
                                  {VK_DESCRIPTOR_TYPE_SAMPLER, sets},
                                  {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, sets * 2},
                                  {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, sets}};
  VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  dpi.maxSets = sets;
  dpi.poolSizeCount = 5;
  dpi.pPoolSizes = sizes;
  VkDescriptorPool pool;
  RF_VK(vkCreateDescriptorPool(dev, &dpi, nullptr, &pool));
  pool_ = DescriptorPool(dev, pool);

  upload_static_images();

  const VkDeviceSize nv12_size = VkDeviceSize(nv12_stride_) * height_ * 3 / 2;
  const VkDeviceSize rgba_size = VkDeviceSize(width_) * height_ * 4;
  const VkDeviceSize staging_size = 16;  // grows in submit() to the frame's video planes
  const VkBufferUsageFlags out_use = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
  dummy_storage_ = make_image(*ctx_, 1, 1, VK_FORMAT_R8G8B8A8_UNORM, VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_SAMPLED_BIT);
  for (int k = 0; k < slots; ++k) {
    auto s = std::make_unique<Slot>();
    s->bound.assign(sources_.size(), nullptr);
    s->staging = make_buffer(*ctx_, staging_size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, true);
    s->params = make_buffer(*ctx_, params_stride_ * std::max<size_t>(1, sources_.size()),
                            VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT, true);
    s->acc = make_image(*ctx_, width_, height_, VK_FORMAT_R16G16B16A16_SFLOAT, VK_IMAGE_USAGE_STORAGE_BIT);
    // On unified memory shaders write the outputs straight into host-visible memory: no copy.
    s->nv12_gpu = make_buffer(*ctx_, nv12_size, out_use, ctx_->unified_memory);
    if (!ctx_->unified_memory) s->nv12_host = make_buffer(*ctx_, nv12_size, VK_BUFFER_USAGE_TRANSFER_DST_BIT, true);
    s->rgba_gpu = make_buffer(*ctx_, rgba_readback_ ? rgba_size : 16, out_use, ctx_->unified_memory);
    if (rgba_readback_ && !ctx_->unified_memory)
      s->rgba_host = make_buffer(*ctx_, rgba_size, VK_BUFFER_USAGE_TRANSFER_DST_BIT, true);
    s->sets.resize(sources_.size() + 1);
    std::vector<VkDescriptorSetLayout> layouts(s->sets.size(), set_layout_.get());
    VkDescriptorSetAllocateInfo dai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    dai.descriptorPool = pool_;
    dai.descriptorSetCount = uint32_t(layouts.size());
    dai.pSetLayouts = layouts.data();
    RF_VK(vkAllocateDescriptorSets(dev, &dai, s->sets.data()));
    VkCommandBufferAllocateInfo cai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    cai.commandPool = cmd_pool_;
    cai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    cai.commandBufferCount = 1;
    RF_VK(vkAllocateCommandBuffers(dev, &cai, &s->cmd));
    s->fence = make_fence(*ctx_, false);
    slots_.push_back(std::move(s));
  }

  // The accumulator starts in GENERAL, where it stays between frames.
  VkCommandBuffer cb = begin_one_time(dev, cmd_pool_);
  image_barrier(cb, dummy_storage_.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_GENERAL, 0,
                VK_ACCESS_SHADER_READ_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
  for (auto& s : slots_)
    image_barrier(cb, s->acc.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_GENERAL, 0,
                  VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
  submit_and_wait(*ctx_, cmd_pool_, cb);
  for (auto& s : slots_)
    for (size_t k = 0; k < s->sets.size(); ++k) write_descriptors(*s, k, int(k) - 1);
}

Compositor::~Compositor() {
  // Resources must outlive any GPU work that still uses them.
  for (auto& s : slots_)
    if (s->in_flight) {
      VkFence f = s->fence;
      vkWaitForFences(ctx_->device, 1, &f, VK_TRUE, UINT64_MAX);
    }
}

void Compositor::create_layout() {
  VkDevice dev = ctx_->device;
  std::vector<VkDescriptorSetLayoutBinding> b;
  auto add = [&](uint32_t binding, VkDescriptorType type) {
    b.push_back({binding, type, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr});
  };
  add(0, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE);
  for (uint32_t t = 0; t < kTexBindings; ++t) add(1 + t, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE);
  add(5, VK_DESCRIPTOR_TYPE_SAMPLER);
  add(6, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC);
  add(7, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER);
  add(8, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER);
  add(9, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE);
  add(10, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE);
  VkDescriptorSetLayoutCreateInfo lci{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  lci.bindingCount = uint32_t(b.size());
  lci.pBindings = b.data();
  VkDescriptorSetLayout sl;
  RF_VK(vkCreateDescriptorSetLayout(dev, &lci, nullptr, &sl));
  set_layout_ = DescriptorSetLayout(dev, sl);

  VkPushConstantRange pcr{VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(PushConstants)};
  VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  pli.setLayoutCount = 1;
  pli.pSetLayouts = &sl;
  pli.pushConstantRangeCount = 1;
  pli.pPushConstantRanges = &pcr;
  VkPipelineLayout pl;
  RF_VK(vkCreatePipelineLayout(dev, &pli, nullptr, &pl));
  pipeline_layout_ = PipelineLayout(dev, pl);
}

Pipeline Compositor::build_pipeline(shaders::Spirv code, int kind, int blend, bool first) {
  VkDevice dev = ctx_->device;
  VkShaderModuleCreateInfo smi{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  smi.codeSize = code.size_bytes;
  smi.pCode = code.words;
  VkShaderModule sm;
  RF_VK(vkCreateShaderModule(dev, &smi, nullptr, &sm));
  ShaderModule module(dev, sm);
  const int32_t spec[3] = {kind, blend, first ? 1 : 0};  // bool constants are 32-bit in SPIR-V
  const VkSpecializationMapEntry entries[3] = {{0, 0, 4}, {1, 4, 4}, {2, 8, 4}};
  VkSpecializationInfo si{3, entries, sizeof spec, spec};
  VkComputePipelineCreateInfo cpi{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  cpi.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  cpi.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  cpi.stage.module = sm;
  cpi.stage.pName = "main";
  cpi.stage.pSpecializationInfo = &si;
  cpi.layout = pipeline_layout_;
  VkPipeline p;
  RF_VK(vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpi, nullptr, &p));
  return Pipeline(dev, p);
}

VkPipeline Compositor::pipeline(int kind, int blend, bool first) {
  auto key = std::make_tuple(kind, blend, first);
  auto it = composite_.find(key);
  if (it == composite_.end())
    it = composite_.emplace(key, build_pipeline(shaders::composite(), kind, blend, first)).first;
  return it->second;
}

void Compositor::upload_static_images() {
  // A 1x1 transparent texture fills unused texture bindings; image layers are uploaded once.
  RgbaImage dummy{1, 1, {0, 0, 0, 0}};
  VkDeviceSize total = 4;
  for (size_t i = 0; i < sources_.size(); ++i)
    if (sources_[i].kind == LayerKind::Image) {
      if (!sources_[i].image) throw InputError("image layer " + std::to_string(i) + " has no pixels");
      total += sources_[i].image->pixels.size();
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
    VkBufferImageCopy r = plane_copy(offset, img.width, img.height);
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

void Compositor::write_descriptors(Slot& s, size_t set_index, int layer) {
  VkDescriptorImageInfo tex[kTexBindings];
  for (auto& t : tex) t = {VK_NULL_HANDLE, dummy_.view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
  if (layer >= 0) {
    if (sources_[size_t(layer)].kind == LayerKind::Image) tex[0].imageView = static_images_[size_t(layer)].view;
    if (const auto* v = s.bound[size_t(layer)])
      for (size_t k = 0; k < v->planes.size(); ++k) tex[k].imageView = v->planes[k].view;
  }
  VkDescriptorImageInfo acc{VK_NULL_HANDLE, s.acc.view, VK_IMAGE_LAYOUT_GENERAL};
  VkDescriptorImageInfo smp{sampler_, VK_NULL_HANDLE, VK_IMAGE_LAYOUT_UNDEFINED};
  const bool video = layer >= 0 && sources_[size_t(layer)].kind == LayerKind::Video;
  const VkImageView conv = video && s.bound[size_t(layer)] ? s.bound[size_t(layer)]->converted.view.get()
                                                          : dummy_storage_.view.get();
  VkDescriptorImageInfo conv_sampled{VK_NULL_HANDLE, conv, VK_IMAGE_LAYOUT_GENERAL};
  VkDescriptorImageInfo conv_storage{VK_NULL_HANDLE, conv, VK_IMAGE_LAYOUT_GENERAL};
  VkDescriptorBufferInfo bufs[3] = {{s.params.buffer, 0, sizeof(LayerParamsGpu)},
                                    {s.nv12_gpu.buffer, 0, VK_WHOLE_SIZE},
                                    {s.rgba_gpu.buffer, 0, VK_WHOLE_SIZE}};
  std::vector<VkWriteDescriptorSet> w;
  auto write = [&](uint32_t binding, VkDescriptorType type, const VkDescriptorImageInfo* img,
                   const VkDescriptorBufferInfo* buf) {
    VkWriteDescriptorSet x{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    x.dstSet = s.sets[set_index];
    x.dstBinding = binding;
    x.descriptorCount = 1;
    x.descriptorType = type;
    x.pImageInfo = img;
    x.pBufferInfo = buf;
    w.push_back(x);
  };
  write(0, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, &acc, nullptr);
  for (uint32_t t = 0; t < kTexBindings; ++t) write(1 + t, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, &tex[t], nullptr);
  write(5, VK_DESCRIPTOR_TYPE_SAMPLER, &smp, nullptr);
  write(6, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, nullptr, &bufs[0]);
  write(9, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, &conv_sampled, nullptr);
  write(10, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, &conv_storage, nullptr);
  for (uint32_t k = 1; k < 3; ++k) write(6 + k, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, nullptr, &bufs[k]);
  vkUpdateDescriptorSets(ctx_->device, uint32_t(w.size()), w.data(), 0, nullptr);
}

void Compositor::submit(int slot, const std::vector<LayerDraw>& draws, bool want_rgba, bool want_nv12) {
  Slot& s = *slots_.at(size_t(slot));
  if (s.in_flight) wait(slot);
  if (want_rgba && !rgba_readback_) throw Error("this compositor was created without RGBA readback");

  // Video images for this frame's video layers from the slot's pool, and staging space for them.
  std::map<std::tuple<int, int, bool>, size_t> taken;
  std::vector<VkImage> fresh_planes, fresh_converted;
  VkDeviceSize staging_needed = 0;
  for (const LayerDraw& d : draws) {
    const LayerSource& src = sources_.at(size_t(d.layer));
    if (src.kind != LayerKind::Video) continue;
    const int w = src.video_width, h = src.video_height;
    const auto key = std::make_tuple(w, h, src.video_alpha);
    auto& list = s.pool[key];
    const size_t index = taken[key]++;
    if (index == list.size()) {
      auto v = std::make_unique<Slot::VideoImages>();
      const VkImageUsageFlags use = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
      v->planes.push_back(make_image(*ctx_, w, h, VK_FORMAT_R8_UNORM, use));
      v->planes.push_back(make_image(*ctx_, w / 2, h / 2, VK_FORMAT_R8_UNORM, use));
      v->planes.push_back(make_image(*ctx_, w / 2, h / 2, VK_FORMAT_R8_UNORM, use));
      if (src.video_alpha) v->planes.push_back(make_image(*ctx_, w, h, VK_FORMAT_R8_UNORM, use));
      v->converted = make_image(*ctx_, w, h, VK_FORMAT_R8G8B8A8_UNORM, VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_SAMPLED_BIT);
      for (auto& im : v->planes) fresh_planes.push_back(im.image);
      fresh_converted.push_back(v->converted.image);
      list.push_back(std::move(v));
    }
    Slot::VideoImages* v = list[index].get();
    if (s.bound[size_t(d.layer)] != v) {
      s.bound[size_t(d.layer)] = v;
      write_descriptors(s, size_t(d.layer) + 1, d.layer);
    }
    staging_needed += VkDeviceSize(w) * h * (src.video_alpha ? 5 : 3) / 2;
  }
  if (staging_needed > s.staging.size)
    s.staging = make_buffer(*ctx_, staging_needed, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, true);

  // Per-layer parameters and video planes go into the slot's host-visible buffers.
  auto* params_base = static_cast<uint8_t*>(s.params.mapped);
  auto* staging = static_cast<uint8_t*>(s.staging.mapped);
  VkDeviceSize offset = 0;
  struct PlaneUpload { VkImage image; VkBufferImageCopy region; };
  std::vector<PlaneUpload> uploads;
  for (size_t n = 0; n < draws.size(); ++n) {
    const LayerDraw& d = draws[n];
    const LayerSource& src = sources_.at(size_t(d.layer));
    LayerParamsGpu& p = *reinterpret_cast<LayerParamsGpu*>(params_base + n * params_stride_);
    std::memset(&p, 0, sizeof p);
    const auto& pl = d.place;
    std::copy_n(pl.inv.begin(), 3, p.inv0);
    std::copy_n(pl.inv.begin() + 3, 3, p.inv1);
    p.inv0[3] = pl.px_per_local[0];
    p.inv1[3] = pl.px_per_local[1];
    p.size[0] = pl.size[0];
    p.size[1] = pl.size[1];
    p.size[2] = pl.opacity;
    std::copy_n(pl.clip.begin(), 4, p.clip);
    const float a = d.color[3];
    p.color[0] = d.color[0] * a, p.color[1] = d.color[1] * a, p.color[2] = d.color[2] * a, p.color[3] = a;
    if (src.kind != LayerKind::Video) continue;
    const AVFrame* f = d.video;
    if (!f) throw Error("video layer " + std::to_string(d.layer) + " drawn without a frame");
    const auto m = yuv_to_rgb_matrix(f);
    for (int r = 0; r < 3; ++r) std::copy_n(m[r].begin(), 4, p.yuv[r]);
    const int w = src.video_width, h = src.video_height;
    const auto& planes = s.bound[size_t(d.layer)]->planes;
    for (size_t k = 0; k < planes.size(); ++k) {
      const int pw = planes[k].width, ph = planes[k].height;
      if (!f->data[k]) throw Error("video frame is missing plane " + std::to_string(k));
      if (f->width < w || f->height < h) throw Error("video frame size changed mid-stream");
      for (int y = 0; y < ph; ++y)
        std::memcpy(staging + offset + VkDeviceSize(y) * pw, f->data[k] + ptrdiff_t(y) * f->linesize[k], size_t(pw));
      uploads.push_back({planes[k].image, plane_copy(offset, pw, ph)});
      offset += VkDeviceSize(pw) * ph;
    }
  }

  VkCommandBuffer cb = s.cmd;
  RF_VK(vkResetCommandBuffer(cb, 0));
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  RF_VK(vkBeginCommandBuffer(cb, &bi));
  // New pool images: planes live in SHADER_READ_ONLY between frames, conversions in GENERAL.
  for (VkImage im : fresh_planes)
    image_barrier(cb, im, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, 0,
                  VK_ACCESS_SHADER_READ_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
  for (VkImage im : fresh_converted)
    image_barrier(cb, im, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_GENERAL, 0,
                  VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
                  VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
  for (auto& u : uploads) {
    image_barrier(cb, u.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_ACCESS_SHADER_READ_BIT,
                  VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
    vkCmdCopyBufferToImage(cb, s.staging.buffer, u.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &u.region);
    image_barrier(cb, u.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                  VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_SHADER_READ_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                  VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
  }
  // The previous frame's readers of the accumulator (nv12/rgba passes) must finish first.
  acc_barrier(cb);

  PushConstants pc{};
  const float ba = background_[3];
  pc.background[0] = background_[0] * ba, pc.background[1] = background_[1] * ba;
  pc.background[2] = background_[2] * ba, pc.background[3] = ba;
  pc.dims[0] = width_, pc.dims[1] = height_, pc.dims[3] = nv12_stride_;
  auto dispatch = [&](VkPipeline pipe, size_t set, int x0, int y0, int w, int h, int group, size_t draw = 0) {
    pc.origin[0] = x0, pc.origin[1] = y0;
    const uint32_t offset = uint32_t(draw * params_stride_);
    vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
    vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_layout_, 0, 1, &s.sets[set], 1, &offset);
    vkCmdPushConstants(cb, pipeline_layout_, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof pc, &pc);
    vkCmdDispatch(cb, uint32_t((w + group - 1) / group), uint32_t((h + group - 1) / group), 1);
  };
  // A bottom layer covering the canvas replaces the clear pass (see FIRST in composite.comp).
  const bool first_covers = !draws.empty() && draws[0].place.bounds[0] <= 0 && draws[0].place.bounds[1] <= 0 &&
                            draws[0].place.bounds[2] >= width_ && draws[0].place.bounds[3] >= height_;
  if (!first_covers) dispatch(clear_, 0, 0, 0, width_, height_, 16);
  for (size_t n = 0; n < draws.size(); ++n) {
    const LayerDraw& d = draws[n];
    const bool first = n == 0 && first_covers;
    // Only the layer's canvas bounding box (+1 px for the antialiased edge) is dispatched.
    const auto& b = d.place.bounds;
    const int x0 = first ? 0 : std::max(0, int(std::floor(b[0])) - 1);
    const int y0 = first ? 0 : std::max(0, int(std::floor(b[1])) - 1);
    const int x1 = first ? width_ : std::min(width_, int(std::ceil(b[2])) + 1);
    const int y1 = first ? height_ : std::min(height_, int(std::ceil(b[3])) + 1);
    if (x1 <= x0 || y1 <= y0) continue;
    const LayerSource& src = sources_[size_t(d.layer)];
    int kind = src.kind == LayerKind::Solid ? 0 : src.kind == LayerKind::Image ? 1 : (src.video_alpha ? 3 : 2);
    // Upscaled video: convert the planes to RGBA once at source size, then sample one texture per
    // canvas pixel (three bilinear plane samples per pixel cost more on CPU drivers).
    if (kind >= 2 && double(x1 - x0) * (y1 - y0) > 1.25 * double(src.video_width) * src.video_height) {
      dispatch(yuv_to_rgba_[src.video_alpha ? 1 : 0], size_t(d.layer) + 1, 0, 0, src.video_width,
               src.video_height, 16, n);
      kind = 4;
    }
    acc_barrier(cb);
    dispatch(pipeline(kind, int(d.blend), first), size_t(d.layer) + 1, x0, y0, x1 - x0, y1 - y0, 16, n);
  }
  acc_barrier(cb);
  if (want_nv12) {
    dispatch(to_nv12_, 0, 0, 0, (width_ + 3) / 4, height_ / 2, 8);
    if (!ctx_->unified_memory) {
      memory_barrier(cb, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_TRANSFER_READ_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                     VK_PIPELINE_STAGE_TRANSFER_BIT);
      VkBufferCopy r{0, 0, s.nv12_gpu.size};
      vkCmdCopyBuffer(cb, s.nv12_gpu.buffer, s.nv12_host.buffer, 1, &r);
    }
  }
  if (want_rgba) {
    dispatch(to_rgba8_, 0, 0, 0, width_, height_, 16);
    if (!ctx_->unified_memory) {
      memory_barrier(cb, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_TRANSFER_READ_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                     VK_PIPELINE_STAGE_TRANSFER_BIT);
      VkBufferCopy r{0, 0, s.rgba_gpu.size};
      vkCmdCopyBuffer(cb, s.rgba_gpu.buffer, s.rgba_host.buffer, 1, &r);
    }
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
  return static_cast<const uint8_t*>(ctx_->unified_memory ? s.rgba_gpu.mapped : s.rgba_host.mapped);
}

const uint8_t* Compositor::nv12(int slot) const {
  const Slot& s = *slots_.at(size_t(slot));
  return static_cast<const uint8_t*>(ctx_->unified_memory ? s.nv12_gpu.mapped : s.nv12_host.mapped);
}

}  // namespace reelforge
