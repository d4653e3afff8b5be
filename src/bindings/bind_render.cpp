#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings/bind.h"
#include "render/renderer.h"

namespace py = pybind11;

namespace reelforge {

namespace {
template <class V>
py::array_t<uint8_t> to_array(V&& v, std::vector<py::ssize_t> shape) {
  auto* heap = new std::vector<uint8_t>(std::move(v));  // numpy owns it through the capsule: no copy
  py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<uint8_t>*>(p); });
  return py::array_t<uint8_t>(shape, heap->data(), owner);
}
}  // namespace

void bind_render(py::module_& m) {
  py::class_<Renderer>(m, "Renderer")
      .def(py::init([](std::shared_ptr<Timeline> tl) {
             py::gil_scoped_release nogil;
             return new Renderer(std::const_pointer_cast<const Timeline>(tl));
           }),
           py::arg("timeline"))
      .def_property_readonly("device", &Renderer::device_name)
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
}

}  // namespace reelforge
