"""Layer effects (reelforge.effects) on the real GPU path (lavapipe here) against numpy/scipy.

References: scipy.ndimage.gaussian_filter for blurs, the W3C Filter Effects matrices and a numpy
trilinear lookup in tests/effects_reference.py. Frames are small to keep the suite fast.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

import reelforge as rf
from reelforge import effects as fx
from reelforge.errors import MediaNotFoundError, SceneError, SceneTypeError

import effects_reference as ref

CLEAR = (0, 0, 0, 0)


def render(scene: rf.Scene, frame: int = 0) -> np.ndarray:
    return rf.Renderer(scene).render_frame(frame).astype(np.float64)


def picture(w: int = 48, h: int = 32, alpha: int = 255) -> np.ndarray:
    """Opaque colours covering the cube: gradients in r and g, stripes in b, a few pure colours."""
    yy, xx = np.mgrid[0:h, 0:w]
    a = np.zeros((h, w, 4), np.uint8)
    a[..., 0] = xx * 255 // (w - 1)
    a[..., 1] = yy * 255 // (h - 1)
    a[..., 2] = (xx * 7 + yy * 13) % 256
    a[:4, :6, :3] = (255, 0, 0)
    a[:4, 6:12, :3] = (0, 255, 0)
    a[:4, 12:18, :3] = (255, 255, 255)
    a[..., 3] = alpha
    return a


def one_layer(img: np.ndarray, effect, *, canvas=None, pad: int = 0, background=(0, 0, 0, 255), fps=10,
              duration=0.1, size=None) -> rf.Scene:
    """``img`` at (pad, pad), shown at ``size`` (width, height; default its own), with ``effect``
    (one, or a list: ``[]`` for the plain layer)."""
    h, w = img.shape[:2]
    cw, ch = canvas or (w + 2 * pad, h + 2 * pad)
    sc = rf.Scene(cw, ch, fps=fps, duration=duration, background=background)
    layer = sc.add_image(img, x=pad, y=pad, **({} if size is None else {"width": size[0], "height": size[1]}))
    for e in effect if isinstance(effect, list) else [effect]:
        layer.add_effect(e)
    return sc


# -- blur -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("sigma, size, pad", [(1, 48, 8), (8, 96, 28), (40, 400, 130), (150, 400, 40)])
def test_blur_matches_scipy(sigma, size, pad):
    """CSS blur(): radius = standard deviation; the layer is transparent beyond its edges and the
    drawn area grows (pixels outside the layer's rectangle are reached). Within 2 levels."""
    w = size - 2 * pad
    img = np.zeros((w, w, 4), np.uint8)
    img[w // 4:3 * w // 4, w // 4:3 * w // 4] = (255, 128, 0, 255)
    img[:w // 4, :w // 4] = (0, 0, 255, 255)
    out = render(one_layer(img, fx.GaussianBlur(sigma), pad=pad, background=CLEAR))
    canvas = np.zeros((size, size, 4))
    canvas[pad:pad + w, pad:pad + w] = ref_premul(img)
    want = np.stack([gaussian_filter(canvas[..., c], sigma, mode="constant", truncate=4.0) for c in range(4)], -1)
    assert np.abs(out - want).max() <= 2.0
    assert out[pad // 2, pad // 2 + w // 8, 3] > 0 or sigma == 1  # reach beyond the layer's edge
    if sigma == 1:
        assert out[pad - 2, pad + 2, 2] > 10  # 2 px outside the top edge, under the blue block


def ref_premul(img: np.ndarray) -> np.ndarray:
    a = img[..., 3:4].astype(np.float64)
    return np.concatenate([np.floor(img[..., :3] * a / 255 + 0.5), a], -1)


def test_blur_edge_extend_matches_scipy_nearest():
    """edge="extend": the edge pixels repeat (scipy mode="nearest"), the area does not grow, the
    layer stays opaque (within 2 levels)."""
    img = picture(96, 64)
    for sigma in (3, 20):
        out = render(one_layer(img, fx.GaussianBlur(sigma, edge="extend"), background=CLEAR))
        want = np.stack([gaussian_filter(img[..., c].astype(float), sigma, mode="nearest") for c in range(3)], -1)
        assert np.abs(out[..., :3] - want).max() <= 2.0, sigma
        assert (out[..., 3] == 255).all()
    from typing import get_args
    from reelforge import _types
    assert set(get_args(_types.BlurEdge)) == set(fx.BLUR_EDGES)
    with pytest.raises(SceneError, match="edge"):
        fx.GaussianBlur(2, edge="clamp")  # type: ignore[arg-type]


def test_minified_layer_edges_stay_opaque():
    """A picture shown at a third of its size is first resampled from its mip chain with edges
    repeated: no transparency leaks in at its borders, and the effect equals the plain render's
    (up to resampling: the chain works in quarter-octave steps of the texture size, here 51x34
    for 48x32 shown, so sharp edges differ; mean within 1 level)."""
    big = picture(144, 96)
    shown = dict(canvas=(64, 48), pad=8, size=(48, 32), background=CLEAR)
    out, base = render(one_layer(big, fx.Grayscale(1), **shown)), render(one_layer(big, [], **shown))
    assert (out[8:40, 8:56, 3] == 255).all()
    want = np.floor(ref.apply_matrix(base[..., :3] / 255, ref.grayscale(1)) * 255 + 0.5)
    diff = np.abs(out[8:40, 8:56, :3] - want[8:40, 8:56])
    assert diff.mean() <= 1.0 and np.percentile(diff, 90) <= 3.0


def test_blur_radius_is_in_layer_pixels():
    """A layer shown at twice its texture's size: radius 4 means 4 displayed layer pixels, so the
    result equals blurring the displayed (enlarged) picture by 4 (within 3 levels: bilinear)."""
    img = np.zeros((16, 16, 4), np.uint8)
    img[4:12, 4:12] = (255, 255, 255, 255)
    shown = dict(canvas=(64, 64), pad=16, size=(32, 32), background=CLEAR)
    out, base = render(one_layer(img, fx.GaussianBlur(4), **shown)), render(one_layer(img, [], **shown))
    want = np.stack([gaussian_filter(base[..., c], 4, mode="constant") for c in range(4)], -1)
    assert np.abs(out - want).max() <= 3.0


def test_drop_shadow_matches_reference():
    """Shadow = colour x opacity x blurred alpha, offset by (dx, dy), under the layer."""
    img = np.zeros((24, 24, 4), np.uint8)
    img[4:20, 4:20] = (255, 255, 255, 255)
    pad, dx, dy, blur, op = 20, 6, 4, 3.0, 0.5
    out = render(one_layer(img, fx.DropShadow(dx, dy, blur, color=(255, 0, 0), opacity=op), pad=pad,
                           background=CLEAR))
    n = 24 + 2 * pad
    alpha = np.zeros((n, n))
    alpha[pad + 4 + dy:pad + 20 + dy, pad + 4 + dx:pad + 20 + dx] = 1.0
    sa = gaussian_filter(alpha, blur, mode="constant", truncate=4.0) * op
    src = np.zeros((n, n, 4))
    src[pad:pad + 24, pad:pad + 24] = img / 255.0
    shadow = np.stack([sa, np.zeros_like(sa), np.zeros_like(sa), sa], -1)
    want = (src + (1 - src[..., 3:4]) * shadow) * 255
    assert np.abs(out - want).max() <= 2.0
    assert out[pad + 21 + dy, pad + 12 + dx, 3] > 20  # below the layer: the drawn area grew


def test_glow_and_solid_layers():
    """Effects on a solid (materialised at its displayed size): a glow's halo surrounds it."""
    sc = rf.Scene(64, 64, fps=10, duration=0.1, background=CLEAR)
    sc.add_solid((0, 0, 255), x=24, y=24, width=16, height=16).add_effect(fx.Glow(4, strength=2, color="yellow"))
    out = render(sc)
    alpha = np.zeros((64, 64))
    alpha[24:40, 24:40] = 1
    halo = np.minimum(1, 2 * gaussian_filter(alpha, 4, mode="constant", truncate=4.0))
    want_a = np.maximum(alpha, halo) * 255
    assert np.abs(out[..., 3] - want_a).max() <= 2.0
    assert out[32, 32, 2] == 255 and out[32, 32, 0] == 0       # the solid itself on top
    outside = alpha == 0                                        # there: premultiplied yellow x halo
    assert np.abs(out[outside][:, :2] - want_a[outside][:, None]).max() <= 2.0 and out[outside][:, 2].max() == 0


# -- colour ---------------------------------------------------------------------------------------

def _rgb(img):
    return img[..., :3] / 255.0


COLOR_CASES = [
    (fx.ColorAdjust(brightness=1.4), lambda c: ref.brightness(c, 1.4)),
    (fx.ColorAdjust(brightness=0.5), lambda c: ref.brightness(c, 0.5)),
    (fx.ColorAdjust(contrast=0.6), lambda c: ref.contrast(c, 0.6)),
    (fx.ColorAdjust(contrast=1.8), lambda c: ref.contrast(c, 1.8)),
    (fx.ColorAdjust(saturation=0.3), lambda c: ref.apply_matrix(c, ref.saturate(0.3))),
    (fx.ColorAdjust(saturation=2.0), lambda c: ref.apply_matrix(c, ref.saturate(2.0))),
    (fx.ColorAdjust(hue=90), lambda c: ref.apply_matrix(c, ref.hue_rotate(90))),
    (fx.ColorAdjust(hue=-150), lambda c: ref.apply_matrix(c, ref.hue_rotate(-150))),
    (fx.ColorAdjust(exposure=1.0), lambda c: ref.exposure(c, 1.0)),
    (fx.ColorAdjust(exposure=-1.5), lambda c: ref.exposure(c, -1.5)),
    (fx.ColorAdjust(gamma=2.2), lambda c: ref.gamma(c, 2.2)),
    (fx.ColorAdjust(gamma=0.5), lambda c: ref.gamma(c, 0.5)),
    (fx.ColorAdjust(brightness=1.2, contrast=0.8, saturation=1.5, hue=30),
     lambda c: ref.apply_matrix(ref.apply_matrix(ref.contrast(ref.brightness(c, 1.2), 0.8), ref.saturate(1.5)),
                                ref.hue_rotate(30))),
    (fx.Grayscale(1.0), lambda c: ref.apply_matrix(c, ref.grayscale(1.0))),
    (fx.Grayscale(0.6), lambda c: ref.apply_matrix(c, ref.grayscale(0.6))),
    (fx.Sepia(1.0), lambda c: ref.apply_matrix(c, ref.sepia(1.0))),
    (fx.Sepia(0.7), lambda c: ref.apply_matrix(c, ref.sepia(0.7))),
    (fx.Invert(1.0), lambda c: ref.invert(c, 1.0)),
    (fx.Invert(0.3), lambda c: ref.invert(c, 0.3)),
]


@pytest.mark.parametrize("effect, formula", COLOR_CASES, ids=[repr(c[0]) for c in COLOR_CASES])
def test_color_matrices_match_w3c(effect, formula):
    img = picture()
    out = render(one_layer(img, effect))
    want = np.floor(formula(_rgb(img)) * 255 + 0.5)
    assert np.abs(out[..., :3] - want).max() <= 1.0
    assert (out[..., 3] == 255).all()


def test_color_on_unpremultiplied_colour():
    """Half-transparent pixels: the matrix acts on straight colour, alpha kept (spec: filter
    primitives on unpremultiplied values); the output stays premultiplied."""
    img = picture(alpha=128)
    out = render(one_layer(img, fx.Invert(1.0), background=CLEAR))
    p = ref_premul(img)
    straight = p[..., :3] / p[..., 3:4]
    want = np.floor(ref.invert(straight, 1.0) * 128 + 0.5)
    assert np.abs(out[..., :3] - want).max() <= 1.0
    assert (out[..., 3] == 128).all()


def test_effects_chain_in_order():
    img = picture()
    out = render(one_layer(img, [fx.Invert(1.0), fx.Grayscale(1.0)]))
    want = np.floor(ref.apply_matrix(ref.invert(_rgb(img), 1.0), ref.grayscale(1.0)) * 255 + 0.5)
    assert np.abs(out[..., :3] - want).max() <= 1.0
    out2 = render(one_layer(img, [fx.Grayscale(1.0), fx.ColorAdjust(brightness=2.0)]))
    want2 = np.floor(ref.brightness(ref.apply_matrix(_rgb(img), ref.grayscale(1.0)), 2.0) * 255 + 0.5)
    assert np.abs(out2[..., :3] - want2).max() <= 1.0


# -- LUT ------------------------------------------------------------------------------------------

def test_identity_lut_is_exact(tmp_path):
    p = tmp_path / "identity.cube"
    ref.write_cube(p, ref.identity_table(17), 17)
    img = picture()
    out = render(one_layer(img, fx.LUT(p)))
    np.testing.assert_array_equal(out[..., :3], img[..., :3])


def test_lut_3d_matches_numpy_trilinear(tmp_path):
    n = 9
    ident = ref.identity_table(n)
    rng = np.random.default_rng(7)
    table = np.clip(np.stack([ident[:, 1] ** 0.7, ident[:, 2] * 0.8 + 0.1, 1 - ident[:, 0]], -1)
                    + rng.uniform(-0.05, 0.05, ident.shape), 0, 1)
    p = tmp_path / "look.cube"
    ref.write_cube(p, table, n)
    img = picture()
    out = render(one_layer(img, fx.LUT(p)))
    t = np.array([[float(f"{v:.6f}") for v in row] for row in table])
    want = np.floor(ref.lut3d_trilinear(_rgb(img), t, n) * 255 + 0.5)
    assert np.abs(out[..., :3] - want).max() <= 1.0
    half = render(one_layer(img, fx.LUT(p, strength=0.5)))
    want_half = np.floor((_rgb(img) + 0.5 * (ref.lut3d_trilinear(_rgb(img), t, n) - _rgb(img))) * 255 + 0.5)
    assert np.abs(half[..., :3] - want_half).max() <= 1.0


def test_lut_1d_matches_numpy(tmp_path):
    x = np.linspace(0, 1, 32)
    table = np.stack([x ** 2, np.sqrt(x), 1 - x], -1)
    p = tmp_path / "curve.cube"
    ref.write_cube(p, table, 32, dims=1)
    img = picture()
    out = render(one_layer(img, fx.LUT(p)))
    t = np.array([[float(f"{v:.6f}") for v in row] for row in table])
    want = np.floor(ref.lut1d_linear(_rgb(img), t) * 255 + 0.5)
    assert np.abs(out[..., :3] - want).max() <= 1.0


@pytest.mark.parametrize("text, fragment", [
    ("LUT_3D_SIZE 2\n0 0 0\n1 0 0\n0 1\n", "line 4: table row: expected 3 numbers, got 2"),
    ("LUT_3D_SIZE 2\n0 0 0\n1 0 x\n", "line 3: table row: 'x' is not a number"),
    ("0 0 0\n", "line 1: table data before LUT_1D_SIZE or LUT_3D_SIZE"),
    ("LUT_3D_SIZE 2\n0 0 0\n", "the table ends after 1 rows, the size declares 8"),
    ("TITLE \"x\"\nLUT_3D_SIZE 1000\n", "line 2: LUT_3D_SIZE must be an integer in 2..256"),
    ("FOO 3\n", "line 1: unknown keyword 'FOO'"),
])
def test_lut_parse_errors_name_file_and_line(tmp_path, text, fragment):
    p = tmp_path / "bad.cube"
    p.write_text(text)
    with pytest.raises(SceneError, match="bad.cube") as e:
        fx.LUT(p)
    assert fragment in str(e.value)


def test_lut_missing_file(tmp_path):
    with pytest.raises(MediaNotFoundError):
        fx.LUT(tmp_path / "nope.cube")


# -- chroma key -----------------------------------------------------------------------------------

def test_chroma_key_green_screen():
    """Generated green screen: noisy green, a red/skin foreground, a 4 px edge band of 50 % spill."""
    rng = np.random.default_rng(3)
    h, w = 48, 64
    img = np.zeros((h, w, 4), np.uint8)
    green = np.array([40, 190, 60])
    img[..., :3] = np.clip(green + rng.integers(-8, 9, (h, w, 3)), 0, 255)
    img[..., 3] = 255
    fg = np.array([200, 140, 110])
    img[12:36, 16:48, :3] = fg
    band = (slice(12, 36), slice(48, 52))
    img[band[0], band[1], :3] = (fg * 0.5 + green * 0.5).astype(np.uint8)
    out = render(one_layer(img, fx.ChromaKey((40, 190, 60), similarity=0.12, smoothness=0.08, spill=0.25),
                           background=CLEAR))
    keyed = np.ones((h, w), bool)
    keyed[10:38, 14:54] = False
    assert out[keyed, 3].max() <= 2
    core = out[14:34, 18:46]
    assert (core[..., 3] >= 253).all()
    assert np.abs(core[..., :3] - fg).max() <= 2
    edge_in = img[band[0], band[1], :3].astype(float)
    edge_out = out[band[0], band[1]]
    straight = edge_out[..., :3] / np.maximum(edge_out[..., 3:4], 1) * 255
    excess_in = edge_in[..., 1] - np.maximum(edge_in[..., 0], edge_in[..., 2])
    excess_out = straight[..., 1] - np.maximum(straight[..., 0], straight[..., 2])
    assert excess_out.mean() < 0.5 * excess_in.mean()


# -- animation ------------------------------------------------------------------------------------

def test_parameters_animated_by_keyframes_arrays_and_callables():
    img = picture()
    sc = rf.Scene(48, 32, fps=10, duration=1.0)
    layer = sc.add_image(img)
    brightness = np.linspace(0.5, 1.5, 10)
    layer.add_effect(fx.ColorAdjust(brightness=brightness))
    layer.add_effect(fx.Invert().set("amount", lambda t: t))
    r = rf.Renderer(sc)
    for i in (0, 4, 9):
        out = r.render_frame(i).astype(float)
        want = ref.invert(ref.brightness(_rgb(img), float(np.float32(brightness[i]))), i / 10)
        assert np.abs(out[..., :3] - np.floor(want * 255 + 0.5)).max() <= 1.0, i

    blur_img = np.zeros((16, 16, 4), np.uint8)
    blur_img[6:10, 6:10] = (255, 255, 255, 255)
    sc2 = rf.Scene(48, 48, fps=10, duration=1.0, background=CLEAR)
    sc2.add_image(blur_img, x=16, y=16).add_effect(fx.GaussianBlur(0).animate("radius", [(0, 0), (1, 5)],
                                                                               easing="linear"))
    r2 = rf.Renderer(sc2)
    canvas = np.zeros((48, 48, 4))
    canvas[16:32, 16:32] = blur_img
    for i in (0, 6):
        out = r2.render_frame(i).astype(float)
        sigma = 5 * i / 10
        want = canvas if sigma == 0 else np.stack(
            [gaussian_filter(canvas[..., c], sigma, mode="constant") for c in range(4)], -1)
        assert np.abs(out - want).max() <= 2.0, i


# -- custom GLSL ----------------------------------------------------------------------------------

def test_custom_shader_effect():
    img = picture()
    src = """
vec4 effect(vec2 uv) {
    vec4 c = sample_layer(vec2(1.0 - uv.x, uv.y));  // mirrored
    return vec4(c.rgb * amount, 1.0);
}"""
    sc = rf.Scene(48, 32, fps=10, duration=1.0)
    sc.add_image(img).add_effect(fx.Shader(src, amount=0.5).animate("amount", [(0, 0.5), (0.9, 1.0)]))
    r = rf.Renderer(sc)
    out0 = r.render_frame(0).astype(float)
    assert np.abs(out0[..., :3] - np.floor(img[:, ::-1, :3] * 0.5 + 0.5)).max() <= 1.0
    out9 = r.render_frame(9).astype(float)
    assert np.abs(out9[..., :3] - img[:, ::-1, :3]).max() <= 1.0


def test_custom_shader_time_and_size():
    src = "vec4 effect(vec2 uv) { return vec4(u_time, u_size.x / 100.0, u_size.y / 100.0, 1.0); }"
    sc = rf.Scene(48, 32, fps=10, duration=1.0)
    sc.add_image(picture()).add_effect(fx.Shader(src))
    out = rf.Renderer(sc).render_frame(5).astype(float)
    assert np.abs(out[..., 0] - 0.5 * 255).max() <= 1
    assert np.abs(out[..., 1] - 0.48 * 255).max() <= 1 and np.abs(out[..., 2] - 0.32 * 255).max() <= 1


def test_shader_compile_error_has_glsl_log_and_user_line():
    src = "vec4 effect(vec2 uv) {\n    vec4 c = sample_layer(uv);\n    return c * missing_thing;\n}"
    with pytest.raises(SceneError) as e:
        fx.Shader(src)
    assert "effect:3:" in str(e.value) and "missing_thing" in str(e.value)
    with pytest.raises(SceneError, match="must define `vec4 effect"):
        fx.Shader("vec4 other(vec2 uv) { return vec4(1.0); }")
    with pytest.raises(SceneError, match="uniform name"):
        fx.Shader("vec4 effect(vec2 uv) { return vec4(1.0); }", gl_x=1.0)


# -- video layers ---------------------------------------------------------------------------------

def test_effect_on_video_layer(lavfi):
    video = lavfi.file("fx_small.mp4", ["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10:duration=0.5",
                                        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "10",
                                        "-pix_fmt", "yuv420p"])
    def scene(effect):
        sc = rf.Scene(64, 48, fps=10, duration=0.5)
        layer = sc.add_video(video)
        if effect:
            layer.add_effect(effect)
        return sc
    plain = render(scene(None), 2)
    out = render(scene(fx.Sepia(1.0)), 2)
    want = np.floor(ref.apply_matrix(plain[..., :3] / 255, ref.sepia(1.0)) * 255 + 0.5)
    assert np.abs(out[..., :3] - want).max() <= 1.0


# -- bad input ------------------------------------------------------------------------------------

def test_bad_effect_arguments():
    sc = rf.Scene(48, 32, fps=10, duration=0.3)
    layer = sc.add_image(picture())
    with pytest.raises(SceneTypeError, match="add_effect"):
        layer.add_effect("blur")  # type: ignore[arg-type]
    with pytest.raises(SceneError, match="radius.*outside 0..1000"):
        fx.GaussianBlur(-1)
    with pytest.raises(SceneError, match="unknown parameter 'sigma'"):
        fx.GaussianBlur().set("sigma", 3)
    with pytest.raises(SceneTypeError):
        fx.ColorAdjust(brightness="bright")  # type: ignore[arg-type]
    with pytest.raises(SceneError, match="keyframe 1"):
        fx.Sepia().animate("amount", [(0, 0), (1, 2)])
    layer.add_effect(fx.GaussianBlur(np.ones(5)))  # scene has 3 frames
    with pytest.raises(SceneError, match="effect 0 .GaussianBlur. parameter 'radius'"):
        sc.compile()
    layer.effects.clear()
    layer.add_effect(fx.Invert().set("amount", lambda t: -t - 1))
    with pytest.raises(SceneError, match="outside 0..1"):
        sc.compile()


# -- export ---------------------------------------------------------------------------------------

def test_export_with_effects_matches_renderer(tmp_path, lavfi):
    """The export's render stage (several frames in flight, one parameter arena per slot) gives
    the frames the Renderer gives: PNG sequence output, so the comparison is exact."""
    sc = rf.Scene(64, 48, fps=10, duration=0.6, background=(20, 20, 20))
    img = picture(32, 24)
    layer = sc.add_image(img, x=16, y=12)
    layer.add_effect(fx.DropShadow(3, 3, 2, opacity=0.8)).add_effect(fx.Sepia().animate("amount", [(0, 0), (0.5, 1)]))
    sc.add_solid((255, 0, 0), x=4, y=4, width=8, height=8).add_effect(fx.GaussianBlur(lambda t: 1 + 4 * t))
    out = tmp_path / "seq" / "f%03d.png"
    rf.Exporter(sc, out, gpu_slots=3).run()
    from PIL import Image
    r = rf.Renderer(sc)
    for i in range(6):
        got = np.asarray(Image.open(tmp_path / "seq" / f"f{i:03d}.png").convert("RGBA"))
        np.testing.assert_array_equal(got, r.render_frame(i), err_msg=f"frame {i}")


# -- geometry -------------------------------------------------------------------------------------

def test_effects_apply_in_layer_space_before_rotation():
    """Filters act on the layer's own picture, then the transform applies (as CSS filters): a
    layer turned 90 degrees clockwise shows its shadow turned with it."""
    img = np.zeros((24, 24, 4), np.uint8)
    img[4:20, 4:20] = (255, 255, 255, 255)

    def frame(rotation):
        sc = rf.Scene(64, 64, fps=10, duration=0.1, background=CLEAR)
        layer = sc.add_image(img, x=32, y=32)
        layer.set("anchor_x", 0.5).set("anchor_y", 0.5).set("rotation", rotation)
        layer.add_effect(fx.DropShadow(6, 2, 2, color="red", opacity=1.0))
        return render(sc)

    upright, turned = frame(0), frame(90)
    assert upright[30, 43, 0] > 100 and upright[30, 43, 1] == 0  # red shadow right of the square ...
    assert np.abs(turned - np.rot90(upright, k=-1)).max() <= 2.0


def test_crop_keeps_hard_edges_where_cropped():
    img = np.zeros((32, 32, 4), np.uint8)
    img[:] = (255, 255, 255, 255)
    sc = rf.Scene(96, 64, fps=10, duration=0.1, background=CLEAR)
    sc.add_image(img, x=32, y=16).set("crop_right", 0.5).add_effect(fx.GaussianBlur(3))
    out = render(sc)
    assert out[32, 28, 3] > 20                # the uncropped left side grew (soft edge)
    assert out[32, 48, 3] == 0                # nothing right of the crop line
    assert out[32, 47, 3] > 100               # ... which stays where it was


# -- with the render graph (nested scenes, groups, masks, corners) --------------------------------

def test_shadow_follows_rounded_corners():
    """corner_radius is drawn into the layer before its effects: the shadow has the rounded shape
    and the layer's own corner stays clear (shadow or background there, not the layer)."""
    def frame(with_shadow):
        sc = rf.Scene(96, 96, fps=10, duration=0.1, background=CLEAR)
        layer = sc.add_solid((255, 255, 255), x=24, y=24, width=48, height=48).set("corner_radius", 16)
        if with_shadow:
            layer.add_effect(fx.DropShadow(0, 0, 0.0, color="red", opacity=1.0))
            layer.add_effect(fx.DropShadow(8, 8, 0.0, color="blue", opacity=1.0))
        return render(sc)
    plain, shadowed = frame(False), frame(True)
    assert plain[25, 25, 3] == 0                       # rounded corner of the layer: empty
    assert shadowed[25, 25, 3] == 0                    # ... also with the (hard) shadows
    assert shadowed[48, 48, 0] == 255 and shadowed[48, 48, 2] == 255  # white layer on top
    # The blue shadow is the rounded square moved by (8, 8): empty at its own rounded corner
    # (77, 77), blue below the layer.
    assert shadowed[77, 77, 3] == 0 and shadowed[76, 60, 2] == 255 and shadowed[76, 60, 0] == 0
    want_corner = plain[24:40, 24:40, 3]               # the blue copy's corner equals the layer's
    assert np.abs(shadowed[32:48, 32:48, 3] - np.maximum(want_corner, plain[32:48, 32:48, 3])).max() <= 2


def test_effect_on_a_group_blurs_the_flattened_group():
    def scene(effect_on_group):
        sc = rf.Scene(64, 64, fps=10, duration=0.1, background=CLEAR)
        a = sc.add_solid((255, 0, 0), x=16, y=16, width=20, height=20)
        b = sc.add_solid((0, 0, 255), x=28, y=28, width=20, height=20)
        g = sc.add_group([a, b])
        if effect_on_group:
            g.add_effect(fx.GaussianBlur(3))
        return sc
    flat = render(scene(False))
    out = render(scene(True))
    want = np.stack([gaussian_filter(flat[..., c], 3, mode="constant", truncate=4.0) for c in range(4)], -1)
    assert np.abs(out - want).max() <= 2.0


def test_effects_inside_a_nested_scene_and_on_it():
    """A child scene's layers keep their own (animated) effects; the nested layer gets one too."""
    child = rf.Scene(48, 32, fps=10, duration=1.0)
    img = picture()
    child.add_image(img).add_effect(fx.Invert().set("amount", lambda t: t))
    parent = rf.Scene(48, 32, fps=10, duration=1.0)
    parent.add_scene(child).add_effect(fx.Grayscale(1.0))
    out = rf.Renderer(parent).render_frame(7).astype(float)
    want = ref.apply_matrix(ref.invert(_rgb(img), 0.7), ref.grayscale(1.0))
    assert np.abs(out[..., :3] - np.floor(want * 255 + 0.5)).max() <= 1.0


def test_effect_then_mask():
    """Order: effects, then the mask (the shadow is masked too)."""
    sc = rf.Scene(64, 64, fps=10, duration=0.1, background=CLEAR)
    layer = sc.add_solid((255, 255, 255), x=16, y=16, width=24, height=24)
    layer.add_effect(fx.DropShadow(12, 0, 0.0, color="red", opacity=1.0))
    mask = sc.add_solid((255, 255, 255), x=0, y=0, width=44, height=64)
    layer.set_mask(mask)
    out = render(sc)
    assert out[28, 42, 0] == 255 and out[28, 42, 1] == 0   # shadow, inside the mask
    assert out[28, 46, 3] == 0                             # shadow, outside the mask


def test_render_scale_scales_effect_lengths():
    """Exporter(scale=) / ScaledScene: a layer's blur radius and shadow offset scale with its
    size, so half the resolution looks like the full one downsized."""
    from reelforge.rescale import ScaledScene
    img = np.zeros((32, 32, 4), np.uint8)
    img[8:24, 8:24] = (255, 255, 255, 255)
    sc = rf.Scene(128, 128, fps=10, duration=0.1, background=CLEAR)
    layer = sc.add_image(img, x=32, y=32, width=64, height=64)
    layer.add_effect(fx.DropShadow(16, 8, 4, color="red", opacity=1.0)).add_effect(fx.GaussianBlur(2))
    full = render(sc)
    half = rf.Renderer(ScaledScene(sc, 64, 64)).render_frame(0).astype(float)
    down = full.reshape(64, 2, 64, 2, 4).mean(axis=(1, 3))
    assert np.abs(half - down).mean() <= 1.5 and np.abs(half - down).max() <= 24
    e = ScaledScene(sc, 64, 64).compile().layers[0].effects
    assert e[0].params[0][0] == 8 and e[0].params[1][0] == 4 and e[0].params[2][0] == 2
    assert e[1].params[0][0] == 1


def test_effects_pickle_for_distributed_export(tmp_path):
    """Distributed export ships scenes by value: LUT and Shader effects survive pickling (the
    table parsed again from its file, the shader compiled again from its source)."""
    import pickle
    p = tmp_path / "id.cube"
    ref.write_cube(p, ref.identity_table(5), 5)
    sc = rf.Scene(48, 32, fps=10, duration=0.2)
    layer = sc.add_image(picture())
    layer.add_effect(fx.LUT(p, strength=0.5)).add_effect(fx.Sepia(0.5)).add_effect(
        fx.Shader("vec4 effect(vec2 uv) { vec4 c = sample_layer(uv); return vec4(c.rgb * k, c.a); }", k=0.8))
    copy = pickle.loads(pickle.dumps(sc))
    np.testing.assert_array_equal(rf.Renderer(copy).render_frame(1), rf.Renderer(sc).render_frame(1))


def test_parameter_tables_follow_scene_frames_for_a_late_layer():
    """Per-frame arrays are one value per *scene* frame; a layer starting at 0.5 s shows the
    values of the frames it is on (the core indexes them from the layer's first frame)."""
    img = picture()
    sc = rf.Scene(48, 32, fps=10, duration=1.0)
    amount = np.linspace(0.0, 0.9, 10)
    sc.add_image(img, start=0.5).add_effect(fx.Invert(amount))
    r = rf.Renderer(sc)
    for i in (5, 8):
        out = r.render_frame(i).astype(float)
        want = np.floor(ref.invert(_rgb(img), float(np.float32(amount[i]))) * 255 + 0.5)
        assert np.abs(out[..., :3] - want).max() <= 1.0, i
