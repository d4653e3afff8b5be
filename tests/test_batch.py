"""JSON scenes on the command line: render scene.json --set, its export settings, and batch rendering
one video per CSV row (failures reported per row, the rest continue). Outputs checked with ffprobe
and ffmpeg decodes."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import numpy as np
import pytest

from avprobe import decode_video, probe, stream
from reelforge import batch
from reelforge.__main__ import build_parser
from reelforge.errors import SceneError

TEMPLATE = {
    "width": 64, "height": 48, "fps": 10, "duration": 0.5, "background": "black",
    "variables": {"color": "red", "w": 64},
    "layers": [{"kind": "solid", "name": "box", "color": "${color}", "width": "${w}", "height": 48}],
    "export": {"preset": "ultrafast", "crf": 40, "encoder": "libx264"},
}

COLORS = {"lime": (0, 255, 0), "blue": (0, 0, 255), "yellow": (255, 255, 0), "red": (255, 0, 0)}


def run_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "reelforge", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def template(tmp_path):
    (tmp_path / "t.json").write_text(json.dumps(TEMPLATE))
    return tmp_path


def first_frame(path):
    return decode_video(path, 64, 48)[0]


def assert_colour(frame, name, region=np.s_[20:28, 4:12]):
    got = frame[region][..., :3].reshape(-1, 3).mean(axis=0)
    assert np.abs(got - COLORS[name]).max() <= 12, (name, got)  # h264 at crf 40 on a flat colour


def x264_options(path) -> str:
    data = path.read_bytes()
    i = data.find(b"x264 - core")
    assert i >= 0, "no x264 SEI in the file"
    return data[i:data.index(b"\0", i)].decode("ascii", "replace")


def test_render_json_with_set_and_document_export_settings(template):
    r = run_cli("render", "t.json", "-o", "o.mp4", "--set", "color=yellow", "-q", cwd=template)
    assert r.returncode == 0, r.stderr
    v = stream(probe(template / "o.mp4"), "video")
    assert (int(v["width"]), int(v["height"]), int(v["nb_read_packets"])) == (64, 48, 5)
    assert_colour(first_frame(template / "o.mp4"), "yellow")
    opts = x264_options(template / "o.mp4")
    assert "crf=40.0" in opts and "cabac=0" in opts  # the document's crf and ultrafast preset
    # The command line wins over the document (and replaces its crf/quality choice as a whole).
    r = run_cli("render", "t.json", "-o", "q.mp4", "--quality", "high", "-q", cwd=template)
    assert r.returncode == 0, r.stderr
    assert "crf=18.0" in x264_options(template / "q.mp4")
    assert_colour(first_frame(template / "q.mp4"), "red")  # the document's default variable


def test_render_json_errors(template):
    r = run_cli("render", "t.json", "-o", "o.mp4", "--set", "w=wide", cwd=template)
    assert r.returncode == 1 and "error: layers[0].width:" in r.stderr
    assert not (template / "o.mp4").exists()
    r = run_cli("render", "t.json", "-o", "o.mp4", "--set", "novalue", cwd=template)
    assert r.returncode == 1 and "expected NAME=VALUE" in r.stderr
    (template / "s.py").write_text("import reelforge as rf\nscene = rf.Scene(16, 16, fps=1, duration=1)\n")
    r = run_cli("render", "s.py", "-o", "o.mp4", "--set", "a=b", cwd=template)
    assert r.returncode == 1 and "--set fills ${name} variables of a .json scene" in r.stderr


def test_still_json(template):
    r = run_cli("still", "t.json", "-o", "s.png", "--set", "color=blue", "-q", cwd=template)
    assert r.returncode == 0, r.stderr
    from PIL import Image
    a = np.asarray(Image.open(template / "s.png").convert("RGBA"))
    assert tuple(a[10, 10]) == (0, 0, 255, 255)


def test_batch_renders_every_row_and_reports_a_failing_one(template):
    rows = "id,color,w\n1,lime,64\n2,notacolour,64\n3,blue,32\n4,yellow,64\n"
    (template / "rows.csv").write_text(rows)
    r = run_cli("batch", "t.json", "rows.csv", "-o", "out/{id}-{color}.mp4", "--report", "out/report.json",
                cwd=template)
    assert r.returncode == 1, r.stderr  # one row failed
    out = template / "out"
    assert sorted(p.name for p in out.glob("*.mp4")) == ["1-lime.mp4", "3-blue.mp4", "4-yellow.mp4"]
    assert "[2/4] row 2 (CSV line 3) failed: SceneError: layers[0].color:" in r.stderr
    assert "notacolour" in r.stderr
    assert "batch: 3 of 4 rows rendered, 1 failed (rows 2)" in r.stderr
    assert "[4/4] wrote out/4-yellow.mp4: 5 frames" in r.stdout  # rendering went on after the failure
    for name, colour in (("1-lime", "lime"), ("3-blue", "blue"), ("4-yellow", "yellow")):
        assert int(stream(probe(out / f"{name}.mp4"), "video")["nb_read_packets"]) == 5
        assert_colour(first_frame(out / f"{name}.mp4"), colour)
    # Row 3's box is 32 px wide: the right half is the black background.
    assert first_frame(out / "3-blue.mp4")[24, 48:60, :3].max() <= 12
    report = json.loads((out / "report.json").read_text())
    assert [row["ok"] for row in report["rows"]] == [True, False, True, True]
    assert report["rows"][1]["line"] == 3 and "notacolour" in report["rows"][1]["error"]


def test_batch_all_rows_ok_and_set_for_every_row(template):
    (template / "rows.csv").write_text("color\nlime\nblue\n")
    r = run_cli("batch", "t.json", "rows.csv", "-o", "v/{row}.mp4", "--set", "w=32", "-q", cwd=template)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""  # -q: only failures and the summary of failures
    frame = first_frame(template / "v" / "2.mp4")
    assert_colour(frame, "blue")
    assert frame[24, 48:60, :3].max() <= 12  # --set w=32 applied to every row


@pytest.mark.parametrize("rows, pattern, message", [
    ("color\nlime\n", "out/same.mp4", "has no {column} field"),
    ("color\n", "out/{row}.mp4", "no rows after the header"),
    ("", "out/{row}.mp4", "empty CSV file"),
])
def test_batch_refuses_before_rendering(template, rows, pattern, message):
    (template / "rows.csv").write_text(rows)
    r = run_cli("batch", "t.json", "rows.csv", "-o", pattern, cwd=template)
    assert r.returncode == 1 and message in r.stderr, r.stderr
    assert not (template / "out").exists()


def test_batch_row_errors_for_output_pattern(template):
    (template / "rows.csv").write_text("id,color\n1,lime\n1,blue\n")
    r = run_cli("batch", "t.json", "rows.csv", "-o", "out/{id}.mp4", "-q", cwd=template)
    assert r.returncode == 1
    assert "row 2 (CSV line 3) failed: SceneError: output 'out/1.mp4' is also row 1's" in r.stderr
    r = run_cli("batch", "t.json", "rows.csv", "-o", "out/{name}-{row}.mp4", "-q", cwd=template)
    assert "{name} is not a column of the CSV file (columns: id, color; and {row})" in r.stderr


def test_helpers():
    assert batch.parse_set(["a=1", "b = x=y", "c="]) == {"a": "1", "b": " x=y", "c": ""}
    with pytest.raises(SceneError, match="expected NAME=VALUE"):
        batch.parse_set(["=1"])
    assert batch.output_path("o/{id}_{row}.mp4", {"id": "7"}, 3) == "o/7_3.mp4"
    kw = batch.with_scene_settings(argparse.Namespace(export_settings={"quality": "high", "preset": "slow",
                                                                       "frames": [0, 2]}),
                                   {"crf": 20, "preset": None, "time_range": (0, 1), "encoder": None})
    assert kw == {"crf": 20, "preset": "slow", "time_range": (0, 1), "encoder": "auto"}


def test_batch_options_have_help_text():
    p = build_parser()
    sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    for action in sub.choices["batch"]._actions:
        if action.dest != "help":
            assert action.help and len(action.help) > 10, action.option_strings or action.dest


def test_validate_lists_every_problem_with_its_path(template):
    bad = dict(TEMPLATE, layers=[{"kind": "solid", "color": "red", "opactiy": 1},
                                 {"kind": "solid", "color": "red", "keyframes": {"x": [[0, 0, "eese"]]}}])
    (template / "bad.json").write_text(json.dumps(bad))
    r = run_cli("validate", "bad.json", cwd=template)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert lines[0].startswith("bad.json: layers[0]: Unevaluated properties") and "opactiy" in lines[0]
    assert lines[1].startswith("bad.json: layers[1].keyframes.x[0][2]: 'eese' is not one of")
    r = run_cli("validate", "t.json", "--set", "w=32", cwd=template)
    assert r.returncode == 0 and "t.json: valid: 64x48, 5 frames at 10 fps, 1 layers, 0 audio clips" in r.stdout
    r = run_cli("validate", "t.json", "--set", "w=wide", cwd=template)
    assert r.returncode == 1 and "layers[0].width: " in r.stderr
    bad = dict(TEMPLATE, layers=[{"kind": "solid", "color": "red", "x": [1, 2]}])  # semantic: 2 of 5 frames
    (template / "short.json").write_text(json.dumps(bad))
    r = run_cli("validate", "short.json", cwd=template)
    assert r.returncode == 1 and "error: layers[0].x: " in r.stderr and "expected (5,)" in r.stderr
