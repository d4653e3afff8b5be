"""Segment plans: how a timeline is cut into independently encoded pieces that join losslessly.

A plan cuts frames ``[0, frame_count)`` into contiguous half-open ranges ``[first, last)``:

* every segment starts on a multiple of the GOP, so its encoder starts with an IDR exactly where a
  one-pass encode with the same GOP puts a keyframe: joining adds no keyframe;
* every segment but the last is a whole number of GOPs (at least one); the last one holds what is
  left and may be shorter than a GOP (it is not merged into the previous one, so segment sizes
  stay uniform and every segment's length is a multiple of the GOP except possibly the last);
* timestamps are integers: a segment's frame ``k`` has pts ``first + k`` in the time base
  ``1/fps`` (DESIGN.md "Time"), so the join only adds ``first`` to each packet's pts and dts.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from . import _core
from ._types import FpsLike

from .errors import SceneError

__all__ = ["Segment", "default_gop", "plan_segments"]


@dataclass(frozen=True)
class Segment:
    """One piece of a plan: frames ``[first, last)`` (frame indices, half-open).

    ``index`` is the segment's position in the plan (0-based); ``frames`` its length.
    """

    index: int
    first: int
    last: int

    @property
    def frames(self) -> int:
        """Number of frames, ``last - first``."""
        return self.last - self.first

    def start_time(self, fps: FpsLike) -> Fraction:
        """Presentation time of the first frame in seconds, exactly ``first / fps``."""
        return Fraction(self.first) / Fraction(fps)


def default_gop(fps: FpsLike) -> int:
    """The exporter's default GOP (``_core.default_gop``, the rule the encoder uses), 2 seconds of
    frames rounded half up: 48 at 24 fps, 60 at 30000/1001."""
    f = Fraction(fps)
    return _core.default_gop(f.numerator, f.denominator)


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SceneError(f"{name} must be a positive int, got {value!r}")
    return value


def plan_segments(frame_count: int, gop: int, segment_frames: int | None = None, *,
                  target_segments: int | None = None) -> list[Segment]:
    """Cut ``frame_count`` frames into GOP-aligned segments.

    Parameters
    ----------
    frame_count : int
        Frames in the timeline (>= 1).
    gop : int
        Keyframe interval of the encoder in frames (>= 1); every segment starts on a multiple.
    segment_frames : int, optional
        Wanted segment length in frames; rounded **up** to a whole number of GOPs (at least one).
    target_segments : int, optional
        Used when ``segment_frames`` is None: about this many segments (e.g. twice the number of
        worker threads, so a slow segment does not leave the others idle). Default 1.

    Returns
    -------
    list of Segment
        Contiguous segments covering ``[0, frame_count)`` exactly once, in order. All but the last
        are ``segment_frames`` long (a multiple of ``gop``); the last holds the rest, possibly
        less than one GOP.

    Raises
    ------
    SceneError
        A count that is not a positive int.
    """
    _positive_int(frame_count, "frame_count")
    _positive_int(gop, "gop")
    if segment_frames is None:
        target = _positive_int(target_segments, "target_segments") if target_segments is not None else 1
        segment_frames = -(-frame_count // target)
    _positive_int(segment_frames, "segment_frames")
    size = gop * -(-segment_frames // gop)  # whole GOPs, rounded up, at least one
    return [Segment(i, first, min(first + size, frame_count))
            for i, first in enumerate(range(0, frame_count, size))]
