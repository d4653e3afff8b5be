"""Text layers (Scene.add_text / reelforge.text): HarfBuzz + FreeType rasterisation, rendered for
real through reelforge.Renderer on the Vulkan device."""
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import reelforge as rf
from reelforge import _core
from reelforge import text as rtext

MEDIA = Path(os.environ.get("REELFORGE_MEDIA", Path(__file__).resolve().parents[1].parent / "shared" / "media"))
FONT = MEDIA / "font.ttf"  # Liberation Sans: Latin, Greek, Cyrillic, Hebrew


@pytest.fixture
def font():
    if not FONT.is_file():
        pytest.skip(f"test font {FONT} is absent (set REELFORGE_MEDIA to the folder holding font.ttf)")
    return str(FONT)


def scene(w=320, h=120, **kw):
    kw.setdefault("fps", 10)
    kw.setdefault("duration", 1.0)
    return rf.Scene(w, h, background=(0, 0, 0, 255), **kw)


def render(s, i=0):
    return rf.Renderer(s).render_frame(i)


def ink(frame, thresh=128):
    """Mask of bright pixels (max of r, g, b over `thresh`) on a black background."""
    return frame[..., :3].max(axis=2) > thresh


def bbox(mask):
    ys, xs = np.nonzero(mask)
    assert xs.size, "no ink rendered"
    return xs.min(), xs.max(), ys.min(), ys.max()


def centroid(frame):
    w = frame[..., :3].max(axis=2).astype(np.float64)
    assert w.sum() > 0, "no ink rendered"
    ys, xs = np.mgrid[0:frame.shape[0], 0:frame.shape[1]]
    return (xs * w).sum() / w.sum(), (ys * w).sum() / w.sum()


# --- placement ---------------------------------------------------------------

def test_hello_renders_inside_its_box_at_top_left(font):
    s = scene()
    layer = s.add_text("Hello", font=font, size_px=48, x=40, y=30)
    f = render(s)
    m = ink(f)
    assert m.sum() > 200, "expected glyph ink"
    x0, x1, y0, y1 = bbox(m)
    h, w = layer.image.shape[:2]
    # Nothing outside the layer's rectangle (anchored at its text box, inside a 2 px margin).
    assert 38 <= x0 and x1 < 40 + w and 28 <= y0 and y1 < 30 + h
    assert not m[:, :38].any() and not m[:28, :].any()
    # Ink starts near the anchor: H's left side bearing is a few px, its cap top ~ascender-capheight below y.
    assert x0 <= 40 + 8 and y0 <= 30 + 15
    # "Hello" at 48 px is roughly 2.5 em wide and has no descenders.
    assert 80 <= x1 - x0 <= 160
    assert 25 <= y1 - y0 <= 45
    # Away from the glyphs (anti-aliased fringe aside) the frame stays exactly black.
    any_ink = f[..., :3].max(axis=2) > 0
    ax0, ax1, ay0, ay1 = bbox(any_ink)
    assert ax0 >= x0 - 2 and ax1 <= x1 + 2 and ay0 >= y0 - 2 and ay1 <= y1 + 2


def test_layer_is_an_image_layer_of_the_rendered_size(font):
    s = scene()
    layer = s.add_text("Hi", font=font, size_px=40)
    assert isinstance(layer, rf.Layer)
    assert layer.kind == _core.LayerKind.IMAGE
    assert layer.name == "text0" and s.layers == [layer]
    assert s.add_text("again", font=font).name == "text1"
    assert s.add_text("named", font=font, name="title").name == "title"
    h, w = layer.image.shape[:2]
    assert layer.image.dtype == np.uint8 and layer.image.shape[2] == 4
    assert layer._props["width"] == w and layer._props["height"] == h


def test_pixels_stay_premultiplied_end_to_end(font):
    """layer.image holds the rasteriser's premultiplied pixels unchanged (no straight-alpha round
    trip), and the frame shows them composited as premultiplied 'over' black."""
    s = scene()
    color = (200, 120, 40, 180)
    layer = s.add_text("Ag мир", font=font, size_px=37.5, color=color, x=5, y=7)
    raw, _ = _core.render_text("Ag мир", font, 37.5, color, 1.2, "left")
    assert layer.premultiplied and np.array_equal(layer.image, raw)
    assert (raw[..., :3] <= raw[..., 3:]).all()  # the premultiplied invariant
    h, w = raw.shape[:2]
    got = render(s)[5:5 + h, 3:3 + w]  # top_left anchors the text box, inside the 2 px margin
    # Premultiplied over opaque black: colour = c_premultiplied; a second premultiply (the old bug
    # class) would darken partially covered pixels by a / 255.
    np.testing.assert_allclose(got[..., :3].astype(int), raw[..., :3].astype(int), atol=1)


def test_anchor_center_puts_ink_centroid_at_xy(font):
    s = scene()
    s.add_text("HIH", font=font, size_px=48, x=160, y=60, anchor="center")
    cx, cy = centroid(render(s))
    assert abs(cx - 160) < 3 and abs(cy - 60) < 3


def test_anchor_baseline_left_sits_text_on_the_baseline(font):
    s = scene()
    s.add_text("HH", font=font, size_px=48, x=30, y=80, anchor="baseline_left")
    x0, x1, y0, y1 = bbox(ink(render(s)))
    assert 79 <= y1 <= 80          # H rests on the baseline: last ink row just above y
    assert 80 - 40 <= y0 <= 80 - 30  # cap height of Liberation Sans is ~0.73 em (35 px)
    assert 30 <= x0 <= 30 + 8        # left side bearing only


def test_anchor_bottom_right_puts_text_box_left_of_and_above_xy(font):
    s = scene()
    s.add_text("Hello", font=font, size_px=40, x=300, y=110, anchor="bottom_right")
    x0, x1, y0, y1 = bbox(ink(render(s)))
    assert x1 < 300 and x1 >= 300 - 8
    assert y1 < 110 and y1 >= 110 - 15  # descender space below the baseline


def test_anchors_cover_the_box(font):
    sizes = {}
    for a in rtext.ANCHORS:
        layer = scene().add_text("Hq", font=font, size_px=30, anchor=a)
        sizes[a] = (layer._props["anchor_x"], layer._props["anchor_y"])
    assert sizes["center"] == (0.5, 0.5)
    assert sizes["top_left"][0] < sizes["top_center"][0] == 0.5 < sizes["top_right"][0]
    assert sizes["top_left"][1] < sizes["center_left"][1] < sizes["baseline_left"][1] < sizes["bottom_left"][1]
    assert sizes["baseline_center"][0] == 0.5


# --- colour and scripts ------------------------------------------------------

def test_red_text_is_red(font):
    s = scene()
    s.add_text("Hello", font=font, size_px=48, x=20, y=20, color=(255, 0, 0))
    f = render(s).astype(int)
    bright = f[..., 0] > 128
    assert bright.sum() > 200
    assert f[bright][:, 0].max() >= 250
    assert (f[..., 1] <= 2).all() and (f[..., 2] <= 2).all()


def test_translucent_colour_and_hex_colour(font):
    s = scene()
    s.add_text("Hello", font=font, size_px=48, x=20, y=20, color="#00ff0080")
    f = render(s).astype(int)
    g = f[..., 1]
    assert 120 <= g.max() <= 135  # solid glyph interior: 255 * 128/255 over black
    assert f[..., 0].max() <= 2 and f[..., 2].max() <= 2


def test_cyrillic_utf8_renders_real_glyphs(font):
    s = scene()
    s.add_text("мир", font=font, size_px=48, x=20, y=20)
    assert ink(render(s)).sum() > 100
    # Each letter has its own glyph (a font lacking them would draw the same .notdef box thrice).
    alphas = [_core.render_text(c, font, 48.0, (255, 255, 255, 255), 1.2, "left")[0][..., 3] for c in "мир"]
    assert all(a.max() == 255 for a in alphas)
    shapes = {(a.shape, a.tobytes()) for a in alphas}
    assert len(shapes) == 3


def test_multiline_right_alignment(font):
    s = scene(320, 200)
    s.add_text("H\nHHHH", font=font, size_px=40, x=20, y=10, align="right", line_spacing=1.5)
    m = ink(render(s))
    rows = np.nonzero(m.any(axis=1))[0]
    gap = np.nonzero(np.diff(rows) > 1)[0]
    assert gap.size == 1, "expected two separate lines of ink"
    split = rows[gap[0]] + 1
    right1 = np.nonzero(m[:split].any(axis=0))[0].max()
    right2 = np.nonzero(m[split:].any(axis=0))[0].max()
    assert abs(right1 - right2) <= 2
    left1 = np.nonzero(m[:split].any(axis=0))[0].min()
    left2 = np.nonzero(m[split:].any(axis=0))[0].min()
    assert left1 > left2 + 60


# --- animation ---------------------------------------------------------------

def test_animating_x_moves_the_ink(any_font):
    s = scene(fps=10, duration=1.0)
    layer = s.add_text("Move", font=any_font, size_px=32, x=20, y=40)
    layer.animate("x", [(0.0, 20), (0.9, 200)])
    r = rf.Renderer(s)
    a, b = r.render_frame(0), r.render_frame(9)
    xa, ya = bbox(ink(a))[::2]
    xb, yb = bbox(ink(b))[::2]
    assert abs((xb - xa) - 180) <= 1
    assert ya == yb
    assert abs(centroid(b)[0] - centroid(a)[0] - 180) < 1


def test_rotation_and_scale_are_about_the_anchor(font):
    s = scene(fps=10, duration=1.0)
    layer = s.add_text("HIH", font=font, size_px=40, x=160, y=60, anchor="center")
    layer.animate("rotation", [(0.0, 0), (0.5, 180)]).animate("scale", [(0.0, 1), (0.5, 1.5)])
    r = rf.Renderer(s)
    f0, f5 = r.render_frame(0), r.render_frame(5)
    for f in (f0, f5):
        cx, cy = centroid(f)
        assert abs(cx - 160) < 3 and abs(cy - 60) < 3
    w0 = np.ptp(np.nonzero(ink(f0).any(axis=0))[0])
    w5 = np.ptp(np.nonzero(ink(f5).any(axis=0))[0])
    assert 1.35 < w5 / w0 < 1.65


def test_start_end_and_opacity(any_font):
    s = scene(fps=10, duration=1.0)
    s.add_text("Hi", font=any_font, size_px=40, x=20, y=20, start=0.3, end=0.6, opacity=0.5)
    r = rf.Renderer(s)
    assert r.render_frame(0)[..., :3].max() == 0   # before start
    assert r.render_frame(7)[..., :3].max() == 0   # after end
    mid = r.render_frame(4)
    assert 120 <= mid[..., :3].max() <= 135


# --- fonts -------------------------------------------------------------------

def test_default_font_from_env(font, monkeypatch):
    monkeypatch.setenv(rtext.FONT_ENV, font)
    layer = scene().add_text("Hi")
    assert layer.font == font


def test_default_font_env_missing_file(monkeypatch, tmp_path):
    missing = tmp_path / "nope.ttf"
    monkeypatch.setenv(rtext.FONT_ENV, str(missing))
    with pytest.raises(rf.MediaNotFoundError, match="nope.ttf"):
        scene().add_text("Hi")


def test_default_font_from_fontconfig(monkeypatch):
    monkeypatch.delenv(rtext.FONT_ENV, raising=False)
    if rtext._fontconfig_sans() is None:
        pytest.skip("fontconfig (fc-match) finds no sans font here")
    layer = scene().add_text("Hi", x=10, y=10)
    assert os.path.isfile(layer.font)
    assert ink(render(layer._scene)).any()


def test_no_font_available_is_a_clear_scene_error(monkeypatch):
    monkeypatch.delenv(rtext.FONT_ENV, raising=False)
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    rtext._fontconfig_sans.cache_clear()
    try:
        with pytest.raises(rf.SceneError, match="font="):
            scene().add_text("Hi")
    finally:
        monkeypatch.undo()
        rtext._fontconfig_sans.cache_clear()


def test_missing_font_file(tmp_path):
    missing = tmp_path / "missing-font.ttf"
    with pytest.raises(rf.MediaNotFoundError, match="missing-font.ttf") as ei:
        scene().add_text("Hi", font=missing)
    assert isinstance(ei.value, FileNotFoundError)


def test_unreadable_font_is_media_error(tmp_path):
    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"this is not a font" * 10)
    with pytest.raises(rf.MediaError, match="bad.ttf"):
        scene().add_text("Hi", font=bad)
    s = scene()
    with pytest.raises(rf.MediaError):
        _core.render_text("Hi", str(bad), 20.0, (255, 255, 255, 255), 1.2, "left")
    assert s.layers == []


# --- validation --------------------------------------------------------------

def test_empty_text_is_scene_error_naming_the_layer(any_font):
    s = scene()
    with pytest.raises(rf.SceneError, match="title.*empty"):
        s.add_text("", font=any_font, name="title")
    s.add_solid((1, 2, 3))
    with pytest.raises(rf.SceneError, match="text1"):
        s.add_text("", font=any_font)
    assert len(s.layers) == 1
    with pytest.raises(ValueError):  # SceneError is a ValueError
        s.add_text("", font=any_font)


def test_core_render_text_maps_errors(any_font):
    with pytest.raises(rf.SceneError, match="empty"):
        _core.render_text("", any_font, 48.0, (255, 255, 255, 255), 1.2, "left")
    with pytest.raises(rf.SceneError, match="align"):
        _core.render_text("a", any_font, 48.0, (255, 255, 255, 255), 1.2, "justify")
    with pytest.raises(rf.SceneError, match="color"):
        _core.render_text("a", any_font, 48.0, (256, 0, 0, 255), 1.2, "left")
    with pytest.raises(rf.MediaError, match="no-such-font"):
        _core.render_text("a", "/no-such-font.ttf", 48.0, (255, 255, 255, 255), 1.2, "left")


@pytest.mark.parametrize("kwargs, match", [
    ({"anchor": "middle"}, "anchor"),
    ({"align": "middle"}, "align"),  # justify is valid since typography
    ({"size_px": 0}, "size_px"),
    ({"size_px": float("nan")}, "size_px"),
    ({"line_spacing": -1}, "line_spacing"),
    ({"color": (300, 0, 0)}, "color"),
    ({"start": 5.0}, "outside the scene"),
    ({"start": 0.5, "end": 0.2}, "end"),
])
def test_bad_arguments_are_scene_errors(any_font, kwargs, match):
    s = scene()
    with pytest.raises(rf.SceneError, match=match):
        s.add_text("Hi", font=any_font, **kwargs)
    assert s.layers == []


def test_non_str_text_is_scene_error(any_font):
    with pytest.raises(rf.SceneError, match="str"):
        scene().add_text(b"bytes", font=any_font)
    with pytest.raises(rf.SceneError, match="Unicode"):
        scene().add_text("bad \ud800 surrogate", font=any_font)


def test_text_module_does_not_import_scene():
    """scene.py builds text layers from text.render(); text.py must not import scene back (cycle)."""
    import ast
    tree = ast.parse(Path(rtext.__file__).read_text())
    imported = {(n.module or "") for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m == "scene" or m.endswith(".scene") for m in imported), imported
