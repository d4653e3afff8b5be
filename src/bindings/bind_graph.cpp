// Render-graph data of a layer (timeline/layer_graph.h): nested timeline, mask, corners, border.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings/bind.h"
#include "timeline/timeline.h"
#include "util/errors.h"

namespace py = pybind11;

namespace reelforge {

namespace {
template <class T>
void set_table(std::vector<T>& v, py::array_t<T, py::array::c_style | py::array::forcecast> a, const char* name) {
  if (a.ndim() != 1) throw InputError(std::string("graph table '") + name + "' must be 1-D");
  v.assign(a.data(), a.data() + a.size());
}
}  // namespace

void bind_graph(py::module_& m) {
  py::enum_<MaskMode>(m, "MaskMode").value("ALPHA", MaskMode::Alpha).value("LUMA", MaskMode::Luma);

  py::class_<LayerGraph>(m, "LayerGraph",
      "A layer's render-graph data: nested timeline (composition layers: nested scenes, groups) with\n"
      "the nested frame shown at each of the layer's frames, mask timeline and mode, and per-frame\n"
      "float32 tables (1 or end_frame - start_frame values; empty: default) in layer-local pixels.")
      .def(py::init<>())
      .def_property("composition", [](const LayerGraph& g) { return std::const_pointer_cast<Timeline>(g.composition); },
                    [](LayerGraph& g, std::shared_ptr<Timeline> t) { g.composition = std::move(t); })
      .def_property("composition_frames",
                    [](const LayerGraph& g) {
                      return py::array_t<int64_t>(py::ssize_t(g.composition_frames.size()), g.composition_frames.data());
                    },
                    [](LayerGraph& g, py::array_t<int64_t, py::array::c_style | py::array::forcecast> a) {
                      set_table(g.composition_frames, a, "composition_frames");
                    })
      .def_property("mask", [](const LayerGraph& g) { return std::const_pointer_cast<Timeline>(g.mask); },
                    [](LayerGraph& g, std::shared_ptr<Timeline> t) { g.mask = std::move(t); })
      .def_readwrite("mask_mode", &LayerGraph::mask_mode)
      .def_readwrite("mask_invert", &LayerGraph::mask_invert)
#define F(name)                                                                                    \
  .def_property(                                                                                   \
      #name, [](const LayerGraph& g) { return py::array_t<float>(py::ssize_t(g.name.size()), g.name.data()); }, \
      [](LayerGraph& g, py::array_t<float, py::array::c_style | py::array::forcecast> a) { set_table(g.name, a, #name); })
      F(mask_feather) F(corner_radius) F(border_width) F(border_r) F(border_g) F(border_b) F(border_a);
#undef F

  py::reinterpret_borrow<py::class_<Layer>>(m.attr("Layer"))
      .def_readwrite("graph", &Layer::graph, "Render-graph data: nested timeline, mask, corners, border.");
}

}  // namespace reelforge
