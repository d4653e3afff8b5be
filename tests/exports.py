"""Helpers of the export tests (test_export, test_export_api, test_export_formats, test_audio_parallel):
a tiny scene, waiting on a running export without risking a hang, and checking that a failed export
left nothing behind."""

from __future__ import annotations

import time
from pathlib import Path

import reelforge as rf


def tiny_scene(duration: float = 0.5, fps: float = 10) -> rf.Scene:
    """A 64x48 scene of one dark solid: the smallest export, for option and error checks."""
    s = rf.Scene(64, 48, fps=fps, duration=duration)
    s.add_solid((1, 2, 3))
    return s


def wait_for_frames(handle, n: int, *, timeout: float = 60.0, poll: float = 0.01) -> None:
    """Return once the running export ``handle`` (an ExportHandle) has done ``n`` frames; fail the
    test, never hang, when it finishes first or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while handle.progress.frames_done < n:
        assert not handle.done, f"the export ended after {handle.progress.frames_done} frames, before {n}"
        assert time.monotonic() < deadline, f"the export did not reach {n} frames in {timeout:g} s"
        time.sleep(poll)


def no_leftovers(folder: Path, name: str) -> None:
    """Assert that no file whose name holds ``name`` (the output's, or a temporary one) is in ``folder``."""
    left = [p.name for p in folder.iterdir() if name in p.name]
    assert left == [], f"partial output left behind: {left}"
