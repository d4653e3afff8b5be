"""End-to-end rendering tests: GPU frames against independent numpy / ffmpeg references.

Every expected image comes from ``tests/reference.py`` (the published formulas, in float64) or
from the ffmpeg CLI, never from reelforge itself. Canvases are small: the Vulkan device may be
a CPU (lavapipe).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import reelforge as rf
import reference as ref
from reelforge.testing import psnr

W, H = 64, 48


def assert_close(actual, expected, tol=1, what="frame"):
    """Every channel of every pixel within ``tol``; the message locates the worst pixel."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != expected {expected.shape}"
    assert actual.dtype == expected.dtype == np.uint8, f"{what}: dtype {actual.dtype}, expected uint8"
    d = np.abs(actual.astype(np.int16) - expected.astype(np.int16))
    if d.max() > tol:
        idx = np.unravel_index(int(np.argmax(d)), d.shape)
        pix = idx[:2]
        n_bad = int(np.count_nonzero(d > tol))
        raise AssertionError(f"{what}: max difference {int(d.max())} > {tol} at index {idx} ({n_bad} values off); "
                             f"actual {actual[pix]} expected {expected[pix]}")


def straight_noise(rng, h, w, alpha=True, alpha_range=(0, 256)):
    img = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
    img[..., 3] = rng.integers(*alpha_range, (h, w), dtype=np.uint8) if alpha else 255
    return img


def render(scene, i=0):
    return rf.Renderer(scene).render_frame(i)


# --- device / API basics --------------------------------------------------------------------

def test_device_is_nonempty_string():
    r = rf.Renderer(rf.Scene(W, H, fps=10, duration=1))
    assert isinstance(r.device, str) and r.device.strip(), f"device name {r.device!r}"


def test_frame_shape_dtype_and_background():
    s = rf.Scene(W, H, fps=10, duration=1, background=(12, 34, 56))
    f = render(s)
    assert f.shape == (H, W, 4) and f.dtype == np.uint8
    assert (f == np.array([12, 34, 56, 255], np.uint8)).all()


@pytest.mark.parametrize("method", ["render_frame", "render_nv12"])
@pytest.mark.parametrize("index", [-1, 10, 11, 10**9])
def test_out_of_range_frame_index_raises_value_error(method, index):
    r = rf.Renderer(rf.Scene(W, H, fps=10, duration=1))  # frames 0..9
    with pytest.raises(ValueError) as ei:
        getattr(r, method)(index)
    assert isinstance(ei.value, rf.ReelforgeError)
    assert str(index) in str(ei.value) and "0..9" in str(ei.value)


def test_frame_index_must_be_integer():
    r = rf.Renderer(rf.Scene(W, H, fps=10, duration=1))
    with pytest.raises(ValueError, match="int"):
        r.render_frame(1.0)
    assert r.render_frame(np.int64(3)).shape == (H, W, 4)  # numpy integers are fine


# --- compositing (source-over) --------------------------------------------------------------

@pytest.mark.parametrize("background", [(0, 0, 0, 255), (30, 60, 200, 140), (0, 0, 0, 0)])
def test_solids_overlapping_opaque_and_translucent(background):
    specs = [  # (colour, x, y, w, h, opacity)
        ((250, 10, 10), 4, 4, 30, 20, 1.0),
        ((10, 250, 10, 128), 20, 10, 30, 30, 1.0),  # overlaps the first
        ((0, 0, 255, 60), 50, -3, 30, 10, 0.5),     # translucent, sticks out top-right
        ((255, 255, 0, 200), -6, 30, 20, 40, 1.0),  # sticks out left and bottom
        ((255, 255, 255, 255), 10, 12, 8, 6, 0.25),  # layer opacity
    ]
    s = rf.Scene(W, H, fps=10, duration=1, background=background)
    layers = []
    for color, x, y, w, h, op in specs:
        s.add_solid(color, x=x, y=y, width=w, height=h, opacity=op)
        layers.append(dict(pixels=ref.solid(color, w, h), x=x, y=y, opacity=op))
    expected = ref.to_u8(ref.composite(W, H, background, layers))
    assert_close(render(s), expected)


def test_numpy_images_with_alpha_and_solids():
    rng = np.random.default_rng(7)
    bg = (20, 40, 60, 255)
    rgba = straight_noise(rng, 16, 24)            # straight alpha, every alpha value
    rgb = rng.integers(0, 256, (10, 12, 3), dtype=np.uint8)  # RGB = opaque
    big = straight_noise(rng, 30, 40)
    s = rf.Scene(W, H, fps=10, duration=1, background=bg)
    s.add_solid((200, 100, 50, 180), x=0, y=0, width=40, height=30)
    s.add_image(rgba, x=10, y=5)
    s.add_image(rgb, x=30, y=20)
    s.add_image(big, x=-15, y=30)               # partly off the canvas (left and bottom)
    s.add_image(rgba, x=52, y=-4, opacity=0.6)  # partly off the canvas (right and top)
    expected = ref.to_u8(ref.composite(W, H, bg, [
        dict(pixels=ref.solid((200, 100, 50, 180), 40, 30), x=0, y=0),
        dict(pixels=ref.image(rgba), x=10, y=5),
        dict(pixels=ref.image(rgb), x=30, y=20),
        dict(pixels=ref.image(big), x=-15, y=30),
        dict(pixels=ref.image(rgba), x=52, y=-4, opacity=0.6),
    ]))
    assert_close(render(s), expected)


def test_image_on_transparent_background_is_premultiplied():
    rng = np.random.default_rng(3)
    img = straight_noise(rng, H, W)
    s = rf.Scene(W, H, fps=10, duration=1, background=(0, 0, 0, 0))
    s.add_image(img)
    f = render(s)
    assert_close(f[..., 3], img[..., 3], tol=0, what="alpha")
    assert_close(f, ref.to_u8(ref.premultiply(img, quantize=False)), what="premultiplied RGBA")


def test_png_file_image_matches_its_pixels(lavfi):
    arr = lavfi.png_array  # 320x240 straight RGBA written to lavfi.png by Pillow
    bg = (90, 10, 160, 255)
    s = rf.Scene(W, H, fps=10, duration=1, background=bg)
    layer = s.add_image(lavfi.png, x=-37, y=-21)  # a 64x48 window into the picture
    assert layer.name
    expected = ref.to_u8(ref.composite(W, H, bg, [dict(pixels=ref.image(arr), x=-37, y=-21)]))
    assert_close(render(s), expected)
    s2 = rf.Scene(320, 240, fps=10, duration=1, background=(0, 0, 0, 0))
    s2.add_image(lavfi.png)
    assert_close(render(s2), ref.to_u8(ref.image(arr)), what="whole PNG")


def test_opacity_constant_and_animated():
    bg = (0, 0, 255, 255)
    s = rf.Scene(W, H, fps=10, duration=1, background=bg)
    s.add_solid((255, 0, 0), width=W // 2, opacity=0.3)
    fade = s.add_solid((0, 255, 0, 200), x=W // 2, width=W // 2)
    fade.animate("opacity", [(0.0, 0.0), (0.8, 1.0)])
    r = rf.Renderer(s)
    for i, op in [(0, 0.0), (2, 0.25), (4, 0.5), (6, 0.75), (9, 1.0)]:
        expected = ref.to_u8(ref.composite(W, H, bg, [
            dict(pixels=ref.solid((255, 0, 0), W // 2, H), x=0, y=0, opacity=0.3),
            dict(pixels=ref.solid((0, 255, 0, 200), W // 2, H), x=W // 2, y=0, opacity=op)]))
        assert_close(r.render_frame(i), expected, what=f"frame {i} (opacity {op})")


# --- blend modes ------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ref.BLEND_MODES)
def test_blend_mode_matches_w3c_formula(mode):
    rng = np.random.default_rng(100 + ref.BLEND_MODES.index(mode))
    bg = (40, 160, 220, 150)                    # translucent backdrop ...
    backdrop = straight_noise(rng, H, W)        # ... under a translucent noise layer (all alphas)
    src = straight_noise(rng, 30, 40)
    s = rf.Scene(W, H, fps=10, duration=1, background=bg)
    s.add_image(backdrop)
    a = s.add_image(src, x=6, y=4)
    a.blend = mode
    b = s.add_solid((200, 90, 30, 170), x=30, y=20, width=30, height=24)
    b.blend = mode
    c = s.add_solid((20, 220, 128, 255), x=0, y=36, width=20, height=12, opacity=0.7)
    c.blend = mode
    layers = [dict(pixels=ref.image(backdrop), x=0, y=0),
              dict(pixels=ref.image(src), x=6, y=4, blend=mode),
              dict(pixels=ref.solid((200, 90, 30, 170), 30, 24), x=30, y=20, blend=mode),
              dict(pixels=ref.solid((20, 220, 128, 255), 20, 12), x=0, y=36, blend=mode, opacity=0.7)]
    f = render(s)
    assert_close(f, ref.to_u8(ref.composite(W, H, bg, layers)), what=f"blend {mode}")
    if mode != "normal":  # the mode really is applied: normal source-over gives another picture
        normal = ref.to_u8(ref.composite(W, H, bg, [dict(L, blend="normal") for L in layers]))
        assert np.abs(f.astype(int) - normal).max() > 20


def test_blend_over_transparent_backdrop_is_the_source():
    # W3C: with ab = 0 every separable mode reduces to the source.
    rng = np.random.default_rng(5)
    src = straight_noise(rng, H, W)
    for mode in ref.BLEND_MODES:
        s = rf.Scene(W, H, fps=10, duration=1, background=(0, 0, 0, 0))
        s.add_image(src).blend = mode
        assert_close(render(s), ref.to_u8(ref.image(src)), what=f"{mode} over nothing")


# --- NV12 ---------------------------------------------------------------------------------

def test_nv12_of_composited_frame():
    rng = np.random.default_rng(11)
    bg = (10, 200, 90, 255)
    img = straight_noise(rng, 20, 30)
    s = rf.Scene(W, H, fps=10, duration=1, background=bg)
    s.add_solid((255, 0, 0, 150), x=5, y=5, width=30, height=20)
    s.add_image(img, x=25, y=15)
    r = rf.Renderer(s)
    y, uv = r.render_nv12(0)
    assert y.shape == (H, W) and uv.shape == (H // 2, W // 2, 2)
    assert y.dtype == np.uint8 and uv.dtype == np.uint8
    composite = ref.to_u8(ref.composite(W, H, bg, [
        dict(pixels=ref.solid((255, 0, 0, 150), 30, 20), x=5, y=5), dict(pixels=ref.image(img), x=25, y=15)]))
    ey, euv = ref.rgb_to_nv12(composite)
    assert_close(y, ey, what="Y")
    assert_close(uv, euv, what="CbCr")
    fy, fuv = ref.rgb_to_nv12(r.render_frame(0))  # and consistent with the RGBA readback
    assert_close(y, fy, what="Y vs render_frame")
    assert_close(uv, fuv, what="CbCr vs render_frame")


@pytest.mark.parametrize("size", [(64, 48), (66, 50), (2, 2), (6, 2), (130, 10)])
def test_nv12_random_noise_covering_frame(size):
    # Widths not divisible by 16 and odd chroma heights exercise the edges of composite.comp's
    # 16x2 blocks.
    w, h = size
    rng = np.random.default_rng(w * 1000 + h)
    img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    s = rf.Scene(w, h, fps=10, duration=1)
    s.add_image(img)
    y, uv = rf.Renderer(s).render_nv12(0)
    assert y.shape == (h, w) and uv.shape == (h // 2, w // 2, 2)
    assert y.dtype == np.uint8 and uv.dtype == np.uint8
    ey, euv = ref.rgb_to_nv12(img)
    assert_close(y, ey, what="Y")
    assert_close(uv, euv, what="CbCr")
    assert 16 <= y.min() and y.max() <= 235
    assert 16 <= uv.min() and uv.max() <= 240


@pytest.mark.parametrize("color, y_expected, cb_expected, cr_expected", [
    ((0, 0, 0), 16, 128, 128),
    ((255, 255, 255), 235, 128, 128),
    ((128, 128, 128), 126, 128, 128),
    ((255, 0, 0), 63, 102, 240),   # BT.709: Cr reaches 240 for pure red
    ((0, 255, 0), 173, 42, 26),
    ((0, 0, 255), 32, 240, 118),   # Cb reaches 240 for pure blue
])
def test_nv12_limited_range_values(color, y_expected, cb_expected, cr_expected):
    ey, euv = ref.rgb_to_nv12(np.full((2, 2, 3), color, np.uint8))  # the reference agrees
    assert (int(ey[0, 0]), *map(int, euv[0, 0])) == (y_expected, cb_expected, cr_expected)
    s = rf.Scene(W, H, fps=10, duration=1, background=color)
    y, uv = rf.Renderer(s).render_nv12(0)
    assert set(np.unique(y).tolist()) == {y_expected}
    assert set(np.unique(uv[..., 0]).tolist()) == {cb_expected}
    assert set(np.unique(uv[..., 1]).tolist()) == {cr_expected}


def test_nv12_chroma_is_left_sited_121_filter():
    # Alternating red/cyan columns: chroma sited on the even (red) columns and filtered [1 2 1] / 4
    # is mid grey, so Cb = Cr = 128 exactly, except in column 0, where column -1 repeats column 0
    # (3/4 red); point-sampled chroma would not be neutral anywhere.
    img = np.zeros((H, W, 3), np.uint8)
    img[:, 0::2] = (255, 0, 0)
    img[:, 1::2] = (0, 255, 255)
    s = rf.Scene(W, H, fps=10, duration=1)
    s.add_image(img)
    y, uv = rf.Renderer(s).render_nv12(0)
    assert set(np.unique(uv[:, 1:]).tolist()) == {128}
    ey, euv = ref.rgb_to_nv12(img)
    assert_close(uv, euv, what="CbCr")
    assert (euv[:, 0, 1] > 150).all()  # the reference's edge column is reddish, not neutral
    assert_close(y, ey, what="Y")


# --- timing and animation -----------------------------------------------------------------

def test_layer_start_and_end_frames():
    s = rf.Scene(W, H, fps=10, duration=2)
    s.add_solid((255, 255, 255), start=0.5, end=1.0, width=10, height=10)  # frames 5..9
    r = rf.Renderer(s)
    visible = [int(r.render_frame(i)[5, 5, 0]) == 255 for i in range(20)]
    assert visible == [5 <= i < 10 for i in range(20)], visible


def test_layer_end_between_frames_is_consistent():
    # A frame is shown while its time is before the layer's end: frame 2 (t=0.2 s) is inside
    # [0, 0.25). Both ceil and round-half-up give end_frame 3 here; half-to-even gives 2.
    s = rf.Scene(W, H, fps=10, duration=1)
    s.add_solid((255, 255, 255), end=0.25, width=10, height=10)
    s.add_solid((255, 255, 255), end=0.35, x=20, width=10, height=10)
    r = rf.Renderer(s)
    first = [i for i in range(10) if r.render_frame(i)[5, 5, 0] == 255]
    second = [i for i in range(10) if r.render_frame(i)[5, 25, 0] == 255]
    assert second == [0, 1, 2, 3]
    assert first == [0, 1, 2]


def test_late_layer_takes_its_own_frames_of_arrays_and_callables():
    # A layer shown on frames 12..17: per-frame arrays span the scene, callables see the times of
    # the layer's frames, keyframes are in scene time; each frame's x is that of its own time.
    s = rf.Scene(W, H, fps=10, duration=2)
    seen = []
    per_frame = np.arange(20, dtype=np.float64)  # x = frame index
    a = s.add_solid((255, 0, 0), start=1.2, end=1.8, y=0, width=1, height=4).set("x", per_frame)
    b = s.add_solid((0, 255, 0), start=1.2, end=1.8, y=10, width=1, height=4)
    b.set("x", lambda t: (seen.append(np.array(t)), 10 * t)[1])
    c = s.add_solid((0, 0, 255), start=1.2, end=1.8, y=20, width=1, height=4)
    c.animate("x", [(0, 0), (2, 40)])
    tl = s.compile()
    assert np.allclose(seen[0], np.arange(12, 18) / 10)
    assert [len(tl.layers[k].track.x) for k in range(3)] == [6, 6, 6]
    assert all(len(getattr(tl.layers[0].track, p)) == 1 for p in ("y", "width", "opacity", "rotation"))
    r = rf.Renderer(s)
    for i in (12, 15, 17):
        f = r.render_frame(i)
        for y, ch, x in ((1, 0, i), (11, 1, i), (21, 2, 2 * i)):
            assert f[y, x, ch] == 255 and f[y, x - 1, ch] == 0, f"frame {i}, channel {ch}: not at x={x}"


def test_long_timeline_of_short_clips_compiles_small():
    # Tables cover each layer's own frames: 600 layers of 1 s on a 10-minute scene hold 600 x 30
    # values per animated property, not 600 x 18000.
    s = rf.Scene(W, H, fps=30, duration=600)
    for k in range(600):
        s.add_solid((255, 255, 255), start=k, end=k + 1, width=4, height=4).animate("x", [(k, 0), (k + 1, 30)])
    tl = s.compile()
    assert sum(len(l.track.x) for l in tl.layers) == 600 * 30
    assert sum(len(l.track.y) for l in tl.layers) == 600
    f = rf.Renderer(s).render_frame(300 * 30 + 15)  # layer 300, halfway: x = 15
    assert f[1, 15, 0] == 255 and f[1, 14, 0] == 0


def _left_edge(frame_row_red: np.ndarray) -> float:
    """Sub-pixel left edge of a white band that runs off the right side of a black canvas."""
    cov = frame_row_red.astype(np.float64) / 255.0
    return len(cov) - cov.sum()


def test_keyframed_x_moves_linearly():
    fps = 8
    s = rf.Scene(W, H, fps=fps, duration=2)
    band = s.add_solid((255, 255, 255), y=10, width=W + 40, height=10)
    band.animate("x", [(0.0, 0.0), (1.0, 30.0)])
    r = rf.Renderer(s)
    for i in range(16):
        t = i / fps
        x_expected = 30.0 * min(t, 1.0)  # linear, then holds the last keyframe
        f = r.render_frame(i)
        assert _left_edge(f[15, :, 0]) == pytest.approx(x_expected, abs=0.01), f"frame {i} (t={t}s)"
        assert (f[:10, :, :3] == 0).all() and (f[20:, :, :3] == 0).all()
    # Frame 4 is at t = 0.5 s: x = 15 exactly, a pixel-aligned edge.
    f = r.render_frame(4)
    assert f[15, 14, 0] == 0 and f[15, 15, 0] == 255


def test_scaled_image_2x():
    img = np.zeros((6, 8, 4), np.uint8)
    img[..., 3] = 255
    img[:, :4, 0] = 255  # left half red
    img[:, 4:, 2] = 255  # right half blue
    x0, y0 = 10, 5
    s = rf.Scene(W, H, fps=10, duration=1)
    s.add_image(img, x=x0, y=y0, width=16, height=12)
    f = render(s)
    inside = np.zeros((H, W), bool)
    inside[y0:y0 + 12, x0:x0 + 16] = True
    assert (f[~inside] == (0, 0, 0, 255)).all(), "pixels outside the 16x12 footprint changed"
    # Source columns 0..3 -> canvas 10..17, 4..7 -> 18..25; bilinear only mixes next to x = 18.
    assert (f[y0:y0 + 12, x0:x0 + 7] == (255, 0, 0, 255)).all()
    assert (f[y0:y0 + 12, x0 + 9:x0 + 16] == (0, 0, 255, 255)).all()
    seam = f[y0:y0 + 12, x0 + 7:x0 + 9].astype(int)
    assert np.abs(seam[..., 0] + seam[..., 2] - 255).max() <= 1  # a red/blue mix, nothing else
    assert (seam[..., 0, 0] > seam[..., 1, 0]).all()  # red fades into blue left to right
    s2 = rf.Scene(W, H, fps=10, duration=1)
    s2.add_image(img, x=x0, y=y0).set("scale", 2.0)
    assert_close(render(s2), f, what="scale=2 vs width/height 2x")


def _affine_inside(x, y, w, h, ax, ay, rot_deg, scale=(1.0, 1.0)):
    """Canvas pixels whose centres fall inside a layer placed by T(x,y) R(rot) S T(-ax w, -ay h)
    (y down, rotation clockwise on screen), and their distance to the nearest edge in pixels."""
    th = math.radians(rot_deg)
    c, s_ = math.cos(th), math.sin(th)
    yy, xx = np.mgrid[0:H, 0:W] + 0.5
    dx, dy = xx - x, yy - y
    # inverse rotation, inverse scale, then undo the anchor offset
    u = (c * dx + s_ * dy) / scale[0] + ax * w
    v = (-s_ * dx + c * dy) / scale[1] + ay * h
    inside = (u >= 0) & (u < w) & (v >= 0) & (v < h)
    dist = np.minimum.reduce([np.abs(u) * scale[0], np.abs(w - u) * scale[0], np.abs(v) * scale[1],
                              np.abs(h - v) * scale[1]])
    return inside, dist


def test_rotation_90_about_centre():
    s = rf.Scene(W, H, fps=10, duration=1)
    box = s.add_solid((255, 0, 0), x=32, y=24, width=20, height=8)
    box.set("anchor_x", 0.5).set("anchor_y", 0.5).set("rotation", 90)
    f = render(s)
    # 20x8 rotated about its centre (32, 24) becomes 8 wide, 20 tall: [28, 36) x [14, 34).
    expected = np.zeros((H, W), bool)
    expected[14:34, 28:36] = True
    inside, _ = _affine_inside(32, 24, 20, 8, 0.5, 0.5, 90)
    assert (inside == expected).all()  # the helper agrees with the hand computation
    red = f[..., 0].astype(int)
    assert np.abs(red[expected] - 255).max() <= 1 and red[~expected].max() <= 1


def test_rotation_is_clockwise_on_screen():
    img = np.zeros((8, 20, 4), np.uint8)
    img[...] = (0, 0, 255, 255)
    img[:2, :2] = (255, 0, 0, 255)  # top-left corner marker
    s = rf.Scene(W, H, fps=10, duration=1)
    s.add_image(img, x=32, y=24).set("anchor_x", 0.5).set("anchor_y", 0.5).set("rotation", 90)
    f = render(s)
    ys, xs = np.nonzero(f[..., 0] > 128)
    # Clockwise by 90 deg (y down): the top-left corner goes to the top-right of [28,36)x[14,34).
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (34, 35, 14, 15)


@pytest.mark.parametrize("rot, scale", [(30.0, (1.0, 1.0)), (-125.0, (1.5, 0.5))])
def test_rotation_and_scale_footprint(rot, scale):
    x, y, w, h = 30.0, 22.0, 24, 14
    s = rf.Scene(W, H, fps=10, duration=1)
    L = s.add_solid((255, 255, 255), x=x, y=y, width=w, height=h)
    L.set("anchor_x", 0.5).set("anchor_y", 0.5).set("rotation", rot)
    L.set("scale_x", scale[0]).set("scale_y", scale[1])
    f = render(s)
    inside, dist = _affine_inside(x, y, w, h, 0.5, 0.5, rot, scale)
    clear = dist > 1.0  # antialiased edges are at most ~1 px wide
    v = f[..., 0].astype(int)
    assert (v[inside & clear] >= 254).all(), "interior pixels not fully covered"
    assert (v[~inside & clear] <= 1).all(), "pixels outside the layer were drawn"
    assert v.sum() / 255.0 == pytest.approx(w * h * scale[0] * scale[1], rel=0.02)  # area preserved


# --- video ------------------------------------------------------------------------------------

def _source_index(i, scene_fps, src_fps, start=0.0, trim=0.0):
    """Index of the source frame with the largest pts <= source time of scene frame i."""
    t = Fraction(i) / Fraction(scene_fps) - Fraction(start) + Fraction(trim)
    return math.floor(t * src_fps)


def test_video_layer_matches_ffmpeg_decode(lavfi):
    path = lavfi.video  # testsrc2 640x360 @ 25 fps, 2 s
    w, h = lavfi.VIDEO_SIZE
    s = rf.Scene(w, h, fps=30, duration=1.5)
    layer = s.add_video(path)
    assert layer.end == pytest.approx(2.0, abs=0.05)
    r = rf.Renderer(s)
    frames = {}
    for i in [0, 7, 22, 44, 7]:  # ends with a backwards jump (re-open / seek)
        k = _source_index(i, 30, lavfi.VIDEO_FPS)
        f = r.render_frame(i)
        frames[i] = f
        assert (f[..., 3] == 255).all()
        p = {d: psnr(f, lavfi.decode_frame(path, k + d)) for d in (-1, 0, 1) if k + d >= 0}
        assert p[0] >= 30.0, f"scene frame {i} vs source frame {k}: PSNR {p[0]:.1f} dB"
        # The right source frame fits clearly better than its neighbours (the fps mapping is exact).
        assert all(p[0] > p[d] + 5 for d in p if d), f"scene frame {i}: PSNR by source offset {p}"
    assert psnr(frames[0], frames[7]) < 25, "video content does not change between frames"


def test_video_start_and_trim(lavfi):
    path = lavfi.video
    w, h = lavfi.VIDEO_SIZE
    s = rf.Scene(w, h, fps=30, duration=1.5, background=(255, 0, 255))
    s.add_video(path, start=0.5, trim_start=0.4)
    r = rf.Renderer(s)
    assert (r.render_frame(14) == (255, 0, 255, 255)).all(), "video drawn before its start"
    for i in [15, 16, 31]:
        k = _source_index(i, 30, lavfi.VIDEO_FPS, start=0.5, trim=0.4)
        f = r.render_frame(i)
        p = {d: psnr(f, lavfi.decode_frame(path, k + d)) for d in (-1, 0, 1)}
        assert p[0] >= 30.0, f"scene frame {i} vs source frame {k}: PSNR {p[0]:.1f} dB"
        assert p[0] > max(p[-1], p[1]) + 5, f"scene frame {i}: PSNR by source offset {p}"


def test_scaled_video_layer(lavfi):
    path = lavfi.video
    s = rf.Scene(160, 90, fps=25, duration=1)
    s.add_video(path, width=160, height=90)
    f = rf.Renderer(s).render_frame(5)
    ref_full = lavfi.decode_frame(path, 5).astype(np.float64)
    ref_small = ref_full.reshape(90, 4, 160, 4, 4).mean(axis=(1, 3))  # 4x4 box downscale
    p = psnr(f, np.clip(np.floor(ref_small + 0.5), 0, 255).astype(np.uint8))
    assert p >= 30.0, f"downscaled video frame PSNR {p:.1f} dB"


@pytest.mark.parametrize("scale", [1, 2])
def test_upscaled_video_layer(lavfi, scale):
    path = lavfi.video  # 640x360; the canvas shows its top-left 160x90 source pixels at `scale`
    w, h = 160 * scale, 90 * scale
    s = rf.Scene(w, h, fps=25, duration=1)
    s.add_video(path, width=640 * scale, height=360 * scale)
    f = rf.Renderer(s).render_frame(5)
    src = lavfi.decode_frame(path, 5)[:90, :160]
    expected = np.repeat(np.repeat(src, scale, axis=0), scale, axis=1)  # nearest: bilinear differs on edges
    p = psnr(f, expected)
    assert p >= (30.0 if scale == 1 else 27.0), f"video at scale {scale}: PSNR {p:.1f} dB"


def test_rgba_video_alpha(lavfi):
    # QuickTime RLE (ARGB), smooth colours (4:2:0 on the way in costs little), alpha = 4 * x.
    path = lavfi.file("alpha_ramp.mov", ["-f", "lavfi", "-i", "color=s=64x48:r=10:d=1,format=rgba,"
                                         "geq=r='X*4':g='Y*5':b='200-X-Y':a='X*4'", "-c:v", "qtrle"])
    s = rf.Scene(W, H, fps=10, duration=1, background=(0, 0, 0, 0))
    s.add_video(path)
    f = rf.Renderer(s).render_frame(3)
    ramp = np.broadcast_to(np.arange(W) * 4, (H, W))
    assert np.abs(f[..., 3].astype(int) - ramp).max() <= 2
    straight = lavfi.decode_frame(path, 3)
    assert psnr(f, ref.to_u8(ref.premultiply(straight, quantize=False))) >= 30.0


def test_vp9_alpha_video(lavfi):
    path = lavfi.file("alpha_ramp.webm", ["-f", "lavfi", "-i", "testsrc2=s=64x48:r=10:d=1,format=yuva420p,"
                                          "geq=lum='lum(X,Y)':cb='cb(X,Y)':cr='cr(X,Y)':a='X*4'",
                                          "-c:v", "libvpx-vp9", "-pix_fmt", "yuva420p"])
    s = rf.Scene(W, H, fps=10, duration=1, background=(0, 0, 0, 0))
    s.add_video(path)
    f = rf.Renderer(s).render_frame(3)
    ramp = np.broadcast_to(np.arange(W) * 4, (H, W))
    assert np.abs(f[..., 3].astype(int) - ramp).max() <= 3, f"alpha row: {f[0, ::8, 3]}"


# --- shared media (skipped when the folder is absent) -------------------------------------------

def test_shared_png_logo(media):
    from PIL import Image
    path = media("python_logo.png")
    with Image.open(path) as im:
        arr = np.asarray(im.convert("RGBA")).copy()
    h, w = arr.shape[:2]
    cw, ch = w + w % 2, h + h % 2
    s = rf.Scene(cw, ch, fps=10, duration=1, background=(0, 0, 0, 0))
    s.add_image(path)
    assert_close(render(s), ref.to_u8(ref.composite(cw, ch, (0, 0, 0, 0), [dict(pixels=ref.image(arr), x=0, y=0)])))


def test_shared_video_frames_match_ffmpeg(media, lavfi):
    path = media("chaplin.mp4")  # 640x360 @ 25 fps H.264
    s = rf.Scene(640, 360, fps=25, duration=3)
    s.add_video(path)
    r = rf.Renderer(s)
    for i in [0, 30, 60]:
        p = psnr(r.render_frame(i), lavfi.decode_frame(path, i))
        assert p >= 30.0, f"chaplin.mp4 frame {i}: PSNR {p:.1f} dB"


def test_shared_transparent_webm_keeps_alpha(media, lavfi):
    path = media("transparent.webm")  # VP9 with alpha_mode=1, 200x200
    s = rf.Scene(200, 200, fps=30, duration=1, background=(0, 0, 0, 0))
    s.add_video(path)
    f = rf.Renderer(s).render_frame(10)
    straight = lavfi.decode_frame(path, 10, decoder="libvpx-vp9")
    expected_alpha = np.repeat(straight[..., 3:], 3, axis=2)
    assert psnr(np.repeat(f[..., 3:], 3, axis=2), expected_alpha) >= 30.0, \
        f"alpha range rendered {f[..., 3].min()}..{f[..., 3].max()}, ffmpeg {straight[..., 3].min()}..{straight[..., 3].max()}"


# --- crop ----------------------------------------------------------------------------------------

def test_crop_hides_margins_and_keeps_the_rest_in_place():
    rng = np.random.default_rng(7)
    straight = rng.integers(0, 256, (16, 20, 4), dtype=np.uint8)
    straight[..., 3] = 255
    s = rf.Scene(W, H, fps=10, duration=1, background=(10, 20, 30))
    solid = s.add_solid((200, 40, 90), x=4, y=4, width=20, height=16)
    solid.set("crop", (0.25, 0.125, 0.5, 0.25))  # visible: x 9..14, y 6..16
    img = s.add_image(straight, x=36, y=20)
    img.set("crop_left", 0.5).set("crop_bottom", 0.5)  # visible: right half of the top half
    expected = ref.composite(W, H, (10, 20, 30), [
        dict(pixels=ref.solid((200, 40, 90), 5, 10), x=9, y=6),
        dict(pixels=ref.image(straight[:8, 10:]), x=46, y=20),
    ])
    assert_close(render(s), ref.to_u8(expected))


def test_animated_crop_reveals_progressively():
    s = rf.Scene(W, H, fps=10, duration=1, background=(0, 0, 0))
    s.add_solid((255, 255, 255), x=0, y=0, width=40, height=10).animate("crop_right", [(0, 1.0), (1, 0.0)])
    r = rf.Renderer(s)
    widths = [int((r.render_frame(i)[5, :, 0] > 128).sum()) for i in (0, 5, 9)]
    assert widths == [0, 20, 36]  # 40 px * (1 - crop_right(t)), t = i / 10


def test_crop_out_of_range_is_rejected():
    s = rf.Scene(W, H, fps=10, duration=1)
    layer = s.add_solid((1, 2, 3))
    with pytest.raises(rf.SceneError, match="crop"):
        layer.set("crop", (0.5, 0, 0.7))
    with pytest.raises(rf.SceneError, match="crop"):
        layer.animate("crop", [(0, 0.1), (1, 0.2)])
