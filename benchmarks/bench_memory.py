#!/usr/bin/env python3
"""Peak memory of a short and a long reelforge export of the same cheap 1080p scene.

The scene (benchmarks/workers.py, ``reelforge-memory``): full-frame solids with an animated band,
chaplin.mp4 (9.64 s) cut back to back as one video layer per cut for the whole duration (a
10-minute export has 63 of them), the Python logo moving back and forth, and crunching.mp3
looped as music. Each export runs in its own process; peak RSS is that process's ru_maxrss.

Target: peak RSS of the long export within 10 % of the short one (memory must not grow with
duration). The long export defaults to 600 s (10 minutes), which takes several times real time
on a CPU-only (lavapipe) machine; ``--long-seconds`` shortens it, and the JSON always states the
durations actually rendered.

Prints one JSON object (stdout); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import log  # noqa: E402

NAME = "bench_memory"
MEDIA = ["chaplin.mp4", "python_logo.png", "crunching.mp3"]
TARGET_GROWTH = 0.10


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--short-seconds", type=float, default=10.0, help="short export, seconds (default 10)")
    ap.add_argument("--long-seconds", type=float, default=600.0,
                    help="long export, seconds (default 600 = 10 minutes; takes long without a GPU)")
    ap.add_argument("--width", type=int, default=1920)
    ap.add_argument("--height", type=int, default=1080)
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--no-audio", action="store_true", help="leave the looped music out")
    ap.add_argument("--timeout", type=float, default=3600.0, help="per-export limit in seconds (default 3600)")
    ap.add_argument("--out-dir", help="keep outputs here (default: a temporary folder, removed afterwards)")
    ap.add_argument("--no-save", action="store_true", help="do not write benchmarks/results/*.json")
    args = ap.parse_args(argv)
    if not 0 < args.short_seconds < args.long_seconds:
        ap.error("need 0 < --short-seconds < --long-seconds")

    common.require_tool(NAME, "ffprobe")
    media = common.require_media(NAME, MEDIA)
    audio = not args.no_audio
    out_dir = Path(args.out_dir) if args.out_dir else Path(tempfile.mkdtemp(prefix="reelforge-bench-mem-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    result = {"benchmark": NAME, "status": "ok", "width": args.width, "height": args.height, "fps": args.fps,
              "audio": audio, "long_is_full_10_minutes": args.long_seconds >= 600,
              "system": common.system_info(), "exports": {}}
    try:
        for label, seconds in (("short", args.short_seconds), ("long", args.long_seconds)):
            frames = round(seconds * args.fps)
            out = str(out_dir / f"memory_{label}.mp4")
            spec = {"media": media, "duration": seconds, "width": args.width, "height": args.height,
                    "fps": args.fps, "audio": audio, "out": out}
            log(f"{label}: {seconds} s ({frames} frames) at {args.width}x{args.height}")
            run = common.run_measured([sys.executable, str(common.BENCH_DIR / "workers.py"), "reelforge-memory",
                                       json.dumps(spec)], timeout=args.timeout, sample_interval=0.25)
            worker = common.last_json_line(run["stdout"]) if run["rc"] == 0 else None
            verify = common.verify_output(out, frames=frames, width=args.width, height=args.height,
                                          fps=args.fps, audio=audio)
            res = {"seconds": seconds, "frames": frames,
                   **{k: run[k] for k in ("wall_s", "cpu_s", "peak_rss_mb", "peak_tree_rss_mb", "loadavg_before",
                                          "rc", "timed_out")},
                   "fps": round(frames / run["wall_s"], 3)}
            if worker:
                res.update({k: v for k, v in worker.items() if k != "frames"})
                res["render_s"] = round(worker["render_s"], 3)
            res["output"] = verify
            res["valid"] = run["rc"] == 0 and verify["valid"]
            if run["rc"] != 0:
                res["error"] = common.tail(run["stderr"] or run["stdout"])
            result["exports"][label] = res
            log(f"{label}: peak RSS {res['peak_rss_mb']} MB, {res['fps']} fps, valid={res['valid']}")
    finally:
        if not args.out_dir:
            shutil.rmtree(out_dir, ignore_errors=True)

    s, l = result["exports"]["short"], result["exports"]["long"]
    growth = (l["peak_rss_mb"] / s["peak_rss_mb"] - 1) if s.get("peak_rss_mb") else None
    result["long_vs_short_rss_growth"] = None if growth is None else round(growth, 4)
    result["targets"] = {"long_within_10pct_of_short": {
        "target": f"peak RSS(long) <= {1 + TARGET_GROWTH:.2f} x peak RSS(short)",
        "short_s": s["seconds"], "long_s": l["seconds"], "value": result["long_vs_short_rss_growth"],
        "pass": None if growth is None or not (s["valid"] and l["valid"]) else growth <= TARGET_GROWTH}}
    if args.long_seconds < 600:
        result["note"] = (f"long export shortened to {args.long_seconds:g} s (target is stated for 600 s); "
                          "growth over a longer run may be larger")
    invalid = [k for k, v in result["exports"].items() if not v["valid"]]
    if invalid:
        result["status"] = "invalid"
        result["invalid_exports"] = invalid
    common.emit(result, NAME, save=not args.no_save)
    return 0 if not invalid else 1


if __name__ == "__main__":
    sys.exit(main())
