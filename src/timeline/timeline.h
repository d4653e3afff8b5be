// The compiled scene: sources plus per-frame parameter tables, built once by Scene.compile().
// Pure data: nothing here calls back into Python during rendering.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "timeline/effect.h"
#include "timeline/layer_graph.h"
#include "timeline/audio_dynamics.h"
#include "timeline/transition.h"
#include "util/rational.h"

namespace reelforge {

// Generated: a picture from Layer::generator per frame (generated/image_generator.h); Shape: a
// generated layer holding a vector shape (shapes/shape_generator.h). An Image layer with a
// generator (SVG) is drawn from the generator too. Composition: a nested timeline (nested scene
// or group), see LayerGraph.
enum class LayerKind { Solid = 0, Image = 1, Video = 2, Generated = 3, Shape = 4, Composition = 8 };

// W3C Compositing and Blending Level 1 modes; numbering shared with shaders/composite.comp.
enum class BlendMode { Normal = 0, Multiply, Screen, Overlay, Darken, Lighten, Add, Difference };

// Premultiplied RGBA8 pixels, row-major, stride width*4.
struct RgbaImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;
};

// A layer's property values over its own frames [start_frame, end_frame), sampled by
// Scene.compile(): each table holds one value per frame of that range, or a single value that
// holds for all of them (a constant). Tables cover only the layer's range so that memory follows
// the layers' durations, not (number of layers) x (scene length): a long edit of many short clips.
struct LayerTrack {
  std::vector<float> x, y;              // canvas position of the anchor point, pixels
  std::vector<float> width, height;     // displayed size before `scale`, pixels
  std::vector<float> anchor_x, anchor_y;  // anchor as a fraction of width/height (0 = left/top)
  std::vector<float> scale_x, scale_y;  // multiplicative scale about the anchor
  std::vector<float> rotation;          // degrees, clockwise on screen (y down)
  std::vector<float> opacity;           // 0..1
  // Hidden margins as fractions of width/height (0 = none); the rest stays in place.
  std::vector<float> crop_left, crop_top, crop_right, crop_bottom;
};

// What a video layer does with damaged source data (see VideoSource).
enum class DecodeErrors { Hold = 0, Raise = 1 };  // hold the last good frame + warn / MediaError

class ImageGenerator;  // generated/image_generator.h

struct Layer {
  std::string name;
  LayerKind kind = LayerKind::Solid;
  std::string path;                      // Image/Video source file
  std::shared_ptr<const RgbaImage> image;  // Image given as pixels (text, numpy), else loaded from path
  std::shared_ptr<const ImageGenerator> generator;  // set: the picture comes from it, per frame
  std::array<float, 4> color{1, 1, 1, 1};  // Solid colour, straight RGBA 0..1
  int64_t start_frame = 0, end_frame = 0;  // active for frames [start_frame, end_frame)
  double trim_start = 0.0;               // Video: seconds into the source shown at start_frame
  bool autorotate = true;                // Video: shown as its display matrix says (rotation, flips)
  DecodeErrors on_decode_error = DecodeErrors::Hold;  // Video: damaged source data
  BlendMode blend = BlendMode::Normal;
  LayerTrack track;
  std::vector<Effect> effects;  // applied in order (timeline/effect.h)
  LayerGraph graph;  // nested content, mask, corners and border (timeline/layer_graph.h)
  // Video time remap (speed, reverse, freeze, loop, ramps; see media/remap_source.h): source
  // seconds shown at each frame of [start_frame, end_frame), or one value for all of them; empty:
  // trim_start + frame time. float64: float32 loses frame precision an hour into a source.
  std::vector<double> source_time;
};

// Shape of a fade ramp r (0..1 through the fade): Linear r; EqualPower sin(pi/2 r), so that a
// crossfade's two sides (sin and cos of the same angle) keep the summed power of uncorrelated audio.
enum class FadeCurve { Linear = 0, EqualPower = 1 };

struct AudioClip {
  std::string path;
  double start = 0.0;       // seconds on the timeline
  double trim_start = 0.0;  // seconds into the source
  double duration = -1.0;   // seconds to play; < 0: until the source ends
  double gain_db = 0.0;
  double fade_in = 0.0, fade_out = 0.0;  // seconds, gain ramps shaped by the curves below
  FadeCurve fade_in_curve = FadeCurve::Linear, fade_out_curve = FadeCurve::Linear;
  bool loop = false;
  std::vector<float> gain_db_per_frame;  // optional keyframed gain (dB), size frame_count
  // Time remap (a remapped video layer's audio, see audio/remap_audio.h): source seconds at the
  // n + 1 boundaries of frames [remap_first_frame, remap_first_frame + n); the clip then sounds
  // over exactly those frames (start, trim_start, duration and loop are not used). Empty: none.
  std::vector<double> source_time;
  int64_t remap_first_frame = 0;
  bool preserve_pitch = true;  // speed changes keep pitch (atempo); false: varispeed (resampled)
  ClipDucking duck;                      // sidechain ducking under other clips (audio_dynamics.h)
};

struct Timeline {
  int width = 1920, height = 1080;
  Rational fps{30, 1};
  int64_t frame_count = 0;
  std::array<float, 4> background{0, 0, 0, 1};  // straight RGBA 0..1
  std::vector<Layer> layers;  // bottom to top
  std::vector<AudioClip> audio;
  std::vector<Transition> transitions;  // timeline/transition.h
  AudioMaster audio_master;  // master gain and true-peak limiter (audio_dynamics.h)

  // Throws InputError naming the first inconsistent field.
  void validate() const { validate_nested(0); }
  void validate_nested(int depth) const;  // `depth`: levels of nesting above this timeline
};

}  // namespace reelforge
