"""Generated layers: pictures produced per frame in C++ (here `_core.SequenceGenerator`), uploaded
by the compositor only when they change. References are numpy over-compositing of the known
pictures (drawn 1:1 at integer positions, so exact up to rounding)."""

from __future__ import annotations

import subprocess
import threading

import numpy as np
import pytest

import reelforge as rf
from reelforge import _core
from reelforge.errors import ReelforgeError

W, H = 64, 48


def picture(rng, h, w):
    """Random premultiplied RGBA8 (colour <= alpha)."""
    a = rng.integers(0, 256, (h, w), dtype=np.uint8)
    c = (rng.integers(0, 256, (h, w, 3)) * a[..., None] // 255).astype(np.uint8)
    return np.dstack([c, a])


def generated_timeline(pictures, index, *, x=8, y=4, frames=6, background=(0, 0, 0, 255)):
    """A scene whose one layer is a SequenceGenerator over `pictures` (premultiplied, all h x w),
    shown 1:1 at (x, y)."""
    h, w = pictures[0].shape[:2]
    scene = rf.Scene(W, H, fps=10, duration=frames / 10, background=background)
    scene.add_solid((0, 0, 0, 0), x=x, y=y, width=w, height=h)  # placement only
    tl = scene.compile()
    layer = tl.layers[0]
    layer.kind = _core.LayerKind.GENERATED
    layer.generator = _core.SequenceGenerator([_core.RgbaImage(p) for p in pictures], np.asarray(index, np.int32))
    tl.layers = [layer]
    return tl


def over_black(pic, x, y):
    """The canvas (opaque black background) with premultiplied `pic` composited at (x, y)."""
    out = np.zeros((H, W, 4), np.float64)
    out[..., 3] = 255
    h, w = pic.shape[:2]
    p = pic.astype(np.float64)
    region = out[y:y + h, x:x + w]
    out[y:y + h, x:x + w] = p + region * (1 - p[..., 3:4] / 255)
    return np.round(out).astype(np.uint8)


def test_pictures_drawn_per_frame_and_reused_when_unchanged():
    rng = np.random.default_rng(1)
    pics = [picture(rng, 16, 24), picture(rng, 16, 24)]
    index = [0, 0, 0, 1, 1, 0]
    r = _core.Renderer(generated_timeline(pics, index))
    for i, k in enumerate(index):
        got = r.render_rgba(i)
        d = np.abs(got.astype(int) - over_black(pics[k], 8, 4).astype(int))
        assert d.max() <= 1, f"frame {i}: max difference {d.max()}"
    # One upload per change of picture (frames 0, 3, 5): unchanged pictures are not re-uploaded.
    assert r.generated_uploads == 3


def test_minus_one_draws_nothing_and_sizes_may_change():
    rng = np.random.default_rng(2)
    pics = [picture(rng, 16, 24), picture(rng, 8, 6)]  # stretched over the layer's 24 x 16 box
    r = _core.Renderer(generated_timeline(pics, [0, -1, 1, 0, 0, 0]))
    assert (r.render_rgba(1) == over_black(np.zeros((1, 1, 4), np.uint8), 0, 0)).all()
    small = r.render_rgba(2)[4:20, 8:32]
    # Each source texel covers 4 x 2 canvas pixels: the centre of each block is that texel (bilinear
    # sampling hits texel centres at the block's centre +- half a pixel; compare block means loosely).
    ref = np.kron(pics[1].astype(float), np.ones((2, 4, 1)))
    ref = ref + 255 * (1 - ref[..., 3:4] / 255) * np.array([0, 0, 0, 1.0])
    assert np.abs(small.mean(axis=(0, 1)) - ref.mean(axis=(0, 1))).max() < 3
    d = np.abs(r.render_rgba(3).astype(int) - over_black(pics[0], 8, 4).astype(int))
    assert d.max() <= 1


def test_export_with_several_slots_matches_renderer(tmp_path):
    rng = np.random.default_rng(3)
    pics = [np.dstack([np.full((16, 24, 3), v, np.uint8), np.full((16, 24), 255, np.uint8)]) for v in (40, 200)]
    index = [0, 1, 0, 1, 1, 0, 0, 1]
    tl = generated_timeline(pics, index, frames=8)
    opts = _core.ExportOptions()
    opts.path = str(tmp_path / "g.mp4")
    opts.gpu_slots = 3
    exp = _core.Export(tl, opts, None)
    exp.start()
    while not exp.wait_for(0.2):
        pass
    exp.result()  # raises if the export failed
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", opts.path, "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         capture_output=True, check=True).stdout
    luma = np.frombuffer(raw, np.uint8).reshape(-1, H, W)
    assert luma.shape[0] == 8
    # ffmpeg expands the limited-range luma back to full-range grey: a grey v decodes as v.
    for i, k in enumerate(index):
        expect = float(pics[k][0, 0, 0])
        assert abs(float(np.median(luma[i, 8:16, 12:28])) - expect) <= 3, f"frame {i}"
        assert float(np.median(luma[i, 30:, :])) <= 2


def test_renderers_share_a_timeline_across_threads():
    rng = np.random.default_rng(4)
    pics = [picture(rng, 16, 24) for _ in range(3)]
    index = [0, 1, 2, 0, 1, 2]
    tl = generated_timeline(pics, index)
    errors = []

    def work(seed):
        r = _core.Renderer(tl)
        order = np.random.default_rng(seed).permutation(len(index))
        for i in order:
            d = np.abs(r.render_rgba(int(i)).astype(int) - over_black(pics[index[i]], 8, 4).astype(int)).max()
            if d > 1:
                errors.append((seed, int(i), int(d)))

    threads = [threading.Thread(target=work, args=(s,)) for s in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_bad_generators_are_refused():
    rng = np.random.default_rng(5)
    img = _core.RgbaImage(picture(rng, 4, 4))
    with pytest.raises(ReelforgeError, match="outside 0..0"):
        _core.SequenceGenerator([img], np.array([0, 1], np.int32))
    with pytest.raises(ReelforgeError, match="images is empty"):
        _core.SequenceGenerator([], np.array([0], np.int32))
    tl = generated_timeline([picture(rng, 4, 4)], [0])
    layer = tl.layers[0]
    layer.generator = None
    tl.layers = [layer]
    with pytest.raises(ReelforgeError, match="without a generator"):
        tl.validate()
