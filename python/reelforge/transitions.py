"""Transitions between two layers: :meth:`Scene.add_transition` and :func:`sequence`.

``scene.add_transition(a, b, transition, duration=...)`` moves ``b`` so that it starts
``duration`` seconds before ``a`` ends; over that overlap both layers are rendered on their own
(with their transforms, effects and masks) over the whole canvas and blended by the transition's
shader into one picture, drawn at ``a``'s place in the stack. Outside the overlap they are ordinary
layers. The audio of video layers (``add_video(audio=True)``) crossfades over the same span.

Every transition, the built-in ones included, is a GLSL shader in the gl-transitions convention
(https://gl-transitions.com, https://github.com/gl-transitions/gl-transitions), so any shader of
that collection can be pasted into :class:`Shader`:

* the source defines ``vec4 transition(vec2 uv)``; ``uv`` runs over 0..1 across the canvas with
  (0, 0) at the **bottom** left (OpenGL's convention, as in gl-transitions);
* ``getFromColor(uv)`` / ``getToColor(uv)`` read the outgoing / incoming layer (bilinear,
  transparent outside 0..1) as **premultiplied** RGBA in 0..1, which is the same as
  gl-transitions' straight colours for opaque pictures; the result is taken as premultiplied too
  (clamped to 0..1, colour at most alpha);
* ``progress`` (0..1, after the easing) and ``ratio`` (canvas width / height) are provided
  (globals, like the uniforms: the source's global initialisers may use them, and function
  parameters may shadow them);
* ``uniform <type> <name>; // = <default>`` declarations (one per line; float, vec2..vec4, int,
  ivec2..ivec4, bool; also ``uniform float x/* = 0.4 */;``) become parameters, defaults read from
  the comment as gl-transitions writes them (zeros without one), values given as keyword
  arguments of :class:`Shader`. Textures (``uniform sampler2D``) are not supported.

Shaders are compiled when the transition object is made (shaderc; SPIR-V cached by source), so
GLSL errors raise there with the compiler log, lines counted from the source's first line.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from . import _checks, _core
from . import easing as _easing
from ._types import EasingLike, TransitionAudio, TransitionDirection
from .errors import SceneError, SceneTypeError

if TYPE_CHECKING:
    from .scene import Layer, Scene

__all__ = ["Transition", "Crossfade", "Dip", "Wipe", "Slide", "Push", "Zoom", "Iris", "Shader",
           "LayerTransition", "add_transition", "sequence", "DIRECTIONS", "AUDIO_MODES"]

#: Directions of :class:`Wipe`, :class:`Slide` and :class:`Push` (the way the motion goes on screen).
DIRECTIONS: tuple[str, ...] = ("left", "right", "up", "down")
#: Audio crossfades of :meth:`Scene.add_transition`: ``"equal_power"`` (outgoing cos(pi/2 t),
#: incoming sin(pi/2 t): constant power for uncorrelated sources), ``"linear"`` (1 - t and t) or
#: ``"none"`` (the clips keep their own fades).
AUDIO_MODES: tuple[str, ...] = ("equal_power", "linear", "none")

# gl-transitions uv has y up: "up" moves towards larger y.
_VECTORS = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, 1.0), "down": (0.0, -1.0)}

_CROSSFADE = """\
vec4 transition(vec2 uv) {
  return mix(getFromColor(uv), getToColor(uv), progress);
}
"""

_DIP = """\
uniform vec4 color; // = vec4(0.0, 0.0, 0.0, 1.0)
vec4 transition(vec2 uv) {
  if (progress < 0.5) return mix(getFromColor(uv), color, 2.0 * progress);
  return mix(color, getToColor(uv), 2.0 * progress - 1.0);
}
"""

# t: 0 where the incoming layer appears first, 1 where it arrives last; the edge sweeps from
# -softness to 1 with a linear ramp of width `softness` (fractions of the canvas).
_WIPE = """\
uniform vec2 direction; // = vec2(1.0, 0.0)
uniform float softness; // = 0.0
vec4 transition(vec2 uv) {
  float t = dot(uv - 0.5, direction) + 0.5;
  float edge = progress * (1.0 + softness);
  float m = clamp((edge - t) / max(softness, 1e-5), 0.0, 1.0);
  return mix(getFromColor(uv), getToColor(uv), m);
}
"""

_SLIDE = """\
uniform vec2 direction; // = vec2(-1.0, 0.0)
vec4 transition(vec2 uv) {
  vec4 b = getToColor(uv + direction * (1.0 - progress));
  return b + (1.0 - b.a) * getFromColor(uv);
}
"""

_PUSH = """\
uniform vec2 direction; // = vec2(-1.0, 0.0)
vec4 transition(vec2 uv) {
  vec4 b = getToColor(uv + direction * (1.0 - progress));
  return b + (1.0 - b.a) * getFromColor(uv + direction * -progress);
}
"""

# gl-transitions' SimpleZoom (by 0gust1, MIT): the outgoing layer zooms into its centre, then the
# incoming one fades in.
_ZOOM = """\
uniform float zoom_quickness; // = 0.8
vec2 zoom(vec2 uv, float amount) { return 0.5 + (uv - 0.5) * (1.0 - amount); }
vec4 transition(vec2 uv) {
  float q = clamp(zoom_quickness, 0.2, 1.0);
  return mix(getFromColor(zoom(uv, smoothstep(0.0, q, progress))), getToColor(uv),
             smoothstep(q - 0.2, 1.0, progress));
}
"""

# A circle from the centre (distances in canvas heights) growing to the corners, its edge a linear
# ramp `softness` wide.
_IRIS = """\
uniform float softness; // = 0.0
vec4 transition(vec2 uv) {
  float d = length((uv - 0.5) * vec2(ratio, 1.0));
  float edge = progress * (length(vec2(ratio, 1.0) * 0.5) + softness);
  float m = clamp((edge - d) / max(softness, 1e-5), 0.0, 1.0);
  return mix(getFromColor(uv), getToColor(uv), m);
}
"""


class Transition:
    """A transition shader with its uniform values and easing (base of the built-in ones).

    Attributes
    ----------
    source : str
        The gl-transitions style GLSL.
    values : dict
        Uniform values by name (floats, or tuples for vector types); the shader's defaults for
        the others.
    easing : str or Easing
        Maps the overlap's linear progress (0..1) to the shader's ``progress``; results are
        clipped to 0..1.
    """

    def __init__(self, source: str, values: dict[str, Any] | None = None, easing: EasingLike = "linear") -> None:
        name = type(self).__name__
        if not isinstance(source, str):
            raise SceneTypeError(f"{name}: source must be a str of GLSL, got {type(source).__name__}")
        try:
            _easing.get(easing)
        except (ValueError, TypeError) as e:
            raise SceneError(f"{name}: easing: {e}") from None
        self.source = source
        self.easing = easing
        self.compiled = _core.compile_transition_shader(source)
        self.values: dict[str, Any] = {}
        known = {u.name: u for u in self.compiled.uniforms}
        for k, v in (values or {}).items():
            if k not in known:
                raise SceneError(f"{name}: the shader has no uniform {k!r}; its uniforms are "
                                 f"{', '.join(known) or 'none'}")
            self.values[k] = _uniform_value(name, known[k], v)

    # Picklable (distributed export ships scenes by value): compiled again from the source (cached).
    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "compiled"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.compiled = _core.compile_transition_shader(self.source)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.values.items())})"

    def uniform_values(self) -> list[float]:
        """Four floats per uniform of the shader, in its order (the compiled block's layout)."""
        out: list[float] = []
        for u in self.compiled.uniforms:
            v = self.values.get(u.name)
            vals = list(u.default_value) if v is None else list(np.atleast_1d(np.asarray(v, dtype=np.float64)))
            out += [float(x) for x in vals] + [0.0] * (4 - len(vals))
        return out

    def progress(self, u: np.ndarray, duration: float) -> np.ndarray:
        """Shader progress (float32, 0..1) for linear progress ``u`` through a ``duration`` s overlap."""
        eased = _easing.get(self.easing)(np.clip(u, 0.0, 1.0), duration)
        out: np.ndarray = np.clip(eased, 0.0, 1.0).astype(np.float32)
        return out


def _uniform_value(name: str, u: Any, v: Any) -> Any:
    what = f"{name}: uniform {u.name!r} ({u.type})"
    if u.type == "bool":
        if not isinstance(v, (bool, np.bool_)):
            raise SceneTypeError(f"{what} must be a bool, got {type(v).__name__} {v!r}")
        return 1.0 if v else 0.0
    items = list(v) if isinstance(v, (list, tuple, np.ndarray)) else [v]
    if len(items) != u.components:
        raise SceneError(f"{what}: expected {u.components} number(s), got {v!r}")
    out = tuple(_checks.number(x, what) for x in items)
    return out[0] if u.components == 1 else out


def _direction(name: str, direction: object) -> tuple[float, float]:
    if not isinstance(direction, str) or direction not in _VECTORS:
        raise SceneError(f"{name}: direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
    return _VECTORS[direction]


def _softness(name: str, softness: object) -> float:
    return _checks.number(softness, f"{name}: softness", unit="canvas fractions", minimum=0.0, maximum=1.0)


class Crossfade(Transition):
    """``mix(a, b, progress)``: a dissolve. At progress 1/2 every pixel is the average of the two.

    Parameters
    ----------
    easing : str or Easing, optional
        Default ``"linear"``.
    """

    def __init__(self, *, easing: EasingLike = "linear") -> None:
        super().__init__(_CROSSFADE, easing=easing)


class Dip(Transition):
    """Fade ``a`` out to a colour over the first half, then that colour to ``b`` (dip to black).

    Parameters
    ----------
    color : colour, optional
        Any colour :func:`reelforge.scene.parse_color` takes (default opaque black); its alpha
        makes the middle of the transition see-through.
    easing : str or Easing, optional
    """

    def __init__(self, color: Any = (0, 0, 0, 255), *, easing: EasingLike = "linear") -> None:
        from .scene import parse_color
        r, g, b, a = parse_color(color, "Dip: color")
        self.color = color
        super().__init__(_DIP, {"color": (r * a, g * a, b * a, a)}, easing)  # premultiplied, as the shader blends


class Wipe(Transition):
    """A straight edge sweeps across the canvas in ``direction``, uncovering ``b`` behind it.

    Parameters
    ----------
    direction : {"right", "left", "up", "down"}, optional
        Where the edge moves (``"right"``: ``b`` appears at the left edge first).
    softness : float, optional
        Width of the edge's linear ramp, as a fraction of the canvas width (left/right) or height
        (up/down), 0..1 (0: a hard edge).
    easing : str or Easing, optional
    """

    def __init__(self, direction: TransitionDirection = "right", softness: float = 0.0, *,
                 easing: EasingLike = "linear") -> None:
        self.direction, self.softness = direction, softness
        super().__init__(_WIPE, {"direction": _direction("Wipe", direction), "softness": _softness("Wipe", softness)},
                         easing)


class Slide(Transition):
    """``b`` slides in over ``a`` (which stays still), moving in ``direction``.

    Parameters
    ----------
    direction : {"left", "right", "up", "down"}, optional
        The way ``b`` moves (``"left"``: it enters from the right edge).
    easing : str or Easing, optional
    """

    def __init__(self, direction: TransitionDirection = "left", *, easing: EasingLike = "linear") -> None:
        self.direction = direction
        super().__init__(_SLIDE, {"direction": _direction("Slide", direction)}, easing)


class Push(Transition):
    """``b`` pushes ``a`` off the canvas: both move in ``direction`` by one canvas size.

    Parameters
    ----------
    direction : {"left", "right", "up", "down"}, optional
    easing : str or Easing, optional
    """

    def __init__(self, direction: TransitionDirection = "left", *, easing: EasingLike = "linear") -> None:
        self.direction = direction
        super().__init__(_PUSH, {"direction": _direction("Push", direction)}, easing)


class Zoom(Transition):
    """``a`` zooms into its centre, then ``b`` fades in (gl-transitions' SimpleZoom).

    Parameters
    ----------
    quickness : float, optional
        Fraction of the transition (0.2..1) the zoom takes; ``b`` fades in over
        ``[quickness - 0.2, 1]``.
    easing : str or Easing, optional
    """

    def __init__(self, quickness: float = 0.8, *, easing: EasingLike = "linear") -> None:
        self.quickness = quickness
        q = _checks.number(quickness, "Zoom: quickness", minimum=0.2, maximum=1.0)
        super().__init__(_ZOOM, {"zoom_quickness": q}, easing)


class Iris(Transition):
    """A circle opening from the centre of the canvas shows ``b``; it reaches the corners at the end.

    Parameters
    ----------
    softness : float, optional
        Width of the circle's edge ramp in canvas heights, 0..1 (0: hard edge).
    easing : str or Easing, optional
    """

    def __init__(self, softness: float = 0.0, *, easing: EasingLike = "linear") -> None:
        self.softness = softness
        super().__init__(_IRIS, {"softness": _softness("Iris", softness)}, easing)


class Shader(Transition):
    """A gl-transitions style GLSL transition (see the module documentation for the interface).

    Parameters
    ----------
    source : str
        GLSL defining ``vec4 transition(vec2 uv)``; e.g. any shader from the gl-transitions
        repository, pasted as is.
    easing : str or Easing, optional
    **uniforms : float, bool or sequence of floats
        Values of the uniforms the source declares (others keep their ``// = default``).
        Constant over the transition.

    Raises
    ------
    SceneError
        GLSL errors with the compiler log (``"transition:3: error: ..."``, lines counted from the
        source's first), unsupported uniform declarations (textures, several per line), unknown
        uniform names or values of the wrong size.

    Examples
    --------
    >>> swirl = Shader('''
    ... uniform float turns; // = 1.0
    ... vec4 transition(vec2 uv) {
    ...   float a = progress * turns * 6.2831853 * (1.0 - length(uv - 0.5));
    ...   vec2 q = mat2(cos(a), -sin(a), sin(a), cos(a)) * (uv - 0.5) + 0.5;
    ...   return mix(getFromColor(q), getToColor(q), progress);
    ... }''', turns=2.0)
    """

    def __init__(self, source: str, *, easing: EasingLike = "linear", **uniforms: Any) -> None:
        super().__init__(source, uniforms, easing)


@dataclass
class LayerTransition:
    """A transition placed by :meth:`Scene.add_transition` (kept in ``scene.transitions``).

    ``a`` ends ``duration`` seconds after ``b`` starts; ``audio`` is one of :data:`AUDIO_MODES`.
    """

    a: "Layer"
    b: "Layer"
    transition: Transition
    duration: float
    audio: TransitionAudio = "equal_power"


def _animated(layer: "Layer") -> list[str]:
    """What of ``layer`` is animated in scene time (keyframes, callables, per-frame arrays, audio
    features): its properties and its effects' parameters."""
    def moving(v: object) -> bool:
        return not isinstance(v, (int, float)) or isinstance(v, bool)
    out = [k for k, v in layer._props.items() if moving(v)]
    for i, e in enumerate(layer.effects):
        out += [f"effect {i} {type(e).__name__}.{k}" for k, v in getattr(e, "_values", {}).items() if moving(v)]
    return out


def _move(scene: "Scene", b: "Layer", start: float, what: str) -> None:
    """Move layer ``b`` (and the audio clip of an ``add_video(audio=True)`` layer) to ``start``
    seconds, keeping its duration; refuses what would not move with it."""
    shift = start - b.start
    if abs(shift) <= 1e-12:
        return
    if b.graph.members:
        raise SceneError(f"{what} (layer {b.name!r}) is a group, whose members keep their own times: place it at "
                         f"{start:g}s first (start each member there)")
    moving = _animated(b)
    if moving:
        raise SceneError(f"{what} (layer {b.name!r}) would move by {shift:+g}s but its {', '.join(moving)} are "
                         f"animated in scene time, which would not move with it; call add_transition (or sequence) "
                         f"before animating it")
    b.start, b.end = start, None if b.end is None else b.end + shift
    for clip in scene.audio:  # add_video(audio=True): the clip follows its layer
        if clip._remap_layer is b:
            clip.start += shift


def add_transition(scene: "Scene", a: "Layer", b: "Layer", transition: Transition, *, duration: float,
                   audio: TransitionAudio = "equal_power") -> LayerTransition:
    """See :meth:`reelforge.Scene.add_transition`."""
    from .scene import Layer
    if not isinstance(transition, Transition):
        raise SceneTypeError(f"add_transition: transition must be a reelforge.transitions object (Crossfade(), "
                             f"Wipe(), Shader(...)), got {type(transition).__name__}")
    for name, layer in (("a", a), ("b", b)):
        if not isinstance(layer, Layer):
            raise SceneTypeError(f"add_transition: {name} must be a Layer, got {type(layer).__name__}")
        if not any(layer is k for k in scene.layers):
            raise SceneError(f"add_transition: {name} (layer {layer.name!r}) is not a layer of this scene (grouped, "
                             f"used as a mask, or from another scene)")
    if a is b:
        raise SceneError(f"add_transition: a and b are the same layer {a.name!r}")
    if not isinstance(audio, str) or audio not in AUDIO_MODES:
        raise SceneError(f"add_transition: audio must be one of {', '.join(AUDIO_MODES)}, got {audio!r}")
    d = _checks.number(duration, "add_transition: duration", unit="seconds", example="duration=0.5")
    if d <= 0:
        raise SceneError(f"add_transition: duration must be > 0 seconds, got {duration!r}")
    if a.end is None:
        raise SceneError(f"add_transition: a (layer {a.name!r}) has no end (it lasts to the scene's end); give it "
                         f"end= so that b can start before it")
    if d > a.end - a.start + 1e-9:
        raise SceneError(f"add_transition: duration {d:g}s is longer than a (layer {a.name!r}, "
                         f"{a.end - a.start:g}s); use duration <= {a.end - a.start:g}")
    for t in scene.transitions:
        if t.a is a:
            raise SceneError(f"add_transition: a (layer {a.name!r}) already transitions to {t.b.name!r}")
        if t.b is b:
            raise SceneError(f"add_transition: b (layer {b.name!r}) already has a transition from {t.a.name!r}")
    start = a.end - d
    b_end = None if b.end is None else b.end + start - b.start
    span = (scene.duration if b_end is None else min(b_end, scene.duration)) - start
    if d > span + 1e-9:
        raise SceneError(f"add_transition: duration {d:g}s is longer than b (layer {b.name!r}, {span:g}s once "
                         f"moved to start at {start:g}s); use duration <= {span:g}")
    _move(scene, b, start, "add_transition: b")
    record = LayerTransition(a, b, transition, d, audio)
    scene.transitions.append(record)
    return record


def sequence(scene: "Scene", clips: Sequence["Layer"], transition: Transition | None = None, *,
             duration: float = 0.5, audio: TransitionAudio = "equal_power") -> list["Layer"]:
    """Lay ``clips`` end to end with the same transition between each pair.

    Parameters
    ----------
    scene : Scene
    clips : sequence of Layer
        Layers of ``scene`` (already added), in playing order; each but the last needs an end.
        The first keeps its start; each next one is moved to start ``duration`` seconds before
        the previous one ends (see :meth:`Scene.add_transition`).
    transition : Transition, optional
        Default (None): ``Crossfade()``.
    duration : float, optional
        Seconds of each overlap (default 0.5); 0 makes hard cuts (each clip starts where the
        previous one ends, no transition).
    audio : {"equal_power", "linear", "none"}, optional

    Returns
    -------
    list of Layer
        ``clips``, moved.

    Raises
    ------
    SceneError
        As :meth:`Scene.add_transition`, naming the pair.
    """
    from .scene import Layer
    if isinstance(clips, (str, bytes)) or not isinstance(clips, Sequence):
        raise SceneTypeError(f"sequence: clips must be a list of layers, got {type(clips).__name__}")
    layers = list(clips)
    for i, c in enumerate(layers):
        if not isinstance(c, Layer):
            raise SceneTypeError(f"sequence: clips[{i}] must be a Layer, got {type(c).__name__}")
    d = _checks.number(duration, "sequence: duration", unit="seconds", minimum=0.0, example="duration=0.5")
    if d == 0:
        for i, (a, b) in enumerate(zip(layers, layers[1:])):
            if a.end is None:
                raise SceneError(f"sequence: clips[{i}] (layer {a.name!r}) has no end")
            _move(scene, b, a.end, f"sequence: clips[{i + 1}]")
        return layers
    transition = Crossfade() if transition is None else transition
    for i, (a, b) in enumerate(zip(layers, layers[1:])):
        try:
            add_transition(scene, a, b, transition, duration=d, audio=audio)
        except SceneError as e:
            raise type(e)(f"sequence: clips[{i}] -> clips[{i + 1}]: {e}") from None
    return layers


def compile_transitions(scene: "Scene", layers: Sequence[Any], clips: Sequence[Any]) -> list[Any]:
    """``scene.transitions`` as ``_core.Transition`` records for the compiled ``layers`` (same order
    as ``scene.layers``); the audio ``clips`` (compiled from ``scene.audio``, same order) of video
    layers get the crossfade's fades."""
    out = []
    for k, t in enumerate(scene.transitions):
        what = f"transition {k} ({t.a.name!r} -> {t.b.name!r})"
        try:
            ia = next(i for i, l in enumerate(scene.layers) if l is t.a)
            ib = next(i for i, l in enumerate(scene.layers) if l is t.b)
        except StopIteration:
            raise SceneError(f"{what}: a layer is no longer in the scene (grouped or used as a mask since)") from None
        first, end = layers[ib].start_frame, layers[ia].end_frame
        if end <= first:
            raise SceneError(f"{what}: the overlap ({t.duration:g}s) holds no frame at {float(scene.fps):g} fps; "
                             f"use a longer duration")
        c = _core.Transition()
        c.from_layer, c.to_layer, c.first_frame, c.end_frame = ia, ib, first, end
        u = (scene._times(first, end) - float(t.b.start)) / t.duration
        c.progress = list(t.transition.progress(u, t.duration))
        c.shader = t.transition.compiled
        c.values = t.transition.uniform_values()
        out.append(c)
        if t.audio != "none":
            curve = _core.FadeCurve.EQUAL_POWER if t.audio == "equal_power" else _core.FadeCurve.LINEAR
            for clip, cc in zip(scene.audio, clips):
                if clip._remap_layer is t.a:
                    cc.fade_out, cc.fade_out_curve = t.duration, curve
                if clip._remap_layer is t.b:
                    cc.fade_in, cc.fade_in_curve = t.duration, curve
    return out

