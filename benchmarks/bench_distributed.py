#!/usr/bin/env python3
"""Segmented export on a Dask LocalCluster: 1, 2, ... worker processes against one Exporter.

The scene (R1-like, 1080p30, ``--seconds`` long, default 60): big_buck_bunny_0_30.webm filling the
frame, played twice back to back (0-30 s, 30-60 s); chaplin.mp4 as the 640x360 picture-in-picture
at (1232, 48), opacity 0.8, restarted every 30 s; python_logo.png gliding along y=880; audio: the
webm's track plus crunching.mp3 at -6 dB from 2 s. libx264 veryfast CRF 23, GOP 60, AAC 192 kb/s.

For each worker count N: ``rf.distributed.export(scene, out, client=LocalCluster(N workers, 1
thread each))``, with the phases the export reports (``timings``: cluster start, worker setup
= build check + Vulkan device, shipping the scene, segments, join; and each segment's task time)
plus ``compile_s``, the client's ``scene.compile()`` time (every segment task compiles the whole
scene once: a per-segment overhead). ``one_pass``: ``rf.Exporter(scene, out).run()`` in this
process, the reference.

``model``: predicted wall time for N workers on this scene, ``fixed + frames * per_frame / N +
join_s`` with ``per_frame`` the segment tasks' seconds per frame measured with one worker (no
contention) and ``fixed`` = cluster + setup + ship; the speed-up ``one_pass_s / predicted``, and
without the fixed costs (a cluster that is already running). The prediction assumes each worker has its own cores (or GPU); on a
machine with fewer cores than workers x encoder threads the encoder is the limit and the measured
figure is what counts.

Prints one JSON object (stdout); progress goes to stderr. Run ``--workers 1,2,4,8`` on a 16-core
machine with a GPU.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import log  # noqa: E402

NAME = "bench_distributed"
MEDIA = ["big_buck_bunny_0_30.webm", "chaplin.mp4", "crunching.mp3", "python_logo.png"]


def build_scene(media: dict, seconds: float, scale: float):
    import reelforge as rf
    L = common.r1_layout("1080p")
    W, H = int(L["width"] * scale) // 2 * 2, int(L["height"] * scale) // 2 * 2
    s = rf.Scene(W, H, fps=L["fps"], duration=seconds)
    p, g = L["pip"], L["logo"]
    for start in range(0, int(math.ceil(seconds)), 30):
        end = min(seconds, start + 30)
        s.add_video(media["big_buck_bunny_0_30.webm"], start=start, end=end, width=W, height=H, audio=True)
        s.add_video(media["chaplin.mp4"], start=start, end=end, x=p["x"] * scale, y=p["y"] * scale,
                    width=p["width"] * scale, height=p["height"] * scale, opacity=p["opacity"])
    s.add_image(media["python_logo.png"], y=g["y"] * scale, width=g["width"] * scale).animate(
        "x", [(0, g["x0"] * scale), (seconds, (g["x0"] + g["speed"] * seconds) * scale)])
    s.add_audio(media["crunching.mp3"], start=L["music"]["start"], gain_db=L["music"]["gain_db"])
    return s, L


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    ap.add_argument("--segment-seconds", type=float, default=None,
                    help="segment length (rounded up to whole GOPs); default: about 2 segments per worker")
    ap.add_argument("--scale", type=float, default=1.0, help="frame size relative to 1080p (0.25 for a smoke run)")
    ap.add_argument("--no-one-pass", action="store_true", help="skip the one-pass reference")
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args()
    media = common.require_media(NAME, MEDIA)
    common.require_tool(NAME, "ffprobe")
    import reelforge as rf
    from distributed import Client, LocalCluster
    from reelforge import distributed as rfd

    scene, L = build_scene(media, args.seconds, args.scale)
    t = time.monotonic()
    scene.compile()
    compile_s = time.monotonic() - t
    fps = L["fps"]
    seg_frames = int(args.segment_seconds * fps) if args.segment_seconds else None
    opts = dict(crf=L["crf"], preset=L["preset"], gop=L["gop"], audio_bitrate=L["audio_bitrate"])
    result = {"benchmark": NAME, "status": "ok", "system": common.system_info(),
              "scene": {"width": scene.width, "height": scene.height, "fps": fps, "seconds": args.seconds,
                        "frames": scene.frame_count}, "compile_s": round(compile_s, 3), "runs": {}}
    with tempfile.TemporaryDirectory(prefix="bench_dist_") as tmp:
        if not args.no_one_pass:
            log("one pass")
            out = os.path.join(tmp, "one.mp4")
            t = time.monotonic()
            rf.Exporter(scene, out, **opts).run()
            result["one_pass_s"] = round(time.monotonic() - t, 3)
        for n in [int(x) for x in args.workers.split(",")]:
            log(f"{n} worker(s)")
            out = os.path.join(tmp, f"w{n}.mp4")
            t = time.monotonic()
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None) as c, \
                    Client(c) as client:
                cluster_s = time.monotonic() - t
                r = rfd.export(scene, out, client=client, segment_frames=seg_frames, progress=False, **opts)
            wall = time.monotonic() - t
            check = common.verify_output(out, frames=scene.frame_count, width=scene.width, height=scene.height,
                                         fps=fps, audio=True)
            timings = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.timings.items()}
            timings["cluster"] = round(cluster_s, 3)
            result["runs"][str(n)] = {"wall_s": round(wall, 3), "export_s": round(r.seconds, 3),
                                      "segments": len(r.segments), "timings": timings,
                                      "fps": round(scene.frame_count / r.seconds, 2),
                                      "valid": check["valid"], "problems": check["problems"]}
    result["model"] = model(result)
    common.emit(result, NAME, save=not args.no_save)


def model(result: dict) -> dict:
    """Predicted wall time and speed-up per worker count from the 1-worker run's costs:
    ``fixed + frames * per_frame / N + join``, with ``per_frame`` the segments' task seconds per
    frame (render + encode, measured without contention), ``fixed`` cluster start + worker setup
    + shipping. Balanced segments and one core set (or GPU) per worker assumed."""
    base = result["runs"].get("1")
    if not base:
        return {}
    t = base["timings"]
    frames = result["scene"]["frames"]
    per_frame = sum(t["segment_seconds"]) / frames
    fixed = t["cluster"] + t["setup"] + t["ship"]
    one = result.get("one_pass_s")
    out = {"per_frame_s": round(per_frame, 5), "fixed_s": round(fixed, 3), "join_s": t["join"],
           "one_pass_per_frame_s": round(one / frames, 5) if one else None}
    for n in (1, 2, 4, 8, 16):
        pred = fixed + frames * per_frame / n + t["join"]
        out[str(n)] = {"predicted_s": round(pred, 2), "speedup_vs_one_pass": round(one / pred, 2) if one else None,
                       "speedup_without_fixed": round(one / (frames * per_frame / n + t["join"]), 2) if one else None}
    return out


if __name__ == "__main__":
    main()
