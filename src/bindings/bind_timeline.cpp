#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings/bind.h"
#include "generated/image_generator.h"
#include "media/image_loader.h"
#include "media/probe.h"
#include "timeline/timeline.h"
#include "util/errors.h"

namespace py = pybind11;

namespace reelforge {

namespace {
py::array_t<double> seconds_array(const std::vector<double>& v) {
  return py::array_t<double>(py::ssize_t(v.size()), v.data());
}

std::vector<double> seconds_vector(const py::array_t<double, py::array::c_style | py::array::forcecast>& a,
                                   const char* what) {
  if (a.ndim() != 1) throw InputError(std::string(what) + " must be 1-D");
  return {a.data(), a.data() + a.size()};
}
}  // namespace

void bind_timeline(py::module_& m) {
  py::enum_<LayerKind>(m, "LayerKind")
      .value("SOLID", LayerKind::Solid).value("IMAGE", LayerKind::Image).value("VIDEO", LayerKind::Video)
      .value("GENERATED", LayerKind::Generated).value("SHAPE", LayerKind::Shape)
      .value("COMPOSITION", LayerKind::Composition);
  py::enum_<BlendMode>(m, "BlendMode")
      .value("NORMAL", BlendMode::Normal).value("MULTIPLY", BlendMode::Multiply).value("SCREEN", BlendMode::Screen)
      .value("OVERLAY", BlendMode::Overlay).value("DARKEN", BlendMode::Darken).value("LIGHTEN", BlendMode::Lighten)
      .value("ADD", BlendMode::Add).value("DIFFERENCE", BlendMode::Difference);

  py::enum_<DecodeErrors>(m, "DecodeErrors").value("HOLD", DecodeErrors::Hold).value("RAISE", DecodeErrors::Raise);

  py::class_<RgbaImage, std::shared_ptr<RgbaImage>>(m, "RgbaImage",
      "Premultiplied RGBA8 pixels, from a uint8 array of shape (height, width, 4).")
      .def(py::init([](py::array_t<uint8_t, py::array::c_style | py::array::forcecast> a, bool premultiplied) {
             if (a.ndim() != 3 || a.shape(2) != 4 || a.shape(0) < 1 || a.shape(1) < 1)
               throw InputError("image must have shape (height, width, 4) with height, width >= 1");
             auto img = std::make_shared<RgbaImage>();
             img->height = int(a.shape(0));
             img->width = int(a.shape(1));
             img->pixels.assign(a.data(), a.data() + a.size());
             if (!premultiplied) premultiply(*img);  // the core's one straight -> premultiplied rule
             return img;
           }),
           py::arg("pixels"), py::arg("premultiplied") = true,
           "RGBA8 pixels (height, width, 4), copied. premultiplied=False: straight alpha, premultiplied\n"
           "here (c * a / 255, rounded) as still images are when loaded.")
      .def_readonly("width", &RgbaImage::width)
      .def_readonly("height", &RgbaImage::height)
      .def_property_readonly(
          "pixels",
          [](py::object self) {
            // A view, not a copy: the array keeps this image alive; read-only, as timelines share it.
            const auto& img = self.cast<const RgbaImage&>();
            py::array_t<uint8_t> a({py::ssize_t(img.height), py::ssize_t(img.width), py::ssize_t(4)}, img.pixels.data(),
                                   self);
            a.attr("setflags")(py::arg("write") = false);
            return a;
          },
          "The premultiplied pixels, uint8 (height, width, 4): a read-only view sharing this image's memory\n"
          "(no copy). Scene.compile() gives a layer whose image is such a whole view this image itself.");

  py::class_<LayerTrack>(m, "LayerTrack",
      "float32 tables over the layer's frames [start_frame, end_frame): each of length\n"
      "end_frame - start_frame (one value per frame) or 1 (a constant). Set from 1-D arrays.")
      .def(py::init<>())
// numpy float32 arrays in and out as one copy (not element by element through a list).
#define F(name)                                                                                    \
  .def_property(                                                                                   \
      #name, [](const LayerTrack& t) { return py::array_t<float>(py::ssize_t(t.name.size()), t.name.data()); }, \
      [](LayerTrack& t, py::array_t<float, py::array::c_style | py::array::forcecast> a) {          \
        if (a.ndim() != 1) throw InputError(std::string("track '") + #name + "' must be 1-D");        \
        t.name.assign(a.data(), a.data() + a.size());                                              \
      })
      F(x) F(y) F(width) F(height) F(anchor_x) F(anchor_y) F(scale_x) F(scale_y) F(rotation) F(opacity)
      F(crop_left) F(crop_top) F(crop_right) F(crop_bottom);
#undef F

  // Subclasses (shapes, SVG, sequences) are bound in bind_generated.cpp.
  py::class_<ImageGenerator, std::shared_ptr<ImageGenerator>>(m, "ImageGenerator",
      "Produces a generated layer's premultiplied RGBA8 picture per frame, in the decode stage (C++).");

  py::class_<Layer>(m, "Layer")
      .def(py::init<>())
      .def_readwrite("name", &Layer::name)
      .def_readwrite("kind", &Layer::kind)
      .def_readwrite("path", &Layer::path)
      .def_property("image", [](const Layer& l) { return std::const_pointer_cast<RgbaImage>(l.image); },
                    [](Layer& l, std::shared_ptr<RgbaImage> i) { l.image = std::move(i); })
      .def_property("generator", [](const Layer& l) { return std::const_pointer_cast<ImageGenerator>(l.generator); },
                    [](Layer& l, std::shared_ptr<ImageGenerator> g) { l.generator = std::move(g); },
                    "The picture's source per frame for generated layers (None: none).")
      .def_readwrite("color", &Layer::color)
      .def_readwrite("start_frame", &Layer::start_frame)
      .def_readwrite("end_frame", &Layer::end_frame)
      .def_readwrite("trim_start", &Layer::trim_start)
      .def_readwrite("autorotate", &Layer::autorotate)
      .def_readwrite("on_decode_error", &Layer::on_decode_error)
      .def_readwrite("blend", &Layer::blend)
      .def_readwrite("track", &Layer::track)
      .def_property("source_time", [](const Layer& l) { return seconds_array(l.source_time); },
                    [](Layer& l, const py::array_t<double, py::array::c_style | py::array::forcecast>& a) {
                      l.source_time = seconds_vector(a, "source_time");
                    },
                    "Time remap: float64 source seconds per frame of the layer (or 1 value); empty: none.")
      .def_readwrite("effects", &Layer::effects);

  bind_audio_dynamics(m);
  py::enum_<FadeCurve>(m, "FadeCurve", "Shape of a fade ramp r: LINEAR r, EQUAL_POWER sin(pi/2 r).")
      .value("LINEAR", FadeCurve::Linear).value("EQUAL_POWER", FadeCurve::EqualPower);
  py::class_<AudioClip>(m, "AudioClip")
      .def(py::init<>())
#define F(name) .def_readwrite(#name, &AudioClip::name)
      F(path) F(start) F(trim_start) F(duration) F(gain_db) F(fade_in) F(fade_out) F(loop) F(gain_db_per_frame)
      F(remap_first_frame) F(preserve_pitch) F(duck) F(fade_in_curve) F(fade_out_curve)
#undef F
      .def_property("source_time", [](const AudioClip& c) { return seconds_array(c.source_time); },
                    [](AudioClip& c, const py::array_t<double, py::array::c_style | py::array::forcecast>& a) {
                      c.source_time = seconds_vector(a, "source_time");
                    },
                    "Time remap: float64 source seconds at the frame boundaries from remap_first_frame\n"
                    "(frames + 1 values); empty: none.");

  py::class_<Timeline, std::shared_ptr<Timeline>>(m, "Timeline")
      .def(py::init<>())
      .def_readwrite("width", &Timeline::width)
      .def_readwrite("height", &Timeline::height)
      .def_property("fps", [](const Timeline& t) { return py::make_tuple(t.fps.num, t.fps.den); },
                    [](Timeline& t, std::pair<int64_t, int64_t> f) { t.fps = {f.first, f.second}; })
      .def_readwrite("frame_count", &Timeline::frame_count)
      .def_readwrite("background", &Timeline::background)
      .def_readwrite("layers", &Timeline::layers)
      .def_readwrite("audio", &Timeline::audio)
      .def_readwrite("transitions", &Timeline::transitions)
      .def_readwrite("audio_master", &Timeline::audio_master)
      .def("validate", &Timeline::validate);

  py::class_<MediaInfo>(m, "MediaInfo")
#define F(name) .def_readonly(#name, &MediaInfo::name)
      F(has_video) F(has_audio) F(width) F(height) F(fps) F(duration) F(is_image) F(sample_rate) F(channels)
      F(video_codec) F(audio_codec) F(rotation) F(sar_num) F(sar_den);
#undef F
  m.def("probe", &probe, py::arg("path"), py::call_guard<py::gil_scoped_release>());
}

}  // namespace reelforge
