"""Export API: one source of truth for the output rules, handles used after the end (in a
subprocess: a crash is reported, not fatal), frame ranges, and the output edge cases of issue 10."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import reelforge as rf
from reelforge import _core
from reelforge.exporter import VIDEO_CODECS
from avprobe import decode_audio, decode_video, probe, stream
from exports import tiny_scene

README = Path(__file__).resolve().parent.parent / "README.md"


def _tone(lavfi, seconds=3):
    return lavfi.file(f"tone440_{seconds}.wav",
                      ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}"])


def _run_script(code: str, *args, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


# -- one source of truth -----------------------------------------------------------------------

def _every_extension():
    exts = {e for spec in _core.codec_specs() for e in spec.extensions} | set(_core.audio_only_extensions())
    return sorted(exts | {".png", ".avi", ".txt"})


@pytest.mark.parametrize("ext", _every_extension())
def test_exporter_and_core_agree_on_every_extension(tmp_path, ext):
    path = str(tmp_path / f"x{ext}")
    for codec in (None,) + VIDEO_CODECS:
        try:
            py = rf.Exporter(tiny_scene(), path, video_codec=codec).video_codec
        except rf.SceneError as e:
            py = ("error", str(e))
        try:
            core = _core.resolve_output_codec(path, codec or "auto")
        except rf.SceneError as e:
            core = ("error", str(e))
        assert py == core, f"{codec} -> x{ext}: Exporter {py!r}, core {core!r}"
        fits = any(s.codec == (codec or core) and ext in s.extensions for s in _core.codec_specs())
        if ext in _core.audio_only_extensions():
            assert core == "", f"x{ext} is audio only"
        else:
            assert (not isinstance(core, tuple)) == fits, f"{codec} -> x{ext}: {core!r}"


@pytest.mark.parametrize("ext, codec", [(".aac", "aac"), (".oga", "opus"), (".flac", "flac"), (".ogg", "opus"),
                                        (".opus", "opus"), (".m4a", "aac"), (".wav", "pcm_s16le"), (".mp3", "mp3")])
def test_every_audio_only_extension_exports(lavfi, tmp_path, ext, codec):
    s = rf.Scene(64, 48, fps=25, duration=2.0)
    s.add_audio(_tone(lavfi))
    out = tmp_path / f"a{ext}"
    assert _core.resolve_output_codec(str(out)) == ""
    r = rf.Exporter(s, out).run()
    assert r.audio_samples == 96000 and r.frames == 50
    a = stream(probe(out), "audio")
    assert a["codec_name"] == codec and int(a["sample_rate"]) == 48000
    pcm = decode_audio(out)
    tol = 0 if codec in ("flac", "pcm_s16le") else 0.03 * 48000
    assert abs(len(pcm) - 96000) <= tol, len(pcm)
    assert np.abs(pcm[4800:-4800]).max() > 0.1
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_readme_export_formats_table_matches_the_core():
    text = README.read_text()
    table = text[text.index("## Export formats"):]
    rows = [r for r in table.splitlines()[2:] if r.startswith("|")][2:]
    specs = {s.codec: s for s in _core.codec_specs()}
    seen = set()
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        files = re.findall(r"\.\w+", re.sub(r"`[^`]*`", "", cells[1]))
        if cells[0] == "audio only":
            assert files == list(_core.audio_only_extensions()), row
            continue
        for codec in re.findall(r"`(\w+)`", cells[0]):
            spec = specs[codec]
            seen.add(codec)
            assert files == list(spec.extensions), f"README lists {files} for {codec}, core {spec.extensions}"
            assert (cells[3] != "—") == spec.audio, f"README audio column for {codec}: {cells[3]!r}"
    assert seen == set(specs), f"README table misses {set(specs) - seen}"


def test_options_are_bound_classes():
    o = _core.ExportOptions()
    o.path, o.video_codec, o.crf, o.first_frame = "x.mp4", "auto", 20, 3
    assert _core.validate_export_options(o, 64, 48, 10) == "h264"
    assert (o.video_codec, o.crf, o.first_frame, o.last_frame) == ("h264", 20, 3, 10)
    assert isinstance(rf.ExportResult(), _core.ExportResult)
    p = _core.ExportProgress()
    p.frames_done, p.total_frames = 3, 4
    assert p.fraction == 0.75


# -- late errors made early ---------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, match", [
    (dict(gpu_slots=0), "gpu_slots"), (dict(gpu_slots=99), "gpu_slots"),
    (dict(audio_bitrate=100), "audio_bitrate"), (dict(audio_bitrate=10**9), "audio_bitrate"),
    (dict(preset="quick"), "preset"), (dict(crf=70), "crf"), (dict(stall_timeout=0), "stall_timeout"),
    (dict(frames=(5, 3)), "frames"), (dict(frames=(0, 6)), "frames"), (dict(frames=(-1, 2)), "frames"),
    (dict(time_range=(0.0, 9.0)), "frames"), (dict(frames=(0, 1), time_range=(0, 1)), "not both"),
])
def test_bad_options_raise_naming_the_parameter(tmp_path, kwargs, match):
    with pytest.raises(rf.SceneError, match=match):
        rf.Exporter(tiny_scene(), tmp_path / "x.mp4", **kwargs)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kwargs", [dict(gpu_slots="3"), dict(crf=2.5), dict(audio_bitrate=True)])
def test_wrong_types_raise_type_error(tmp_path, kwargs):
    with pytest.raises(TypeError, match=next(iter(kwargs))):
        rf.Exporter(tiny_scene(), tmp_path / "x.mp4", **kwargs)


def test_huge_h264_fails_before_any_output_naming_the_limit(tmp_path):
    s = rf.Scene(16384, 16384, fps=10, duration=0.1)
    s.add_solid((1, 2, 3))
    with pytest.raises(rf.SceneError, match=r"16384x16384.*h264.*16384 pixels per side|FFmpeg"):
        rf.Exporter(s, tmp_path / "big.mp4").run()
    assert list(tmp_path.iterdir()) == []


# -- handles used after the end never crash (subprocess: a segfault is a failure, not the end) ---

HANDLE_PRELUDE = """
import sys, reelforge as rf
from reelforge import _core
s = rf.Scene(64, 48, fps=10, duration=0.5)
s.add_solid((255, 0, 0))
out = sys.argv[1]
"""

HANDLE_CASES = {
    "run_then_cancel": """
        ex = rf.Exporter(s, out)
        r = ex.run()
        ex.cancel()
        ex.cancel()
        assert ex._handle.done and ex._handle.progress.phase == "done"
        print("ok", r.frames)
    """,
    "wait_then_progress_done_cancel": """
        h = rf.Exporter(s, out).start()
        r = h.wait()
        p = h.progress
        assert h.done and p.phase == "done" and p.frames_done == 5
        h.cancel()
        assert h.wait() is r
        print("ok", r.frames)
    """,
    "second_wait_after_failure": """
        h = rf.Exporter(s, out, stall_timeout=0.3, _hooks=_core.ExportHooks.stall("encode")).start()
        for attempt in range(2):
            try:
                h.wait()
            except rf.ExportStalled as e:
                assert "encode" in str(e)
        assert h.done and h.progress.phase == "failed"
        h.cancel()
        print("ok", 5)
    """,
    "progress_after_ctrl_c": """
        long = rf.Scene(320, 240, fps=30, duration=60)
        long.add_solid((255, 0, 0), width=50, height=50).animate("x", [(0, 0), (60, 200)])
        h = rf.Exporter(long, out).start()
        def interrupt(p):
            if p.frames_done >= 2:
                raise KeyboardInterrupt
        try:
            h.wait(on_progress=interrupt)
        except KeyboardInterrupt:
            pass
        assert h.progress.phase == "cancelled" and h.done
        h.cancel()
        try:
            h.wait()
        except rf.ExportCancelled:
            print("ok", 5)
    """,
}


@pytest.mark.parametrize("case", sorted(HANDLE_CASES))
def test_handle_used_after_the_end_does_not_crash(tmp_path, case):
    code = HANDLE_PRELUDE + textwrap.dedent(HANDLE_CASES[case])
    r = _run_script(code, tmp_path / "o.mp4")
    assert r.returncode == 0, f"{case}: exit {r.returncode} (-11 is SIGSEGV)\n{r.stdout}\n{r.stderr[-3000:]}"
    assert r.stdout.split() == ["ok", "5"], r.stdout


# -- outputs ------------------------------------------------------------------------------------

def test_png_sequence_over_an_older_longer_one_never_mixes(tmp_path):
    folder = tmp_path / "seq"
    rf.Exporter(tiny_scene(duration=1.0), str(folder) + "/").run()
    assert len(list(folder.iterdir())) == 10
    (folder / "notes.txt").write_text("keep me")
    (folder / "00003.png.bak").write_text("keep me too")
    s = rf.Scene(64, 48, fps=10, duration=0.4)
    s.add_solid((200, 0, 0))
    rf.Exporter(s, str(folder) + "/").run()
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["00000.png", "00001.png", "00002.png", "00003.png", "00003.png.bak", "notes.txt"]
    assert lavfi_png_red(folder / "00003.png")


def lavfi_png_red(path) -> bool:
    rgb = decode_video(path, 64, 48)[0]
    return bool(rgb[..., 0].mean() > 150 and rgb[..., 1].mean() < 50)


KILL_SCRIPT = """
import sys, reelforge as rf
s = rf.Scene(320, 240, fps=30, duration=120)
s.add_solid((255, 0, 0), width=100, height=100).animate("x", [(0, 0), (120, 500)])
def report(p):
    if p.frames_done >= 3:
        print("started", flush=True)
rf.Exporter(s, sys.argv[1]).run(progress=report)
"""


@pytest.mark.parametrize("name", ["k.mp4", "frames/"])
def test_parts_of_a_killed_export_are_removed_by_the_next_one(tmp_path, name):
    target = str(tmp_path / name) + ("/" if name.endswith("/") else "")
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, target], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "started"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        proc.kill()
    left = [p.name for p in tmp_path.iterdir()]
    assert any(".part" in n for n in left), left  # what SIGKILL leaves
    rf.Exporter(tiny_scene(), target).run()
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [name.rstrip("/")], left


def test_flac_export(lavfi, tmp_path):
    s = rf.Scene(64, 48, fps=30, duration=1.5)
    s.add_audio(_tone(lavfi))
    out = tmp_path / "a.flac"
    r = rf.Exporter(s, out).run()
    assert r.audio_encoder == "flac"
    assert stream(probe(out), "audio")["codec_name"] == "flac"
    pcm = decode_audio(out)
    assert len(pcm) == 72000
    ref = _core.mix_audio(s.compile())
    assert np.abs(pcm - ref[: len(pcm)]).max() < 2 / 32768  # lossless up to 16-bit rounding


# -- frame ranges ---------------------------------------------------------------------------------

def _range_scene(lavfi):
    clip = lavfi.file("range_src.mp4", ["-f", "lavfi", "-i", "testsrc2=s=160x120:r=30:d=2", "-c:v", "libx264",
                                        "-crf", "10", "-pix_fmt", "yuv420p"])
    s = rf.Scene(160, 120, fps=30, duration=2.0)
    s.add_video(clip, width=160, height=120)
    s.add_solid((250, 200, 10), width=30, height=30, y=40).animate("x", [(0, 0), (2, 130)])
    s.add_audio(_tone(lavfi))
    return s


def test_frames_range_exports_that_span_with_exact_audio(lavfi, tmp_path):
    s = _range_scene(lavfi)
    out = tmp_path / "r.mp4"
    r = rf.Exporter(s, out, frames=(10, 25), crf=12).run()
    assert r.frames == 15
    info = probe(out)
    v, a = stream(info, "video"), stream(info, "audio")
    assert int(v["nb_read_packets"]) == 15
    assert abs(float(v["duration"]) - 0.5) < 1e-6 and abs(float(v.get("start_time", 0))) < 1e-6
    samples = 25 * 48000 // 30 - 10 * 48000 // 30
    assert r.audio_samples == samples == 24000
    assert 0 <= len(decode_audio(out)) - samples <= 1024  # MP4: the last AAC frame's padding stays
    frames = decode_video(out, 160, 120)
    ren = rf.Renderer(s)
    # Luma (BT.709 weights): 4:2:0 round trips of testsrc2's saturated 160x120 edges differ in
    # chroma with every decoder's upsampling; luma identifies the frame.
    luma = lambda a: a[..., :3].astype(np.float64) @ [0.2126, 0.7152, 0.0722]
    psnr = {i: 10 * np.log10(255 ** 2 / np.mean((luma(frames[0]) - luma(ren.render_frame(i))) ** 2))
            for i in (9, 10, 11)}
    assert psnr[10] >= 40 and psnr[10] > max(psnr[9], psnr[11]) + 10, psnr


def test_frames_range_audio_is_the_cut_of_the_full_mix(lavfi, tmp_path):
    s = _range_scene(lavfi)
    out = tmp_path / "r.wav"
    r = rf.Exporter(s, out, frames=(7, 41)).run()
    first, last = 7 * 48000 // 30, 41 * 48000 // 30
    assert r.audio_samples == last - first
    pcm = decode_audio(out)
    full = _core.mix_audio(s.compile())
    assert len(pcm) == last - first
    assert np.abs(pcm - full[first:last]).max() < 2 / 32768


def test_png_range_first_frame_equals_render_frame(lavfi, tmp_path):
    s = _range_scene(lavfi)
    folder = tmp_path / "f"
    rf.Exporter(s, str(folder) + "/", time_range=(0.5, 0.6)).run()  # frames 15, 16, 17
    assert sorted(p.name for p in folder.iterdir()) == ["00000.png", "00001.png", "00002.png"]
    got = decode_video(folder / "00000.png", 160, 120)[0]
    ref = rf.Renderer(s).render_frame(15)
    assert np.array_equal(got[..., :3], ref[..., :3])


# -- MKV starts and ends like MP4 -------------------------------------------------------------------

@pytest.mark.parametrize("ext", [".mkv", ".mp4"])
def test_mkv_starts_at_zero_and_audio_is_as_long_as_the_video(lavfi, tmp_path, ext):
    fps, flash = 30, 31
    beep = lavfi.file("beep48.wav", ["-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=0.3"])
    s = rf.Scene(96, 64, fps=fps, duration=2.0)
    s.add_solid((255, 255, 255), start=flash / fps, end=(flash + 1) / fps)
    s.add_audio(beep, start=flash / fps)
    out = tmp_path / f"m{ext}"
    rf.Exporter(s, out).run()
    info = probe(out)
    v, a = stream(info, "video"), stream(info, "audio")
    assert abs(float(v["start_time"])) < 1e-3, f"video starts at {v['start_time']} s"
    # Opus in MKV: the pre-skip (312 samples) shows as a negative start; decoding drops it.
    low = -0.0075 if ext == ".mkv" else -1e-3  # 312/48000 s in MKV's 1 ms time base
    assert low <= float(a["start_time"]) < 1e-3, f"audio starts at {a['start_time']} s"
    pcm = decode_audio(out)
    limit = 1024 if ext == ".mp4" else 1  # MP4 keeps the last AAC frame's padding
    assert 0 <= len(pcm) - 96000 <= limit, f"decoded audio {len(pcm) - 96000:+d} samples against the video"
    frames = decode_video(out, 96, 64)
    assert [i for i, f in enumerate(frames) if f[..., :3].mean() > 128] == [flash]
    mono = pcm[:, 0]
    onset = np.flatnonzero(np.abs(mono) > 0.5 * np.abs(mono).max())[0] / 48000
    assert abs(onset - flash / fps) < 1.5e-3, f"A/V offset {1000 * (onset - flash / fps):.2f} ms"


def test_exporter_docstring_table_matches_the_core():
    doc = rf.Exporter.__doc__
    for spec in _core.codec_specs():
        row = next(line.split() for line in doc.splitlines() if line.split()[:1] == [spec.codec])
        exts = [w for w in row[1:] if w.startswith(".")]
        if spec.extensions:
            assert exts[: len(spec.extensions)] == list(spec.extensions), row
        else:
            assert row[1] == "frames/%05d.png", row
        assert ("no audio" not in " ".join(row)) == spec.audio, row


# -- quality=, scale=, workers= (the Exporter's side of the CLI options and segmented export) ------

def _small_scene():
    s = rf.Scene(96, 64, fps=24, duration=1)
    s.add_solid((200, 40, 40), width=48, height=32).animate("x", [(0, 0), (1, 48)])
    return s


def test_quality_maps_to_the_codec_crf(tmp_path):
    assert rf.Exporter(_small_scene(), tmp_path / "a.mp4", quality="high")._options.crf == 18
    assert rf.Exporter(_small_scene(), tmp_path / "a.webm", quality="low")._options.crf == 37
    with pytest.raises(rf.SceneError, match="crf or quality"):
        rf.Exporter(_small_scene(), tmp_path / "a.mp4", quality="high", crf=20)
    with pytest.raises(rf.SceneError, match="unknown quality"):
        rf.Exporter(_small_scene(), tmp_path / "a.mp4", quality="best")


def test_scale_renders_at_a_multiple_of_the_scene_size(tmp_path):
    out = tmp_path / "half.mp4"
    rf.Exporter(_small_scene(), out, scale=0.5).run()
    v = stream(probe(out), "video")
    assert (int(v["width"]), int(v["height"])) == (48, 32)
    for bad in (0, -1, float("nan"), "2"):
        with pytest.raises(rf.SceneError, match="scale"):
            rf.Exporter(_small_scene(), tmp_path / "x.mp4", scale=bad)


def test_workers_argument_is_checked(tmp_path):
    for bad in (0, 1.5, True):
        with pytest.raises(rf.SceneError, match="workers"):
            rf.Exporter(_small_scene(), tmp_path / "x.mp4", workers=bad)
    with pytest.raises(rf.SceneError, match="frames/time_range"):
        rf.Exporter(_small_scene(), tmp_path / "x.mp4", workers=2, frames=(0, 10))
    # start() with workers > 1 runs in the background: tests/test_distributed_extras.py


def test_frame_number_field_in_a_folder_is_named(tmp_path):
    s = rf.Scene(64, 48, fps=10, duration=1)
    for path in ("x/%d/f.png", "x/%05d/f.mp4"):
        with pytest.raises(rf.SceneError, match="must be in the file name, not in the folder"):
            rf.Exporter(s, str(tmp_path / path))
        with pytest.raises(rf.SceneError, match="not in the folder"):
            _core.resolve_output_codec(str(tmp_path / path))
