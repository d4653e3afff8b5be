"""Render graph (issue 11 items 1-3): groups, nested scenes, masks, rounded corners and borders,
on the real GPU path (lavapipe), against numpy/scipy references (tests/reference.py)."""
import shutil
import subprocess

import numpy as np
import pytest
from scipy import ndimage

import reelforge as rf
from reelforge import _core
from reelforge.rescale import scaled
from reference import composite, image, solid, to_u8

SR = 48000


def render(scene, i=0):
    return rf.Renderer(scene).render_frame(i).astype(np.int32)


def gradient(w, h, alpha=None, seed=0):
    """A straight RGBA8 test picture: smooth colour ramps (+ an alpha ramp when alpha='ramp')."""
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 4), np.uint8)
    img[..., 0] = (xx * 255 // max(1, w - 1)).astype(np.uint8)
    img[..., 1] = (yy * 255 // max(1, h - 1)).astype(np.uint8)
    img[..., 2] = ((xx + yy + seed * 37) * 7 % 256).astype(np.uint8)
    img[..., 3] = 255 if alpha is None else (xx * 255 // max(1, w - 1)).astype(np.uint8)
    return img


# -- groups --------------------------------------------------------------------------------------

def test_group_opacity_applies_to_the_flattened_group():
    s = rf.Scene(96, 64, fps=10, duration=1, background=(20, 40, 60))
    red = s.add_solid((255, 0, 0), x=8, y=8, width=40, height=30)
    blue = s.add_solid((0, 0, 255, 200), x=30, y=20, width=40, height=30)
    top = s.add_solid((0, 255, 0), x=80, y=0, width=8, height=8)  # not grouped: drawn over the group
    g = s.add_group([red, blue], name="g")
    g.set("opacity", 0.5).set("x", 6).set("y", 2)
    assert s.layers == [g, top]
    # Reference: the members composited over transparency (an RGBA8 intermediate), then the group
    # shifted by (6, 2) at half opacity over the background.
    inner = to_u8(composite(96, 64, (0, 0, 0, 0), [
        {"pixels": solid((255, 0, 0), 40, 30), "x": 8, "y": 8},
        {"pixels": solid((0, 0, 255, 200), 40, 30), "x": 30, "y": 20}])) / 255.0
    want = to_u8(composite(96, 64, (20, 40, 60), [
        {"pixels": inner[: 64 - 2, : 96 - 6], "x": 6, "y": 2, "opacity": 0.5},
        {"pixels": solid((0, 255, 0), 8, 8), "x": 80, "y": 0}])).astype(np.int32)
    got = render(s)
    assert np.abs(got - want).max() <= 1
    # Per-child opacity would let red show through blue in the overlap: the test can tell.
    per_child = to_u8(composite(96, 64, (20, 40, 60), [
        {"pixels": solid((255, 0, 0), 40, 30), "x": 14, "y": 10, "opacity": 0.5},
        {"pixels": solid((0, 0, 255, 200), 40, 30), "x": 36, "y": 22, "opacity": 0.5}])).astype(np.int32)
    assert np.abs(per_child[30, 40] - got[30, 40]).max() > 10


def test_group_errors_name_the_problem():
    s = rf.Scene(32, 32, fps=10, duration=1)
    a = s.add_solid((255, 0, 0))
    with pytest.raises(rf.errors.SceneError, match="at least one"):
        s.add_group([])
    with pytest.raises(rf.errors.SceneTypeError, match="not a Layer"):
        s.add_group([a, "b"])
    s.add_group([a])
    with pytest.raises(rf.errors.SceneError, match="not a layer of this scene"):
        s.add_group([a])


def test_group_members_keep_their_timing_and_blend():
    s = rf.Scene(64, 32, fps=10, duration=2, background=(100, 100, 100))
    a = s.add_solid((200, 50, 50), width=32, height=32, start=0.0, end=1.0)
    b = s.add_solid((50, 200, 50), x=32, width=32, height=32, start=1.0)
    b.blend = "multiply"  # multiplies what is below it inside the group: transparency there
    g = s.add_group([a, b])
    assert (g.start, g.end) == (0.0, None)
    f0, f1 = render(s, 0), render(s, 15)
    assert np.abs(f0[5, 5, :3] - [200, 50, 50]).max() <= 1 and np.abs(f0[5, 40, :3] - 100).max() <= 1
    assert np.abs(f1[5, 5, :3] - 100).max() <= 1
    # Multiply over transparent inside the group: the source itself (W3C: cb = 0, ab = 0).
    assert np.abs(f1[5, 40, :3] - [50, 200, 50]).max() <= 1


# -- nested scenes -------------------------------------------------------------------------------

def _inner_scenes():
    c = rf.Scene(32, 24, fps=8, duration=2, background=(10, 200, 30, 255))
    c.add_image(gradient(20, 12), x=4, y=6)
    c.add_solid((255, 255, 0), width=6, height=6).set("x", lambda t: 2 + 10 * t)
    b = rf.Scene(48, 40, fps=12, duration=2, background=(0, 0, 0, 0))
    b.add_solid((200, 0, 200, 128), x=2, y=2, width=40, height=10)
    b.add_scene(c, x=10, y=12)
    a = rf.Scene(64, 56, fps=15, duration=2, background=(30, 30, 90, 255))
    a.add_scene(b, x=6, y=4, start=0.25, trim_start=0.1)
    return a, b, c


@pytest.mark.parametrize("i", [0, 7, 13])
def test_nested_scene_equals_its_rendered_frame_three_levels_deep(i):
    a, _, _ = _inner_scenes()
    p = rf.Scene(96, 80, fps=10, duration=2, background=(250, 250, 250))
    p.add_solid((255, 0, 0), x=0, y=0, width=20, height=20)
    nested = p.add_scene(a, x=12, y=9, start=0.2, trim_start=0.3)
    assert nested.end == pytest.approx(0.2 + 2 - 0.3)
    # Parent frame i at t = i / 10 shows a's frame floor((t - 0.2 + 0.3) * 15).
    t = i / 10
    j = min(a.frame_count - 1, int(np.floor((t - 0.2 + 0.3) * 15 + 1e-6)))
    child = rf.Renderer(a).render_frame(j) / 255.0  # premultiplied
    layers = [{"pixels": solid((255, 0, 0), 20, 20), "x": 0, "y": 0}]
    if t >= 0.2 - 1e-9:
        layers.append({"pixels": child, "x": 12, "y": 9})
    want = to_u8(composite(96, 80, (250, 250, 250), layers)).astype(np.int32)
    assert np.abs(render(p, i) - want).max() <= 1


def test_nested_scene_with_transparent_background_composites_its_alpha():
    _, b, _ = _inner_scenes()
    p = rf.Scene(64, 48, fps=12, duration=1, background=(0, 120, 255))
    p.add_scene(b, x=8, y=4)
    child = rf.Renderer(b).render_frame(0) / 255.0
    assert child[..., 3].min() == 0  # the test exercises alpha
    want = to_u8(composite(64, 48, (0, 120, 255), [{"pixels": child, "x": 8, "y": 4}])).astype(np.int32)
    assert np.abs(render(p) - want).max() <= 1


def test_nested_scene_scaled_uses_every_layer_property():
    c = rf.Scene(64, 64, fps=10, duration=1, background=(255, 0, 0))
    p = rf.Scene(64, 64, fps=10, duration=1)
    p.add_scene(c, x=16, y=16, width=32, height=32, opacity=0.5)
    f = render(p)
    assert np.abs(f[32, 32, :3] - [128, 0, 0]).max() <= 1 and f[8, 8, :3].max() == 0


def test_scene_nested_in_itself_is_refused():
    a = rf.Scene(32, 32, fps=10, duration=1)
    b = rf.Scene(32, 32, fps=10, duration=1)
    with pytest.raises(rf.errors.SceneError, match="cannot contain itself"):
        a.add_scene(a)
    a.add_scene(b)
    b.add_scene(a)
    with pytest.raises(rf.errors.SceneError, match="nested inside itself"):
        a.compile()
    with pytest.raises(rf.errors.SceneTypeError, match="reelforge.Scene"):
        a.add_scene("b.mp4")


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg CLI")
def test_nested_scene_audio_joins_the_mix_at_the_right_offset(tmp_path):
    src = tmp_path / "tone.wav"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                    f"aevalsrc=exprs='0.5*sin(2*PI*441*t)':s={SR}:d=1.0", str(src)], check=True, timeout=60)
    child = rf.Scene(32, 32, fps=10, duration=2)
    child.add_audio(str(src), start=0.5)  # child seconds 0.5 .. 1.5
    parent = rf.Scene(32, 32, fps=25, duration=3)
    parent.add_scene(child, start=1.0, trim_start=0.75, end=2.0)  # child 0.75 .. 1.75 at parent 1.0 .. 2.0
    mix = _core.mix_audio(parent.compile()).astype(np.float64)[:, 0]
    # The tone plays in child time [0.75, 1.5) -> parent [1.0, 1.75), from 0.25 s into the file.
    n = np.arange(mix.size)
    t_src = (n - SR) / SR + 0.25
    want = np.where((n >= SR) & (n < 1.75 * SR), 0.5 * np.sin(2 * np.pi * 441 * t_src), 0.0)
    assert np.abs(mix - want).max() < 2e-3
    assert np.abs(mix[: SR - 10]).max() < 1e-6 and np.abs(mix[int(1.75 * SR) + 10:]).max() < 1e-6


# -- masks ---------------------------------------------------------------------------------------

def _masked_scene(mode, invert=False, feather=0.0):
    s = rf.Scene(80, 64, fps=10, duration=1, background=(0, 0, 0))
    content = gradient(48, 40, seed=3)
    layer = s.add_image(content, x=10, y=8)
    mask_px = gradient(40, 32, alpha="ramp", seed=5)
    mask = s.add_image(mask_px, x=14, y=12)  # partly outside the layer: left/top margins hidden
    layer.set_mask(mask, mode=mode, invert=invert, feather=feather)
    assert mask not in s.layers
    return s, content, mask_px


def _mask_reference(content, mask_px, mode, invert, feather):
    """Matte over the layer's 48x40 texels: the mask image as uploaded (premultiplied RGBA8) placed
    at (4, 4) of the layer, alpha or luminance x alpha, inverted, Gaussian-blurred (sigma = feather,
    truncate 3, edges clamped); layer x matte (RGBA8) over black."""
    m = np.zeros((40, 48, 4))
    m[4:36, 4:44] = image(mask_px)
    m = to_u8(m) / 255.0
    matte = m[..., 3] if mode == "alpha" else np.clip(m[..., :3] @ [0.2125, 0.7154, 0.0721], 0, 1)
    if invert:
        matte = 1 - matte
    if feather:
        matte = ndimage.gaussian_filter(matte, feather, mode="nearest", truncate=3.0)
    masked = to_u8(image(content) * matte[..., None]) / 255.0
    return to_u8(composite(80, 64, (0, 0, 0), [{"pixels": masked, "x": 10, "y": 8}])).astype(np.int32)


@pytest.mark.parametrize("mode,invert,feather", [("alpha", False, 0.0), ("luma", False, 0.0),
                                                 ("alpha", True, 0.0), ("luma", True, 0.0),
                                                 ("alpha", False, 3.0), ("luma", True, 2.0)])
def test_mask_matches_numpy(mode, invert, feather):
    s, content, mask_px = _masked_scene(mode, invert, feather)
    want = _mask_reference(content, mask_px, mode, invert, feather)
    got = render(s)
    assert np.abs(got - want).max() <= (1 if not feather else 2)
    assert got[8:48, 10:58].std() > 10  # the masked area is not uniform: the test can fail


def test_mask_of_a_solid_with_an_animated_feather():
    s = rf.Scene(64, 64, fps=10, duration=1, background=(0, 0, 0))
    layer = s.add_solid((255, 255, 255), x=0, y=0, width=64, height=64)
    mask = s.add_solid((255, 255, 255), x=16, y=16, width=32, height=32)
    layer.set_mask(mask, feather=0.0)
    layer.animate("mask_feather", [(0.0, 0.0), (0.9, 4.0)])
    sharp, soft = render(s, 0), render(s, 9)
    assert sharp[32, 16, 0] == 255 and sharp[32, 15, 0] == 0
    m = np.zeros((64, 64))
    m[16:48, 16:48] = 1
    sigma = 4.0 * 0.9 / 0.9
    want = to_u8(ndimage.gaussian_filter(m, sigma, mode="nearest", truncate=3.0))
    assert np.abs(soft[..., 0] - want).max() <= 2


def test_mask_errors():
    s = rf.Scene(32, 32, fps=10, duration=1)
    a, b = s.add_solid((255, 0, 0)), s.add_solid((0, 255, 0))
    other = rf.Scene(32, 32, fps=10, duration=1).add_solid((0, 0, 255))
    with pytest.raises(rf.errors.SceneError, match="mode"):
        a.set_mask(b, mode="luminance")
    with pytest.raises(rf.errors.SceneError, match="another scene"):
        a.set_mask(other)
    with pytest.raises(rf.errors.SceneError, match="mask_feather"):
        a.set_mask(b, feather=-1)
    with pytest.raises(rf.errors.SceneError, match="itself"):
        a.set_mask(a)
    c = s.add_solid((0, 0, 0))
    s.add_group([c])
    with pytest.raises(rf.errors.SceneError, match="in a group"):
        a.set_mask(c)
    assert a.set_mask(b) is a and b not in s.layers and a.set_mask(None).graph.mask is None


def test_masked_nested_scene_with_rounded_corners():
    c = rf.Scene(40, 40, fps=10, duration=1, background=(255, 255, 255))
    p = rf.Scene(64, 64, fps=10, duration=1, background=(0, 0, 0))
    pip = p.add_scene(c, x=12, y=12).set("corner_radius", 10)
    pip.set_mask(p.add_solid((255, 255, 255), x=12, y=12, width=20, height=40), mode="luma")
    f = render(p)
    assert f[30, 20, 0] == 255 and f[30, 40, 0] == 0  # right half masked away
    assert f[12, 12, 0] == 0 and f[13, 22, 0] == 255   # top-left corner rounded


# -- corners and borders -------------------------------------------------------------------------

@pytest.mark.parametrize("r", [0.0, 5.0, 12.5])
def test_corner_radius_coverage_is_the_analytic_area(r):
    s = rf.Scene(96, 64, fps=10, duration=1, background=(0, 0, 0))
    s.add_solid((255, 255, 255), x=10.3, y=7.6, width=60, height=40).set("corner_radius", r)
    f = render(s)
    area = f[..., 0].sum() / 255.0
    exact = 60 * 40 - (4 - np.pi) * r * r
    assert abs(area - exact) / exact < 0.005
    if r:
        assert f[8, 11, 0] < 60 and f[27, 40, 0] == 255  # the corner is cut, the middle full


def test_corner_radius_on_a_rotated_scaled_image_and_animated():
    s = rf.Scene(96, 96, fps=10, duration=1, background=(0, 0, 0))
    img = np.full((40, 40, 4), 255, np.uint8)
    layer = s.add_image(img, x=48, y=48).set("anchor_x", 0.5).set("anchor_y", 0.5)
    layer.set("scale", 1.5).set("rotation", 30).animate("corner_radius", [(0, 0.0), (0.9, 20.0)])
    a0, a9 = (render(s, i)[..., 0].sum() / 255.0 for i in (0, 9))
    side = 60.0
    assert abs(a0 - side * side) / (side * side) < 0.005
    r = 20.0 * 1.5  # a circle: the radius is capped at half the side (20 local pixels)
    assert abs(a9 - np.pi * r * r) / (np.pi * r * r) < 0.01


def test_border_pixels():
    s = rf.Scene(64, 48, fps=10, duration=1, background=(0, 0, 0))
    layer = s.add_solid((255, 255, 255), x=8, y=8, width=40, height=30)
    layer.set("border_width", 3).set("border_color", "#ff0000")
    f = render(s)
    assert list(f[20, 8, :3]) == [255, 0, 0] and list(f[20, 10, :3]) == [255, 0, 0]
    assert list(f[20, 11, :3]) == [255, 255, 255] and list(f[8, 30, :3]) == [255, 0, 0]
    assert list(f[37, 30, :3]) == [255, 0, 0] and list(f[34, 30, :3]) == [255, 255, 255]
    assert f[20, 7, :3].max() == 0
    # A half-transparent border composited over the content; animated colour.
    layer.animate("border_color", [(0.0, (0, 0, 255, 128)), (0.9, (0, 255, 0, 128))])
    f0, f9 = render(s, 0), render(s, 9)
    assert np.abs(f0[20, 9, :3] - [127, 127, 255]).max() <= 1
    assert np.abs(f9[20, 9, :3] - [127, 255, 127]).max() <= 1


def _bordered(content=(40, 40, 40)):
    s = rf.Scene(64, 48, fps=10, duration=1, background=(0, 0, 0))
    layer = s.add_solid(content, x=8, y=8, width=40, height=30)
    return s, layer.set("border_width", 3)


def test_border_color_components_set_and_animate_like_border_color():
    # Each component of border_color is a property of its own (as scale_x of scale): setting or
    # animating one gives the frames of the whole colour set or animated to the same values.
    s, layer = _bordered()
    layer.set("border_color", "#ff0000").set("border_b", 1.0)
    ref, ref_layer = _bordered()
    ref_layer.set("border_color", (255, 0, 255))
    assert np.array_equal(render(s), render(ref))
    assert list(render(s)[20, 9, :3]) == [255, 0, 255]
    layer.animate("border_g", [(0.0, 0.0), (0.9, 1.0)], easing="ease_in").set("border_a", np.linspace(1, 0.5, 10))
    rows = np.stack([np.full(10, 255.0), 255 * rf.easing.get("ease_in")(np.arange(10) / 9), np.full(10, 255.0),
                     255 * np.linspace(1, 0.5, 10)], axis=1)
    ref_layer.set("border_color", rows)
    for i in (0, 4, 9):
        assert np.array_equal(render(s, i), render(ref, i)), f"frame {i}"
    f4 = render(s, 4)  # straight border colour over the grey content, alpha 1 - 0.5 * 4/9
    a = 1 - 0.5 * 4 / 9
    g = 255 * rf.easing.get("ease_in")(4 / 9)
    assert np.abs(f4[20, 9, :3] - (a * np.array([255, g, 255]) + (1 - a) * 40)).max() <= 1.5
    # Same checks as the other properties: range 0..1, numbers only, keyframes in range.
    with pytest.raises(rf.SceneError, match="'border_r'"):
        layer.set("border_r", 1.5)
    with pytest.raises(rf.SceneTypeError, match="'border_g'"):
        layer.set("border_g", "red")
    with pytest.raises(rf.SceneError, match="border_a.*keyframe 1"):
        layer.animate("border_a", [(0, 1.0), (1, -0.5)])


def test_unstyled_layers_compile_to_the_fast_path():
    s = rf.Scene(32, 32, fps=10, duration=1)
    layer = s.add_solid((255, 0, 0))
    layer.set("corner_radius", 0.0)
    g = s.compile().layers[0].graph
    assert g.corner_radius.size == 0 and g.border_width.size == 0 and g.mask is None and g.composition is None


# -- video in nodes, exports -----------------------------------------------------------------------

def _video_nodes_scene(lavfi):
    child = rf.Scene(160, 96, fps=25, duration=1, background=(40, 40, 40))
    child.add_video(lavfi.video, x=8, y=8, width=128, height=72)
    p = rf.Scene(192, 128, fps=25, duration=0.6, background=(255, 255, 255))
    pip = p.add_scene(child, x=16, y=16, trim_start=0.2)
    masked = p.add_video(lavfi.video, x=96, y=40, width=96, height=54, trim_start=0.5)
    masked.set_mask(p.add_solid((255, 255, 255), x=100, y=44, width=40, height=40), feather=1.5)
    masked.set("corner_radius", 6)
    return p, child, pip


def test_nested_video_equals_the_child_render(lavfi):
    p, child, _ = _video_nodes_scene(lavfi)
    ren, cren = rf.Renderer(p), rf.Renderer(child)
    for i in (0, 3, 9):
        got = ren.render_frame(i).astype(np.int32)
        j = int(np.floor((i / 25 + 0.2) * 25 + 1e-6))
        c = cren.render_frame(j).astype(np.int32)
        assert np.abs(got[16:112, 16:176][:, :80] - c[:, :80]).max() <= 1


def test_export_with_nodes_equals_render_frame(lavfi, tmp_path):
    from PIL import Image
    p, _, _ = _video_nodes_scene(lavfi)
    pattern = tmp_path / "frames" / "f_%03d.png"
    r = rf.Exporter(p, pattern, gpu_slots=3).run()
    assert r.frames == p.frame_count == 15
    ren = rf.Renderer(p)
    for i in range(r.frames):
        got = np.asarray(Image.open(tmp_path / "frames" / f"f_{i:03d}.png").convert("RGBA")).astype(np.int32)
        assert np.abs(got - ren.render_frame(i)).max() <= 1, f"frame {i}"


def test_render_scale_scales_masks_and_corners():
    s = rf.Scene(64, 64, fps=10, duration=1, background=(0, 0, 0))
    layer = s.add_solid((255, 255, 255), x=8, y=8, width=48, height=48).set("corner_radius", 8)
    layer.set_mask(s.add_solid((255, 255, 255), x=8, y=8, width=24, height=48))
    small, big = render(s), rf.Renderer(scaled(s, (128, 128))).render_frame(0).astype(np.int32)
    assert abs(big[..., 0].sum() / 255 - 4 * small[..., 0].sum() / 255) / (small[..., 0].sum() / 255 * 4) < 0.01
    assert big[64, 60, 0] == 255 and big[64, 68, 0] == 0  # the mask's edge moved to x = 64


def test_group_and_nested_scene_render_only_their_used_area():
    # A transparent nested canvas is rendered over the part its layers touch; crops, scale and
    # rotation of the layer still see the whole nested canvas.
    c = rf.Scene(64, 48, fps=10, duration=1, background=(0, 0, 0, 0))
    c.add_solid((255, 128, 0), x=40, y=30, width=10, height=8)
    p = rf.Scene(128, 96, fps=10, duration=1, background=(0, 0, 0))
    nested = p.add_scene(c, x=64, y=48, width=128, height=96).set("anchor_x", 0.5).set("anchor_y", 0.5)
    nested.set("scale", 0.5).set("crop_left", 0.7)  # local x >= 0.7 * 128 ~ nested x >= 44.8
    f = render(p)
    # The solid's nested x 40..50 -> shown at 32 + 40..50 (scale 0.5 of the 128-wide layer), cropped at 44.8.
    want = np.zeros((96, 128))
    want[48 - 24 + 30:48 - 24 + 38, 32 + 45:32 + 50] = 255
    want[48 - 24 + 30:48 - 24 + 38, 32 + 44] = 255 * 0.2
    assert np.abs(f[..., 0] - want).max() <= 2
    empty = rf.Scene(32, 32, fps=10, duration=1, background=(0, 0, 0, 0))
    empty.add_solid((255, 255, 255), x=0, y=0, width=4, height=4, start=0.5)
    q = rf.Scene(32, 32, fps=10, duration=1, background=(9, 9, 9))
    q.add_scene(empty)
    assert render(q, 0)[..., :3].max() == 9 and render(q, 6)[0, 0, 0] == 255


def test_any_layer_kind_masks_nested_scenes_groups_and_text(media):
    s = rf.Scene(96, 64, fps=10, duration=1, background=(0, 0, 0))
    # A nested scene as the mask: its left half opaque white, right half transparent.
    m = rf.Scene(96, 64, fps=10, duration=1, background=(0, 0, 0, 0))
    m.add_solid((255, 255, 255), width=48, height=64)
    a = s.add_solid((255, 0, 0), width=96, height=32)
    a.set_mask(s.add_scene(m))
    # A group of two solids as a luma mask of a green bar.
    g1, g2 = s.add_solid((255, 255, 255), x=0, y=32, width=20, height=32), s.add_solid((128, 128, 128), x=60, y=32,
                                                                                        width=20, height=32)
    b = s.add_solid((0, 255, 0), y=32, width=96, height=32)
    b.set_mask(s.add_group([g1, g2]), mode="luma")
    f = render(s)
    assert f[10, 20, 0] == 255 and f[10, 70, 0] == 0
    assert f[40, 10, 1] == 255 and f[40, 40, 1] == 0
    assert abs(f[40, 70, 1] - round(255 * 0.2125 * 128 / 255 + 255 * 0.7154 * 128 / 255 + 255 * 0.0721 * 128 / 255)) <= 1
    # Text as an alpha mask: only the glyphs' pixels show.
    t = rf.Scene(96, 64, fps=10, duration=1, background=(0, 0, 0))
    c = t.add_solid((255, 255, 255))
    c.set_mask(t.add_text("H", font=str(media("font.ttf")), size_px=48, x=20, y=4))
    plain = rf.Scene(96, 64, fps=10, duration=1, background=(0, 0, 0))
    plain.add_text("H", font=str(media("font.ttf")), size_px=48, x=20, y=4)
    got, want = render(t), render(plain)
    assert want[..., 0].max() == 255 and np.abs(got[..., :3] - want[..., :3]).max() <= 1
