"""Cost of scenes as data: to_dict / JSON / validation / from_dict of a large document, and the
per-row overhead of ``reelforge batch`` against building the same scenes in Python.

Prints one JSON object. No media needed (solids only). Figures measured while other work runs on
the machine are noisy: the JSON says what it measured, not how loaded the machine was.

    python benchmarks/bench_serialize.py [--layers 200] [--rows 5]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def build_scene(rf, layers: int, frames_per_second: int = 30, seconds: float = 10.0):
    s = rf.Scene(1280, 720, fps=frames_per_second, duration=seconds)
    n = s.frame_count
    for i in range(layers):
        layer = s.add_solid((i % 255, 80, 200), width=40, height=30, name=f"l{i}")
        layer.animate("x", [(0, 0), (seconds / 2, 600, "ease_in_out"), (seconds, 1200)])
        if i % 4 == 0:
            layer.set("rotation", np.linspace(0, 360, n))  # a per-frame table
    return s


def timed(fn, repeat: int = 3):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--layers", type=int, default=200, help="layers in the large document (default 200)")
    ap.add_argument("--rows", type=int, default=5, help="CSV rows for the batch comparison (default 5)")
    args = ap.parse_args()
    import reelforge as rf
    from reelforge import serialize

    scene = build_scene(rf, args.layers)
    t_build, _ = timed(lambda: build_scene(rf, args.layers))
    t_to, doc = timed(scene.to_dict)
    t_dump, text = timed(lambda: json.dumps(doc))
    t_validate, problems = timed(lambda: serialize.validate(doc))
    t_from, back = timed(lambda: rf.Scene.from_dict(json.loads(text)))
    t_compile, _ = timed(back.compile)
    result = {
        "benchmark": "bench_serialize", "layers": args.layers, "frames": scene.frame_count,
        "document_bytes": len(text), "valid": problems == [],
        "python_build_s": round(t_build, 4), "to_dict_s": round(t_to, 4), "json_dumps_s": round(t_dump, 4),
        "validate_s": round(t_validate, 4), "from_dict_s": round(t_from, 4), "compile_s": round(t_compile, 4),
    }

    # Batch: N rows of a tiny template through the CLI, against one Python process doing the same.
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        template = {"width": 64, "height": 48, "fps": 10, "duration": 1,
                    "layers": [{"kind": "solid", "color": "${color}", "width": 32, "height": 24,
                                "keyframes": {"x": [[0, 0], [1, 32]]}}],
                    "export": {"preset": "ultrafast"}}
        (d / "t.json").write_text(json.dumps(template))
        colors = ["red", "lime", "blue", "yellow", "white"]
        with open(d / "rows.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "color"])
            for i in range(args.rows):
                w.writerow([i, colors[i % len(colors)]])
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "reelforge", "batch", "t.json", "rows.csv", "-o", "b/{id}.mp4",
                            "-q"], cwd=d, capture_output=True, text=True)
        t_batch = time.perf_counter() - t0
        code = ("import reelforge as rf\n"
                f"for i in range({args.rows}):\n"
                "    s = rf.Scene(64, 48, fps=10, duration=1)\n"
                f"    s.add_solid({colors!r}[i % 5], width=32, height=24).animate('x', [(0, 0), (1, 32)])\n"
                "    rf.Exporter(s, f'p/{i}.mp4', preset='ultrafast').run()\n")
        (d / "p").mkdir()
        t0 = time.perf_counter()
        p = subprocess.run([sys.executable, "-c", code], cwd=d, capture_output=True, text=True)
        t_python = time.perf_counter() - t0
        result.update({"batch_rows": args.rows, "batch_cli_s": round(t_batch, 3), "batch_ok": r.returncode == 0,
                       "python_loop_s": round(t_python, 3), "python_ok": p.returncode == 0,
                       "batch_overhead_per_row_s": round((t_batch - t_python) / args.rows, 4)})
    result["note"] = "single run on a shared machine; wall-clock figures, best of 3 for the in-process ones"
    print(json.dumps(result, indent=2))
    return 0 if result["valid"] and result["batch_ok"] and result["python_ok"] else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
