// Python side of the export: ExportOptions / ExportProgress / ExportResult as classes, the
// threaded Export, the output rules (one source of truth: Python asks these), and ExportHooks
// for tests.
#include <pybind11/stl.h>

#include <mutex>
#include <optional>

#include "bindings/bind.h"
#include "export/exporter.h"
#include "media/muxer.h"
#include "util/errors.h"

namespace py = pybind11;

namespace reelforge {

namespace {
// Log lines from export threads are queued here and drained by Python while it polls, so no
// C++ thread ever needs the GIL.
struct LogQueue {
  std::mutex m;
  std::vector<std::string> lines;
};

// A Python handle on an Export. close() joins it and keeps its final progress and result (or
// error), so a handle used after it finished answers from them instead of touching a freed
// export. Methods take a reference to the export under the GIL, so a close() on another thread
// cannot free it under a running call.
struct PyExport {
  std::shared_ptr<LogQueue> logs = std::make_shared<LogQueue>();
  std::shared_ptr<Export> exp;
  ExportProgress final_progress;
  std::optional<ExportResult> final_result;
  std::exception_ptr final_error;

  std::shared_ptr<Export> live() const { return exp; }
  // Called with the GIL held. `exp` stays set until the final state is stored, so a call from
  // another thread meanwhile still reads the live export.
  void close() {
    std::shared_ptr<Export> e = exp;
    if (!e) return;
    {
      py::gil_scoped_release nogil;  // joining may wait for threads
      if (e->started()) {
        if (!e->wait_for(0.0)) e->cancel();
        while (!e->wait_for(1.0)) {}
      }
    }
    final_progress = e->progress();
    if (!e->started()) {
      final_error = std::make_exception_ptr(Error("the export was closed before it was started"));
    } else {
      try {
        final_result = e->result();
      } catch (...) {
        final_error = std::current_exception();
      }
    }
    exp.reset();
  }
};

void bind_option_classes(py::module_& m) {
  py::class_<ExportOptions>(m, "ExportOptions", "Options of one export (see reelforge.Exporter).")
      .def(py::init<>())
      .def_readwrite("path", &ExportOptions::path)
      .def_property("video_codec", [](const ExportOptions& o) { return o.video.codec; },
                    [](ExportOptions& o, const std::string& v) { o.video.codec = v; })
      .def_property("encoder", [](const ExportOptions& o) { return o.video.encoder; },
                    [](ExportOptions& o, const std::string& v) { o.video.encoder = v; })
      .def_property("crf", [](const ExportOptions& o) { return o.video.crf; }, [](ExportOptions& o, int v) { o.video.crf = v; })
      .def_property("preset", [](const ExportOptions& o) { return o.video.preset; },
                    [](ExportOptions& o, const std::string& v) { o.video.preset = v; })
      .def_property("bitrate", [](const ExportOptions& o) { return o.video.bitrate; },
                    [](ExportOptions& o, int64_t v) { o.video.bitrate = v; })
      .def_property("gop", [](const ExportOptions& o) { return o.video.gop; }, [](ExportOptions& o, int v) { o.video.gop = v; })
      .def_property("threads", [](const ExportOptions& o) { return o.video.threads; }, [](ExportOptions& o, int v) { o.video.threads = v; })
      .def_readwrite("audio_bitrate", &ExportOptions::audio_bitrate)
      .def_readwrite("subtitles", &ExportOptions::subtitles)
      .def_readwrite("stall_timeout", &ExportOptions::stall_timeout)
      .def_readwrite("gpu_slots", &ExportOptions::gpu_slots)
      .def_readwrite("queue_frames", &ExportOptions::queue_frames)
      .def_readwrite("first_frame", &ExportOptions::first_frame)
      .def_readwrite("last_frame", &ExportOptions::last_frame);

  py::class_<ExportProgress>(m, "ExportProgress",
                             "A progress report: frames_done of total_frames; elapsed and eta in seconds; fps in "
                             "frames per second; phase one of starting, rendering, finishing, done, failed, cancelled.")
      .def(py::init<>())
      .def_readwrite("frames_done", &ExportProgress::frames_done)
      .def_readwrite("total_frames", &ExportProgress::total_frames)
      .def_readwrite("elapsed", &ExportProgress::elapsed)
      .def_readwrite("fps", &ExportProgress::fps)
      .def_readwrite("eta", &ExportProgress::eta)
      .def_readwrite("phase", &ExportProgress::phase)
      .def_property_readonly("fraction", [](const ExportProgress& p) {
        return p.total_frames ? double(p.frames_done) / double(p.total_frames) : 1.0;
      }, "Completed fraction, 0..1.")
      .def("__repr__", [](const ExportProgress& p) {
        return "ExportProgress(frames_done=" + std::to_string(p.frames_done) + ", total_frames=" +
               std::to_string(p.total_frames) + ", fps=" + std::to_string(p.fps) + ", phase='" + p.phase + "')";
      });

  py::class_<ExportResult>(m, "ExportResult", "What an export produced (see reelforge.ExportResult).")
      .def(py::init<>())
      .def_readwrite("path", &ExportResult::path)
      .def_readwrite("frames", &ExportResult::frames)
      .def_readwrite("encoder", &ExportResult::encoder)
      .def_readwrite("audio_encoder", &ExportResult::audio_encoder)
      .def_readwrite("video_codec", &ExportResult::video_codec)
      .def_readwrite("device", &ExportResult::device)
      .def_readwrite("audio_samples", &ExportResult::audio_samples)
      .def_readwrite("seconds", &ExportResult::seconds)
      .def_readwrite("fps", &ExportResult::fps)
      .def_readwrite("stage_fps", &ExportResult::stage_fps)
      .def_readwrite("refusals", &ExportResult::refusals)
      .def("__repr__", [](const ExportResult& r) {
        return "ExportResult(path='" + r.path + "', frames=" + std::to_string(r.frames) + ", video_codec='" +
               r.video_codec + "', encoder='" + r.encoder + "', audio_encoder='" + r.audio_encoder +
               "', seconds=" + std::to_string(r.seconds) + ")";
      });

  py::class_<ExportHooks>(m, "ExportHooks", "Test hooks of the export pipeline (tests only).")
      .def_static("stall", &stall_hooks, py::arg("stage"), py::arg("frame") = 1,
                  "Hooks that make `stage` (decode, render, encode) hang at `frame` until cancelled.");
}

void bind_rules(py::module_& m) {
  m.def("encoder_candidates", &encoder_candidates, py::arg("codec"));
  py::class_<CodecSpec>(m, "CodecSpec", "One output video codec: the containers that hold it (extensions; "
                                        "empty: an image sequence), whether it carries audio, its crf range.")
      .def_readonly("codec", &CodecSpec::codec)
      .def_readonly("extensions", &CodecSpec::extensions)
      .def_readonly("audio", &CodecSpec::audio)
      .def_readonly("crf_max", &CodecSpec::crf_max)
      .def_readonly("crf_default", &CodecSpec::crf_default)
      .def_readonly("max_side", &CodecSpec::max_side)
      .def_property_readonly("rgba_input", [](const CodecSpec& c) { return c.input == FrameInput::Rgba; });
  m.def("default_gop", [](int64_t num, int64_t den) {
    if (num <= 0 || den <= 0) throw InputError("fps must be a positive fraction num/den");
    return default_gop(Rational{num, den});
  }, py::arg("num"), py::arg("den"), "Keyframe interval in frames when none is given: 2 s of frames, rounded half up.");
  m.def("codec_specs", &codec_specs, py::return_value_policy::reference, "Every output video codec, in documentation order.");
  m.def("audio_only_extensions", &audio_only_extensions);
  m.def("presets", &presets);
  m.def("is_image_sequence_path", &is_image_sequence_path, py::arg("path"));
  m.def("is_audio_only_path", &is_audio_only_path, py::arg("path"));
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
  m.def("validate_export_options", [](ExportOptions& o, int width, int height, int64_t frame_count) {
    return validate_export_options(o, width, height, frame_count);
  }, py::arg("options"), py::arg("width"), py::arg("height"), py::arg("frame_count"),
        "Every check an export makes before it starts; resolves options.video_codec and last_frame = -1 in place. "
        "Returns the codec ('' for audio only). Raises SceneError naming the parameter and the fix.");
}
}  // namespace

void bind_export(py::module_& m) {
  bind_option_classes(m);
  bind_rules(m);
  py::class_<PyExport>(m, "Export",
      "The threaded export of a Timeline with the given ExportOptions. Raises SceneError for a\n"
      "codec/container mismatch or an option out of range, before any output is written.")
      .def(py::init([](std::shared_ptr<Timeline> tl, const ExportOptions& o, const ExportHooks* hooks) {
             auto out = std::make_unique<PyExport>();
             auto logs = out->logs;
             out->exp = std::make_shared<Export>(std::const_pointer_cast<const Timeline>(tl), o, [logs](const std::string& s) {
               std::lock_guard lk(logs->m);
               logs->lines.push_back(s);
             }, hooks ? *hooks : ExportHooks{});
             return out;
           }),
           py::arg("timeline"), py::arg("options"), py::arg("hooks") = nullptr)
      .def("start", [](PyExport& e) {
        auto x = e.live();
        if (!x) throw Error("this export handle is closed; make a new Exporter to export again");
        x->start();
      })
      .def("wait_for", [](PyExport& e, double s) {
        auto x = e.live();
        if (!x) return true;
        py::gil_scoped_release nogil;
        return x->wait_for(s);
      }, py::arg("seconds"))
      .def("cancel", [](PyExport& e) {
        if (auto x = e.live()) x->cancel();  // after the end: nothing to cancel
      })
      .def("take_logs", [](PyExport& e) {
        std::lock_guard lk(e.logs->m);
        return std::exchange(e.logs->lines, {});
      })
      .def("progress", [](PyExport& e) {
        auto x = e.live();
        return x ? x->progress() : e.final_progress;
      })
      .def("result", [](PyExport& e) {
        if (auto x = e.live()) return x->result();
        if (e.final_error) std::rethrow_exception(e.final_error);
        return *e.final_result;
      })
      .def("close", &PyExport::close);
}

}  // namespace reelforge
