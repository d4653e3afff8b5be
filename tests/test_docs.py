"""The API docs build from the docstrings with warnings as errors, with the CLI help and a rendered gallery."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_docs_build_without_warnings(tmp_path):
    pytest.importorskip("sphinx")
    out = tmp_path / "html"
    r = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                        "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-4000:]
    api = (out / "api.html").read_text()
    for name in ("Scene", "Exporter", "assert_frame_matches", "frames_snapshot", "css_components", "export_still"):
        assert name in api, name
    assert "--resolution" in (out / "cli.html").read_text()
    thumbs = sorted(p.name for p in (out / "_images").glob("gallery_*.png"))
    assert thumbs == ["gallery_blend_modes.png", "gallery_gradient_image.png", "gallery_title_card.png"]
