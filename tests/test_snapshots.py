"""Golden-frame regression tests using reelforge's own pytest plugin (fixture ``frame_snapshot``).

Goldens live in tests/goldens/; refresh them deliberately with ``--reelforge-update-goldens``.
"""

from __future__ import annotations

import numpy as np
import pytest

import reelforge as rf


def showcase_scene() -> rf.Scene:
    s = rf.Scene(192, 108, fps=24, duration=2.0, background=(30, 34, 48))
    yy, xx = np.mgrid[0:40, 0:64]
    grad = np.stack([xx * 4, yy * 6, 255 - xx * 3, np.full_like(xx, 255)], -1).astype(np.uint8)
    img = s.add_image(grad, x=96, y=54, width=96, height=60)
    img.set("anchor_x", 0.5).set("anchor_y", 0.5)
    img.animate("rotation", [(0, 0), (2, 90)], easing="ease_in_out")
    img.animate("scale", [(0, 0.6), (1, 1.0, "step"), (2, 1.2)])
    bar = s.add_solid((255, 180, 0, 200), x=-40, y=80, width=60, height=14)
    bar.animate("x", [(0, -40), (2, 180)], easing=rf.cubic_bezier(0.2, 0.8, 0.2, 1.0))
    glow = s.add_solid((80, 160, 255), x=10, y=10, width=50, height=50)
    glow.blend = "screen"
    glow.set("crop", (0.0, 0.0, 0.3, 0.0))
    glow.set("opacity", lambda t: 0.5 + 0.5 * np.sin(np.pi * t))
    return s


@pytest.fixture(scope="module")
def renderer():
    return rf.Renderer(showcase_scene())


@pytest.mark.parametrize("frame", [0, 12, 30, 47])
def test_showcase_frames_match_goldens(renderer, frame_snapshot, frame):
    frame_snapshot(renderer.render_frame(frame), f"showcase_{frame:03d}", min_psnr=40.0, min_ssim=0.98)


def test_snapshot_catches_a_one_pixel_shift(renderer, tmp_path):
    golden = tmp_path / "g.png"
    frame = renderer.render_frame(30)
    rf.testing.save_png(golden, frame)
    rf.testing.assert_frame_matches(frame, golden)  # unchanged render passes
    shifted = np.roll(frame, 1, axis=1)
    with pytest.raises(AssertionError, match="PSNR"):
        rf.testing.assert_frame_matches(shifted, golden)
    assert (tmp_path / "g.diff.png").is_file()
