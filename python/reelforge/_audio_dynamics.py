"""Audio clip gain automation and ducking (issue 13, item 4); the mixing itself is in C++.

``AudioClip.set("gain_db", ...)`` and ``AudioClip.duck_under(...)`` land here. Everything is
sampled or checked once in ``Scene.compile()``: the mixer (src/audio/mixer.cpp) gets a per-frame
gain table and, for a ducked clip, the indices of its key clips (src/timeline/audio_dynamics.h).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from . import _checks
from . import _core
from . import animation as _anim
from .errors import SceneError, SceneTypeError
from .frame_source import FrameSource

if TYPE_CHECKING:
    from .scene import AudioClip

__all__ = ["set_gain", "gain_table", "duck_under", "compile_ducking", "Ducking"]


def set_gain(clip: "AudioClip", name: str, value: Any) -> "AudioClip":
    """Set an audio clip's ``gain_db`` (dB) to a constant, a per-frame array, a callable or a source.

    Parameters
    ----------
    clip : AudioClip
    name : str
        ``"gain_db"`` (the only settable clip property).
    value : float | array_like | callable | FrameSource
        - a real number: the clip's constant gain in dB;
        - a float array of shape ``(scene.frame_count,)``: dB per video frame;
        - a callable ``f(t)`` of scene time in seconds (float64 array of the frame times, returning
          an array of the same shape; scalar-only callables are called per frame);
        - a :class:`~reelforge.frame_source.FrameSource` (e.g. from :func:`reelforge.audio.feature`).

        Values are within :data:`reelforge.scene.GAIN_DB_RANGE`. A table replaces the constant
        gain (``clip.gain_db`` becomes 0 dB); the mixer interpolates it linearly between frame
        centres, so it does not step at frame boundaries (see src/audio/mixer.h).

    Returns
    -------
    AudioClip
        The clip (chainable).

    Raises
    ------
    SceneError
        Another name, values out of range, a table of the wrong length (callables and sources
        are evaluated and checked in ``Scene.compile()``).
    SceneTypeError
        A value of the wrong type.
    """
    from .scene import GAIN_DB_RANGE
    if name != "gain_db":
        raise SceneError(f"audio clip {clip.path!r}: only 'gain_db' can be set, not {name!r}")
    what = clip._what()
    lo, hi = GAIN_DB_RANGE
    if isinstance(value, FrameSource) or callable(value):
        clip._gain, clip.gain_db = value, 0.0
    elif isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) > 0:
        arr = _per_frame(value, clip._scene.frame_count, what)
        _check_db(arr, what, lo, hi)
        clip._gain, clip.gain_db = arr, 0.0
    elif _checks.is_real(value):
        clip.gain_db = _checks.number(value, what, unit="dB", minimum=lo, maximum=hi, example="set('gain_db', -6.0)")
        clip._gain = None
    else:
        raise SceneTypeError(f"{what}: expected a number of dB, a per-frame array of shape "
                             f"({clip._scene.frame_count},), a callable of time or a FrameSource, got "
                             f"{type(value).__name__} {value!r}")
    return clip


def _per_frame(value: Any, n: int, what: str) -> np.ndarray:
    try:
        return _anim.per_frame_array(value, n, what=what)
    except ValueError as e:
        raise SceneError(str(e)) from None


def _check_db(g: np.ndarray, what: str, lo: float, hi: float) -> None:
    bad = np.flatnonzero((g < lo) | (g > hi))
    if bad.size:
        raise SceneError(f"{what}: {g[bad[0]]:g} dB at frame {bad[0]} is outside {lo:g}..{hi:g} dB")


def gain_table(clip: Any, times: np.ndarray) -> np.ndarray:
    """The clip's ``gain_db`` at every frame (float32 ``(frame_count,)``) from a table, callable or
    source (keyframes are sampled by ``AudioClip._gain_table`` itself)."""
    from .scene import GAIN_DB_RANGE
    scene, v, what = clip._scene, clip._gain, clip._what()
    n = len(times)
    try:
        if isinstance(v, FrameSource):
            g = _anim.per_frame_array(v.frame_values(scene), n, what=what)
        elif callable(v):
            g = _anim.as_frame_array(v, times, what=what)
        else:
            g = _anim.per_frame_array(v, n, what=what)
    except ValueError as e:
        raise SceneError(str(e)) from e.__cause__
    _check_db(g, what, *GAIN_DB_RANGE)
    return np.asarray(g, dtype=np.float32)


class Ducking:
    """A clip's ducking settings (see :func:`duck_under`)."""

    __slots__ = ("keys", "amount_db", "threshold_db", "attack", "release", "hold")

    def __init__(self, keys: list[Any], amount_db: float, threshold_db: float, attack: float, release: float,
                 hold: float) -> None:
        self.keys, self.amount_db, self.threshold_db = keys, amount_db, threshold_db
        self.attack, self.release, self.hold = attack, release, hold


def duck_under(clip: "AudioClip", keys: Any, amount_db: float = -12.0, threshold_db: float = -30.0,
               attack: float = 0.05, release: float = 0.4, hold: float = 0.0) -> "AudioClip":
    """Lower ``clip`` by ``amount_db`` while the clips ``keys`` are louder than ``threshold_db``.

    A sidechain ducker in the mixer (src/audio/ducker.h), sample by sample at 48 kHz:

    - key level: the power ``(L^2 + R^2) / 2`` of the keys' summed signal (after their own gains,
      fades and keyframes, before their own ducking), smoothed by a one-pole follower with a
      10 ms time constant (an RMS detector), in dBFS;
    - the gate is on while that level is above ``threshold_db`` and for ``hold`` seconds after;
    - the clip's gain moves linearly in dB: down by ``|amount_db|`` in ``attack`` seconds while
      the gate is on, back up to 0 dB in ``release`` seconds while it is off.

    Parameters
    ----------
    clip : AudioClip
        The clip to duck (e.g. music).
    keys : AudioClip or sequence of AudioClip
        Clips of the same scene whose level triggers it (e.g. a voice-over), not ``clip`` itself.
    amount_db : float, default -12
        Gain while ducked, dB, in [-200, 0).
    threshold_db : float, default -30
        Key level (dBFS RMS; a full-scale sine reads -3) above which ducking starts, in [-200, 0].
    attack, release : float, default 0.05, 0.4
        Seconds for the full ``amount_db`` down, and back up; > 0.
    hold : float, default 0
        Seconds the gate stays on after the key falls below the threshold (bridges gaps between
        words); >= 0.

    Returns
    -------
    AudioClip
        The clip (chainable). Calling it again replaces the previous settings.

    Raises
    ------
    SceneError
        Bad values, a key from another scene or the clip itself.
    SceneTypeError
        Keys that are not AudioClips, numbers of the wrong type.
    """
    from .scene import AudioClip
    what = f"audio clip {clip.path!r} duck_under"
    key_list = [keys] if isinstance(keys, AudioClip) else _key_list(keys, what)
    if not key_list:
        raise SceneError(f"{what}: give at least one key clip")
    for k in key_list:
        if not isinstance(k, AudioClip):
            raise SceneTypeError(f"{what}: keys must be AudioClips (from Scene.add_audio), got {type(k).__name__}")
        if k is clip:
            raise SceneError(f"{what}: a clip cannot duck under itself")
        if k._scene is not clip._scene:
            raise SceneError(f"{what}: key {k!r} belongs to another scene")
    amount = _checks.number(amount_db, f"{what} amount_db", unit="dB", minimum=-200.0, maximum=0.0)
    if amount >= 0:
        raise SceneError(f"{what}: amount_db must be below 0 dB (the gain while ducked), got {amount_db!r}")
    thr = _checks.number(threshold_db, f"{what} threshold_db", unit="dB", minimum=-200.0, maximum=0.0)
    times = []
    for name, v in (("attack", attack), ("release", release)):
        t = _checks.seconds(v, f"{what} {name}")
        assert t is not None
        if t <= 0:
            raise SceneError(f"{what}: {name} must be > 0 seconds, got {v!r}")
        times.append(t)
    h = _checks.seconds(hold, f"{what} hold")
    assert h is not None
    clip._duck = Ducking(key_list, amount, thr, times[0], times[1], h)
    return clip


def _key_list(keys: Any, what: str) -> list[Any]:
    if isinstance(keys, (str, bytes)) or not isinstance(keys, Sequence):
        raise SceneTypeError(f"{what}: keys must be an AudioClip or a list of them, got {type(keys).__name__}")
    return list(keys)


def compile_ducking(scene: Any, clip: Any) -> "_core.ClipDucking":
    """The core's ClipDucking for ``clip``: its keys as indices into ``scene.audio``."""
    d: Ducking = clip._duck
    out = _core.ClipDucking()
    idx = []
    for k in d.keys:
        pos = next((i for i, c in enumerate(scene.audio) if c is k), None)
        if pos is None:
            raise SceneError(f"audio clip {clip.path!r} is ducked under {k!r}, which is no longer in scene.audio")
        idx.append(pos)
    out.keys = idx
    out.amount_db, out.threshold_db = d.amount_db, d.threshold_db
    out.attack, out.release, out.hold = d.attack, d.release, d.hold
    return out
