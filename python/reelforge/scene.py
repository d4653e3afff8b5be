"""Scene description: layers and audio clips on a timeline, compiled to per-frame tables.

Coordinates are canvas pixels with the origin at the top-left corner and y pointing down.
Times are seconds. Colours are ``(r, g, b)`` or ``(r, g, b, a)`` with 0-255 components, or
``"#rrggbb"`` / ``"#rrggbbaa"``; they are straight (non-premultiplied) sRGB-encoded values.
"""

from __future__ import annotations

import math
import os
from fractions import Fraction
from typing import Sequence

import numpy as np

from . import _checks
from . import _core
from . import animation as _anim
from . import colors as _colors
from . import easing as _easing
from . import text as _text
from .errors import MediaError, MediaNotFoundError, SceneError, SceneTypeError

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
           "crop_right": (0.0, 1.0), "crop_bottom": (0.0, 1.0)}


def parse_color(color, what: str = "color") -> tuple[float, float, float, float]:
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
    return tuple(c / 255.0 for c in comps)


def _not_a_component(c):
    raise TypeError(c)


def parse_fps(fps) -> Fraction:
    """Frame rate (int, float or Fraction; 29.97 becomes 2997/100, use Fraction(30000, 1001) for
    NTSC) -> exact Fraction in (0, 1000]. Raises SceneTypeError for strings and other non-numbers,
    SceneError for values out of range."""
    return _checks.fps(fps)


def _check_time(value, what: str, *, allow_none=False, minimum=0.0) -> float | None:
    return _checks.seconds(value, what, allow_none=allow_none, minimum=minimum)


def _check_path(path, what: str) -> str:
    try:
        p = os.fspath(path)
    except TypeError:
        raise SceneTypeError(f"{what}: a file path (str or os.PathLike) is needed, got {type(path).__name__} "
                             f"{path!r}") from None
    if isinstance(p, bytes):
        p = os.fsdecode(p)
    if not p or "\0" in p:
        raise SceneError(f"{what}: {p!r} is not a valid file path")
    if not os.path.exists(p):
        raise MediaNotFoundError(f"{what}: media file not found: {p!r}")
    if not os.path.isfile(p):
        raise SceneError(f"{what}: {p!r} is not a file")
    return p


class Layer:
    """A visual layer of a :class:`Scene` (returned by ``Scene.add_*``; do not build directly).

    Properties (see :data:`PROPERTIES`) are constants, keyframes (:meth:`animate`), callables of
    time or per-frame arrays (:meth:`set`). ``blend`` is one of :data:`BLEND_MODES`
    (W3C Compositing and Blending Level 1). ``image`` holds an IMAGE layer's pixels: straight
    RGBA for arrays given to :meth:`Scene.add_image`, premultiplied when ``premultiplied`` is True
    (text layers, which the rasteriser produces premultiplied).
    """

    def __init__(self, scene: "Scene", kind, name: str, start: float, end: float | None, **props):
        self._scene = scene
        self.kind = kind
        self.name = name
        self.start = start
        self.end = end
        self.blend = "normal"
        self.path: str | None = None
        self.image: np.ndarray | None = None
        self.premultiplied = False
        self.color = (1.0, 1.0, 1.0, 1.0)
        self.trim_start = 0.0
        self.autorotate = True
        self.on_decode_error = "hold"
        self._props: dict[str, object] = {}
        for k, v in props.items():
            if v is not None:
                self.set(k, v)

    def __repr__(self):
        return f"<Layer {self.name!r} {self.kind.name.lower()} {self.start}s..{self.end}s>"

    def _what(self, prop: str) -> str:
        return f"layer {self.name!r} property {prop!r}"

    def _check_prop(self, name: str):
        if not isinstance(name, str) or name not in PROPERTIES:
            raise SceneError(f"layer {self.name!r}: unknown property {name!r}; animatable properties are "
                             f"{', '.join(PROPERTIES)}")

    def set(self, name: str, value) -> "Layer":
        """Set property ``name`` to a constant, a per-frame ``float`` array of shape
        ``(scene.frame_count,)``, or a callable ``f(t)`` of time in seconds (given a float64 array of
        the times of the frames where the layer is shown, it must return an array of the same
        shape; scalar-only callables are called once per frame).

        Constants and arrays are checked now, callables at ``compile()``: values must be finite
        (and fit float32); ``width``/``height`` >= 0 pixels; crop fractions in 0..1; opacity is
        clamped to 0..1. Raises SceneError (SceneTypeError for a wrong type) naming the layer and
        property. Returns the layer (chainable)."""
        self._check_prop(name)
        if name == "scale":
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

    def _checked(self, name: str, value):
        """``value`` as stored: callables and keyframes as given (evaluated at compile), constants
        and per-frame arrays checked now (arrays are kept, so in-place edits show at compile)."""
        what = self._what(name)
        if isinstance(value, _Keyframes) or callable(value):
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

    def animate(self, name: str, keyframes: Sequence, easing="linear") -> "Layer":
        """Animate property ``name`` through ``keyframes``: ``[(t_seconds, value), ...]`` or
        ``(t, value, easing)`` to give the segment starting at that keyframe its own easing.
        ``easing`` (default for all segments): a name from :data:`reelforge.easing.NAMES` or an
        easing object (``cubic_bezier``, ``spring``). Times are scene seconds, strictly increasing.
        Raises SceneError for an unknown property or easing, keyframes out of order, NaN/inf, or a
        keyframe value outside the property's range (see :meth:`set`)."""
        self._check_prop(name)
        if name == "crop":
            raise SceneError(f"{self._what('crop')}: animate crop_left, crop_top, crop_right or crop_bottom instead")
        kf = _Keyframes.checked(keyframes, easing, self._what(name))
        for i, k in enumerate(kf.keyframes):
            _check_range("scale_x" if name == "scale" else name, np.array([float(k[1])]), self._what(name), None,
                         where=f"keyframe {i}")
        self.set(name, kf)
        return self

    def _sample(self, name: str, default, start: int, end: int) -> np.ndarray:
        """Values of property ``name`` for frames ``start..end-1`` (float64), or one value when it
        is a constant. Raises SceneError naming the layer, property and first bad frame."""
        v = self._props.get(name, default)
        what = self._what(name)
        try:
            if isinstance(v, _Keyframes):
                out = _anim.sample_keyframes(v.keyframes, self._scene._times(start, end), v.easing, what=what)
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


def _is_per_frame(value) -> bool:
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

    def __init__(self, keyframes, easing):
        self.keyframes = keyframes
        self.easing = easing

    @classmethod
    def checked(cls, keyframes, easing, what: str) -> "_Keyframes":
        """Validated now so errors point at the call that caused them (SceneError naming ``what``)."""
        if isinstance(keyframes, (str, bytes, dict)):
            keyframes = None
        try:
            kf = list(keyframes)
        except TypeError:
            raise SceneError(f"{what}: keyframes must be a list of (t_seconds, value) pairs, "
                             f"got {keyframes!r}") from None
        try:
            _easing.get(easing)
        except (ValueError, TypeError) as e:
            raise SceneError(f"{what}: {e}") from None
        try:
            _anim.sample_keyframes(kf, np.zeros(1), easing, what=what)
        except ValueError as e:
            raise SceneError(str(e)) from None
        return cls(kf, easing)


class AudioClip:
    """An audio clip on the timeline (returned by :meth:`Scene.add_audio`).

    ``start`` (timeline seconds), ``trim_start`` (seconds into the source), ``duration`` (seconds,
    None = until the source ends), ``gain_db`` (dB), ``fade_in``/``fade_out`` (seconds, linear gain
    ramps), ``loop``. ``animate("gain_db", keyframes, easing)`` keyframes the gain per frame.
    """

    def __init__(self, scene, path, start, trim_start, duration, gain_db, fade_in, fade_out, loop):
        self._scene = scene
        self.path = path
        self.start = start
        self.trim_start = trim_start
        self.duration = duration
        self.gain_db = gain_db
        self.fade_in = fade_in
        self.fade_out = fade_out
        self.loop = loop
        self._gain = None

    def __repr__(self):
        return f"<AudioClip {os.path.basename(self.path)!r} at {self.start}s>"

    def _what(self) -> str:
        return f"audio clip {os.path.basename(self.path)!r} property 'gain_db'"

    def animate(self, name: str, keyframes: Sequence, easing="linear") -> "AudioClip":
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

    def _gain_table(self, times: np.ndarray) -> np.ndarray:
        """The keyframed gain (dB) at every frame time, float32."""
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

    def __init__(self, width: int, height: int, fps=30, duration: float = 10.0, background=(0, 0, 0, 255)):
        self.width, self.height = _check_size(width, "width"), _check_size(height, "height")
        self.fps = parse_fps(fps)
        self.duration = _check_duration(duration)
        self._check_frame_count()
        self.background = parse_color(background, "background")
        self.layers: list[Layer] = []
        self.audio: list[AudioClip] = []
        #: Exporter keyword arguments kept with the scene (a JSON document's "export"; reelforge.serialize).
        self.export_settings: dict = {}

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
        t = _check_time(t, "t")
        return min(self.frame_count - 1, int(math.floor(Fraction(t) * self.fps)))

    def _first_frame(self, t: float) -> int:
        """First frame whose time is >= ``t`` seconds (tolerating float error in ``t``)."""
        return max(0, math.ceil(Fraction(t) * self.fps - Fraction(1, 10**6)))

    # -- layers -------------------------------------------------------------------------------
    def _span(self, name, start, end):
        """Checked ``(start, end)`` of layer ``name``: the layer must show at least one frame."""
        start = _check_time(start, f"layer {name!r} start")
        end = _check_time(end, f"layer {name!r} end", allow_none=True)
        n = self.frame_count
        if self._first_frame(start) >= n:
            last = math.floor((n - 1) * self.fps.denominator / self.fps.numerator * 1e6) / 1e6
            raise SceneError(f"layer {name!r} start={start}s is outside the scene: the last frame ({n - 1}) is "
                             f"shown at {last}s (duration {self.duration}s at {self.fps} fps); use start <= {last}")
        if end is not None and end <= start:
            raise SceneError(f"layer {name!r}: end ({end}s) must be after start ({start}s)")
        return start, end

    def _name(self, name, base):
        if name is None:
            return f"{base}{len(self.layers)}"
        if not isinstance(name, str):
            raise SceneTypeError(f"layer name must be a str, got {type(name).__name__} {name!r}")
        return name

    def add_solid(self, color, *, start=0.0, end=None, x=0, y=0, width=None, height=None, opacity=1.0,
                  name=None) -> Layer:
        """Add a rectangle of one colour (default: covering the whole canvas).

        ``width``/``height`` in pixels (None = canvas size). Returns the :class:`Layer`."""
        name = self._name(name, "solid")
        start, end = self._span(name, start, end)
        layer = Layer(self, _core.LayerKind.SOLID, name, start, end, x=x, y=y,
                      width=self.width if width is None else width,
                      height=self.height if height is None else height, opacity=opacity)
        layer.color = parse_color(color, f"layer {name!r} color")
        self.layers.append(layer)
        return layer

    def add_image(self, source, *, start=0.0, end=None, x=0, y=0, width=None, height=None, opacity=1.0,
                  name=None) -> Layer:
        """Add a still image: a file path (PNG, JPEG, WebP, ... decoded by FFmpeg) or a numpy
        ``uint8`` array of shape ``(h, w, 4)`` (straight RGBA) or ``(h, w, 3)`` (RGB), at most
        16384 pixels a side.

        ``width``/``height`` scale it (pixels; None = source size; one constant given keeps the
        aspect ratio). Raises MediaNotFoundError / MediaError for missing or unreadable files."""
        name = self._name(name, "image")
        start, end = self._span(name, start, end)
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

    def add_video(self, path, *, start=0.0, trim_start=0.0, end=None, x=0, y=0, width=None, height=None,
                  opacity=1.0, audio=False, gain_db=0.0, name=None, autorotate=True,
                  on_decode_error="hold") -> Layer:
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
        ``on_decode_error``."""
        name = self._name(name, "video")
        if on_decode_error not in ("hold", "raise"):
            raise SceneError(f"layer {name!r}: on_decode_error must be 'hold' or 'raise', got {on_decode_error!r}")
        start, end = self._span(name, start, end)
        trim_start = _check_time(trim_start, f"layer {name!r} trim_start")
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
        if end is None and info.duration > 0:
            end = start + info.duration - trim_start
        layer = Layer(self, _core.LayerKind.VIDEO, name, start, end, x=x, y=y, opacity=opacity)
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
            self.add_audio(p, start=start, trim_start=trim_start, duration=dur, gain_db=gain_db)
        return layer

    def add_audio(self, path, *, start=0.0, trim_start=0.0, duration=None, gain_db=0.0, fade_in=0.0,
                  fade_out=0.0, loop=False) -> AudioClip:
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

    def add_text(self, text, *, font=None, size_px=48.0, color=(255, 255, 255, 255), start=0.0, end=None, x=0,
                 y=0, anchor="top_left", align="left", line_spacing=1.2, opacity=1.0, name=None) -> Layer:
        """Add a text layer, shaped with HarfBuzz and rasterised once with FreeType (see
        :func:`reelforge.text.add_text_layer` for the arguments, units and errors). The layer is an
        IMAGE layer holding the rasteriser's premultiplied pixels (``layer.premultiplied``)."""
        name = self._name(name, "text")
        what = f"text layer {name!r}"
        _text.check_layout(text, anchor, align, what)
        rgba = tuple(int(round(c * 255)) for c in parse_color(color, f"{what} color"))
        start, end = self._span(name, start, end)
        r = _text.render(text, font=font, size_px=size_px, color=rgba, line_spacing=line_spacing, align=align,
                         what=what)
        anchor_x, anchor_y = r.anchor_point(anchor)
        layer = Layer(self, _core.LayerKind.IMAGE, name, start, end, x=x, y=y, opacity=opacity)
        layer.image, layer.premultiplied = r.pixels, True
        layer.set("width", r.width).set("height", r.height)
        layer.set("anchor_x", anchor_x).set("anchor_y", anchor_y)
        # Informational (not used by compile): what was rendered, for repr/debugging.
        layer.text, layer.font, layer.baseline_y = text, r.font, r.baseline_y
        # How it was made, so reelforge.serialize can write it as data and render it again.
        layer.text_style = dict(font=font, size_px=size_px, color=rgba, anchor=anchor, align=align,
                                line_spacing=line_spacing)
        self.layers.append(layer)
        return layer

    def preview(self, t: float = 0.0, *, max_width: int | None = 960, format: str = "png"):
        """Render the frame on screen at ``t`` seconds for inline display in Jupyter.

        Returns a :class:`reelforge.notebook.FramePreview` (shows as PNG in notebooks; ``.array`` is
        the ``(height, width, 4)`` uint8 RGBA frame). ``max_width`` (pixels) downsizes the PNG only.
        ``format="jpeg"`` sends a JPEG instead of a PNG (smaller for large frames).
        Raises SceneError for ``t`` outside the scene."""
        from .notebook import preview
        return preview(self, t, max_width=max_width, format=format)

    def player(self, **options):
        """Interactive frame scrubber for Jupyter: see :func:`reelforge.notebook.player`."""
        from .notebook import player
        return player(self, **options)

    # -- as data (reelforge.serialize) ----------------------------------------------------------
    def to_dict(self, *, base_dir=None) -> dict:
        """The scene as a JSON-compatible dict; see :func:`reelforge.serialize.to_dict`. Raises
        NotSerializableError (a SceneTypeError) for callable properties, naming layer and property."""
        from .serialize import to_dict
        return to_dict(self, base_dir=base_dir)

    @classmethod
    def from_dict(cls, data, *, variables=None, base_dir=None) -> "Scene":
        """A scene from a document (``${name}`` filled from ``variables``); see
        :func:`reelforge.serialize.from_dict`. Raises SceneError naming the JSON path."""
        from .serialize import from_dict
        return from_dict(data, variables=variables, base_dir=base_dir)

    @classmethod
    def load(cls, path, *, variables=None) -> "Scene":
        """A scene from a JSON file; see :func:`reelforge.serialize.load`."""
        from .serialize import load
        return load(path, variables=variables)

    def save(self, path, *, indent=2) -> str:
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
        tl.layers = [self._compile_layer(layer, n) for layer in self.layers]
        tl.audio = [self._compile_clip(clip) for clip in self.audio]
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
            c.image = _core.RgbaImage(_as_rgba(layer.image, f"{what} image"), premultiplied=premultiplied)
        c.color = list(_unit_rgba(layer.color, f"{what} color"))
        start, end = self._span(layer.name, layer.start, layer.end)
        c.start_frame = self._first_frame(start)
        # Frames shown are those with start <= t < end.
        c.end_frame = n if end is None else min(n, max(c.start_frame + 1, self._first_frame(end)))
        c.trim_start = _check_time(layer.trim_start, f"{what} trim_start")
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
        c.track = t
        return c

    def _compile_clip(self, clip: AudioClip) -> "_core.AudioClip":
        a = _core.AudioClip()
        a.path = _check_path(clip.path, "audio clip")
        args = _clip_args(self, f"audio clip {a.path!r}", clip.start, clip.trim_start, clip.duration, clip.gain_db,
                          clip.fade_in, clip.fade_out, clip.loop)
        a.start, a.trim_start, duration, a.gain_db, a.fade_in, a.fade_out, a.loop = args
        a.duration = -1.0 if duration is None else duration
        if clip._gain is not None:
            a.gain_db_per_frame = clip._gain_table(self.frame_times())
        return a


def _clip_args(scene: Scene, what, start, trim_start, duration, gain_db, fade_in, fade_out, loop) -> tuple:
    """An audio clip's checked placement: (start, trim_start, duration, gain_db, fade_in, fade_out, loop)."""
    start = _check_time(start, f"{what} start")
    if start >= scene.duration:
        raise SceneError(f"{what} starts at {start}s, outside the scene (duration {scene.duration}s)")
    trim_start = _check_time(trim_start, f"{what} trim_start")
    duration = _check_time(duration, f"{what} duration", allow_none=True)
    if duration is not None and duration <= 0:
        raise SceneError(f"{what}: duration must be > 0 seconds, got {duration!r}")
    lo, hi = GAIN_DB_RANGE
    gain_db = _checks.number(gain_db, f"{what} gain_db", unit="dB", minimum=lo, maximum=hi, example="gain_db=-6.0")
    fade_in = _check_time(fade_in, f"{what} fade_in")
    fade_out = _check_time(fade_out, f"{what} fade_out")
    return start, trim_start, duration, gain_db, fade_in, fade_out, _check_bool(loop, f"{what} loop")


def _check_size(v, what: str) -> int:
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


def _check_duration(duration) -> float:
    d = _check_time(duration, "duration")
    if d <= 0:
        raise SceneError(f"duration must be > 0 seconds, got {duration!r}")
    return d


def _unit_rgba(value, what: str) -> tuple[float, float, float, float]:
    """A stored colour (``Layer.color``, ``Scene.background``): four straight RGBA floats in 0..1."""
    try:
        comps = tuple(float(c) for c in value if _checks.is_real(c) or _not_a_component(c))
    except (TypeError, ValueError, OverflowError):
        comps = ()
    if len(comps) != 4 or not all(0.0 <= c <= 1.0 for c in comps):
        raise SceneError(f"{what}: {value!r} is not 4 straight RGBA floats in 0..1 (the stored form; "
                         f"pass (r, g, b[, a]) in 0-255 or '#rrggbb[aa]' to parse_color() for that)")
    return comps


def _check_bool(value, what: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise SceneTypeError(f"{what} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def _set_size(layer: Layer, width, height, sw: int, sh: int):
    """Size a picture layer: the source size, or the given size; one constant keeps the aspect."""
    for prop, v in (("width", width), ("height", height)):
        if v is not None:
            layer.set(prop, v)
    given = {k: layer._props[k] for k, v in (("width", width), ("height", height)) if v is not None}
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


def _as_rgba(a: np.ndarray, what: str) -> np.ndarray:
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
