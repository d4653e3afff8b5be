"""Audio-reactive layers and audio features as property sources (issue 13, item 5).

- :func:`feature` (``rf.audio.feature``): one feature of a file, a clip or a scene's mix as a
  :class:`~reelforge.frame_source.FrameSource`, for any property:
  ``logo.set("scale", 1 + 0.3 * rf.audio.feature("music.wav", "rms"))``.
- :func:`add_waveform` / :func:`add_spectrum` (``Scene.add_waveform`` / ``Scene.add_spectrum``):
  visualisers built from compiled solid layers whose heights (bars, mirror) or positions,
  lengths and angles (line: one thin solid per segment) are per-frame tables, so the GPU
  compositor draws them with no Python per frame.

Everything is computed in ``Scene.compile()`` from the audio as it is then (clips added later are
included), by the C++ analysis of the exporter's own mixer (``_core.analyze_audio``,
``_core.waveform_points``), and cached while the audio does not change.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from typing import Any, Callable

import numpy as np

from . import _checks
from . import _core
from .errors import SceneError, SceneTypeError
from ._types import AudioFeatureName as FeatureName, VisualizerStyle
from .frame_source import FrameSource

__all__ = ["feature", "AudioFeature", "add_waveform", "add_spectrum", "AudioVisualizer", "FEATURES", "STYLES"]

#: Feature names of :func:`feature` (``_types.AudioFeatureName``).
FEATURES = ("rms", "rms_db", "peak", "band", "band_db")
#: Visualiser styles of :func:`add_waveform` / :func:`add_spectrum` (``_types.VisualizerStyle``).
STYLES = ("bars", "mirror", "line")
_FEATURES, _STYLES = FEATURES, STYLES
_CACHE: "OrderedDict[tuple[Any, ...], np.ndarray]" = OrderedDict()
_CACHE_SIZE = 16


# -- the audio a feature is computed from ------------------------------------------------------

def _audio_timeline(audio: Any, scene: Any) -> Any:
    """An audio-only core timeline with ``scene``'s fps and frame count holding ``audio``: None or a
    Scene (its mix: every clip with gains, fades and ducking), an AudioClip (on its own, as placed,
    without ducking) or a path (placed at t = 0)."""
    from .scene import AudioClip, Scene, _check_path
    tl = _core.Timeline()
    tl.width = tl.height = 16
    tl.fps = (scene.fps.numerator, scene.fps.denominator)
    tl.frame_count = scene.frame_count
    if audio is None or isinstance(audio, Scene):
        owner = scene if audio is None else audio
        tl.audio = [owner._compile_clip(c) for c in owner.audio]
    elif isinstance(audio, AudioClip):
        a = audio._scene._compile_clip(audio)
        a.duck = _core.ClipDucking()
        tl.audio = [a]
    elif isinstance(audio, (str, os.PathLike)):
        a = _core.AudioClip()
        a.path = _check_path(audio, "audio feature")
        if not _core.probe(a.path).has_audio:
            from .errors import MediaError
            raise MediaError(f"audio feature: {a.path!r} has no audio stream")
        tl.audio = [a]
    else:
        raise SceneTypeError(f"audio must be a file path, an AudioClip, a Scene or None (the scene's mix), "
                             f"got {type(audio).__name__}")
    tl.validate()
    return tl


def _fingerprint(tl: Any) -> tuple[Any, ...]:
    """What the analysis of ``tl`` depends on: files (with size and mtime) and every clip setting."""
    clips = []
    for a in tl.audio:
        st = os.stat(a.path)
        d = a.duck
        gains = hashlib.sha1(np.asarray(a.gain_db_per_frame, dtype=np.float32).tobytes()).hexdigest()
        clips.append((a.path, st.st_size, st.st_mtime_ns, a.start, a.trim_start, a.duration, a.gain_db, a.fade_in,
                      a.fade_out, a.loop, gains, tuple(d.keys), d.amount_db, d.threshold_db, d.attack, d.release,
                      d.hold))
    return (tl.fps, tl.frame_count, tuple(clips))


def _cached(key: tuple[Any, ...], compute: Callable[[], np.ndarray]) -> np.ndarray:
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    value = compute()
    _CACHE[key] = value
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return value


def _analysis(tl: Any, bands: int, fmin: float, fmax: float) -> dict[str, np.ndarray]:
    key = ("analysis", _fingerprint(tl), bands, fmin, fmax)
    table = _cached(key, lambda: _pack(_core.analyze_audio(tl, bands, fmin, fmax)))
    return {"rms_db": table[:, 0], "peak": table[:, 1], "bands": table[:, 2:]}


def _pack(d: dict[str, Any]) -> np.ndarray:
    return np.column_stack([d["rms_db"], d["peak"], d["bands"]])


def _smooth(v: np.ndarray, s: float) -> np.ndarray:
    """Exponential smoothing over frames, as Web Audio's AnalyserNode ``smoothingTimeConstant``
    (W3C Web Audio API 1.0, 1.8.5): ``out[i] = s * out[i-1] + (1 - s) * v[i]``, ``out[-1] = 0``."""
    if s == 0 or len(v) == 0:
        return v
    out = np.empty(v.shape, dtype=np.float64)
    prev = np.zeros(v.shape[1:], dtype=np.float64)
    for i in range(len(v)):  # one step per frame, vectorised over bands
        prev = s * prev + (1.0 - s) * v[i]
        out[i] = prev
    return out


def _normalise(db: np.ndarray, range_db: float) -> np.ndarray:
    top = float(db.max()) if db.size else -120.0
    if top <= -120.0:
        return np.zeros(db.shape)
    return np.clip(1.0 - (top - db) / range_db, 0.0, 1.0)


# -- features as property sources --------------------------------------------------------------

class AudioFeature(FrameSource):
    """One audio feature per frame of the scene it is used in (see :func:`feature`)."""

    def __init__(self, audio: Any, name: str, band: int, bands: int, fmin: float, fmax: float, range_db: float,
                 smoothing: float) -> None:
        self.audio, self.name, self.band = audio, name, band
        self.bands, self.fmin, self.fmax = bands, fmin, fmax
        self.range_db, self.smoothing = range_db, smoothing
        if hasattr(audio, "compile") and hasattr(audio, "fps"):
            self._bound = audio

    def __repr__(self) -> str:
        what = "scene mix" if self.audio is None or hasattr(self.audio, "compile") else repr(self.audio)
        extra = f" band {self.band}" if self.name.startswith("band") else ""
        return f"<AudioFeature {self.name}{extra} of {what}>"

    def frame_values(self, scene: Any) -> np.ndarray:
        a = _analysis(_audio_timeline(self.audio, scene), self.bands, self.fmin, self.fmax)
        if self.name in ("band", "band_db"):
            n = a["bands"].shape[1]
            if not -n <= self.band < n:
                raise SceneError(f"{self!r}: band {self.band} does not exist (bands={n})")
            v = a["bands"][:, self.band]
        else:
            v = a["rms_db" if self.name in ("rms", "rms_db") else "peak"]
        if self.name in ("rms", "band"):
            v = _normalise(v, self.range_db)
        return _smooth(np.array(v, dtype=np.float64), self.smoothing)


def feature(audio: Any = None, name: FeatureName = "rms", *, band: int = 0, bands: int = 8, fmin: float = 40.0,
            fmax: float = 16000.0, range_db: float = 60.0, smoothing: float = 0.0) -> AudioFeature:
    """An audio feature as a property source: ``layer.set("scale_x", rf.audio.feature(path, "rms"))``.

    Parameters
    ----------
    audio : str | os.PathLike | AudioClip | Scene | None
        A file (placed at t = 0), a clip on its own (as placed in its scene, without ducking), a
        scene's mix, or None: the mix of the scene the property belongs to.
    name : {"rms", "rms_db", "peak", "band", "band_db"}
        Per video frame (see :class:`reelforge.audio.AudioFeatures` for the definitions):
        ``"rms"`` the RMS level normalised to 0..1 (1 = the loudest frame, 0 = ``range_db`` or
        more below it), ``"rms_db"`` the RMS level in dBFS (floor -120), ``"peak"`` the largest
        ``|x|`` (linear 0..1), ``"band"`` band ``band``'s energy normalised as ``"rms"``,
        ``"band_db"`` its energy in dB.
    band : int
        Band index for the band features (negative counts from the top).
    bands : int
        Number of log-spaced analysis bands, 1..1024.
    fmin, fmax : float
        Their range in Hz, ``0 < fmin < fmax <= 24000``.
    range_db : float
        dB range mapped to 0..1 by the normalised features, > 0.
    smoothing : float
        ``0 <= s < 1``, exponential smoothing over frames (Web Audio ``smoothingTimeConstant``):
        ``out[i] = s * out[i-1] + (1 - s) * v[i]``.

    Returns
    -------
    AudioFeature
        Evaluated in ``Scene.compile()`` at the scene's frame rate; combines with numbers
        (``1 + 0.5 * f``).

    Raises
    ------
    SceneError, SceneTypeError
        Bad arguments (now).
    MediaError
        Unreadable audio (at compile).
    """
    if name not in _FEATURES:
        raise SceneError(f"unknown audio feature {name!r}; use one of {', '.join(_FEATURES)}")
    b = _checks.integer(band, "band")
    nb, lo, hi = _band_args(bands, fmin, fmax)
    r = _checks.number(range_db, "range_db", unit="dB")
    if not r > 0:
        raise SceneError(f"range_db must be > 0 dB, got {range_db!r}")
    _check_audio_arg(audio)
    return AudioFeature(audio, name, b, nb, lo, hi, r, _smoothing_arg(smoothing))


def _band_args(bands: Any, fmin: Any, fmax: Any) -> tuple[int, float, float]:
    nb = _checks.integer(bands, "bands", minimum=1, maximum=1024)
    lo, hi = _checks.number(fmin, "fmin", unit="Hz"), _checks.number(fmax, "fmax", unit="Hz")
    if not 0 < lo < hi <= 24000:
        raise SceneError(f"need 0 < fmin < fmax <= 24000 Hz, got fmin={fmin!r} fmax={fmax!r}")
    return nb, lo, hi


def _smoothing_arg(s: Any) -> float:
    v = _checks.number(s, "smoothing")
    if not 0 <= v < 1:
        raise SceneError(f"smoothing must be in 0 <= s < 1 (fraction of the previous frame kept), got {s!r}")
    return v


def _check_audio_arg(audio: Any) -> None:
    from .scene import AudioClip, Scene, _check_path
    if isinstance(audio, (str, os.PathLike)):
        _check_path(audio, "audio")
    elif audio is not None and not isinstance(audio, (AudioClip, Scene)):
        raise SceneTypeError(f"audio must be a file path, an AudioClip, a Scene or None (the scene's mix), "
                             f"got {type(audio).__name__}")


# -- visualisers -----------------------------------------------------------------------------

class _Table(FrameSource):
    """Per-frame values of a visualiser, ``(frame_count, points)``; not itself a property value."""

    def __init__(self, compute: Callable[[Any], np.ndarray]) -> None:
        self._compute = compute

    def table(self, scene: Any) -> np.ndarray:
        return self._compute(scene)

    def frame_values(self, scene: Any) -> np.ndarray:
        raise SceneError("a visualiser table has several columns; use AudioVisualizer.values(scene)")


class _Column(FrameSource):
    """``fn(table)`` for one layer property: an ``(frame_count,)`` array from the visualiser table."""

    def __init__(self, table: _Table, fn: Callable[[np.ndarray], np.ndarray]) -> None:
        self._table, self._fn = table, fn

    def frame_values(self, scene: Any) -> np.ndarray:
        return np.asarray(self._fn(self._table.table(scene)), dtype=np.float64)


class AudioVisualizer:
    """The layers of a waveform or spectrum visualiser (bottom to top in ``scene.layers``).

    Attributes
    ----------
    layers : list[Layer]
        Solid layers: one per bar (bars, mirror) or per line segment (line).
    style : str
    """

    def __init__(self, layers: list[Any], style: str, table: _Table) -> None:
        self.layers, self.style, self._table = layers, style, table

    def values(self, scene: Any) -> np.ndarray:
        """float64 ``(frame_count, points)``: what the layers show, in 0..1 (bars, mirror: the
        fraction of ``height`` each bar fills) or -1..1 (line: the offset from the centre line as
        a fraction of ``height / 2``, upwards positive)."""
        return np.asarray(self._table.table(scene), dtype=np.float64)


def _rect(scene: Any, x: Any, y: Any, width: Any, height: Any) -> tuple[float, float, float, float]:
    vals = []
    for nm, v, default in (("x", x, 0.0), ("y", y, 0.0), ("width", width, scene.width),
                           ("height", height, scene.height)):
        vals.append(_checks.number(default if v is None else v, nm, unit="pixels"))
    if not (vals[2] > 0 and vals[3] > 0):
        raise SceneError(f"width and height must be > 0 pixels, got {width!r} x {height!r}")
    return vals[0], vals[1], vals[2], vals[3]


def _bar_height(i: int, h: float) -> Callable[[np.ndarray], np.ndarray]:
    def fn(t: np.ndarray) -> np.ndarray:
        return h * t[:, i]
    return fn


def _segment(prop: str, i: int, mid: float, half: float, dx: float,
             line_width: float) -> Callable[[np.ndarray], np.ndarray]:
    """Line segment ``i`` from point i to point i + 1 (y up positive): its start ``y``, its
    ``width`` (length, overlapping the next one by half the line width so joins have no gaps)
    and its ``rotation`` (degrees, clockwise on screen)."""
    def fn(t: np.ndarray) -> np.ndarray:
        y1, y2 = mid - half * t[:, i], mid - half * t[:, i + 1]
        if prop == "y":
            return y1
        if prop == "width":
            return np.asarray(np.hypot(dx, y2 - y1) + line_width / 2)
        return np.asarray(np.degrees(np.arctan2(y2 - y1, dx)))
    return fn


def _build(scene: Any, table: _Table, style: str, points: int, color: Any, rect: tuple[float, float, float, float],
           gap: float, line_width: float, start: float, end: float | None, name: str) -> AudioVisualizer:
    x0, y0, w, h = rect
    layers = []
    if style in ("bars", "mirror"):
        step = w / points
        bw = max(step * (1.0 - gap), 1e-3)
        for i in range(points):
            layer = scene.add_solid(color, start=start, end=end, x=x0 + i * step + (step - bw) / 2,
                                    y=y0 + (h if style == "bars" else h / 2), width=bw, height=0.0,
                                    name=f"{name}.bar{i}")
            layer.set("anchor_y", 1.0 if style == "bars" else 0.5)
            layer.set("height", _Column(table, _bar_height(i, h)))
            layers.append(layer)
    else:
        dx = w / (points - 1)
        for i in range(points - 1):
            layer = scene.add_solid(color, start=start, end=end, x=x0 + i * dx, y=0.0, width=dx, height=line_width,
                                    name=f"{name}.seg{i}")
            layer.set("anchor_y", 0.5)
            for prop in ("y", "width", "rotation"):
                layer.set(prop, _Column(table, _segment(prop, i, y0 + h / 2, h / 2, dx, line_width)))
            layers.append(layer)
    return AudioVisualizer(layers, style, table)


def _common(scene: Any, audio: Any, style: Any, points: Any, x: Any, y: Any, width: Any, height: Any, gap: Any,
            line_width: Any, start: Any, end: Any, name: Any, base: str) -> tuple[Any, ...]:
    if style not in _STYLES:
        raise SceneError(f"style must be one of {', '.join(_STYLES)}, got {style!r}")
    _check_audio_arg(audio)
    n = _checks.integer(points, "bands", minimum=2 if style == "line" else 1, maximum=1024)
    rect = _rect(scene, x, y, width, height)
    g = _checks.number(gap, "gap")
    if not 0 <= g < 1:
        raise SceneError(f"gap must be a fraction of the bar pitch in 0 <= gap < 1, got {gap!r}")
    lw = _checks.number(line_width, "line_width", unit="pixels")
    if not lw > 0:
        raise SceneError(f"line_width must be > 0 pixels, got {line_width!r}")
    if name is None:
        name = f"{base}{len(scene.layers)}"
    elif not isinstance(name, str):
        raise SceneTypeError(f"name must be a str, got {type(name).__name__}")
    return n, rect, g, lw, name


def add_waveform(scene: Any, audio: Any = None, *, style: VisualizerStyle = "bars", bands: int = 32,
                 color: Any = "white", x: float = 0.0, y: float = 0.0, width: float | None = None,
                 height: float | None = None, smoothing: float = 0.0, window: float | None = None,
                 gain: float = 1.0, gap: float = 0.2, line_width: float = 2.0, start: float = 0.0,
                 end: float | None = None, name: str | None = None) -> AudioVisualizer:
    """A waveform visualiser: the mix's samples around each frame, drawn as bars or a line.

    For frame ``i``, ``window`` seconds of the mono mix ``(L + R) / 2`` from the frame's first
    sample ``floor(i * 48000 / fps)`` (default: the frame's own samples) are split into ``bands``
    equal segments; point ``j`` is the segment's sample of largest magnitude, sign kept
    (``_core.waveform_points``), times ``gain``, clipped to -1..1, then smoothed over frames.

    Parameters
    ----------
    scene : Scene
    audio : str | os.PathLike | AudioClip | Scene | None
        What to show: a file (placed at t = 0), one clip, a scene's mix, or None: this scene's mix.
    style : {"bars", "mirror", "line"}
        ``"bars"``: ``bands`` bars standing on the bottom edge of the box, bar ``j`` ``|v_j| *
        height`` pixels tall; ``"mirror"``: the same bars centred on the box's middle line;
        ``"line"``: a polyline through ``(x + j * width / (bands - 1), y + height / 2 - v_j *
        height / 2)`` (signed, up positive), one thin rotated solid per segment.
    bands : int
        Number of bars or line points, 1..1024 (2.. for a line).
    color : colour
        As :meth:`Scene.add_solid`.
    x, y, width, height : float
        The box in canvas pixels (default: the whole canvas).
    smoothing : float
        0 <= s < 1, exponential smoothing over frames (Web Audio ``smoothingTimeConstant``).
    window : float, optional
        Seconds of audio per frame (> 0); None: ``1 / fps``.
    gain : float
        Linear factor on the sample values before clipping (> 0), e.g. 4 for quiet audio.
    gap : float
        Fraction of each bar's pitch left empty, 0 <= gap < 1.
    line_width : float
        Line thickness in pixels (line style).
    start, end : float
        Seconds the layers are shown (as other layers).
    name : str, optional
        Base name of the layers (``name.bar0``... / ``name.seg0``...).

    Returns
    -------
    AudioVisualizer

    Raises
    ------
    SceneError, SceneTypeError
        Bad arguments.
    MediaError
        Unreadable audio (at compile).
    """
    n, rect, g, lw, nm = _common(scene, audio, style, bands, x, y, width, height, gap, line_width, start, end, name,
                                 "waveform")
    s = _smoothing_arg(smoothing)
    k = _checks.number(gain, "gain")
    if not k > 0:
        raise SceneError(f"gain must be > 0 (a linear factor), got {gain!r}")
    win = None if window is None else _checks.seconds(window, "window")
    if win is not None and win <= 0:
        raise SceneError(f"window must be > 0 seconds, got {window!r}")
    signed = style == "line"

    def compute(sc: Any) -> np.ndarray:
        tl = _audio_timeline(audio, sc)
        samples = 0 if win is None else max(1, round(win * 48000))
        key = ("waveform", _fingerprint(tl), n, samples)
        pts = _cached(key, lambda: np.asarray(_core.waveform_points(tl, n, samples), dtype=np.float64))
        v = np.clip(pts * k, -1.0, 1.0)
        return _smooth(v if signed else np.abs(v), s)

    return _build(scene, _Table(compute), style, n, color, rect, g, lw, start, end, nm)


def add_spectrum(scene: Any, audio: Any = None, *, style: VisualizerStyle = "bars", bands: int = 32,
                 fmin: float = 40.0, fmax: float = 16000.0, db_range: tuple[float, float] = (-60.0, 0.0),
                 color: Any = "white", x: float = 0.0, y: float = 0.0, width: float | None = None,
                 height: float | None = None, smoothing: float = 0.5, gap: float = 0.2, line_width: float = 2.0,
                 start: float = 0.0, end: float | None = None, name: str | None = None) -> AudioVisualizer:
    """A spectrum visualiser: band energies per frame (``rf.audio.analyze``) as bars or a line.

    Band ``j`` of ``bands`` log-spaced bands from ``fmin`` to ``fmax`` Hz (Hann-windowed FFT of
    the mono mix around the frame; a sine of amplitude ``A`` reads ``10*log10(A**2 / 2)`` dB in its
    band, see :class:`reelforge.audio.AudioFeatures`) maps to ``v_j = clip((dB - lo) / (hi - lo),
    0, 1)`` with ``(lo, hi) = db_range`` (as Web Audio's ``minDecibels``/``maxDecibels``), then
    smoothed over frames. Bars are ``v_j * height`` tall (``"bars"`` on the bottom edge,
    ``"mirror"`` centred); ``"line"`` draws ``y + height / 2 - v_j * height / 2``.

    Other parameters as :func:`add_waveform`; ``smoothing`` defaults to 0.5.

    Returns
    -------
    AudioVisualizer

    Raises
    ------
    SceneError, SceneTypeError
        Bad arguments (``db_range`` must be two finite dB values, low < high).
    MediaError
        Unreadable audio (at compile).
    """
    n, rect, g, lw, nm = _common(scene, audio, style, bands, x, y, width, height, gap, line_width, start, end, name,
                                 "spectrum")
    _, lo_hz, hi_hz = _band_args(n, fmin, fmax)
    s = _smoothing_arg(smoothing)
    if not isinstance(db_range, (tuple, list)) or len(db_range) != 2:
        raise SceneError(f"db_range must be (low_db, high_db), got {db_range!r}")
    lo = _checks.number(db_range[0], "db_range[0]", unit="dB")
    hi = _checks.number(db_range[1], "db_range[1]", unit="dB")
    if not lo < hi:
        raise SceneError(f"db_range must have low < high, got {db_range!r}")

    def compute(sc: Any) -> np.ndarray:
        bands_db = _analysis(_audio_timeline(audio, sc), n, lo_hz, hi_hz)["bands"]
        return _smooth(np.clip((bands_db - lo) / (hi - lo), 0.0, 1.0), s)

    return _build(scene, _Table(compute), style, n, color, rect, g, lw, start, end, nm)
