"""The tiled compositor (src/gpu/tiling.h, shaders/composite.comp, shaders/yuv_to_rgba.comp)
against the numpy reference: canvases of several 128x16 tiles with layers straddling tile edges,
stacks deeper than one composite pass, opaque layers hiding what is below, and video planes
converted at sizes that are not whole 16-pixel blocks.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from PIL import Image

import reelforge as rf
import reference as ref
from test_render import assert_close, straight_noise

BLENDS = ref.BLEND_MODES


def random_stack(rng, w, h, n, blends=("normal",)):
    """n random solids and images at integer positions (partly off-canvas too); returns
    (layer specs for Scene, reference layers)."""
    specs, refs = [], []
    for k in range(n):
        lw, lh = int(rng.integers(4, w // 2)), int(rng.integers(4, h))
        x, y = int(rng.integers(-lw // 2, w - lw // 2)), int(rng.integers(-lh // 2, h - lh // 2))
        blend = blends[k % len(blends)]
        opacity = float(rng.choice([1.0, 0.75, 0.4]))
        if k % 3 == 0:
            color = tuple(int(c) for c in rng.integers(0, 256, 3)) + (int(rng.integers(60, 256)),)
            specs.append(("solid", color, x, y, lw, lh, opacity, blend))
            px = ref.solid(color, lw, lh)
        else:
            img = straight_noise(rng, lh, lw)
            specs.append(("image", img, x, y, lw, lh, opacity, blend))
            px = ref.image(img)
        refs.append(dict(pixels=px, x=x, y=y, opacity=opacity, blend=blend))
    return specs, refs


def build(w, h, bg, specs):
    s = rf.Scene(w, h, fps=10, duration=1, background=bg)
    for kind, src, x, y, lw, lh, opacity, blend in specs:
        layer = (s.add_solid(src, x=x, y=y, width=lw, height=lh, opacity=opacity) if kind == "solid"
                 else s.add_image(src, x=x, y=y, opacity=opacity))
        layer.blend = blend
    return s


@pytest.mark.parametrize("size", [(392, 134), (256, 32), (130, 18)])
def test_many_tiles_rgba_and_nv12(size):
    # 392 = 3 tiles + 8 px (not a whole 16-pixel block); 134 rows = 8 tiles + 6 rows.
    w, h = size
    rng = np.random.default_rng(w + h)
    bg = (30, 60, 90, 255)
    specs, refs = random_stack(rng, w, h, 12)
    r = rf.Renderer(build(w, h, bg, specs))
    expected = ref.to_u8(ref.composite(w, h, bg, refs))
    assert_close(r.render_frame(0), expected)
    y, uv = r.render_nv12(0)
    ey, euv = ref.rgb_to_nv12(expected)
    assert_close(y, ey, what="Y")
    assert_close(uv, euv, what="CbCr")


@pytest.mark.parametrize("n", [8, 9, 17, 20])
def test_stack_deeper_than_one_pass(n):
    # Every layer covers the middle of the canvas: a stack of n there (8 fit one pass; more go
    # through the 16-bit accumulator), with every blend mode.
    w, h = 150, 40
    rng = np.random.default_rng(n)
    bg = (200, 180, 20, 255)
    specs, refs = [], []
    for k in range(n):
        x, y, lw, lh = int(rng.integers(0, 40)), int(rng.integers(0, 10)), int(rng.integers(80, 110)), int(rng.integers(25, 30))
        blend = BLENDS[k % len(BLENDS)]
        img = straight_noise(rng, lh, lw, alpha_range=(40, 256))
        specs.append(("image", img, x, y, lw, lh, 0.9, blend))
        refs.append(dict(pixels=ref.image(img), x=x, y=y, opacity=0.9, blend=blend))
    expected = ref.to_u8(ref.composite(w, h, bg, refs))
    assert_close(rf.Renderer(build(w, h, bg, specs)).render_frame(0), expected)


@pytest.mark.parametrize("cover, opacity, blend", [
    ((255, 0, 0, 255), 1.0, "normal"),    # opaque: the tiles it covers skip the layers below
    ((255, 0, 0, 200), 1.0, "normal"),    # translucent colour: nothing is hidden
    ((255, 0, 0, 255), 0.8, "normal"),    # translucent layer
    ((255, 0, 0, 255), 1.0, "multiply"),  # opaque, but the blend mode reads the backdrop
])
def test_opaque_layer_hides_what_is_below(cover, opacity, blend):
    w, h = 300, 100
    rng = np.random.default_rng(5)
    bg = (0, 0, 0, 0)
    below = straight_noise(rng, h, w)
    above = straight_noise(rng, 40, 200)
    s = rf.Scene(w, h, fps=10, duration=1, background=bg)
    s.add_image(below)
    s.add_solid(cover, x=0, y=16, width=w, height=64, opacity=opacity).blend = blend  # tile rows 1..4
    s.add_solid((0, 0, 255, 255), x=20, y=0, width=100, height=20, opacity=0.5)
    s.add_image(above, x=50, y=30)
    expected = ref.to_u8(ref.composite(w, h, bg, [
        dict(pixels=ref.image(below), x=0, y=0),
        dict(pixels=ref.solid(cover, w, 64), x=0, y=16, opacity=opacity, blend=blend),
        dict(pixels=ref.solid((0, 0, 255, 255), 100, 20), x=20, y=0, opacity=0.5),
        dict(pixels=ref.image(above), x=50, y=30)]))
    assert_close(rf.Renderer(s).render_frame(0), expected)


def test_opaque_image_and_rotated_layer():
    # An opaque image hides the layers below where it covers whole tiles; the same image rotated
    # by 90 degrees is not axis-aligned in the map's sense and must still composite correctly.
    w, h = 260, 48
    rng = np.random.default_rng(9)
    bg = (10, 20, 30, 255)
    below = straight_noise(rng, h, w)
    opaque = straight_noise(rng, 48, 256, alpha=False)
    s = rf.Scene(w, h, fps=10, duration=1, background=bg)
    s.add_image(below)
    s.add_image(opaque, x=2, y=0)
    expected = ref.to_u8(ref.composite(w, h, bg, [dict(pixels=ref.image(below), x=0, y=0),
                                                  dict(pixels=ref.image(opaque), x=2, y=0)]))
    assert_close(rf.Renderer(s).render_frame(0), expected)

    square = straight_noise(rng, 40, 40, alpha=False)
    s = rf.Scene(w, h, fps=10, duration=1, background=bg)
    s.add_image(below)
    s.add_image(square, x=120, y=24).set("anchor_x", 0.5).set("anchor_y", 0.5).set("rotation", 90)
    rotated = np.rot90(square, k=-1)  # clockwise on screen
    expected = ref.to_u8(ref.composite(w, h, bg, [dict(pixels=ref.image(below), x=0, y=0),
                                                  dict(pixels=ref.image(rotated), x=100, y=4)]))
    assert_close(rf.Renderer(s).render_frame(0), expected)


# --- video planes -> RGBA8 (yuv_to_rgba.comp) ------------------------------------------------

def raw_planes(path, w, h, pix_fmt):
    """The decoded planes of the first frame, as ffmpeg's decoder outputs them (no conversion)."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-frames:v", "1", "-f", "rawvideo",
                          "-pix_fmt", pix_fmt, "-"], capture_output=True, check=True).stdout
    n, c = w * h, (w // 2) * (h // 2)
    y = np.frombuffer(raw, np.uint8, n).reshape(h, w)
    cb = np.frombuffer(raw, np.uint8, c, n).reshape(h // 2, w // 2)
    cr = np.frombuffer(raw, np.uint8, c, n + c).reshape(h // 2, w // 2)
    a = np.frombuffer(raw, np.uint8, n, n + 2 * c).reshape(h, w) if pix_fmt == "yuva420p" else None
    return y, cb, cr, a


@pytest.mark.parametrize("tags, kr, kb, full", [
    (["-colorspace", "bt709", "-color_range", "tv"], 0.2126, 0.0722, False),
    ([], 0.299, 0.114, False),  # untagged, under 720 lines: BT.601
    (["-colorspace", "bt709", "-color_range", "pc"], 0.2126, 0.0722, True),
])
def test_video_conversion_matches_numpy(lavfi, tags, kr, kb, full):
    # 202x114: neither the width (202) nor the chroma width (101) is a whole 16-pixel block.
    w, h = 202, 114
    name = "conv_" + "_".join(t.strip("-") for t in tags) + ".mkv"
    path = lavfi.file(name, ["-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r=10:d=1", "-pix_fmt", "yuv420p",
                             "-c:v", "ffv1", *tags])
    expected = ref.yuv420_to_rgba(*raw_planes(path, w, h, "yuv420p")[:3], kr=kr, kb=kb, full_range=full)
    s = rf.Scene(w, h, fps=10, duration=0.5)
    s.add_video(path)
    assert_close(rf.Renderer(s).render_frame(0), expected)


@pytest.mark.parametrize("div, shown", [(2, 0.5), (2, 0.3), (4, 0.25), (4, 0.2)])
def test_downscaled_video_is_converted_box_filtered(lavfi, div, shown):
    # Shown at half (a quarter) of its size or less, the frame is converted at 1/div of it with a
    # box pre-filter; shown at exactly 1/div, the canvas holds that conversion pixel for pixel.
    w, h = 416, 232
    path = lavfi.file("conv_down.mkv", ["-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r=10:d=1,format=yuva420p,"
                                        "geq=lum='lum(X,Y)':cb='cb(X,Y)':cr='cr(X,Y)':a='255-Y'",
                                        "-c:v", "ffv1", "-colorspace", "bt709", "-color_range", "tv"])
    planes = raw_planes(path, w, h, "yuva420p")
    converted = ref.yuv420_to_rgba(*planes, div=div)
    cw, ch = w // div, h // div
    s = rf.Scene(cw, ch, fps=10, duration=0.5, background=(0, 0, 0, 0))
    s.add_video(path, width=round(w * shown), height=round(h * shown))
    f = rf.Renderer(s).render_frame(0)
    if shown == 1 / div:
        assert_close(f, converted)
    else:  # smaller still: bilinear from the converted frame, close to a box average of it
        sw, sh = round(w * shown), round(h * shown)
        sub = f[:sh, :sw].astype(np.float64)
        ref_small = np.stack([np.asarray(Image.fromarray(converted[..., c]).resize((sw, sh), Image.BILINEAR),
                                         np.float64) for c in range(4)], axis=-1)
        assert np.abs(sub - ref_small).mean() < 4.0


def test_video_alpha_conversion_matches_numpy(lavfi):
    w, h = 146, 66
    path = lavfi.file("conv_alpha.mkv", ["-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r=10:d=1,format=yuva420p,"
                                         "geq=lum='lum(X,Y)':cb='cb(X,Y)':cr='cr(X,Y)':a='X*255/W'",
                                         "-c:v", "ffv1", "-colorspace", "bt709", "-color_range", "tv"])
    y, cb, cr, a = raw_planes(path, w, h, "yuva420p")
    assert a.min() < 10 and a.max() > 240
    expected = ref.yuv420_to_rgba(y, cb, cr, a)
    s = rf.Scene(w, h, fps=10, duration=0.5, background=(0, 0, 0, 0))
    s.add_video(path)
    assert_close(rf.Renderer(s).render_frame(0), expected)


# --- GPU throughput (benchmarks/bench_gpu_composite.py) --------------------------------------

def test_measure_throughput_counts_frames():
    from reelforge import _core
    rng = np.random.default_rng(2)
    s = rf.Scene(160, 90, fps=10, duration=1)
    s.add_image(straight_noise(rng, 40, 60), x=10, y=10).animate("x", [(0, 10), (1, 90)])
    r = _core.measure_throughput(s.compile(), frames=7, distinct=3, warmup=2, slots=2)
    assert r["frames"] == 7 and r["seconds"] > 0 and r["fps"] == pytest.approx(7 / r["seconds"])
    assert 0 < r["submit_seconds"] <= r["seconds"] and r["cpu_seconds"] > 0
    assert r["device"] == rf.Renderer(s).device and r["device_type"] in ("cpu", "discrete", "integrated", "virtual", "other")
    with pytest.raises(rf.SceneError, match="frames"):
        _core.measure_throughput(s.compile(), frames=0)
