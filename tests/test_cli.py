"""The command line: python -m reelforge render SCRIPT.py -o OUT."""

from __future__ import annotations

import subprocess
import sys

from avprobe import probe, stream

SCRIPT = """
import reelforge as rf
scene = rf.Scene(96, 64, fps=12, duration=1.0)
scene.add_solid((255, 0, 0), width=20, height=20).animate("x", [(0, 0), (1, 70)])
"""


def run_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "reelforge", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_render_script(tmp_path):
    (tmp_path / "s.py").write_text(SCRIPT)
    r = run_cli("render", "s.py", "-o", "out/clip.mp4", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    v = stream(probe(tmp_path / "out" / "clip.mp4"), "video")
    assert int(v["nb_read_packets"]) == 12 and (int(v["width"]), int(v["height"])) == (96, 64)
    assert "frame" in r.stderr  # tqdm progress bar on stderr


def test_script_without_scene_fails_clearly(tmp_path):
    (tmp_path / "s.py").write_text("x = 1\n")
    r = run_cli("render", "s.py", "-o", "o.mp4", "-q", cwd=tmp_path)
    assert r.returncode == 2 and "must define a reelforge.Scene named `scene`" in r.stderr
    assert not (tmp_path / "o.mp4").exists()


def test_bad_output_extension_fails_clearly(tmp_path):
    (tmp_path / "s.py").write_text(SCRIPT)
    r = run_cli("render", "s.py", "-o", "o.xyz", "-q", cwd=tmp_path)
    assert r.returncode == 1 and "extension" in r.stderr
