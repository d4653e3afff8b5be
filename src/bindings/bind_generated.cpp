// Generators of generated layers (src/generated, src/shapes): built from Python, run in C++.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings/bind.h"
#include "generated/image_generator.h"
#include "util/errors.h"

namespace py = pybind11;

namespace reelforge {

void bind_generated(py::module_& m) {
  py::class_<SequenceGenerator, ImageGenerator, std::shared_ptr<SequenceGenerator>>(m, "SequenceGenerator",
      "Pictures from a list: index[k] is the picture shown at the layer's frame k (-1: none); one\n"
      "index holds for every frame. Equal indices are one picture, uploaded once.")
      .def(py::init([](std::vector<std::shared_ptr<RgbaImage>> images,
                       py::array_t<int32_t, py::array::c_style | py::array::forcecast> index) {
             if (index.ndim() != 1) throw InputError("SequenceGenerator: index must be 1-D");
             std::vector<std::shared_ptr<const RgbaImage>> imgs(images.begin(), images.end());
             return std::make_shared<SequenceGenerator>(std::move(imgs),
                                                        std::vector<int32_t>(index.data(), index.data() + index.size()));
           }),
           py::arg("images"), py::arg("index"));
}

}  // namespace reelforge
