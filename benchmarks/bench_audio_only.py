#!/usr/bin/env python3
"""Audio-only export speed: a 150 s timeline of 50 cuts from the real media, written as AAC (.m4a).

The scene: 50 clips of 3 s each, back to back on a 150 s timeline (30 fps, 4500 frames), cut in
turn from crunching.mp3 (mp3, 48 kHz), big_buck_bunny_0_30.webm (Vorbis, 44.1 kHz; its video is
ignored) and chaplin.mp4 (mp3, 44.1 kHz), each with its own trim_start, gain_db and fades (a fixed
pseudo-random choice, the same every run). ``rf.Exporter(scene, "out.m4a").run()`` decodes,
resamples to 48 kHz, mixes and encodes AAC 192 kb/s; no GPU work.

Each export runs in its own process; ``export_s`` is the in-process time of building the
Exporter and ``run()`` (scene compile included; interpreter start-up, imports and the scene's
``add_audio`` probing excluded), ``wall_s``/``cpu_s`` are for the whole process. Every output is
checked with ffprobe: one AAC stream, 48 kHz stereo, lasting 150 s within one AAC frame
(1024 samples). Target: median ``export_s`` of the runs <= 1.0 s.

``breakdown`` measures the parts separately (medians, in-process): ``mix_s`` decoding, resampling
and mixing the whole timeline without encoding (``_core.mix_audio`` streaming through the mixer);
``aac_encode_s`` the ffmpeg CLI encoding the same 150 s mix (raw float, in the page cache) with
the same encoder and bitrate (``-c:a aac -b:a 192k``), and ``aac_fast_encode_s`` with
``-aac_coder fast``; both as CPU seconds of that ffmpeg process.

Prints one JSON object (stdout); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import log  # noqa: E402

NAME = "bench_audio_only"
SOURCES = ["crunching.mp3", "big_buck_bunny_0_30.webm", "chaplin.mp4"]
CLIPS, CLIP_S, FPS, BITRATE = 50, 3.0, 30, 192000
TOTAL_S = CLIPS * CLIP_S  # 150 s
TARGET_S = 1.0
AAC_FRAME_S = 1024 / 48000


def build_scene(media: dict):
    """The benchmark timeline (deterministic). Returns (scene, clip descriptions)."""
    import reelforge as rf
    from reelforge import _core
    scene = rf.Scene(640, 360, fps=FPS, duration=TOTAL_S)
    durations = {n: _core.probe(p).duration for n, p in media.items()}
    rng = random.Random(20240501)
    clips = []
    for i in range(CLIPS):
        name = SOURCES[i % len(SOURCES)]
        trim = round(rng.uniform(0.0, durations[name] - CLIP_S - 0.1), 3)
        gain = rng.choice([0.0, -1.5, -3.0, -6.0, -9.0])
        fade_in = rng.choice([0.0, 0.01, 0.1, 0.5])
        fade_out = rng.choice([0.0, 0.01, 0.25, 1.0])
        scene.add_audio(media[name], start=i * CLIP_S, trim_start=trim, duration=CLIP_S, gain_db=gain,
                        fade_in=fade_in, fade_out=fade_out)
        clips.append({"source": name, "start": i * CLIP_S, "trim_start": trim, "gain_db": gain,
                      "fade_in": fade_in, "fade_out": fade_out})
    return scene, clips


# -- workers (run in a child process) ----------------------------------------------------------------

def worker(spec: dict) -> dict:
    t0 = time.perf_counter()
    import reelforge as rf
    from reelforge import _core
    t1 = time.perf_counter()
    scene, _ = build_scene(spec["media"])
    t2 = time.perf_counter()
    out = {"import_s": round(t1 - t0, 3), "build_s": round(t2 - t1, 3)}
    if spec["mode"] == "export":
        c0 = time.process_time()
        r = rf.Exporter(scene, spec["out"], audio_bitrate=BITRATE).run()
        out.update(export_s=time.perf_counter() - t2, export_cpu_s=round(time.process_time() - c0, 3),
                   audio_encoder=r.audio_encoder, audio_samples=r.audio_samples, exporter_seconds=r.seconds)
    elif spec["mode"] == "mix":
        tl = scene.compile()
        num, den = tl.fps
        total = tl.frame_count * 48000 * den // num  # frame_first_sample(frame_count)
        c0, t3 = time.process_time(), time.perf_counter()
        _core.mix_audio(tl, total - 1, 1)  # mixes everything from 0, keeps one sample: no big array
        out.update(mix_s=time.perf_counter() - t3, mix_cpu_s=round(time.process_time() - c0, 3))
    elif spec["mode"] == "raw":
        _core.mix_audio(scene.compile()).tofile(spec["out"])
    return out


def run_worker(spec: dict, timeout: float) -> tuple[dict, dict]:
    m = common.run_measured([sys.executable, __file__, "--worker", json.dumps(spec)], timeout=timeout)
    res = common.last_json_line(m["stdout"])
    if m["rc"] != 0 or res is None:
        raise RuntimeError(f"worker {spec['mode']} failed (rc {m['rc']}): {common.tail(m['stderr'])}")
    return res, m


def probe_audio(path: str) -> dict:
    info = common.ffprobe_streams(path, count_frames=False)
    a = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
    v = [s for s in info.get("streams", []) if s.get("codec_type") == "video"]
    res = {"valid": False, "problems": []}
    if v:
        res["problems"].append("unexpected video stream")
    if len(a) != 1:
        res["problems"].append(f"{len(a)} audio streams, expected 1")
        return res
    s = a[0]
    res.update(codec=s.get("codec_name"), sample_rate=int(s.get("sample_rate", 0)), channels=s.get("channels"),
               duration_s=float(s.get("duration", "nan")), format_duration_s=float(info["format"].get("duration", "nan")),
               size_mb=round(os.path.getsize(path) / common.MB, 2))
    if res["codec"] != "aac":
        res["problems"].append(f"codec {res['codec']}, expected aac")
    if (res["sample_rate"], res["channels"]) != (48000, 2):
        res["problems"].append(f"{res['sample_rate']} Hz x {res['channels']} channels, expected 48000 x 2")
    if not abs(res["duration_s"] - TOTAL_S) <= AAC_FRAME_S:
        res["problems"].append(f"audio lasts {res['duration_s']} s, expected {TOTAL_S} s +- one AAC frame")
    res["valid"] = not res["problems"]
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--repeat", type=int, default=3, help="export runs; the median counts (default 3)")
    ap.add_argument("--no-breakdown", action="store_true", help="skip the mix-only and encode-only measurements")
    ap.add_argument("--timeout", type=float, default=300.0, help="per-run limit in seconds (default 300)")
    ap.add_argument("--out-dir", help="keep outputs here (default: a temporary folder, removed afterwards)")
    ap.add_argument("--no-save", action="store_true", help="do not write benchmarks/results/*.json")
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0
    if args.repeat < 1:
        ap.error("--repeat must be >= 1")

    ffmpeg = common.require_tool(NAME, "ffmpeg")
    common.require_tool(NAME, "ffprobe")
    media = common.require_media(NAME, SOURCES)
    out_dir = Path(args.out_dir) if args.out_dir else Path(tempfile.mkdtemp(prefix="reelforge-bench-audio-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    result = {"benchmark": NAME, "status": "ok", "timeline_s": TOTAL_S, "clips": CLIPS, "clip_s": CLIP_S,
              "fps": FPS, "audio_bitrate": BITRATE, "sources": SOURCES, "system": common.system_info()}
    try:
        runs = []
        for k in range(args.repeat):
            out = str(out_dir / f"out{k}.m4a")
            log(f"export run {k + 1}/{args.repeat}")
            res, m = run_worker({"mode": "export", "media": media, "out": out}, args.timeout)
            check = probe_audio(out)
            runs.append({"export_s": round(res["export_s"], 3), "export_cpu_s": res["export_cpu_s"],
                         "wall_s": m["wall_s"], "cpu_s": m["cpu_s"], "peak_rss_mb": m["peak_rss_mb"],
                         "loadavg_before": m["loadavg_before"], "audio_encoder": res["audio_encoder"],
                         "audio_samples": res["audio_samples"], "output": check})
        valid = [r for r in runs if r["output"]["valid"]]
        export_s = statistics.median(r["export_s"] for r in runs) if valid and len(valid) == len(runs) else None
        result["runs"] = runs
        result["export_s"] = export_s
        result["export_cpu_s"] = statistics.median(r["export_cpu_s"] for r in runs)
        result["process_wall_s"] = statistics.median(r["wall_s"] for r in runs)
        result["realtime_factor"] = round(TOTAL_S / export_s, 1) if export_s else None
        result["output_duration_s"] = runs[0]["output"].get("duration_s")
        result["target"] = {"export_s_max": TARGET_S, "basis": "median export_s (in-process Exporter.run)",
                            "pass": (export_s <= TARGET_S) if export_s is not None else None}
        if len(valid) != len(runs):
            result["status"] = "invalid"

        if not args.no_breakdown:
            log("breakdown: mix only")
            mixes = [run_worker({"mode": "mix", "media": media}, args.timeout)[0] for _ in range(args.repeat)]
            raw = str(out_dir / "mix.f32")
            log("breakdown: encode only (ffmpeg CLI, same mix)")
            run_worker({"mode": "raw", "media": media, "out": raw}, args.timeout)
            enc = {}
            for label, extra in (("aac_encode", []), ("aac_fast_encode", ["-aac_coder", "fast"])):
                cpu = []
                for _ in range(args.repeat):
                    m = common.run_measured([ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                                             "-f", "f32le", "-ar", "48000", "-ac", "2", "-i", raw, "-c:a", "aac",
                                             *extra, "-b:a", "192k", str(out_dir / f"{label}.m4a")],
                                            timeout=args.timeout)
                    if m["rc"] != 0:
                        raise RuntimeError(f"ffmpeg {label} failed: {common.tail(m['stderr'])}")
                    cpu.append(m["cpu_s"])
                enc[label] = statistics.median(cpu)
            os.remove(raw)
            result["breakdown"] = {
                "mix_s": round(statistics.median(r["mix_s"] for r in mixes), 3),
                "mix_cpu_s": statistics.median(r["mix_cpu_s"] for r in mixes),
                "aac_encode_s": enc["aac_encode"],
                "aac_fast_encode_s": enc["aac_fast_encode"],
                "note": "mix_*: decode + resample + mix of the whole timeline in reelforge, no encoding; "
                        "aac_*: CPU seconds of the ffmpeg CLI encoding the same mix at 192 kb/s "
                        "(native aac encoder; default twoloop coder vs -aac_coder fast)",
            }
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        result.update(status="error", error=str(e))
    finally:
        if not args.out_dir:
            for p in out_dir.iterdir():
                p.unlink()
            out_dir.rmdir()
    common.emit(result, NAME, save=not args.no_save)
    return 0 if result["status"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
