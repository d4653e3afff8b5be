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

from . import _core
from . import animation as _anim
from . import colors as _colors
from . import easing as _easing
from .errors import MediaError, MediaNotFoundError, SceneError

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
            comps = [float(c) for c in color]
        except TypeError:
            raise SceneError(f"{what}: {color!r} is not a colour; use (r, g, b[, a]) in 0-255") from None
        if len(comps) not in (3, 4) or not all(math.isfinite(c) and 0 <= c <= 255 for c in comps):
            raise SceneError(f"{what}: {color!r} must have 3 or 4 components in 0-255")
    if len(comps) == 3:
        comps.append(255)
    return tuple(c / 255.0 for c in comps)


def parse_fps(fps) -> Fraction:
    """Frame rate (int, float or Fraction; 29.97 becomes 2997/100, use Fraction(30000, 1001) for
    NTSC) -> exact Fraction in (0, 1000]. Raises SceneError otherwise."""
    if isinstance(fps, bool):
        raise SceneError(f"fps must be a positive number or Fraction, got {fps!r}")
    try:
        f = fps if isinstance(fps, Fraction) else Fraction(fps).limit_denominator(1001 * 1000)
    except (TypeError, ValueError, OverflowError):
        raise SceneError(f"fps must be a finite number or Fraction, got {fps!r}") from None
    if f <= 0 or f > 1000:
        raise SceneError(f"fps must be a number of frames per second in (0, 1000], got {fps!r}")
    return f


def _check_time(value, what: str, *, allow_none=False, minimum=0.0) -> float | None:
    if value is None and allow_none:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SceneError(f"{what} must be a number of seconds, got {value!r}") from None
    if not math.isfinite(v) or v < minimum:
        raise SceneError(f"{what} must be a finite number of seconds >= {minimum}, got {value!r}")
    return v


def _check_path(path, what: str) -> str:
    p = os.fspath(path)
    if not os.path.exists(p):
        raise MediaNotFoundError(f"{what}: media file not found: {p!r}")
    if not os.path.isfile(p):
        raise SceneError(f"{what}: {p!r} is not a file")
    return p


class Layer:
    """A visual layer of a :class:`Scene` (returned by ``Scene.add_*``; do not build directly).

    Properties (see :data:`PROPERTIES`) are constants, keyframes (:meth:`animate`), callables of
    time or per-frame arrays (:meth:`set`). ``blend`` is one of :data:`BLEND_MODES`
    (W3C Compositing and Blending Level 1).
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
        self.color = (1.0, 1.0, 1.0, 1.0)
        self.trim_start = 0.0
        self.autorotate = True
        self._props: dict[str, object] = {}
        for k, v in props.items():
            if v is not None:
                self.set(k, v)

    def __repr__(self):
        return f"<Layer {self.name!r} {self.kind.name.lower()} {self.start}s..{self.end}s>"

    def _what(self, prop: str) -> str:
        return f"layer {self.name!r} property {prop!r}"

    def _check_prop(self, name: str):
        if name not in PROPERTIES:
            raise SceneError(f"layer {self.name!r}: unknown property {name!r}; animatable properties are "
                             f"{', '.join(PROPERTIES)}")

    def set(self, name: str, value) -> "Layer":
        """Set property ``name`` to a constant, a per-frame ``float`` array of shape
        ``(scene.frame_count,)``, or a callable ``f(t)`` of time in seconds (given a float64 array of
        the times of the frames where the layer is shown, it must return an array of the same
        shape; scalar-only callables are called once per frame). Raises SceneError for unknown
        properties; bad values raise at ``compile()`` time, naming the layer and property.
        Returns the layer (chainable)."""
        self._check_prop(name)
        if name == "scale":
            self._props["scale_x"] = value
            self._props["scale_y"] = value
        elif name == "crop":
            try:
                sides = [float(v) for v in value]
            except (TypeError, ValueError):
                sides = []
            if len(sides) != 4 or not all(0.0 <= v <= 1.0 for v in sides):
                raise SceneError(f"{self._what('crop')}: expected (left, top, right, bottom) fractions in 0..1, "
                                 f"got {value!r}; animate crop_left/crop_top/crop_right/crop_bottom separately")
            for side, v in zip(("crop_left", "crop_top", "crop_right", "crop_bottom"), sides):
                self._props[side] = v
        else:
            self._props[name] = value
        return self

    def animate(self, name: str, keyframes: Sequence, easing="linear") -> "Layer":
        """Animate property ``name`` through ``keyframes``: ``[(t_seconds, value), ...]`` or
        ``(t, value, easing)`` to give the segment starting at that keyframe its own easing.
        ``easing`` (default for all segments): a name from :data:`reelforge.easing.NAMES` or an
        easing object (``cubic_bezier``, ``spring``). Times are scene seconds, strictly increasing.
        Raises SceneError for an unknown property or easing, keyframes out of order, NaN/inf."""
        self._check_prop(name)
        if name == "crop":
            raise SceneError(f"{self._what('crop')}: animate crop_left, crop_top, crop_right or crop_bottom instead")
        try:
            kf = list(keyframes)
        except TypeError:
            raise SceneError(f"{self._what(name)}: keyframes must be a list of (t_seconds, value) pairs, "
                             f"got {keyframes!r}") from None
        try:
            _easing.get(easing)
        except (ValueError, TypeError) as e:
            raise SceneError(f"{self._what(name)}: {e}") from None
        # Validate now so errors point at the call that caused them.
        try:
            _anim.sample_keyframes(kf, np.zeros(1), easing, what=self._what(name))
        except ValueError as e:
            raise SceneError(str(e)) from None
        self.set(name, _Keyframes(kf, easing))
        return self

    def _sample(self, name: str, times: np.ndarray, default, start: int, end: int) -> np.ndarray:
        """Values of property ``name`` for frames ``start..end-1`` (float64), or one value when it
        is a constant. ``times``: every frame time of the scene (per-frame arrays span them all)."""
        v = self._props.get(name, default)
        what = self._what(name)
        try:
            if isinstance(v, _Keyframes):
                return _anim.sample_keyframes(v.keyframes, times[start:end], v.easing, what=what)
            if isinstance(v, (list, tuple)):
                v = np.asarray(v, dtype=np.float64)
            if isinstance(v, np.ndarray) and v.ndim > 0:
                return _anim.as_frame_array(v, times, what=what)[start:end]
            if callable(v):
                return _anim.as_frame_array(v, times[start:end], what=what)
            return _anim.as_frame_array(v, times[:1], what=what)
        except ValueError as e:
            raise SceneError(str(e)) from None


class _Keyframes:
    __slots__ = ("keyframes", "easing")

    def __init__(self, keyframes, easing):
        self.keyframes = keyframes
        self.easing = easing


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

    def animate(self, name: str, keyframes: Sequence, easing="linear") -> "AudioClip":
        """Keyframe ``gain_db`` (dB) over scene time; see :meth:`Layer.animate`."""
        if name != "gain_db":
            raise SceneError(f"audio clip {self.path!r}: only 'gain_db' can be animated, not {name!r}")
        what = f"audio clip {os.path.basename(self.path)!r} property 'gain_db'"
        try:
            _anim.sample_keyframes(list(keyframes), np.zeros(1), easing, what=what)
        except ValueError as e:
            raise SceneError(str(e)) from None
        self._gain = _Keyframes(list(keyframes), easing)
        return self


class Scene:
    """A video timeline: canvas size, frame rate, duration, layers (bottom to top) and audio.

    Args:
        width, height: canvas size in pixels; both even (4:2:0 chroma subsampling halves them).
        fps: frames per second: int, float or ``Fraction`` (e.g. ``Fraction(30000, 1001)``).
        duration: seconds, > 0.
        background: canvas colour under all layers (default opaque black).

    ``frame_count == round(duration * fps)``; frame ``i`` shows time ``i / fps`` seconds.
    Raises SceneError (a ValueError) for invalid values.
    """

    def __init__(self, width: int, height: int, fps=30, duration: float = 10.0, background=(0, 0, 0, 255)):
        for what, v in (("width", width), ("height", height)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
                raise SceneError(f"{what} must be a positive integer number of pixels, got {v!r}")
            if v % 2:
                raise SceneError(f"{what}={v} is odd: 4:2:0 video (NV12/yuv420p) needs even width and height; "
                                 f"use {v + 1} or {v - 1}")
            if v > 16384:
                raise SceneError(f"{what}={v} is larger than the supported 16384 pixels")
        self.width, self.height = int(width), int(height)
        self.fps = parse_fps(fps)
        self.duration = _check_time(duration, "duration")
        if self.duration <= 0:
            raise SceneError(f"duration must be > 0 seconds, got {duration!r}")
        if self.frame_count < 1:
            raise SceneError(f"duration {duration}s at {fps} fps gives no frames")
        self.background = parse_color(background, "background")
        self.layers: list[Layer] = []
        self.audio: list[AudioClip] = []

    @property
    def frame_count(self) -> int:
        """Number of frames: ``round(duration * fps)``."""
        return int(round(Fraction(self.duration) * self.fps))

    def frame_times(self) -> np.ndarray:
        """Presentation time (seconds) of every frame: float64 array of shape ``(frame_count,)``."""
        return np.arange(self.frame_count, dtype=np.float64) * (self.fps.denominator / self.fps.numerator)

    def time_to_frame(self, t: float) -> int:
        """Index of the frame on screen at ``t`` seconds (floor(t * fps)), clamped to the scene."""
        t = _check_time(t, "t")
        return min(self.frame_count - 1, int(math.floor(Fraction(t) * self.fps)))

    # -- layers -------------------------------------------------------------------------------
    def _span(self, name, start, end):
        start = _check_time(start, f"layer {name!r} start")
        end = _check_time(end, f"layer {name!r} end", allow_none=True)
        if start >= self.duration:
            raise SceneError(f"layer {name!r} starts at {start}s, outside the scene (duration {self.duration}s)")
        if end is not None and end <= start:
            raise SceneError(f"layer {name!r}: end ({end}s) must be after start ({start}s)")
        return start, end

    def _name(self, name, base):
        return name if name is not None else f"{base}{len(self.layers)}"

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
        ``uint8`` array of shape ``(h, w, 4)`` (straight RGBA) or ``(h, w, 3)`` (RGB).

        ``width``/``height`` scale it (pixels; None = source size; one given keeps the aspect
        ratio). Raises MediaNotFoundError / MediaError for missing or unreadable files."""
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
        outside the scene or an unknown ``on_decode_error``."""
        name = self._name(name, "video")
        if on_decode_error not in ("hold", "raise"):
            raise SceneError(f"layer {name!r}: on_decode_error must be 'hold' or 'raise', got {on_decode_error!r}")
        start, end = self._span(name, start, end)
        trim_start = _check_time(trim_start, f"layer {name!r} trim_start")
        p = _check_path(path, f"layer {name!r}")
        info = _core.probe(p)
        if not info.has_video or info.is_image:
            raise SceneError(f"layer {name!r}: {p!r} has no video stream (use add_image for pictures)")
        if end is None and info.duration > 0:
            if trim_start >= info.duration:
                raise SceneError(f"layer {name!r}: trim_start {trim_start}s is past the end of {p!r} "
                                 f"({info.duration:.3f}s)")
            end = start + info.duration - trim_start
        layer = Layer(self, _core.LayerKind.VIDEO, name, start, end, x=x, y=y, opacity=opacity)
        layer.path = p
        layer.trim_start = trim_start
        layer.autorotate = bool(autorotate)
        layer.on_decode_error = on_decode_error
        # Default size: the display size, width x sample aspect ratio (anamorphic sources), then
        # turned by the display matrix.
        src_w, src_h = (info.width & ~1) * info.sar_num / info.sar_den, info.height & ~1
        if layer.autorotate and info.rotation in (90, 270):
            src_w, src_h = src_h, src_w
        _set_size(layer, width, height, src_w, src_h)
        self.layers.append(layer)
        if audio:
            if not info.has_audio:
                raise MediaError(f"layer {name!r}: audio=True but {p!r} has no audio stream")
            dur = None if end is None else end - start
            self.add_audio(p, start=start, trim_start=trim_start, duration=dur, gain_db=gain_db)
        return layer

    def add_audio(self, path, *, start=0.0, trim_start=0.0, duration=None, gain_db=0.0, fade_in=0.0,
                  fade_out=0.0, loop=False) -> AudioClip:
        """Add an audio clip (any FFmpeg-readable file with an audio stream).

        ``start``: timeline seconds; ``trim_start``: seconds into the source; ``duration``: seconds
        to play (None = to the end of the source, or of the scene with ``loop``); ``gain_db``: dB;
        ``fade_in``/``fade_out``: seconds. Mixed at 48 kHz stereo float.
        Raises MediaNotFoundError, MediaError (no audio stream), SceneError (bad times)."""
        p = _check_path(path, "audio clip")
        start = _check_time(start, "audio clip start")
        if start >= self.duration:
            raise SceneError(f"audio clip {p!r} starts at {start}s, outside the scene (duration {self.duration}s)")
        trim_start = _check_time(trim_start, "audio clip trim_start")
        duration = _check_time(duration, "audio clip duration", allow_none=True)
        if duration is not None and duration <= 0:
            raise SceneError(f"audio clip {p!r}: duration must be > 0 seconds")
        gain_db = float(gain_db)
        if not math.isfinite(gain_db):
            raise SceneError(f"audio clip {p!r}: gain_db must be finite")
        fade_in = _check_time(fade_in, "audio clip fade_in")
        fade_out = _check_time(fade_out, "audio clip fade_out")
        info = _core.probe(p)
        if not info.has_audio:
            raise MediaError(f"audio clip: {p!r} has no audio stream")
        clip = AudioClip(self, p, start, trim_start, duration, gain_db, fade_in, fade_out, bool(loop))
        self.audio.append(clip)
        return clip

    def add_text(self, text, *, font=None, size_px=48.0, color=(255, 255, 255, 255), start=0.0, end=None, x=0,
                 y=0, anchor="top_left", align="left", line_spacing=1.2, opacity=1.0, name=None) -> Layer:
        """Add a text layer, shaped with HarfBuzz and rasterised with FreeType (see
        :func:`reelforge.text.add_text_layer` for the arguments, units and errors)."""
        from .text import add_text_layer
        return add_text_layer(self, text, font=font, size_px=size_px, color=color, start=start, end=end, x=x, y=y,
                              anchor=anchor, align=align, line_spacing=line_spacing, opacity=opacity, name=name)

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

    # -- compile -------------------------------------------------------------------------------
    def compile(self) -> "_core.Timeline":
        """Evaluate every property at every frame and return the native timeline (pure data).

        Raises SceneError naming the layer and property for invalid animation values."""
        tl = _core.Timeline()
        tl.width, tl.height = self.width, self.height
        tl.fps = (self.fps.numerator, self.fps.denominator)
        n = self.frame_count
        tl.frame_count = n
        tl.background = list(self.background)
        times = self.frame_times()
        layers = []
        for layer in self.layers:
            c = _core.Layer()
            c.name = layer.name
            c.kind = layer.kind
            if layer.path is not None:
                c.path = layer.path
            if layer.image is not None:
                c.image = _core.RgbaImage(_premultiply(layer.image))
            c.color = list(layer.color)
            # First frame whose time is >= start (tolerating float error in `start`).
            c.start_frame = max(0, math.ceil(Fraction(layer.start) * self.fps - Fraction(1, 10**6)))
            # Frames shown are those with start <= t < end.
            c.end_frame = n if layer.end is None else min(
                n, max(c.start_frame + 1, math.ceil(Fraction(layer.end) * self.fps - Fraction(1, 10**6))))
            c.trim_start = layer.trim_start
            c.autorotate = layer.autorotate
            c.on_decode_error = getattr(_core.DecodeErrors, getattr(layer, "on_decode_error", "hold").upper())
            if layer.blend not in BLEND_MODES:
                raise SceneError(f"layer {layer.name!r}: unknown blend mode {layer.blend!r}; use one of {BLEND_MODES}")
            c.blend = getattr(_core.BlendMode, layer.blend.upper())
            t = _core.LayerTrack()
            defaults = {"x": 0.0, "y": 0.0, "anchor_x": 0.0, "anchor_y": 0.0, "scale_x": 1.0, "scale_y": 1.0,
                        "rotation": 0.0, "opacity": 1.0, "width": 0.0, "height": 0.0,
                        "crop_left": 0.0, "crop_top": 0.0, "crop_right": 0.0, "crop_bottom": 0.0}
            # Tables over the layer's own frames only, one value for a constant (see LayerTrack).
            for prop, d in defaults.items():
                arr = layer._sample(prop, times, d, c.start_frame, c.end_frame).astype(np.float32)
                if prop == "opacity" or prop.startswith("crop_"):
                    arr = np.clip(arr, 0.0, 1.0)
                if arr.size > 1 and (arr == arr[0]).all():
                    arr = arr[:1]
                setattr(t, prop, arr)
            c.track = t
            layers.append(c)
        tl.layers = layers
        clips = []
        for clip in self.audio:
            a = _core.AudioClip()
            a.path, a.start, a.trim_start = clip.path, clip.start, clip.trim_start
            a.duration = -1.0 if clip.duration is None else clip.duration
            a.gain_db, a.fade_in, a.fade_out, a.loop = clip.gain_db, clip.fade_in, clip.fade_out, clip.loop
            if clip._gain is not None:
                what = f"audio clip {os.path.basename(clip.path)!r} property 'gain_db'"
                try:
                    g = _anim.sample_keyframes(clip._gain.keyframes, times, clip._gain.easing, what=what)
                except ValueError as e:
                    raise SceneError(str(e)) from None
                a.gain_db_per_frame = g.astype(np.float32)
            clips.append(a)
        tl.audio = clips
        tl.validate()
        return tl


def _set_size(layer: Layer, width, height, sw: int, sh: int):
    if width is None and height is None:
        width, height = sw, sh
    elif width is None:
        width = sw * float(height) / sh
    elif height is None:
        height = sh * float(width) / sw
    layer.set("width", width)
    layer.set("height", height)


def _as_rgba(a: np.ndarray, what: str) -> np.ndarray:
    if a.dtype != np.uint8 or a.ndim != 3 or a.shape[2] not in (3, 4) or a.shape[0] < 1 or a.shape[1] < 1:
        raise SceneError(f"{what}: expected a uint8 array of shape (h, w, 4) or (h, w, 3), got "
                         f"{a.dtype} {a.shape}")
    if a.shape[2] == 3:
        a = np.concatenate([a, np.full(a.shape[:2] + (1,), 255, np.uint8)], axis=2)
    return np.ascontiguousarray(a)


def _premultiply(rgba: np.ndarray) -> np.ndarray:
    """Straight -> premultiplied RGBA8 (c * a / 255, rounded), as the compositor samples it."""
    a = rgba[..., 3:4].astype(np.uint32)
    out = rgba.copy()
    out[..., :3] = ((rgba[..., :3].astype(np.uint32) * a + 127) // 255).astype(np.uint8)
    return out

