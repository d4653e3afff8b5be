"""Time remapping of video layers: speed, reverse, freeze frames, loops and speed ramps.

A remapped video layer shows, at each of its frames, the source frame chosen by the normal
playback rule (the latest frame whose presentation time is <= the source time, within the
container's timestamp tolerance) at a *source time* computed here, once, in ``Scene.compile()``:
a float64 table of source seconds per frame (``_core.Layer.source_time``). Nothing is evaluated
per frame during rendering. The layer's audio (``add_video(..., audio=True)``) follows the same
map, sampled at the frame boundaries (``_core.AudioClip.source_time``).

Options of :meth:`reelforge.Scene.add_video` (``tau`` = seconds since the layer's first frame,
``trim`` = ``trim_start``, ``D`` = the source duration, ``v`` = ``speed``, ``dt`` = 1 / fps):

=====================  ==========================================================================
option                 source seconds shown at layer time ``tau``
=====================  ==========================================================================
``speed=v``            ``trim + v * tau``
``reverse=True``       ``E - v * (tau + dt)`` with ``E = min(D, trim + v * span)``: the frames
                       forward play would show, last first (the sample point of each output frame
                       interval ``[tau, tau + dt)`` mirrored), held at ``trim`` once exhausted
``loop=True``          ``trim + (v * tau) mod (D - trim)`` (reversed: each cycle backwards)
``freeze_at=x``        ``x`` for the layer's whole span (one frame; its audio is silent)
``set_time_remap(m)``  ``m(t)`` at the frame's scene time ``t``: keyframes, a per-frame array or a
                       callable (see :func:`set_time_remap`)
=====================  ==========================================================================

Audio: at each output frame the source span between the map's values at the frame's two
boundaries is played in the order the map runs (backwards when it decreases), stretched to the
frame's samples: with ``preserve_pitch=True`` (default) with the pitch kept, by libavfilter's
``atempo`` (WSOLA) at constant speeds and Rubber Band (the ``rubberband`` filter) for ramps
(resampled, with a warning, where FFmpeg lacks it); with ``preserve_pitch=False`` resampled
(varispeed: pitch follows the speed, cubic interpolation). A frame
whose map does not move (a freeze or hold) is silent; one that moves faster than
``MAX_AUDIO_RATE`` times real time (a cut, a loop's wrap) is silent too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence, Union

import numpy as np

from . import _checks
from . import animation as _anim
from .errors import SceneError, SceneTypeError

if TYPE_CHECKING:  # pragma: no cover
    from . import _core
    from .scene import AudioClip, Layer, Scene

__all__ = ["TimeRemap", "MAX_SPEED", "MAX_AUDIO_RATE", "RemapValue", "set_time_remap"]

#: Largest ``speed`` accepted (source seconds per second).
MAX_SPEED = 1000.0
#: Audio of a frame whose map moves faster than this (source seconds per output second) is silent:
#: a cut or a loop's wrap, not something to play. Mirrors kMaxRate in src/audio/remap_audio.h.
MAX_AUDIO_RATE = 16.0

#: What :func:`set_time_remap` accepts: keyframes ``[(t, source_seconds[, easing]), ...]``, a
#: per-frame array of shape ``(frame_count,)`` or a callable of scene time.
RemapValue = Union[Sequence[Any], np.ndarray, Callable[..., Any]]


@dataclass
class TimeRemap:
    """A video layer's time remap options (``Layer._remap``), checked by :func:`from_options`.

    Attributes: ``speed`` (> 0), ``reverse``, ``loop``, ``freeze_at`` (source seconds or None),
    ``preserve_pitch``, ``source_duration`` (seconds, <= 0 when unknown), ``custom`` (what
    :func:`set_time_remap` was given, None for none) and its ``easing``.
    """

    speed: float = 1.0
    reverse: bool = False
    loop: bool = False
    freeze_at: float | None = None
    preserve_pitch: bool = True
    source_duration: float = -1.0
    custom: Any = None
    easing: Any = "linear"

    @property
    def identity(self) -> bool:
        """True when the layer plays normally (no table is compiled)."""
        return (self.custom is None and self.speed == 1.0 and not self.reverse and not self.loop
                and self.freeze_at is None)


def _bool(value: object, what: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise SceneTypeError(f"{what} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def from_options(name: str, *, speed: object, reverse: object, loop: object, freeze_at: object,
                 preserve_pitch: object, trim_start: float, source_duration: float) -> TimeRemap:
    """Check ``add_video``'s remap arguments (SceneError / SceneTypeError naming the parameter)."""
    what = f"layer {name!r}"
    v = _checks.number(speed, f"{what} speed", unit="x (source seconds per second)", maximum=MAX_SPEED,
                       example="speed=2.0")
    if v <= 0:
        raise SceneError(f"{what} speed must be > 0 (1 = normal, 2 = twice as fast), got {speed!r}; "
                         f"use reverse=True to play backwards and freeze_at= for a still")
    r = TimeRemap(speed=v, reverse=_bool(reverse, f"{what} reverse"), loop=_bool(loop, f"{what} loop"),
                  preserve_pitch=_bool(preserve_pitch, f"{what} preserve_pitch"), source_duration=source_duration)
    if freeze_at is not None:
        at = _checks.seconds(freeze_at, f"{what} freeze_at")
        assert at is not None
        r.freeze_at = at
        if v != 1.0 or r.reverse or r.loop:
            raise SceneError(f"{what}: freeze_at shows one frame for the layer's span; it cannot be combined with "
                             f"speed, reverse or loop")
        if source_duration > 0 and at >= source_duration:
            raise SceneError(f"{what} freeze_at={at}s is past the end of the source "
                             f"({source_duration:.3f}s long); use freeze_at < {source_duration:.3f}")
    if (r.reverse or r.loop) and source_duration <= trim_start:
        opt = "reverse" if r.reverse else "loop"
        raise SceneError(f"{what}: {opt}=True needs the source's duration, which its container does not "
                         f"declare (or trim_start is past it)")
    return r


def natural_end(r: TimeRemap, start: float, trim_start: float) -> float | None:
    """End (scene seconds) of a layer given no ``end``: when the remapped source runs out
    (speed, reverse), None (the scene's end) for freeze frames and loops."""
    if r.freeze_at is not None or r.loop or r.source_duration <= 0:
        return None
    return start + (r.source_duration - trim_start) / r.speed


def set_time_remap(layer: "Layer", value: RemapValue, easing: Any = "linear") -> "Layer":
    """Map the layer's scene time to source seconds (see :meth:`reelforge.Layer.set_time_remap`)."""
    from .scene import _Keyframes

    what = f"layer {layer.name!r} time_remap"
    r = getattr(layer, "_remap", None)
    if r is None:
        raise SceneError(f"{what}: only video layers (Scene.add_video) can be time-remapped")
    if r.speed != 1.0 or r.reverse or r.loop or r.freeze_at is not None:
        raise SceneError(f"{what}: the layer already has speed/reverse/loop/freeze_at from add_video; a time remap "
                         f"replaces them, so leave those at their defaults")
    if isinstance(value, np.ndarray) or (isinstance(value, (list, tuple)) and value
                                         and not isinstance(value[0], (list, tuple))):
        try:
            arr = _anim.per_frame_array(value, layer._scene.frame_count, what=what)
        except ValueError as e:
            raise SceneError(f"{e}; keyframes are a list of (t, source_seconds) pairs") from None
        _check_times(arr, what, 0)
        r.custom = np.array(value, dtype=np.float64)
    elif callable(value):
        r.custom = value
    elif isinstance(value, (list, tuple)):
        kf = _Keyframes.checked(value, easing, what)
        _check_times(np.array([float(k[1]) for k in kf.keyframes]), what, None, "keyframe")
        r.custom, r.easing = kf, easing
    else:
        raise SceneTypeError(f"{what}: expected keyframes [(t_seconds, source_seconds), ...], a per-frame array "
                             f"of shape ({layer._scene.frame_count},) or a callable of time, got "
                             f"{type(value).__name__} {value!r}")
    return layer


def _check_times(values: np.ndarray, what: str, first: int | None, where: str = "frame") -> None:
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0) | (values > _checks.MAX_SECONDS))
    if bad.size:
        i = int(bad[0])
        at = f"{where} {i if first is None else first + i}"
        raise SceneError(f"{what}: source time {values[i]!r} at {at} must be finite seconds >= 0")


def layer_frames(scene: "Scene", layer: "Layer") -> tuple[int, int]:
    """The frames ``[first, end)`` a layer is shown, as ``Scene._compile_layer`` computes them."""
    start, end = scene._span(layer.name, layer.start, layer.end)
    first = scene._first_frame(start)
    n = scene.frame_count
    return first, n if end is None else min(n, max(first + 1, scene._first_frame(end)))


def boundaries(scene: "Scene", layer: "Layer", first: int, end: int) -> np.ndarray | None:
    """Source seconds at the ``end - first + 1`` frame boundaries of the layer's frames (the
    audio's map), float64; None for a layer that plays normally."""
    r: TimeRemap | None = getattr(layer, "_remap", None)
    if r is None or r.identity:
        return None
    n = end - first
    dt = scene.fps.denominator / scene.fps.numerator
    tau = np.arange(n + 1, dtype=np.float64) * dt
    trim = float(layer.trim_start)
    if r.custom is not None:
        return _custom(scene, layer, r, first, end)
    if r.freeze_at is not None:
        return np.full(n + 1, r.freeze_at)
    if r.loop:
        period = r.source_duration - trim
        u = np.mod(r.speed * tau, period)
        return trim + (period - u if r.reverse else u)
    if r.reverse:
        e = _reverse_end(r, trim, n * dt)
        return np.maximum(trim, e - r.speed * tau)
    return trim + r.speed * tau


def _reverse_end(r: TimeRemap, trim: float, span: float) -> float:
    e = trim + r.speed * span
    return min(e, r.source_duration) if r.source_duration > 0 else e


def frame_times(scene: "Scene", layer: "Layer", first: int, end: int) -> np.ndarray | None:
    """Source seconds shown at each of the layer's frames (the video's table), float64; a
    1-element array for a freeze frame; None for a layer that plays normally."""
    r: TimeRemap | None = getattr(layer, "_remap", None)
    b = boundaries(scene, layer, first, end)
    if r is None or b is None:
        return None
    if r.freeze_at is not None:
        return b[:1]
    if r.custom is None and r.reverse:
        # Each output frame shows the sample point of its interval mirrored: the interval's end.
        dt = scene.fps.denominator / scene.fps.numerator
        tau1 = np.arange(1, end - first + 1, dtype=np.float64) * dt
        trim = float(layer.trim_start)
        if r.loop:
            period = r.source_duration - trim
            return trim + np.mod(period - np.mod(r.speed * tau1, period), period)
        return np.maximum(trim, _reverse_end(r, trim, (end - first) * dt) - r.speed * tau1)
    return b[:-1]


def _custom(scene: "Scene", layer: "Layer", r: TimeRemap, first: int, end: int) -> np.ndarray:
    from .scene import _Keyframes

    what = f"layer {layer.name!r} time_remap"
    times = scene._times(first, end + 1)
    try:
        if isinstance(r.custom, _Keyframes):
            out = _anim.sample_keyframes(r.custom.keyframes, times, r.custom.easing, what=what)
        elif callable(r.custom):
            out = _anim.evaluate_callable(r.custom, times, what=what)
        else:
            arr = _anim.per_frame_array(r.custom, scene.frame_count, what=what)
            nxt = arr[end] if end < arr.size else (2 * arr[-1] - arr[-2] if arr.size > 1 else arr[-1])
            out = np.append(arr[first:end], max(0.0, float(nxt)))
    except ValueError as e:
        raise SceneError(str(e)) from e.__cause__
    _check_times(out, what, first)
    return out


def compile_layer(scene: "Scene", layer: "Layer", c: "_core.Layer") -> None:
    """Fill ``c.source_time`` for a remapped video layer (no-op otherwise)."""
    t = frame_times(scene, layer, c.start_frame, c.end_frame)
    if t is not None:
        c.source_time = t


def compile_clip(scene: "Scene", clip: "AudioClip", a: "_core.AudioClip") -> None:
    """Give a remapped video layer's audio clip its boundary table (no-op for other clips)."""
    layer = getattr(clip, "_remap_layer", None)
    if layer is None or layer not in scene.layers:
        return
    first, end = layer_frames(scene, layer)
    b = boundaries(scene, layer, first, end)
    if b is None:
        return
    r: TimeRemap = layer._remap
    a.source_time = b
    a.remap_first_frame = first
    a.preserve_pitch = _bool(r.preserve_pitch, f"layer {layer.name!r} preserve_pitch")


def describe(r: TimeRemap) -> str:
    """One line for reprs and logs."""
    if r.custom is not None:
        return "time remap"
    if r.freeze_at is not None:
        return f"freeze at {r.freeze_at:g}s"
    parts = [f"{r.speed:g}x"] + (["reverse"] if r.reverse else []) + (["loop"] if r.loop else [])
    return " ".join(parts) + ("" if r.preserve_pitch else " varispeed")
