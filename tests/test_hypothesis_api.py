"""Property-based tests (Hypothesis) over the public Python API.

The property, for every entry point: a call either works, and then the scene compiles (and a few
render one tiny frame), or it raises a ReelforgeError (also a ValueError or TypeError) whose
message names the argument at fault. Inputs: numbers including NaN, infinities, huge and
negative values, Fractions and Decimals, numpy scalars, strings, None, bools, containers, arrays
of any dtype and shape, keyframe lists and callables returning junk or raising.

CI runs a derandomised profile (80 fixed examples per test, ~30 s in all); set
``REELFORGE_HYPOTHESIS_PROFILE=thorough`` for many more, random, examples.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import reelforge as rf  # noqa: E402
from reelforge import _core, easing  # noqa: E402

settings.register_profile("ci", max_examples=80, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=int(os.environ.get("REELFORGE_HYPOTHESIS_EXAMPLES", 1000)), deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("REELFORGE_HYPOTHESIS_PROFILE", "ci"))

W, H, FPS, DUR = 32, 24, 10, 1.0  # 10 frames
N = round(FPS * DUR)


# --- strategies --------------------------------------------------------------------------------

class _Opaque:
    def __repr__(self):
        return "<opaque>"


junk = st.one_of(
    st.none(), st.booleans(), st.text(max_size=4), st.binary(max_size=3),
    st.complex_numbers(max_magnitude=10), st.just(_Opaque()), st.just({}), st.just([1, "a"]),
    st.lists(st.floats(), max_size=3), st.just(np.array(["a"])), st.just(np.array([1 + 2j])),
)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10**30, max_value=10**30),
    st.fractions(max_denominator=1000), st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([np.float32(1.5), np.int64(3), np.float64("nan"), np.array(2.0), np.uint8(255),
                     np.float16(65504), -0.0, 1e-320, 1e308, -1e308]),
)
anything = st.one_of(numbers, junk)


def small(lo, hi):
    """Plausible values (most calls should work) mixed with anything."""
    return st.one_of(st.floats(lo, hi), st.integers(int(math.ceil(lo)), int(hi)), anything)


def scene() -> rf.Scene:
    return rf.Scene(W, H, fps=FPS, duration=DUR)


def works_or_names(fn, *names):
    """Call ``fn``; it may raise only a ReelforgeError naming one of ``names``. Returns the result
    or None."""
    try:
        return fn()
    except rf.ReelforgeError as e:
        assert isinstance(e, (ValueError, TypeError, OSError)), f"{type(e).__name__} is not a ValueError/TypeError"
        msg = str(e)
        assert any(n in msg for n in names), f"{type(e).__name__}({msg!r}) names none of {names}"
        return None


def compiles(s: rf.Scene):
    tl = s.compile()
    assert tl.frame_count == s.frame_count
    for layer in tl.layers:
        t = layer.track
        for prop in ("x", "y", "width", "height", "anchor_x", "anchor_y", "scale_x", "scale_y", "rotation",
                     "opacity", "crop_left", "crop_top", "crop_right", "crop_bottom"):
            v = np.asarray(getattr(t, prop))
            assert v.size in (1, layer.end_frame - layer.start_frame) and np.isfinite(v).all(), (layer.name, prop)
        assert ((t.opacity >= 0) & (t.opacity <= 1)).all()
        for side in (t.crop_left, t.crop_top, t.crop_right, t.crop_bottom):
            assert ((side >= 0) & (side <= 1)).all()
        assert (t.width >= 0).all() and (t.height >= 0).all()
    return tl


# --- media made once -----------------------------------------------------------------------------

def _ffmpeg(*args):
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args], check=True,
                   timeout=60)


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    if shutil.which("ffmpeg") is None:
        pytest.skip("needs the ffmpeg CLI")
    d = tmp_path_factory.mktemp("hyp")
    wav, mp4 = d / "tone.wav", d / "clip.mp4"
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=1", str(wav))
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=s=32x24:r=10:d=1", "-f", "lavfi", "-i", "sine=duration=1",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(mp4))
    return {"wav": str(wav), "mp4": str(mp4)}


def _font():
    media_dir = os.environ.get("REELFORGE_MEDIA")
    if media_dir and os.path.isfile(os.path.join(media_dir, "font.ttf")):
        return os.path.join(media_dir, "font.ttf")
    try:
        return rf.text.default_font()
    except rf.ReelforgeError:
        return None


# --- Scene(...) -------------------------------------------------------------------------------------

@given(width=st.one_of(st.sampled_from([2, 16, 32, 64]), st.integers(-4, 20000), anything),
       height=st.one_of(st.sampled_from([2, 24, 48]), st.integers(-4, 20000), anything),
       fps=st.one_of(st.sampled_from([1, 24, 30, Fraction(30000, 1001), 29.97, 1000]), anything),
       duration=st.one_of(st.floats(0.001, 5.0), anything),
       background=st.one_of(st.tuples(*[st.integers(0, 255)] * 4), st.text(max_size=9), anything))
def test_scene_constructor(width, height, fps, duration, background):
    s = works_or_names(lambda: rf.Scene(width, height, fps=fps, duration=duration, background=background),
                       "width", "height", "fps", "duration", "background")
    if s is not None:
        assert 1 <= s.frame_count <= rf.scene.MAX_FRAMES
        assert isinstance(s.fps, Fraction) and 0 < s.fps <= 1000
        tl = s.compile()
        assert tl.frame_count == s.frame_count


# --- add_solid / add_image / add_text ---------------------------------------------------------------

times = st.one_of(st.floats(0, 1.2), st.sampled_from([0.95, 0.9999, 1.0, 1e-9]), anything)


@given(color=st.one_of(st.tuples(*[st.integers(0, 255)] * 3), st.text(max_size=9), anything),
       start=times, end=st.one_of(st.none(), times), x=small(-100, 100), y=small(-100, 100),
       width=st.one_of(st.none(), small(0, 64)), height=st.one_of(st.none(), small(0, 64)),
       opacity=small(-1, 2), name=st.one_of(st.none(), st.text(max_size=5), anything))
def test_add_solid(color, start, end, x, y, width, height, opacity, name):
    s = scene()
    layer = works_or_names(lambda: s.add_solid(color, start=start, end=end, x=x, y=y, width=width, height=height,
                                               opacity=opacity, name=name),
                           "color", "start", "end", "'x'", "'y'", "'width'", "'height'", "'opacity'", "name")
    assert len(s.layers) == (layer is not None)  # a refused call adds nothing
    if layer is not None:
        compiles(s)


images = hnp.arrays(dtype=st.sampled_from([np.uint8, np.uint8, np.float32, np.int16, np.bool_]),
                    shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=6))


@given(arr=images, width=st.one_of(st.none(), small(0, 40)), height=st.one_of(st.none(), small(0, 40)),
       x=small(-10, 10))
def test_add_image_array(arr, width, height, x):
    s = scene()
    layer = works_or_names(lambda: s.add_image(arr, width=width, height=height, x=x, name="pic"),
                           "'pic'")
    if layer is not None:
        assert arr.dtype == np.uint8 and arr.ndim == 3 and arr.shape[2] in (3, 4)
        compiles(s)


@given(text=st.one_of(st.text(min_size=0, max_size=8), st.sampled_from(["\ud800", "a\nb\r\nc", "\u0627\u0644"]),
                      anything),
       size_px=st.one_of(st.floats(1, 60), anything), color=st.one_of(st.tuples(*[st.integers(0, 255)] * 4), anything),
       anchor=st.one_of(st.sampled_from(list(rf.text.ANCHORS)), anything),
       align=st.one_of(st.sampled_from(rf.text.ALIGNS), anything),
       line_spacing=st.one_of(st.floats(0.5, 3), anything))
def test_add_text(text, size_px, color, anchor, align, line_spacing):
    font = _font()
    if font is None:
        pytest.skip("no font: set REELFORGE_MEDIA or install fontconfig")
    s = scene()
    layer = works_or_names(lambda: s.add_text(text, font=font, size_px=size_px, color=color, anchor=anchor,
                                              align=align, line_spacing=line_spacing, name="title"),
                           "'title'")
    if layer is not None:
        assert layer.premultiplied and (layer.image[..., :3] <= layer.image[..., 3:]).all()
        compiles(s)


def test_add_text_font_argument_errors():
    s = scene()
    for font in (5, b"\0", "", "/no/such/font.ttf", os.sep):
        works_or_names(lambda: s.add_text("Hi", font=font, name="title"), "'title'")
    assert s.layers == []


# --- add_audio / add_video -----------------------------------------------------------------------------

@given(start=times, trim_start=st.one_of(st.floats(0, 1.5), anything), duration=st.one_of(st.none(), times),
       gain_db=st.one_of(st.floats(-60, 12), anything), fade_in=st.one_of(st.floats(0, 2), anything),
       fade_out=st.one_of(st.floats(0, 2), anything), loop=st.one_of(st.booleans(), anything))
def test_add_audio(media, start, trim_start, duration, gain_db, fade_in, fade_out, loop):
    s = scene()
    clip = works_or_names(lambda: s.add_audio(media["wav"], start=start, trim_start=trim_start, duration=duration,
                                              gain_db=gain_db, fade_in=fade_in, fade_out=fade_out, loop=loop),
                          "start", "trim_start", "duration", "gain_db", "fade_in", "fade_out", "loop")
    assert len(s.audio) == (clip is not None)
    if clip is not None:
        compiles(s)


@settings(max_examples=8)
@given(start=st.floats(0, 0.9), trim_start=st.floats(0, 0.9), gain_db=st.floats(-200, 200),
       duration=st.one_of(st.none(), st.floats(1e-9, 1e9)), fade_in=st.one_of(st.floats(0, 5), st.floats(0, 1e9)),
       fade_out=st.one_of(st.floats(0, 5), st.floats(0, 1e9)), loop=st.booleans())
def test_accepted_audio_mixes_to_finite_samples(media, start, trim_start, gain_db, duration, fade_in, fade_out, loop):
    s = scene()
    s.add_audio(media["wav"], start=start, trim_start=trim_start, duration=duration, gain_db=gain_db,
                fade_in=fade_in, fade_out=fade_out, loop=loop)
    mix = _core.mix_audio(s.compile())
    assert mix.shape == (48000, 2) and np.isfinite(mix).all() and np.abs(mix).max() < 1.0


@given(start=times, trim_start=st.one_of(st.floats(0, 1.5), anything), end=st.one_of(st.none(), times),
       audio=st.one_of(st.booleans(), anything), gain_db=st.one_of(st.floats(-60, 12), anything),
       width=st.one_of(st.none(), small(0, 40)), height=st.one_of(st.none(), small(0, 40)))
def test_add_video(media, start, trim_start, end, audio, gain_db, width, height):
    s = scene()
    layer = works_or_names(lambda: s.add_video(media["mp4"], start=start, trim_start=trim_start, end=end, audio=audio,
                                               gain_db=gain_db, width=width, height=height, name="cam"),
                           "'cam'", "audio clip")
    if layer is None:
        assert s.audio == []
    else:
        compiles(s)


@given(path=anything)
def test_media_paths(path):
    s = scene()
    for method in (s.add_image, s.add_video, s.add_audio):
        try:
            method(path)
        except rf.ReelforgeError as e:
            assert isinstance(e, (ValueError, TypeError, OSError))
            assert any(w in str(e) for w in ("path", "file", "image")), str(e)
        else:
            pytest.fail(f"{method.__name__}({path!r}) accepted a non-media path")


# --- Layer.set / Layer.animate -------------------------------------------------------------------------

def _raises(exc):
    def f(t):
        raise exc("from the user's callable")
    return f


callables = st.sampled_from([
    lambda t: "x", lambda t: None, lambda t: np.zeros(3), lambda t: t * np.nan, lambda t: 1 / 0,
    lambda t: t * 1e300, lambda t: complex(1, 1), lambda t: [1, 2], lambda t: t > 0.5, lambda t: np.full_like(t, 1e39),
    lambda t: np.sin(t), lambda t: math.sin(t), lambda t: {0.0: 1}[t], lambda t: Fraction(1, 3), lambda t: Decimal(2),
    lambda t: 10**400, lambda t: np.array(["a"] * len(t)), lambda t: t.astype(object), lambda t: 2 * t - 0.5,
    _raises(ZeroDivisionError), _raises(KeyError), _raises(RuntimeError), _raises(MemoryError.__base__),
])
prop_names = st.one_of(st.sampled_from(list(rf.PROPERTIES)), st.text(max_size=6), anything)
per_frame = hnp.arrays(dtype=st.sampled_from([np.float64, np.float32, np.int32, np.bool_, np.complex64, np.str_]),
                       shape=st.sampled_from([(N,), (N - 1,), (N, 1), (), (0,)]),
                       elements=None)
values = st.one_of(numbers, junk, callables, per_frame, st.lists(st.floats(), min_size=N, max_size=N),
                   st.lists(st.one_of(st.floats(0, 9), anything), min_size=N - 1, max_size=N),
                   st.just([[1.0]] * (N - 1) + [[1.0, 2.0]]), st.just(()))


@given(name=prop_names, value=values)
def test_layer_set(name, value):
    s = scene()
    layer = s.add_solid((255, 0, 0), name="box", start=0.3)
    with np.errstate(all="ignore"):
        if works_or_names(lambda: layer.set(name, value), "'box'") is None:
            return
        if works_or_names(lambda: s.compile(), "'box'") is not None:
            compiles(s)


keyframe_time = st.one_of(st.floats(-1, 2), numbers, junk)
keyframe_value = st.one_of(st.floats(-2, 2), numbers, junk)
easings = st.one_of(st.sampled_from(list(easing.NAMES) + ["ease-in", "EASE_OUT", "bouncy"]),
                    st.sampled_from([easing.spring(), easing.spring(300, 5, 1), easing.cubic_bezier(0.3, -2, 0.7, 3)]),
                    anything)
keyframes = st.one_of(
    st.lists(st.one_of(st.tuples(keyframe_time, keyframe_value), st.tuples(keyframe_time, keyframe_value, easings),
                       junk), max_size=5),
    st.lists(st.tuples(st.floats(-1, 2), st.floats(-2, 2)), min_size=1, max_size=5, unique_by=lambda k: k[0])
    .map(sorted),
    junk)


@given(name=prop_names, kf=keyframes, ease=easings)
def test_layer_animate(name, kf, ease):
    s = scene()
    layer = s.add_solid((255, 0, 0), name="box")
    if works_or_names(lambda: layer.animate(name, kf, ease), "'box'") is None:
        return
    if works_or_names(lambda: s.compile(), "'box'") is not None:
        compiles(s)


@given(kf=keyframes, ease=easings)
def test_audio_gain_keyframes(media, kf, ease):
    s = scene()
    clip = s.add_audio(media["wav"])
    if works_or_names(lambda: clip.animate("gain_db", kf, ease), "gain_db") is None:
        return
    tl = compiles(s)
    assert np.isfinite(tl.audio[0].gain_db_per_frame).all()


F32 = 3.4e38


@settings(max_examples=6)
@given(x=st.one_of(st.floats(-100, 100), st.floats(-F32, F32)), scale=st.one_of(st.floats(-4, 4), st.floats(-F32, F32)),
       rotation=st.one_of(st.floats(-720, 720), st.floats(-F32, F32)), crop=st.tuples(*[st.floats(0, 1)] * 4),
       width=st.one_of(st.floats(0, 64), st.floats(0, F32)))
def test_accepted_extremes_render(x, scale, rotation, crop, width):
    """Values the API accepts render without crashing and give a frame of the scene's shape."""
    s = scene()
    s.add_solid((0, 255, 0), width=width, height=10).set("x", x).set("scale", scale).set("rotation", rotation)
    s.add_image(np.full((3, 5, 4), 200, np.uint8)).set("crop", crop)
    frame = rf.Renderer(s).render_frame(0)
    assert frame.shape == (H, W, 4) and frame.dtype == np.uint8


# --- easing ------------------------------------------------------------------------------------------

@given(args=st.tuples(*[st.one_of(st.floats(-2, 2), numbers, junk)] * 4),
       u=hnp.arrays(np.float64, st.integers(0, 8), elements=st.floats(-1, 2)),
       duration=st.one_of(st.floats(0, 10), numbers, junk))
def test_cubic_bezier(args, u, duration):
    e = works_or_names(lambda: easing.cubic_bezier(*args), "cubic_bezier")
    if e is not None:
        out = works_or_names(lambda: e(u, duration=duration), "duration")
        if out is not None:
            assert out.shape == u.shape and np.isfinite(out).all()
            assert (out[u <= 0] == 0).all() and (out[u >= 1] == 1).all()


@given(k=st.one_of(st.floats(0.1, 1000), numbers, junk), c=st.one_of(st.floats(0.1, 100), numbers, junk),
       m=st.one_of(st.floats(0.1, 10), numbers, junk), duration=st.one_of(st.floats(0, 10), numbers, junk),
       u=hnp.arrays(np.float64, st.integers(0, 8), elements=st.floats(-1, 2)))
def test_spring(k, c, m, duration, u):
    e = works_or_names(lambda: easing.spring(k, c, m), "stiffness", "damping", "mass", "spring")
    if e is not None:
        out = works_or_names(lambda: e(u, duration=duration), "duration")
        if out is not None:
            assert out.shape == u.shape and np.isfinite(out).all()
            assert (out[u >= 1] == 1).all()


@given(name=st.one_of(st.text(max_size=12), anything))
def test_easing_get(name):
    e = works_or_names(lambda: easing.get(name), "easing")
    if e is not None:
        assert isinstance(e, easing.Easing)


@given(u=st.one_of(hnp.arrays(np.float64, st.integers(0, 4)), anything))
def test_easing_call_with_junk_progress(u):
    for e in (easing.linear, easing.ease_in, easing.step, easing.spring()):
        out = works_or_names(lambda: e(u), "u must be")
        if out is not None:
            assert np.isfinite(out).all()


# --- public attributes edited after the fact (notebooks do this) -----------------------------------

layer_attrs = st.sampled_from(["start", "end", "trim_start", "color", "blend", "name", "image", "premultiplied"])
scene_attrs = st.sampled_from(["width", "height", "fps", "duration", "background"])
clip_attrs = st.sampled_from(["start", "trim_start", "duration", "gain_db", "fade_in", "fade_out", "loop", "path"])
attr_values = st.one_of(anything, st.floats(0, 2), st.sampled_from(list(rf.BLEND_MODES)),
                        st.tuples(*[st.floats(0, 1)] * 4), hnp.arrays(np.uint8, (2, 3, 4)))


@given(target=st.sampled_from(["scene", "layer", "image", "clip"]), data=st.data())
def test_edited_attributes_compile_or_name_the_attribute(media, target, data):
    s = scene()
    solid = s.add_solid((255, 0, 0), name="box")
    pic = s.add_image(np.zeros((2, 2, 4), np.uint8), name="pic")
    clip = s.add_audio(media["wav"])
    obj, attrs = {"scene": (s, scene_attrs), "layer": (solid, layer_attrs), "image": (pic, layer_attrs),
                  "clip": (clip, clip_attrs)}[target]
    attr = data.draw(attrs)
    setattr(obj, attr, data.draw(attr_values))
    if works_or_names(lambda: s.compile(), attr, "layer 'box'", "layer 'pic'", "audio clip") is not None:
        compiles(s)
