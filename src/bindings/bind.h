// Shared by the binding files: the module's bind_* entry points and the numpy helper.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <utility>
#include <vector>

namespace reelforge {
void bind_timeline(pybind11::module_& m);
void bind_render(pybind11::module_& m);
void bind_export(pybind11::module_& m);
void bind_text(pybind11::module_& m);
void bind_audio(pybind11::module_& m);
void bind_audio_dynamics(pybind11::module_& m);  // called by bind_timeline
void bind_loudness(pybind11::module_& m);        // called by bind_audio (after Timeline)
void bind_join(pybind11::module_& m);
void bind_effects(pybind11::module_& m);
void bind_graph(pybind11::module_& m);
void bind_subtitles(pybind11::module_& m);
void bind_generated(pybind11::module_& m);  // after bind_timeline
void bind_shapes(pybind11::module_& m);     // after bind_generated
void bind_remap(pybind11::module_& m);
void bind_transitions(pybind11::module_& m);  // before bind_timeline

// Moves `v` into a numpy array of `shape` without copying: numpy owns the vector through a
// capsule that deletes it with the array. The one helper for handing core buffers to Python.
template <class T>
pybind11::array_t<T> to_array(std::vector<T>&& v, std::vector<pybind11::ssize_t> shape) {
  auto* owned = new std::vector<T>(std::move(v));
  pybind11::capsule free_when_done(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return pybind11::array_t<T>(std::move(shape), owned->data(), free_when_done);
}
}  // namespace reelforge
