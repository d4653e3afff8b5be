"""Shape layers (cairo, rasterised at the displayed size) against analytic references: areas of
rectangles, ellipses and strokes, per-pixel box-filter coverage of edges, draw-on fractions of the
outline's length, and gradients against numpy interpolation. White shapes on black: the red
channel of the RGBA frame is 255 x coverage."""

from __future__ import annotations

import math

import numpy as np
import pytest

import reelforge as rf
from reelforge import shapes
from reelforge.errors import SceneError, SceneTypeError

W, H = 160, 96


def render(scene: rf.Scene, frame: int = 0) -> np.ndarray:
    return rf.Renderer(scene).render_frame(frame)


def coverage(frame: np.ndarray) -> np.ndarray:
    """Per-pixel coverage 0..1 of a white shape over black."""
    return frame[..., 0].astype(np.float64) / 255.0


def scene(duration: float = 0.1, fps: int = 10) -> rf.Scene:
    return rf.Scene(W, H, fps=fps, duration=duration)


def box_coverage(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """Exact area of [x0, x1] x [y0, y1] inside each pixel (pixel (i, j) is [j, j+1] x [i, i+1])."""
    xs, ys = np.arange(W), np.arange(H)
    cx = np.clip(np.minimum(xs + 1, x1) - np.maximum(xs, x0), 0, 1)
    cy = np.clip(np.minimum(ys + 1, y1) - np.maximum(ys, y0), 0, 1)
    return cy[:, None] * cx[None, :]


def ellipse_coverage(cx: float, cy: float, a: float, b: float, n: int = 512) -> np.ndarray:
    """Each pixel's area inside the ellipse: n sub-columns per pixel, each with its exact vertical
    overlap of the ellipse's chord (midpoint rule along x: error well below 1/255)."""
    xs = (np.arange(W * n) + 0.5) / n
    half = b * np.sqrt(np.clip(1 - ((xs - cx) / a) ** 2, 0, None))
    top, bottom = cy - half, cy + half
    rows = np.arange(H)[:, None]
    overlap = np.clip(np.minimum(rows + 1, bottom[None, :]) - np.maximum(rows, top[None, :]), 0, 1)
    return overlap.reshape(H, W, n).mean(axis=2)


def test_rect_area_and_antialiased_edges():
    s = scene()
    s.add_shape(shapes.Rect(61.3, 37.7), x=20.4, y=10.25)
    cov = coverage(render(s))
    assert abs(cov.sum() - 61.3 * 37.7) / (61.3 * 37.7) < 0.005
    ref = box_coverage(20.4, 10.25, 20.4 + 61.3, 10.25 + 37.7)
    # Each edge pixel holds its analytic coverage: rasterised on the canvas pixel grid (the box is
    # snapped to whole pixels), so no resampling blurs it.
    assert np.abs(cov - ref).max() <= 2.5 / 255
    assert 0.5 < cov[30, 20] < 0.7  # the left edge is 0.6 inside pixel column 20


def test_ellipse_area_and_edges():
    s = scene()
    s.add_shape(shapes.Ellipse(70.0, 50.0), x=30.3, y=20.6)
    cov = coverage(render(s))
    area = math.pi * 35 * 25
    assert abs(cov.sum() - area) / area < 0.005
    ref = ellipse_coverage(30.3 + 35, 20.6 + 25, 35, 25)
    assert np.abs(cov - ref).max() < 0.03
    # Antialiased: some pixels are partly covered, none jumps past what the geometry allows.
    assert ((cov > 0.05) & (cov < 0.95)).sum() > 100


def test_rounded_rect_area():
    s = scene()
    s.add_shape(shapes.Rect(60, 40, radius=10), x=20, y=20)
    area = 60 * 40 - (4 - math.pi) * 10 ** 2
    assert abs(coverage(render(s)).sum() - area) / area < 0.005


def test_line_stroke_area_and_caps():
    L, sw = 100.0, 6.0
    for cap, extra in (("butt", 0.0), ("square", sw * sw), ("round", math.pi * (sw / 2) ** 2)):
        s = scene()
        s.add_shape(shapes.Line(0, 0, L, 0), stroke_width=sw, cap=cap, x=30, y=48)
        got = coverage(render(s)).sum()
        assert abs(got - (L * sw + extra)) / (L * sw + extra) < 0.005, cap


def test_rect_stroke_width_is_centred_on_the_outline():
    s = scene()
    s.add_shape(shapes.Rect(80, 40), fill=None, stroke="white", stroke_width=4, x=40, y=30)
    cov = coverage(render(s))
    assert abs(cov.sum() - ((84 * 44) - (76 * 36))) < 0.005 * 240 * 4 * 2
    assert np.abs(cov - (box_coverage(38, 28, 122, 72) - box_coverage(42, 32, 118, 68))).max() < 0.04


def test_draw_on_fraction_of_path_length():
    L, sw = 120.0, 4.0
    s = scene(duration=1.0)
    layer = s.add_shape(shapes.Line(0, 0, L, 0), stroke_width=sw, x=20, y=48)
    layer.animate("stroke_end", [(0.0, 0.0), (0.9, 0.9)])  # frame i: stroke_end = i / 10
    r = rf.Renderer(s)
    for i in (1, 3, 5, 9):
        cov = coverage(r.render_frame(i))
        assert abs(cov.sum() - i / 10 * L * sw) / (L * sw) < 0.005, i
        cols = np.flatnonzero(cov.sum(axis=0) > 0.5 * sw)
        assert abs((cols[-1] + 1) - (20 + i / 10 * L)) <= 1.0, i  # drawn from the start
    s2 = scene()
    s2.add_shape(shapes.Line(0, 0, L, 0), stroke_width=sw, x=20, y=48).set("stroke_start", 0.25).set("stroke_end", 0.75)
    cov = coverage(render(s2))
    cols = np.flatnonzero(cov.sum(axis=0) > 0.5 * sw)
    assert abs(cols[0] - (20 + 30)) <= 1 and abs(cols[-1] + 1 - (20 + 90)) <= 1


def test_draw_on_a_circle_follows_its_circumference():
    r_, sw = 30.0, 3.0
    s = scene()
    s.add_shape(shapes.Ellipse(2 * r_, 2 * r_), fill=None, stroke="white", stroke_width=sw, x=50, y=18) \
        .set("stroke_end", 0.5)
    cov = coverage(render(s))
    # Half the ring's area, and only the lower half (clockwise on screen from the rightmost point).
    ring = math.pi * ((r_ + sw / 2) ** 2 - (r_ - sw / 2) ** 2)
    assert abs(cov.sum() - ring / 2) / (ring / 2) < 0.01
    assert cov[: 18 + 28].sum() < 0.02 * cov.sum()


def test_dashes_cover_their_share_of_the_length():
    s = scene()
    s.add_shape(shapes.Line(0, 0, 100, 0), stroke_width=4, dash=(10, 10), x=30, y=48)
    cov = coverage(render(s))
    assert abs(cov.sum() - 50 * 4) / 200 < 0.01
    profile = cov[46:50].sum(axis=0)
    assert profile[35] > 3.5 and profile[45] < 0.1 and profile[55] > 3.5


def test_keyframed_rect_size_and_radius():
    s = scene(duration=1.0)
    layer = s.add_shape(shapes.Rect(20, 30), x=10, y=10)
    layer.animate("width", [(0.0, 20.0), (1.0, 120.0)])
    layer.animate("radius", [(0.0, 0.0), (1.0, 10.0)])
    r = rf.Renderer(s)
    for i in (0, 4, 8):
        w = 20 + 100 * i / 10
        rad = min(10 * i / 10, 15)
        area = w * 30 - (4 - math.pi) * rad ** 2
        assert abs(coverage(r.render_frame(i)).sum() - area) / area < 0.005, i


def test_shape_layers_take_layer_properties():
    s = scene()
    s.add_shape(shapes.Rect(40, 40), x=80, y=48, opacity=0.5).set("anchor_x", 0.5).set("anchor_y", 0.5) \
        .set("rotation", 45)
    cov = coverage(render(s))
    # Rotated about its centre (the box is symmetric), half opacity: area x 0.5, centred at (80, 48).
    assert abs(cov.sum() - 0.5 * 1600) / 800 < 0.01
    ys, xs = np.nonzero(cov)
    assert abs(np.average(xs + 0.5, weights=cov[ys, xs]) - 80) < 0.3
    assert abs(np.average(ys + 0.5, weights=cov[ys, xs]) - 48) < 0.3
    assert xs.max() - xs.min() > 54  # the diagonal (56.6 px) lies along x


def test_scaled_up_shapes_stay_crisp():
    s = scene()
    s.add_shape(shapes.Ellipse(10, 10), x=30.5, y=8).set("scale", 8)  # 80 px circle
    cov = coverage(render(s))
    row = cov[48]
    ramp = ((row > 0.02) & (row < 0.98)).sum()
    assert ramp <= 2  # one partly covered pixel per edge, as drawn at 80 px (a 10 px texture: ~8)
    area = math.pi * 40 ** 2
    assert abs(cov.sum() - area) / area < 0.005


def test_static_shape_rasterised_once_and_uploaded_once():
    s = scene(duration=1.0)
    s.add_shape(shapes.Polygon([(0, 0), (40, 0), (20, 30)]), x=10, y=10)
    tl = s.compile()
    r = rf._core.Renderer(tl)
    for i in range(6):
        r.render_rgba(i)
    assert tl.layers[0].generator.renders == 1
    assert r.generated_uploads == 1


def test_polygon_and_path_areas():
    s = scene()
    s.add_shape(shapes.Polygon([(0, 0), (60, 0), (0, 40)]), x=10, y=10)
    assert abs(coverage(render(s)).sum() - 1200) / 1200 < 0.005
    s = scene()
    # A square with a semicircle on its right: 40 x 40 + pi 20^2 / 2 (arc, relative commands).
    s.add_shape(shapes.Path("M0 0 h40 a20 20 0 0 1 0 40 h-40 z"), x=20, y=20)
    area = 1600 + math.pi * 400 / 2
    assert abs(coverage(render(s)).sum() - area) / area < 0.005
    s = scene()  # quadratic and smooth cubic commands parse and close
    s.add_shape(shapes.Path("M0 40 Q20 0 40 40 T80 40 C90 60 100 60 110 40 S120 20 130 40 Z"), x=10, y=10)
    assert coverage(render(s)).sum() > 100


def srgb_lerp(c0, c1, t):
    return np.asarray(c0, float)[None, :] * (1 - t[:, None]) + np.asarray(c1, float)[None, :] * t[:, None]


def test_linear_gradient_against_numpy():
    s = scene()
    stops = [(0.0, (255, 0, 0)), (0.5, (0, 255, 0)), (1.0, (0, 0, 255))]
    s.add_solid(rf.LinearGradient((0.5, 0), (128.5, 0), stops))  # pixel centre x + 0.5: t = x / 128
    f = render(s).astype(float)
    t = np.clip(np.arange(W) / 128, 0, 1)
    ref = np.where(t[:, None] < 0.5, srgb_lerp((255, 0, 0), (0, 255, 0), t * 2),
                   srgb_lerp((0, 255, 0), (0, 0, 255), np.clip(t * 2 - 1, 0, 1)))
    assert np.abs(f[:, :, :3] - ref[None]).max() <= 2
    assert (f[..., 3] == 255).all()
    # At the stops (x = 0, 64, 128; padded beyond) and the midpoints between them (32, 96).
    want = {0: (255, 0, 0), 32: (127.5, 127.5, 0), 64: (0, 255, 0), 96: (0, 127.5, 127.5), 128: (0, 0, 255),
            150: (0, 0, 255)}
    for x, c in want.items():
        assert np.abs(f[H // 2, x, :3] - np.array(c)).max() <= 1.5, x


def test_radial_gradient_against_numpy():
    s = scene()
    g = rf.RadialGradient((80.5, 48.5), 40, [(0.0, "white"), (1.0, (0, 0, 128))])
    s.add_shape(shapes.Rect(W, H), fill=g)
    f = render(s).astype(float)
    yy, xx = np.mgrid[0:H, 0:W] + 0.5
    t = np.clip(np.hypot(xx - 80.5, yy - 48.5) / 40, 0, 1).ravel()
    ref = srgb_lerp((255, 255, 255), (0, 0, 128), t).reshape(H, W, 3)
    assert np.abs(f[1:-1, 1:-1, :3] - ref[1:-1, 1:-1]).max() <= 2
    # The stops (centre pixel, 40 px and beyond) and the midpoint (20 px from the centre).
    for (y, x), c in {(48, 80): (255, 255, 255), (48, 100): (127.5, 127.5, 191.5), (48, 120): (0, 0, 128),
                      (5, 5): (0, 0, 128)}.items():
        assert np.abs(f[y, x, :3] - np.array(c)).max() <= 1.5, (y, x)


def test_gradient_stroke_and_translucent_fill():
    s = scene()
    s.add_shape(shapes.Rect(60, 40), fill=(255, 255, 255, 128), x=20, y=20)
    f = render(s)
    assert abs(int(f[40, 50, 0]) - 128) <= 1  # straight alpha 128 over black
    s = scene()
    s.add_shape(shapes.Line(0, 0, 100, 0), stroke=rf.LinearGradient((0, 0), (100, 0), [(0, "red"), (1, "blue")]),
                stroke_width=8, x=30, y=48)
    f = render(s).astype(float)
    assert f[48, 32, 0] > 240 and f[48, 127, 2] > 240


def test_bad_shape_arguments_are_named():
    s = scene()
    with pytest.raises(SceneError, match="character"):
        shapes.Path("M0 0 L10")
    with pytest.raises(SceneError, match="stroke_width > 0"):
        s.add_shape(shapes.Line(0, 0, 10, 0))
    with pytest.raises(SceneError, match="join"):
        s.add_shape(shapes.Rect(10, 10), join="pointy")  # type: ignore[arg-type]
    with pytest.raises(SceneError, match="offsets must not decrease"):
        rf.LinearGradient((0, 0), (1, 0), [(0.5, "red"), (0.2, "blue")])
    with pytest.raises(SceneError, match="at least 3"):
        shapes.Polygon([(0, 0), (1, 1)])
    with pytest.raises(SceneTypeError, match="shape must be"):
        s.add_shape("circle")  # type: ignore[arg-type]
    layer = s.add_shape(shapes.Path("M0 0 L10 10"), stroke="white", stroke_width=1)
    with pytest.raises(SceneError, match="scale"):
        layer.set("width", 20)
    with pytest.raises(SceneError, match="0..1"):
        layer.set("stroke_end", 1.5)
    with pytest.raises(SceneError, match="dash"):
        s.add_shape(shapes.Rect(10, 10), dash=(0, 0))


def test_join_and_cap_literals_match_runtime_tables():
    from typing import get_args

    from reelforge import _types
    assert set(get_args(_types.LineJoinName)) == set(shapes.JOINS)
    assert set(get_args(_types.LineCapName)) == set(shapes.CAPS)


def test_render_scale_rasterises_shapes_at_the_output_size():
    from reelforge.rescale import ScaledScene
    s = rf.Scene(80, 48, fps=10, duration=0.1)
    s.add_shape(shapes.Ellipse(30, 20), x=10.25, y=8.5)
    cov = coverage(rf.Renderer(ScaledScene(s, W, H)).render_frame(0))
    area = math.pi * 30 * 20  # semi-axes 15 x 10, doubled
    assert abs(cov.sum() - area) / area < 0.005
    assert np.abs(cov - ellipse_coverage(2 * (10.25 + 15), 2 * (8.5 + 10), 30, 20)).max() < 0.03


def test_shape_scene_exports(tmp_path):
    s = rf.Scene(W, H, fps=10, duration=0.5)
    layer = s.add_shape(shapes.Rect(40, 40, radius=8), fill="white", x=20, y=20)
    layer.animate("x", [(0.0, 20.0), (0.4, 100.0)])
    out = str(tmp_path / "s.mp4")
    rf.Exporter(s, out).start().result()
    import subprocess
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", out, "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         capture_output=True, check=True).stdout
    luma = np.frombuffer(raw, np.uint8).reshape(-1, H, W).astype(float) / 255
    assert luma.shape[0] == 5
    for i in range(5):  # the square's centre moves 20 px per frame
        cx = np.average(np.arange(W) + 0.5, weights=luma[i].sum(axis=0))
        assert abs(cx - (40 + 20 * i)) < 1.0, i


def test_shapes_in_nested_scenes_and_as_masks():
    # A shape inside a nested scene, and a shape masking a solid: both through the render graph.
    inner = rf.Scene(80, 48, fps=10, duration=0.1, background=(0, 0, 0, 0))
    inner.add_shape(shapes.Rect(40, 20), x=10, y=10)
    s = scene()
    s.add_scene(inner, x=20, y=30)
    cov = coverage(render(s))
    assert abs(cov.sum() - 800) / 800 < 0.005
    assert np.abs(cov - box_coverage(30, 40, 70, 60)).max() <= 2.5 / 255
    s = scene()
    solid = s.add_solid("white")
    solid.set_mask(s.add_shape(shapes.Ellipse(60, 60), x=50, y=18))
    cov = coverage(render(s))
    assert abs(cov.sum() - math.pi * 900) / (math.pi * 900) < 0.005


def test_effects_apply_to_shape_layers():
    # A Gaussian blur spreads the square's edge but keeps its total (premultiplied) coverage.
    s = scene()
    s.add_shape(shapes.Rect(40, 40), x=60, y=28).add_effect(rf.effects.GaussianBlur(4))
    cov = coverage(render(s))
    assert abs(cov.sum() - 1600) / 1600 < 0.01
    assert 0.3 < cov[48, 60] < 0.7  # half way across the blurred left edge
    assert cov[48, 56] > 0.02       # blur reaches outside the square
