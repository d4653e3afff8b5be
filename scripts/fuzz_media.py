#!/usr/bin/env python3
"""Seeded mutation fuzzer over small generated media (issue 10).

Makes tiny MP4 (H.264 + AAC), WebM (VP9 + Opus), MP3, PNG and GIF files with ffmpeg lavfi, mutates
them (byte flips, truncations, zeroed ranges, swapped boxes/chunks, duplicated ranges) from a seed,
and exports a small scene using each mutated file. A case passes when, within the timeout, it
ends with either a valid output (frame count and duration right, checked with ffprobe) or a
reelforge exception, and leaves no file behind other than that output. Anything else is counted
as a crash (the process died), a hang (timeout), a foreign exception, a bad output or a leftover.

Cases run in worker subprocesses (several cases per worker, so the Vulkan device and FFmpeg are
set up once); a worker that dies or stops answering is replaced and the case recorded.

    python scripts/fuzz_media.py --cases 2000 --seed 1 --jobs 2 [--keep DIR] [--json]

Prints a summary (and with --json a JSON object); exit status 1 if any case failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

W, H, FPS, FRAMES = 64, 36, 25, 10
DURATION = FRAMES / FPS
KINDS = ("mp4", "webm", "mp3", "png", "gif")


# -- base media ----------------------------------------------------------------------------------

def _ffmpeg(*args) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *map(str, args)],
                   check=True, capture_output=True, timeout=120)


def make_base_media(root: Path) -> dict[str, bytes]:
    """The unmutated inputs, as bytes, keyed by kind."""
    v = f"testsrc2=size={W}x{H}:rate={FPS}:duration={DURATION}"
    a = f"sine=frequency=440:sample_rate=48000:duration={DURATION}"
    files = {
        "mp4": ["-f", "lavfi", "-i", v, "-f", "lavfi", "-i", a, "-c:v", "libx264", "-preset", "ultrafast", "-g", "4",
                "-bf", "2", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-shortest"],
        "webm": ["-f", "lavfi", "-i", v, "-f", "lavfi", "-i", a, "-c:v", "libvpx-vp9", "-deadline", "realtime",
                 "-cpu-used", "8", "-g", "4", "-c:a", "libopus", "-b:a", "32k", "-shortest"],
        "mp3": ["-f", "lavfi", "-i", a, "-c:a", "libmp3lame", "-b:a", "64k"],
        "png": ["-f", "lavfi", "-i", f"testsrc2=size={W}x{H}", "-frames:v", "1"],
        "gif": ["-f", "lavfi", "-i", v],
    }
    out = {}
    for kind, args in files.items():
        p = root / f"base.{kind}"
        _ffmpeg(*args, p)
        out[kind] = p.read_bytes()
    return out


# -- mutations -----------------------------------------------------------------------------------

def _mp4_boxes(data: bytes, start: int, end: int) -> list[tuple[int, int]]:
    """(offset, size) of the ISO-BMFF boxes in data[start:end] (stops at anything malformed)."""
    boxes, pos = [], start
    while pos + 8 <= end:
        size = struct.unpack(">I", data[pos:pos + 4])[0]
        if size == 1 and pos + 16 <= end:
            size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
        if size < 8 or pos + size > end:
            break
        boxes.append((pos, size))
        pos += size
    return boxes


def _png_chunks(data: bytes) -> list[tuple[int, int]]:
    chunks, pos = [], 8
    while pos + 12 <= len(data):
        n = struct.unpack(">I", data[pos:pos + 4])[0]
        if pos + 12 + n > len(data):
            break
        chunks.append((pos, 12 + n))
        pos += 12 + n
    return chunks


def _swap(data: bytearray, a: tuple[int, int], b: tuple[int, int]) -> bytearray:
    (pa, na), (pb, nb) = sorted([a, b])
    return data[:pa] + data[pb:pb + nb] + data[pa + na:pb] + data[pa:pa + na] + data[pb + nb:]


def swap_units(rng: random.Random, kind: str, data: bytearray) -> tuple[bytearray, str]:
    """Swaps two sibling boxes (MP4: top level or inside moov/trak/mdia/minf/stbl), two PNG chunks,
    or (other formats) two equal-length byte ranges."""
    units: list[tuple[int, int]] = []
    if kind == "mp4":
        levels = [_mp4_boxes(data, 0, len(data))]
        for lvl in list(levels):
            for off, size in lvl:
                if bytes(data[off + 4:off + 8]) in (b"moov", b"trak", b"mdia", b"minf", b"stbl"):
                    levels.append(_mp4_boxes(data, off + 8, off + size))
        levels = [lv for lv in levels if len(lv) >= 2]
        if levels:
            units = rng.choice(levels)
    elif kind == "png":
        units = _png_chunks(data)
    if len(units) >= 2:
        a, b = rng.sample(units, 2)
        return _swap(data, a, b), f"swap units at {a[0]},{b[0]}"
    n = rng.randint(1, max(1, len(data) // 8))
    pa, pb = sorted(rng.sample(range(0, max(2, len(data) - n)), 2))
    if pb < pa + n:
        pb = min(len(data) - n, pa + n)
    return _swap(data, (pa, n), (pb, n)), f"swap ranges {pa},{pb} len {n}"


def mutate(rng: random.Random, kind: str, base: bytes) -> tuple[bytes, str]:
    """One mutated copy of `base` and a description of what was done."""
    data = bytearray(base)
    op = rng.choice(("flip", "flip", "truncate", "zero", "swap", "dup", "mixed"))
    ops = [rng.choice(("flip", "truncate", "zero", "swap", "dup")) for _ in range(rng.randint(2, 3))] \
        if op == "mixed" else [op]
    notes = []
    for o in ops:
        n = len(data)
        if n < 4:
            break
        if o == "flip":
            k = rng.choice((1, 2, 4, 16, 64))
            for _ in range(k):
                data[rng.randrange(n)] ^= rng.randint(1, 255)
            notes.append(f"flip {k}")
        elif o == "truncate":
            cut = rng.randrange(1, n)
            data = data[:cut]
            notes.append(f"truncate {cut}/{n}")
        elif o == "zero":
            k = rng.randint(1, max(1, min(4096, n // 4)))
            p = rng.randrange(0, n - k + 1)
            data[p:p + k] = bytes(k)
            notes.append(f"zero {p}+{k}")
        elif o == "swap":
            data, note = swap_units(rng, kind, data)
            notes.append(note)
        elif o == "dup":
            k = rng.randint(1, max(1, min(4096, n // 4)))
            p = rng.randrange(0, n - k + 1)
            data = data[:p + k] + data[p:p + k] + data[p + k:]
            notes.append(f"dup {p}+{k}")
    return bytes(data), "; ".join(notes)


# -- the worker: runs cases it reads from stdin, one JSON line each ------------------------------

def run_case(case: dict) -> dict:
    import reelforge as rf
    src, out = case["src"], case["out"]
    try:
        s = rf.Scene(width=W, height=H, fps=FPS, duration=DURATION)
        kind = case["kind"]
        if kind == "mp3":
            s.add_solid((0.2, 0.3, 0.4, 1.0))
            s.add_audio(src)
        elif kind == "png":
            s.add_image(src)
        elif kind == "gif":
            s.add_video(src)
        else:
            s.add_video(src, audio=case.get("audio", False))
        rf.Exporter(s, out).run()
        return {"status": "ok"}
    except rf.ReelforgeError as e:
        return {"status": "error", "error": type(e).__name__, "msg": str(e)[:300]}
    except Exception as e:  # anything else is a finding: not a reelforge exception
        return {"status": "foreign", "error": type(e).__name__, "msg": str(e)[:300]}


def worker() -> None:
    import logging
    logging.disable(logging.WARNING)  # damaged-data warnings are expected here
    for line in sys.stdin:
        case = json.loads(line)
        r = run_case(case)
        r["id"] = case["id"]
        sys.stdout.write(json.dumps(r) + "\n")
        sys.stdout.flush()


# -- the parent: schedules cases, validates outputs ----------------------------------------------

def valid_output(path: Path, want_audio: bool) -> str | None:
    """None when `path` has FRAMES video frames and lasts DURATION (ffprobe); else the reason."""
    r = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-show_streams", "-show_format", "-of", "json",
                        str(path)], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        return f"ffprobe failed: {r.stderr.strip()[:200]}"
    info = json.loads(r.stdout)
    v = [s for s in info["streams"] if s["codec_type"] == "video"]
    a = [s for s in info["streams"] if s["codec_type"] == "audio"]
    if len(v) != 1 or int(v[0].get("nb_read_frames", -1)) != FRAMES:
        return f"video frames {[s.get('nb_read_frames') for s in v]} != {FRAMES}"
    if abs(float(info["format"].get("duration", 0)) - DURATION) > 0.05:
        return f"duration {info['format'].get('duration')} != {DURATION}"
    if want_audio and (len(a) != 1 or abs(float(a[0].get("duration", 0)) - DURATION) > 0.05):
        return f"audio {[s.get('duration') for s in a]} != {DURATION}"
    return None


class Worker:
    def __init__(self):
        env = dict(os.environ, PYTHONFAULTHANDLER="1")
        self.p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, bufsize=1)
        self.case: dict | None = None
        self.deadline = 0.0

    def send(self, case: dict, timeout: float):
        self.case, self.deadline = case, time.monotonic() + timeout
        self.p.stdin.write(json.dumps(case) + "\n")
        self.p.stdin.flush()

    def kill(self) -> str:
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        err = self.p.stderr.read() if self.p.stderr else ""
        return err[-1500:]


def make_cases(n: int, seed: int, base: dict[str, bytes], root: Path) -> list[dict]:
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        data, note = mutate(rng, kind, base[kind])
        d = root / f"case{i:05d}"
        d.mkdir()
        src = d / f"in.{kind}"
        src.write_bytes(data)
        out_dir = d / "out"
        out_dir.mkdir()
        cases.append({"id": i, "kind": kind, "src": str(src), "out": str(out_dir / "o.mp4"), "note": note,
                      "audio": kind in ("mp4", "webm") and rng.random() < 0.5})
    return cases


def check_result(case: dict, r: dict) -> tuple[str, str]:
    """(outcome, detail): outcome in ok / rejected / foreign / bad_output / leftover."""
    out = Path(case["out"])
    left = sorted(p.name for p in out.parent.iterdir() if p != out)
    if r["status"] == "ok":
        why = valid_output(out, case["kind"] == "mp3" or case.get("audio", False)) if out.exists() else "no output"
        if why:
            return "bad_output", why
        if left:
            return "leftover", f"files besides the output: {left}"
        return "ok", ""
    if out.exists() or left:
        return "leftover", f"after {r['error']}: {sorted(p.name for p in out.parent.iterdir())}"
    if r["status"] == "foreign":
        return "foreign", f"{r['error']}: {r['msg']}"
    return "rejected", f"{r['error']}: {r['msg']}"


def fuzz(n: int, seed: int, jobs: int, timeout: float, keep: Path | None = None, log=print) -> dict:
    root = Path(tempfile.mkdtemp(prefix="rf_fuzz_")) if keep is None else keep
    root.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    try:
        base = make_base_media(root)
        cases = make_cases(n, seed, base, root)
        pending = list(reversed(cases))
        counts = {k: 0 for k in ("ok", "rejected", "crash", "hang", "foreign", "bad_output", "leftover")}
        findings: list[dict] = []
        workers = [Worker() for _ in range(max(1, jobs))]
        # A fresh worker needs longer for its first case (imports, Vulkan device).
        first = {id(w): True for w in workers}

        def record(case, outcome, detail):
            counts[outcome] += 1
            if outcome not in ("ok", "rejected"):
                findings.append({"id": case["id"], "kind": case["kind"], "note": case["note"], "outcome": outcome,
                                 "detail": detail, "input": case["src"]})
                log(f"[fuzz] case {case['id']} ({case['kind']}, {case['note']}): {outcome}: {detail[:500]}")

        while pending or any(w.case for w in workers):
            for i, w in enumerate(workers):
                if w.case is None and pending:
                    w.send(pending.pop(), timeout * (4 if first[id(w)] else 1))
            busy = [w for w in workers if w.case]
            ready, _, _ = select.select([w.p.stdout for w in busy], [], [], 0.05)
            for w in list(busy):
                i = workers.index(w)
                if w.p.stdout in ready:
                    line = w.p.stdout.readline()
                    if line:
                        case, w.case = w.case, None
                        first[id(w)] = False
                        outcome, detail = check_result(case, json.loads(line))
                        record(case, outcome, detail)
                        continue
                    # EOF: the worker died on this case.
                    case = w.case
                    rc = w.p.wait()
                    record(case, "crash", f"worker exited with {rc}: {w.kill()}")
                    workers[i] = nw = Worker()
                    first[id(nw)] = True
                elif time.monotonic() > w.deadline:
                    case = w.case
                    record(case, "hang", f"no answer in {timeout:.0f} s; stderr: {w.kill()[-300:]}")
                    workers[i] = nw = Worker()
                    first[id(nw)] = True
        for w in workers:
            w.p.stdin.close()
            w.kill()
        return {"seed": seed, "cases": n, **counts, "seconds": round(time.monotonic() - t0, 1),
                "findings": findings}
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=1000, help="number of mutated inputs (default 1000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per case before it counts as a hang")
    ap.add_argument("--keep", type=Path, help="keep inputs/outputs in this folder (to reproduce findings)")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker()
        return 0
    r = fuzz(a.cases, a.seed, a.jobs, a.timeout, a.keep, log=lambda m: print(m, file=sys.stderr))
    if a.json:
        print(json.dumps(r, indent=1))
    else:
        print(f"cases {r['cases']} (seed {r['seed']}, {r['seconds']} s): ok {r['ok']}, rejected {r['rejected']}, "
              f"crashes {r['crash']}, hangs {r['hang']}, foreign exceptions {r['foreign']}, "
              f"bad outputs {r['bad_output']}, leftovers {r['leftover']}")
    return 1 if r["findings"] else 0


if __name__ == "__main__":
    sys.exit(main())
