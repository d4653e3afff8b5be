// pybind11 module reelforge._core: the only code that knows Python. Thin: converts numpy/lists to
// the core's structs, releases the GIL around long calls, maps C++ exceptions to reelforge.errors.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings/bind.h"
#include "util/errors.h"

extern "C" {
#include <libavutil/log.h>
}
#include <cstdlib>

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
  m.doc() = "reelforge native core (pybind11): Vulkan compositing, FFmpeg encoding. Use the public API in\n"
            "reelforge (Scene, Renderer, Exporter); these classes are its building blocks.";
  // pyproject.toml's version, passed in by CMake (scikit-build-core): the only place it is set.
  m.attr("__version__") = REELFORGE_VERSION;
  // FFmpeg's own console chatter stays off unless asked for; reelforge reports through exceptions
  // and the `reelforge` logger. REELFORGE_FFMPEG_LOG=<av_log level number> overrides.
  const char* lvl = std::getenv("REELFORGE_FFMPEG_LOG");
  av_log_set_level(lvl ? std::atoi(lvl) : AV_LOG_FATAL);
  py::register_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    auto raise = [](const char* cls, const std::exception& e) {
      py::object errors = py::module_::import("reelforge.errors");
      PyErr_SetString(errors.attr(cls).ptr(), e.what());
    };
    try {
      std::rethrow_exception(p);
    } catch (const reelforge::InputError& e) { raise("SceneError", e);
    } catch (const reelforge::MediaNotFound& e) { raise("MediaNotFoundError", e);
    } catch (const reelforge::MediaError& e) { raise("MediaError", e);
    } catch (const reelforge::EncoderError& e) { raise("EncoderError", e);
    } catch (const reelforge::GpuError& e) { raise("GpuError", e);
    } catch (const reelforge::ExportStalled& e) { raise("ExportStalled", e);
    } catch (const reelforge::ExportCancelled& e) { raise("ExportCancelled", e);
    } catch (const reelforge::Error& e) { raise("ReelforgeError", e);
    }
  });
  reelforge::bind_effects(m);
  reelforge::bind_transitions(m);
  reelforge::bind_timeline(m);
  reelforge::bind_graph(m);  // after Timeline and Layer, which it refers to
  reelforge::bind_generated(m);
  reelforge::bind_shapes(m);
  reelforge::bind_render(m);
  reelforge::bind_export(m);
  reelforge::bind_text(m);
  reelforge::bind_audio(m);
  reelforge::bind_join(m);
  reelforge::bind_subtitles(m);
  reelforge::bind_remap(m);
}
