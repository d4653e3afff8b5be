#!/usr/bin/env python3
"""Effects on the render graph: a blurred 1080p background video and a PiP with a drop shadow.

Scene E1 (1080p, 30 fps, --seconds long, default 3): big_buck_bunny_0_30.webm filling the frame
with GaussianBlur(20); chaplin.mp4 as a 640x360 picture-in-picture at (1232, 48) with
DropShadow(8, 8, 12, opacity 0.6) and, where the render graph provides them (h-graph),
corner_radius 24 and a luma mask; the features actually present are listed in the output.
Encoded with libx264 veryfast CRF 23, no audio.

Contenders, each in its own process, back to back in the same invocation:
  effects   E1 as above
  plain     the same two layers without any effect, corner or mask (R1's video part): the fast
            path that must stay as fast as before effects existed

Figures: fps (frames / export wall time), CPU-s and peak RSS of each child. The script runs
unchanged on lavapipe or a real GPU (``REELFORGE_DEVICE`` picks one). Prints one JSON object
(stdout); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import log, ratio  # noqa: E402

NAME = "bench_effects"
MEDIA = ["big_buck_bunny_0_30.webm", "chaplin.mp4"]
CONTENDERS = ("effects", "plain")


def build_scene(media: dict, seconds: float, with_effects: bool, resolution: str):
    import reelforge as rf
    L = common.r1_layout(resolution)
    W, H, p = L["width"], L["height"], L["pip"]
    k = W // 1920
    sc = rf.Scene(W, H, fps=L["fps"], duration=seconds)
    bg = sc.add_video(media["big_buck_bunny_0_30.webm"], width=W, height=H)
    pip = sc.add_video(media["chaplin.mp4"], x=p["x"], y=p["y"], width=p["width"], height=p["height"])
    features = []
    if with_effects:
        bg.add_effect(rf.effects.GaussianBlur(20 * k, edge="extend"))
        pip.add_effect(rf.effects.DropShadow(8 * k, 8 * k, 12 * k, opacity=0.6))
        features += ["GaussianBlur(20, edge=extend)", "DropShadow(8, 8, 12)"]
        if "corner_radius" in rf.PROPERTIES:  # render graph (h-graph)
            pip.set("corner_radius", 24 * k)
            features.append("corner_radius=24")
        if hasattr(pip, "set_mask"):
            import numpy as np
            ramp = np.zeros((p["height"], p["width"], 4), np.uint8)
            ramp[..., :3] = np.linspace(64, 255, p["width"], dtype=np.uint8)[None, :, None]
            ramp[..., 3] = 255
            mask = sc.add_image(ramp, x=p["x"], y=p["y"])
            pip.set_mask(mask, mode="luma")
            features.append("luma mask")
    return sc, features


def child(args) -> int:
    import reelforge as rf
    media = common.require_media(NAME, MEDIA)
    sc, features = build_scene(media, args.seconds, args.child == "effects", args.resolution)
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "e1.mp4")
        t0 = time.perf_counter()
        res = rf.Exporter(sc, out, crf=23, preset="veryfast").run()
        wall = time.perf_counter() - t0
        frames = sc.frame_count
        check = common.verify_output(out, frames=frames, width=sc.width, height=sc.height, fps=float(sc.fps),
                                     audio=False)
    print(json.dumps({"frames": frames, "export_wall_s": round(wall, 3), "fps": round(frames / wall, 2),
                      "features": features, "device": getattr(res, "device", None),
                      "output_valid": check["valid"], "output_problems": check["problems"]}, default=str))
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=3.0, help="scene length in seconds (default 3)")
    ap.add_argument("--resolution", choices=("1080p", "4k"), default="1080p")
    ap.add_argument("--contenders", default=",".join(CONTENDERS))
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--no-save", action="store_true", help="do not write benchmarks/results/*.json")
    ap.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args)
    common.require_media(NAME, MEDIA)
    result = {"benchmark": NAME, "status": "ok", "resolution": args.resolution, "seconds": args.seconds,
              "system": common.system_info(), "contenders": {}}
    for name in args.contenders.split(","):
        log(f"{name}: exporting {args.seconds} s at {args.resolution}")
        m = common.run_measured([sys.executable, __file__, "--child", name, "--seconds", str(args.seconds),
                                 "--resolution", args.resolution], timeout=args.timeout)
        row = {"rc": m["rc"], "timed_out": m["timed_out"], "wall_s": round(m["wall_s"], 2),
               "cpu_s": round(m["cpu_s"], 2), "peak_rss_mb": round(m["peak_rss_mb"], 1)}
        got = common.last_json_line(m["stdout"])
        if m["rc"] != 0 or not got:
            row.update(status="error", stderr=common.tail(m["stderr"]))
            result["status"] = "error"
        else:
            row.update(got)
        result["contenders"][name] = row
    c = result["contenders"]
    result["effects_vs_plain_fps"] = ratio(c.get("effects", {}).get("fps"), c.get("plain", {}).get("fps"))
    common.emit(result, NAME, save=not args.no_save)
    return 0 if result["status"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
