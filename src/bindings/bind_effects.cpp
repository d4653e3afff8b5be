// Effect chains (timeline/effect.h), .cube LUTs and run-time compiled GLSL effects.
#include <pybind11/stl.h>

#include "bindings/bind.h"
#include "gpu/effects/custom_shader.h"
#include "media/cube_lut.h"
#include "timeline/effect.h"
#include "util/errors.h"

namespace py = pybind11;

namespace reelforge {

void bind_effects(py::module_& m) {
  py::enum_<EffectKind>(m, "EffectKind")
      .value("BLUR", EffectKind::Blur).value("DROP_SHADOW", EffectKind::DropShadow).value("GLOW", EffectKind::Glow)
      .value("COLOR", EffectKind::Color).value("LUT", EffectKind::Lut).value("CHROMA_KEY", EffectKind::ChromaKey)
      .value("SHADER", EffectKind::Shader);

  py::class_<CubeLut, std::shared_ptr<CubeLut>>(m, "CubeLut", "A parsed .cube LUT (Adobe Cube LUT Specification 1.0).")
      .def_readonly("path", &CubeLut::path)
      .def_readonly("size1d", &CubeLut::size1d)
      .def_readonly("size3d", &CubeLut::size3d)
      .def_readonly("domain_min", &CubeLut::domain_min)
      .def_readonly("domain_max", &CubeLut::domain_max)
      .def_property_readonly("table", [](const CubeLut& l) {
        return py::array_t<float>({py::ssize_t(l.table.size() / 3), py::ssize_t(3)}, l.table.data());
      }, "float32 (entries, 3): RGB rows, red fastest for 3D tables");
  m.def("load_cube_lut", [](const std::string& path) { return std::const_pointer_cast<CubeLut>(load_cube_lut(path)); },
        py::arg("path"), py::call_guard<py::gil_scoped_release>(),
        "Parse a .cube file. MediaNotFoundError if missing; SceneError '<path> line N: ...' for bad content.");

  py::class_<CompiledShader, std::shared_ptr<CompiledShader>>(m, "CompiledShader", "A user GLSL effect compiled to SPIR-V.")
      .def_readonly("source", &CompiledShader::source)
      .def_readonly("uniforms", &CompiledShader::uniforms)
      .def_property_readonly("spirv_words", [](const CompiledShader& s) { return s.spirv.size(); });
  m.def("compile_effect_shader",
        [](const std::string& source, const std::vector<std::string>& uniforms) {
          return std::const_pointer_cast<CompiledShader>(compile_effect_shader(source, uniforms));
        },
        py::arg("source"), py::arg("uniforms"), py::call_guard<py::gil_scoped_release>(),
        "Compile `source` (defining vec4 effect(vec2 uv)) with float uniforms `uniforms` (shaderc).\n"
        "Cached by (source, uniforms). SceneError with the compiler log, lines counted from the source's first.");
  m.def("effect_shader_glsl", &effect_shader_glsl, py::arg("source"), py::arg("uniforms"),
        "The complete GLSL compute shader compiled for a user effect.");

  py::class_<Effect>(m, "Effect", "One effect of a layer's chain: kind, per-frame parameter tables (float32, length\n"
                                  "1 or the layer's frame count, in the kind's slot order), colour, LUT or shader.")
      .def(py::init<>())
      .def_readwrite("kind", &Effect::kind)
      .def_property("params",
          [](const Effect& e) {
            py::list out;
            for (const auto& v : e.params) out.append(py::array_t<float>(py::ssize_t(v.size()), v.data()));
            return out;
          },
          [](Effect& e, const std::vector<py::array_t<float, py::array::c_style | py::array::forcecast>>& tables) {
            e.params.clear();
            for (const auto& a : tables) {
              if (a.ndim() != 1) throw InputError("effect parameter tables must be 1-D");
              e.params.emplace_back(a.data(), a.data() + a.size());
            }
          })
      .def_readwrite("color", &Effect::color)
      .def_property("lut", [](const Effect& e) { return std::const_pointer_cast<CubeLut>(e.lut); },
                    [](Effect& e, std::shared_ptr<CubeLut> l) { e.lut = std::move(l); })
      .def_property("shader", [](const Effect& e) { return std::const_pointer_cast<CompiledShader>(e.shader); },
                    [](Effect& e, std::shared_ptr<CompiledShader> s) { e.shader = std::move(s); });
}

}  // namespace reelforge
