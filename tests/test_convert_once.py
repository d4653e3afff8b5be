"""A decoded video frame shown by several output frames is uploaded and converted once
(src/gpu/convert_cache.*), in the Renderer and across the export's ring of frames in flight,
and the pictures stay exactly what a conversion per frame gives."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import reelforge as rf
from reelforge import _core
from reelforge.testing import psnr

FRAMES = 12  # 0.4 s of a 30 fps scene over the 25 fps test clip: 10 distinct source frames


def _source_index(i: int, scene_fps: int, src_fps: int) -> int:
    return math.floor(Fraction(i) / Fraction(scene_fps) * src_fps)


def _scene(lavfi, **video) -> rf.Scene:
    w, h = lavfi.VIDEO_SIZE
    s = rf.Scene(w, h, fps=30, duration=FRAMES / 30)
    s.add_video(lavfi.video, **video)
    return s


def _rgba(r: _core.Renderer, i: int) -> np.ndarray:
    return np.asarray(r.render_rgba(i))


def _fresh_reference(tl) -> dict[int, np.ndarray]:
    """Every frame converted anew: one slot, and no two consecutive renders share a source frame
    (0, 6, 1, 7, ...), so the cache never holds the frame asked for."""
    r = _core.Renderer(tl)
    order = [k for pair in zip(range(0, 6), range(6, 12)) for k in pair]
    assert all(_source_index(a, 30, 25) != _source_index(b, 30, 25) for a, b in zip(order, order[1:]))
    frames = {i: _rgba(r, i) for i in order}
    assert r.video_conversions == len(order)
    return frames


def test_repeated_source_frames_are_converted_once(lavfi):
    tl = _scene(lavfi).compile()
    ref = _fresh_reference(tl)
    r = _core.Renderer(tl)
    got = {i: _rgba(r, i) for i in range(FRAMES)}
    sources = [_source_index(i, 30, lavfi.VIDEO_FPS) for i in range(FRAMES)]
    assert len(set(sources)) < FRAMES  # the scene repeats source frames
    assert r.video_conversions == len(set(sources))
    for i in range(FRAMES):
        assert np.array_equal(got[i], ref[i]), f"frame {i} differs from its own conversion"
    # And the pictures are the right source frames (as test_render checks the uncached path).
    for i in (0, 5, 11):
        assert psnr(got[i][..., :3], lavfi.decode_frame(lavfi.video, sources[i])[..., :3]) >= 30.0
    # Rendering a frame again converts nothing.
    again = _rgba(r, FRAMES - 1)
    assert r.video_conversions == len(set(sources)) and np.array_equal(again, got[FRAMES - 1])


def test_a_changed_reduction_converts_again(lavfi):
    # Frames 0 and 1 show source frame 0, first at full size, then at 0.45x (converted at 1/2).
    w, h = lavfi.VIDEO_SIZE
    s = rf.Scene(w, h, fps=30, duration=FRAMES / 30)
    layer = s.add_video(lavfi.video, width=w, height=h)
    layer.animate("width", [(0, w), (1 / 30, 0.45 * w)], easing="linear")
    layer.animate("height", [(0, h), (1 / 30, 0.45 * h)], easing="linear")
    tl = s.compile()
    r = _core.Renderer(tl)
    _rgba(r, 0)
    second = _rgba(r, 1)
    assert r.video_conversions == 2
    fresh = _core.Renderer(tl)
    assert np.array_equal(second, _rgba(fresh, 1))


@pytest.mark.parametrize("slots", [2, 3])
def test_export_ring_reuses_conversions_exactly(lavfi, tmp_path, slots):
    from PIL import Image
    tl = _scene(lavfi).compile()
    ref = _fresh_reference(tl)
    opts = _core.ExportOptions()
    opts.path = str(tmp_path / "f_%04d.png")
    opts.video_codec = "png"
    opts.gpu_slots = slots
    exp = _core.Export(tl, opts, None)
    exp.start()
    while not exp.wait_for(0.2):
        pass
    assert exp.result().frames == FRAMES
    for i in range(FRAMES):
        got = np.asarray(Image.open(tmp_path / f"f_{i:04d}.png").convert("RGBA"))
        d = np.abs(got.astype(int) - ref[i].astype(int)).max()
        assert d == 0, f"frame {i} (slot {i % slots}): differs by up to {d}"
