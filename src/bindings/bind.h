#pragma once
#include <pybind11/pybind11.h>

namespace reelforge {
void bind_timeline(pybind11::module_& m);
void bind_render(pybind11::module_& m);
void bind_export(pybind11::module_& m);
void bind_text(pybind11::module_& m);
void bind_audio(pybind11::module_& m);
void bind_join(pybind11::module_& m);
}  // namespace reelforge
