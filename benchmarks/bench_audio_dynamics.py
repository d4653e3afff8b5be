#!/usr/bin/env python3
"""Cost of the audio dynamics stages: ducking, the true-peak limiter and loudness normalisation.

A generated 60 s timeline (ffmpeg lavfi, 48 kHz): "music" (two tones, amplitude-modulated) and a
"voice" (a tone gated on for 2 s of every 4 s). Mixed in-process with ``_core.mix_audio``
(decode + mix, no encoding), median of ``--runs``:

- ``plain_s``: the two clips;
- ``ducked_s``: music ducked under the voice (``duck_under``);
- ``limited_s``: ducked plus master gain and true-peak limiter (``Exporter(loudness_lufs=)``'s stage);
- ``normalise_s``: ``reelforge.loudness.master_settings`` (measure, search the gain: several
  passes over the mix), the time ``Exporter(loudness_lufs=-14)`` adds before encoding.
- ``analysis_s``: ``add_spectrum`` + ``add_waveform`` tables (``_core.analyze_audio`` and
  ``_core.waveform_points``, 32 bands at 30 fps).

Prints one JSON object (stdout). Figures taken on a loaded shared machine are only indicative.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import reelforge as rf
from reelforge import _core
from reelforge import audio_reactive, loudness


def make(path: Path, expr: str, seconds: float) -> str:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                    f"aevalsrc=exprs='{expr}':s=48000:d={seconds}", "-c:a", "pcm_f32le", str(path)], check=True)
    return str(path)


def median_time(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        music = make(d / "music.wav", "(0.3*sin(2*PI*220*t)+0.2*sin(2*PI*660*t))*(0.7+0.3*sin(2*PI*0.5*t))",
                     args.seconds)
        voice = make(d / "voice.wav", "0.4*sin(2*PI*300*t)*lt(mod(t,4),2)", args.seconds)

        def scene(duck: bool) -> rf.Scene:
            s = rf.Scene(64, 64, fps=30, duration=args.seconds)
            m = s.add_audio(music)
            v = s.add_audio(voice)
            if duck:
                m.duck_under(v)
            return s

        plain, ducked = scene(False).compile(), scene(True).compile()
        limited = scene(True).compile()
        loudness.apply_master(limited, 3.0, -1.0)
        out: dict[str, Any] = {"audio_seconds": args.seconds, "runs": args.runs, "note": "shared, loaded machine"}
        out["plain_s"] = median_time(lambda: _core.mix_audio(plain), args.runs)
        out["ducked_s"] = median_time(lambda: _core.mix_audio(ducked), args.runs)
        out["limited_s"] = median_time(lambda: _core.mix_audio(limited), args.runs)
        out["normalise_s"] = median_time(lambda: loudness.master_settings(scene(True).compile(), -14.0, -1.0),
                                         args.runs)

        def tables() -> None:
            audio_reactive._CACHE.clear()
            s = scene(True)
            s.add_spectrum(bands=32)
            s.add_waveform(bands=32)
            s.compile()

        out["analysis_s"] = median_time(tables, args.runs)
        print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
