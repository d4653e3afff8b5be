#!/usr/bin/env python3
"""Caption and typography cost: export fps of a scene with and without burned-in captions.

Variants, each exported to a temporary .mp4 (h264, ultrafast) from a solid-colour scene of
``--size`` at 30 fps for ``--seconds``:

* ``plain``: no text;
* ``srt``: an SRT cue every 2 s (two lines, outline and shadow: the default caption style);
* ``ass``: the same cues as an ASS script with ``\\kf`` karaoke (libass, a new picture every frame);
* ``words``: a 12-word title animated word by word (``animate_words``, opacity and y).

Also timed: ``add_subtitles`` (parsing and painting every cue) and ``animate_words`` (splitting)
in seconds. Prints one JSON object; progress on stderr. Figures from a shared, loaded machine are
indicative only (say so when quoting them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

import reelforge as rf


def srt(seconds: float) -> str:
    out, k, t = [], 1, 0.0
    while t + 1.5 <= seconds:
        a, b = t + 0.2, t + 1.8
        f = lambda s: f"00:{int(s // 60):02d}:{int(s % 60):02d},{int(round(s % 1 * 1000)):03d}"  # noqa: E731
        out.append(f"{k}\n{f(a)} --> {f(b)}\nCaption number {k} with a few words\nand a second line\n")
        k, t = k + 1, t + 2.0
    return "\n".join(out)


def ass(seconds: float, w: int, h: int) -> str:
    head = (f"[Script Info]\nScriptType: v4.00+\nPlayResX: {w}\nPlayResY: {h}\n\n[V4+ Styles]\n"
            "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, "
            "Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, "
            "MarginL, MarginR, MarginV, Encoding\n"
            f"Style: Default,DejaVu Sans,{h // 16},&H00FFFFFF,&H000000FF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,"
            "1,2,1,2,20,20,20,1\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, "
            "Effect, Text\n")
    lines, t = [], 0.0
    while t + 1.5 <= seconds:
        f = lambda s: f"0:{int(s // 60):02d}:{s % 60:05.2f}"  # noqa: E731
        lines.append(f"Dialogue: 0,{f(t + 0.2)},{f(t + 1.8)},Default,,0,0,0,,{{\\kf40}}Sing {{\\kf40}}a "
                     f"{{\\kf40}}long {{\\kf40}}song")
        t += 2.0
    return head + "\n".join(lines) + "\n"


def export_fps(scene: rf.Scene, tmp: str) -> float:
    t0 = time.perf_counter()
    rf.Exporter(scene, os.path.join(tmp, "out.mp4"), preset="ultrafast").run()
    return scene.frame_count / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="640x360")
    ap.add_argument("--seconds", type=float, default=6.0)
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    result: dict[str, object] = {"size": args.size, "seconds": args.seconds, "fps": {},
                                 "note": "measured on a shared machine; indicative only"}
    fps: dict[str, float] = result["fps"]  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        srt_path, ass_path = os.path.join(tmp, "c.srt"), os.path.join(tmp, "c.ass")
        with open(srt_path, "w") as f:
            f.write(srt(args.seconds))
        with open(ass_path, "w") as f:
            f.write(ass(args.seconds, w, h))

        def base() -> rf.Scene:
            s = rf.Scene(width=w, height=h, fps=30, duration=args.seconds)
            s.add_solid((40, 90, 140))
            return s

        print("plain", file=sys.stderr)
        fps["plain"] = export_fps(base(), tmp)
        s = base()
        t0 = time.perf_counter()
        s.add_subtitles(srt_path)
        result["add_subtitles_s"] = time.perf_counter() - t0
        print("srt", file=sys.stderr)
        fps["srt"] = export_fps(s, tmp)
        s = base()
        s.add_subtitles(ass_path)
        print("ass", file=sys.stderr)
        fps["ass"] = export_fps(s, tmp)
        s = base()
        title = s.add_text("Twelve words that arrive one after another across the frame, then stay put",
                           size_px=h / 14, max_width=0.8 * w, align="center", x=w / 2, y=h / 2, anchor="center",
                           stroke_width=2)
        t0 = time.perf_counter()
        title.animate_words("opacity", [(0.0, 0.0), (0.3, 1.0)], stagger=0.2)
        title.animate_words("y", [(0.0, 20.0), (0.3, 0.0)], stagger=0.2)
        result["animate_words_s"] = time.perf_counter() - t0
        print("words", file=sys.stderr)
        fps["words"] = export_fps(s, tmp)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
