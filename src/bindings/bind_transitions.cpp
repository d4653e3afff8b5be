// Transitions (timeline/transition.h) and their run-time compiled gl-transitions shaders.
#include <pybind11/stl.h>

#include "bindings/bind.h"
#include "gpu/effects/transition_shader.h"
#include "timeline/transition.h"
#include "util/errors.h"

namespace py = pybind11;

namespace reelforge {

void bind_transitions(py::module_& m) {
  py::class_<TransitionUniform>(m, "TransitionUniform", "A uniform a transition shader declares.")
      .def_readonly("name", &TransitionUniform::name)
      .def_readonly("type", &TransitionUniform::type, "GLSL type: float, vec2..4, int, ivec2..4 or bool")
      .def_readonly("components", &TransitionUniform::components)
      .def_readonly("default_value", &TransitionUniform::default_value, "from its '// = value' comment (else zeros)");
  py::class_<CompiledTransition, std::shared_ptr<CompiledTransition>>(m, "CompiledTransition",
                                                                      "A gl-transitions style shader compiled to SPIR-V.")
      .def_readonly("source", &CompiledTransition::source)
      .def_readonly("uniforms", &CompiledTransition::uniforms)
      .def_property_readonly("spirv_words", [](const CompiledTransition& s) { return s.spirv.size(); });
  m.def("compile_transition_shader",
        [](const std::string& source) { return std::const_pointer_cast<CompiledTransition>(compile_transition_shader(source)); },
        py::arg("source"), py::call_guard<py::gil_scoped_release>(),
        "Compile `source` (defining vec4 transition(vec2 uv), gl-transitions convention) with shaderc.\n"
        "Cached by source. SceneError with the compiler log, lines counted from the source's first.");
  m.def("transition_shader_glsl", &transition_shader_glsl, py::arg("source"),
        "The complete GLSL compute shader compiled for a transition.");
  py::class_<Transition>(m, "Transition",
                         "Two layers blended by a shader over [first_frame, end_frame) (validated with the timeline).")
      .def(py::init<>())
      .def_readwrite("from_layer", &Transition::from)
      .def_readwrite("to_layer", &Transition::to)
      .def_readwrite("first_frame", &Transition::first_frame)
      .def_readwrite("end_frame", &Transition::end_frame)
      .def_readwrite("progress", &Transition::progress, "float32 per frame of the overlap (or 1 value), 0..1")
      .def_readwrite("values", &Transition::values, "4 floats per shader uniform")
      .def_property("shader", [](const Transition& t) { return std::const_pointer_cast<CompiledTransition>(t.shader); },
                    [](Transition& t, std::shared_ptr<CompiledTransition> s) { t.shader = std::move(s); });
}

}  // namespace reelforge
