"""Command line: ``python -m reelforge demo -o out/demo.mp4`` and
``python -m reelforge render SCRIPT.py -o out.mp4`` (the script defines ``scene``)."""

from __future__ import annotations

import argparse
import logging
import runpy
import sys
from pathlib import Path


def _export(scene, out: str, args) -> int:
    from .exporter import Exporter

    Path(out).parent.mkdir(parents=True, exist_ok=True)
    exp = Exporter(scene, out, encoder=args.encoder, crf=args.crf, preset=args.preset)
    r = exp.run(progress=not args.quiet)
    print(f"wrote {r.path}: {r.frames} frames in {r.seconds:.2f} s ({r.fps:.1f} fps), "
          f"video {r.encoder or '-'}, audio {r.audio_encoder or '-'}, Vulkan device: {r.device or '-'}")
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="reelforge", description="Render videos from Python scenes.")
    sub = p.add_subparsers(dest="cmd", required=True)
    for name, help_ in (("demo", "render the showcase scene"), ("render", "render SCRIPT.py's `scene`")):
        sp = sub.add_parser(name, help=help_)
        if name == "render":
            sp.add_argument("script", help="Python file that defines a reelforge.Scene named `scene`")
        sp.add_argument("-o", "--output", default="out/demo.mp4" if name == "demo" else "out.mp4")
        sp.add_argument("--encoder", default="auto")
        sp.add_argument("--crf", type=int, default=23)
        sp.add_argument("--preset", default="veryfast")
        sp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
        if name == "demo":
            sp.add_argument("--duration", type=float, default=10.0)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    from .errors import ReelforgeError
    try:
        if args.cmd == "demo":
            from .demo import build_demo
            return _export(build_demo(duration=args.duration), args.output, args)
        ns = runpy.run_path(args.script, run_name="__reelforge__")
        scene = ns.get("scene")
        from .scene import Scene
        if not isinstance(scene, Scene):
            print(f"error: {args.script} must define a reelforge.Scene named `scene`", file=sys.stderr)
            return 2
        return _export(scene, args.output, args)
    except (ReelforgeError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
