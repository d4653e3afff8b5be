"""Render scale: a scene authored at one size rendered at another (CLI --size/--resolution)."""
from __future__ import annotations

import numpy as np
import pytest

import reelforge as rf
from reelforge.rescale import RESOLUTIONS, ScaledScene, parse_size, resolution_size, scaled


def scene_at(k: int) -> rf.Scene:
    """The same picture authored at k times 64x32."""
    s = rf.Scene(64 * k, 32 * k, fps=10, duration=1.0, background="black")
    s.add_solid("red", x=8 * k, y=4 * k, width=16 * k, height=8 * k)
    img = np.zeros((4, 4, 4), np.uint8)
    img[..., 1] = 255
    img[..., 3] = 255
    s.add_image(img, x=40 * k, y=16 * k, width=8 * k, height=8 * k).animate("x", [(0, 40 * k), (1, 50 * k)])
    return s


def test_downscaled_render_equals_the_scene_authored_at_that_size():
    big = rf.Renderer(scaled(scene_at(2), (64, 32)))
    small = rf.Renderer(scene_at(1))
    for i in (0, 5):
        assert np.array_equal(big.render_frame(i), small.render_frame(i))


def test_upscale_and_named_resolutions():
    sc = scaled(scene_at(1), resolution="720p")
    assert (sc.width, sc.height) == (1440, 720) and sc.scale == (22.5, 22.5)
    assert sc.frame_count == 10 and sc.fps == 10  # everything else is the scene's
    frame = rf.Renderer(scaled(scene_at(1), "128x64")).render_frame(0)
    ref = rf.Renderer(scene_at(2)).render_frame(0)
    assert np.array_equal(frame, ref)
    assert resolution_size("4K", 1920, 1080) == (3840, 2160)
    assert resolution_size("1080p", 1080, 1920) == (608, 1080)  # portrait keeps its aspect, even width
    assert set(RESOLUTIONS) >= {"720p", "1080p", "1440p", "4k"}


def test_scaled_export(tmp_path):
    r = rf.Exporter(scaled(scene_at(1), (32, 16)), tmp_path / "o.mp4").run()
    assert r.frames == 10
    from avprobe import probe, stream
    v = stream(probe(tmp_path / "o.mp4"), "video")
    assert (int(v["width"]), int(v["height"])) == (32, 16)


@pytest.mark.parametrize("bad, msg", [("100", "WIDTHxHEIGHT"), ("101x64", "even"), ("0x0", "even")])
def test_bad_sizes(bad, msg):
    with pytest.raises(rf.SceneError, match=msg):
        parse_size(bad)


def test_bad_arguments():
    s = scene_at(1)
    with pytest.raises(rf.SceneError, match="exactly one"):
        scaled(s)
    with pytest.raises(rf.SceneError, match="unknown resolution '8k'"):
        scaled(s, resolution="8k")
    with pytest.raises(rf.SceneError, match="even int"):
        ScaledScene(s, 33, 16)
