#include "bindings/bind.h"

namespace reelforge {
void bind_text(pybind11::module_&) {}
}  // namespace reelforge
