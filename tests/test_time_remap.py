"""Time remapping of video layers (reelforge.timeremap): speed, reverse, freeze, loop, ramps.

Every rendered frame is checked against ffmpeg's own decode of the source frame the remap should
show (PSNR >= 40 dB against it, and clearly lower against its neighbours), on generated
numbered-frame sources: each frame's index drawn as 8 binary blocks (no font), in MP4 (H.264) and
WebM (VP9). The audio is checked against the tone it was made from (dominant frequency by FFT).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import reelforge as rf
from reelforge import _core
from reelforge.testing import psnr
from avprobe import decode_audio, decode_video

FPS = 25
W, H = 64, 48
N_SRC = 75  # 3 s at 25 fps


def _numbered_frames(n: int, w: int, h: int) -> np.ndarray:
    """Gray frames: frame k shows the 8 bits of k as bright (1) or dark (0) blocks, 2 rows of 4."""
    frames = np.full((n, h, w), 40, np.uint8)
    bw, bh = w // 4, h // 2
    for k in range(n):
        for b in range(8):
            r, c = divmod(b, 4)
            if (k >> b) & 1:
                frames[k, r * bh + bh // 6: (r + 1) * bh - bh // 6, c * bw + bw // 6: (c + 1) * bw - bw // 6] = 220
    return frames


def _encode(path: Path, frames: np.ndarray, codec: list[str], audio: list[str] = ()) -> Path:
    n, h, w = frames.shape
    cmd = ["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "rawvideo", "-pix_fmt", "gray", "-s", f"{w}x{h}",
           "-r", str(FPS), "-i", "-", *audio, *codec, "-pix_fmt", "yuv420p", str(path)]
    subprocess.run(cmd, input=frames.tobytes(), check=True, timeout=120)
    return path


CODECS = {
    "mp4": ["-c:v", "libx264", "-g", "12", "-crf", "4"],
    "webm": ["-c:v", "libvpx-vp9", "-g", "12", "-crf", "10", "-b:v", "0", "-deadline", "realtime", "-cpu-used", "8"],
}


@pytest.fixture(scope="module", params=sorted(CODECS))
def numbered(request, tmp_path_factory, lavfi):
    """(path, reference frames decoded by ffmpeg as RGBA (75, 48, 64, 4), pts tolerance in frames)."""
    fmt = request.param
    path = _encode(tmp_path_factory.mktemp("remap") / f"numbered.{fmt}", _numbered_frames(N_SRC, W, H), CODECS[fmt])
    ref = decode_video(path, W, H)
    assert len(ref) == N_SRC
    # Matroska rounds pts to 1 ms: the frame-selection tolerance (one tick) is 1/40 frame there.
    return path, ref, (0.025 if fmt == "webm" else 0.002)


def _expected(source_seconds: np.ndarray, tol_frames: float) -> np.ndarray:
    """Index of the latest source frame with pts <= t (within the tolerance), clamped to the file."""
    return np.clip(np.floor(source_seconds * FPS + tol_frames + 1e-9).astype(int), 0, N_SRC - 1)


def _check_frames(scene: rf.Scene, ref: np.ndarray, expected: np.ndarray, *, skip=()) -> None:
    r = rf.Renderer(scene)
    for j, k in enumerate(expected):
        if j in skip:
            continue
        f = r.render_frame(j)
        p = {d: psnr(f, ref[k + d]) for d in (-1, 0, 1) if 0 <= k + d < N_SRC}
        assert p[0] >= 40.0, f"frame {j} vs source frame {k}: PSNR {p[0]:.1f} dB (by offset {p})"
        assert all(p[0] > p[d] + 10 for d in p if d), f"frame {j}: source frame {k} is not the best match {p}"


@pytest.mark.parametrize("speed", [2.0, 0.5])
def test_speed_shows_the_expected_source_frames(numbered, speed):
    path, ref, tol = numbered
    s = rf.Scene(W, H, fps=FPS, duration=3)
    layer = s.add_video(path, speed=speed)
    assert layer.end == pytest.approx(3.0 / speed)
    n = min(s.frame_count, round(3.0 / speed * FPS))
    _check_frames(s, ref, _expected(np.arange(n) / FPS * speed, tol))


def test_reverse_shows_the_source_backwards(numbered):
    path, ref, _ = numbered
    s = rf.Scene(W, H, fps=FPS, duration=3)
    s.add_video(path, reverse=True)
    # Output frame j shows source frame 74 - j: every source frame once, last first.
    _check_frames(s, ref, N_SRC - 1 - np.arange(N_SRC))


def test_reverse_with_trim_and_speed(numbered):
    path, ref, tol = numbered
    s = rf.Scene(W, H, fps=FPS, duration=3)
    layer = s.add_video(path, trim_start=1.0, speed=2.0, reverse=True)
    assert layer.end == pytest.approx(1.0)  # (3 - 1) s of source at 2x
    # E = 3 s; frame j shows E - 2 (j + 1) / fps: source frames 73, 71, ..., 25.
    _check_frames(s, ref, _expected(3.0 - 2.0 * (np.arange(25) + 1) / FPS, tol))


def test_keyframed_speed_ramp(numbered):
    path, ref, tol = numbered
    s = rf.Scene(W, H, fps=FPS, duration=2)
    layer = s.add_video(path, end=2.0)
    layer.set_time_remap([(0.0, 0.0), (1.0, 0.4), (2.0, 2.4)])  # 0.4x for a second, then 2x
    t = np.arange(50) / FPS
    _check_frames(s, ref, _expected(np.interp(t, [0, 1, 2], [0, 0.4, 2.4]), tol))


def test_callable_ramp_forward_and_back(numbered):
    path, ref, tol = numbered
    s = rf.Scene(W, H, fps=FPS, duration=2)
    layer = s.add_video(path, end=2.0)

    def ramp(t):  # accelerates to 2.5 s of source, then runs backwards (a backward jump per frame)
        return np.where(t < 1.0, 2.5 * t * t, 2.5 - 2.0 * (t - 1.0))

    layer.set_time_remap(ramp)
    src = ramp(np.arange(50) / FPS)
    frac = src * FPS - np.floor(src * FPS)
    ambiguous = {j for j in range(50) if 0.9 < frac[j] < 0.999}  # within the tolerance of a frame
    _check_frames(s, ref, _expected(src, tol), skip=ambiguous)


def test_per_frame_array_remap_with_holds(numbered):
    path, ref, tol = numbered
    s = rf.Scene(W, H, fps=FPS, duration=1)
    layer = s.add_video(path, end=1.0)
    table = np.repeat([0.4, 2.0, 1.2, 2.8, 0.0], 5).astype(np.float64)  # holds and jumps both ways
    layer.set_time_remap(table)
    _check_frames(s, ref, _expected(table, tol))


def test_freeze_shows_one_frame(numbered):
    path, ref, _ = numbered
    s = rf.Scene(W, H, fps=FPS, duration=1.2)
    layer = s.add_video(path, freeze_at=1.0, start=0.2)
    assert layer.end is None  # to the scene's end
    tl = s.compile()
    assert list(tl.layers[0].source_time) == [1.0]  # one value for the whole span
    _check_frames(s, ref, np.full(30, 25), skip=set(range(5)))
    r = rf.Renderer(s)
    frames = [r.render_frame(j) for j in range(5, 30)]
    assert all((f == frames[0]).all() for f in frames), "a freeze frame changed"


def test_loop_restarts_at_trim_start(numbered):
    path, ref, _ = numbered
    s = rf.Scene(W, H, fps=FPS, duration=5)
    s.add_video(path, trim_start=2.0, loop=True)  # 1 s (25 frames) of source, looped
    j = np.arange(125)
    _check_frames(s, ref, 50 + j % 25)


def test_any_frame_renders_alone_as_in_sequence(numbered):
    path, _, _ = numbered
    s = rf.Scene(W, H, fps=FPS, duration=3)
    s.add_video(path, reverse=True, speed=1.5)
    seq = rf.Renderer(s)
    frames = [seq.render_frame(j) for j in range(40)]
    for j in (39, 3, 20):  # fresh renderers: no state but what the frame index implies
        assert (rf.Renderer(s).render_frame(j) == frames[j]).all()


# --- memory: reverse over a 10 s GOP-250 source -------------------------------------------------

_MEM_SCRIPT = textwrap.dedent("""
    import json, resource, sys
    import numpy as np
    import reelforge as rf
    path, reverse = sys.argv[1], sys.argv[2] == "1"
    s = rf.Scene(640, 480, fps=25, duration=10)
    s.add_video(path, reverse=reverse)
    r = rf.Renderer(s)
    keep = {}
    for j in range(s.frame_count):
        f = r.render_frame(j)
        if j in (0, 1, 124, 248, 249):
            keep[j] = f[::8, ::8, 0].tolist()
    print(json.dumps({"rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "frames": keep}))
""")


@pytest.fixture(scope="module")
def gop250(tmp_path_factory, lavfi) -> Path:
    """10 s, 25 fps, 640x480 numbered frames in ONE 250-frame GOP (H.264 in MP4)."""
    big = _numbered_frames(250, 64, 48).repeat(10, axis=1).repeat(10, axis=2)
    return _encode(tmp_path_factory.mktemp("gop") / "gop250.mp4", big,
                   ["-c:v", "libx264", "-preset", "ultrafast", "-g", "250", "-keyint_min", "250", "-sc_threshold", "0",
                    "-crf", "10"])


def test_decoding_work_of_remaps(gop250):
    """No seek per frame: forward maps decode forward, reverse decodes a window at a time."""
    fwd = _core.remap_decode_stats(str(gop250), np.arange(125) * 2 / FPS)  # 2x over 10 s of source
    assert fwd["reopens"] == 1 and fwd["decoded"] <= 250
    jump = _core.remap_decode_stats(str(gop250), np.r_[np.arange(10) / FPS, 1.5, 6.0, 6.04])
    assert jump["reopens"] == 2, "a jump under 2 s decodes through, a longer one seeks once"
    rev = _core.remap_decode_stats(str(gop250), 10 - (np.arange(250) + 1) / FPS)
    windows = math.ceil(250 / rev["window_frames"])
    assert rev["window_frames"] == math.ceil(250 / 4), "a quarter of the longest GOP (fits in 48 MiB here)"
    assert rev["reopens"] == windows, "one decode from the keyframe per window, not a seek per frame"
    assert rev["decoders"] == 1, "each window seeks the same decoder back, none is reopened"
    # Each window decodes the GOP from its keyframe up to the window's last frame.
    assert rev["decoded"] <= windows * 250
    assert rev["pts"] == sorted(rev["pts"], reverse=True) and len(set(rev["pts"])) == 250


def test_reverse_of_a_long_gop_uses_bounded_memory(tmp_path, gop250):
    path = gop250
    keyframes = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-skip_frame", "nokey",
                                "-show_entries", "frame=pts", "-of", "csv=p=0", str(path)],
                               capture_output=True, text=True, check=True).stdout.split()
    assert len(keyframes) == 1, "the source should be one 250-frame GOP"
    script = tmp_path / "mem.py"
    script.write_text(_MEM_SCRIPT)
    runs = {}
    for rev in (0, 1):
        out = subprocess.run([sys.executable, str(script), str(path), str(rev)], capture_output=True, text=True,
                             timeout=600, env={**os.environ})
        assert out.returncode == 0, out.stderr[-2000:]
        runs[rev] = json.loads(out.stdout.strip().splitlines()[-1])
    ref = decode_video(path, 640, 480)[:, ::8, ::8, 0].astype(np.float64)
    for j, f in runs[1]["frames"].items():
        want = ref[249 - int(j)]
        err = np.abs(np.asarray(f, np.float64) - want).mean()
        assert err < 3.0, f"reversed frame {j}: mean error {err:.1f} vs source frame {249 - int(j)}"
    grown_mb = (runs[1]["rss_kb"] - runs[0]["rss_kb"]) / 1024
    gop_mb = 250 * 640 * 480 * 1.5 / 2**20  # what caching the whole GOP would take: 110 MB
    # The window is at most 48 MiB of pictures (RemapSource::kWindowBytes), decoder copies aside.
    assert grown_mb < 80, f"reverse play grew peak RSS by {grown_mb:.0f} MB (a whole GOP is {gop_mb:.0f} MB)"


# --- audio ----------------------------------------------------------------------------------------

def _dominant_hz(x: np.ndarray, rate: int = 48000) -> float:
    mono = x.mean(axis=1) * np.hanning(len(x))
    spec = np.abs(np.fft.rfft(mono, 1 << 20))
    return float(np.fft.rfftfreq(1 << 20, 1 / rate)[np.argmax(spec)])


def _rms_windows(x: np.ndarray, size: int = 960) -> np.ndarray:
    n = len(x) // size
    return np.sqrt((x[: n * size].reshape(n, size, 2) ** 2).mean(axis=(1, 2)))


@pytest.fixture(scope="module")
def tone_video(lavfi):
    """4 s gray video with a 440 Hz sine (AAC)."""
    return lavfi.file("remap_tone.mp4", [
        "-f", "lavfi", "-i", "color=gray:size=64x48:rate=25:duration=4",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=4",
        "-c:v", "libx264", "-g", "25", "-c:a", "aac", "-b:a", "192k", "-shortest"])


@pytest.fixture(scope="module")
def two_tone_video(lavfi):
    """4 s gray video whose audio is 440 Hz for 2 s, then 880 Hz."""
    return lavfi.file("remap_two_tone.mp4", [
        "-f", "lavfi", "-i", "color=gray:size=64x48:rate=25:duration=4",
        "-f", "lavfi", "-i", "aevalsrc='0.5*sin(2*PI*if(lt(t,2),440,880)*t)':s=48000:d=4",
        "-c:v", "libx264", "-g", "25", "-c:a", "aac", "-b:a", "192k", "-shortest"])


@pytest.mark.parametrize("speed,preserve,want_hz", [(2.0, True, 440.0), (0.5, True, 440.0), (0.3, True, 440.0),
                                                    (2.0, False, 880.0), (0.5, False, 220.0)])
def test_audio_speed_pitch(tone_video, speed, preserve, want_hz):
    s = rf.Scene(64, 48, fps=25, duration=1.8)
    s.add_video(tone_video, audio=True, speed=speed, preserve_pitch=preserve)
    a = _core.mix_audio(s.compile())
    got = _dominant_hz(a[4800:-4800])
    assert got == pytest.approx(want_hz, rel=0.01), f"dominant frequency {got:.1f} Hz, expected {want_hz} Hz"
    # Continuous: no 20 ms window drops out (the sine's RMS is 0.125 / sqrt(2) ~ 0.088).
    rms = _rms_windows(a)
    assert rms.min() > 0.5 * np.median(rms), f"audio drops out: RMS windows {rms.min():.3f} .. {rms.max():.3f}"


def test_audio_reverse_plays_backwards(two_tone_video):
    s = rf.Scene(64, 48, fps=25, duration=4)
    s.add_video(two_tone_video, audio=True, reverse=True)
    a = _core.mix_audio(s.compile())
    assert _dominant_hz(a[4800:86400]) == pytest.approx(880.0, rel=0.01)  # the source's end comes first
    assert _dominant_hz(a[105600:187200]) == pytest.approx(440.0, rel=0.01)


def test_audio_of_a_freeze_is_silent(tone_video):
    s = rf.Scene(64, 48, fps=25, duration=2)
    s.add_video(tone_video, audio=True, freeze_at=1.0)
    a = _core.mix_audio(s.compile())
    assert np.abs(a).max() == 0.0


def test_audio_ramp_is_continuous(tone_video):
    s = rf.Scene(64, 48, fps=25, duration=2)
    layer = s.add_video(tone_video, audio=True, end=2.0)
    layer.set_time_remap([(0.0, 0.0), (2.0, 3.6)], easing="ease_in")  # speed 0 -> 3.6x
    a = _core.mix_audio(s.compile())
    # From the first half second (a slow start) to the last frame (the stretcher's latency reaches
    # past the source's end there).
    rms = _rms_windows(a[24000:-1920])
    assert rms.min() > 0.5 * np.median(rms)
    assert _dominant_hz(a[48000:]) == pytest.approx(440.0, rel=0.01)


def _switch_time(a: np.ndarray, rate: int = 48000, win: int = 480) -> float:
    """First time (s) at which 880 Hz dominates 440 Hz in a 10 ms window (single-bin DFTs)."""
    x = a[: len(a) // win * win, 0].reshape(-1, win)
    t = np.arange(win) / rate
    e440 = np.abs(x @ np.exp(-2j * np.pi * 440 * t))
    e880 = np.abs(x @ np.exp(-2j * np.pi * 880 * t))
    hit = np.flatnonzero((e880 > e440) & (e880 > 0.1 * e880.max()))
    assert hit.size, "the 880 Hz half never plays"
    return float(hit[0] * win + win / 2) / rate


@pytest.mark.parametrize("keyframes,easing,tolerance", [
    ([(0.0, 0.0), (2.0, 3.0)], "linear", 0.03),      # constant 1.5x
    ([(0.0, 1.0), (2.0, 2.2)], "linear", 0.03),      # constant 0.6x
    ([(0.0, 0.0), (2.0, 3.6)], "ease_out", 0.1),     # a ramp down
    ([(0.0, 0.0), (2.0, 3.6)], "ease_in", 0.2),      # a steep ramp up (Rubber Band's lag, see README)
])
def test_audio_stays_in_sync_with_the_map(two_tone_video, keyframes, easing, tolerance):
    s = rf.Scene(64, 48, fps=25, duration=2)
    layer = s.add_video(two_tone_video, audio=True, end=2.0)
    layer.set_time_remap(keyframes, easing=easing)
    tl = s.compile()
    b = np.asarray(tl.audio[0].source_time)
    expected = float(np.interp(2.0, b, np.arange(len(b)) / 25))  # the map crosses the tone change
    got = _switch_time(_core.mix_audio(tl))
    assert got == pytest.approx(expected, abs=tolerance), f"tone change heard at {got:.3f}s, map at {expected:.3f}s"


def test_export_reverse_with_audio(numbered, tmp_path):
    path, ref, _ = numbered
    src = tmp_path / "with_audio.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(path), "-f", "lavfi", "-i",
                    "sine=frequency=440:sample_rate=48000:duration=3", "-map", "0:v", "-map", "1:a", "-c:v", "copy",
                    "-c:a", "aac", "-shortest", str(src)], check=True)
    s = rf.Scene(W, H, fps=FPS, duration=3)
    s.add_video(src, reverse=True, audio=True)
    out = tmp_path / "out.mp4"
    rf.Exporter(s, out, crf=0).run()
    got = decode_video(out, W, H)
    assert len(got) == N_SRC
    for j in (0, 30, 74):
        assert psnr(got[j], ref[N_SRC - 1 - j]) >= 40.0
    audio = decode_audio(out)
    assert _dominant_hz(audio[4800:-4800]) == pytest.approx(440.0, rel=0.01)


# --- bad arguments ------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,exc,words", [
    (dict(speed=0), rf.SceneError, "speed"),
    (dict(speed=-2.0), rf.SceneError, "speed"),
    (dict(speed=float("nan")), rf.SceneError, "speed"),
    (dict(speed="fast"), rf.SceneTypeError, "speed"),
    (dict(speed=5000.0), rf.SceneError, "speed"),
    (dict(reverse="yes"), rf.SceneTypeError, "reverse"),
    (dict(loop=1), rf.SceneTypeError, "loop"),
    (dict(preserve_pitch=None), rf.SceneTypeError, "preserve_pitch"),
    (dict(freeze_at=-1.0), rf.SceneError, "freeze_at"),
    (dict(freeze_at=10.0), rf.SceneError, "freeze_at"),
    (dict(freeze_at="1"), rf.SceneTypeError, "freeze_at"),
    (dict(freeze_at=1.0, speed=2.0), rf.SceneError, "freeze_at"),
])
def test_bad_remap_arguments_name_the_parameter(numbered, kwargs, exc, words):
    path, _, _ = numbered
    s = rf.Scene(W, H, fps=FPS, duration=1)
    with pytest.raises(exc, match=words):
        s.add_video(path, name="clip", **kwargs)


def test_bad_time_remaps(numbered):
    path, _, _ = numbered
    s = rf.Scene(W, H, fps=FPS, duration=1)
    with pytest.raises(rf.SceneError, match="only video layers"):
        s.add_solid("red").set_time_remap([(0, 0.0), (1, 1.0)])
    with pytest.raises(rf.SceneError, match="replaces them"):
        s.add_video(path, speed=2.0).set_time_remap([(0, 0.0), (1, 1.0)])
    v = s.add_video(path, name="v")
    with pytest.raises(rf.SceneError, match="time_remap.*>= 0"):
        v.set_time_remap([(0, 0.0), (1, -1.0)])
    with pytest.raises(rf.SceneError, match=r"time_remap.*\(25,\)"):
        v.set_time_remap(np.zeros(10))
    with pytest.raises(rf.SceneError, match="time_remap.*frame 3"):
        v.set_time_remap(np.where(np.arange(25) == 3, -0.5, 0.0))
    with pytest.raises(rf.SceneTypeError, match="time_remap"):
        v.set_time_remap(3.0)
    v.set_time_remap(lambda t: 1.0 - t * 2)  # negative from t = 0.5: reported at compile
    with pytest.raises(rf.SceneError, match="layer 'v' time_remap.*frame 13"):
        s.compile()


def test_compiled_tables(numbered):
    path, _, _ = numbered
    s = rf.Scene(W, H, fps=FPS, duration=2)
    s.add_video(path, speed=1.5, audio=False, name="a")
    s.add_video(path, name="plain")
    tl = s.compile()
    st = np.asarray(tl.layers[0].source_time)
    assert st.dtype == np.float64 and len(st) == 50
    np.testing.assert_allclose(st, 1.5 * np.arange(50) / FPS, rtol=0, atol=1e-12)
    assert len(tl.layers[1].source_time) == 0  # normal playback: no table


def test_audio_without_rubber_band_uses_atempo(tone_video, monkeypatch):
    monkeypatch.setenv("REELFORGE_NO_RUBBERBAND", "1")  # read by each stretcher (src/audio/tempo.cpp)
    _core.take_media_warnings()
    s = rf.Scene(64, 48, fps=25, duration=1.8)
    s.add_video(tone_video, audio=True, speed=2.0)
    a = _core.mix_audio(s.compile())
    assert _dominant_hz(a[4800:-4800]) == pytest.approx(440.0, rel=0.01)
    rms = _rms_windows(a)
    assert rms.min() > 0.5 * np.median(rms)
    # A ramp cannot be followed by atempo: resampled instead, and a warning says so.
    s = rf.Scene(64, 48, fps=25, duration=2)
    s.add_video(tone_video, audio=True, end=2.0).set_time_remap([(0.0, 0.0), (2.0, 3.0)], easing="ease_in")
    a = _core.mix_audio(s.compile())
    assert _rms_windows(a[24000:-1920]).min() > 0.04
    assert any("rubberband" in w for w in _core.take_media_warnings())


def test_export_of_a_frame_range_of_a_reversed_layer(numbered, tmp_path):
    path, ref, _ = numbered
    s = rf.Scene(W, H, fps=FPS, duration=3)
    s.add_video(path, reverse=True)
    out = tmp_path / "range.mp4"
    rf.Exporter(s, out, crf=0, frames=(30, 60)).run()  # starts mid-source: its own seek, no earlier state
    got = decode_video(out, W, H)
    assert len(got) == 30
    for j in (0, 15, 29):
        assert psnr(got[j], ref[N_SRC - 1 - (30 + j)]) >= 40.0
