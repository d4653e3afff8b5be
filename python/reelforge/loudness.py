"""Loudness measurement and normalisation per ITU-R BS.1770-4 / EBU R128 (issue 13, item 4).

:func:`loudness` reports the integrated loudness (LUFS, gated as BS.1770-4), the loudness range
(LU, EBU Tech 3342) and the true peak (dBTP, 4x oversampled) of a file or of a scene's mix, with
libebur128 (src/audio/loudness.cpp). ``Exporter(loudness_lufs=-14.0, true_peak_db=-1.0)`` uses
:func:`master_settings`: the whole mix is measured first (it is the exact exported mix, see
``_core.mix_audio``), then one gain brings it to the target and a look-ahead true-peak limiter
(src/audio/limiter.h) keeps the peaks under the ceiling.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from typing import Any

from . import _checks
from . import _core
from .errors import SceneError

__all__ = ["LoudnessReport", "loudness", "master_settings", "apply_master", "MasteredScene",
           "LOUDNESS_RANGE", "TRUE_PEAK_RANGE"]

log = logging.getLogger("reelforge")

#: Accepted integrated-loudness targets (LUFS). Streaming services ask for -14 (YouTube, Spotify),
#: EBU R128 broadcast for -23.
LOUDNESS_RANGE = (-70.0, -5.0)
#: Accepted true-peak ceilings (dBTP).
TRUE_PEAK_RANGE = (-60.0, 0.0)
#: Passes of measure-and-correct (the limiter lowers the loudness of peaky material).
_CORRECTIONS = 8
#: Accepted remaining error of the normalisation (LU) before another correction pass.
_TOLERANCE_LU = 0.1


@dataclass(frozen=True)
class LoudnessReport:
    """A loudness measurement (ITU-R BS.1770-4 / EBU R128, libebur128).

    Attributes
    ----------
    integrated_lufs : float
        Integrated (programme) loudness in LUFS, with the -70 LUFS absolute and -10 LU relative
        gates; ``-inf`` when nothing passes the gate (silence).
    range_lu : float
        Loudness range in LU (EBU Tech 3342), 0 for material too short or too even to have one.
    true_peak_db : float
        Largest 4x-oversampled sample magnitude of either channel, dBTP (``-inf`` for silence).
    sample_peak_db : float
        Largest sample magnitude, dBFS.
    duration : float
        Seconds measured (48 kHz stereo samples / 48000).
    """

    integrated_lufs: float
    range_lu: float
    true_peak_db: float
    sample_peak_db: float
    duration: float

    @classmethod
    def _from_core(cls, r: Any) -> "LoudnessReport":
        return cls(float(r.integrated_lufs), float(r.range_lu), float(r.true_peak_db), float(r.sample_peak_db),
                   r.samples / 48000.0)


def loudness(source: Any) -> LoudnessReport:
    """Measure ``source``: a path to any audio (or video) file FFmpeg reads, or a Scene.

    A file is decoded and resampled to 48 kHz stereo (libswresample, soxr), nothing else applied.
    A Scene is measured as an export of it contains it: all clips mixed with their gains, fades,
    ducking, the master stage and the mixer's soft limiter (``_core.measure_loudness``). Scene
    wrappers (``ScaledScene``, :class:`MasteredScene`: anything with ``compile()``) work too.

    Returns
    -------
    LoudnessReport

    Raises
    ------
    MediaNotFoundError, MediaError
        Missing or unreadable files, files without audio.
    SceneTypeError
        Other types.
    """
    if isinstance(source, (str, os.PathLike)):
        from .scene import _check_path
        path = _check_path(source, "loudness")
        info = _core.probe(path)
        if not info.has_audio:
            from .errors import MediaError
            raise MediaError(f"loudness: {path!r} has no audio stream")
        return LoudnessReport._from_core(_core.measure_file_loudness(path))
    if hasattr(source, "compile"):
        return LoudnessReport._from_core(_core.measure_loudness(source.compile()))
    from .errors import SceneTypeError
    raise SceneTypeError(f"loudness: source must be a file path or a Scene, got {type(source).__name__}")


def check_targets(loudness_lufs: Any, true_peak_db: Any) -> tuple[float | None, float | None]:
    """Checked ``(loudness_lufs, true_peak_db)`` of an export: None stays None; a loudness target
    without a ceiling gets -1 dBTP (EBU R128 s1 / streaming practice)."""
    lufs = None if loudness_lufs is None else _checks.number(
        loudness_lufs, "loudness_lufs", unit="LUFS", minimum=LOUDNESS_RANGE[0], maximum=LOUDNESS_RANGE[1],
        example="loudness_lufs=-14.0")
    tp = None if true_peak_db is None else _checks.number(
        true_peak_db, "true_peak_db", unit="dBTP", minimum=TRUE_PEAK_RANGE[0], maximum=TRUE_PEAK_RANGE[1],
        example="true_peak_db=-1.0")
    if lufs is not None and tp is None:
        tp = -1.0
    return lufs, tp


def apply_master(tl: Any, gain_db: float, true_peak_db: float | None) -> Any:
    """Set ``tl.audio_master`` (master gain in dB, true-peak limiter at ``true_peak_db`` dBTP or
    none) on a compiled timeline; returns it."""
    m = _core.AudioMaster()
    m.gain_db = float(gain_db)
    m.limit = true_peak_db is not None
    m.true_peak_db = -1.0 if true_peak_db is None else float(true_peak_db)
    tl.audio_master = m
    tl.validate()
    return tl


def master_settings(tl: Any, loudness_lufs: float | None, true_peak_db: float | None) -> float:
    """The master gain (dB) that brings the compiled timeline ``tl``'s mix to ``loudness_lufs``
    (None: 0 dB, limiter only) with the limiter at ``true_peak_db``; leaves ``tl.audio_master``
    set to it.

    The mix is measured without master stage, the gain ``target - measured`` applied with the
    limiter, and measured again; while the result is more than 0.1 LU off (the limiter lowers
    the loudness of peaky material), the gain is searched by secant / regula falsi steps (at most
    eight passes, then the best one with a warning). Silence (``-inf`` LUFS) gets 0 dB and a
    warning on the ``reelforge`` logger. Each pass decodes the whole audio once.
    """
    if loudness_lufs is None:
        apply_master(tl, 0.0, true_peak_db)
        return 0.0
    apply_master(tl, 0.0, None)
    measured = float(_core.measure_loudness(tl, False).integrated_lufs)
    if not math.isfinite(measured):
        log.warning("loudness_lufs=%g: the mix is silent (below the -70 LUFS gate); no gain applied", loudness_lufs)
        apply_master(tl, 0.0, true_peak_db)
        return 0.0
    # L(g), the loudness after gain g and the limiter, rises with g at a slope <= 1 (the limiter
    # only takes level away), so g = target - measured is at or below the answer. Search from
    # there: secant steps while below the target (slope clamped to 0.05..1), regula falsi once
    # a gain above it is known; keep the best measured gain.
    lo = (0.0, measured)
    hi: tuple[float, float] | None = None
    gain = loudness_lufs - measured
    best = (math.inf, gain)
    for _ in range(_CORRECTIONS):
        if abs(gain) > 200:
            raise SceneError(f"loudness_lufs={loudness_lufs:g} needs {gain:+.1f} dB of gain, outside -200..200 dB")
        apply_master(tl, gain, true_peak_db)
        now = float(_core.measure_loudness(tl, False).integrated_lufs)
        best = min(best, (abs(loudness_lufs - now), gain))
        if abs(loudness_lufs - now) <= _TOLERANCE_LU:
            break
        if now < loudness_lufs:
            slope = (now - lo[1]) / (gain - lo[0]) if gain != lo[0] else 1.0
            lo = (gain, now)
        else:
            hi = (gain, now)
        if hi is None:
            gain = lo[0] + (loudness_lufs - lo[1]) / min(1.0, max(slope, 0.05))
        else:
            gain = lo[0] + (loudness_lufs - lo[1]) * (hi[0] - lo[0]) / (hi[1] - lo[1])
    else:
        log.warning("loudness_lufs=%g: with the true-peak limit of %g dBTP the mix gets within %.2f LU",
                    loudness_lufs, true_peak_db, best[0])
    gain = best[1]
    apply_master(tl, gain, true_peak_db)
    return gain


class MasteredScene:
    """A scene whose compiled timeline carries a fixed master stage (gain, limiter); every other
    attribute is the wrapped scene's. For exports that compile the scene in other processes
    (``Exporter(workers=N)``): the loudness is measured once, here."""

    def __init__(self, scene: Any, gain_db: float, true_peak_db: float | None) -> None:
        self._scene = scene
        self.master_gain_db = float(gain_db)
        self.true_peak_db = true_peak_db

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_scene":
            raise AttributeError(name)
        return getattr(self._scene, name)

    def compile(self) -> Any:
        return apply_master(self._scene.compile(), self.master_gain_db, self.true_peak_db)
