"""Per-frame evaluation of animated properties.

A property can be a constant, a per-frame numpy array, a callable of time, or a list
of keyframes. Everything is evaluated on a 1-D float64 array of frame times (seconds)
and returns one float64 value per frame. All validation errors are ValueErrors whose
message starts with ``what`` (e.g. ``"layer 'logo' property 'x'"``) so they point at
the offending property.
"""

from __future__ import annotations

import numbers
from typing import Any, NoReturn

import numpy as np

from . import _checks
from . import easing as _easing

__all__ = ["sample_keyframes", "evaluate_callable", "as_frame_array", "per_frame_array"]


def _times(times: Any, what: str) -> np.ndarray:
    t = np.asarray(times, dtype=np.float64)
    if t.ndim != 1:
        raise ValueError(f"{what}: frame times must be a 1-D array, got shape {t.shape}")
    bad = np.flatnonzero(~np.isfinite(t))
    if bad.size:
        raise ValueError(f"{what}: frame times contain non-finite value {t[bad[0]]} at index {bad[0]}")
    return t


def _check_values(arr: np.ndarray, n: int, what: str, source: str) -> np.ndarray:
    if arr.shape != (n,):
        raise ValueError(f"{what}: {source} has shape {arr.shape}, expected ({n},) (one value per frame)")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ValueError(f"{what}: {source} has non-finite value {arr[bad[0]]} at index {bad[0]} "
                         f"(expected shape ({n},) of finite floats)")
    return arr


def _real(x: object) -> bool:
    return isinstance(x, numbers.Real) or (
        isinstance(x, (np.ndarray, np.generic)) and np.ndim(x) == 0 and x.dtype.kind in "biuf")


def _finite_real(x: Any, what: str) -> float:
    if not _real(x) or isinstance(x, (bool, np.bool_)):
        raise ValueError(f"{what} must be a real number, got {type(x).__name__} {x!r}")
    try:
        v = float(x)
    except (OverflowError, ValueError):
        v = float("inf")
    if not np.isfinite(v):
        raise ValueError(f"{what} must be finite, got {x!r}")
    return v


def sample_keyframes(keyframes: Any, times: Any, easing: object = "linear", *, what: str = "property") -> np.ndarray:
    """Sample a keyframed scalar property at frame ``times``.

    keyframes: non-empty list of ``(t, value)`` or ``(t, value, easing)``; ``t`` in seconds,
        strictly increasing; ``value`` a finite real number. The optional third element is
        the easing (name or :class:`reelforge.easing.Easing`, ``None`` = default) of the
        segment that STARTS at that keyframe.
    times: 1-D float64 array of frame times in seconds (any order).
    easing: default easing for segments without their own.
    Between keyframes i and i+1 the value is ``v_i + (v_{i+1} - v_i) * f(u, d)`` with
    ``u = (t - t_i) / d``, ``d = t_{i+1} - t_i`` (seconds). Before the first keyframe the
    first value holds, after the last the last value holds.
    Returns float64 array of len(times). Raises ValueError prefixed by ``what``.
    """
    t = _times(times, what)
    try:
        default = _easing.get(easing)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{what}: default easing: {e}") from None
    if isinstance(keyframes, (str, bytes)) or not hasattr(keyframes, "__len__") or len(keyframes) == 0:
        raise ValueError(f"{what}: keyframes must be a non-empty list of (t, value[, easing]) tuples, "
                         f"got {keyframes!r}")
    kt: list[float] = []
    kv: list[float] = []
    ke: list[_easing.Easing] = []
    for i, kf in enumerate(keyframes):
        if not isinstance(kf, (tuple, list)) or len(kf) not in (2, 3):
            raise ValueError(f"{what}: keyframe {i} must be a (t, value) or (t, value, easing) tuple, got {kf!r}")
        ti, vi = (_finite_real(x, f"{what}: keyframe {i} {label}") for label, x in (("time", kf[0]), ("value", kf[1])))
        if kt and ti <= kt[-1]:
            detail = f"t={ti!r} after t={kt[-1]!r}" if ti < kt[-1] else f"duplicate t={ti!r}"
            raise ValueError(f"{what}: keyframes out of order at index {i} ({detail}); "
                             "keyframe times must be strictly increasing")
        given = kf[2] if len(kf) == 3 else None
        try:
            eased = default if given is None else _easing.get(given)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{what}: keyframe {i} easing: {err}") from None
        kt.append(ti)
        kv.append(vi)
        ke.append(eased)

    kt_a, kv_a = np.asarray(kt), np.asarray(kv)
    seg = np.searchsorted(kt_a, t, side="right") - 1  # kt[seg] <= t < kt[seg+1]
    out = np.where(seg < 0, kv_a[0], kv_a[np.clip(seg, 0, len(kt) - 1)])
    inside = (seg >= 0) & (seg < len(kt) - 1)
    for i in np.unique(seg[inside]):
        m = seg == i
        d = kt[i + 1] - kt[i]
        try:
            with np.errstate(all="ignore"):  # overflow shows as non-finite output, reported below
                f = ke[i](np.clip((t[m] - kt[i]) / d, 0.0, 1.0), duration=d)
                out[m] = kv[i] + (kv[i + 1] - kv[i]) * f
        except (TypeError, ValueError, ArithmeticError) as err:
            raise ValueError(f"{what}: easing of keyframe segment {i} failed: {err}") from None
    return _check_values(out.astype(np.float64, copy=False), len(t), what, "keyframe sampling")


def evaluate_callable(fn: Any, times: Any, *, what: str = "property") -> np.ndarray:
    """Evaluate a callable property ``fn(t_seconds) -> value`` at every frame time.

    First ``fn(times)`` is called with the whole 1-D float64 array (seconds); a result of
    shape ``(len(times),)`` is used directly. If it returns a scalar, or raises (a scalar-only
    callable, e.g. using ``math.sin`` or ``if t > 1``), ``fn`` is called once per frame as
    ``fn(float(t))``. Returns float64 array of len(times).
    Raises ValueError (prefixed by ``what``, naming the expected shape and first bad index)
    for a wrong-shaped, non-numeric or non-finite result, and for any exception ``fn`` raises
    when called per frame (chained as ``__cause__``, with the frame index and time).
    """
    t = _times(times, what)
    n = len(t)
    try:
        with np.errstate(all="ignore"):  # inf/nan results are reported below, by index
            r = fn(t)
        vector = np.ndim(r) != 0
    except Exception:  # noqa: BLE001 - any failure on the array means: try frame by frame
        vector = False
    if vector:
        return _vector_result(r, n, what)
    arr = np.empty(n, dtype=np.float64)
    for i, ti in enumerate(t.tolist()):
        try:
            r = fn(ti)
        except Exception as e:  # noqa: BLE001 - the user's code: report which layer/property/frame
            raise ValueError(f"{what}: callable failed at index {i} (t={ti!r}): {type(e).__name__}: {e}") from e
        if not _real(r):
            raise ValueError(f"{what}: callable returned {type(r).__name__} {r!r} at index {i} (t={ti!r}), "
                             f"expected a real scalar per frame or an array of shape ({n},)")
        try:
            arr[i] = r
        except (OverflowError, ValueError, TypeError):
            raise ValueError(f"{what}: callable returned {r!r} at index {i} (t={ti!r}), which is not a finite "
                             f"float") from None
    return _check_values(arr, n, what, "callable result")


def _vector_result(r: Any, n: int, what: str) -> np.ndarray:
    arr = _checks.real_array(r, objects=True)
    if arr is None:
        raise ValueError(f"{what}: callable returned non-numeric {type(r).__name__}, "
                         f"expected shape ({n},) of floats")
    return _check_values(arr, n, what, "callable result")


def per_frame_array(value: Any, n: int, *, what: str = "property") -> np.ndarray:
    """A per-frame array (numpy array, list or tuple of reals) as float64 of shape ``(n,)``.
    Raises ValueError prefixed by ``what`` for another shape, non-real dtype or non-finite values."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise ValueError(f"{what}: per-frame array has dtype {value.dtype}, expected real numbers "
                             f"of shape ({n},)")
        arr = np.array(value, dtype=np.float64)
    else:
        try:
            arr = np.array([float(v) if _real(v) else _not_real(v) for v in value], dtype=np.float64)
        except (TypeError, ValueError, OverflowError) as e:
            raise ValueError(f"{what}: per-frame list must hold real numbers, {e}") from None
    return _check_values(arr, n, what, "per-frame array")


def _not_real(v: object) -> NoReturn:
    raise TypeError(f"got {type(v).__name__} {v!r}")


def as_frame_array(value: Any, times: Any, *, what: str = "property") -> np.ndarray:
    """Coerce a property to one float64 value per frame.

    value: a real scalar (constant over all frames), a numpy array of shape
        ``(len(times),)`` (per-frame values), or a callable of time in seconds
        (see :func:`evaluate_callable`).
    times: 1-D float64 array of frame times in seconds.
    Returns a new float64 array of len(times); raises ValueError prefixed by ``what``.
    """
    t = _times(times, what)
    n = len(t)
    if callable(value):
        return evaluate_callable(value, t, what=what)
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return per_frame_array(value, n, what=what)
    if _real(value):
        try:
            v = float(value)
        except (OverflowError, ValueError):
            v = float("nan")
        return _check_values(np.full(n, v), n, what, "constant")
    raise ValueError(f"{what}: expected a real number, a numpy array of shape ({n},) or a callable of "
                     f"time, got {type(value).__name__} {value!r}")
