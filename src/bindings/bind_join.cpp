// Python bindings of the segment join (export/join.h): reelforge._core.inspect_segment and
// reelforge._core.join_segments, used by reelforge.distributed.
#include <pybind11/stl.h>

#include "bindings/bind.h"
#include "export/join.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
}

namespace py = pybind11;

namespace reelforge {

void bind_join(py::module_& m) {
  py::class_<SegmentInfo>(m, "SegmentInfo")
      .def_readonly("path", &SegmentInfo::path)
      .def_readonly("codec", &SegmentInfo::codec)
      .def_readonly("width", &SegmentInfo::width)
      .def_readonly("height", &SegmentInfo::height)
      .def_readonly("frames", &SegmentInfo::frames)
      .def_property_readonly("time_base", [](const SegmentInfo& s) { return py::make_tuple(s.time_base_num, s.time_base_den); })
      .def_property_readonly("extradata", [](const SegmentInfo& s) {
        return py::bytes(reinterpret_cast<const char*>(s.extradata.data()), s.extradata.size());
      })
      .def_readonly("starts_with_idr", &SegmentInfo::starts_with_idr)
      .def_readonly("whole_frames", &SegmentInfo::whole_frames);
  py::class_<JoinResult>(m, "JoinResult")
      .def_readonly("path", &JoinResult::path)
      .def_readonly("frames", &JoinResult::frames)
      .def_readonly("audio_packets", &JoinResult::audio_packets)
      .def_readonly("segments", &JoinResult::segments);
  // libav* versions this module runs with, and a hash of libavcodec's configuration (the build
  // check of distributed workers compares them).
  m.def("ffmpeg_versions", [] {
    py::dict d;
    d["avcodec"] = avcodec_version();
    d["avformat"] = avformat_version();
    d["avutil"] = avutil_version();
    d["configuration"] = std::string(avcodec_configuration());
    return d;
  });
  m.def("inspect_segment", [](const std::string& path, std::pair<int64_t, int64_t> fps) {
    return inspect_segment(path, Rational{fps.first, fps.second});
  }, py::arg("path"), py::arg("fps"), py::call_guard<py::gil_scoped_release>());
  m.def("join_segments", [](const std::vector<std::string>& segments, const std::string& output,
                            std::pair<int64_t, int64_t> fps, int64_t total_frames,
                            const std::vector<int64_t>& segment_frames, const std::string& audio) {
    JoinOptions o;
    o.segments = segments;
    o.output = output;
    o.fps = Rational{fps.first, fps.second};
    o.total_frames = total_frames;
    o.segment_frames = segment_frames;
    o.audio = audio;
    return join_segments(o);
  }, py::arg("segments"), py::arg("output"), py::arg("fps"), py::arg("total_frames"),
     py::arg("segment_frames") = std::vector<int64_t>{}, py::arg("audio") = "",
     py::call_guard<py::gil_scoped_release>());
}

}  // namespace reelforge
