#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings/bind.h"
#include "media/media_warnings.h"
#include "render/renderer.h"
#include "render/throughput.h"

namespace py = pybind11;

namespace reelforge {

void bind_render(py::module_& m) {
  py::class_<Renderer>(m, "Renderer")
      .def(py::init([](std::shared_ptr<Timeline> tl) {
             py::gil_scoped_release nogil;
             return new Renderer(std::const_pointer_cast<const Timeline>(tl));
           }),
           py::arg("timeline"))
      .def_property_readonly("device", &Renderer::device_name)
      .def_property_readonly("generated_uploads", &Renderer::generated_uploads,
                             "Generated-layer pictures uploaded to the GPU so far (unchanged ones are reused).")
      .def_property_readonly("video_conversions", &Renderer::video_conversions,
                             "Decoded video frames uploaded and converted to RGBA so far (a frame shown again is reused).")
      .def_property_readonly("image_uploads", &Renderer::image_uploads,
                             "Image-layer pictures (images, text, captions) uploaded to the GPU so far: each when a\n"
                             "frame first draws it, again if it is drawn after being freed.")
      .def_property_readonly("images_resident", &Renderer::images_resident,
                             "Image-layer pictures held on the GPU now: those drawn in the last 30 frames.")
      .def("render_rgba", [](Renderer& r, int64_t i) {
        std::vector<uint8_t> px;
        {
          py::gil_scoped_release nogil;
          px = r.render_rgba(i);
        }
        const auto& t = r.timeline();
        return to_array(std::move(px), {t.height, t.width, 4});
      }, py::arg("frame"))
      .def("render_nv12", [](Renderer& r, int64_t i) {
        std::vector<uint8_t> y, uv;
        {
          py::gil_scoped_release nogil;
          r.render_nv12(i, y, uv);
        }
        const auto& t = r.timeline();
        return py::make_tuple(to_array(std::move(y), {t.height, t.width}),
                              to_array(std::move(uv), {t.height / 2, t.width / 2, 2}));
      }, py::arg("frame"));

  m.def("take_media_warnings", &take_media_warnings,
        "Queued media warnings (damaged data skipped ...), oldest first; empties the queue.");

  m.def("measure_throughput", [](std::shared_ptr<Timeline> tl, int64_t frames, int64_t distinct, int warmup, int slots,
                                 bool nv12) {
    ThroughputResult r;
    {
      py::gil_scoped_release nogil;
      r = measure_throughput(std::const_pointer_cast<const Timeline>(tl), {frames, distinct, warmup, slots, nv12});
    }
    py::dict d;
    d["frames"] = r.frames;
    d["seconds"] = r.seconds;
    d["fps"] = r.fps;
    d["cpu_seconds"] = r.cpu_seconds;
    d["submit_seconds"] = r.submit_seconds;
    d["device"] = r.device;
    d["device_type"] = r.device_type;
    return d;
  }, py::arg("timeline"), py::arg("frames") = 300, py::arg("distinct") = 30, py::arg("warmup") = 10,
     py::arg("slots") = 3, py::arg("nv12") = true,
     "GPU throughput of the scene without decoding or encoding: the inputs of its first\n"
     "``distinct`` frames are decoded once, then ``frames`` frames are uploaded, composited,\n"
     "converted to NV12 (or RGBA8 with ``nv12=False``) and read back into host memory with\n"
     "``slots`` frames in flight, after ``warmup`` untimed ones. Returns ``{\"frames\", \"seconds\",\n"
     "\"fps\", \"cpu_seconds\" (process CPU time, all threads), \"submit_seconds\" (recording and\n"
     "submitting), \"device\", \"device_type\" (cpu, discrete, integrated, virtual, other)}``.\n"
     "Raises ValueError for non-positive counts, MediaError, GpuError.");
}

}  // namespace reelforge
