#include <pybind11/stl.h>

#include <mutex>

#include "bindings/bind.h"
#include "export/exporter.h"

namespace py = pybind11;

namespace reelforge {

namespace {
// Log lines from export threads are queued here and drained by Python while it polls, so no
// C++ thread ever needs the GIL.
struct LogQueue {
  std::mutex m;
  std::vector<std::string> lines;
};

struct PyExport {
  std::shared_ptr<LogQueue> logs = std::make_shared<LogQueue>();
  std::unique_ptr<Export> exp;
};
}  // namespace

void bind_export(py::module_& m) {
  py::class_<PyExport>(m, "Export",
      "The threaded export. ``video_codec``: h264, hevc, vp9, prores, gif, png or \"auto\" (from the\n"
      "path); ``crf`` -1: the codec's default. Raises SceneError for a codec/container mismatch.")
      .def(py::init([](std::shared_ptr<Timeline> tl, const std::string& path, const std::string& codec,
                       const std::string& encoder, int crf, const std::string& preset, int64_t bitrate, int gop,
                       int64_t audio_bitrate, double stall_timeout, int gpu_slots, const std::string& debug_stall) {
             auto out = std::make_unique<PyExport>();
             ExportOptions o;
             o.path = path;
             o.video.codec = codec;
             o.video.encoder = encoder;
             o.video.crf = crf;
             o.video.preset = preset;
             o.video.bitrate = bitrate;
             o.video.gop = gop;
             o.audio_bitrate = audio_bitrate;
             o.stall_timeout = stall_timeout;
             o.gpu_slots = gpu_slots;
             o.debug_stall = debug_stall;
             auto logs = out->logs;
             out->exp = std::make_unique<Export>(std::const_pointer_cast<const Timeline>(tl), o, [logs](const std::string& s) {
               std::lock_guard lk(logs->m);
               logs->lines.push_back(s);
             });
             return out;
           }),
           py::arg("timeline"), py::arg("path"), py::arg("video_codec"), py::arg("encoder"), py::arg("crf"),
           py::arg("preset"), py::arg("bitrate"), py::arg("gop"), py::arg("audio_bitrate"), py::arg("stall_timeout"),
           py::arg("gpu_slots"), py::arg("debug_stall"))
      .def("start", [](PyExport& e) { e.exp->start(); })
      .def("wait_for", [](PyExport& e, double s) { return e.exp->wait_for(s); }, py::arg("seconds"),
           py::call_guard<py::gil_scoped_release>())
      .def("cancel", [](PyExport& e) { e.exp->cancel(); })
      .def("take_logs", [](PyExport& e) {
        std::lock_guard lk(e.logs->m);
        return std::exchange(e.logs->lines, {});
      })
      .def("progress", [](PyExport& e) {
        ExportProgress p = e.exp->progress();
        py::dict d;
        d["frames_done"] = p.frames_done;
        d["total_frames"] = p.total_frames;
        d["elapsed"] = p.elapsed;
        d["fps"] = p.fps;
        d["eta"] = p.eta;
        d["phase"] = p.phase;
        return d;
      })
      .def("result", [](PyExport& e) {
        ExportResult r = e.exp->result();
        py::dict d;
        d["path"] = r.path;
        d["encoder"] = r.encoder;
        d["video_codec"] = r.video_codec;
        d["audio_encoder"] = r.audio_encoder;
        d["device"] = r.device;
        d["frames"] = r.frames;
        d["audio_samples"] = r.audio_samples;
        d["seconds"] = r.seconds;
        d["fps"] = r.fps;
        d["stage_fps"] = r.stage_fps;
        d["refusals"] = r.refusals;
        return d;
      })
      .def("close", [](PyExport& e) {
        py::gil_scoped_release nogil;  // joining may wait for threads
        e.exp.reset();
      });
  m.def("encoder_candidates", &encoder_candidates, py::arg("codec"));
  // The C++ codec/container check (what Export's constructor runs): the resolved codec, "" for
  // audio-only outputs; SceneError on a mismatch.
  m.def("resolve_output_codec", [](const std::string& path, const std::string& video_codec, int crf, int64_t bitrate) {
    ExportOptions o;
    o.path = path;
    o.video.codec = video_codec;
    o.video.crf = crf;
    o.video.bitrate = bitrate;
    return resolve_output_codec(o);
  }, py::arg("path"), py::arg("video_codec") = "auto", py::arg("crf") = -1, py::arg("bitrate") = 0);
}

}  // namespace reelforge
