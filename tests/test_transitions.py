"""Transitions (reelforge.transitions, Scene.add_transition, rf.sequence) on lavapipe, against
numpy references written from the shaders' documented formulas (gl-transitions convention:
uv (0, 0) at the bottom left; bilinear sampling, transparent outside), the timeline rules of
add_transition, and the audio crossfade's level across the overlap."""
import shutil
import subprocess

import numpy as np
import pytest

import reelforge as rf
from reelforge import _core
from reelforge.transitions import Crossfade, Dip, Iris, Push, Shader, Slide, Wipe, Zoom

W, H, FPS = 64, 32, 10
SR = 48000


def pictures():
    """Two opaque pictures with smooth gradients (bilinear sampling errors stay below 1 level)."""
    y, x = np.mgrid[0:H, 0:W]
    a = np.stack([x * 4, y * 8, np.full_like(x, 90), np.full_like(x, 255)], -1).astype(np.uint8)
    b = np.stack([np.full_like(x, 200), 252 - x * 4, (y * 5 + x * 2) % 256, np.full_like(x, 255)], -1).astype(np.uint8)
    return a, b


A, B = pictures()


def scene_with(transition, *, a_end=2.0, duration=1.0):
    s = rf.Scene(W, H, fps=FPS, duration=3)
    a = s.add_image(A, start=0, end=a_end)
    b = s.add_image(B, start=0, end=3)
    s.add_transition(a, b, transition, duration=duration)
    return s


def render_at(scene, progress, frame=15):
    """Frame `frame` of the scene's overlap with the transition's progress fixed at `progress`."""
    tl = scene.compile()
    ts = tl.transitions
    ts[0].progress = [progress]
    tl.transitions = ts
    return _core.Renderer(tl).render_rgba(frame).astype(np.float64)


# -- numpy references ---------------------------------------------------------------------------
def uv_grid():
    """gl-transitions uv of every output pixel centre: x right, y up."""
    y, x = np.mgrid[0:H, 0:W]
    return (x + 0.5) / W, 1.0 - (y + 0.5) / H


def sample(img, u, v_gl):
    """Bilinear sample of a premultiplied uint8 picture at gl uv (transparent outside), float64."""
    tex = img.astype(np.float64)
    fx, fy = u * W - 0.5, (1.0 - v_gl) * H - 0.5
    x0, y0 = np.floor(fx).astype(int), np.floor(fy).astype(int)
    ax, ay = (fx - x0)[..., None], (fy - y0)[..., None]

    def texel(x, y):
        inside = ((x >= 0) & (x < W) & (y >= 0) & (y < H))[..., None]
        return np.where(inside, tex[np.clip(y, 0, H - 1), np.clip(x, 0, W - 1)], 0.0)

    return ((texel(x0, y0) * (1 - ax) + texel(x0 + 1, y0) * ax) * (1 - ay) +
            (texel(x0, y0 + 1) * (1 - ax) + texel(x0 + 1, y0 + 1) * ax) * ay)


def mix(a, b, m):
    m = np.asarray(m, dtype=np.float64)
    m = m[..., None] if m.ndim == 2 else m
    return a * (1 - m) + b * m


def smoothstep(e0, e1, x):
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


DIRS = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, 1.0), "down": (0.0, -1.0)}


def ref_crossfade(p):
    return mix(A, B, p)


def ref_dip(color):
    c = np.array(color, dtype=np.float64)
    c = np.array([*(c[:3] * c[3]), c[3]]) * 255.0

    def ref(p):
        return mix(A, c, 2 * p) if p < 0.5 else mix(c, B, 2 * p - 1)
    return ref


def ref_wipe(direction, softness):
    def ref(p):
        u, v = uv_grid()
        d = DIRS[direction]
        t = (u - 0.5) * d[0] + (v - 0.5) * d[1] + 0.5
        m = np.clip((p * (1 + softness) - t) / max(softness, 1e-5), 0, 1)
        return mix(A, B, m)
    return ref


def ref_slide(direction, push):
    def ref(p):
        u, v = uv_grid()
        d = DIRS[direction]
        b = sample(B, u + d[0] * (1 - p), v + d[1] * (1 - p))
        a = sample(A, u - d[0] * p, v - d[1] * p) if push else A.astype(np.float64)
        return b + (1 - b[..., 3:] / 255.0) * a
    return ref


def ref_zoom(p):
    u, v = uv_grid()
    amount = smoothstep(0.0, 0.8, p)
    a = sample(A, 0.5 + (u - 0.5) * (1 - amount), 0.5 + (v - 0.5) * (1 - amount))
    return mix(a, B, smoothstep(0.6, 1.0, p))


def ref_iris(softness):
    def ref(p):
        u, v = uv_grid()
        ratio = W / H
        d = np.hypot((u - 0.5) * ratio, v - 0.5)
        edge = p * (np.hypot(ratio * 0.5, 0.5) + softness)
        return mix(A, B, np.clip((edge - d) / max(softness, 1e-5), 0, 1))
    return ref


CASES = {
    "crossfade": (Crossfade, ref_crossfade, 1),
    "dip": (lambda: Dip("#3366cc"), ref_dip(rf.scene.parse_color("#3366cc")), 1),
    "dip_translucent": (lambda: Dip((255, 255, 255, 128)), ref_dip(rf.scene.parse_color((255, 255, 255, 128))), 1),
    "wipe_right_hard": (lambda: Wipe("right"), ref_wipe("right", 0.0), 1),
    "wipe_up_soft": (lambda: Wipe("up", 0.25), ref_wipe("up", 0.25), 1),
    "wipe_left_soft": (lambda: Wipe("left", 0.1), ref_wipe("left", 0.1), 1),
    "slide_left": (lambda: Slide("left"), ref_slide("left", False), 1),
    "slide_down": (lambda: Slide("down"), ref_slide("down", False), 1),
    "push_right": (lambda: Push("right"), ref_slide("right", True), 1),
    "push_up": (lambda: Push("up"), ref_slide("up", True), 1),
    "zoom": (Zoom, ref_zoom, 2),  # fractional bilinear taps: lavapipe's 8-bit filter weights
    "iris_soft": (lambda: Iris(0.1), ref_iris(0.1), 1),
}


@pytest.mark.parametrize("progress", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("name", list(CASES))
def test_builtin_transition_matches_numpy(name, progress):
    make, ref, tol = CASES[name]
    out = render_at(scene_with(make()), progress)
    t = ref(progress)
    expected = t + (1 - t[..., 3:] / 255.0) * np.array([0, 0, 0, 255.0])  # over the scene's black
    err = np.abs(out - expected)
    assert err.max() <= tol + 0.5, (name, progress, float(err.max()), np.unravel_index(err.argmax(), err.shape))
    if progress == 0.0:
        np.testing.assert_array_equal(out, A)  # nothing of b yet
    if progress == 1.0:
        np.testing.assert_array_equal(out, B)


def test_crossfade_midpoint_is_the_average_within_one_level():
    out = render_at(scene_with(Crossfade()), 0.5)
    assert np.abs(out - (A.astype(np.float64) + B) / 2).max() <= 1.0


def test_progress_table_follows_the_easing_over_the_overlap():
    s = scene_with(Wipe("right", easing="ease_in_out"))
    t = s.compile().transitions[0]
    assert (t.from_layer, t.to_layer, t.first_frame, t.end_frame) == (0, 1, 10, 20)
    u = (np.arange(10, 20) / FPS - 1.0) / 1.0
    np.testing.assert_allclose(t.progress, rf.easing.ease_in_out(u), atol=1e-6)
    # Outside the overlap the layers are ordinary: a before, b after.
    r = rf.Renderer(s)
    np.testing.assert_array_equal(r.render_frame(9), A)
    np.testing.assert_array_equal(r.render_frame(20), B)


def test_each_side_keeps_its_transform_and_effects_and_the_stack_position():
    """a is a small translucent solid, b an image with an effect; a layer above both stays on top."""
    s = rf.Scene(W, H, fps=FPS, duration=3, background=(0, 0, 0, 255))
    a = s.add_solid((255, 0, 0, 255), start=0, end=2, x=8, y=4, width=16, height=8, opacity=0.5)
    b = s.add_image(B, start=0, end=3)
    b.add_effect(rf.effects.Invert())
    top = s.add_solid((0, 255, 0, 255), start=0, end=3, x=40, y=20, width=8, height=8)
    s.add_transition(a, b, Crossfade(), duration=1.0)
    out = render_at(s, 0.5)
    a_img = np.zeros((H, W, 4))
    a_img[4:12, 8:24] = [127.5, 0, 0, 127.5]
    b_img = B.astype(np.float64).copy()
    b_img[..., :3] = 255 - b_img[..., :3]
    t = mix(a_img, b_img, 0.5)
    ref = t + (1 - t[..., 3:] / 255.0) * np.array([0, 0, 0, 255.0])
    ref[20:28, 40:48] = [0, 255, 0, 255]
    assert np.abs(out - ref).max() <= 1.5


# A shader written in the gl-transitions style for this test (not from that collection): header
# comments, a const global, helpers, defaults in comments for vec2 / float / int / bool uniforms,
# and `depth // = 3`-style integer literals for a float.
PASTED = """\
// Author: reelforge tests
// License: MIT
uniform vec2 direction; // = vec2(-1.0, 1.0)
uniform float smoothness; // = 0.25
uniform int bands; // = 4
uniform bool invert; // = false
uniform float gain; // = 1

const vec2 center = vec2(0.5, 0.5);

float along(vec2 uv) {
  vec2 v = normalize(direction);
  v /= abs(v.x) + abs(v.y);
  return v.x * (uv.x - center.x) + v.y * (uv.y - center.y) + 0.5;
}

vec4 transition (vec2 uv) {
  float s = along(uv);
  if (mod(floor(uv.x * float(bands)), 2.0) > 0.5) s = 1.0 - s;
  float m = 1.0 - smoothstep(-smoothness, 0.0, s - progress * (1.0 + smoothness));
  if (invert) m = 1.0 - m;
  return mix(getFromColor(uv), getToColor(uv), m) * gain;
}
"""


def ref_pasted(p, direction=(-1.0, 1.0), smoothness=0.25, bands=4, invert=False):
    u, v = uv_grid()
    d = np.array(direction) / np.hypot(*direction)
    d = d / np.abs(d).sum()
    s = d[0] * (u - 0.5) + d[1] * (v - 0.5) + 0.5
    s = np.where(np.floor(u * bands) % 2 > 0.5, 1 - s, s)
    m = 1 - smoothstep(-smoothness, 0.0, s - p * (1 + smoothness))
    return mix(A, B, 1 - m if invert else m)


def test_pasted_gl_transitions_style_shader_with_defaults_and_overrides():
    sh = Shader(PASTED)
    assert [(u.name, u.type, list(u.default_value)[:u.components]) for u in sh.compiled.uniforms] == [
        ("direction", "vec2", [-1.0, 1.0]), ("smoothness", "float", [0.25]), ("bands", "int", [4.0]),
        ("invert", "bool", [0.0]), ("gain", "float", [1.0])]
    for p in (0.0, 0.5, 1.0):
        out = render_at(scene_with(sh), p)
        assert np.abs(out - ref_pasted(p)).max() <= 1.5, p
    custom = Shader(PASTED, bands=2, invert=True, direction=(0.0, 1.0))
    out = render_at(scene_with(custom), 0.4)
    assert np.abs(out - ref_pasted(0.4, direction=(0.0, 1.0), bands=2, invert=True)).max() <= 1.5


def test_glsl_errors_name_the_users_line():
    with pytest.raises(rf.SceneError, match=r"transition:3: error: .*'nope'"):
        Shader("vec4 transition(vec2 uv) {\n  float a = 1.0;\n  return nope;\n}\n")
    with pytest.raises(rf.SceneError, match=r"must define `vec4 transition\(vec2 uv\)`"):
        Shader("vec4 effect(vec2 uv) { return vec4(1.0); }")
    with pytest.raises(rf.SceneError, match=r"transition:2: uniform 'luma' has type 'sampler2D'"):
        Shader("// a\nuniform sampler2D luma;\nvec4 transition(vec2 uv) { return getToColor(uv); }")
    with pytest.raises(rf.SceneError, match="no uniform 'speed'"):
        Shader(PASTED, speed=1.0)
    with pytest.raises(rf.SceneError, match=r"uniform 'direction' \(vec2\): expected 2"):
        Shader(PASTED, direction=1.0)
    with pytest.raises(rf.SceneTypeError, match="must be a bool"):
        Shader(PASTED, invert=1)
    with pytest.raises(rf.SceneError, match="direction must be one of left, right, up, down"):
        Wipe("diagonal")  # type: ignore[arg-type]
    with pytest.raises(rf.SceneError, match="softness"):
        Iris(2.0)


def test_add_transition_moves_b_and_keeps_its_duration():
    s = rf.Scene(W, H, fps=FPS, duration=10)
    a = s.add_image(A, start=1, end=4)
    b = s.add_image(B, start=6, end=8)
    rec = s.add_transition(a, b, Crossfade(), duration=0.5)
    assert (b.start, b.end) == (3.5, 5.5)
    assert rec.a is a and rec.b is b and rec.duration == 0.5 and s.transitions == [rec]
    c = s.add_solid("red", start=0)  # to the scene's end: stays so once moved
    s.add_transition(b, c, Dip(), duration=1.0)
    assert (c.start, c.end) == (4.5, None)


def test_add_transition_refuses_impossible_overlaps():
    s = rf.Scene(W, H, fps=FPS, duration=10)
    a = s.add_image(A, start=0, end=2)
    b = s.add_image(B, start=5, end=6)
    endless = s.add_solid("blue")
    with pytest.raises(rf.SceneError, match=r"a \(layer 'solid2'\) has no end"):
        s.add_transition(endless, b, Crossfade(), duration=0.5)
    with pytest.raises(rf.SceneError, match="duration must be > 0"):
        s.add_transition(a, b, Crossfade(), duration=0)
    with pytest.raises(rf.SceneError, match=r"longer than a .*use duration <= 2"):
        s.add_transition(a, b, Crossfade(), duration=3)
    with pytest.raises(rf.SceneError, match=r"longer than b .*use duration <= 1"):
        s.add_transition(a, b, Crossfade(), duration=1.5)
    with pytest.raises(rf.SceneError, match="same layer"):
        s.add_transition(a, a, Crossfade(), duration=0.5)
    with pytest.raises(rf.SceneTypeError, match="transition must be a reelforge.transitions object"):
        s.add_transition(a, b, "crossfade", duration=0.5)  # type: ignore[arg-type]
    with pytest.raises(rf.SceneError, match="audio must be one of"):
        s.add_transition(a, b, Crossfade(), duration=0.5, audio="loud")  # type: ignore[arg-type]
    other = rf.Scene(W, H).add_solid("red", end=1)
    with pytest.raises(rf.SceneError, match="not a layer of this scene"):
        s.add_transition(a, other, Crossfade(), duration=0.5)
    animated = s.add_image(B, start=5, end=7)
    animated.animate("x", [(5, 0), (6, 10)])
    with pytest.raises(rf.SceneError, match=r"b \(layer '.*'\) would move by -3\.5s but its x are animated"):
        s.add_transition(a, animated, Crossfade(), duration=0.5)
    blurred = s.add_image(B, start=5, end=7)
    blurred.add_effect(rf.effects.GaussianBlur(2).animate("radius", [(5, 0), (6, 4)]))
    with pytest.raises(rf.SceneError, match=r"effect 0 GaussianBlur.radius are animated"):
        s.add_transition(a, blurred, Crossfade(), duration=0.5)
    s.add_transition(a, b, Crossfade(), duration=0.5)
    assert b.start == 1.5
    c = s.add_image(A, start=0, end=1)
    with pytest.raises(rf.SceneError, match="already transitions to"):
        s.add_transition(a, c, Crossfade(), duration=0.5)
    with pytest.raises(rf.SceneError, match="already has a transition from"):
        s.add_transition(c, b, Crossfade(), duration=0.5)
    # An overlap shorter than a frame holds no frame: refused at compile.
    s2 = rf.Scene(W, H, fps=FPS, duration=4)
    x, y = s2.add_image(A, end=2), s2.add_image(B, end=2)
    s2.add_transition(x, y, Crossfade(), duration=0.01)
    with pytest.raises(rf.SceneError, match="holds no frame"):
        s2.compile()


def test_core_validation_names_the_transition():
    tl = scene_with(Crossfade()).compile()
    ts = tl.transitions
    ts[0].end_frame = 25  # past a's end
    tl.transitions = ts
    with pytest.raises(rf.SceneError, match="transition 0 .* where both layers show"):
        tl.validate()
    ts = tl.transitions  # fresh views: the old ones went with the reassignment
    ts[0].end_frame, ts[0].progress = 20, [0.5, 2.0]
    tl.transitions = ts
    with pytest.raises(rf.SceneError, match="progress needs 1 or 10 values"):
        tl.validate()


def test_sequence_lays_clips_end_to_end():
    s = rf.Scene(W, H, fps=FPS, duration=10)
    clips = [s.add_image(A, start=0, end=2), s.add_image(B, start=0, end=3), s.add_solid("red", start=0, end=1)]
    out = rf.sequence(s, clips, Push("left"), duration=0.5)
    assert out == clips
    assert [(c.start, c.end) for c in clips] == [(0, 2), (1.5, 4.5), (4.0, 5.0)]
    assert [(t.a, t.b) for t in s.transitions] == [(clips[0], clips[1]), (clips[1], clips[2])]
    tl = s.compile()
    assert [(t.first_frame, t.end_frame) for t in tl.transitions] == [(15, 20), (40, 45)]
    s2 = rf.Scene(W, H, fps=FPS, duration=10)
    cuts = [s2.add_image(A, end=2), s2.add_image(B, end=3)]
    rf.sequence(s2, cuts, duration=0)
    assert (cuts[1].start, cuts[1].end) == (2, 5) and s2.transitions == []
    s3 = rf.Scene(W, H, fps=FPS, duration=10)
    bad = [s3.add_image(A, end=2), s3.add_image(B, end=0.2)]
    with pytest.raises(rf.SceneError, match=r"sequence: clips\[0\] -> clips\[1\]: .*longer than b"):
        rf.sequence(s3, bad, duration=0.5)
    assert rf.sequence(s3, bad[:1]) == bad[:1]  # one clip: nothing to do
    s4 = rf.Scene(W, H, fps=FPS, duration=10)
    moved = [s4.add_image(A, end=2), s4.add_image(B, start=4, end=5)]
    moved[1].animate("opacity", [(4, 0), (5, 1)])
    with pytest.raises(rf.SceneError, match=r"sequence: clips\[1\] .*animated in scene time"):
        rf.sequence(s4, moved, duration=0)
    assert isinstance(rf.sequence(rf.Scene(W, H), [], duration=0.5), list)


# -- audio ------------------------------------------------------------------------------------
needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg CLI")


def tone_video(tmp_path, seconds=3.0):
    """A video with a constant 1 kHz tone (FLAC in Matroska: lossless, no encoder delay)."""
    out = tmp_path / "tone.mkv"
    r = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                        f"testsrc=size=64x32:rate={FPS}:duration={seconds}", "-f", "lavfi", "-i",
                        f"aevalsrc=exprs='0.5*sin(2*PI*1000*t)':s={SR}:d={seconds}", "-c:v", "libx264",
                        "-pix_fmt", "yuv420p", "-c:a", "flac", "-shortest", str(out)], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    return str(out)


def window_db(x, win=960):
    n = len(x) // win
    rms = np.sqrt((x[: n * win].reshape(n, win) ** 2).mean(axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-12))


def side_levels(tmp_path, audio):
    """Level (dB per 20 ms window, relative to the same clip without fades) of a's and b's clips."""
    path = tone_video(tmp_path)
    s = rf.Scene(W, H, fps=FPS, duration=4)
    a = s.add_video(path, end=2.0, audio=True)
    b = s.add_video(path, start=3.0, end=4.0, audio=True)
    s.add_transition(a, b, Crossfade(), duration=1.0, audio=audio)
    assert s.audio[1].start == 1.0  # the clip followed its layer
    levels = []
    for k in (0, 1):
        mixes = []
        for faded in (True, False):
            # Elements of tl.audio are views into the timeline: edit them before reassigning.
            tl = s.compile()
            clips = tl.audio
            if not faded:
                clips[k].fade_in = clips[k].fade_out = 0.0
            tl.audio = [clips[k]]
            mixes.append(_core.mix_audio(tl, 0, -1)[:, 0].astype(np.float64))
        levels.append(window_db(mixes[0]) - window_db(mixes[1]))
    centres = (np.arange(len(levels[0])) + 0.5) * 960 / SR
    return centres, levels


@needs_ffmpeg
@pytest.mark.parametrize("audio", ["equal_power", "linear"])
def test_audio_crossfade_level_across_the_span(tmp_path, audio):
    t, (la, lb) = side_levels(tmp_path, audio)
    span = (t > 1.0) & (t < 2.0)
    x = t[span] - 1.0
    if audio == "equal_power":
        ga, gb = np.cos(np.pi / 2 * x), np.sin(np.pi / 2 * x)
    else:
        ga, gb = 1 - x, x
    for level, g in ((la[span], ga), (lb[span], gb)):
        ok = g > 10 ** (-30 / 20)  # where the expected level is above -30 dB
        np.testing.assert_allclose(level[ok], 20 * np.log10(g[ok]), atol=0.5)
    before = (t > 0.1) & (t < 0.95)
    np.testing.assert_allclose(la[before], 0.0, atol=0.05)  # a untouched before the overlap
    after = (t > 2.05) & (t < 2.9)
    np.testing.assert_allclose(lb[after], 0.0, atol=0.05)
    if audio == "equal_power":  # the two sides' powers sum to one across the span
        power = 10 ** (la[span] / 10) + 10 ** (lb[span] / 10)
        np.testing.assert_allclose(power, 1.0, atol=0.05)


@needs_ffmpeg
def test_audio_none_leaves_the_clips_alone(tmp_path):
    path = tone_video(tmp_path)
    s = rf.Scene(W, H, fps=FPS, duration=4)
    a = s.add_video(path, end=2.0, audio=True)
    b = s.add_video(path, start=3.0, end=4.0, audio=True)
    s.add_transition(a, b, Crossfade(), duration=1.0, audio="none")
    clips = s.compile().audio
    assert [(c.fade_in, c.fade_out) for c in clips] == [(0.0, 0.0), (0.0, 0.0)]


def test_transitions_round_trip_through_json():
    s = rf.Scene(W, H, fps=FPS, duration=6)
    clips = [s.add_image(A, end=2), s.add_image(B, end=2), s.add_solid("#336699", end=2), s.add_image(A, end=2)]
    s.add_transition(clips[0], clips[1], Wipe("up", 0.2, easing="ease_in"), duration=0.5)
    s.add_transition(clips[1], clips[2], Dip("white"), duration=0.4, audio="linear")
    s.add_transition(clips[2], clips[3], Shader(PASTED, bands=2, invert=True), duration=0.6)
    doc = s.to_dict()
    assert doc["transitions"][0] == {"a": 0, "b": 1, "duration": 0.5, "transition": {
        "kind": "wipe", "direction": "up", "softness": 0.2, "easing": "ease_in"}}
    back = rf.Scene.from_dict(doc)
    assert [(l.start, l.end) for l in back.layers] == [(l.start, l.end) for l in s.layers]
    assert [(t.duration, t.audio, type(t.transition)) for t in back.transitions] == [
        (t.duration, t.audio, type(t.transition)) for t in s.transitions]
    assert back.transitions[2].transition.values == {"bands": 2.0, "invert": 1.0}
    r0, r1 = rf.Renderer(s), rf.Renderer(back)
    for i in (17, 33, 47):  # inside each overlap
        np.testing.assert_array_equal(r0.render_frame(i), r1.render_frame(i))


def test_groups_take_part_where_they_already_are():
    s = rf.Scene(W, H, fps=FPS, duration=3)
    a = s.add_image(A, end=2)
    inner = s.add_image(B, start=1, end=3)
    g = s.add_group([inner])
    s.add_transition(a, g, Crossfade(), duration=1.0)  # already in place: nothing moves
    np.testing.assert_allclose(render_at(s, 0.5), (A.astype(np.float64) + B) / 2, atol=1.0)
    s2 = rf.Scene(W, H, fps=FPS, duration=3)
    a2 = s2.add_image(A, end=2)
    g2 = s2.add_group([s2.add_image(B, start=0, end=3)])
    with pytest.raises(rf.SceneError, match="is a group, whose members keep their own times"):
        s2.add_transition(a2, g2, Crossfade(), duration=1.0)


def test_transition_inside_a_nested_scene():
    child = rf.Scene(W, H, fps=FPS, duration=3)
    a, b = child.add_image(A, end=2), child.add_image(B, end=3)
    child.add_transition(a, b, Crossfade(), duration=1.0)
    parent = rf.Scene(W, H, fps=FPS, duration=3)
    parent.add_scene(child)
    out = rf.Renderer(parent).render_frame(15).astype(np.float64)  # t = 1.5 s: progress 1/2
    assert np.abs(out - (A.astype(np.float64) + B) / 2).max() <= 1.0


@needs_ffmpeg
def test_export_with_transitions_and_crossfaded_audio_at_half_scale(tmp_path):
    from avprobe import decode_audio, decode_video, probe, stream
    path = tone_video(tmp_path)
    s = rf.Scene(128, 64, fps=FPS, duration=3)
    a = s.add_video(path, end=2.0, audio=True, width=128, height=64)
    b = s.add_solid("#2040c0", start=0, end=3)
    s.add_transition(a, b, Dip("white"), duration=1.0)
    s.add_solid((0, 0, 0, 0), end=3)  # a layer above, transparent
    out = tmp_path / "t.mp4"
    rf.Exporter(s, str(out), scale=0.5).run()
    info = probe(out)
    v = stream(info, "video")
    assert (v["width"], v["height"], int(v["nb_read_packets"])) == (64, 32, 30)
    frames = decode_video(out, 64, 32).astype(np.float64)
    assert np.abs(frames[15, 4:-4, 4:-4, :3] - 255).max() <= 6  # the dip's white middle
    np.testing.assert_allclose(frames[25, 4:-4, 4:-4, :3].mean(axis=(0, 1)), [32, 64, 192], atol=6)
    assert stream(info, "audio") is not None
    pcm = decode_audio(out)[:, 0].astype(np.float64)
    lv = window_db(pcm, 4800)  # 0.1 s windows: the tone fades out over 1..2 s (equal power)
    k = np.arange(11, 19)
    np.testing.assert_allclose(lv[k] - lv[5], 20 * np.log10(np.cos(np.pi / 2 * (k * 0.1 + 0.05 - 1.0))), atol=1.0)
    assert lv[25] < -60


def test_global_initialisers_see_uniforms_and_progress():
    """gl-transitions sources sometimes compute globals from uniforms (they are read from the
    uniform block directly, not copied in main)."""
    sh = Shader("uniform float amount; // = 0.25\nfloat k = amount * 2.0;\nfloat p = progress;\n"
                "vec4 transition(vec2 uv) { return mix(getFromColor(uv), getToColor(uv), p * k); }\n")
    out = render_at(scene_with(sh), 0.5)
    assert np.abs(out - mix(A, B, 0.25)).max() <= 1.0


def test_parameters_may_shadow_uniforms_and_defaults_may_sit_before_the_semicolon():
    """Both occur in the gl-transitions collection (a helper's parameter named like a uniform;
    ``uniform float x/* = 0.4 */;``)."""
    sh = Shader("uniform float persp/* = 0.5 */; // comment, with = signs\n"
                "vec2 shift(vec2 p, float persp) { return p + vec2(persp, 0.0); }\n"
                "vec4 transition(vec2 uv) { return mix(getFromColor(shift(uv, 0.0)), getToColor(uv), persp); }\n")
    assert list(sh.compiled.uniforms[0].default_value)[:1] == [0.5]
    out = render_at(scene_with(sh), 0.9)
    assert np.abs(out - mix(A, B, 0.5)).max() <= 1.0


def test_a_side_that_draws_nothing_blends_from_transparency():
    s = rf.Scene(W, H, fps=FPS, duration=3)
    a = s.add_image(A, end=2, opacity=0.0)  # never drawn: the node takes b's place
    b = s.add_image(B, end=3)
    s.add_transition(a, b, Crossfade(), duration=1.0)
    out = render_at(s, 0.5)
    assert np.abs(out - (B.astype(np.float64) * 0.5 + np.array([0, 0, 0, 127.5]))).max() <= 1.0


def test_a_custom_transition_class_is_not_serialisable():
    from reelforge.serialize import NotSerializableError

    class Mine(rf.transitions.Transition):
        def __init__(self):
            super().__init__("vec4 transition(vec2 uv) { return getToColor(uv); }")

    s = scene_with(Mine())
    with pytest.raises(NotSerializableError, match="transition 0: Mine is not a transition kind"):
        s.to_dict()


@needs_ffmpeg
@pytest.mark.parametrize("size", [(W, H), (W // 2, H // 2)])  # full frame: read as it is; smaller: composited
def test_video_side_matches_the_video_rendered_alone(tmp_path, size):
    path = tone_video(tmp_path)

    def scene(with_b):
        s = rf.Scene(W, H, fps=FPS, duration=3)
        a = s.add_video(path, end=2.0, width=size[0], height=size[1])
        if with_b:
            s.add_transition(a, s.add_image(B, end=3), Crossfade(), duration=1.0)
        return s

    alone = rf.Renderer(scene(False)).render_frame(15).astype(np.float64)  # over the black background
    out = render_at(scene(True), 0.5)
    # The transition blends a over transparency; the background shows through where a is not.
    a_over_nothing = alone if size == (W, H) else np.where(
        (np.arange(W)[None, :, None] < size[0]) & (np.arange(H)[:, None, None] < size[1]), alone, 0.0)
    t = mix(a_over_nothing, B, 0.5)
    ref = t + (1 - t[..., 3:] / 255.0) * np.array([0, 0, 0, 255.0])
    assert np.abs(out - ref).max() <= 1.0


def test_scenes_with_transitions_pickle_for_distributed_export():
    import pickle
    s = scene_with(Shader(PASTED, bands=2))
    back = pickle.loads(pickle.dumps(s))
    assert back.transitions[0].b is back.layers[1] and back.transitions[0].transition.compiled.spirv_words > 0
    np.testing.assert_array_equal(rf.Renderer(back).render_frame(15), rf.Renderer(s).render_frame(15))
