#!/usr/bin/env python3
"""Shapes scene: 20 animated vector shapes and an SVG over a gradient background, exported at
1080p (h264). Measures export fps and peak RSS of the exporting process.

The scene (built by the worker, nothing from outside): a LinearGradient solid as background; 20
shape layers (rounded rects whose width and corner radius are keyframed, rotating ellipses with
gradient fills, SVG paths drawn on with stroke_end, dashed polygons) that move every frame, so
each is re-rasterised by cairo every frame; and an SVG logo (written by the benchmark) zooming in,
re-rasterised by librsvg at each displayed size. Every shape moves, so this is the worst case
for the CPU side (a static shape is rasterised once and uploaded once per GPU slot).

The same shapes in a scene with transitions: bench_transitions.py.

Prints one JSON object (stdout); progress goes to stderr.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

NAME = "bench_shapes"
LOGO = """<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200">
  <defs><radialGradient id="g" cx="0.5" cy="0.4" r="0.6"><stop offset="0" stop-color="#ffd43b"/>
    <stop offset="1" stop-color="#306998"/></radialGradient></defs>
  <circle cx="100" cy="100" r="90" fill="url(#g)" stroke="#222" stroke-width="6"/>
  <path d="M60 130 C60 60 140 60 140 130 Z" fill="#fff" fill-opacity="0.85"/>
  <text x="100" y="175" font-size="28" text-anchor="middle" fill="#111">rf</text>
</svg>"""


def build_scene(spec: dict):
    import reelforge as rf
    from reelforge import shapes

    w, h, seconds = spec["width"], spec["height"], spec["seconds"]
    s = rf.Scene(w, h, fps=spec["fps"], duration=seconds)
    s.add_solid(rf.LinearGradient((0, 0), (w, h), [(0, "#101830"), (0.6, "#203060"), (1, "#402040")]))
    for i in range(20):
        col, row = i % 5, i // 5
        x0, y0 = 80 + col * w / 5.5, 80 + row * h / 4.5
        kind = i % 4
        if kind == 0:
            layer = s.add_shape(shapes.Rect(160, 90, radius=10), fill="#e0503080", stroke="white", stroke_width=4,
                                x=x0, y=y0, join="round")
            layer.animate("width", [(0, 80), (seconds, 240)], easing="ease_in_out")
            layer.animate("radius", [(0, 0), (seconds, 40)])
        elif kind == 1:
            g = rf.RadialGradient((60, 40), 70, [(0, "white"), (1, "#2080f0")])
            layer = s.add_shape(shapes.Ellipse(120, 80), fill=g, x=x0, y=y0)
            layer.set("anchor_x", 0.5).set("anchor_y", 0.5)
            layer.animate("rotation", [(0, 0), (seconds, 360)])
        elif kind == 2:
            layer = s.add_shape(shapes.Path("M0 60 C40 0 80 120 120 60 S200 0 240 60"), fill=None, stroke="#ffd43b",
                                stroke_width=6, cap="round", x=x0, y=y0)
            layer.animate("stroke_end", [(0, 0), (seconds, 1)])
        else:
            layer = s.add_shape(shapes.Polygon([(0, 0), (120, 20), (80, 110), (10, 80)]), fill="#30c08090",
                                stroke="white", stroke_width=3, dash=(12, 6), x=x0, y=y0)
            layer.animate("scale", [(0, 0.6), (seconds, 1.4)])
        layer.animate("x", [(0, x0), (seconds, x0 + 120)])
    logo = Path(spec["tmp"]) / "logo.svg"
    logo.write_text(LOGO)
    s.add_image(str(logo), x=w / 2, y=h / 2).set("anchor_x", 0.5).set("anchor_y", 0.5) \
        .animate("scale", [(0, 1.0), (seconds, 3.0)])
    return s


def worker(spec: dict) -> dict:
    import reelforge as rf
    t0 = time.perf_counter()
    scene = build_scene(spec)
    r = rf.Exporter(scene, spec["out"]).start().result()
    return {"frames": r.frames, "render_s": round(time.perf_counter() - t0, 3), "encoder": r.encoder}


def main(argv=None) -> int:
    args = common.export_bench_parser(__doc__, seconds=4.0, timeout=1800.0).parse_args(argv)
    if common.run_worker(args, worker):
        return 0
    frames = int(round(args.seconds * args.fps))
    with tempfile.TemporaryDirectory() as tmp:
        spec = {"width": args.width, "height": args.height, "fps": args.fps, "seconds": args.seconds,
                "out": str(Path(tmp) / "shapes.mp4"), "tmp": tmp}
        m = common.measure_export("shapes", __file__, spec, audio=False, timeout=args.timeout, sample_interval=0.05)
    if "render_s" not in m:
        common.fail(NAME, f"worker failed (rc {m['rc']}): {m.get('error', '')}", code=1)
    check = m["output"]
    result = {
        "benchmark": NAME, "status": "ok" if check["valid"] else "invalid", "scene": {
            "width": args.width, "height": args.height, "fps": args.fps, "seconds": args.seconds,
            "shapes": 20, "svg": 1, "transitions": 0},
        "frames": frames, "wall_s": round(m["wall_s"], 3), "fps": round(frames / m["wall_s"], 2),
        "fps_in_process": round(frames / m["render_s"], 2), "cpu_s": m["cpu_s"],
        "peak_rss_mb": m["peak_rss_mb"], "encoder": m["encoder"], "output": check, "system": common.system_info(),
    }
    common.emit(result, NAME, save=not args.no_save)
    return 0 if check["valid"] else 1


if __name__ == "__main__":
    sys.exit(main())
