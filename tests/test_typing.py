"""Static typing of the package: `mypy --strict -p reelforge` and `mypy.stubtest reelforge._core` are
clean (configuration: [tool.mypy] in pyproject.toml, allowlist scripts/stubtest_allowlist.txt), and the
Literal types of string options reject typos in user code, in the Python API and in the stub."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("mypy", reason="mypy is in the test extra: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parent.parent


def _mypy(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    # Run from the repository root so that pyproject.toml's [tool.mypy] applies (mypy_path = python:
    # the sources and the checked-in stub are checked, not an installed copy).
    return subprocess.run([sys.executable, "-m", "mypy", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_package_is_mypy_strict_clean():
    r = _mypy("--strict", "-p", "reelforge")
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]
    assert "Success: no issues found" in r.stdout


def test_stub_matches_the_extension_stubtest():
    r = subprocess.run([sys.executable, "-m", "mypy.stubtest", "reelforge._core", "--mypy-config-file",
                        "pyproject.toml", "--allowlist", "scripts/stubtest_allowlist.txt", "--concise"],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]


def test_literal_types_reject_typos(tmp_path):
    """A user script with misspelt options fails type checking, once per typo, while the correct
    spellings pass: the Literal types are really in the signatures (Python API and stub)."""
    good = textwrap.dedent("""
        import reelforge as rf
        from reelforge import _core
        s = rf.Scene(64, 64, fps=24, duration=1)
        s.add_solid("#ff0000").animate("x", [(0, 0), (1, 10)], easing="ease_in_out")
        s.add_text("hi", anchor="center", align="right")
        rf.Exporter(s, "a.mp4", video_codec="h264", preset="fast", quality="high")
        rf.export_still(s, 0.5, "a.png", format="png")
        o = _core.ExportOptions()
        o.preset = "slow"
        _core.render_text("x", "f.ttf", align="center")
        _core.encoder_candidates("hevc")
        s.add_solid("#00ff00").set("opacity", 0.5).blend = "screen"
        s.add_shape(rf.shapes.Rect(10, 10), stroke="#fff").animate("stroke_end", [(0, 0), (1, 1)]).set("radius", 2)
        s.add_solid(rf.shapes.LinearGradient((0, 0), (64, 0), [(0, "red"), (1, "blue")]))
    """)
    bad = textwrap.dedent("""
        import reelforge as rf
        from reelforge import _core
        s = rf.Scene(64, 64, fps=24, duration=1)
        s.add_solid("#ff0000").animate("x", [(0, 0), (1, 10)], easing="ease_inout")  # E1
        s.add_text("hi", anchor="middle", align="centre")  # E2 E3 ("justify" is an alignment since h-text)
        rf.Exporter(s, "a.mp4", video_codec="h265", preset="fastest", quality="best")  # E4 E5 E6
        rf.export_still(s, 0.5, "a.png", format="gif")  # E7
        o = _core.ExportOptions()
        o.preset = "quick"  # E8
        _core.render_text("x", "f.ttf", align="middle")  # E9
        _core.encoder_candidates("av1")  # E10
        s.add_solid("#00ff00").set("opactiy", 0.5).blend = "multipy"  # E11 E12
    """)
    (tmp_path / "good.py").write_text(good)
    (tmp_path / "bad.py").write_text(bad)
    r = _mypy("--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(tmp_path / "good.py"))
    assert r.returncode == 0, r.stdout
    r = _mypy("--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(tmp_path / "bad.py"))
    errors = [line for line in r.stdout.splitlines() if ": error:" in line]
    lines = {int(line.split(":")[1]) for line in errors}
    assert lines == {5, 6, 7, 8, 10, 11, 12, 13}, r.stdout  # the source lines marked E1..E12
    assert len(errors) == 12, r.stdout
