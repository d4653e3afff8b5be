"""Easing curves: map normalised segment progress ``u`` in [0, 1] to eased progress.

Every easing is an :class:`Easing` object called as ``easing(u, duration=1.0)``:
``u`` is a float64 array (any shape; values are clipped to [0, 1]), ``duration`` is
the segment length in seconds (only physically-based easings such as :func:`spring`
use it), and the result is a float64 array of the same shape. Eased progress is
dimensionless: 0 is the segment's start value, 1 its end value; it may overshoot
[0, 1] (e.g. ``cubic_bezier`` with y outside [0, 1], or an underdamped ``spring``).

Sources: the named curves and ``cubic_bezier`` follow the CSS Easing Functions
Level 1 specification (https://www.w3.org/TR/css-easing-1/); ``spring`` is the
closed-form damped harmonic oscillator used by Remotion's ``spring()``.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from . import _checks
from .errors import SceneError, SceneTypeError

__all__ = ["Easing", "CubicBezier", "Spring", "linear", "step", "ease_in", "ease_out",
           "ease_in_out", "cubic_bezier", "spring", "get", "NAMES"]


class Easing:
    """An easing curve ``f(u, duration) -> eased progress``.

    ``u``: progress through a keyframe segment, dimensionless, clipped to [0, 1].
    ``duration``: the segment's length in seconds (must be finite and >= 0).
    Returns a float64 array shaped like ``u``.
    """

    def __init__(self, name: str, fn: Callable[[np.ndarray, float], Any]) -> None:
        self.name = name
        self._fn = fn

    def __call__(self, u: Any, duration: float = 1.0) -> np.ndarray:
        a = _checks.real_array(u)
        if a is None:
            raise SceneTypeError(f"easing {self.name}: u must be real numbers (progress 0..1), got "
                                 f"{type(u).__name__} {u!r}")
        u = a
        if not np.isfinite(u).all():
            raise SceneError(f"easing {self.name}: u must be finite (progress 0..1), got a non-finite value")
        if isinstance(duration, (bool, str, bytes)) or not _is_number(duration):
            raise SceneTypeError(f"easing {self.name}: duration must be a number of seconds, got "
                                 f"{type(duration).__name__} {duration!r}")
        duration = float(duration)
        if not (math.isfinite(duration) and duration >= 0.0):
            raise SceneError(f"easing {self.name}: duration must be finite and >= 0 seconds, got {duration!r}")
        flat = np.clip(u.ravel(), 0.0, 1.0)  # implementations always see a 1-D array
        with np.errstate(all="ignore"):
            out: np.ndarray = np.asarray(self._fn(flat, duration), dtype=np.float64).reshape(u.shape)
            return out

    def __repr__(self) -> str:
        return f"<easing {self.name}>"


def _is_number(v: Any) -> bool:
    try:
        float(v)
    except (TypeError, ValueError, OverflowError):
        return False
    return True


def _number(fn: str, pname: str, v: Any) -> float:
    """``v`` as a finite float, else ValueError/TypeError naming ``fn``'s parameter ``pname``."""
    if isinstance(v, (bool, str, bytes)) or not _is_number(v):
        raise SceneTypeError(f"{fn}: {pname} must be a number, got {type(v).__name__} {v!r}")
    f = float(v)
    if not math.isfinite(f):
        raise SceneError(f"{fn}: {pname} must be finite, got {v!r}")
    return f


class CubicBezier(Easing):
    """CSS ``cubic-bezier(x1, y1, x2, y2)`` timing function (CSS Easing Functions Level 1, §2.2).

    The curve is the cubic Bézier with control points P0=(0,0), P1=(x1,y1), P2=(x2,y2),
    P3=(1,1): ``B(t) = 3(1-t)^2 t P1 + 3(1-t) t^2 P2 + t^3 P3`` for t in [0, 1].
    For input progress u the output is ``By(t)`` where ``Bx(t) = u``; t is found by
    vectorised Newton iterations with a bisection fallback (Bx is monotone because
    x1, x2 are in [0, 1]). Accuracy is ~1e-12 in x. All quantities are dimensionless;
    ``duration`` is ignored.
    """

    def __init__(self, x1: float, y1: float, x2: float, y2: float):
        vals = {}
        for pname, v in (("x1", x1), ("y1", y1), ("x2", x2), ("y2", y2)):
            v = _number("cubic_bezier", pname, v)
            if pname[0] == "x" and not 0.0 <= v <= 1.0:
                raise SceneError(f"cubic_bezier: {pname} must be in [0, 1] (CSS Easing Level 1), got {v!r}")
            if pname[0] == "y" and abs(v) > 1e6:  # the curve's coefficients must stay finite
                raise SceneError(f"cubic_bezier: {pname} must be in [-1e6, 1e6], got {v!r}")
            vals[pname] = v
        self.x1, self.y1, self.x2, self.y2 = vals["x1"], vals["y1"], vals["x2"], vals["y2"]
        # Polynomial coefficients: B(t) = ((a t + b) t + c) t
        self._cx = 3.0 * self.x1
        self._bx = 3.0 * (self.x2 - self.x1) - self._cx
        self._ax = 1.0 - self._cx - self._bx
        self._cy = 3.0 * self.y1
        self._by = 3.0 * (self.y2 - self.y1) - self._cy
        self._ay = 1.0 - self._cy - self._by
        super().__init__(f"cubic_bezier({self.x1:g}, {self.y1:g}, {self.x2:g}, {self.y2:g})",
                         lambda u, _d: self._ease(u))

    def _x(self, t: np.ndarray) -> np.ndarray:
        x: np.ndarray = ((self._ax * t + self._bx) * t + self._cx) * t
        return x

    def _solve_t(self, u: np.ndarray) -> np.ndarray:
        """Parameter t in [0, 1] with Bx(t) = u (elementwise)."""
        t: np.ndarray = u.copy()
        for _ in range(8):  # Newton
            dx = (3.0 * self._ax * t + 2.0 * self._bx) * t + self._cx
            err = self._x(t) - u
            ok = np.abs(dx) > 1e-6
            t = np.where(ok, t - err / np.where(ok, dx, 1.0), t)
            t = np.clip(t, 0.0, 1.0)
        bad = np.abs(self._x(t) - u) > 1e-12
        if bad.any():  # bisection fallback for slow / stalled Newton (dx ~ 0)
            ub = u[bad]
            lo, hi = np.zeros_like(ub), np.ones_like(ub)
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                below = self._x(mid) < ub
                lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
            t[bad] = 0.5 * (lo + hi)
        return t

    def _ease(self, u: np.ndarray) -> np.ndarray:
        t = self._solve_t(u)
        y: np.ndarray = ((self._ay * t + self._by) * t + self._cy) * t
        y[u <= 0.0] = 0.0  # exact endpoints
        y[u >= 1.0] = 1.0
        return y


class Spring(Easing):
    """Damped harmonic oscillator easing, as in Remotion's ``spring()``.

    Solves ``m x'' + c x' + k (x - 1) = 0`` with ``x(0) = 0, x'(0) = 0`` in closed form,
    with ``w0 = sqrt(k/m)`` (rad/s) and damping ratio ``z = c / (2 sqrt(k m))``:

    * underdamped (z < 1), ``wd = w0 sqrt(1 - z^2)``:
      ``x = 1 - exp(-z w0 t) (cos(wd t) + (z w0 / wd) sin(wd t))``
    * critically damped (z = 1): ``x = 1 - (1 + w0 t) exp(-w0 t)``
    * overdamped (z > 1), roots ``r1,2 = -w0 (z -/+ sqrt(z^2 - 1))``:
      ``x = 1 + (r2 exp(r1 t) - r1 exp(r2 t)) / (r1 - r2)``

    Units: stiffness k in N/m, damping c in N·s/m, mass m in kg (any consistent set);
    physical time ``t = u * duration`` seconds. The value is forced to exactly 1.0 at
    u = 1 so the segment lands on its end keyframe.
    """

    def __init__(self, stiffness: float = 100.0, damping: float = 10.0, mass: float = 1.0):
        vals = []
        for pname, v in (("stiffness", stiffness), ("damping", damping), ("mass", mass)):
            v = _number("spring", pname, v)
            if not v > 0.0:
                raise SceneError(f"spring: {pname} must be a finite number > 0, got {v!r}")
            vals.append(v)
        self.stiffness, self.damping, self.mass = vals
        k, c, m = vals
        w0, km = math.sqrt(k / m), math.sqrt(k) * math.sqrt(m)
        if not (math.isfinite(w0) and 1e-9 <= w0 <= 1e9 and c / (2.0 * km) <= 1e6):
            raise SceneError(f"spring: stiffness={k:g}, damping={c:g}, mass={m:g} are out of proportion: need "
                             f"sqrt(stiffness/mass) in [1e-9, 1e9] rad/s and damping ratio "
                             f"damping/(2*sqrt(stiffness*mass)) <= 1e6 (e.g. stiffness=100, damping=10, mass=1)")
        super().__init__(f"spring(stiffness={self.stiffness:g}, damping={self.damping:g}, mass={self.mass:g})",
                         self._ease)

    def _ease(self, u: np.ndarray, duration: float) -> np.ndarray:
        k, c, m = self.stiffness, self.damping, self.mass
        t = u * duration
        w0 = math.sqrt(k / m)
        z = c / (2.0 * math.sqrt(k * m))
        if abs(z - 1.0) < 1e-9:
            x = 1.0 - (1.0 + w0 * t) * np.exp(-w0 * t)
        elif z < 1.0:
            wd = w0 * math.sqrt(1.0 - z * z)
            x = 1.0 - np.exp(-z * w0 * t) * (np.cos(wd * t) + (z * w0 / wd) * np.sin(wd * t))
        else:
            s = math.sqrt(z * z - 1.0)
            r1, r2 = -w0 / (z + s), -w0 * (z + s)  # r1 = -w0 (z - s), written stably
            x = 1.0 + (r2 * np.exp(r1 * t) - r1 * np.exp(r2 * t)) / (r1 - r2)
        x = np.asarray(x, dtype=np.float64)
        x[u >= 1.0] = 1.0
        return x


def cubic_bezier(x1: float, y1: float, x2: float, y2: float) -> CubicBezier:
    """CSS ``cubic-bezier(x1, y1, x2, y2)`` easing (CSS Easing Functions Level 1, §2.2).

    x1, x2 (dimensionless) must lie in [0, 1], else ValueError naming the parameter;
    y1, y2 may be any finite value (overshoot allowed). Matches the CSS timing function
    to better than 1e-4. See :class:`CubicBezier`.
    """
    return CubicBezier(x1, y1, x2, y2)


def spring(stiffness: float = 100.0, damping: float = 10.0, mass: float = 1.0) -> Spring:
    """Spring easing from a damped harmonic oscillator, as in Remotion's ``spring()``.

    stiffness (N/m), damping (N·s/m) and mass (kg) must be finite and > 0 (ValueError
    otherwise). Progress u maps to physical time ``u * duration`` seconds, where
    ``duration`` is the segment length passed to the easing call. See :class:`Spring`.
    """
    return Spring(stiffness, damping, mass)


#: No easing: ``f(u) = u`` (CSS Easing Functions Level 1, §2.1 ``linear``).
linear = Easing("linear", lambda u, _d: u.copy())
#: Hold: ``f(u) = 0`` for u < 1, ``1`` at u >= 1, i.e. the value holds until the next
#: keyframe (CSS Easing Functions Level 1 ``steps(1, end)``).
step = Easing("step", lambda u, _d: (u >= 1.0).astype(np.float64))
#: CSS ``ease-in`` = ``cubic-bezier(0.42, 0, 1, 1)`` (CSS Easing Functions Level 1, §2.2.1).
ease_in = CubicBezier(0.42, 0.0, 1.0, 1.0)
#: CSS ``ease-out`` = ``cubic-bezier(0, 0, 0.58, 1)`` (CSS Easing Functions Level 1, §2.2.1).
ease_out = CubicBezier(0.0, 0.0, 0.58, 1.0)
#: CSS ``ease-in-out`` = ``cubic-bezier(0.42, 0, 0.58, 1)`` (CSS Easing Functions Level 1, §2.2.1).
ease_in_out = CubicBezier(0.42, 0.0, 0.58, 1.0)
ease_in.name, ease_out.name, ease_in_out.name = "ease_in", "ease_out", "ease_in_out"

_NAMED = {"linear": linear, "step": step, "ease_in": ease_in, "ease_out": ease_out, "ease_in_out": ease_in_out}
#: Valid easing names accepted by :func:`get` ("ease-in" style spellings also accepted).
NAMES = tuple(_NAMED)


def get(name_or_easing: object) -> Easing:
    """Resolve an easing name ("linear", "step", "ease_in", "ease_out", "ease_in_out";
    "ease-in" style and any case also accepted) or an :class:`Easing` object.

    Unknown names raise SceneError (a ValueError) listing the valid names; other types raise
    SceneTypeError (a TypeError).
    """
    if isinstance(name_or_easing, Easing):
        return name_or_easing
    if isinstance(name_or_easing, str):
        key = name_or_easing.strip().lower().replace("-", "_")
        try:
            return _NAMED[key]
        except KeyError:
            raise SceneError(f"unknown easing {name_or_easing!r}; valid names: {', '.join(NAMES)} "
                             "(or an easing object such as cubic_bezier(...) / spring(...))") from None
    raise SceneTypeError(f"easing must be a name ({', '.join(NAMES)}) or an easing object, "
                    f"got {type(name_or_easing).__name__}")
