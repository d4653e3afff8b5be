"""Segment plans (reelforge.segments): GOP-aligned, contiguous, every frame exactly once."""

from fractions import Fraction

import pytest

from reelforge.errors import SceneError
from reelforge.segments import Segment, default_gop, plan_segments

RATES = [Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(60000, 1001)]


def covered(plan):
    frames = [f for s in plan for f in range(s.first, s.last)]
    return frames


@pytest.mark.parametrize("fps", RATES, ids=str)
def test_plan_covers_every_frame_once_with_short_tail(fps):
    gop = default_gop(fps)
    # 7.3 s: not a whole number of GOPs, so the last segment is short.
    n = int(Fraction(73, 10) * fps)
    plan = plan_segments(n, gop, segment_frames=gop)
    assert covered(plan) == list(range(n))
    assert [s.index for s in plan] == list(range(len(plan)))
    assert all(s.first % gop == 0 for s in plan)
    assert all(s.frames == gop for s in plan[:-1])
    assert 0 < plan[-1].frames < gop, "this length must end in a short segment"
    # Start times are exact rationals, frame index / fps (no float drift).
    assert plan[-1].start_time(fps) == Fraction(plan[-1].first) * fps.denominator / fps.numerator


def test_default_gop_matches_the_encoder_rule():
    # lround(2 * fps): half rounds up (59.94 -> 60, 119.88 -> 120, 23.976 -> 48).
    assert [default_gop(f) for f in RATES] == [48, 50, 60, 120]
    assert default_gop(Fraction(24000, 1001)) == 48
    assert default_gop(Fraction(5, 4)) == 3  # 2.5 rounds up, as std::lround does


def test_segment_length_rounds_up_to_whole_gops():
    plan = plan_segments(1000, 48, segment_frames=100)
    assert plan[0] == Segment(0, 0, 144)
    assert [s.first for s in plan] == list(range(0, 1000, 144))
    assert plan[-1].last == 1000
    # Shorter than a GOP still gives one GOP.
    assert plan_segments(100, 48, segment_frames=1)[0].frames == 48


def test_target_segments():
    plan = plan_segments(1536, 48, target_segments=4)  # 384 = 8 GOPs
    assert [s.frames for s in plan] == [384, 384, 384, 384]
    plan = plan_segments(1440, 48, target_segments=4)  # 360 -> 384 (8 GOPs): fewer segments' worth
    assert [s.frames for s in plan] == [384, 384, 384, 288]
    plan = plan_segments(1537, 48, target_segments=4)  # 385 -> 432 (9 GOPs)
    assert [s.frames for s in plan] == [432, 432, 432, 241]
    # More segments asked than GOPs: one GOP each.
    assert [s.frames for s in plan_segments(100, 48, target_segments=50)] == [48, 48, 4]
    assert plan_segments(10, 48) == [Segment(0, 0, 10)]  # default: one segment


@pytest.mark.parametrize("kwargs", [dict(frame_count=0, gop=48), dict(frame_count=10, gop=0),
                                    dict(frame_count=10, gop=4, segment_frames=-1),
                                    dict(frame_count=10.0, gop=4), dict(frame_count=10, gop=True),
                                    dict(frame_count=10, gop=4, target_segments=0)])
def test_bad_counts_raise(kwargs):
    with pytest.raises(SceneError, match="must be a positive int"):
        plan_segments(**kwargs)
