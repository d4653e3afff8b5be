#include "render/frame_feeder.h"

#include "generated/generated_draw.h"
#include "media/image_loader.h"
#include "timeline/frame_state.h"

namespace reelforge {

FrameFeeder::FrameFeeder(const Timeline& tl) : tl_(tl) {
  tl_.validate();
  images_.resize(tl.layers.size());
  videos_.resize(tl.layers.size());
  formats_.resize(tl.layers.size());
  last_t_.assign(tl.layers.size(), -1.0);
  remaps_.resize(tl.layers.size());
  for (size_t i = 0; i < tl.layers.size(); ++i) {
    const Layer& l = tl.layers[i];
    if (l.generator) {
      continue;  // drawn from its generator, per frame
    } else if (l.kind == LayerKind::Image) {
      images_[i] = l.image ? l.image : std::make_shared<const RgbaImage>(load_image(l.path));
    } else if (l.kind == LayerKind::Video) {
      // Opened once now to validate the file and learn its decoded format; kept only if needed first.
      auto v = std::make_unique<VideoSource>(l.path, l.trim_start, l.on_decode_error == DecodeErrors::Raise);
      formats_[i] = {v->width(), v->height(), v->has_alpha(), l.autorotate ? v->orientation() : Orientation{}};
      if (l.start_frame == 0 && l.source_time.empty()) videos_[i] = std::move(v);
    }
  }
  open_nodes();
}

std::vector<LayerSource> FrameFeeder::layer_sources() const {
  std::vector<LayerSource> out(tl_.layers.size());
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].kind = tl_.layers[i].generator ? LayerKind::Generated : tl_.layers[i].kind;
    out[i].image = images_[i];
    out[i].video_width = formats_[i].width;
    out[i].video_height = formats_[i].height;
    out[i].video_alpha = formats_[i].alpha;
    out[i].orientation = formats_[i].orientation;
    out[i].effects = tl_.layers[i].effects;
    node_sources(i, out[i]);
  }
  for (const Transition& t : tl_.transitions) {  // the transition nodes' entries, after the layers
    LayerSource s;
    s.kind = LayerKind::Composition;
    s.transition = std::make_shared<const Transition>(t);
    out.push_back(std::move(s));
  }
  return out;
}

FrameInputs FrameFeeder::frame(int64_t i) {
  FrameInputs in;
  in.index = i;
  for (size_t k = 0; k < tl_.layers.size(); ++k) {
    const Layer& l = tl_.layers[k];
    if (!layer_active(l, i)) {
      if (i >= l.end_frame && videos_[k]) {  // finished: free the decoder
        videos_[k].reset();
        remaps_[k].reset();
        last_t_[k] = -1.0;
      }
      continue;
    }
    LayerDraw d;
    d.layer = int(k);
    d.place = place_layer(l, i);
    d.local_frame = i - l.start_frame;
    d.effects = !l.effects.empty();
    if (d.place.opacity <= 0.0f) continue;
    d.blend = l.blend;
    d.color = l.color;
    if (l.generator) {
      if (!(d.picture = generate_picture(l, i, d.place))) continue;
    } else if (l.kind == LayerKind::Video && !l.source_time.empty()) {  // time remap: media/remap_source.h
      if (!remaps_[k])
        remaps_[k] = std::make_unique<RemapSource>(l.path, l.on_decode_error == DecodeErrors::Raise,
                                                   remap_goes_backward(l));
      FramePtr ref = make_frame();
      av_frame_ref(ref.get(), remaps_[k]->frame_at(layer_source_time(l, i, tl_.fps)));
      d.video = ref.get();
      in.refs.push_back(std::move(ref));
    } else if (l.kind == LayerKind::Video) {
      const double t = frame_time(i - l.start_frame, tl_.fps) + l.trim_start;
      if (!videos_[k] || t < last_t_[k])  // one seek
        videos_[k] = std::make_unique<VideoSource>(l.path, t, l.on_decode_error == DecodeErrors::Raise);
      last_t_[k] = t;
      FramePtr ref = make_frame();
      av_frame_ref(ref.get(), videos_[k]->frame_at(t));
      d.video = ref.get();
      in.refs.push_back(std::move(ref));
    }
    feed_node(k, i, d, in);
    in.draws.push_back(std::move(d));
  }
  feed_transitions(i, in);
  return in;
}

}  // namespace reelforge
