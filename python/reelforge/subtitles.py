"""Subtitles: SRT and WebVTT cues burned in as styled text layers, ASS/SSA rendered by libass.

Use :meth:`reelforge.Scene.add_subtitles` (the same as :func:`add_subtitles`).

* **SRT** (SubRip) and **WebVTT** (W3C WebVTT) are parsed here (:func:`parse_srt`,
  :func:`parse_vtt`); each cue becomes one text layer (:mod:`reelforge.typography`) shown on
  exactly the frames whose time ``t`` satisfies ``cue.start <= t - start < cue.end`` (the scene's
  rule for layer spans). ``<b>`` and ``<font color=...>`` (SRT) / ``<b>`` (VTT) become rich spans;
  other tags (``<i>``, ``<u>``, ``<c>``, ``<v>``, timestamps) are dropped, as are VTT cue settings.
* **ASS/SSA** files keep their own styles, positioning and karaoke tags: libass renders the whole
  script per frame into one generated layer covering the canvas, shown from ``start`` to the end
  of the scene. The script is laid out for the size the layer is displayed at, as a player does
  for its video size: its PlayResX/Y scaled to the scene's size, or to the output size under
  render scale (:mod:`reelforge.rescale`).

Default style for SRT/VTT (:func:`default_style`): white, ``size_px`` 5.5 % of the frame height,
a black outline of ``size_px / 14`` and a soft shadow, centred, wrapped to 80 % of the frame width,
the box's bottom edge on the 5 % graphics-safe margin (EBU R 95). ``style=`` overrides any of
those keys (any :meth:`reelforge.Scene.add_text` keyword except the text and timing).
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Union

from . import _checks
from . import _core
from . import text as _text
from ._types import SubtitleFormat
from .errors import MediaError, SceneError, SceneTypeError

from .scene import Layer

if TYPE_CHECKING:
    from .scene import Scene

__all__ = ["AssLayer", "check_soft_track", "SOFT_TRACK_CONTAINERS", "Cue", "parse_srt", "parse_vtt", "read_subtitles", "default_style", "add_subtitles", "SUBTITLE_FORMATS"]


#: File extensions -> format.
SUBTITLE_FORMATS: dict[str, SubtitleFormat] = {".srt": "srt", ".vtt": "vtt", ".ass": "ass", ".ssa": "ass"}


#: Output extensions that take a soft subtitle track -> the track's codec.
SOFT_TRACK_CONTAINERS = {".mp4": "mov_text", ".mov": "mov_text", ".webm": "webvtt", ".mkv": "ass or subrip"}


def check_soft_track(subtitles: Any, output: str, workers: int = 1) -> str:
    """The checked path of an ``Exporter(subtitles=...)`` file. Raises MediaNotFoundError, or
    SceneError for an unknown subtitle extension, an output container without subtitle tracks,
    or a segmented export (``workers > 1``)."""
    from .scene import _check_path
    p = _check_path(subtitles, "subtitles")
    if os.path.splitext(p)[1].lower() not in SUBTITLE_FORMATS:
        raise SceneError(f"subtitles: {p!r}: unknown subtitle format; use a file ending in {', '.join(SUBTITLE_FORMATS)}")
    ext = os.path.splitext(output)[1].lower()
    if ext not in SOFT_TRACK_CONTAINERS:
        raise SceneError(f"subtitles: a {ext or 'extensionless'} output cannot carry a subtitle track; export to "
                         f"{', '.join(SOFT_TRACK_CONTAINERS)}, or burn them in with Scene.add_subtitles")
    if workers > 1:
        raise SceneError("subtitles: a segmented export (workers > 1) cannot add a subtitle track; use workers=1")
    return p


@dataclass(frozen=True)
class Cue:
    """One subtitle cue: shown for script times ``start <= t < end`` (seconds); ``text`` may hold
    ``"\\n"`` line breaks and the inline tags listed in the module docstring."""

    start: float
    end: float
    text: str
    settings: tuple[tuple[str, str], ...] = ()  # WebVTT cue settings, e.g. (("line", "0"), ("align", "start"))


_SRT_TIME = r"(\d+):(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
_VTT_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})\.(\d{3})"


def _seconds(h: str | None, m: str, s: str, frac: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(frac.ljust(3, "0")) / 1000


def _blocks(text: str) -> list[list[str]]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return [b.split("\n") for b in re.split(r"\n[ \t]*\n", text.strip()) if b.strip()]


def parse_srt(text: str, *, what: str = "SRT") -> list[Cue]:
    """Parse SubRip: blocks of an optional index line, ``HH:MM:SS,mmm --> HH:MM:SS,mmm`` and
    text lines, separated by blank lines. Raises SceneError naming the block for a bad timing line
    or an end not after the start."""
    cues = []
    timing = re.compile(rf"^\s*{_SRT_TIME}\s*-->\s*{_SRT_TIME}")
    for n, lines in enumerate(_blocks(text), 1):
        k = next((i for i, ln in enumerate(lines[:2]) if "-->" in ln), -1)
        m = timing.match(lines[k]) if k >= 0 else None
        if m is None:
            raise SceneError(f"{what}: cue {n} has no valid 'HH:MM:SS,mmm --> HH:MM:SS,mmm' timing line: {lines[:2]!r}")
        g = m.groups()
        start, end = _seconds(*g[:4]), _seconds(*g[4:])
        if end <= start:
            raise SceneError(f"{what}: cue {n} ends ({end}s) before it starts ({start}s)")
        cues.append(Cue(start, end, "\n".join(lines[k + 1:]).strip("\n")))
    return cues


def parse_vtt(text: str, *, what: str = "WebVTT") -> list[Cue]:
    """Parse WebVTT (W3C): a ``WEBVTT`` header, then cues of an optional identifier line,
    ``[HH:]MM:SS.mmm --> [HH:]MM:SS.mmm [settings]`` and payload lines; ``NOTE``, ``STYLE`` and
    ``REGION`` blocks are skipped. Raises SceneError for a missing header or a bad cue timing."""
    blocks = _blocks(text)
    if not blocks or not re.match(r"^WEBVTT(\s|$)", blocks[0][0]):
        raise SceneError(f"{what}: the file does not start with 'WEBVTT' (a WebVTT header)")
    timing = re.compile(rf"^\s*{_VTT_TIME}\s+-->\s+{_VTT_TIME}")
    cues = []
    for n, lines in enumerate(blocks[1:], 1):
        if re.match(r"^(NOTE|STYLE|REGION)(\s|$)", lines[0]):
            continue
        k = next((i for i, ln in enumerate(lines[:2]) if "-->" in ln), -1)
        m = timing.match(lines[k]) if k >= 0 else None
        if m is None:
            raise SceneError(f"{what}: cue {n} has no valid '[HH:]MM:SS.mmm --> [HH:]MM:SS.mmm' timing line: "
                             f"{lines[:2]!r}")
        g = m.groups()
        start, end = _seconds(*g[:4]), _seconds(*g[4:])
        if end <= start:
            raise SceneError(f"{what}: cue {n} ends ({end}s) before it starts ({start}s)")
        rest = lines[k][m.end():].split()
        settings = tuple((key, value) for key, _, value in (kv.partition(":") for kv in rest if ":" in kv))
        cues.append(Cue(start, end, "\n".join(lines[k + 1:]), settings))
    return cues


def read_subtitles(path: Any) -> tuple[SubtitleFormat, Union[list[Cue], str]]:
    """``(format, cues)`` for an SRT/VTT file, ``("ass", script_text)`` for ASS/SSA (by extension).
    Raises MediaNotFoundError, SceneError (unknown extension, bad content, not UTF-8)."""
    from .scene import _check_path
    p = _check_path(path, "subtitles")
    fmt = SUBTITLE_FORMATS.get(os.path.splitext(p)[1].lower())
    if fmt is None:
        raise SceneError(f"subtitles: {p!r}: unknown subtitle format; use a file ending in "
                         f"{', '.join(SUBTITLE_FORMATS)}")
    try:
        with open(p, encoding="utf-8-sig") as f:
            content = f.read()
    except UnicodeDecodeError as e:
        raise SceneError(f"subtitles: {p!r} is not UTF-8 text ({e.reason} at byte {e.start}); convert it to UTF-8") from None
    if fmt == "ass":
        if "[Events]" not in content:
            raise SceneError(f"subtitles: {p!r} has no [Events] section: not an ASS/SSA script")
        return fmt, content
    return fmt, (parse_srt if fmt == "srt" else parse_vtt)(content, what=f"subtitles {p!r}")


_TAG = re.compile(r"<(/?)([a-zA-Z]+|\d[\d:.]*)([^>]*)>|\{\\[^}]*\}")


def cue_spans(text: str) -> list[Any]:
    """A cue's text -> ``str`` / :class:`reelforge.Span` pieces (``<b>`` bold, ``<font
    color="...">`` colour; other tags and SSA override blocks in SRT dropped; HTML entities
    decoded)."""
    from .typography import Span
    out: list[Any] = []
    bold = 0
    colors: list[str | None] = []
    pos = 0

    def emit(s: str) -> None:
        s = html.unescape(s)
        if s:
            color = colors[-1] if colors else None
            out.append(Span(s, color=color, weight="bold" if bold else None) if (bold or color) else s)

    for m in _TAG.finditer(text):
        emit(text[pos:m.start()])
        pos = m.end()
        close, name = m.group(1), (m.group(2) or "").lower()
        if name == "b":
            bold = max(0, bold - 1) if close else bold + 1
        elif name == "font":
            if close:
                colors = colors[:-1]
            else:
                c = re.search(r"color\s*=\s*[\"']?([#\w()., ]+?)[\"']?(\s|$)", m.group(3) + " ")
                colors.append(c.group(1) if c else (colors[-1] if colors else None))
    emit(text[pos:])
    return out or [" "]


def default_style(scene: "Scene") -> dict[str, Any]:
    """The SRT/VTT style for ``scene``'s frame size (see the module docstring)."""
    size = max(10.0, round(scene.height * 0.055))
    return {"size_px": size, "color": (255, 255, 255, 255), "stroke_width": max(1.0, size / 14),
            "stroke_color": (0, 0, 0, 255), "shadow": (0, size / 20, size / 8, (0, 0, 0, 140)), "align": "center",
            "max_width": 0.8 * scene.width, "anchor": "bottom_center", "x": scene.width / 2,
            "y": scene.height * 0.95}


def _secs(value: Any, what: str) -> float:
    t = _checks.seconds(value, what)
    assert t is not None
    return t


def _cues(path_or_cues: Any) -> tuple[SubtitleFormat, Union[list[Cue], str], str]:
    if isinstance(path_or_cues, (str, os.PathLike)):
        fmt, content = read_subtitles(path_or_cues)
        return fmt, content, str(os.fspath(path_or_cues))
    if not isinstance(path_or_cues, (list, tuple)):
        raise SceneTypeError(f"subtitles: expected a path (.srt/.vtt/.ass/.ssa) or a list of cues "
                             f"(reelforge.subtitles.Cue or (start, end, text)), got {type(path_or_cues).__name__}")
    cues = []
    for i, c in enumerate(path_or_cues):
        if not isinstance(c, Cue):
            if not isinstance(c, (tuple, list)) or len(c) != 3 or not isinstance(c[2], str):
                raise SceneTypeError(f"subtitles: cue {i} must be a Cue or (start_s, end_s, text), got {c!r}")
            c = Cue(_secs(c[0], f"subtitles cue {i} start"), _secs(c[1], f"subtitles cue {i} end"), c[2])
        if c.end <= c.start:
            raise SceneError(f"subtitles: cue {i} ends ({c.end}s) before it starts ({c.start}s)")
        cues.append(c)
    return "srt", cues, "cues"


def add_subtitles(scene: "Scene", path_or_cues: Any, *, style: Mapping[str, Any] | None = None, start: float = 0.0,
                  name: str | None = None) -> list[Layer]:
    """Burn subtitles into ``scene`` and return the layers added (see the module docstring).

    Args:
        path_or_cues: an ``.srt``, ``.vtt``, ``.ass`` or ``.ssa`` file (UTF-8), or a list of
            :class:`Cue` / ``(start_s, end_s, text)``.
        style: SRT/VTT/cue text style overriding :func:`default_style` (``size_px``, ``color``,
            ``stroke_width``, ``background``, ``max_width``, ``x``, ``y``, ``anchor``, ...). Not
            for ASS, which carries its own styles.
        start: scene seconds at which the subtitles' time 0 falls (>= 0).
        name: layer name prefix (default ``"subtitles<N>"``); cue layers are ``<name>.<k>``.

    Returns:
        One text layer per cue shown (cues starting at or after the scene's end are skipped, cues
        running past it end with it), or the one libass layer for ASS/SSA.

    Raises:
        MediaNotFoundError: the file does not exist. SceneError: an unknown extension, a bad cue
        timing, ``style`` with an ASS file, an unknown style key, a script libass cannot read.
        SceneTypeError: neither a path nor a list of cues.
    """
    start = _secs(start, "subtitles start")
    prefix: str = scene._name(name, "subtitles")
    fmt, content, label = _cues(path_or_cues)
    if fmt == "ass":
        if style:
            raise SceneError(f"subtitles {label!r}: style= applies to SRT/VTT cues; an ASS/SSA script carries its "
                             f"own styles (edit its [V4+ Styles] section)")
        return [_add_ass(scene, str(content), start, prefix, label)]
    st = default_style(scene)
    for key, v in dict(style or {}).items():
        if key in ("text", "start", "end", "name"):
            raise SceneError(f"subtitles style: {key!r} is set per cue; remove it from style=")
        st[key] = v
    layers: list[Layer] = []
    assert isinstance(content, list)
    for k, cue in enumerate(content):
        t0, t1 = start + cue.start, start + cue.end
        cue_style = {**st, **_an_position(scene, cue.text), **_vtt_position(scene, dict(cue.settings), st)}
        if scene._first_frame(t0) >= scene.frame_count:
            continue
        end = None if t1 >= scene.duration else t1
        try:
            layers.append(scene.add_text(cue_spans(cue.text), start=t0, end=end, name=f"{prefix}.{k}", **cue_style))
        except TypeError as e:
            raise SceneError(f"subtitles style: {e}; style keys are Scene.add_text keywords") from None
    return layers


def _an_position(scene: "Scene", text: str) -> dict[str, Any]:
    """SRT's ``{\\anN}`` tag (numpad layout, as ASS): the cue's anchor, alignment and position on
    the safe margins (5 % top/bottom, 10 % sides); no tag: nothing."""
    m = re.search(r"\{\\an([1-9])\}", text)
    if m is None:
        return {}
    n = int(m.group(1)) - 1
    row, col = ("bottom", "center", "top")[n // 3], ("left", "center", "right")[n % 3]
    anchor = "center" if (row, col) == ("center", "center") else f"{row}_{col}"
    return {"anchor": anchor, "align": col, "x": scene.width * (0.1, 0.5, 0.9)[n % 3],
            "y": scene.height * {"bottom": 0.95, "center": 0.5, "top": 0.05}[row]}


class AssLayer(Layer):
    """The generated layer of an ASS/SSA script: ``generator`` is its ``_core.AssGenerator``
    (libass), attached to the compiled layer by ``_compile_generated``."""

    generator: Any = None

    def _compile_generated(self, c: Any, t: Any) -> None:
        c.generator = self.generator


def _vtt_position(scene: "Scene", settings: dict[str, str], style: Mapping[str, Any]) -> dict[str, Any]:
    """WebVTT cue settings -> placement: ``align`` (start/left, center/middle, end/right),
    ``position`` (percent of the width: where that edge or the centre goes), ``line`` (a percent of
    the height for the box's top, or a line number: >= 0 from the top, < 0 from the bottom, one
    line = ``line_height`` x ``size_px``). Other settings (``vertical``, ``size``, ``region``) are
    ignored. Malformed values are ignored, as the WebVTT parser does."""
    out: dict[str, Any] = {}
    col = {"start": "left", "left": "left", "center": "center", "middle": "center", "end": "right",
           "right": "right"}.get(settings.get("align", ""), None)
    pos = re.fullmatch(r"(\d+(?:\.\d+)?)%(?:,\w+)?", settings.get("position", ""))
    if col is not None or pos:
        col = col or "center"
        out["align"] = col
        out["x"] = scene.width * (float(pos.group(1)) / 100 if pos else {"left": 0.1, "center": 0.5, "right": 0.9}[col])
    line = settings.get("line", "").split(",")[0]
    row = None
    if re.fullmatch(r"\d+(?:\.\d+)?%", line):
        row, out["y"] = "top", scene.height * float(line[:-1]) / 100
    elif re.fullmatch(r"-?\d+", line):
        step = float(style.get("size_px", 20)) * float(style.get("line_height") or style.get("line_spacing") or 1.2)
        n = int(line)
        row, out["y"] = ("top", scene.height * 0.05 + n * step) if n >= 0 else \
            ("bottom", scene.height * 0.95 + (n + 1) * step)
    if col is not None or row is not None:
        v = row or str(style.get("anchor", "bottom_center")).split("_")[0]
        h = col or (str(style.get("anchor", "bottom_center")).split("_") + ["center"])[1]
        out["anchor"] = "center" if (v, h) == ("center", "center") else f"{v}_{h}"
    return out


def _add_ass(scene: "Scene", script: str, start: float, name: str, label: str) -> Layer:
    try:
        font = _text.default_font()
    except (SceneError, MediaError):
        font = ""
    try:
        gen = _core.AssGenerator(script, scene.fps.numerator, scene.fps.denominator, round(start * 1000), font)
    except (ValueError, RuntimeError) as e:
        raise SceneError(f"subtitles {label!r}: {e}") from None
    start, _ = scene._span(name, start, None)
    layer = AssLayer(scene, _core.LayerKind.GENERATED, name, start, None, x=0, y=0, width=scene.width,
                     height=scene.height)
    layer.generator = gen  # attached to the compiled layer by _compile_generated
    scene.layers.append(layer)
    return layer
