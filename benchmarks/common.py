"""Shared helpers for the reelforge benchmarks (standard library only).

Everything a benchmark measures runs in a child process started by :func:`run_measured`, so each
contender gets its own figures:

* ``wall_s``: wall-clock seconds from spawn to exit (interpreter start and imports included);
* ``cpu_s``: user + system CPU seconds of the child (and of any children it waited for);
* ``peak_rss_mb``: ``ru_maxrss`` from ``os.wait4`` on that very child: the largest resident set
  of the child *or* of any descendant it reaped (a maximum over processes, not a sum);
* ``peak_tree_rss_mb``: the largest *sum* of VmRSS over the child's whole process tree, sampled
  every ``sample_interval`` seconds (relevant for MoviePy, which pipes through ffmpeg children).

Every output file is checked with ffprobe (:func:`verify_output`): a run whose output has the
wrong frame count, size, codec or duration is reported as invalid, never silently as a figure.

Media: :func:`require_media` resolves files in ``$REELFORGE_MEDIA`` (default ``../shared/media``
beside the repository) and, when one is missing, prints a JSON error and exits with status 2.
"""

from __future__ import annotations

from typing import NoReturn

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
MB = 1024 * 1024


# -- media ------------------------------------------------------------------------------------------

def media_dir() -> Path:
    """``$REELFORGE_MEDIA`` or ``../shared/media`` beside the repository."""
    env = os.environ.get("REELFORGE_MEDIA")
    return Path(env) if env else (REPO_DIR.parent / "shared" / "media")


def fail(benchmark: str, error: str, code: int = 2, **extra) -> NoReturn:
    """Print ``{"benchmark", "status": "error", "error", ...}`` as JSON on stdout and exit."""
    print(json.dumps({"benchmark": benchmark, "status": "error", "error": error, **extra}, indent=2))
    sys.exit(code)


def require_media(benchmark: str, names) -> dict:
    """Absolute paths of the named media files; prints a JSON error and exits (status 2) when any
    is missing, so a benchmark never runs on substitute content."""
    d = media_dir()
    paths = {n: d / n for n in names}
    missing = [n for n, p in paths.items() if not p.is_file()]
    if missing:
        fail(benchmark, "media missing: benchmark skipped", media_dir=str(d), missing=missing,
             hint="set REELFORGE_MEDIA to the folder holding the shared media")
    return {n: str(p) for n, p in paths.items()}


def require_tool(benchmark: str, name: str) -> str:
    path = shutil.which(name)
    if not path:
        fail(benchmark, f"{name} not found on PATH: benchmark skipped")
    return path


# -- the R1 reference layout ------------------------------------------------------------------------

def r1_layout(resolution: str = "1080p") -> dict:
    """Geometry of reference scene R1 (pixels, seconds), shared by every contender.

    1080p: the bunny fills 1920x1080; chaplin 640x360 at (1232, 48), opacity 0.8; the Python logo
    520x154 at y=880, x = 100 + 130 t, opacity 0 -> 1 over the first second; crunching.mp3 at
    -6 dB from t = 2 s. 4k: the same layout with every size, position and speed doubled.
    """
    k = {"1080p": 1, "4k": 2}[resolution]
    return {
        "resolution": resolution, "width": 1920 * k, "height": 1080 * k, "fps": 30,
        "pip": {"x": 1232 * k, "y": 48 * k, "width": 640 * k, "height": 360 * k, "opacity": 0.8},
        "logo": {"x0": 100 * k, "speed": 130 * k, "y": 880 * k, "width": 520 * k, "height": 154 * k,
                 "fade_in": 1.0},
        "music": {"start": 2.0, "gain_db": -6.0},
        "crf": 23, "preset": "veryfast", "gop": 60, "audio_bitrate": 192000,
    }


# -- measuring a child process ----------------------------------------------------------------------

def _tree_rss_bytes(root: int) -> int:
    """Sum of VmRSS over ``root`` and its descendants (0 once it is gone)."""
    total, todo, seen = 0, [root], set()
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * page
            for tid in os.listdir(f"/proc/{pid}/task"):
                try:
                    with open(f"/proc/{pid}/task/{tid}/children") as f:
                        todo.extend(int(c) for c in f.read().split())
                except OSError:
                    pass
        except (OSError, ValueError, IndexError):
            pass
    return total


def run_measured(cmd, *, env=None, cwd=None, timeout: float | None = None, sample_interval: float = 0.05,
                 stdin_devnull: bool = True) -> dict:
    """Run ``cmd`` (a list) and measure it; see the module docstring for the fields.

    Returns ``{"cmd", "rc", "timed_out", "wall_s", "cpu_s", "peak_rss_mb", "peak_tree_rss_mb",
    "stdout", "stderr", "loadavg_before"}``. On timeout the child's process group is killed.
    """
    load_before = os.getloadavg()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL if stdin_devnull else None, start_new_session=True)
        done = threading.Event()
        peak_tree = [0]
        timed_out = [False]

        def sample():
            while not done.is_set():
                peak_tree[0] = max(peak_tree[0], _tree_rss_bytes(proc.pid))
                done.wait(sample_interval)

        def kill():
            timed_out[0] = True
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        finally:
            wall = time.perf_counter() - t0
            done.set()
            if timer:
                timer.cancel()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return {
        "cmd": [str(c) for c in cmd],
        "rc": proc.returncode,
        "timed_out": timed_out[0],
        "wall_s": round(wall, 3),
        "cpu_s": round(ru.ru_utime + ru.ru_stime, 3),
        "peak_rss_mb": round(ru.ru_maxrss * 1024 / MB, 1),  # ru_maxrss is in KiB on Linux
        "peak_tree_rss_mb": round(peak_tree[0] / MB, 1),
        "loadavg_before": [round(x, 2) for x in load_before],
        "stdout": stdout,
        "stderr": stderr,
    }


def last_json_line(text: str):
    """The last line of ``text`` that parses as a JSON object (workers print their result so)."""
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def tail(text: str, n: int = 1500) -> str:
    return text[-n:] if len(text) > n else text


# -- export benchmarks: one measured child per variant ----------------------------------------------

def export_bench_parser(doc: str | None, *, seconds: float, timeout: float) -> argparse.ArgumentParser:
    """The options every export benchmark takes: ``--seconds`` (scene length, default ``seconds``),
    ``--width``/``--height`` (1920x1080), ``--fps`` (30), ``--timeout`` (per child, default
    ``timeout`` seconds), ``--no-save`` and the hidden ``--worker SPEC`` of the measured child
    (see :func:`run_worker`). Callers may add their own options."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=seconds, help=f"scene length (default {seconds:g} s)")
    ap.add_argument("--width", type=int, default=1920)
    ap.add_argument("--height", type=int, default=1080)
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--timeout", type=float, default=timeout)
    ap.add_argument("--no-save", action="store_true", help="do not write benchmarks/results/*.json")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    return ap


def run_worker(args: argparse.Namespace, worker) -> bool:
    """In the measured child (``--worker SPEC`` given): print ``worker(spec)`` as one JSON line
    (read back by :func:`measure_export`) and return True; otherwise return False."""
    if not args.worker:
        return False
    print(json.dumps(worker(json.loads(args.worker))))
    return True


def measure_export(label: str, script: str, spec: dict, *, audio: bool, timeout: float | None,
                   sample_interval: float = 0.25) -> dict:
    """Run ``script --worker SPEC`` (a benchmark's own worker, which exports ``spec["out"]`` and
    prints a JSON line with at least ``render_s``) under :func:`run_measured` and check the file
    with :func:`verify_output` (``spec``'s ``seconds``, ``width``, ``height``, ``fps``; ``audio``).

    Returns the variant's figures: ``wall_s``, ``cpu_s``, ``peak_rss_mb``, ``loadavg_before``,
    ``rc``, ``timed_out``, ``fps`` (expected frames / ``wall_s``), the worker's own fields but
    ``frames`` (``render_s``, ...) with ``fps_in_process`` (frames / ``render_s``) when it
    reported, ``output`` (the check), ``valid`` (exit status 0 and a valid file) and, for a
    failed child, ``error`` (the end of its output)."""
    frames = round(spec["seconds"] * spec["fps"])
    log(f"{label}: {spec['seconds']} s at {spec['width']}x{spec['height']}")
    run = run_measured([sys.executable, script, "--worker", json.dumps(spec)], timeout=timeout,
                       sample_interval=sample_interval)
    w = last_json_line(run["stdout"]) if run["rc"] == 0 else None
    verify = verify_output(spec["out"], frames=frames, width=spec["width"], height=spec["height"], fps=spec["fps"],
                           audio=audio)
    res = {k: run[k] for k in ("wall_s", "cpu_s", "peak_rss_mb", "loadavg_before", "rc", "timed_out")}
    res["fps"] = round(frames / run["wall_s"], 3)
    if w:
        res.update({k: v for k, v in w.items() if k != "frames"})
        res["fps_in_process"] = round(frames / w["render_s"], 3)
    res["output"] = verify
    res["valid"] = run["rc"] == 0 and verify["valid"]
    if run["rc"] != 0:
        res["error"] = tail(run["stderr"] or run["stdout"])
    log(f"{label}: {res['fps']} fps, peak RSS {res['peak_rss_mb']} MB, valid={res['valid']}")
    return res


# -- verifying outputs ------------------------------------------------------------------------------

def ffprobe_streams(path: str, count_frames: bool = True) -> dict:
    """ffprobe's view of ``path``: ``{"format": {...}, "streams": [...]}``; with ``count_frames``
    every video frame is decoded and counted (``nb_read_frames``)."""
    cmd = ["ffprobe", "-v", "error", "-of", "json", "-show_format", "-show_streams"]
    if count_frames:
        cmd += ["-count_frames", "-select_streams", "v:0"]
    r = subprocess.run(cmd + [path], capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"ffprobe failed on {path}: {r.stderr.strip()[-500:]}")
    return json.loads(r.stdout)


def verify_output(path: str, *, frames: int, width: int, height: int, fps: float,
                  audio: bool | None = None, video_codec: str = "h264") -> dict:
    """Check an output file with ffprobe. Returns ``{"valid", "problems", "frames", "width",
    "height", "video_codec", "audio_codec", "duration_s", "audio_duration_s", "size_mb"}``.

    Valid means: the file exists, has one ``video_codec`` stream of ``width`` x ``height`` that
    decodes to exactly ``frames`` frames, and (when ``audio`` is True) an audio stream whose
    duration is within 50 ms + 1 AAC frame of ``frames / fps`` (``audio`` False: no audio stream;
    None: not checked).
    """
    res = {"path": path, "valid": False, "problems": []}
    if not os.path.isfile(path):
        res["problems"].append("output file missing")
        return res
    res["size_mb"] = round(os.path.getsize(path) / MB, 2)
    try:
        info = ffprobe_streams(path)
        ainfo = ffprobe_streams(path, count_frames=False)
    except (RuntimeError, subprocess.TimeoutExpired, ValueError) as e:
        res["problems"].append(str(e))
        return res
    v = [s for s in info.get("streams", []) if s.get("codec_type") == "video"]
    a = [s for s in ainfo.get("streams", []) if s.get("codec_type") == "audio"]
    if not v:
        res["problems"].append("no video stream")
    else:
        s = v[0]
        res.update(frames=int(s.get("nb_read_frames", -1)), width=s.get("width"), height=s.get("height"),
                   video_codec=s.get("codec_name"), pix_fmt=s.get("pix_fmt"))
        if res["frames"] != frames:
            res["problems"].append(f"decoded {res['frames']} video frames, expected {frames}")
        if (s.get("width"), s.get("height")) != (width, height):
            res["problems"].append(f"video is {s.get('width')}x{s.get('height')}, expected {width}x{height}")
        if s.get("codec_name") != video_codec:
            res["problems"].append(f"video codec {s.get('codec_name')}, expected {video_codec}")
    try:
        res["duration_s"] = round(float(ainfo["format"]["duration"]), 3)
    except (KeyError, ValueError):
        pass
    if a:
        res["audio_codec"] = a[0].get("codec_name")
        try:
            res["audio_duration_s"] = round(float(a[0]["duration"]), 3)
        except (KeyError, ValueError):
            res["audio_duration_s"] = None
    if audio is True:
        if not a:
            res["problems"].append("no audio stream")
        elif res.get("audio_duration_s") is not None:
            want = frames / fps
            if abs(res["audio_duration_s"] - want) > 0.05 + 1024 / 44100:
                res["problems"].append(f"audio lasts {res['audio_duration_s']} s, expected {want:.3f} s")
    elif audio is False and a:
        res["problems"].append("unexpected audio stream")
    res["valid"] = not res["problems"]
    return res


# -- reporting --------------------------------------------------------------------------------------

def system_info() -> dict:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ffv = ""
    try:
        ffv = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        pass
    try:
        mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3, 1)
    except (ValueError, OSError):
        mem_gb = None
    return {"cpus": os.cpu_count(), "cpu_model": cpu, "mem_gb": mem_gb, "python": platform.python_version(),
            "ffmpeg": ffv, "platform": platform.platform(), "loadavg": [round(x, 2) for x in os.getloadavg()],
            "gpu_env": {k: os.environ[k] for k in ("REELFORGE_DEVICE",) if k in os.environ}}


def emit(result: dict, name: str, save: bool = True) -> None:
    """Print ``result`` as JSON on stdout and, with ``save``, write it to
    ``benchmarks/results/<name>-<UTC timestamp>.json`` (git-ignored)."""
    text = json.dumps(result, indent=2)
    print(text)
    if save:
        try:
            RESULTS_DIR.mkdir(exist_ok=True)
            stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            path = RESULTS_DIR / f"{name}-{stamp}.json"
            path.write_text(text + "\n")
            print(f"[bench] results written to {path}", file=sys.stderr)
        except OSError as e:
            print(f"[bench] could not write results: {e}", file=sys.stderr)


def log(msg: str) -> None:
    """Progress notes go to stderr so stdout stays pure JSON."""
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def ratio(a, b):
    return round(a / b, 3) if a and b else None
