"""The checked-in type stub python/reelforge/_core.pyi is what pybind11-stubgen generates from the
installed extension (scripts/gen_stubs.py), so signatures and docstrings in the stub cannot drift
from the bindings; and the version is set once (pyproject.toml) and seen the same everywhere."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import sys
from pathlib import Path

import reelforge as rf

ROOT = Path(__file__).resolve().parent.parent


def _gen_stubs():
    spec = importlib.util.spec_from_file_location("gen_stubs", ROOT / "scripts" / "gen_stubs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_checked_in_stub_matches_generator():
    gen = _gen_stubs()
    expected = gen.generate(sys.executable)
    current = gen.STUB.read_text()
    assert current == expected, ("python/reelforge/_core.pyi is stale; run `bash scripts/gen_stubs.sh`:\n"
                                 + gen.diff(expected, current)[:6000])


def test_stub_normalisation_is_deterministic():
    gen = _gen_stubs()
    raw = "def f(x: int = <Foo object at 0x7f00deadbeef>) -> None:   \n\n\n\n\n    ...\n\n"
    once = gen.normalise(raw)
    assert "0x7f00deadbeef" not in once and "   \n" not in once
    assert "\n\n\n\n" not in once.removeprefix(gen.HEADER)
    assert once.endswith("...\n")


def test_version_is_pyprojects_everywhere():
    version = re.search(r'(?m)^version\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text()).group(1)
    assert rf._core.__version__ == version
    assert rf.__version__ == version
    assert importlib.metadata.version("reelforge") == version  # the installed distribution's
    # No other hard-coded copy of it in the package sources.
    for path in (ROOT / "python" / "reelforge").glob("*.py"):
        assert not re.search(r"__version__\s*=\s*['\"]", path.read_text()), path
