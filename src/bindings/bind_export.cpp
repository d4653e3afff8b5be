#include "bindings/bind.h"

namespace py = pybind11;

namespace reelforge {
void bind_export(py::module_&) {}
}  // namespace reelforge
