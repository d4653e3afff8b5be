"""CI slice of the media mutation fuzzer (scripts/fuzz_media.py): a few hundred mutated tiny
MP4/WebM/MP3/PNG/GIF inputs, each exported in a worker subprocess with a timeout. Every case must
end with a valid output (frame count, duration) or a reelforge exception, never a crash, a hang, a
foreign exception or a leftover file. Run thousands with `python scripts/fuzz_media.py --cases N`."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "fuzz_media.py"
CASES = int(os.environ.get("REELFORGE_FUZZ_CASES", "200"))


def _load():
    spec = importlib.util.spec_from_file_location("fuzz_media", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="the ffmpeg CLI makes the fuzz inputs")
def test_mutated_media_never_crash_hang_or_leave_files():
    fuzz = _load()
    r = fuzz.fuzz(CASES, seed=20261201, jobs=2, timeout=30.0)
    summary = {k: r[k] for k in ("cases", "ok", "rejected", "crash", "hang", "foreign", "bad_output", "leftover")}
    print("fuzz:", summary, f"{r['seconds']} s")
    assert r["ok"] + r["rejected"] == CASES, (summary, r["findings"][:5])
    assert r["ok"] > CASES // 10 and r["rejected"] > CASES // 10  # the mutations hit both outcomes


def test_mutations_are_seeded_and_change_the_input():
    fuzz = _load()
    import random
    base = random.Random(0).randbytes(10000)
    a = [fuzz.mutate(random.Random(7), "mp4", base) for _ in range(3)]
    assert a[0] == a[1] == a[2]  # same seed, same mutation
    rng = random.Random(8)
    assert sum(fuzz.mutate(rng, "webm", base)[0] != base for _ in range(50)) >= 45
