"""Image layers' textures (src/gpu/static_images.*): uploaded when a frame first draws them, freed
once idle, a mip chain only when shown smaller than their resolution; text pixels held once."""

import os

import numpy as np
import pytest

import reelforge as rf
from reelforge import _core

W, H, FPS = 64, 48, 10
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _picture(rng, h, w):
    """Premultiplied RGBA8 with alpha in 64..255."""
    a = rng.integers(64, 256, (h, w, 1))
    rgb = (rng.integers(0, 256, (h, w, 3)) * a + 127) // 255
    return np.concatenate([rgb, a], axis=2).astype(np.uint8)


def _over_black(pic, x, y):
    out = np.zeros((H, W, 4), np.float64)
    out[..., 3] = 255
    h, w = pic.shape[:2]
    p = pic.astype(np.float64)
    out[y:y + h, x:x + w] = p + out[y:y + h, x:x + w] * (1 - p[..., 3:4] / 255)
    return np.round(out).astype(np.uint8)


def _add(s, pic, **kw):
    layer = s.add_image(pic, **kw)
    layer.premultiplied = True  # the test pictures are premultiplied already
    return layer


def test_images_uploaded_when_drawn_and_freed_when_idle():
    # Six pictures, each shown for 0.5 s (5 frames) one after another, like caption cues.
    rng = np.random.default_rng(7)
    pics = [_picture(rng, 12, 20) for _ in range(6)]
    s = rf.Scene(W, H, fps=FPS, duration=30.0)
    for k, p in enumerate(pics):
        _add(s, p, start=0.5 * k, end=0.5 * (k + 1), x=4 + k, y=6)
    r = _core.Renderer(s.compile())
    for i in range(30):  # the six cues
        d = np.abs(r.render_rgba(i).astype(int) - _over_black(pics[i // 5], 4 + i // 5, 6).astype(int))
        assert d.max() <= 1, f"frame {i}: max difference {d.max()}"
    assert r.image_uploads == 6  # once each, when first drawn: none before
    # Nothing is freed while drawn in the last 30 frames; after 31 frames without them, all are.
    assert 1 <= r.images_resident <= 6
    for i in range(30, 62):
        r.render_rgba(i)
    assert r.images_resident == 0
    # Drawn again after being freed: uploaded again, same pixels.
    d = np.abs(r.render_rgba(0).astype(int) - _over_black(pics[0], 4, 6).astype(int))
    assert d.max() <= 1 and r.image_uploads == 7 and r.images_resident == 1


def test_picture_shared_by_layers_is_uploaded_once():
    rng = np.random.default_rng(3)
    pic = _picture(rng, 10, 10)
    s = rf.Scene(W, H, fps=FPS, duration=1.0)
    arr = _core.RgbaImage(pic, premultiplied=True).pixels  # one core image behind both layers
    _add(s, arr, x=2, y=2)
    _add(s, arr, x=30, y=20)
    tl = s.compile()
    assert tl.layers[0].image is tl.layers[1].image
    r = _core.Renderer(tl)
    r.render_rgba(0)
    assert r.image_uploads == 1


def test_mip_chain_added_when_a_later_frame_shrinks_the_image():
    # Drawn 1:1 first (one level), then at a quarter: uploaded again with the box-filtered chain,
    # giving exactly what a renderer that first meets it shrunk (full chain at once) renders.
    rng = np.random.default_rng(11)
    pic = _picture(rng, 32, 32)
    s = rf.Scene(W, H, fps=FPS, duration=1.0)
    layer = _add(s, pic, x=8, y=8)
    quarter_late = lambda t: np.where(t < 0.45, 1.0, 0.25)  # noqa: E731
    layer.set("scale_x", quarter_late).set("scale_y", quarter_late)
    tl = s.compile()
    late = _core.Renderer(tl)
    first = late.render_rgba(0)
    assert np.abs(first.astype(int) - _over_black(pic, 8, 8).astype(int)).max() <= 1
    shrunk = late.render_rgba(7)
    assert late.image_uploads == 2
    fresh = _core.Renderer(tl)
    np.testing.assert_array_equal(shrunk, fresh.render_rgba(7))
    assert fresh.image_uploads == 1
    # The quarter-size picture is its 4x4 box average (mip level 2), within rounding.
    box = pic.astype(np.float64).reshape(8, 4, 8, 4, 4).mean(axis=(1, 3))
    d = np.abs(shrunk[8:16, 8:16].astype(float) - _over_black(np.round(box).astype(np.uint8), 0, 0)[:8, :8])
    assert d.max() <= 3, f"max difference {d.max()}"


def test_text_pixels_held_once_and_shared_with_the_timeline():
    if not os.path.isfile(DEJAVU):
        pytest.skip("DejaVu Sans not installed (apt fonts-dejavu-core)")
    s = rf.Scene(320, 120, fps=FPS, duration=1.0)
    layer = s.add_text("Shared", font=DEJAVU, size_px=32, x=10, y=10)
    assert not layer.image.flags.writeable  # a view of the core image
    tl1, tl2 = s.compile(), s.compile()
    assert isinstance(layer.image.base, _core.RgbaImage)
    assert tl1.layers[0].image is layer.image.base and tl2.layers[0].image is layer.image.base
    # An edited copy is an ordinary array: compiled from its own pixels.
    layer.image = layer.image.copy()
    layer.image[..., :] = 0
    assert s.compile().layers[0].image is not tl1.layers[0].image
    with pytest.raises(ValueError):
        tl1.layers[0].image.pixels[0, 0, 0] = 1
