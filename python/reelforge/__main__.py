"""Command line (``reelforge`` or ``python -m reelforge``).

* ``reelforge render SCRIPT.py -o out.mp4 [options]``: export the scene a script defines.
* ``reelforge still SCRIPT.py -t 2.5 -o still.png``: write one frame as PNG/JPEG/WebP.
* ``reelforge demo -o out/demo.mp4``: the showcase scene.
* ``reelforge render scene.json -o out.mp4 --set title=Hello``: a JSON scene (reelforge.serialize).
* ``reelforge batch template.json rows.csv -o "out/{id}.mp4"``: one video per CSV row (reelforge.batch).
* ``reelforge validate scene.json``: check a JSON scene without rendering it.

Scripts are run with ``__name__ == "__reelforge__"`` (not ``"__main__"``), so a script's own
``if __name__ == "__main__":`` block (e.g. its own export) does not run. Progress and the summary
line go to stderr/stdout; encoder refusals and other diagnostics are ``logging`` records of the
``reelforge`` logger, shown with ``-v``.
"""

from __future__ import annotations

import argparse
import inspect
import logging
import runpy
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger("reelforge")
_N = TypeVar("_N", int, float)


def _range(text: str, kind: type[_N], form: str, need: str) -> tuple[_N, _N]:
    """``"A:B"`` -> ``(kind(A), kind(B))`` with 0 <= A < B; ``form`` and ``need`` word the errors."""
    a, sep, b = text.partition(":")
    try:
        lo, hi = kind(a), kind(b)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {form}") from None
    if not sep or lo < 0 or hi <= lo:
        raise argparse.ArgumentTypeError(f"{text!r}: need {need}")
    return lo, hi


def _frames(text: str) -> tuple[int, int]:
    return _range(text, int, "A:B (frame indices, e.g. 100:200)", "0 <= A < B (half-open frame range A:B)")


def _time_range(text: str) -> tuple[float, float]:
    return _range(text, float, "T0:T1 (seconds, e.g. 1.5:4)", "0 <= T0 < T1 seconds")


def _fps(text: str) -> Fraction:
    try:
        f = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a frame rate (e.g. 30, 29.97, 30000/1001)") from None
    if not 0 < f <= 1000:
        raise argparse.ArgumentTypeError(f"fps {text!r} must be in (0, 1000]")
    return f


def _size(text: str) -> tuple[int, int]:
    from .errors import SceneError
    from .rescale import parse_size
    try:
        return parse_size(text)
    except SceneError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _add_scene_options(sp: argparse.ArgumentParser, script: bool) -> None:
    if script:
        sp.add_argument("script", help="Python file that defines the scene (run with __name__ == '__reelforge__', "
                                       "so its `if __name__ == '__main__':` block is skipped), or a .json scene "
                                       "document (reelforge.serialize)")
        sp.add_argument("--scene", default="scene", metavar="NAME",
                        help="name of the reelforge.Scene (or zero-argument function returning one) in the "
                             "script (default: scene)")
        sp.add_argument("--set", action="append", metavar="NAME=VALUE",
                        help="fill the ${NAME} template variable of a .json scene (repeatable)")
    sp.add_argument("--fps", type=_fps, metavar="FPS",
                    help="override the frame rate, frames per second in (0, 1000]: 24, 29.97 or 30000/1001 "
                         "(layer times stay in seconds)")
    size = sp.add_mutually_exclusive_group()
    size.add_argument("--size", type=_size, metavar="WxH",
                      help="render at this size in pixels (even, 2..16384), every coordinate scaled from the "
                           "authored size; keep the aspect ratio for undistorted rotation")
    from .rescale import RESOLUTIONS
    size.add_argument("--resolution", choices=list(RESOLUTIONS), type=str.lower,
                      help="render at this frame height (" + ", ".join(f"{k}={v} px" for k, v in RESOLUTIONS.items())
                           + "), width from the scene's aspect ratio")
    sp.add_argument("-v", "--verbose", action="count", default=0,
                    help="show diagnostics (encoder refusals, devices): -v info, -vv debug")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary line; errors only")


def _add_encode_options(sp: argparse.ArgumentParser) -> None:
    from . import _core
    from .exporter import VIDEO_CODECS
    PRESETS = tuple(_core.presets())
    from .quality import QUALITIES, QUALITY_PRESETS
    sp.add_argument("--frames", type=_frames, metavar="A:B",
                    help="export only frames A..B-1 (half-open, 0-based frame indices)")
    sp.add_argument("--time-range", type=_time_range, metavar="T0:T1",
                    help="export only seconds T0..T1 (snapped to frames)")
    sp.add_argument("--codec", choices=VIDEO_CODECS, default=None,
                    help="video codec (default from the extension: vp9 for .webm, gif for .gif, png for a "
                         "frames/%%05d.png sequence, else h264)")
    sp.add_argument("--encoder", default=None, metavar="NAME",
                    help="'auto' (hardware encoders first, then software; default) or a libavcodec encoder "
                         "name such as libx264, h264_nvenc, libvpx-vp9")
    q = sp.add_mutually_exclusive_group()
    q.add_argument("--crf", type=int, metavar="N",
                   help="constant quality, lower is better: 0..51 for h264/hevc (default 23), 0..63 for vp9 "
                        "(default 31); ignored for prores/gif/png")
    table = "; ".join(f"{c} {'/'.join(str(v[k]) for k in QUALITIES)}" for c, v in QUALITY_PRESETS.items())
    q.add_argument("--quality", choices=QUALITIES, type=str.lower,
                   help=f"quality preset mapped to a CRF per codec (high/medium/low: {table})")
    sp.add_argument("--preset", choices=PRESETS, default=None,
                    help="encoder speed preset, x264 names (default veryfast; mapped to libvpx cpu-used for vp9)")
    sp.add_argument("--bitrate", type=int, metavar="BPS",
                    help="average bitrate in bits per second (> 0); replaces CRF for h264/hevc/vp9")


def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    p = argparse.ArgumentParser(prog="reelforge", description="Render videos from Python scenes.")
    p.add_argument("--version", action="version", version=f"reelforge {__version__}")
    sub = p.add_subparsers(dest="cmd", required=True, metavar="{render,still,demo,batch,validate}")
    r = sub.add_parser("render", help="export a script's scene to a video, image sequence or audio file",
                       description="Export the scene defined by SCRIPT.py.")
    r.add_argument("-o", "--output", default="out.mp4", metavar="PATH",
                   help="output file (.mp4 .mov .mkv .m4v .webm .gif, frames/%%05d.png, or audio-only "
                        ".m4a .wav .mp3 .opus .ogg .flac; default out.mp4); folders are created")
    _add_scene_options(r, script=True)
    _add_encode_options(r)
    s = sub.add_parser("still", help="write one frame of a script's scene as PNG, JPEG or WebP",
                       description="Write the frame on screen at -t seconds as an image.")
    s.add_argument("-o", "--output", default="still.png", metavar="PATH",
                   help="image file: .png (straight alpha), .jpg/.jpeg (over black) or .webp (default still.png)")
    s.add_argument("-t", "--time", type=float, default=0.0, metavar="SECONDS",
                   help="time of the frame in seconds, 0 <= t < duration (default 0)")
    s.add_argument("--image-quality", type=int, default=95, metavar="1-100",
                   help="JPEG/WebP quality 1..100 (100 = lossless WebP; default 95)")
    _add_scene_options(s, script=True)
    d = sub.add_parser("demo", help="render the showcase scene", description="Render the showcase scene.")
    d.add_argument("-o", "--output", default="out/demo.mp4", metavar="PATH", help="output file (default out/demo.mp4)")
    d.add_argument("--duration", type=float, default=10.0, metavar="SECONDS", help="length in seconds, > 0 (default 10)")
    _add_scene_options(d, script=False)
    _add_encode_options(d)
    from .batch import add_batch_parser, add_validate_parser
    add_batch_parser(sub, _add_scene_options, _add_encode_options)
    add_validate_parser(sub)
    return p


def _configure_logging(args: argparse.Namespace) -> None:
    level = logging.ERROR if args.quiet else {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


def load_scene(script: str, name: str = "scene") -> Any:
    """Run ``script`` with ``__name__ == "__reelforge__"`` and return its Scene ``name`` (a Scene,
    or a function taking no arguments that returns one). Raises SceneError otherwise."""
    from .errors import SceneError
    from .scene import Scene
    if not Path(script).is_file():
        raise FileNotFoundError(f"script not found: {script!r}")
    ns = runpy.run_path(script, run_name="__reelforge__")
    obj = ns.get(name)
    if callable(obj) and not isinstance(obj, Scene) and not inspect.isclass(obj):
        obj = obj()
    if not isinstance(obj, Scene):
        raise SceneError(f"{script} must define a reelforge.Scene named `{name}` (or a function `{name}()` "
                         f"returning one); got {type(obj).__name__}")
    return obj


def apply_overrides(scene: Any, args: argparse.Namespace) -> Any:
    """The scene with ``--fps`` and ``--size``/``--resolution`` applied (the script's scene is
    changed in place for fps; size returns a :class:`reelforge.rescale.ScaledScene`)."""
    from .rescale import scaled
    if args.fps is not None:
        scene.fps = args.fps
    if args.size is not None:
        return scaled(scene, args.size)
    if args.resolution is not None:
        return scaled(scene, resolution=args.resolution)
    return scene


def exporter_kwargs(scene: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Exporter keyword arguments from the render options (frames/time_range only when given)."""
    kw: dict[str, Any] = dict(video_codec=args.codec, encoder=args.encoder, crf=args.crf, preset=args.preset,
                              bitrate=args.bitrate, quality=args.quality)
    for key in ("frames", "time_range"):
        if getattr(args, key) is not None:
            kw[key] = getattr(args, key)
    from .batch import with_scene_settings  # a scene's export_settings (JSON "export") under the options
    kw = with_scene_settings(scene, kw)
    if args.size is not None or args.resolution is not None:
        kw.pop("scale", None)  # the command line's size replaces a document's scale
    return kw


def _export(scene: Any, args: argparse.Namespace) -> Any:
    from .exporter import Exporter
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    exp = Exporter(apply_overrides(scene, args), args.output, **exporter_kwargs(scene, args))
    return exp.run(progress=not args.quiet)


def _render(scene: Any, args: argparse.Namespace) -> int:
    r = _export(scene, args)
    if not args.quiet:
        print(f"wrote {r.path}: {r.frames} frames in {r.seconds:.2f} s ({r.fps:.1f} fps), "
              f"video {r.encoder or '-'}, audio {r.audio_encoder or '-'}, Vulkan device: {r.device or '-'}")
    return 0


def _still(scene: Any, args: argparse.Namespace) -> int:
    from .stills import export_still
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    path = export_still(apply_overrides(scene, args), args.time, args.output, quality=args.image_quality)
    if not args.quiet:
        print(f"wrote {path}: frame {scene.time_to_frame(args.time)} (t={args.time:g} s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(args)
    from .errors import ReelforgeError
    try:
        if args.cmd == "demo":
            from .demo import build_demo
            return _render(build_demo(duration=args.duration), args)
        if args.cmd == "batch":
            from .batch import run_batch
            return run_batch(args, _export)
        if args.cmd == "validate":
            from .batch import run_validate
            return run_validate(args)
        from .batch import load_cli_scene
        scene = load_cli_scene(args.script, args.scene, args.set, load_scene)
        return _render(scene, args) if args.cmd == "render" else _still(scene, args)
    except (ReelforgeError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        from .errors import SceneError
        return 2 if isinstance(e, SceneError) and "must define a reelforge.Scene" in str(e) else 1
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
