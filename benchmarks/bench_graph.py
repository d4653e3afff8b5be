#!/usr/bin/env python3
"""GPU side of a scene that uses the render graph, against the same scene flattened.

Graph scene (1080p by default): a full-frame background video; a picture-in-picture nested
scene (its own 640x360 canvas holding the second video and a caption bar) with rounded corners
and a border; a lower third built as a group of three solids at 80 % opacity; an image with a
feathered luminance mask. Flat scene: the same layers without nesting, group, mask, corners or
border (the single tiled pass). Both measured with ``_core.measure_throughput`` (upload,
conversion, graph nodes, final composite, NV12 readback; 3 frames in flight), back to back.

The same script runs unchanged on a machine with a GPU (see bench_gpu_composite.py for the
Vulkan driver); on lavapipe the figures are CPU-bound and, on a shared machine, noisy.
Prints one JSON object (stdout); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import log  # noqa: E402

NAME = "bench_graph"
MEDIA = ["big_buck_bunny_0_30.webm", "chaplin.mp4", "python_logo.png"]


def build(media: dict, width: int, height: int, duration: float, graph: bool):
    import reelforge as rf
    s = rf.Scene(width, height, fps=30, duration=duration)
    s.add_video(media["big_buck_bunny_0_30.webm"], width=width, height=height)
    k = width / 1920
    if graph:
        pip = rf.Scene(640, 360, fps=30, duration=duration, background=(20, 20, 20))
        pip.add_video(media["chaplin.mp4"], width=640, height=360)
        pip.add_solid((0, 0, 0, 160), y=300, width=640, height=60)
        s.add_scene(pip, x=1220 * k, y=60 * k, width=640 * k, height=360 * k) \
            .set("corner_radius", 24).set("border_width", 4).set("border_color", "white")
    else:
        s.add_video(media["chaplin.mp4"], x=1220 * k, y=60 * k, width=640 * k, height=360 * k)
        s.add_solid((0, 0, 0, 160), x=1220 * k, y=360 * k, width=640 * k, height=60 * k)
    bars = [s.add_solid((30, 90, 200), x=80 * k, y=860 * k, width=900 * k, height=120 * k),
            s.add_solid((255, 255, 255), x=80 * k, y=860 * k, width=12 * k, height=120 * k),
            s.add_solid((240, 200, 40), x=110 * k, y=940 * k, width=500 * k, height=10 * k)]
    if graph:
        s.add_group(bars).set("opacity", 0.8)
    else:
        for b in bars:
            b.set("opacity", 0.8)
    logo = s.add_image(media["python_logo.png"], x=1500 * k, y=700 * k, width=300 * k)
    if graph:
        yy, xx = np.mgrid[0:256, 0:256]
        ramp = np.zeros((256, 256, 4), np.uint8)
        ramp[..., :3] = (255 * np.clip(1.5 - np.hypot(xx - 128, yy - 128) / 85, 0, 1))[..., None]
        ramp[..., 3] = 255
        logo.set_mask(s.add_image(ramp, x=1500 * k, y=700 * k, width=300 * k, height=300 * k), mode="luma",
                      feather=6)
    return s


def measure(media: dict, args, graph: bool) -> dict:
    from reelforge import _core
    w, h = {"1080p": (1920, 1080), "4k": (3840, 2160)}[args.resolution]
    tl = build(media, w, h, max(1.0, args.distinct / 30), graph).compile()
    r = _core.measure_throughput(tl, frames=args.frames, distinct=args.distinct, warmup=args.warmup,
                                 slots=3, nv12=True)
    log(f"{'graph' if graph else 'flat'}: {r['fps']:.1f} fps on {r['device']}")
    return {"fps": round(r["fps"], 2), "ms_per_frame": round(1000.0 * r["seconds"] / r["frames"], 3),
            "cpu_ms_per_frame": round(1000.0 * r["cpu_seconds"] / r["frames"], 3), "frames": r["frames"],
            "device": r["device"], "device_type": r["device_type"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resolution", default="1080p", choices=["1080p", "4k"])
    ap.add_argument("--frames", type=int, default=120, help="timed frames per scene (default 120)")
    ap.add_argument("--distinct", type=int, default=30, help="distinct frames prepared and cycled (default 30)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--no-save", action="store_true", help="do not write benchmarks/results/*.json")
    args = ap.parse_args(argv)
    media = common.require_media(NAME, MEDIA)
    flat = measure(media, args, graph=False)
    graph = measure(media, args, graph=True)
    out = {"benchmark": NAME, "status": "ok", "resolution": args.resolution,
           "scene": "background video; nested PiP scene with corners and border; grouped lower third; "
                    "luma-masked logo (flat: the same layers without graph nodes)",
           "results": {"flat": flat, "graph": graph},
           "graph_over_flat_ms": common.ratio(graph["ms_per_frame"], flat["ms_per_frame"]),
           "system": common.system_info()}
    common.emit(out, NAME, save=not args.no_save)
    return 0


if __name__ == "__main__":
    sys.exit(main())
