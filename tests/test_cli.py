"""The command line: python -m reelforge render|still|demo, every option checked on its output."""

from __future__ import annotations

import argparse
import inspect
import subprocess
import sys

import numpy as np
import pytest

import reelforge as rf
from reelforge.__main__ import build_parser
from avprobe import probe, stream

SCRIPT = """
import reelforge as rf
scene = rf.Scene(96, 64, fps=12, duration=1.0, background="navy")
scene.add_solid("tomato", width=20, height=20).animate("x", [(0, 0), (1, 70)])
if __name__ == "__main__":
    open("main_block_ran", "w").write("yes")
"""

needs_frames = pytest.mark.skipif("frames" not in inspect.signature(rf.Exporter).parameters,
                                  reason="Exporter(frames=, time_range=) is not in this build yet "
                                         "(helper export adds it; the CLI passes --frames/--time-range through)")


def run_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "reelforge", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=180)


@pytest.fixture
def script(tmp_path):
    (tmp_path / "s.py").write_text(SCRIPT)
    return tmp_path


def x264_options(path) -> str:
    """x264's settings string, which it stores in an SEI message of the first frame."""
    data = path.read_bytes()
    i = data.find(b"x264 - core")
    assert i >= 0, "no x264 SEI in the file"
    return data[i:data.index(b"\0", i)].decode("ascii", "replace")


def _subparser(name) -> argparse.ArgumentParser:
    p = build_parser()
    sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[name]


@pytest.mark.parametrize("cmd", ["render", "still", "demo"])
def test_every_option_has_help_text(cmd):
    sp = _subparser(cmd)
    for action in sp._actions:
        if action.dest != "help":
            assert action.help and len(action.help) > 10, f"{cmd} {action.option_strings or action.dest} lacks help"
    text = sp.format_help()
    units = {"render": ("pixels", "seconds", "frames per second", "bits per second", "0..51", "0..63",
                        "half-open", "1080p=1080 px"),
             "still": ("seconds", "1..100", "pixels"), "demo": ("seconds", "pixels")}[cmd]
    for unit in units:
        assert unit in text, f"{cmd} --help does not mention {unit!r}"


def test_version(tmp_path):
    r = run_cli("--version", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == f"reelforge {rf.__version__}"


def test_render_default_skips_scripts_main_block(script):
    r = run_cli("render", "s.py", "-o", "out/clip.mp4", cwd=script)
    assert r.returncode == 0, r.stderr
    v = stream(probe(script / "out" / "clip.mp4"), "video")
    assert int(v["nb_read_packets"]) == 12 and (int(v["width"]), int(v["height"])) == (96, 64)
    assert "frame" in r.stderr  # tqdm progress bar on stderr
    assert "wrote out/clip.mp4: 12 frames" in r.stdout
    assert "refused" not in r.stderr  # encoder refusals are log records, hidden without -v
    assert not (script / "main_block_ran").exists()  # run as __reelforge__, not __main__


def test_quiet_and_verbose(script):
    q = run_cli("render", "s.py", "-o", "q.mp4", "-q", cwd=script)
    assert q.returncode == 0 and q.stdout == "" and q.stderr == ""
    vv = run_cli("render", "s.py", "-o", "vv.mp4", "-v", cwd=script)
    assert vv.returncode == 0
    expected = rf._core.encoder_candidates("h264")
    if len(expected) > 1:  # hardware encoders listed before libx264: their refusals are logged at INFO
        assert "reelforge: encoder" in vv.stderr and "refused" in vv.stderr
    assert "reelforge: encoder" not in q.stderr


def test_size_fps_codec_encoder(script):
    r = run_cli("render", "s.py", "-o", "o.mkv", "--size", "48x32", "--fps", "24", "--codec", "vp9",
                "--encoder", "libvpx-vp9", "-q", cwd=script)
    assert r.returncode == 0, r.stderr
    v = stream(probe(script / "o.mkv"), "video")
    assert (int(v["width"]), int(v["height"])) == (48, 32)
    assert v["codec_name"] == "vp9" and v["r_frame_rate"] == "24/1"
    assert int(v["nb_read_packets"]) == 24  # 1 s at the overridden 24 fps


def test_resolution_keeps_aspect(script):
    r = run_cli("render", "s.py", "-o", "o.mp4", "--resolution", "480p", "--preset", "ultrafast", "-q",
                cwd=script)
    assert r.returncode == 0, r.stderr
    v = stream(probe(script / "o.mp4"), "video")
    assert (int(v["width"]), int(v["height"])) == (720, 480)  # 96x64 is 3:2
    assert "cabac=0" in x264_options(script / "o.mp4")  # ultrafast turns CABAC off


@pytest.mark.parametrize("args, expect", [(("--crf", "30"), "crf=30.0"), (("--quality", "high"), "crf=18.0"),
                                          (("--quality", "low"), "crf=28.0"),
                                          (("--bitrate", "200000"), "bitrate=200")])
def test_rate_control_options(script, args, expect):
    r = run_cli("render", "s.py", "-o", "o.mp4", "--encoder", "libx264", *args, "-q", cwd=script)
    assert r.returncode == 0, r.stderr
    opts = x264_options(script / "o.mp4")
    assert expect in opts, opts
    if args[0] == "--bitrate":
        assert "rc=abr" in opts


def test_quality_presets_table():
    from reelforge.quality import quality_settings
    assert [quality_settings("h264", q)["crf"] for q in ("high", "medium", "low")] == [18, 23, 28]
    assert [quality_settings("vp9", q)["crf"] for q in ("high", "medium", "low")] == [24, 31, 37]
    assert quality_settings("prores", "high") == {} and quality_settings("gif", "low") == {}
    with pytest.raises(ValueError, match="unknown quality 'best'"):
        quality_settings("h264", "best")


@needs_frames
def test_frames_range(script):
    r = run_cli("render", "s.py", "-o", "o.mp4", "--frames", "2:8", "-q", cwd=script)
    assert r.returncode == 0, r.stderr
    assert int(stream(probe(script / "o.mp4"), "video")["nb_read_packets"]) == 6


@needs_frames
def test_time_range(script):
    r = run_cli("render", "s.py", "-o", "o.mp4", "--time-range", "0.25:0.75", "-q", cwd=script)
    assert r.returncode == 0, r.stderr
    assert int(stream(probe(script / "o.mp4"), "video")["nb_read_packets"]) == 6


@pytest.mark.parametrize("args, message", [
    (("--frames", "8:2"), "need 0 <= A < B"), (("--frames", "x"), "is not A:B"),
    (("--size", "100x"), "WIDTHxHEIGHT"), (("--size", "101x64"), "even"),
    (("--resolution", "8k"), "invalid choice"), (("--fps", "0"), "(0, 1000]"),
    (("--quality", "best"), "invalid choice"), (("--crf", "20", "--quality", "high"), "not allowed with"),
    (("--time-range", "3:1"), "T0 < T1")])
def test_bad_options_fail_clearly(script, args, message):
    r = run_cli("render", "s.py", "-o", "o.mp4", *args, cwd=script)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert not (script / "o.mp4").exists()


def test_crf_out_of_range_names_the_range(script):
    r = run_cli("render", "s.py", "-o", "o.mp4", "--crf", "60", "-q", cwd=script)
    assert r.returncode == 1 and "0..51" in r.stderr


def test_script_without_scene_fails_clearly(tmp_path):
    (tmp_path / "s.py").write_text("x = 1\n")
    r = run_cli("render", "s.py", "-o", "o.mp4", "-q", cwd=tmp_path)
    assert r.returncode == 2 and "must define a reelforge.Scene named `scene`" in r.stderr
    assert not (tmp_path / "o.mp4").exists()


def test_scene_option_accepts_a_factory(tmp_path):
    (tmp_path / "s.py").write_text("import reelforge as rf\n"
                                   "def make():\n    return rf.Scene(32, 32, fps=10, duration=0.5)\n")
    r = run_cli("render", "s.py", "--scene", "make", "-o", "o.mp4", "-q", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert int(stream(probe(tmp_path / "o.mp4"), "video")["nb_read_packets"]) == 5


def test_bad_output_extension_fails_clearly(script):
    r = run_cli("render", "s.py", "-o", "o.xyz", "-q", cwd=script)
    assert r.returncode == 1 and "extension" in r.stderr


def test_still_png_jpeg_webp(script):
    from PIL import Image
    from reelforge.__main__ import load_scene
    expected = rf.Renderer(load_scene(str(script / "s.py"))).render_frame(6)
    r = run_cli("still", "s.py", "-t", "0.5", "-o", "stills/f.png", cwd=script)
    assert r.returncode == 0, r.stderr
    assert "frame 6" in r.stdout
    with Image.open(script / "stills" / "f.png") as im:
        assert im.mode == "RGBA" and np.array_equal(np.asarray(im), expected)
    for name, fmt in (("f.jpg", "JPEG"), ("f.webp", "WEBP")):
        r = run_cli("still", "s.py", "-t", "0.5", "-o", name, "--image-quality", "90", "-q", cwd=script)
        assert r.returncode == 0, r.stderr
        with Image.open(script / name) as im:
            got = np.asarray(im.convert("RGB")).astype(int)
            assert im.format == fmt and im.size == (96, 64)
            assert np.abs(got - expected[..., :3]).mean() < 4  # lossy, but the same picture
    r = run_cli("still", "s.py", "-t", "0.5", "--size", "48x32", "-o", "small.png", "-q", cwd=script)
    assert r.returncode == 0 and Image.open(script / "small.png").size == (48, 32)


def test_still_errors(script):
    r = run_cli("still", "s.py", "-t", "5", "-o", "f.png", cwd=script)
    assert r.returncode == 1 and "outside the scene" in r.stderr
    r = run_cli("still", "s.py", "-o", "f.bmp2", cwd=script)
    assert r.returncode == 1 and "extension" in r.stderr and not (script / "f.bmp2").exists()


def test_render_help_lists_quality_table(tmp_path):
    r = run_cli("render", "--help", cwd=tmp_path)
    assert r.returncode == 0 and "h264 18/23/28" in " ".join(r.stdout.split())
