#include "bindings/bind.h"

namespace reelforge {
void bind_audio(pybind11::module_&) {}
}  // namespace reelforge
