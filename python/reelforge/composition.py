"""Nested scenes, groups, masks, rounded corners and borders: the Python side of the render graph.

A layer becomes a *node* of the render graph when it shows nested content (a nested scene or a
group), has a mask, or has rounded corners or a border. ``Scene.compile()`` turns each node into
data of the compiled timeline (``_core.LayerGraph``): the nested scene's own compiled timeline
with the frame it shows at each parent frame, the mask layer's timeline, per-frame tables of
corner radius, border width and colour, and feather. Nothing here runs while frames render.

The public entry points are thin methods: :meth:`reelforge.Scene.add_scene`,
:meth:`reelforge.Scene.add_group`, :meth:`reelforge.scene.Layer.set_mask`, and the animatable
layer properties ``corner_radius``, ``border_width``, ``border_color`` and ``mask_feather``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Sequence, cast

import numpy as np

from . import _checks
from . import _core
from ._types import MaskMode
from .errors import SceneError, SceneTypeError

if TYPE_CHECKING:  # pragma: no cover
    from .scene import Layer, Scene

#: The render-graph properties of every layer (animatable like the others; layer-local pixels,
#: i.e. the layer's displayed width/height before scale and rotation).
STYLE_PROPERTIES = {
    "corner_radius": "pixels (layer-local), radius of the visible rectangle's rounded corners, >= 0",
    "border_width": "pixels (layer-local), border drawn inside the visible rectangle's edge, >= 0",
    "border_color": "colour of the border (as Scene colours; default opaque black); keyframes of colours; "
                    "sets border_r, border_g, border_b and border_a",
    "border_r": "fraction 0..1, red of border_color (straight; default 0)",
    "border_g": "fraction 0..1, green of border_color (straight; default 0)",
    "border_b": "fraction 0..1, blue of border_color (straight; default 0)",
    "border_a": "fraction 0..1, alpha of border_color (default 1)",
    "mask_feather": "pixels (layer-local), standard deviation of the mask's Gaussian softening, >= 0",
}
#: Straight RGBA components (0..1) of ``border_color``: the properties it sets, each also
#: animatable alone (as ``scale`` sets ``scale_x`` and ``scale_y``).
BORDER_COMPONENTS = ("border_r", "border_g", "border_b", "border_a")
MASK_MODES = ("alpha", "luma")


@dataclass
class GraphState:
    """A :class:`~reelforge.scene.Layer`'s render-graph content (``layer.graph``)."""

    #: Composition layers: the nested :class:`~reelforge.Scene`, or the group's member layers.
    scene: Any = None
    members: list["Layer"] = field(default_factory=list)
    trim_start: float = 0.0
    #: The mask layer (not drawn itself), its mode and inversion.
    mask: "Layer | None" = None
    mask_mode: MaskMode = "alpha"
    mask_invert: bool = False
    #: The nested scene's timeline of the last compile (for its audio).
    compiled: Any = None


_compiling: list[int] = []  # ids of the scenes being compiled, outermost first (cycle check)


def add_scene(scene: "Scene", other: "Scene", *, start: float = 0.0, trim_start: float = 0.0,
              end: float | None = None, x: float = 0, y: float = 0, width: float | None = None,
              height: float | None = None, opacity: float = 1.0, name: str | None = None) -> "Layer":
    """See :meth:`reelforge.Scene.add_scene`."""
    from .scene import Layer, Scene, _set_size

    sc: Any = scene  # Scene's helpers are not annotated
    name = sc._name(name, "scene")
    if not isinstance(other, Scene):
        raise SceneTypeError(f"layer {name!r}: add_scene needs a reelforge.Scene, got {type(other).__name__}")
    if other is scene:
        raise SceneError(f"layer {name!r}: a scene cannot contain itself")
    start, end = sc._span(name, start, end)
    trim = _checks.seconds(trim_start, f"layer {name!r} trim_start")
    assert trim is not None
    if trim >= other.duration:
        raise SceneError(f"layer {name!r}: trim_start {trim}s is past the end of the nested scene "
                         f"({other.duration}s long); use trim_start < {other.duration}")
    if end is None:
        end = start + other.duration - trim
    layer = Layer(scene, _core.LayerKind.COMPOSITION, name, start, end, x=x, y=y, opacity=opacity)
    layer.graph.scene = other
    layer.graph.trim_start = trim
    _set_size(layer, width, height, other.width, other.height)
    scene.layers.append(layer)
    return layer


def add_group(scene: "Scene", layers: Sequence["Layer"], *, name: str | None = None) -> "Layer":
    """See :meth:`reelforge.Scene.add_group`."""
    from .scene import Layer

    name = cast(Any, scene)._name(name, "group")
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Iterable):
        raise SceneTypeError(f"group {name!r}: layers must be a list of layers of this scene, got {layers!r}")
    members = list(layers)
    if not members:
        raise SceneError(f"group {name!r}: give at least one layer")
    where = []
    for m in members:
        if not isinstance(m, Layer):
            raise SceneTypeError(f"group {name!r}: {m!r} is not a Layer")
        if not any(m is k for k in scene.layers):
            raise SceneError(f"group {name!r}: layer {m.name!r} is not a layer of this scene (already grouped, "
                             f"used as a mask, or from another scene)")
        where.append(next(i for i, k in enumerate(scene.layers) if k is m))
    if len(set(where)) != len(where):
        raise SceneError(f"group {name!r}: a layer is listed twice")
    members = [scene.layers[i] for i in sorted(where)]  # keep their stacking order
    start = min(m.start for m in members)
    ends = [m.end for m in members]
    end = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
    group = Layer(scene, _core.LayerKind.COMPOSITION, name, start, end, x=0, y=0, width=scene.width,
                  height=scene.height)
    group.graph.members = members
    top = max(where)
    scene.layers.insert(top + 1, group)
    for m in members:
        scene.layers.remove(m)
    return group


def set_mask(layer: "Layer", mask_layer: "Layer | None", mode: MaskMode = "alpha", invert: bool = False,
             feather: Any = 0.0) -> "Layer":
    """See :meth:`reelforge.scene.Layer.set_mask`."""
    from .scene import Layer, _check_bool

    what = f"layer {layer.name!r} mask"
    if mask_layer is None:
        layer.graph.mask = None
        return layer
    if not isinstance(mask_layer, Layer):
        raise SceneTypeError(f"{what}: expected a Layer of the same scene, got {type(mask_layer).__name__}")
    if mask_layer is layer:
        raise SceneError(f"{what}: a layer cannot mask itself")
    if mask_layer._scene is not layer._scene:
        raise SceneError(f"{what}: layer {mask_layer.name!r} belongs to another scene")
    if not isinstance(mode, str) or mode not in MASK_MODES:
        raise SceneError(f"{what}: mode must be one of {MASK_MODES}, got {mode!r}")
    invert = _check_bool(invert, f"{what} invert")
    if any(mask_layer is m for g in _members(layer._scene.layers) for m in g.graph.members):
        raise SceneError(f"{what}: layer {mask_layer.name!r} is in a group; a mask is not drawn, so it cannot be "
                         f"a group member too (use a copy)")
    layer.set("mask_feather", feather)
    scene = layer._scene
    scene.layers[:] = [k for k in scene.layers if k is not mask_layer]  # a mask is not drawn itself
    layer.graph.mask, layer.graph.mask_mode, layer.graph.mask_invert = mask_layer, mode, invert
    return layer


# -- border colour --------------------------------------------------------------------------------

def set_border_color(layer: "Layer", value: Any) -> None:
    """``border_color`` as a constant colour or a per-frame ``(frame_count, 4)`` array of 0-255
    straight RGBA values; stored as the four hidden components."""
    from .scene import parse_color

    what = f"layer {layer.name!r} property 'border_color'"
    if isinstance(value, np.ndarray) and value.ndim == 2:
        n = layer._scene.frame_count
        if value.shape not in ((n, 4), (n, 3)) or value.dtype.kind not in "biuf":
            raise SceneError(f"{what}: a per-frame array must be real of shape ({n}, 4), got {value.dtype} "
                             f"{value.shape}")
        comps = np.asarray(value, np.float64)
        if comps.shape[1] == 3:
            comps = np.concatenate([comps, np.full((n, 1), 255.0)], axis=1)
        if not np.isfinite(comps).all() or (comps < 0).any() or (comps > 255).any():
            raise SceneError(f"{what}: components must be finite and within 0-255")
        for k, c in enumerate(BORDER_COMPONENTS):
            layer._props[c] = comps[:, k] / 255.0
        return
    if callable(value):
        raise SceneTypeError(f"{what}: use a colour, a (frame_count, 4) array or "
                             f"animate('border_color', [(t, colour), ...])")
    for c, v in zip(BORDER_COMPONENTS, parse_color(value, what)):
        layer._props[c] = v


def animate_border_color(layer: "Layer", keyframes: Sequence[Any], easing: Any) -> None:
    """Keyframes ``[(t, colour), ...]`` or ``(t, colour, easing)``: each component eased alike."""
    from .scene import _Keyframes, parse_color

    what = f"layer {layer.name!r} property 'border_color'"
    try:
        kf = list(keyframes)
        parts = [(k[0], parse_color(k[1], f"{what} keyframe {i}"), *k[2:]) for i, k in enumerate(kf)]
    except (TypeError, IndexError):
        raise SceneError(f"{what}: keyframes must be (t_seconds, colour) pairs, got {keyframes!r}") from None
    for j, c in enumerate(BORDER_COMPONENTS):
        comp = [(p[0], p[1][j], *p[2:]) for p in parts]
        layer._props[c] = _Keyframes.checked(comp, easing, what)


# -- compile ----------------------------------------------------------------------------------------

def _table(layer: "Layer", prop: str, default: float, start: int, end: int, *, skip_default: bool = True
           ) -> np.ndarray:
    """float32 table of ``prop`` over frames [start, end): one value when constant; empty when it
    is the constant ``default`` (the layer keeps the fast path)."""
    arr = layer._sample(prop, default, start, end).astype(np.float32)
    if arr.size > 1 and (arr == arr[0]).all():
        arr = arr[:1]
    if skip_default and arr.size == 1 and float(arr[0]) == default:
        return np.zeros(0, np.float32)
    return arr


def _canvas_timeline(scene: "Scene", n: int, layers: Sequence["Layer"]) -> Any:
    """A timeline of ``scene``'s size, rate and frame numbering holding ``layers``, transparent."""
    tl = _core.Timeline()
    tl.width, tl.height = scene.width, scene.height
    tl.fps = (scene.fps.numerator, scene.fps.denominator)
    tl.frame_count = n
    tl.background = [0.0, 0.0, 0.0, 0.0]
    tl.layers = [scene._compile_layer(m, n) for m in layers]
    return tl


def _compile_nested(other: "Scene") -> Any:
    if id(other) in _compiling:
        raise SceneError("a scene is nested inside itself (add_scene cycle); nest copies instead")
    _compiling.append(id(other))
    try:
        return other.compile()
    finally:
        _compiling.pop()


def nested_frames(scene: "Scene", layer: "Layer", first: int, last: int, child: "Scene") -> np.ndarray:
    """The nested scene's frame shown at parent frames [first, last): the latest child frame whose
    time is <= ``t - start + trim_start`` (as for video), clamped to the child's frames."""
    t = scene._times(first, last) - float(layer.start) + layer.graph.trim_start
    j = np.floor(t * float(child.fps) + 1e-6)
    return np.clip(j, 0, child.frame_count - 1).astype(np.int64)


def compile_graph(scene: "Scene", layer: "Layer", c: Any, n: int) -> None:
    """Fill ``c.graph`` (the compiled layer) from ``layer``'s nested content, mask and styles."""
    g = _core.LayerGraph()
    first, last = c.start_frame, c.end_frame
    st = layer.graph
    if layer.kind == _core.LayerKind.COMPOSITION:
        if st.scene is not None:
            st.compiled = _compile_nested(st.scene)
            g.composition = st.compiled
            frames = nested_frames(scene, layer, first, last, st.scene)
            g.composition_frames = frames[:1] if (frames == frames[0]).all() else frames
        elif st.members:
            g.composition = _canvas_timeline(scene, n, st.members)
            g.composition_frames = np.arange(first, last, dtype=np.int64)
        else:
            raise SceneError(f"layer {layer.name!r} is a composition without content")
    if st.mask is not None:
        if st.mask_mode not in MASK_MODES:
            raise SceneError(f"layer {layer.name!r} mask: mode must be one of {MASK_MODES}, got {st.mask_mode!r}")
        g.mask = _canvas_timeline(scene, n, [st.mask])
        g.mask_mode = _core.MaskMode.LUMA if st.mask_mode == "luma" else _core.MaskMode.ALPHA
        g.mask_invert = bool(st.mask_invert)
        g.mask_feather = _table(layer, "mask_feather", 0.0, first, last)
    g.corner_radius = _table(layer, "corner_radius", 0.0, first, last)
    g.border_width = _table(layer, "border_width", 0.0, first, last)
    if g.border_width.size:
        for comp, d in zip(BORDER_COMPONENTS, (0.0, 0.0, 0.0, 1.0)):
            setattr(g, comp, _table(layer, comp, d, first, last, skip_default=False))
    c.graph = g


def scale_styles(g: Any, factor: float) -> None:
    """Multiply a compiled ``_core.LayerGraph``'s layer-local pixel tables by ``factor`` (render
    scale, :mod:`reelforge.rescale`: a layer whose size is scaled keeps its look)."""
    for name in ("corner_radius", "border_width", "mask_feather"):
        v = np.asarray(getattr(g, name))
        if v.size:
            setattr(g, name, (v * factor).astype(np.float32))


def _members(layers: Iterable["Layer"]) -> Iterable["Layer"]:
    for layer in layers:
        yield layer
        yield from _members(layer.graph.members)


def nested_audio(scene: "Scene", n: int) -> list[Any]:
    """The audio clips of the scene's nested scenes (compiled by the last ``compile_graph``), moved
    onto this scene's timeline: child time ``tc`` plays at ``tc + start - trim_start``, only while
    the layer shows (cut at its start and end, and at the nested scene's end)."""
    out = []
    for layer in _members(scene.layers):
        st = layer.graph
        if st.scene is None or st.compiled is None:
            continue
        layer_end = scene.duration if layer.end is None else min(float(layer.end), scene.duration)
        offset = float(layer.start) - st.trim_start
        win_lo, win_hi = st.trim_start, min(st.trim_start + layer_end - float(layer.start), st.scene.duration)
        for a in st.compiled.audio:
            clip = _shift_clip(scene, st.scene, a, offset, win_lo, win_hi, n)
            if clip is not None:
                out.append(clip)
    return out


def _shift_clip(scene: "Scene", child: "Scene", a: Any, offset: float, win_lo: float, win_hi: float,
                n: int) -> Any:
    ce = a.start + a.duration if a.duration >= 0 else math.inf
    lo, hi = max(a.start, win_lo), min(ce, win_hi)
    if hi <= lo or lo + offset >= scene.duration:
        return None
    b = _core.AudioClip()
    b.path, b.gain_db, b.loop = a.path, a.gain_db, a.loop
    b.start = lo + offset
    b.trim_start = a.trim_start + (lo - a.start)
    b.duration = hi - lo
    b.fade_in = max(0.0, a.fade_in - (lo - a.start))
    b.fade_out = a.fade_out if ce == math.inf or hi >= ce else max(0.0, a.fade_out - (ce - hi))
    gains = np.asarray(a.gain_db_per_frame)
    if gains.size:  # child frame -> parent frame, by the same rule as the pictures
        t = scene._times(0, n) - offset
        j = np.clip(np.floor(t * float(child.fps) + 1e-6), 0, gains.size - 1).astype(np.int64)
        b.gain_db_per_frame = gains[j].astype(np.float32).tolist()
    return b
