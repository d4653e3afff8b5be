"""End-to-end exports checked with ffprobe and decoded back with ffmpeg."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import reelforge as rf
from reelforge import _core
from avprobe import decode_audio, decode_video, probe, stream
from exports import no_leftovers, tiny_scene, wait_for_frames

AAC_FRAME = 1024 / 48000  # seconds


def _scene(lavfi, fps=30, duration=2.0, w=320, h=240):
    s = rf.Scene(w, h, fps=fps, duration=duration, background=(20, 30, 40))
    s.add_video(lavfi.video, width=w, height=h, audio=True, gain_db=-6)
    s.add_solid((255, 80, 0, 200), x=20, y=20, width=80, height=60).animate("x", [(0, 20), (duration, 200)])
    s.add_image(lavfi.png_array, x=150, y=100, width=120)
    return s


@pytest.mark.parametrize("fps", [30, Fraction(30000, 1001)])
def test_export_is_valid_h264_aac_with_exact_durations(lavfi, tmp_path, fps):
    s = _scene(lavfi, fps=fps)
    out = tmp_path / "out.mp4"
    r = rf.Exporter(s, out).run()
    assert r.frames == s.frame_count == round(2.0 * fps)
    assert r.encoder == "libx264" and r.audio_encoder == "aac"
    assert r.device
    info = probe(out)
    v, a = stream(info, "video"), stream(info, "audio")
    assert v["codec_name"] == "h264" and v["pix_fmt"] == "yuv420p"
    assert (v["color_space"], v["color_transfer"], v["color_primaries"], v["color_range"]) == ("bt709",) * 3 + ("tv",)
    assert int(v["nb_read_packets"]) == s.frame_count
    expected = s.frame_count / fps
    assert abs(float(v["duration"]) - float(expected)) < 1e-3
    assert a["codec_name"] == "aac" and int(a["sample_rate"]) == 48000 and int(a["channels"]) == 2
    assert abs(float(a["duration"]) - float(expected)) <= AAC_FRAME
    # Decoded audio (priming removed by the edit list) is as long as the video within one AAC frame.
    pcm = decode_audio(out)
    assert abs(len(pcm) / 48000 - float(expected)) <= AAC_FRAME
    assert not any(p.name.startswith(".out.mp4") for p in tmp_path.iterdir())


def _smooth_video(lavfi):
    # Natural-looking content: testsrc2's saturated 1-px edges are dominated by 4:2:0 chroma loss.
    return lavfi.file("gradients.mp4", ["-f", "lavfi", "-i", "gradients=s=640x360:r=25:d=2:speed=0.05",
                                        "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p"])


@pytest.mark.parametrize("source", ["lavfi", "media"])
def test_decoded_frames_match_render_frame(lavfi, media, tmp_path, source):
    s = rf.Scene(640, 360, fps=30, duration=1.0)
    if source == "media":
        s.add_video(media("big_buck_bunny_0_30.webm"), width=640, height=360, trim_start=5)
        s.add_video(media("chaplin.mp4"), x=320, y=180, width=320, height=180, opacity=0.8)
        s.add_image(media("python_logo.png"), x=10, y=10, width=130).animate("x", [(0, 10), (1, 150)])
    else:
        s.add_video(_smooth_video(lavfi), width=640, height=360)
        s.add_solid((255, 80, 0, 200), x=20, y=20, width=80, height=60).animate("x", [(0, 20), (1, 200)])
        s.add_image(lavfi.png_array, x=150, y=100, width=120)
    out = tmp_path / "q.mp4"
    rf.Exporter(s, out, crf=16).run()
    frames = decode_video(out, s.width, s.height)
    assert len(frames) == s.frame_count
    r = rf.Renderer(s)
    for i in (0, 17, s.frame_count - 1):  # 35 dB: libx264 at crf 16 on top of 4:2:0 subsampling
        ref = r.render_frame(i)[..., :3]
        psnr = rf.testing.psnr(frames[i][..., :3], ref)
        assert psnr >= 35.0, f"frame {i}: PSNR {psnr:.1f} dB < 35 dB"


def test_progress_callback_reports_frames_and_phases(lavfi, tmp_path):
    seen = []
    rf.Exporter(_scene(lavfi, duration=1.0), tmp_path / "p.mp4").run(progress=seen.append)
    assert seen, "progress callback never called"
    done = [p.frames_done for p in seen]
    assert done == sorted(done) and done[-1] == 30 and seen[-1].phase == "done"
    assert all(p.total_frames == 30 for p in seen)


def test_cancel_removes_partial_output(tmp_path):
    s = rf.Scene(640, 360, fps=30, duration=60)
    s.add_solid((255, 0, 0), width=100, height=100).animate("x", [(0, 0), (60, 500)])
    out = tmp_path / "c.mp4"
    exp = rf.Exporter(s, out)
    handle = exp.start()
    wait_for_frames(handle, 5)
    exp.cancel()
    with pytest.raises(rf.ExportCancelled):
        handle.wait(timeout=5)
    assert not out.exists()
    no_leftovers(tmp_path, "c.mp4")


@pytest.mark.parametrize("stage", ["decode", "render", "encode"])
def test_watchdog_names_the_stalled_stage(tmp_path, stage):
    s = rf.Scene(128, 96, fps=30, duration=2)
    s.add_solid((0, 255, 0), width=10, height=10)
    out = tmp_path / "s.mp4"
    with pytest.raises(rf.ExportStalled, match=stage):
        rf.Exporter(s, out, stall_timeout=0.5, _hooks=_core.ExportHooks.stall(stage)).run()
    assert not out.exists()
    no_leftovers(tmp_path, "s.mp4")


@pytest.mark.parametrize("ext, codec", [(".m4a", "aac"), (".wav", "pcm_s16le"), (".mp3", "mp3")])
def test_audio_only_export(lavfi, tmp_path, ext, codec):
    tone = lavfi.file("tone.wav", ["-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100:duration=3"])
    s = rf.Scene(64, 64, fps=25, duration=2.0)
    s.add_audio(tone, start=0.5)
    out = tmp_path / f"a{ext}"
    r = rf.Exporter(s, out).run()
    info = probe(out)
    assert stream(info, "video") is None
    a = stream(info, "audio")
    assert a["codec_name"] == codec
    assert r.encoder == "" and r.audio_encoder in (codec, "libmp3lame")
    # Decoded length (encoder delay/padding removed via the MP4 edit list / LAME header): exact
    # within one codec frame.
    assert abs(len(decode_audio(out)) / 48000 - 2.0) <= 1152 / 48000
    pcm = decode_audio(out)
    assert np.abs(pcm[: int(0.45 * 48000)]).max() < 1e-3     # silence before the clip starts
    assert np.abs(pcm[int(0.6 * 48000):]).max() > 0.1       # lavfi's sine has amplitude 1/8


@pytest.mark.parametrize("fps", [30, Fraction(30000, 1001)])
def test_flash_and_beep_are_in_sync(lavfi, tmp_path, fps):
    beep = lavfi.file("beep.wav", ["-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=0.3"])
    s = rf.Scene(160, 120, fps=fps, duration=2.0)
    flash_frame = 31
    t_flash = float(Fraction(flash_frame) / Fraction(fps))
    s.add_solid((255, 255, 255), start=t_flash, end=float(Fraction(flash_frame + 1) / Fraction(fps)))
    s.add_audio(beep, start=t_flash)
    out = tmp_path / "sync.mp4"
    rf.Exporter(s, out, crf=18).run()
    frames = decode_video(out, 160, 120)
    bright = [i for i, f in enumerate(frames) if f[..., :3].mean() > 128]
    assert bright == [flash_frame]
    video_onset = flash_frame / float(fps)
    pcm = decode_audio(out)[:, 0]
    audio_onset = np.flatnonzero(np.abs(pcm) > 0.5 * np.abs(pcm).max())[0] / 48000
    assert abs(audio_onset - video_onset) < 1e-3, f"A/V offset {1000 * (audio_onset - video_onset):.2f} ms"


# -- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, match", [
    (dict(video_codec="mpeg7"), "video_codec"),
    (dict(preset="warp"), "preset"),
    (dict(crf=99), "crf"),
    (dict(bitrate=-5), "bitrate"),
])
def test_bad_export_arguments(tmp_path, kwargs, match):
    with pytest.raises(rf.SceneError, match=match):
        rf.Exporter(tiny_scene(), tmp_path / "x.mp4", **kwargs)


def test_unknown_encoder_name_raises_and_leaves_nothing(tmp_path):
    out = tmp_path / "x.mp4"
    with pytest.raises(rf.SceneError, match="no_such_encoder"):
        rf.Exporter(tiny_scene(), out, encoder="no_such_encoder").run()
    assert list(tmp_path.iterdir()) == []


def test_explicit_encoder_that_cannot_open_reports_ffmpeg_reason(tmp_path):
    out = tmp_path / "x.mp4"
    with pytest.raises(rf.EncoderError, match="h264_vaapi"):
        rf.Exporter(tiny_scene(), out, encoder="h264_vaapi").run()
    assert list(tmp_path.iterdir()) == []


def test_auto_encoder_logs_refusals(tmp_path, caplog):
    caplog.set_level("INFO", logger="reelforge")
    r = rf.Exporter(tiny_scene(), tmp_path / "x.mp4").run()
    assert r.encoder == "libx264"
    assert len(r.refusals) == 3 and all(":" in x for x in r.refusals)
    assert any("refused" in m for m in caplog.messages)


@pytest.mark.parametrize("name", ["x.avi2", "noext"])
def test_unknown_container_extension(tmp_path, name):
    with pytest.raises(rf.SceneError, match="extension"):
        rf.Exporter(tiny_scene(), tmp_path / name)


def test_missing_output_folder(tmp_path):
    with pytest.raises(rf.SceneError, match="does not exist"):
        rf.Exporter(tiny_scene(), tmp_path / "nope" / "x.mp4")


def test_audio_only_export_without_audio_is_refused(tmp_path):
    with pytest.raises(rf.SceneError, match="no audio"):
        rf.Exporter(tiny_scene(), tmp_path / "x.m4a").run()
    assert list(tmp_path.iterdir()) == []


CTRL_C_SCRIPT = """
import sys, reelforge as rf
s = rf.Scene(640, 360, fps=30, duration=120)
s.add_solid((255, 0, 0), width=100, height=100).animate("x", [(0, 0), (120, 500)])
def report(p):
    if p.frames_done >= 3:
        print("started", flush=True)
try:
    rf.Exporter(s, sys.argv[1]).run(progress=report)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(130)
"""


def test_ctrl_c_cancels_within_a_second_and_removes_output(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "long.py"
    script.write_text(CTRL_C_SCRIPT)
    out = tmp_path / "long.mp4"
    proc = subprocess.Popen([sys.executable, str(script), str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "started"
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
        elapsed = time.monotonic() - t0
    finally:
        proc.kill()
    assert proc.returncode == 130 and "interrupted" in proc.stdout.read()
    assert elapsed < 1.5, f"Ctrl-C took {elapsed:.2f} s"
    assert not out.exists()
    no_leftovers(tmp_path, "long.mp4")


FULL_DISK_SCRIPT = """
import resource, signal, sys
import numpy as np
import reelforge as rf
# A write past RLIMIT_FSIZE fails with EFBIG (SIGXFSZ ignored), as a write to a full disk fails
# with ENOSPC: both reach the muxer as a failed write in the middle of the export.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, resource.RLIM_INFINITY))
s = rf.Scene(320, 240, fps=30, duration=4)
noise = np.random.default_rng(1).integers(0, 256, (240, 320, 3), dtype=np.uint8)
s.add_image(noise).animate("x", [(0, 0), (4, 300)])
try:
    rf.Exporter(s, sys.argv[1], crf=0).run()
except rf.EncoderError as e:
    print("EncoderError:", e, flush=True)
    sys.exit(3)
"""


@pytest.mark.parametrize("name", ["big.mp4", "big.webm"])
def test_write_failure_midway_raises_and_removes_partial_output(tmp_path, name):
    import subprocess
    import sys

    script = tmp_path / "full.py"
    script.write_text(FULL_DISK_SCRIPT)
    out = tmp_path / name
    r = subprocess.run([sys.executable, str(script), str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 3, f"exit {r.returncode}\n{r.stdout}\n{r.stderr[-2000:]}"
    assert name in r.stdout and ("too large" in r.stdout or "space" in r.stdout), r.stdout
    assert not out.exists()
    no_leftovers(tmp_path, name)
