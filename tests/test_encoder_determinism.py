"""The H.264 bitstream does not depend on what the heap held before the encoder opened.

libx264's AVX-512 mbtree_propagate_list reads uninitialised padding of x264's frame buffers when
the width in macroblocks is not a multiple of 8 (src/media/x264_cpu.h); reelforge opens libx264
without AVX-512 at such widths, and keeps x264's own choice, AVX-512 included, at multiples of 8
macroblocks, where no lane runs past a row. glibc's MALLOC_PERTURB_ fills every new allocation
with a chosen byte, so exports in processes with different values see different padding: before
the fix, a 160x90 CRF 23 export of a video layer gave a different file for each of 0, 85 and 170
on an AVX-512 machine. 1024x64 (64 MBs wide) checks the widths where AVX-512 stays on. (On a
machine without AVX-512 both cases pass either way.)
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

SCRIPT = """
import sys
import reelforge as rf
W, H = int(sys.argv[3]), int(sys.argv[4])
s = rf.Scene(W, H, fps=24, duration=3.0, background=(20, 30, 40))
s.add_video(sys.argv[1], width=W, height=H)
s.add_solid((255, 80, 0, 200), x=10, y=10, width=40, height=30).animate("x", [(0, 10), (3.0, 110)])
e = rf.Exporter(s, sys.argv[2], frames=(24, 48), gop=12, crf=23)
e._options.threads = 1  # one x264 thread, as a segment with x264_threads=1
e.run()
"""


def _export(video, out, perturb: int, size: tuple[int, int]) -> str:
    env = dict(os.environ, MALLOC_PERTURB_=str(perturb))
    cmd = [sys.executable, "-c", SCRIPT, str(video), str(out), *map(str, size)]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-3000:]
    return hashlib.sha256(out.read_bytes()).hexdigest()


@pytest.mark.parametrize("size", [(160, 90), (1024, 64)], ids=["10-MBs-wide", "64-MBs-wide"])
def test_h264_crf_bytes_do_not_depend_on_heap_contents(lavfi, tmp_path, size):
    digests = {p: _export(lavfi.video, tmp_path / f"p{p}.mp4", p, size) for p in (0, 85, 170)}
    assert len(set(digests.values())) == 1, digests
