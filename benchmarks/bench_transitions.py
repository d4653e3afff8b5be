#!/usr/bin/env python3
"""Shapes-and-transitions scene: bench_shapes' 20 animated shapes and zooming SVG, cut into three
segments joined by two transitions, exported at 1080p (h264). Measures export fps and peak RSS,
and the same scene with hard cuts (the peer, measured in the same run): the difference is what
the transitions cost.

Segments (groups, so each transition blends whole segments): 1. the 20 shapes over a gradient;
2. the SVG logo zooming over a second gradient; 3. a radial-gradient card. Transitions: a soft
Wipe from 1 to 2 and a Crossfade from 2 to 3, each 1/8 of the scene long. During an overlap both
segments are composited into canvas-sized intermediates and blended by the transition's shader,
so those frames cost about two extra full-canvas composites and one shader pass.

Prints one JSON object (stdout); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_shapes  # noqa: E402
import common  # noqa: E402
from common import log  # noqa: E402

NAME = "bench_transitions"


def build_scene(spec: dict):
    import reelforge as rf
    from reelforge import transitions as tr

    w, h, seconds = spec["width"], spec["height"], spec["seconds"]
    s = bench_shapes.build_scene(spec)  # gradient background, 20 shapes, the SVG (last); all 0..end
    k = seconds / 4.0
    # Segment spans: overlapping by 0.5 k with transitions, end to end with hard cuts.
    spans = ([(0, 1.75 * k), (1.25 * k, 3.0 * k), (2.5 * k, seconds)] if spec["transitions"] else
             [(0, 1.5 * k), (1.5 * k, 2.75 * k), (2.75 * k, seconds)])
    *first, logo = s.layers
    for layer in first:
        layer.start, layer.end = spans[0]
    one = s.add_group(first, name="shapes")
    bg2 = s.add_solid(rf.LinearGradient((0, h), (w, 0), [(0, "#203020"), (1, "#60a070")]), start=spans[1][0],
                      end=spans[1][1])
    s.layers.remove(bg2)
    s.layers.insert(s.layers.index(logo), bg2)  # under the logo
    logo.start, logo.end = spans[1]
    two = s.add_group([bg2, logo], name="logo")
    three = s.add_solid(rf.RadialGradient((w / 2, h / 2), w / 2, [(0, "#ffd43b"), (1, "#306998")]),
                        start=spans[2][0], end=spans[2][1])
    if spec["transitions"]:
        s.add_transition(one, two, tr.Wipe("right", 0.1, easing="ease_in_out"), duration=0.5 * k)
        s.add_transition(two, three, tr.Crossfade(), duration=0.5 * k)
    return s


def worker(spec: dict) -> dict:
    import reelforge as rf
    t0 = time.perf_counter()
    scene = build_scene(spec)
    r = rf.Exporter(scene, spec["out"]).start().result()
    return {"frames": r.frames, "render_s": round(time.perf_counter() - t0, 3), "encoder": r.encoder,
            "transitions": len(scene.transitions)}


def measure(args, tmp: str, transitions: bool) -> dict:
    out = str(Path(tmp) / f"transitions_{int(transitions)}.mp4")
    spec = {"width": args.width, "height": args.height, "fps": args.fps, "seconds": args.seconds, "out": out,
            "tmp": tmp, "transitions": transitions}
    log(f"exporting {args.seconds:g} s at {args.width}x{args.height} ({'transitions' if transitions else 'hard cuts'})")
    m = common.run_measured([sys.executable, __file__, "--worker", json.dumps(spec)], timeout=args.timeout)
    res = common.last_json_line(m["stdout"])
    if m["rc"] != 0 or res is None:
        common.fail(NAME, f"worker failed (rc {m['rc']}): {common.tail(m['stderr'])}", code=1)
    frames = int(round(args.seconds * args.fps))
    check = common.verify_output(out, frames=frames, width=args.width, height=args.height, fps=args.fps, audio=False)
    return {"transitions": res["transitions"], "frames": res["frames"], "wall_s": round(m["wall_s"], 3),
            "fps": round(res["frames"] / m["wall_s"], 2), "fps_in_process": round(res["frames"] / res["render_s"], 2),
            "cpu_s": m["cpu_s"], "peak_rss_mb": m["peak_rss_mb"], "encoder": res["encoder"], "output": check}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=4.0, help="scene length (default 4 s)")
    ap.add_argument("--width", type=int, default=1920)
    ap.add_argument("--height", type=int, default=1080)
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--no-save", action="store_true", help="do not write benchmarks/results/*.json")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        with_t = measure(args, tmp, True)
        cuts = measure(args, tmp, False)
    valid = with_t["output"]["valid"] and cuts["output"]["valid"]
    result = {
        "benchmark": NAME, "status": "ok" if valid else "invalid", "scene": {
            "width": args.width, "height": args.height, "fps": args.fps, "seconds": args.seconds,
            "shapes": 20, "svg": 1, "transitions": with_t["transitions"],
            "overlap_frames": int(round(2 * 0.5 * args.seconds / 4.0 * args.fps))},
        **{k: with_t[k] for k in ("frames", "wall_s", "fps", "fps_in_process", "cpu_s", "peak_rss_mb", "encoder")},
        "output": with_t["output"],
        "peer_hard_cuts": {k: cuts[k] for k in ("fps", "fps_in_process", "wall_s", "cpu_s", "peak_rss_mb")},
        "fps_ratio_vs_hard_cuts": common.ratio(with_t["fps"], cuts["fps"]),
        "system": common.system_info(),
    }
    common.emit(result, NAME, save=not args.no_save)
    return 0 if valid else 1


if __name__ == "__main__":
    sys.exit(main())
