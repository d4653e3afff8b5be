"""Bad input must fail early with a reelforge exception whose message names the culprit."""

from __future__ import annotations

import contextlib
import math
import os

import numpy as np
import pytest

import reelforge as rf
from reelforge import _core


def scene(**kw):
    args = dict(width=64, height=48, fps=10, duration=1.0)
    args.update(kw)
    return rf.Scene(**args)


@contextlib.contextmanager
def raises_scene_error(*words, exc=rf.SceneError):
    """Expect ``exc`` (also a ReelforgeError) whose message contains every word (case-insensitive)."""
    with pytest.raises(exc) as info:
        yield info
    e = info.value
    assert isinstance(e, rf.ReelforgeError), f"{type(e).__name__} is not a ReelforgeError"
    msg = str(e)
    for w in words:
        assert w.lower() in msg.lower(), f"message {msg!r} does not mention {w!r}"


@pytest.fixture(scope="module")
def text_as_mp4(tmp_path_factory):
    p = tmp_path_factory.mktemp("bad") / "notes.mp4"
    p.write_text("this is a text file, not a video\n" * 20)
    return p


@pytest.fixture(scope="module")
def silent_video(lavfi):
    return lavfi.file("silent.mp4", ["-f", "lavfi", "-i", "testsrc2=s=64x48:r=10:d=1", "-c:v", "libx264",
                                     "-preset", "ultrafast", "-pix_fmt", "yuv420p"])


@pytest.fixture(scope="module")
def tone_wav(lavfi):
    return lavfi.file("tone.wav", ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=1"])


# --- Scene parameters -----------------------------------------------------------------------

@pytest.mark.parametrize("param, kw", [("width", dict(width=63)), ("height", dict(height=47)),
                                       ("width", dict(width=641, height=361))])
def test_odd_size_names_even_and_420(param, kw):
    with raises_scene_error(param, "even", "4:2:0"):
        scene(**kw)


def test_scene_error_is_value_error():
    with pytest.raises(ValueError):
        scene(width=63)


@pytest.mark.parametrize("param, kw", [
    ("width", dict(width=0)), ("width", dict(width=-64)), ("height", dict(height=0)),
    ("width", dict(width=64.0)), ("height", dict(height="48")), ("width", dict(width=True)),
    ("width", dict(width=16386)),
])
def test_bad_size(param, kw):
    with raises_scene_error(param):
        scene(**kw)


@pytest.mark.parametrize("duration", [0, 0.0, -1, -0.5, float("nan"), float("inf"), "long", None])
def test_bad_duration(duration):
    with raises_scene_error("duration"):
        scene(duration=duration)


def test_duration_too_short_for_one_frame():
    with raises_scene_error("duration", "frames"):
        scene(duration=0.01, fps=10)


@pytest.mark.parametrize("fps", [0, 0.0, -30, 5000, float("nan"), None, "fast"])
def test_bad_fps(fps):
    with raises_scene_error("fps"):
        scene(fps=fps)


def test_infinite_fps():
    with raises_scene_error("fps"):
        scene(fps=float("inf"))


@pytest.mark.parametrize("bg", ["#12345", "blak", (0, 0), (0, 0, 0, 0, 0), (256, 0, 0), (-1, 0, 0),
                                (float("nan"), 0, 0), None, 7])
def test_bad_background_colour(bg):
    with raises_scene_error("background"):
        scene(background=bg)


# --- missing and unreadable media -------------------------------------------------------------

@pytest.mark.parametrize("method", ["add_image", "add_video", "add_audio"])
def test_missing_file(tmp_path, method):
    missing = tmp_path / "no such dir" / ("missing.png" if method == "add_image" else "missing.mp4")
    with pytest.raises(FileNotFoundError) as ei:
        getattr(scene(), method)(missing)
    e = ei.value
    assert isinstance(e, rf.MediaNotFoundError) and isinstance(e, rf.MediaError)
    assert isinstance(e, rf.ReelforgeError)
    assert str(missing) in str(e), f"message {str(e)!r} lacks the path"


def test_missing_file_str_path(tmp_path):
    missing = str(tmp_path / "gone.png")
    with raises_scene_error(missing, "image7", exc=rf.MediaNotFoundError):
        scene().add_image(missing, name="image7")


def test_directory_is_not_media(tmp_path):
    with raises_scene_error(str(tmp_path), "not a file"):
        scene().add_video(tmp_path)


@pytest.mark.parametrize("method", ["add_video", "add_audio", "add_image"])
def test_text_file_renamed_mp4_is_media_error(text_as_mp4, method):
    with pytest.raises(rf.MediaError) as ei:
        getattr(scene(), method)(text_as_mp4)
    assert isinstance(ei.value, rf.ReelforgeError)
    assert str(text_as_mp4) in str(ei.value)


@pytest.fixture
def text_as_png(tmp_path):
    p = tmp_path / "picture.png"
    p.write_text("not a PNG either\n" * 20)
    return p


def test_unreadable_image_is_media_error_at_add_image(text_as_png):
    with pytest.raises(rf.MediaError) as ei:
        scene().add_image(text_as_png)
    assert str(text_as_png) in str(ei.value)


def test_file_removed_before_render_is_media_not_found(lavfi, tmp_path):
    p = tmp_path / "soon_gone.png"
    p.write_bytes(lavfi.png.read_bytes())
    s = scene()
    s.add_image(p)
    os.remove(p)
    with pytest.raises(FileNotFoundError) as ei:
        rf.Renderer(s)
    assert str(p) in str(ei.value)


def test_image_without_picture(tone_wav):
    with raises_scene_error("picture", "snd"):
        scene().add_image(tone_wav, name="snd")


def test_video_without_video_stream(tone_wav):
    with raises_scene_error("no video stream", "add_image", "clip"):
        scene().add_video(tone_wav, name="clip")


def test_add_video_refuses_png(lavfi):
    with raises_scene_error("add_image"):
        scene().add_video(lavfi.png, name="still")


def test_add_video_refuses_jpeg(lavfi):
    jpg = lavfi.file("still.jpg", ["-f", "lavfi", "-i", "testsrc2=s=64x48", "-frames:v", "1"])
    with raises_scene_error("add_image", "still"):
        scene().add_video(jpg, name="still")


def test_audio_clip_without_audio_is_media_error(silent_video):
    with pytest.raises(rf.MediaError):
        scene().add_audio(silent_video)


def test_audio_clip_without_audio_names_file(silent_video):
    with pytest.raises(rf.ReelforgeError, match="no audio stream") as ei:
        scene().add_audio(silent_video)
    assert str(silent_video) in str(ei.value)


def test_video_audio_true_without_audio(silent_video):
    with raises_scene_error("audio", "cam", exc=rf.ReelforgeError):
        scene().add_video(silent_video, audio=True, name="cam")


def test_trim_start_past_source_end(silent_video):
    with raises_scene_error("trim_start", "cam"):
        scene().add_video(silent_video, trim_start=5.0, name="cam")


# --- layer timing ------------------------------------------------------------------------------

@pytest.mark.parametrize("start", [1.0, 1.5, 100])
def test_layer_starting_at_or_after_scene_end(start):
    with raises_scene_error("late", "start", "outside"):
        scene(duration=1.0).add_solid((255, 0, 0), start=start, name="late")


@pytest.mark.parametrize("start", [-0.1, float("nan"), "soon"])
def test_bad_layer_start(start):
    with raises_scene_error("box", "start"):
        scene().add_solid((255, 0, 0), start=start, name="box")


@pytest.mark.parametrize("start, end", [(0.5, 0.5), (0.5, 0.2), (0.0, 0.0)])
def test_end_not_after_start(start, end):
    with raises_scene_error("box", "end"):
        scene().add_solid((255, 0, 0), start=start, end=end, name="box")


def test_end_not_after_start_for_image_and_video(silent_video):
    img = np.zeros((4, 4, 4), np.uint8)
    with raises_scene_error("pic", "end"):
        scene().add_image(img, start=0.6, end=0.3, name="pic")
    with raises_scene_error("vid", "end"):
        scene().add_video(silent_video, start=0.6, end=0.6, name="vid")


def test_audio_clip_start_outside_scene(tone_wav):
    with raises_scene_error("start", "outside"):
        scene(duration=1.0).add_audio(tone_wav, start=1.0)


# --- animation -------------------------------------------------------------------------------

@pytest.fixture
def box():
    return scene().add_solid((255, 255, 255), name="box")


@pytest.mark.parametrize("prop", ["colour", "alpha", "X", "", "rotate"])
def test_unknown_property(box, prop):
    with raises_scene_error("box", repr(prop), "x, y"):  # lists the valid ones
        box.animate(prop, [(0, 0), (1, 1)])
    with raises_scene_error("box", repr(prop)):
        box.set(prop, 1.0)


@pytest.mark.parametrize("easing", ["bouncy", "easeInOut", 42, object()])
def test_unknown_easing(box, easing):
    with raises_scene_error("box", "'x'", "easing"):
        box.animate("x", [(0, 0), (1, 10)], easing=easing)


def test_unknown_segment_easing(box):
    with raises_scene_error("box", "'y'", "keyframe 1", "easing", "wobble"):
        box.animate("y", [(0, 0), (0.5, 5, "wobble"), (1, 10)])


@pytest.mark.parametrize("kf, words", [
    ([(0, 0), (1, 10), (0.5, 5)], ("out of order", "index 2")),
    ([(0.5, 0), (0.5, 10)], ("out of order", "duplicate")),
    ([(1, 0), (0, 10)], ("out of order", "index 1")),
])
def test_keyframes_out_of_order(box, kf, words):
    with raises_scene_error("box", "'x'", *words):
        box.animate("x", kf)


@pytest.mark.parametrize("kf, words", [
    ([(0, 0), (1, float("nan"))], ("keyframe 1", "value", "finite")),
    ([(float("nan"), 0), (1, 1)], ("keyframe 0", "time", "finite")),
    ([(0, 0), (1, float("inf"))], ("keyframe 1", "finite")),
    ([(0, 0), (1, np.nan)], ("keyframe 1", "finite")),
    ([(0, "zero"), (1, 1)], ("keyframe 0", "value", "real")),
    ([(0, 0, "linear", "extra")], ("keyframe 0",)),
    ([], ("non-empty",)),
])
def test_bad_keyframe_values(box, kf, words):
    with raises_scene_error("box", "'opacity'", *words):
        box.animate("opacity", kf)


def test_audio_gain_keyframes_validated(tone_wav):
    clip = scene().add_audio(tone_wav)
    with raises_scene_error("gain_db", "finite"):
        clip.animate("gain_db", [(0, 0), (0.5, float("nan"))])
    with raises_scene_error("only 'gain_db'", "volume"):
        clip.animate("volume", [(0, 0), (0.5, 1)])


@pytest.mark.parametrize("value, words", [
    (lambda t: np.zeros(3), ("shape (3,)", "expected (10,)")),
    (lambda t: np.zeros((len(t), 2)), ("shape (10, 2)",)),
    (lambda t: t / 0.0, ("non-finite",)),
    (lambda t: "left", ("str",)),
    (np.zeros(4), ("shape (4,)", "expected (10,)")),
    ([1.0, 2.0], ("shape (2,)",)),
    ("left", ("str",)),
])
@pytest.mark.parametrize("where", ["compile", "Renderer"])
def test_bad_property_value_raises_naming_layer_and_property(value, words, where):
    s = scene()  # 10 frames
    s.add_solid((255, 0, 0), name="ok")
    with np.errstate(all="ignore"), raises_scene_error("layer 'logo'", "property 'x'", *words):
        # Constants and arrays are refused by set() itself, callables when they are evaluated.
        s.add_solid((255, 255, 255), name="logo").set("x", value)
        s.compile() if where == "compile" else rf.Renderer(s)


def test_scalar_callable_is_fine_and_errors_give_the_frame():
    # math.sqrt only takes scalars, so the callable is evaluated frame by frame.
    s = scene()  # t = 0.0 .. 0.9: fine
    s.add_solid((255, 255, 255), name="logo").set("y", lambda t: math.sqrt(1.0 - t))
    s.compile()
    s2 = scene(duration=2.0)  # frame 11 is t = 1.1: math domain error
    s2.add_solid((255, 255, 255), name="logo").set("y", lambda t: math.sqrt(1.0 - t))
    with raises_scene_error("layer 'logo'", "property 'y'", "index 11"):
        s2.compile()


def test_unknown_blend_mode_at_compile():
    s = scene()
    s.add_solid((255, 255, 255), name="box").blend = "burn"
    with raises_scene_error("box", "burn", "multiply"):
        s.compile()


# --- colours and arrays ------------------------------------------------------------------------

@pytest.mark.parametrize("color", ["redd", "#ff00f", "#gg0000", "ff0000x", (255, 0), (255, 0, 0, 0, 0),
                                   (300, 0, 0), (0, -5, 0), (float("nan"), 0, 0), None, 12])
def test_bad_solid_colour(color):
    with raises_scene_error("layer 'paint'", "color"):
        scene().add_solid(color, name="paint")


@pytest.mark.parametrize("color", ["#ff8000", "#FF800080", (255, 128, 0), (255, 128, 0, 128), [1.5, 2, 3]])
def test_good_colours_accepted(color):
    scene().add_solid(color)


@pytest.mark.parametrize("arr", [np.zeros((4, 4, 2), np.uint8), np.zeros((4, 4, 4), np.float32),
                                 np.zeros((4, 4), np.uint8), np.zeros((0, 4, 4), np.uint8),
                                 np.zeros((4, 4, 4), np.uint16)])
def test_bad_image_array(arr):
    with raises_scene_error("layer 'pic'", "image", "uint8"):
        scene().add_image(arr, name="pic")


# --- unclear or late errors (issue 10): each names the argument and the fix, before any output ---

@pytest.mark.parametrize("kw, word", [(dict(fps="30"), "fps"), (dict(duration="2"), "duration"),
                                      (dict(fps=b"30"), "fps"), (dict(duration=True), "duration")])
def test_strings_are_not_numbers(kw, word):
    with raises_scene_error(word, "number", exc=rf.SceneTypeError) as info:
        scene(**kw)
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)


def test_string_times_refused_everywhere(tone_wav):
    s = scene()
    with raises_scene_error("box", "start", "number of seconds", exc=rf.SceneTypeError):
        s.add_solid((0, 0, 0), start="0.5", name="box")
    with raises_scene_error("fade_in", "number of seconds", exc=rf.SceneTypeError):
        s.add_audio(tone_wav, fade_in="1")
    with raises_scene_error("loop", "True or False", exc=rf.SceneTypeError):
        s.add_audio(tone_wav, loop="yes")


@pytest.mark.parametrize("gain", ["loud", None, [1.0], float("nan"), 1e6])
def test_gain_db_names_the_argument(tone_wav, gain):
    with raises_scene_error("gain_db", "tone.wav"):
        scene().add_audio(tone_wav, gain_db=gain)


def test_gain_db_string_is_a_type_error_with_an_example(tone_wav):
    with raises_scene_error("gain_db", "number of dB", "gain_db=-6", exc=rf.SceneTypeError) as info:
        scene().add_audio(tone_wav, gain_db="loud")
    assert isinstance(info.value, TypeError)


def test_video_gain_db_checked_before_anything_is_added(silent_video):
    s = scene()
    with raises_scene_error("cam", "gain_db"):
        s.add_video(silent_video, gain_db="loud", name="cam")
    assert s.layers == [] and s.audio == []


def test_layer_start_after_the_last_frame_is_refused_at_add_time():
    s = rf.Scene(64, 48, fps=30, duration=2)  # last frame 59 at 1.9667 s
    with raises_scene_error("late", "start=1.99", "outside", "last frame (59)", "use start <= 1.966666"):
        s.add_solid((255, 0, 0), start=1.99, name="late")
    assert s.layers == []
    # The start the message suggests works: the layer shows on the last frame only.
    s.add_solid((255, 0, 0), start=1.966666, name="last")
    tl = s.compile()
    assert (tl.layers[0].start_frame, tl.layers[0].end_frame) == (59, 60)


@pytest.mark.parametrize("exc", [ZeroDivisionError, KeyError, RuntimeError, AttributeError])
def test_callable_that_raises_names_layer_property_frame_and_chains(exc):
    def f(t):
        if np.ndim(t) == 0 and t > 0.45:
            raise exc("boom")
        return t * 0 + 1.0 if np.ndim(t) == 0 else exc.__call__  # junk for the array call
    s = scene()  # frames at 0.0 .. 0.9
    s.add_solid((255, 255, 255), name="logo").set("rotation", f)
    with raises_scene_error("layer 'logo'", "property 'rotation'", "index 5", "t=0.5", exc.__name__, "boom") as info:
        s.compile()
    assert isinstance(info.value.__cause__, exc)


def test_callable_raising_on_arrays_only_falls_back_to_per_frame():
    table = {round(i / 10, 1): float(i) for i in range(10)}
    s = scene()
    s.add_solid((255, 255, 255), name="logo").set("x", lambda t: table[round(t, 1)])  # TypeError on arrays
    assert np.array_equal(s.compile().layers[0].track.x, np.arange(10, dtype=np.float32))


@pytest.mark.parametrize("value", [1.5, -0.1])
def test_crop_constant_out_of_range(value):
    with raises_scene_error("layer 'box'", "property 'crop_left'", "outside 0..1"):
        scene().add_solid((0, 0, 0), name="box").set("crop_left", value)


def test_crop_keyframe_out_of_range():
    with raises_scene_error("layer 'box'", "property 'crop_top'", "keyframe 1", "outside 0..1"):
        scene().add_solid((0, 0, 0), name="box").animate("crop_top", [(0, 0.0), (1, 1.2)])


def test_crop_overshoot_is_reported_not_clipped():
    # An underdamped spring from 0 to 1 overshoots 1: the old compile clipped it silently.
    s = scene()
    s.add_solid((0, 0, 0), name="box").animate("crop_right", [(0, 0.0), (0.5, 1.0)], easing=rf.spring())
    with raises_scene_error("layer 'box'", "property 'crop_right'", "at frame", "outside 0..1", "spring"):
        s.compile()
    s2 = scene()
    s2.add_solid((0, 0, 0), name="box").set("crop_bottom", lambda t: 2 * t)  # 1.2 at frame 6
    with raises_scene_error("layer 'box'", "property 'crop_bottom'", "at frame 6"):
        s2.compile()


def test_audio_trim_start_past_end_raises_like_video(tone_wav, silent_video):
    # Other modules may make their own "tone.wav" in the shared lavfi cache: use its real length.
    audio_s, video_s = _core.probe(str(tone_wav)).duration, _core.probe(str(silent_video)).duration
    with raises_scene_error("trim_start", "tone.wav", "past the end", f"{audio_s:.3f}s long"):
        scene().add_audio(tone_wav, trim_start=audio_s + 0.5)
    with raises_scene_error("trim_start", "past the end", f"{video_s:.3f}s long"):
        scene().add_video(silent_video, trim_start=video_s + 0.5, end=0.5)  # also when end is given
    scene().add_audio(tone_wav, trim_start=audio_s / 2)  # inside the file: fine


def test_absurd_frame_count_is_refused_before_allocating():
    with raises_scene_error("3,000,000,000 frames", "MAX_FRAMES", "several scenes"):
        rf.Scene(64, 48, fps=30, duration=1e8)
    s = scene()
    s.duration = 1e8  # grown after construction: compile refuses too
    with raises_scene_error("MAX_FRAMES"):
        s.compile()


def test_compile_memory_follows_the_layers_not_the_scene_length():
    import tracemalloc
    from reelforge.scene import MAX_FRAMES
    s = rf.Scene(64, 48, fps=30, duration=MAX_FRAMES / 30)
    for i in range(3):
        s.add_solid((i, 0, 0), x=i, opacity=0.5)
    s.add_solid((0, 0, 0), start=1.0, end=2.0).set("x", lambda t: t * 10)  # 30 frames animated
    tracemalloc.start()
    try:
        tl = s.compile()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert tl.frame_count == MAX_FRAMES
    assert peak < 4 << 20, f"compile of constant layers used {peak / 1e6:.1f} MB"  # frame times alone: 80 MB
