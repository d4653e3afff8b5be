"""Argument checks shared by the public API: one rule per kind of value, one message style.

Every check names the argument (``what``) and says what is expected. A value of the wrong type
raises :class:`~reelforge.errors.SceneTypeError` (a TypeError and a SceneError); a value of the
right type but out of range raises :class:`~reelforge.errors.SceneError` (a ValueError).
Strings are never taken for numbers: ``fps="30"`` is a mistake to report, not to guess at.
"""

from __future__ import annotations

import math
import numbers
import os
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from .errors import MediaNotFoundError, SceneError, SceneTypeError

#: Largest magnitude a per-frame property value may have: tables are float32 on the GPU.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def is_real(x: object) -> bool:
    """True for real numbers (int, float, Fraction, Decimal, numpy real scalars / 0-d arrays), not bool."""
    if isinstance(x, (bool, np.bool_)):
        return False
    if isinstance(x, (numbers.Real, Decimal)):
        return True
    return isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "iuf"


def number(value: Any, what: str, *, unit: str = "", minimum: float | None = None, maximum: float | None = None,
           example: str = "") -> float:
    """``value`` as a finite float in ``[minimum, maximum]``.

    Raises SceneTypeError for a non-number (``str``, ``None``, ``bool``, ...) and SceneError for
    NaN, infinities or a value out of range; both messages name ``what``."""
    hint = f" (e.g. {example})" if example else ""
    kind = f"a number of {unit}" if unit else "a number"
    if not is_real(value):
        raise SceneTypeError(f"{what} must be {kind}{hint}, got {type(value).__name__} {value!r}")
    try:
        v = float(value)
    except (OverflowError, ValueError):  # Fraction/Decimal/int beyond float range
        v = math.nan if isinstance(value, Decimal) and value.is_nan() else (-math.inf if value < 0 else math.inf)
    if not math.isfinite(v):
        raise SceneError(f"{what} must be a finite number{' of ' + unit if unit else ''}, got {value!r}")
    if minimum is not None and v < minimum:
        raise SceneError(f"{what} must be >= {minimum:g}{' ' + unit if unit else ''}, got {value!r}")
    if maximum is not None and v > maximum:
        raise SceneError(f"{what} must be <= {maximum:g}{' ' + unit if unit else ''}, got {value!r}")
    return v


#: Longest time any argument may give, in seconds (about 31 years): keeps sample and frame
#: positions (x 48000 Hz, x fps) far inside int64 in the core.
MAX_SECONDS = 1e9


def seconds(value: Any, what: str, *, allow_none: bool = False, minimum: float = 0.0) -> float | None:
    """A time in seconds: finite, in [``minimum``, :data:`MAX_SECONDS`]; ``None`` passes through
    when ``allow_none``."""
    if value is None and allow_none:
        return None
    return number(value, what, unit="seconds", minimum=minimum, maximum=MAX_SECONDS)


def integer(value: Any, what: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An ``int`` (or numpy integer; not bool, not float) in ``[minimum, maximum]``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise SceneTypeError(f"{what} must be an integer, got {type(value).__name__} {value!r}")
    v = int(value)
    if minimum is not None and v < minimum:
        raise SceneError(f"{what} must be >= {minimum}, got {v}")
    if maximum is not None and v > maximum:
        raise SceneError(f"{what} must be <= {maximum}, got {v}")
    return v


def real_array(value: Any, *, objects: bool = False) -> np.ndarray | None:
    """``value`` (array-like) as a float64 array, or None when it is not real numbers: dtype bool,
    int or float (``objects``: an object array of numbers too, e.g. Fractions)."""
    try:
        a = np.asarray(value)
        if a.dtype.kind not in ("biufO" if objects else "biuf"):
            return None
        return a.astype(np.float64)
    except (TypeError, ValueError, OverflowError):
        return None


def fps(value: Any, what: str = "fps") -> Fraction:
    """Frame rate (int, float, Fraction or numpy number; 29.97 becomes 2997/100, use
    ``Fraction(30000, 1001)`` for NTSC) -> exact Fraction in (0, 1000].

    Raises SceneTypeError for a string or other non-number, SceneError for a value out of range."""
    if not is_real(value):
        raise SceneTypeError(f"{what} must be a number of frames per second (int, float or Fraction, e.g. "
                             f"{what}=30 or Fraction(30000, 1001)), got {type(value).__name__} {value!r}")
    try:
        f = value if isinstance(value, Fraction) else Fraction(value).limit_denominator(1001 * 1000)
    except (TypeError, ValueError, OverflowError):
        raise SceneError(f"{what} must be a finite number of frames per second, got {value!r}") from None
    if f <= 0 or f > 1000:
        raise SceneError(f"{what} must be a number of frames per second in (0, 1000], got {value!r}")
    if f.denominator > 1001 * 1000:  # frame/sample maths in the core stay inside int64
        raise SceneError(f"{what}={value!r}: the denominator must be <= 1001000 (e.g. Fraction(30000, 1001))")
    return f


def file_path(value: Any, what: str, *, kind: str = "", wrong_type: str = "") -> str:
    """An existing regular file's path (str or os.PathLike; bytes are decoded) as ``str``.

    ``kind`` (e.g. ``"font"``) names the file in the messages (default: a media file);
    ``wrong_type`` replaces the message after ``what:`` for a value that is not a path.
    Raises SceneTypeError for a non-path, MediaNotFoundError for a missing file and SceneError
    for an empty path, one holding NUL, or one that is not a regular file; all name ``what``."""
    try:
        p: str | bytes = os.fspath(value)
    except TypeError:
        raise SceneTypeError(f"{what}: " + (wrong_type or f"a file path (str or os.PathLike) is needed, got "
                                            f"{type(value).__name__} {value!r}")) from None
    if isinstance(p, bytes):
        p = os.fsdecode(p)
    label = f"{kind} " if kind else ""
    if not p or "\0" in p:
        raise SceneError(f"{what}: {label}{p!r} is not a valid file path")
    if not os.path.exists(p):
        raise MediaNotFoundError(f"{what}: {kind or 'media'} file not found: {p!r}")
    if not os.path.isfile(p):
        raise SceneError(f"{what}: {label}{p!r} is not a file")
    return p
