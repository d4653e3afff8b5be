#!/usr/bin/env python3
"""Cost of time remapping: a 1080p export with a 2x clip and a reversed clip (both looped, with
their audio) against the same scene with the clips played normally, cut back to back.

Media: chaplin.mp4 (640x360, 25 fps, 9.64 s, GOP as encoded) shown full-frame and as a
half-size picture-in-picture, each with its own audio. Remapped: the full-frame copy at
``speed=2, loop=True`` (audio time-stretched, pitch kept), the inset ``reverse=True, loop=True``
(decoded a GOP at a time into RemapSource's bounded window, audio reversed). Plain: the same two
layers as normal playback, one layer per 9.64 s cut. Each export runs in its own process
(common.run_measured): fps and peak RSS per variant.

Target (issue 13's timeline benchmark, this feature's part): remapped within 15 % of plain in
fps and in peak RSS. ``--seconds`` defaults to 20 (the issue states 60 s for the full timeline
benchmark); the JSON says what was rendered. Prints one JSON object (stdout), progress on stderr.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

NAME = "bench_time_remap"
MEDIA = ["chaplin.mp4"]
TARGET = 0.15


def worker(spec: dict) -> dict:
    """Build and export one variant (runs in the measured child process)."""
    import reelforge as rf
    import reelforge._core as core

    t0 = time.perf_counter()
    src, dur, W, H = spec["media"]["chaplin.mp4"], spec["seconds"], spec["width"], spec["height"]
    s = rf.Scene(W, H, fps=spec["fps"], duration=dur, background=(10, 10, 10))
    inset = dict(x=W - W // 2 - 40, y=40, width=W // 2, height=H // 2)
    if spec["remapped"]:
        s.add_video(src, speed=2.0, loop=True, audio=True, width=W, height=H, name="fast")
        s.add_video(src, reverse=True, loop=True, audio=True, gain_db=-6, name="reversed", **inset)
    else:
        clip = core.probe(src).duration
        for name, extra, gain in (("full", dict(width=W, height=H), 0.0), ("inset", inset, -6.0)):
            t, i = 0.0, 0
            while t < dur:
                s.add_video(src, start=t, audio=True, gain_db=gain, name=f"{name}{i}", **extra)
                t, i = t + clip, i + 1
    result = rf.Exporter(s, spec["out"], crf=23, preset="veryfast").run()
    return {"frames": result.frames, "render_s": time.perf_counter() - t0, "exporter_fps": result.fps,
            "stage_fps": result.stage_fps, "encoder": result.encoder, "device": result.device}


def main(argv=None) -> int:
    args = common.export_bench_parser(__doc__, seconds=20.0, timeout=3600.0).parse_args(argv)
    if common.run_worker(args, worker):
        return 0

    common.require_tool(NAME, "ffprobe")
    media = common.require_media(NAME, MEDIA)
    out_dir = Path(tempfile.mkdtemp(prefix="reelforge-bench-remap-"))
    result = {"benchmark": NAME, "status": "ok", "seconds": args.seconds, "width": args.width,
              "height": args.height, "fps": args.fps, "system": common.system_info(), "variants": {}}
    try:
        for label, remapped in (("plain", False), ("remapped", True)):
            spec = {"media": media, "seconds": args.seconds, "width": args.width, "height": args.height,
                    "fps": args.fps, "remapped": remapped, "out": str(out_dir / f"{label}.mp4")}
            result["variants"][label] = common.measure_export(label, __file__, spec, audio=True,
                                                              timeout=args.timeout)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)

    p, r = result["variants"]["plain"], result["variants"]["remapped"]
    ok = p["valid"] and r["valid"]
    fps_ratio = common.ratio(r.get("fps_in_process"), p.get("fps_in_process"))
    rss_ratio = common.ratio(r["peak_rss_mb"], p["peak_rss_mb"])
    result["targets"] = {
        "fps_within_15pct": {"value": fps_ratio, "pass": None if not ok or fps_ratio is None else fps_ratio >= 1 - TARGET},
        "rss_within_15pct": {"value": rss_ratio, "pass": None if not ok or rss_ratio is None else rss_ratio <= 1 + TARGET},
    }
    if not ok:
        result["status"] = "invalid"
    common.emit(result, NAME, save=not args.no_save)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
