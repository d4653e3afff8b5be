"""Styled text: rich spans, wrapping, outline, shadow, background box and per-word animation.

:meth:`reelforge.Scene.add_text` builds a :class:`TextLayer` through :func:`add_styled_text`. The
text is laid out and painted once by the core (``_core.render_rich_text``, src/text/rich_*):

* **Bidi**: FriBidi, the Unicode Bidirectional Algorithm (UAX #9); the paragraph direction comes
  from its first strong character.
* **Wrapping**: ``max_width`` (pixels) breaks lines at the opportunities of the Unicode Line
  Breaking Algorithm (UAX #14, libunibreak), filled greedily; trailing spaces don't count; a word
  longer than a line is broken between characters. ``"\\n"`` always breaks.
* **Alignment**: ``left`` / ``center`` / ``right`` within the widest line, ``justify``: every line
  but a paragraph's last is stretched to ``max_width`` by widening its spaces (or, text without
  spaces such as CJK, every gap between characters).
* **Outline**: ``stroke_width`` pixels outside the glyph edges (FreeType stroker, round joins).
* **Shadow**: ``(dx, dy, blur, color)``: offset in whole pixels, CSS ``text-shadow`` blur
  (Gaussian, sigma = blur / 2, W3C CSS Backgrounds and Borders 3 / Text Decoration 3).
* **Background**: ``(color, padding, radius)``: a rounded box around the text box.

Painting order: box, shadow, outline, fill. All colours are straight sRGB; the layer's pixels are
premultiplied.
"""

from __future__ import annotations

import functools
import math
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from . import _checks
from . import _core
from . import animation as _anim
from . import colors as _colors
from . import text as _text
from ._types import TextWeight as Weight, WordProperty, WordUnit
from .errors import MediaError, SceneError, SceneTypeError

from .scene import Layer, _Keyframes

if TYPE_CHECKING:
    from .scene import Scene

__all__ = ["Span", "StyledText", "TextLayer", "render_styled", "add_styled_text", "WORD_PROPERTIES"]

#: Properties :meth:`TextLayer.animate_words` animates per word/character, and how each combines
#: with the text layer's own value: ``x``/``y`` are offsets (pixels) added to the word's place,
#: ``opacity``/``scale`` multiply, ``rotation`` (degrees) adds, ``crop_*`` are the word's own.
WORD_PROPERTIES = ("x", "y", "opacity", "scale", "scale_x", "scale_y", "rotation",
                   "crop_left", "crop_top", "crop_right", "crop_bottom")

#: Span weights and animate_words units (the runtime tables of the _types aliases).
WEIGHTS = ("normal", "bold")
WORD_UNITS = ("word", "char")


@dataclass(frozen=True)
class Span:
    """A run of text with its own style inside one text layer (rich text).

    Attributes:
        text: the characters (``"\\n"`` breaks the line).
        color: straight sRGB colour (``(r, g, b[, a])`` 0-255 or a CSS string); None: the layer's.
        size_px: em size in pixels, (0, 10000]; None: the layer's.
        weight: ``"normal"`` or ``"bold"`` (the font family's bold face via fontconfig, else a
            synthetic emboldening by size/24 pixels); None: the layer's.
        font: a TTF/OTF path for this span; None: the layer's.
    """

    text: str
    color: Any = None
    size_px: float | None = None
    weight: Weight | None = None
    font: str | os.PathLike[str] | None = None


@dataclass(frozen=True, eq=False)
class StyledText(_text._PictureSize):
    """One painted text (from :func:`render_styled`).

    Attributes:
        pixels: uint8 ``(height, width, 4)`` premultiplied RGBA, read-only: a view of the
            ``_core.RgbaImage`` that compiled timelines share (copy it to edit).
        baseline_y: pixels from the image top to the first line's baseline.
        text_box: ``(x0, y0, x1, y1)`` image pixels: the lines' ascender-to-descender boxes.
        box: what anchors refer to: the background box (the text box grown by its padding), or,
            without a background, the text box united with the glyph ink (outline included).
        clusters: float64 ``(n, 7)``: ``(first, last, line, x0, y0, x1, y1)`` per shaped cluster:
            its code point range in the text and its advance box in image pixels, visual order.
        lines: number of lines after wrapping.
        font: the layer's font file.
        text: the whole text (spans joined).
    """

    pixels: np.ndarray
    baseline_y: float
    text_box: tuple[float, float, float, float]
    box: tuple[float, float, float, float]
    clusters: np.ndarray
    lines: int
    font: str
    text: str

    def anchor_point(self, anchor: str) -> tuple[float, float]:
        """``(anchor_x, anchor_y)`` image fractions of ``anchor`` (:data:`reelforge.text.ANCHORS`)
        on :attr:`box`."""
        x0, y0, x1, y1 = self.box
        horiz, vert = _text.ANCHORS[anchor]
        ax = {"left": x0, "center": (x0 + x1) / 2, "right": x1}[horiz]
        ay = {"top": y0, "center": (y0 + y1) / 2, "bottom": y1, "baseline": self.baseline_y}[vert]
        return ax / self.width, ay / self.height


@functools.lru_cache(maxsize=64)
def _bold_font(path: str) -> str | None:
    """The bold face of ``path``'s family per fontconfig, or None (then: synthetic bold)."""
    query, match = shutil.which("fc-query"), shutil.which("fc-match")
    if query is None or match is None:
        return None
    try:
        fam = subprocess.run([query, "-f", "%{family[0]}", path], capture_output=True, text=True, timeout=10,
                             check=False).stdout.strip()
        if not fam:
            return None
        r = subprocess.run([match, "-f", "%{file}", f"{fam}:bold"], capture_output=True, text=True, timeout=10,
                           check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    found = r.stdout.strip()
    if r.returncode != 0 or not found or not os.path.isfile(found) or os.path.samefile(found, path):
        return None
    return found


def _rgba255(color: Any, what: str) -> tuple[int, int, int, int]:
    from .scene import parse_color
    r, g, b, a = (int(round(c * 255)) for c in parse_color(color, what))
    return r, g, b, a


def _length(v: Any, what: str, lo: float = 0.0, hi: float = 16384.0) -> float:
    return _checks.number(v, what, unit="pixels", minimum=lo, maximum=hi)


def _shadow(shadow: Any, what: str) -> tuple[tuple[float, float, float], tuple[int, int, int, int]]:
    if shadow is None:
        return (0.0, 0.0, 0.0), (0, 0, 0, 0)
    if isinstance(shadow, Mapping):
        shadow = (shadow.get("dx", 2), shadow.get("dy", 2), shadow.get("blur", 4), shadow.get("color", (0, 0, 0, 160)))
    if not isinstance(shadow, (tuple, list)) or len(shadow) not in (3, 4):
        raise SceneError(f"{what} shadow: expected (dx, dy, blur[, color]) in pixels, got {shadow!r}")
    dx = _length(shadow[0], f"{what} shadow dx", -1000, 1000)
    dy = _length(shadow[1], f"{what} shadow dy", -1000, 1000)
    blur = _length(shadow[2], f"{what} shadow blur", 0, 1000)
    color = _rgba255(shadow[3] if len(shadow) == 4 else (0, 0, 0, 160), f"{what} shadow color")
    return (dx, dy, blur), color


def _background(bg: Any, what: str) -> tuple[tuple[int, int, int, int], float, float]:
    if bg is None:
        return (0, 0, 0, 0), 0.0, 0.0
    if isinstance(bg, Mapping):
        bg = (bg.get("color", (0, 0, 0, 160)), bg.get("padding", 8), bg.get("radius", 0))
    elif isinstance(bg, str) or (isinstance(bg, (tuple, list)) and len(bg) in (3, 4) and all(_checks.is_real(c) for c in bg)):
        bg = (bg, 8, 0)  # just a colour
    if not isinstance(bg, (tuple, list)) or len(bg) not in (1, 2, 3):
        raise SceneError(f"{what} background: expected a colour or (color, padding[, radius]), got {bg!r}")
    color = _rgba255(bg[0], f"{what} background color")
    padding = _length(bg[1] if len(bg) > 1 else 8, f"{what} background padding", 0, 1000)
    radius = _length(bg[2] if len(bg) > 2 else 0, f"{what} background radius", 0, 10000)
    return color, padding, radius


def _spans(text: Any, font: str, size_px: float, color: tuple[int, int, int, int], weight: Any,
           what: str) -> list[tuple[str, str, float, tuple[int, int, int, int], bool]]:
    items = [text] if isinstance(text, (str, Span)) else text
    if not isinstance(items, (list, tuple)) or not items:
        raise SceneTypeError(f"{what}: text must be a str or a list of str / reelforge.Span, got {type(text).__name__}")
    out = []
    for i, it in enumerate(items):
        sp = Span(it) if isinstance(it, str) else it
        if not isinstance(sp, Span) or not isinstance(sp.text, str):
            raise SceneTypeError(f"{what}: span {i} must be a str or a reelforge.Span, got {type(it).__name__}")
        f = _text._font_path(sp.font, what) if sp.font is not None else font
        size = size_px if sp.size_px is None else _checks.number(sp.size_px, f"{what} span {i} size_px", unit="pixels",
                                                                  maximum=10000)
        if size <= 0:
            raise SceneError(f"{what} span {i} size_px must be in (0, 10000], got {size!r}")
        c = color if sp.color is None else _rgba255(sp.color, f"{what} span {i} color")
        w = weight if sp.weight is None else sp.weight
        if w not in WEIGHTS:
            raise SceneError(f"{what} span {i}: weight must be 'normal' or 'bold', got {w!r}")
        embolden = False
        if w == "bold":
            bold = _bold_font(f)
            f, embolden = (bold, False) if bold else (f, True)
        out.append((sp.text, f, float(size), c, embolden))
    joined = "".join(s[0] for s in out)
    _text.check_layout(joined, "top_left", "left", what)
    return out


def render_styled(text: Any, *, font: Any = None, size_px: float = 48.0, color: Any = (255, 255, 255, 255),
                  weight: Weight = "normal", align: str = "left", line_height: float = 1.2,
                  max_width: float | None = None, letter_spacing: float = 0.0, stroke_width: float = 0.0,
                  stroke_color: Any = (0, 0, 0, 255), shadow: Any = None, background: Any = None,
                  what: str = "text", paint_box: bool = True, paint_glyphs: bool = True,
                  glyph_range: tuple[int, int] = (0, -1)) -> StyledText:
    """Lay out and paint ``text`` (a ``str`` or a list of ``str`` / :class:`Span`); the arguments
    are those of :meth:`reelforge.Scene.add_text`. ``paint_box`` / ``paint_glyphs`` /
    ``glyph_range`` (code point range ``[first, last)``, -1: to the end) choose what is painted,
    on an image of the same size and coordinates (the pieces of one text line up).

    Raises SceneError / SceneTypeError (bad values, named), MediaNotFoundError / MediaError (font).
    """
    _text.check_align(align, what)
    size_px, line_height = _text.check_size(size_px, line_height, what, "line_height (line_spacing)")
    mw = 0.0 if max_width is None else _length(max_width, f"{what} max_width", 1.0, 16384.0)
    ls = _checks.number(letter_spacing, f"{what} letter_spacing", unit="pixels", minimum=-1000, maximum=1000)
    sw = _length(stroke_width, f"{what} stroke_width", 0, 1000)
    sc = _rgba255(stroke_color, f"{what} stroke_color")
    sh, shc = _shadow(shadow, what)
    bc, bp, br = _background(background, what)
    font_path = _text._font_path(font, what)
    spans = _spans(text, font_path, size_px, _rgba255(color, f"{what} color"), weight, what)
    try:
        d = _core.render_rich_text(spans, max_width=mw, align=align, line_height=line_height, letter_spacing=ls,
                                   stroke_width=sw, stroke_color=sc, shadow=sh, shadow_color=shc, box_color=bc,
                                   box_padding=bp, box_radius=br, paint_box=paint_box, paint_glyphs=paint_glyphs,
                                   glyph_begin=int(glyph_range[0]), glyph_end=int(glyph_range[1]))
    except SceneError as e:
        raise SceneError(f"{what}: {e}") from None
    except MediaError as e:
        raise MediaError(f"{what}: {e}") from None
    anchor_box = tuple(d["box"]) if bc[3] > 0 else tuple(d["ink_box"])
    # Held once, by the core: Scene.compile() hands this image to every timeline without copying.
    pixels = _core.RgbaImage(d.pop("pixels"), premultiplied=True).pixels
    return StyledText(pixels, float(d["baseline_y"]), tuple(d["text_box"]), anchor_box, d["clusters"],
                      int(d["lines"]), font_path, "".join(s[0] for s in spans))


def _secs(value: Any, what: str) -> float:
    t = _checks.seconds(value, what)
    assert t is not None
    return t


def add_styled_text(scene: "Scene", text: Any, *, name: str | None, start: float, end: float | None, x: Any, y: Any,
                    anchor: str, opacity: Any, **style: Any) -> "TextLayer":
    """Build and append the :class:`TextLayer` of :meth:`reelforge.Scene.add_text`."""
    name = scene._name(name, "text")
    what = f"text layer {name!r}"
    if not isinstance(anchor, str) or anchor not in _text.ANCHORS:
        raise SceneError(f"{what}: unknown anchor {anchor!r}; use one of {', '.join(_text.ANCHORS)}")
    start, end = scene._span(name, start, end)
    r = render_styled(text, what=what, **style)
    layer = TextLayer(scene, name, start, end, r, dict(style, _text=text), x=x, y=y, opacity=opacity)
    ax, ay = r.anchor_point(anchor)
    layer.set("anchor_x", ax).set("anchor_y", ay)
    scene.layers.append(layer)
    return layer


def _unit_ranges(r: StyledText, unit: str) -> list[tuple[int, int]]:
    """Code point ranges of the words (runs of non-space) or characters (shaped clusters)."""
    if unit == "word":
        return [(m.start(), m.end()) for m in re.finditer(r"\S+", r.text)]
    seen: dict[int, int] = {}
    for row in r.clusters:
        first, last = int(row[0]), int(row[1])
        if not r.text[first:last].isspace():
            seen[first] = max(last, seen.get(first, last))
    return sorted(seen.items())


class TextLayer(Layer):
    """A text layer (:meth:`reelforge.Scene.add_text`): an IMAGE layer of the painted text, plus
    :meth:`animate_words`. ``styled`` is the :class:`StyledText` it shows."""

    def __init__(self, scene: "Scene", name: str, start: float, end: float | None, styled: StyledText,
                 style: dict[str, Any], **props: Any) -> None:
        super().__init__(scene, _core.LayerKind.IMAGE, name, start, end, **props)
        self.styled = styled
        self._text_arg = style.pop("_text", styled.text)
        self._style = style
        self.image, self.premultiplied = styled.pixels, True
        self.set("width", styled.width).set("height", styled.height)
        # Informational: what was rendered.
        self.text, self.font, self.baseline_y = styled.text, styled.font, styled.baseline_y
        self.words: list[WordLayer] = []
        self._unit: str | None = None

    def animate_words(self, prop: WordProperty, keyframes: Sequence[Any], *, stagger: float | Sequence[float] = 0.1,
                      unit: WordUnit = "word", easing: Any = "linear") -> "TextLayer":
        """Animate ``prop`` of every word (``unit="word"``: runs of non-space characters) or
        character (``unit="char"``: shaped clusters, spaces skipped) separately, each starting
        ``stagger`` seconds after the previous one (typewriter, word-by-word fade/slide, karaoke).

        The layer is replaced in the scene by one image layer per word (and one for its background
        box), each placed exactly where the word is drawn and following the layer's own
        position, scale, rotation and opacity; ``layer.words`` lists them. Calling it again
        animates another property of the same words (the same ``unit``).

        Args:
            prop: one of :data:`WORD_PROPERTIES`: ``x``/``y`` offsets in pixels (slide),
                ``opacity`` (multiplies the layer's), ``scale``/``scale_x``/``scale_y`` (about the
                word's centre, multiplies), ``rotation`` (degrees, adds), ``crop_*`` (fractions of
                the word: ``crop_right`` 1 -> 0 wipes it in left to right, a karaoke fill).
            keyframes: ``[(t_seconds, value), ...]`` in scene seconds for the first word, as for
                :meth:`reelforge.Layer.animate`; word ``i`` is shifted by its delay.
            stagger: seconds between consecutive words (>= 0), or one delay in seconds per word
                (e.g. karaoke syllable times).
            unit: ``"word"`` or ``"char"``.
            easing: default easing of the segments (:data:`reelforge.easing.NAMES`).

        Raises SceneError for an unknown property/unit, bad keyframes, a wrong number of delays,
        or a text with no visible word. Everything is sampled at ``Scene.compile()`` into
        per-frame tables: no Python runs while rendering.
        """
        what = f"text layer {self.name!r} animate_words"
        if prop not in WORD_PROPERTIES:
            raise SceneError(f"{what}: cannot animate {prop!r} per word; use one of {', '.join(WORD_PROPERTIES)}")
        if unit not in WORD_UNITS:
            raise SceneError(f"{what}: unit must be 'word' or 'char', got {unit!r}")
        if self._unit is not None and unit != self._unit:
            raise SceneError(f"{what}: the words were already split by {self._unit!r}; use unit={self._unit!r}")
        kf = _Keyframes.checked(keyframes, easing, f"{what} {prop!r}")
        if not self.words:
            self._split(unit, what)
        n = len(self.words)
        if isinstance(stagger, (list, tuple, np.ndarray)):
            delays = [_secs(v, f"{what} stagger[{i}]") for i, v in enumerate(stagger)]
            if len(delays) != n:
                raise SceneError(f"{what}: {len(delays)} delays given for {n} {unit}s; give one per {unit} "
                                 f"or a single stagger in seconds")
        else:
            s = _secs(stagger, f"{what} stagger")
            delays = [i * s for i in range(n)]
        names = ("scale_x", "scale_y") if prop == "scale" else (prop,)
        for wl, delay in zip(self.words, delays):
            for p in names:
                wl._word_kf[p] = (kf, delay)
        return self

    def karaoke(self, times: Sequence[float], *, color: Any = (255, 210, 0, 255),
                durations: float | Sequence[float] | None = None, unit: WordUnit = "word") -> "TextLayer":
        """Karaoke highlight: a copy of this text in ``color`` on top of it, each word wiped in
        left to right (its ``crop_right`` from 1 to 0, linear) from ``times[i]`` (scene seconds)
        for ``durations[i]`` seconds (default: until the next word's time; the last word 0.3 s).

        The copy follows this layer's position, scale, rotation and opacity (its properties are
        shared as they are now; animate this layer before calling). Returns the highlight
        :class:`TextLayer` (already split into word layers). Left-to-right wipes: for RTL words
        use :meth:`animate_words` with ``crop_left``. Raises SceneError for a wrong number of times
        or durations, times not increasing, or durations <= 0.
        """
        what = f"text layer {self.name!r} karaoke"
        ts = [_secs(v, f"{what} times[{i}]") for i, v in enumerate(times)]
        if any(b < a for a, b in zip(ts, ts[1:])):
            raise SceneError(f"{what}: times must not decrease, got {list(times)!r}")
        if durations is None:
            ds = [b - a for a, b in zip(ts, ts[1:])] + [0.3]
        elif isinstance(durations, (list, tuple, np.ndarray)):
            ds = [_secs(v, f"{what} durations[{i}]") for i, v in enumerate(durations)]
        else:
            ds = [_secs(durations, f"{what} durations")] * len(ts)
        if len(ds) != len(ts) or any(d <= 0 for d in ds):
            raise SceneError(f"{what}: need one duration > 0 s per time ({len(ts)}), got {durations!r}")
        items = self._text_arg if isinstance(self._text_arg, (list, tuple)) else [self._text_arg]
        recolored = [Span(it.text if isinstance(it, Span) else it, None, getattr(it, "size_px", None),
                          getattr(it, "weight", None), getattr(it, "font", None)) for it in items]
        hl = add_styled_text(self._scene, recolored, name=f"{self.name}.highlight", start=self.start, end=self.end,
                             x=0, y=0, anchor="top_left", opacity=1.0, **dict(self._style, color=color))
        hl._props = dict(self._props)  # the same placement and animation as this layer
        hl._split(unit, what)
        if len(hl.words) != len(ts):
            raise SceneError(f"{what}: {len(ts)} times given for {len(hl.words)} {unit}s; give one per {unit}")
        for wl, t0, d in zip(hl.words, ts, ds):
            wl._word_kf["crop_right"] = (_Keyframes.checked([(0.0, 1.0), (d, 0.0)], "linear", what), t0)
        return hl

    def _split(self, unit: str, what: str) -> None:
        ranges = _unit_ranges(self.styled, unit)
        pieces: list[WordLayer] = []
        st = self._style
        if st.get("background") is not None:
            box = render_styled(self._text_arg, what=what, paint_glyphs=False, **st)
            pieces.append(WordLayer(self, box.pixels, f"{self.name}.box"))
        for i, (a, b) in enumerate(ranges):
            r = render_styled(self._text_arg, what=what, paint_box=False, glyph_range=(a, b), **st)
            wl = WordLayer(self, r.pixels, f"{self.name}.{unit}{i}")
            if wl.image is not None:
                pieces.append(wl)
        words = [p for p in pieces if not p.name.endswith(".box")]
        if not words:
            raise SceneError(f"{what}: the text has no visible {unit}")
        layers = self._scene.layers
        at = layers.index(self) if self in layers else len(layers)
        layers[at:at + 1] = pieces
        self.words = words
        self._unit = unit


class WordLayer(Layer):
    """One word (or character, or the background box) of a :class:`TextLayer` after
    :meth:`TextLayer.animate_words`: the word's pixels cropped from the text's painting, placed on
    the text layer's transform, plus the word's own staggered keyframes."""

    def __init__(self, parent: TextLayer, pixels: np.ndarray, name: str) -> None:
        super().__init__(parent._scene, _core.LayerKind.IMAGE, name, parent.start, parent.end)
        self.parent = parent
        self._word_kf: dict[str, tuple[Any, float]] = {}
        alpha = pixels[..., 3]
        rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
        if not rows.size:
            self.image = None
            return
        y0, y1, x0, x1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
        self.image, self.premultiplied = np.ascontiguousarray(pixels[y0:y1, x0:x1]), True
        self.center = ((x0 + x1) / 2.0, (y0 + y1) / 2.0)  # in the text image's pixels
        self.size = (x1 - x0, y1 - y0)

    # The span follows the text layer's.
    @property
    def start(self) -> float:
        return float(self.parent.start)

    @start.setter
    def start(self, _v: float) -> None:
        pass

    @property
    def end(self) -> float | None:
        end: float | None = self.parent.end
        return end

    @end.setter
    def end(self, _v: float | None) -> None:
        pass

    def _own(self, prop: str, default: float, start: int, end: int) -> np.ndarray:
        if prop not in self._word_kf:
            return np.array([default])
        kf, delay = self._word_kf[prop]
        times = self._scene._times(start, end) - delay
        try:
            return _anim.sample_keyframes(kf.keyframes, times, kf.easing, what=f"layer {self.name!r} {prop!r}")
        except ValueError as e:
            raise SceneError(str(e)) from None

    def _sample(self, name: str, default: Any, start: int, end: int) -> np.ndarray:
        P = self.parent

        def base(p: str, d: float) -> np.ndarray:
            v: np.ndarray = P._sample(p, d, start, end)
            return v

        iw, ih = P.styled.width, P.styled.height
        if name in ("anchor_x", "anchor_y"):
            return np.array([0.5])
        if name in ("width", "height"):
            k = 0 if name == "width" else 1
            return np.asarray(base(name, 0.0) / (iw, ih)[k] * self.size[k], np.float64)
        if name in ("x", "y"):
            W, H = base("width", 0.0) / iw, base("height", 0.0) / ih  # displayed px per image px
            ax, ay = base("anchor_x", 0.0) * iw, base("anchor_y", 0.0) * ih
            dx = (self.center[0] - ax) * W * base("scale_x", 1.0)
            dy = (self.center[1] - ay) * H * base("scale_y", 1.0)
            rot = np.radians(base("rotation", 0.0))
            if name == "x":
                pos = base("x", 0.0) + dx * np.cos(rot) - dy * np.sin(rot)
            else:
                pos = base("y", 0.0) + dx * np.sin(rot) + dy * np.cos(rot)
            return np.asarray(pos + self._own(name, 0.0, start, end), np.float64)
        if name in ("scale_x", "scale_y", "opacity"):
            return np.asarray(base(name, 1.0) * self._own(name, 1.0, start, end), np.float64)
        if name == "rotation":
            return np.asarray(base(name, 0.0) + self._own(name, 0.0, start, end), np.float64)
        if name.startswith("crop_"):
            return np.asarray(np.clip(self._own(name, 0.0, start, end), 0.0, 1.0), np.float64)
        out: np.ndarray = super()._sample(name, default, start, end)
        return out
