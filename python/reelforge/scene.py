"""Scene description: layers and audio clips on a timeline, compiled to per-frame tables.

Coordinates are canvas pixels with the origin at the top-left corner and y pointing down.
Times are seconds. Colours are ``(r, g, b)`` or ``(r, g, b, a)`` with 0-255 components, or
``"#rrggbb"`` / ``"#rrggbbaa"``; they are straight (non-premultiplied) sRGB-encoded values.
"""

from __future__ import annotations

import math
import os
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal, Mapping, NoReturn, Sequence

import numpy as np

from . import _checks
from . import _core
from . import animation as _anim
from . import colors as _colors
from . import composition as _composition
from . import easing as _easing
from . import text as _text
from . import timeremap as _timeremap
from . import transitions as _transitions
from . import _types
from ._types import (BlendMode, ColorLike, DecodeErrorPolicy, PropertyName, EasingLike, FpsLike, Keyframes, PathLike, PreviewFormat, PropertyValue,
                     TextAlign, TextAnchor)
from .errors import MediaError, SceneError, SceneTypeError
from .frame_source import FrameSource

if TYPE_CHECKING:
    from .audio_reactive import AudioVisualizer

if TYPE_CHECKING:
    from .notebook import FramePreview, Player

if TYPE_CHECKING:
    from .effects import Effect
    from .shapes import Color as ShapeColor, Gradient, Shape, ShapeLayer
    from .subtitles import Cue
    from .typography import Span, TextLayer

#: Animatable layer properties, their units and defaults (None = from the source).
PROPERTIES = {
    "x": "pixels, canvas x of the anchor point",
    "y": "pixels, canvas y of the anchor point",
    "width": "pixels, displayed width before scale",
    "height": "pixels, displayed height before scale",
    "anchor_x": "fraction of width (0 = left, 0.5 = centre, 1 = right)",
    "anchor_y": "fraction of height (0 = top, 0.5 = centre, 1 = bottom)",
    "scale": "factor, sets scale_x and scale_y",
    "scale_x": "factor",
    "scale_y": "factor",
    "rotation": "degrees, clockwise on screen",
    "opacity": "0..1",
    "crop": "(left, top, right, bottom) fractions of width/height hidden; sets the four crop_* properties",
    "crop_left": "fraction of width hidden at the left (0..1); the visible part stays in place",
    "crop_top": "fraction of height hidden at the top (0..1)",
    "crop_right": "fraction of width hidden at the right (0..1)",
    "crop_bottom": "fraction of height hidden at the bottom (0..1)",
}
PROPERTIES.update(_composition.STYLE_PROPERTIES)  # corner_radius, border_width, border_color (+ r/g/b/a), mask_feather
BLEND_MODES = ("normal", "multiply", "screen", "overlay", "darken", "lighten", "add", "difference")

#: Most frames a scene may have: compile() builds per-frame tables (4 bytes per animated property,
#: frame and layer; 8 for the frame times), so 10^7 frames (92 hours at 30 fps) bounds them to a
#: few hundred MB. Longer programmes: render them as several scenes and join the files.
MAX_FRAMES = 10_000_000

#: Audio clip gain limits in dB (10^(±200/20) stays far inside float range in the mixer).
GAIN_DB_RANGE = (-200.0, 200.0)

#: Valid range of each property's values (others: any finite float32). Opacity outside 0..1 is
#: clamped (an overshooting easing may leave it); the others are errors.
_RANGES = {"width": (0.0, None), "height": (0.0, None), "crop_left": (0.0, 1.0), "crop_top": (0.0, 1.0),
           "crop_right": (0.0, 1.0), "crop_bottom": (0.0, 1.0),
           "corner_radius": (0.0, None), "border_width": (0.0, None), "mask_feather": (0.0, None),
           **{c: (0.0, 1.0) for c in _composition.BORDER_COMPONENTS},
           # shape layers (reelforge.shapes.SHAPE_PROPERTIES)
           "radius": (0.0, None), "stroke_width": (0.0, None), "stroke_start": (0.0, 1.0), "stroke_end": (0.0, 1.0)}


def parse_color(color: ColorLike, what: str = "color") -> tuple[float, float, float, float]:
    """Colour -> straight RGBA floats in 0..1.

    Accepts ``(r, g, b)`` / ``(r, g, b, a)`` with 0-255 components or a CSS colour string
    (see :mod:`reelforge.colors`: names, ``"#rrggbb[aa]"``, ``rgb()``, ``hsl()``).
    Raises SceneError naming ``what`` for anything else.
    """
    if isinstance(color, str):  # CSS names, #hex, rgb()/hsl(): reelforge.colors
        comps = list(_colors.css_components(color, what))
    else:
        try:
            comps = [float(c) if _checks.is_real(c) else _not_a_component(c) for c in color]
        except (TypeError, ValueError, OverflowError):
            raise SceneError(f"{what}: {color!r} is not a colour; use (r, g, b[, a]) in 0-255") from None
        if len(comps) not in (3, 4) or not all(math.isfinite(c) and 0 <= c <= 255 for c in comps):
            raise SceneError(f"{what}: {color!r} must have 3 or 4 components in 0-255")
    if len(comps) == 3:
        comps.append(255)
    r, g, b, a = (c / 255.0 for c in comps)
    return r, g, b, a


def _not_a_component(c: object) -> NoReturn:
    raise TypeError(c)


def parse_fps(fps: FpsLike) -> Fraction:
    """Frame rate (int, float or Fraction; 29.97 becomes 2997/100, use Fraction(30000, 1001) for
    NTSC) -> exact Fraction in (0, 1000]. Raises SceneTypeError for strings and other non-numbers,
    SceneError for values out of range."""
    return _checks.fps(fps)


def _check_time(value: object, what: str, *, allow_none: bool = False, minimum: float = 0.0) -> float | None:
    return _checks.seconds(value, what, allow_none=allow_none, minimum=minimum)


def _check_path(path: object, what: str) -> str:
    return _checks.file_path(path, what)


class Layer:
    """A visual layer of a :class:`Scene` (returned by ``Scene.add_*``; do not build directly).

    Properties (see :data:`PROPERTIES`) are constants, keyframes (:meth:`animate`), callables of
    time or per-frame arrays (:meth:`set`). ``blend`` is one of :data:`BLEND_MODES`
    (W3C Compositing and Blending Level 1). ``image`` holds an IMAGE layer's pixels: straight
    RGBA for arrays given to :meth:`Scene.add_image`, premultiplied when ``premultiplied`` is True
    (text layers, which the rasteriser produces premultiplied).
    """

    def __init__(self, scene: "Scene", kind: "_core.LayerKind", name: str, start: float, end: float | None,
                 **props: PropertyValue | None):
        self._scene = scene
        self.kind = kind
        self.name = name
        self.start = start
        self.end = end
        self.blend: BlendMode = "normal"
        self.path: str | None = None
        self.image: np.ndarray | None = None
        self.premultiplied = False
        self.color = (1.0, 1.0, 1.0, 1.0)
        self.trim_start = 0.0
        self.autorotate = True
        self.on_decode_error: DecodeErrorPolicy = "hold"
        self._remap: _timeremap.TimeRemap | None = None  # video layers: speed, reverse, ... (timeremap.py)
        self.effects: list["Effect"] = []  # reelforge.effects objects, applied in order (add_effect)
        self._props: dict[str, object] = {}
        self.graph = _composition.GraphState()  # nested content and mask (reelforge.composition)
        # Informational for text layers (not used by compile): what was rendered.
        self.text: str | None = None
        self.font: str | None = None
        self.baseline_y: float | None = None
        for k, v in props.items():
            if v is not None:
                self._set(k, v)

    def __repr__(self) -> str:
        return f"<Layer {self.name!r} {self.kind.name.lower()} {self.start}s..{self.end}s>"

    def _what(self, prop: str) -> str:
        return f"layer {self.name!r} property {prop!r}"

    def _check_prop(self, name: str) -> None:
        if not isinstance(name, str) or name not in PROPERTIES:
            raise SceneError(f"layer {self.name!r}: unknown property {name!r}; animatable properties are "
                             f"{', '.join(PROPERTIES)}")

    def set(self, name: PropertyName, value: PropertyValue) -> "Layer":
        """Set property ``name`` to a constant, a per-frame ``float`` array of shape
        ``(scene.frame_count,)``, or a callable ``f(t)`` of time in seconds (given a float64 array of
        the times of the frames where the layer is shown, it must return an array of the same
        shape; scalar-only callables are called once per frame).

        Constants and arrays are checked now, callables at ``compile()``: values must be finite
        (and fit float32); ``width``/``height`` >= 0 pixels; crop fractions in 0..1; opacity is
        clamped to 0..1. Raises SceneError (SceneTypeError for a wrong type) naming the layer and
        property. Returns the layer (chainable)."""
        return self._set(name, value)

    def _set(self, name: str, value: object) -> "Layer":  # value: also _Keyframes (animate)
        self._check_prop(name)
        if name == "border_color":
            _composition.set_border_color(self, value)
        elif name == "scale":
            self._props["scale_x"] = self._props["scale_y"] = self._checked("scale", value)
        elif name == "crop":
            sides = value if isinstance(value, (list, tuple, np.ndarray)) else ()
            if len(sides) != 4 or not all(_checks.is_real(v) and 0.0 <= float(v) <= 1.0 for v in sides):
                raise SceneError(f"{self._what('crop')}: expected (left, top, right, bottom) fractions in 0..1, "
                                 f"got {value!r}; animate crop_left/crop_top/crop_right/crop_bottom separately")
            for side, v in zip(("crop_left", "crop_top", "crop_right", "crop_bottom"), sides):
                self._props[side] = float(v)
        else:
            self._props[name] = self._checked(name, value)
        return self

    def _checked(self, name: str, value: object) -> object:
        """``value`` as stored: callables and keyframes as given (evaluated at compile), constants
        and per-frame arrays checked now (arrays are kept, so in-place edits show at compile)."""
        what = self._what(name)
        if isinstance(value, (_Keyframes, FrameSource)) or callable(value):
            return value
        if _is_per_frame(value):
            try:
                arr = _anim.per_frame_array(value, self._scene.frame_count, what=what)
            except ValueError as e:
                raise SceneError(str(e)) from None
            _check_range(name, arr, what, 0)
            return value
        if _checks.is_real(value):
            v = _checks.number(value, what)
            _check_range(name, np.array([v]), what, None)
            return v
        raise SceneTypeError(f"{what}: expected a real number, a numpy array of shape ({self._scene.frame_count},) "
                             f"(one value per frame), a callable of time or keyframes (Layer.animate), got "
                             f"{type(value).__name__} {value!r}")

    def animate(self, name: PropertyName, keyframes: Keyframes, easing: EasingLike = "linear") -> "Layer":
        """Animate property ``name`` through ``keyframes``: ``[(t_seconds, value), ...]`` or
        ``(t, value, easing)`` to give the segment starting at that keyframe its own easing.
        ``easing`` (default for all segments): a name from :data:`reelforge.easing.NAMES` or an
        easing object (``cubic_bezier``, ``spring``). Times are scene seconds, strictly increasing.
        Raises SceneError for an unknown property or easing, keyframes out of order, NaN/inf, or a
        keyframe value outside the property's range (see :meth:`set`)."""
        return self._animate(name, keyframes, easing)

    def _animate(self, name: str, keyframes: Keyframes, easing: EasingLike) -> "Layer":
        self._check_prop(name)
        if name == "crop":
            raise SceneError(f"{self._what('crop')}: animate crop_left, crop_top, crop_right or crop_bottom instead")
        if name == "border_color":
            _composition.animate_border_color(self, keyframes, easing)
            return self
        kf = _Keyframes.checked(keyframes, easing, self._what(name))
        for i, k in enumerate(kf.keyframes):
            _check_range("scale_x" if name == "scale" else name, np.array([float(k[1])]), self._what(name), None,
                         where=f"keyframe {i}")
        self._set(name, kf)
        return self

    def add_effect(self, effect: "Effect") -> "Layer":
        """Append ``effect`` (a :mod:`reelforge.effects` object: GaussianBlur, DropShadow, Glow,
        ColorAdjust, Grayscale, Sepia, Invert, LUT, ChromaKey, Shader) to this layer's chain; effects
        apply in the order added. Raises SceneTypeError for anything else. Returns the layer."""
        from .effects import Effect
        if not isinstance(effect, Effect):
            raise SceneTypeError(f"layer {self.name!r}: add_effect needs a reelforge.effects object (e.g. "
                                 f"rf.effects.GaussianBlur(8)), got {type(effect).__name__} {effect!r}")
        self.effects.append(effect)
        return self

    def set_time_remap(self, remap: "_timeremap.RemapValue", easing: EasingLike = "linear") -> "Layer":
        """Map scene time to source time for a video layer (speed ramps, holds, freeze frames).

        Each frame shows the source frame normal playback would show at that source time (the
        latest with pts <= it); the layer's audio (``add_video(audio=True)``) follows the map
        (see :mod:`reelforge.timeremap`). The layer keeps its span: give ``add_video`` an
        ``end`` for a ramp that outlasts the source.

        Parameters
        ----------
        remap : keyframes, array or callable
            Source seconds (from the file's start; ``trim_start`` is not added) as a function of
            scene time ``t`` in seconds: keyframes ``[(t, source_seconds[, easing]), ...]``
            (``t`` strictly increasing; the value holds before the first and after the last), a
            float array of shape ``(scene.frame_count,)`` (one value per frame) or a callable
            ``f(t)`` (given a float64 array of frame times it returns one value per time; a
            scalar-only callable is called once per frame). Values must be finite and >= 0; past
            the source's end the last frame holds. Sampled once in ``Scene.compile()``.
        easing : str or easing object
            Default easing of keyframe segments (see :meth:`animate`).

        Returns
        -------
        Layer
            This layer (chainable).

        Raises
        ------
        SceneError
            Not a video layer, combined with ``speed``/``reverse``/``loop``/``freeze_at``, bad
            keyframes, or a negative / non-finite source time (the frame is named).
        SceneTypeError
            ``remap`` of another type.
        """
        return _timeremap.set_time_remap(self, remap, easing)


    def set_mask(self, mask_layer: "Layer | None", mode: _types.MaskMode = "alpha", invert: bool = False,
                 feather: PropertyValue = 0.0) -> "Layer":
        """Show this layer only where ``mask_layer`` is opaque or bright (W3C CSS Masking Level 1,
        ``mask-mode``).

        Parameters
        ----------
        mask_layer : Layer or None
            Any layer of this scene (solid, image, video, text, nested scene, group), positioned
            and animated in canvas space as usual. It leaves the stack: a mask is not drawn itself.
            None removes the mask.
        mode : {"alpha", "luma"}, default "alpha"
            The matte: the mask's alpha, or its luminance ``0.2125 R + 0.7154 G + 0.0721 B``
            times alpha (sRGB-encoded values in 0..1, i.e. of the premultiplied colour).
        invert : bool, default False
            Use ``1 - matte``.
        feather : float, array of shape (frame_count,), callable of t, default 0.0
            Pixels (layer-local, >= 0): standard deviation of a Gaussian blur of the matte
            (separable, taps out to 3 sigma, edges clamped). The property ``mask_feather``: it can
            be animated later like any other.

        Returns
        -------
        Layer
            This layer (chainable). Its premultiplied colour is multiplied by the matte where it
            lands on the canvas.

        Raises
        ------
        SceneTypeError
            ``mask_layer`` is not a Layer; ``invert`` is not a bool.
        SceneError
            A mask from another scene, the layer itself, an unknown mode or a negative feather.
        """
        return _composition.set_mask(self, mask_layer, mode, invert, feather)

    def _compile_generated(self, c: "_core.Layer", t: "_core.LayerTrack") -> None:
        """Generated layers (reelforge.shapes, reelforge.svg) attach their generator to the compiled
        layer ``c`` and may set its track ``t``'s size tables here; other layers have nothing to do."""

    def _sample(self, name: str, default: float, start: int, end: int) -> np.ndarray:
        """Values of property ``name`` for frames ``start..end-1`` (float64), or one value when it
        is a constant. Raises SceneError naming the layer, property and first bad frame."""
        v = self._props.get(name, default)
        what = self._what(name)
        try:
            if isinstance(v, _Keyframes):
                out = _anim.sample_keyframes(v.keyframes, self._scene._times(start, end), v.easing, what=what)
            elif isinstance(v, FrameSource):  # computed from the whole scene (audio features)
                out = _anim.per_frame_array(v.frame_values(self._scene), self._scene.frame_count, what=what)[start:end]
            elif callable(v):
                out = _anim.as_frame_array(v, self._scene._times(start, end), what=what)
            elif _is_per_frame(v):
                out = _anim.per_frame_array(v, self._scene.frame_count, what=what)[start:end]
            else:
                out = _anim.as_frame_array(v, np.zeros(1), what=what)
        except ValueError as e:
            raise SceneError(str(e)) from e.__cause__
        _check_range(name, out, what, start if out.size > 1 or callable(v) else None)
        return out


def _is_per_frame(value: object) -> bool:
    return isinstance(value, (list, tuple)) or (isinstance(value, np.ndarray) and value.ndim > 0)


def _check_range(prop: str, values: np.ndarray, what: str, first_frame: int | None, where: str = "") -> None:
    """Raise SceneError if any of ``values`` (float64, finite) is outside ``prop``'s valid range:
    :data:`_RANGES`, else float32's. ``first_frame``: frame index of ``values[0]`` (None: a constant)."""
    lo, hi = _RANGES.get(prop, (None, None))
    lo = -_checks.FLOAT32_MAX if lo is None else lo
    hi = _checks.FLOAT32_MAX if hi is None else hi
    bad = np.flatnonzero((values < lo) | (values > hi))
    if not bad.size:
        return
    i = int(bad[0])
    at = where or ("" if first_frame is None else f"at frame {first_frame + i}")
    hint = {"width": "; mirror with a negative scale_x instead", "height": "; mirror with a negative scale_y instead"}.get(
        prop, "; an overshooting easing (spring, cubic_bezier y outside 0..1) can leave this range"
        if prop.startswith("crop_") else "")
    raise SceneError(f"{what}: value {values[i]:g} {at} is outside {lo:g}..{hi:g}{hint}".replace("  ", " "))


class _Keyframes:
    __slots__ = ("keyframes", "easing")

    def __init__(self, keyframes: list[Any], easing: EasingLike):
        self.keyframes = keyframes
        self.easing = easing

    @classmethod
    def checked(cls, keyframes: object, easing: object, what: str) -> "_Keyframes":
        """Validated now so errors point at the call that caused them (SceneError naming ``what``)."""
        if isinstance(keyframes, (str, bytes, dict)):
            keyframes = None
        try:
            kf = list(keyframes)  # type: ignore[call-overload]  # any object: a TypeError is reported below
        except TypeError:
            raise SceneError(f"{what}: keyframes must be a list of (t_seconds, value) pairs, "
                             f"got {keyframes!r}") from None
        try:
            eased = _easing.get(easing)
        except (ValueError, TypeError) as e:
            raise SceneError(f"{what}: {e}") from None
        try:
            _anim.sample_keyframes(kf, np.zeros(1), easing, what=what)
        except ValueError as e:
            raise SceneError(str(e)) from None
        return cls(kf, easing if isinstance(easing, str) else eased)  # type: ignore[arg-type]  # str: checked by get


class AudioClip:
    """An audio clip on the timeline (returned by :meth:`Scene.add_audio`).

    ``start`` (timeline seconds), ``trim_start`` (seconds into the source), ``duration`` (seconds,
    None = until the source ends), ``gain_db`` (dB), ``fade_in``/``fade_out`` (seconds, linear gain
    ramps), ``loop``. ``animate("gain_db", keyframes, easing)`` keyframes the gain per frame;
    ``set("gain_db", value)`` takes a constant, a per-frame array, a callable of time or a
    :class:`~reelforge.frame_source.FrameSource`; ``duck_under(...)`` ducks it under other clips
    (see :mod:`reelforge._audio_dynamics`).
    """

    def __init__(self, scene: "Scene", path: str, start: float, trim_start: float, duration: float | None,
                 gain_db: float, fade_in: float, fade_out: float, loop: bool):
        self._scene = scene
        self.path = path
        self.start = start
        self.trim_start = trim_start
        self.duration = duration
        self.gain_db = gain_db
        self.fade_in = fade_in
        self.fade_out = fade_out
        self.loop = loop
        self._gain: Any = None  # keyframes, or a table/callable/source (reelforge._audio_dynamics)
        self._duck: Any = None
        self._remap_layer: Layer | None = None  # set by add_video(audio=True): follows its time remap

    def __repr__(self) -> str:
        return f"<AudioClip {os.path.basename(self.path)!r} at {self.start}s>"

    def _what(self) -> str:
        return f"audio clip {os.path.basename(self.path)!r} property 'gain_db'"

    def animate(self, name: Literal["gain_db"], keyframes: Keyframes, easing: EasingLike = "linear") -> "AudioClip":
        """Keyframe ``gain_db`` (dB, within :data:`GAIN_DB_RANGE`) over scene time; see
        :meth:`Layer.animate`. Raises SceneError naming the clip for bad keyframes."""
        if name != "gain_db":
            raise SceneError(f"audio clip {self.path!r}: only 'gain_db' can be animated, not {name!r}")
        kf = _Keyframes.checked(keyframes, easing, self._what())
        lo, hi = GAIN_DB_RANGE
        for i, k in enumerate(kf.keyframes):
            _checks.number(k[1], f"{self._what()} keyframe {i} value", unit="dB", minimum=lo, maximum=hi)
        self._gain = kf
        return self

    def set(self, name: str, value: object) -> "AudioClip":
        """Set ``gain_db``: see :func:`reelforge._audio_dynamics.set_gain`. Returns the clip."""
        from . import _audio_dynamics
        return _audio_dynamics.set_gain(self, name, value)

    def duck_under(self, keys: "AudioClip | Sequence[AudioClip]", amount_db: float = -12.0,
                   threshold_db: float = -30.0, attack: float = 0.05, release: float = 0.4,
                   hold: float = 0.0) -> "AudioClip":
        """Duck this clip under ``keys``: see :func:`reelforge._audio_dynamics.duck_under`."""
        from . import _audio_dynamics
        return _audio_dynamics.duck_under(self, keys, amount_db, threshold_db, attack, release, hold)

    def _gain_table(self, times: np.ndarray) -> np.ndarray:
        """The keyframed gain (dB) at every frame time, float32."""
        if not isinstance(self._gain, _Keyframes):
            from . import _audio_dynamics
            return _audio_dynamics.gain_table(self, times)
        try:
            g = _anim.sample_keyframes(self._gain.keyframes, times, self._gain.easing, what=self._what())
        except ValueError as e:
            raise SceneError(str(e)) from None
        lo, hi = GAIN_DB_RANGE
        bad = np.flatnonzero((g < lo) | (g > hi))
        if bad.size:
            raise SceneError(f"{self._what()}: {g[bad[0]]:g} dB at frame {bad[0]} is outside {lo:g}..{hi:g} dB "
                             f"(an overshooting easing can leave the keyframes' range)")
        return g.astype(np.float32)


class Scene:
    """A video timeline: canvas size, frame rate, duration, layers (bottom to top) and audio.

    Args:
        width, height: canvas size in pixels (int); both even (4:2:0 chroma subsampling halves
            them), at most 16384.
        fps: frames per second: int, float or ``Fraction`` (e.g. ``Fraction(30000, 1001)``), in
            (0, 1000]. Strings are refused.
        duration: seconds (a number), > 0; at most :data:`MAX_FRAMES` frames.
        background: canvas colour under all layers (default opaque black).

    ``frame_count == round(duration * fps)``; frame ``i`` shows time ``i / fps`` seconds.
    Raises SceneError (a ValueError) for invalid values, SceneTypeError (also a TypeError) for
    values of the wrong type.
    """

    def __init__(self, width: int, height: int, fps: FpsLike = 30, duration: float = 10.0,
                 background: ColorLike = (0, 0, 0, 255)):
        self.width, self.height = _check_size(width, "width"), _check_size(height, "height")
        self.fps = parse_fps(fps)
        self.duration = _check_duration(duration)
        self._check_frame_count()
        self.background = parse_color(background, "background")
        self.layers: list[Layer] = []
        self.audio: list[AudioClip] = []
        #: Transitions between layers (add_transition; reelforge.transitions.LayerTransition).
        self.transitions: list[_transitions.LayerTransition] = []
        #: Exporter keyword arguments kept with the scene (a JSON document's "export"; reelforge.serialize).
        self.export_settings: dict[str, Any] = {}

    def _check_settings(self) -> int:
        """Re-check what a script may have changed since construction (``width``, ``height``,
        ``fps``, ``duration``, ``background`` as straight RGBA in 0..1); returns frame_count."""
        self.width, self.height = _check_size(self.width, "width"), _check_size(self.height, "height")
        self.fps = parse_fps(self.fps)
        self.duration = _check_duration(self.duration)
        self.background = _unit_rgba(self.background, "background")
        return self._check_frame_count()

    def _check_frame_count(self) -> int:
        n = self.frame_count
        if n < 1:
            raise SceneError(f"duration {self.duration}s at {self.fps} fps gives no frames; use duration >= "
                             f"{float(1 / self.fps):.6g}s")
        if n > MAX_FRAMES:
            raise SceneError(
                f"duration {self.duration:g}s at {self.fps} fps is {n:,} frames, more than the {MAX_FRAMES:,} "
                f"(MAX_FRAMES) a scene may have: compile() builds per-frame tables for them. Use a shorter "
                f"duration, or render the programme as several scenes and join the files")
        return n

    @property
    def frame_count(self) -> int:
        """Number of frames: ``round(duration * fps)``."""
        return int(round(Fraction(self.duration) * self.fps))

    def _times(self, start: int, end: int) -> np.ndarray:
        """Presentation times (seconds, float64) of frames ``start..end-1``."""
        return np.arange(start, end, dtype=np.float64) * (self.fps.denominator / self.fps.numerator)

    def frame_times(self) -> np.ndarray:
        """Presentation time (seconds) of every frame: float64 array of shape ``(frame_count,)``."""
        return self._times(0, self.frame_count)

    def time_to_frame(self, t: float) -> int:
        """Index of the frame on screen at ``t`` seconds (floor(t * fps)), clamped to the scene."""
        t = _seconds(t, "t")
        return min(self.frame_count - 1, int(math.floor(Fraction(t) * self.fps)))

    def _first_frame(self, t: float) -> int:
        """First frame whose time is >= ``t`` seconds (tolerating float error in ``t``)."""
        return max(0, math.ceil(Fraction(t) * self.fps - Fraction(1, 10**6)))

    # -- layers -------------------------------------------------------------------------------
    def _span(self, name: str, start: object, end: object) -> tuple[float, float | None]:
        """Checked ``(start, end)`` of layer ``name``: the layer must show at least one frame."""
        start = _seconds(start, f"layer {name!r} start")
        end = _check_time(end, f"layer {name!r} end", allow_none=True)
        n = self.frame_count
        if self._first_frame(start) >= n:
            last = math.floor((n - 1) * self.fps.denominator / self.fps.numerator * 1e6) / 1e6
            raise SceneError(f"layer {name!r} start={start}s is outside the scene: the last frame ({n - 1}) is "
                             f"shown at {last}s (duration {self.duration}s at {self.fps} fps); use start <= {last}")
        if end is not None and end <= start:
            raise SceneError(f"layer {name!r}: end ({end}s) must be after start ({start}s)")
        return start, end

    def _name(self, name: object, base: str) -> str:
        if name is None:
            return f"{base}{len(self.layers)}"
        if not isinstance(name, str):
            raise SceneTypeError(f"layer name must be a str, got {type(name).__name__} {name!r}")
        return name

    def add_solid(self, color: "ColorLike | Gradient", *, start: float = 0.0, end: float | None = None,
                  x: PropertyValue = 0, y: PropertyValue = 0, width: PropertyValue | None = None,
                  height: PropertyValue | None = None, opacity: PropertyValue = 1.0,
                  name: str | None = None) -> Layer:
        """Add a rectangle of one colour (default: covering the whole canvas).

        ``width``/``height`` in pixels (None = canvas size). ``color`` may also be a
        :class:`reelforge.LinearGradient` / :class:`reelforge.RadialGradient` (points relative to the
        solid's top-left corner): the solid is then a shape layer (:mod:`reelforge.shapes`).
        Returns the :class:`Layer`."""
        from . import shapes as _shapes
        if isinstance(color, (_shapes.LinearGradient, _shapes.RadialGradient)):
            return _shapes.gradient_solid(self, color, start=start, end=end, x=x, y=y, width=width, height=height,
                                          opacity=opacity, name=name)
        name = self._name(name, "solid")
        start, end = self._span(name, start, end)
        layer = Layer(self, _core.LayerKind.SOLID, name, start, end, x=x, y=y,
                      width=self.width if width is None else width,
                      height=self.height if height is None else height, opacity=opacity)
        layer.color = parse_color(color, f"layer {name!r} color")
        self.layers.append(layer)
        return layer

    def add_image(self, source: PathLike | np.ndarray, *, start: float = 0.0, end: float | None = None,
                  x: PropertyValue = 0, y: PropertyValue = 0, width: PropertyValue | None = None,
                  height: PropertyValue | None = None, opacity: PropertyValue = 1.0, name: str | None = None) -> Layer:
        """Add a still image: a file path (PNG, JPEG, WebP, ... decoded by FFmpeg) or a numpy
        ``uint8`` array of shape ``(h, w, 4)`` (straight RGBA) or ``(h, w, 3)`` (RGB), at most
        16384 pixels a side.

        ``width``/``height`` scale it (pixels; None = source size; one constant given keeps the
        aspect ratio). Raises MediaNotFoundError / MediaError for missing or unreadable files.
        An SVG file (``.svg``/``.svgz``) is rendered by librsvg at the displayed size, re-rasterised
        when that changes (cached per size), so it stays crisp when scaled up
        (:mod:`reelforge.svg`; source size: its width/height at 96 dpi, else its viewBox)."""
        name = self._name(name, "image")
        start, end = self._span(name, start, end)
        from . import svg as _svg
        if _svg.is_svg_source(source):
            return _svg.add_svg(self, source, name=name, start=start, end=end, x=x, y=y, width=width,
                                height=height, opacity=opacity)
        layer = Layer(self, _core.LayerKind.IMAGE, name, start, end, x=x, y=y, opacity=opacity)
        if isinstance(source, np.ndarray):
            img = _as_rgba(source, f"layer {name!r} image")
            layer.image = img
            sw, sh = img.shape[1], img.shape[0]
        else:
            layer.path = _check_path(source, f"layer {name!r}")
            info = _core.probe(layer.path)
            if not info.has_video:
                raise SceneError(f"layer {name!r}: {layer.path!r} contains no picture")
            sw, sh = info.width, info.height
            if sw <= 0 or sh <= 0:
                raise MediaError(f"layer {name!r}: cannot read a picture from {layer.path!r}")
        _set_size(layer, width, height, sw, sh)
        self.layers.append(layer)
        return layer

    def add_shape(self, shape: "Shape", *, fill: "ShapeColor | Gradient | None" = (255, 255, 255, 255),
                  stroke: "ShapeColor | Gradient | None" = None, stroke_width: PropertyValue = 0.0,
                  start: float = 0.0, end: float | None = None, x: PropertyValue = 0, y: PropertyValue = 0,
                  opacity: PropertyValue = 1.0, name: str | None = None, **style: Any) -> "ShapeLayer":
        """Add a vector shape (:mod:`reelforge.shapes`: ``Rect``, ``Ellipse``, ``Line``, ``Polygon``,
        ``Path``) rasterised by cairo at its displayed size, antialiased.

        ``fill``/``stroke``: a colour (see :func:`parse_color`), a ``LinearGradient`` /
        ``RadialGradient`` or None; ``stroke_width`` in pixels (animatable, like ``stroke_start`` /
        ``stroke_end``: fractions 0..1 of the outline's length, for draw-on animations). ``x``/``y``:
        canvas pixels of the shape's origin. ``style``: ``join`` ("miter" | "round" | "bevel"),
        ``cap`` ("butt" | "round" | "square"), ``dash`` (on, off, ... pixels), ``dash_offset``
        (pixels), ``miter_limit`` (>= 1, SVG's default 4). Returns the
        :class:`reelforge.shapes.ShapeLayer`. Raises SceneError / SceneTypeError naming the argument."""
        from . import shapes as _shapes
        return _shapes.add_shape(self, shape, fill=fill, stroke=stroke, stroke_width=stroke_width, start=start,
                                 end=end, x=x, y=y, opacity=opacity, name=name, **style)

    def add_video(self, path: PathLike, *, start: float = 0.0, trim_start: float = 0.0, end: float | None = None,
                  x: PropertyValue = 0, y: PropertyValue = 0, width: PropertyValue | None = None,
                  height: PropertyValue | None = None, opacity: PropertyValue = 1.0, audio: bool = False,
                  gain_db: float = 0.0, name: str | None = None, autorotate: bool = True,
                  on_decode_error: DecodeErrorPolicy = "hold", speed: float = 1.0, reverse: bool = False,
                  freeze_at: float | None = None, loop: bool = False, preserve_pitch: bool = True) -> Layer:
        """Add a video file, decoded sequentially by FFmpeg.

        ``trim_start``: seconds into the source shown at ``start``. The layer ends with the source
        (or at ``end``, holding the last frame if the source is shorter). ``audio=True`` also adds
        the file's audio track as a clip (``gain_db`` in dB), keeping the file's own A/V offset.
        ``width``/``height`` scale it (pixels; None = the source's display size: coded width x
        sample aspect ratio, by coded height, turned as the display matrix says). ``autorotate``:
        show the picture as the stream's display matrix says (rotation by multiples of 90 degrees
        and flips, as ffmpeg's autorotate; the source size is then the displayed one, e.g. a
        1920x1080 phone clip tagged 90 degrees is 1080x1920); False shows the decoded picture as
        coded. ``on_decode_error``: ``"hold"`` (default) skips damaged source data as ffmpeg does,
        showing the last good frame and logging a warning (logger ``reelforge``) naming the file and
        time; ``"raise"`` raises MediaError there instead (strict pipelines). Raises
        MediaNotFoundError / MediaError for missing or unreadable files, SceneError for times
        outside the scene, a ``trim_start`` past the end of the file or an unknown
        ``on_decode_error``.

        Time remapping (:mod:`reelforge.timeremap`; also :meth:`Layer.set_time_remap`):
        ``speed`` (> 0, at most 1000; source seconds per second: 2.0 plays twice as fast, 0.5 in
        slow motion), ``reverse`` (play ``[trim_start, end)`` of the source backwards),
        ``freeze_at`` (source seconds: that one frame for the layer's span), ``loop`` (restart
        at ``trim_start`` whenever the source ends). Without ``end`` the layer lasts
        ``(duration - trim_start) / speed`` seconds, or to the scene's end for ``loop`` and
        ``freeze_at``. The audio follows: ``preserve_pitch=True`` keeps its pitch at any speed
        (libavfilter ``atempo``; Rubber Band for ramps), False resamples it (varispeed: 2x is an octave up); reversed
        video plays reversed audio; a freeze is silent. Raises SceneError naming the parameter
        for speed <= 0, ``freeze_at`` past the source's end or combined with speed, reverse or
        loop, and reverse/loop on a source without a known duration; SceneTypeError for
        non-numbers and non-bools."""
        name = self._name(name, "video")
        if on_decode_error not in ("hold", "raise"):
            raise SceneError(f"layer {name!r}: on_decode_error must be 'hold' or 'raise', got {on_decode_error!r}")
        start, end = self._span(name, start, end)
        trim_start = _seconds(trim_start, f"layer {name!r} trim_start")
        audio = _check_bool(audio, f"layer {name!r} audio")
        lo, hi = GAIN_DB_RANGE
        gain_db = _checks.number(gain_db, f"layer {name!r} gain_db", unit="dB", minimum=lo, maximum=hi,
                                 example="gain_db=-6.0")
        p = _check_path(path, f"layer {name!r}")
        info = _core.probe(p)
        if not info.has_video or info.is_image:
            raise SceneError(f"layer {name!r}: {p!r} has no video stream (use add_image for pictures)")
        if info.duration > 0 and trim_start >= info.duration:
            raise SceneError(f"layer {name!r}: trim_start {trim_start}s is past the end of {p!r} "
                             f"({info.duration:.3f}s long); use trim_start < {info.duration:.3f}")
        remap = _timeremap.from_options(name, speed=speed, reverse=reverse, loop=loop, freeze_at=freeze_at,
                                        preserve_pitch=preserve_pitch, trim_start=trim_start,
                                        source_duration=info.duration)
        if end is None and not remap.identity:
            end = _timeremap.natural_end(remap, start, trim_start)
        elif end is None and info.duration > 0:
            end = start + info.duration - trim_start
        layer = Layer(self, _core.LayerKind.VIDEO, name, start, end, x=x, y=y, opacity=opacity)
        layer._remap = remap
        layer.path = p
        layer.trim_start = trim_start
        layer.autorotate = _check_bool(autorotate, f"layer {name!r} autorotate")
        layer.on_decode_error = on_decode_error
        # Default size: the display size, width x sample aspect ratio (anamorphic sources), then
        # turned by the display matrix.
        src_w, src_h = (info.width & ~1) * info.sar_num / info.sar_den, info.height & ~1
        if layer.autorotate and info.rotation in (90, 270):
            src_w, src_h = src_h, src_w
        _set_size(layer, width, height, src_w, src_h)
        if audio and not info.has_audio:
            raise MediaError(f"layer {name!r}: audio=True but {p!r} has no audio stream")
        self.layers.append(layer)
        if audio:
            dur = None if end is None else end - start
            clip = self.add_audio(p, start=start, trim_start=trim_start, duration=dur, gain_db=gain_db)
            clip._remap_layer = layer  # a remapped layer's audio follows its map (timeremap.compile_clip)
        return layer

    def add_scene(self, other: "Scene", *, start: float = 0.0, trim_start: float = 0.0, end: float | None = None,
                  x: float = 0, y: float = 0, width: float | None = None, height: float | None = None,
                  opacity: float = 1.0, name: str | None = None) -> Layer:
        """Add another scene as a layer: a nested composition (any depth).

        ``other`` keeps its own size, frame rate and background and is rendered at its own size,
        then shown like a picture of that size, with every layer property, mask and style.

        Parameters
        ----------
        other : Scene
            The nested scene. It is compiled with this one (edits to it show at the next compile).
        start : float, default 0.0
            Seconds on this scene's timeline where the layer appears.
        trim_start : float, default 0.0
            Seconds into ``other`` shown at ``start``; ``0 <= trim_start < other.duration``.
        end : float or None
            Seconds where the layer ends; None: when ``other`` ends (``start + other.duration -
            trim_start``). After ``other``'s last frame the layer holds it.
        x, y : float
            Canvas pixels of the anchor point (top-left by default).
        width, height : float or None
            Displayed size in pixels; None: ``other``'s size (one given keeps the aspect ratio).
        opacity : float, default 1.0
            0..1.
        name : str or None
            Layer name (default ``"scene<n>"``).

        Returns
        -------
        Layer
            A layer of kind ``COMPOSITION``.

        Notes
        -----
        At scene time ``t`` the layer shows ``other``'s frame for time ``t - start + trim_start``:
        the latest frame whose time is <= that (the rule video layers follow). ``other``'s audio
        clips join this scene's mix, shifted by ``start - trim_start`` and cut to the time the layer
        shows (and to ``other``'s duration).

        Raises
        ------
        SceneTypeError
            ``other`` is not a :class:`Scene`.
        SceneError
            ``other`` is this scene, or contains it (at compile); bad times; ``trim_start`` past
            ``other``'s duration.
        """
        return _composition.add_scene(self, other, start=start, trim_start=trim_start, end=end, x=x, y=y,
                                      width=width, height=height, opacity=opacity, name=name)

    def add_group(self, layers: Sequence[Layer], *, name: str | None = None) -> Layer:
        """Group layers into one isolated layer (CSS ``isolation: isolate``, an After Effects
        pre-composition).

        The members are composited together first (in their stacking order, each with its own
        blend mode, over transparency); the group's own transform, opacity, blend mode, mask and
        style then apply to the flattened result. So ``opacity=0.5`` on a group of overlapping
        layers shows them at half opacity without one showing through the other.

        Parameters
        ----------
        layers : sequence of Layer
            Layers of this scene's stack (not already grouped or used as a mask). They leave the
            stack and keep their own timing and properties (canvas pixels, scene seconds).
        name : str or None
            Layer name (default ``"group<n>"``).

        Returns
        -------
        Layer
            The group: a ``COMPOSITION`` layer covering the canvas (``x=0, y=0``, the scene's
            ``width`` x ``height`` pixels; anchor, scale and rotation apply to that), shown from
            its earliest member's start to its latest member's end, at the stack position of its
            topmost member.

        Raises
        ------
        SceneTypeError
            ``layers`` is not a sequence of layers.
        SceneError
            An empty list, a layer listed twice, or one not in this scene's stack.
        """
        return _composition.add_group(self, layers, name=name)

    def add_transition(self, a: Layer, b: Layer, transition: "_transitions.Transition", *, duration: float,
                       audio: _types.TransitionAudio = "equal_power") -> "_transitions.LayerTransition":
        """Blend layer ``a`` into layer ``b`` over their overlap with ``transition``.

        ``b`` is moved (its start and end shifted by the same amount, with the audio clip of an
        ``add_video(audio=True)`` layer) to start ``duration`` seconds before ``a`` ends. Over the
        overlap both layers are rendered on their own (transforms, effects, masks) over the whole
        canvas and blended by the transition's shader, drawn at ``a``'s place in the stack; the
        audio of video layers crossfades over the same span.

        Parameters
        ----------
        a, b : Layer
            Layers of this scene (any kind: video, image, solid, text, shape, nested scene,
            group); ``a`` needs an end.
        transition : reelforge.transitions.Transition
            ``Crossfade()``, ``Dip(color)``, ``Wipe(direction, softness)``, ``Slide(direction)``,
            ``Push(direction)``, ``Zoom()``, ``Iris(softness)`` or ``Shader(source)``.
        duration : float
            Seconds of overlap, > 0, at most ``a``'s and ``b``'s (moved) spans.
        audio : {"equal_power", "linear", "none"}, optional
            Crossfade of the layers' audio clips: equal power (``a`` by cos(pi/2 t), ``b`` by
            sin(pi/2 t), t = 0..1 over the overlap), linear (1 - t, t), or none.

        Returns
        -------
        reelforge.transitions.LayerTransition
            The record kept in ``scene.transitions``.

        Raises
        ------
        SceneError
            Naming the parameter: ``a`` without an end, ``duration`` <= 0 or longer than either
            layer, ``a``/``b`` not layers of this scene or already in a transition on that side,
            ``b`` a group or animated in scene time (keyframes, callables, per-frame arrays of
            its properties or its effects' parameters do not move with it: call this before
            animating ``b``) when it has to move.
        SceneTypeError
            ``transition`` is not a transition object.
        """
        return _transitions.add_transition(self, a, b, transition, duration=duration, audio=audio)

    def add_audio(self, path: PathLike, *, start: float = 0.0, trim_start: float = 0.0, duration: float | None = None,
                  gain_db: float = 0.0, fade_in: float = 0.0, fade_out: float = 0.0, loop: bool = False) -> AudioClip:
        """Add an audio clip (any FFmpeg-readable file with an audio stream).

        ``start``: timeline seconds; ``trim_start``: seconds into the source (before its end);
        ``duration``: seconds to play (None = to the end of the source, or of the scene with
        ``loop``); ``gain_db``: dB within :data:`GAIN_DB_RANGE`; ``fade_in``/``fade_out``: seconds;
        ``loop``: bool. Mixed at 48 kHz stereo float.
        Raises MediaNotFoundError, MediaError (no audio stream), SceneError (bad times, or
        ``trim_start`` past the end of the file: the message gives its duration), SceneTypeError
        (e.g. ``gain_db="loud"``)."""
        p = _check_path(path, "audio clip")
        what = f"audio clip {p!r}"
        start, trim_start, duration, gain_db, fade_in, fade_out, loop = _clip_args(
            self, what, start, trim_start, duration, gain_db, fade_in, fade_out, loop)
        info = _core.probe(p)
        if not info.has_audio:
            raise MediaError(f"audio clip: {p!r} has no audio stream")
        if info.duration > 0 and trim_start >= info.duration:
            raise SceneError(f"{what}: trim_start {trim_start}s is past the end of the file ({info.duration:.3f}s "
                             f"long); use trim_start < {info.duration:.3f}")
        clip = AudioClip(self, p, start, trim_start, duration, gain_db, fade_in, fade_out, loop)
        self.audio.append(clip)
        return clip

    def add_text(self, text: "str | Sequence[str | Span]", *, font: PathLike | None = None, size_px: float = 48.0,
                 color: ColorLike = (255, 255, 255, 255), start: float = 0.0, end: float | None = None,
                 x: PropertyValue = 0, y: PropertyValue = 0, anchor: TextAnchor = "top_left",
                 align: TextAlign = "left", line_spacing: float = 1.2, opacity: PropertyValue = 1.0,
                 name: str | None = None, line_height: float | None = None, max_width: float | None = None,
                 letter_spacing: float = 0.0, weight: _types.TextWeight = "normal", stroke_width: float = 0.0,
                 stroke_color: ColorLike = (0, 0, 0, 255), shadow: Any = None, background: Any = None) -> "TextLayer":
        """Add a text layer (a :class:`reelforge.typography.TextLayer`), laid out and painted once:
        HarfBuzz shaping, FriBidi bidi, libunibreak wrapping, FreeType outline, shadow and box (see
        :func:`reelforge.text.add_text_layer` for every argument, unit and error, and
        :mod:`reelforge.typography`). The layer is an IMAGE layer holding premultiplied pixels;
        ``layer.animate_words(...)`` animates it word by word."""
        from . import typography as _typography
        return _typography.add_styled_text(
            self, text, name=name, start=start, end=end, x=x, y=y, anchor=anchor, opacity=opacity, font=font,
            size_px=size_px, color=color, align=align, line_height=line_spacing if line_height is None else line_height,
            max_width=max_width, letter_spacing=letter_spacing, weight=weight, stroke_width=stroke_width,
            stroke_color=stroke_color, shadow=shadow, background=background)

    def add_subtitles(self, path_or_cues: "PathLike | Sequence[Cue | tuple[float, float, str]]", *,
                      style: Mapping[str, Any] | None = None, start: float = 0.0,
                      name: str | None = None) -> list[Layer]:
        """Burn in subtitles: SRT/WebVTT cues as styled text layers (exact on/off frames), ASS/SSA
        through libass. See :func:`reelforge.subtitles.add_subtitles` for the arguments and errors."""
        from . import subtitles as _subtitles
        return _subtitles.add_subtitles(self, path_or_cues, style=style, start=start, name=name)

    def add_waveform(self, audio: Any = None, **options: Any) -> "AudioVisualizer":
        """Add a waveform visualiser (bars, mirror or line) of ``audio`` (a path, a clip, a scene;
        None: this scene's mix): see :func:`reelforge.audio_reactive.add_waveform`."""
        from .audio_reactive import add_waveform
        return add_waveform(self, audio, **options)

    def add_spectrum(self, audio: Any = None, **options: Any) -> "AudioVisualizer":
        """Add a spectrum visualiser (band energies as bars, mirror or line): see
        :func:`reelforge.audio_reactive.add_spectrum`."""
        from .audio_reactive import add_spectrum
        return add_spectrum(self, audio, **options)

    def preview(self, t: float = 0.0, *, max_width: int | None = 960,
                format: PreviewFormat = "png") -> "FramePreview":
        """Render the frame on screen at ``t`` seconds for inline display in Jupyter.

        Returns a :class:`reelforge.notebook.FramePreview` (shows as PNG in notebooks; ``.array`` is
        the ``(height, width, 4)`` uint8 RGBA frame). ``max_width`` (pixels) downsizes the PNG only.
        ``format="jpeg"`` sends a JPEG instead of a PNG (smaller for large frames).
        Raises SceneError for ``t`` outside the scene."""
        from .notebook import preview
        return preview(self, t, max_width=max_width, format=format)

    def player(self, **options: Any) -> "Player":
        """Interactive frame scrubber for Jupyter: see :func:`reelforge.notebook.player`."""
        from .notebook import player
        return player(self, **options)

    # -- as data (reelforge.serialize) ----------------------------------------------------------
    def to_dict(self, *, base_dir: PathLike | None = None) -> dict[str, Any]:
        """The scene as a JSON-compatible dict; see :func:`reelforge.serialize.to_dict`. Raises
        NotSerializableError (a SceneTypeError) for callable properties, naming layer and property."""
        from .serialize import to_dict
        return to_dict(self, base_dir=base_dir)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, variables: Mapping[str, Any] | None = None,
                  base_dir: PathLike | None = None) -> "Scene":
        """A scene from a document (``${name}`` filled from ``variables``); see
        :func:`reelforge.serialize.from_dict`. Raises SceneError naming the JSON path."""
        from .serialize import from_dict
        return from_dict(data, variables=variables, base_dir=base_dir)

    @classmethod
    def load(cls, path: PathLike, *, variables: Mapping[str, Any] | None = None) -> "Scene":
        """A scene from a JSON file; see :func:`reelforge.serialize.load`."""
        from .serialize import load
        return load(path, variables=variables)

    def save(self, path: PathLike, *, indent: int | None = 2) -> str:
        """Write the scene as a JSON file; see :func:`reelforge.serialize.save`. Returns the path."""
        from .serialize import save
        return save(self, path, indent=indent)

    # -- compile -------------------------------------------------------------------------------
    def compile(self) -> "_core.Timeline":
        """Evaluate every property at every frame of its layer and return the native timeline
        (pure data). Memory: one value per constant, one float32 per frame for animated values.

        Raises SceneError naming the layer and property for invalid animation values (a callable
        that raises is reported with the frame and time, its exception chained), and for a scene
        over :data:`MAX_FRAMES` frames."""
        n = self._check_settings()
        tl = _core.Timeline()
        tl.width, tl.height = self.width, self.height
        tl.fps = (self.fps.numerator, self.fps.denominator)
        tl.frame_count = n
        tl.background = list(self.background)
        layers = [self._compile_layer(layer, n) for layer in self.layers]
        clips = [self._compile_clip(clip) for clip in self.audio]
        tl.transitions = _transitions.compile_transitions(self, layers, clips)  # crossfades set on clips
        tl.layers = layers
        tl.audio = clips + _composition.nested_audio(self, n)
        tl.validate()
        return tl

    _DEFAULTS = {"x": 0.0, "y": 0.0, "anchor_x": 0.0, "anchor_y": 0.0, "scale_x": 1.0, "scale_y": 1.0,
                 "rotation": 0.0, "opacity": 1.0, "width": 0.0, "height": 0.0,
                 "crop_left": 0.0, "crop_top": 0.0, "crop_right": 0.0, "crop_bottom": 0.0}

    def _compile_layer(self, layer: Layer, n: int) -> "_core.Layer":
        # Attributes are public and scripts (notebooks) edit them: check them again here.
        c = _core.Layer()
        c.name = self._name(layer.name, "layer")
        what = f"layer {layer.name!r}"
        if not isinstance(layer.kind, _core.LayerKind):
            raise SceneTypeError(f"{what}: kind must be a reelforge._core.LayerKind, got {layer.kind!r}")
        c.kind = layer.kind
        if layer.path is not None:
            c.path = _check_path(layer.path, what)
        if layer.image is not None:
            # Text arrives premultiplied from the rasteriser; arrays are premultiplied by the core.
            premultiplied = _check_bool(layer.premultiplied, f"{what} premultiplied")
            c.image = _core_image(_as_rgba(layer.image, f"{what} image"), premultiplied)
        c.color = list(_unit_rgba(layer.color, f"{what} color"))
        start, end = self._span(layer.name, layer.start, layer.end)
        c.start_frame = self._first_frame(start)
        # Frames shown are those with start <= t < end.
        c.end_frame = n if end is None else min(n, max(c.start_frame + 1, self._first_frame(end)))
        c.trim_start = _seconds(layer.trim_start, f"{what} trim_start")
        c.autorotate = _check_bool(layer.autorotate, f"{what} autorotate")
        if layer.on_decode_error not in ("hold", "raise"):
            raise SceneError(f"{what}: on_decode_error must be 'hold' or 'raise', got {layer.on_decode_error!r}")
        c.on_decode_error = getattr(_core.DecodeErrors, layer.on_decode_error.upper())
        if not isinstance(layer.blend, str) or layer.blend not in BLEND_MODES:
            raise SceneError(f"layer {layer.name!r}: unknown blend mode {layer.blend!r}; use one of {BLEND_MODES}")
        c.blend = getattr(_core.BlendMode, layer.blend.upper())
        t = _core.LayerTrack()
        # Tables over the layer's own frames only, one value for a constant (see LayerTrack).
        for prop, d in self._DEFAULTS.items():
            arr = layer._sample(prop, d, c.start_frame, c.end_frame)
            if prop == "opacity":
                arr = np.clip(arr, 0.0, 1.0)
            arr = arr.astype(np.float32)
            if arr.size > 1 and (arr == arr[0]).all():
                arr = arr[:1]
            setattr(t, prop, arr)
        layer._compile_generated(c, t)
        c.track = t
        if c.kind == _core.LayerKind.VIDEO:
            _timeremap.compile_layer(self, layer, c)
        c.effects = [e._compile(self, layer.name, i, c.start_frame, c.end_frame) for i, e in enumerate(layer.effects)]
        _composition.compile_graph(self, layer, c, n)  # nested content, mask, corners, border
        return c

    def _compile_clip(self, clip: AudioClip) -> "_core.AudioClip":
        a = _core.AudioClip()
        a.path = _check_path(clip.path, "audio clip")
        args = _clip_args(self, f"audio clip {a.path!r}", clip.start, clip.trim_start, clip.duration, clip.gain_db,
                          clip.fade_in, clip.fade_out, clip.loop)
        a.start, a.trim_start, duration, a.gain_db, a.fade_in, a.fade_out, a.loop = args
        a.duration = -1.0 if duration is None else float(duration)
        if clip._gain is not None:
            # pybind11-stubgen types the std::vector<float> setter as a Sequence; the caster takes arrays too
            a.gain_db_per_frame = clip._gain_table(self.frame_times())  # type: ignore[assignment]
        if clip._duck is not None:
            from . import _audio_dynamics
            a.duck = _audio_dynamics.compile_ducking(self, clip)
        _timeremap.compile_clip(self, clip, a)
        return a


def _clip_args(scene: Scene, what: str, start: object, trim_start: object, duration: object, gain_db: object,
               fade_in: object, fade_out: object, loop: object) -> tuple[float, float, float | None, float, float, float, bool]:
    """An audio clip's checked placement: (start, trim_start, duration, gain_db, fade_in, fade_out, loop)."""
    start = _seconds(start, f"{what} start")
    if start >= scene.duration:
        raise SceneError(f"{what} starts at {start}s, outside the scene (duration {scene.duration}s)")
    trim_start = _seconds(trim_start, f"{what} trim_start")
    duration = _check_time(duration, f"{what} duration", allow_none=True)
    if duration is not None and duration <= 0:
        raise SceneError(f"{what}: duration must be > 0 seconds, got {duration!r}")
    lo, hi = GAIN_DB_RANGE
    gain_db = _checks.number(gain_db, f"{what} gain_db", unit="dB", minimum=lo, maximum=hi, example="gain_db=-6.0")
    fade_in = _seconds(fade_in, f"{what} fade_in")
    fade_out = _seconds(fade_out, f"{what} fade_out")
    return start, trim_start, duration, gain_db, fade_in, fade_out, _check_bool(loop, f"{what} loop")


def _check_size(v: object, what: str) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise SceneTypeError(f"{what} must be a positive integer number of pixels, got {type(v).__name__} {v!r}")
    v = int(v)
    if v <= 0:
        raise SceneError(f"{what} must be a positive integer number of pixels, got {v!r}")
    if v % 2:
        raise SceneError(f"{what}={v} is odd: 4:2:0 video (NV12/yuv420p) needs even width and height; "
                         f"use {v + 1} or {v - 1}")
    if v > 16384:
        raise SceneError(f"{what}={v} is larger than the supported 16384 pixels")
    return v


def _seconds(value: object, what: str) -> float:
    """A checked number of seconds (None refused)."""
    t = _check_time(value, what)
    assert t is not None
    return t


def _check_duration(duration: object) -> float:
    d = _seconds(duration, "duration")
    if d <= 0:
        raise SceneError(f"duration must be > 0 seconds, got {duration!r}")
    return d


def _unit_rgba(value: Any, what: str) -> tuple[float, float, float, float]:
    """A stored colour (``Layer.color``, ``Scene.background``): four straight RGBA floats in 0..1."""
    try:
        comps = tuple(float(c) for c in value if _checks.is_real(c) or _not_a_component(c))
    except (TypeError, ValueError, OverflowError):
        comps = ()
    if len(comps) != 4 or not all(0.0 <= c <= 1.0 for c in comps):
        raise SceneError(f"{what}: {value!r} is not 4 straight RGBA floats in 0..1 (the stored form; "
                         f"pass (r, g, b[, a]) in 0-255 or '#rrggbb[aa]' to parse_color() for that)")
    return comps[0], comps[1], comps[2], comps[3]


def _check_bool(value: object, what: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise SceneTypeError(f"{what} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def _set_size(layer: Layer, width: PropertyValue | None, height: PropertyValue | None, sw: float, sh: float) -> None:
    """Size a picture layer: the source size, or the given size; one constant keeps the aspect."""
    for prop, v in (("width", width), ("height", height)):
        if v is not None:
            layer._set(prop, v)
    given: dict[str, Any] = {k: layer._props[k] for k, v in (("width", width), ("height", height)) if v is not None}
    if len(given) == 1:
        (prop, v), = given.items()
        if not isinstance(v, float):
            raise SceneError(f"layer {layer.name!r}: {prop} is animated, so the aspect ratio cannot follow it; "
                             f"give both width and height (or animate scale instead)")
        if prop == "height":
            layer.set("width", sw * v / sh)
        else:
            layer.set("height", sh * v / sw)
    elif not given:
        layer.set("width", sw).set("height", sh)


def _core_image(a: np.ndarray, premultiplied: bool) -> "_core.RgbaImage":
    """The core image of a checked RGBA array: the one it views when it is a whole
    ``_core.RgbaImage.pixels`` (text: held once, shared by every compiled timeline), else a copy."""
    base = a.base
    if premultiplied and isinstance(base, _core.RgbaImage) and a.shape == (base.height, base.width, 4) \
            and a.ctypes.data == base.pixels.ctypes.data:
        return base
    return _core.RgbaImage(a, premultiplied=premultiplied)


def _as_rgba(a: object, what: str) -> np.ndarray:
    if not isinstance(a, np.ndarray):
        raise SceneTypeError(f"{what}: expected a uint8 numpy array of shape (h, w, 4) or (h, w, 3), got "
                             f"{type(a).__name__}")
    if a.dtype != np.uint8 or a.ndim != 3 or a.shape[2] not in (3, 4) or a.shape[0] < 1 or a.shape[1] < 1:
        raise SceneError(f"{what}: expected a uint8 array of shape (h, w, 4) or (h, w, 3), got "
                         f"{a.dtype} {a.shape}")
    if max(a.shape[:2]) > 16384:
        raise SceneError(f"{what}: {a.shape[1]}x{a.shape[0]} is larger than the supported 16384 pixels a side; "
                         f"downscale it first")
    if a.shape[2] == 3:
        a = np.concatenate([a, np.full(a.shape[:2] + (1,), 255, np.uint8)], axis=2)
    return np.ascontiguousarray(a)
