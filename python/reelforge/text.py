"""Text layers: UTF-8 text shaped with HarfBuzz, rasterised with FreeType, composited as an image.

Use :meth:`reelforge.Scene.add_text` (or :func:`add_text_layer`, the same). The text is
rasterised once, by :func:`render`, when the layer is added; the layer is an ordinary IMAGE
:class:`~reelforge.Layer` holding the premultiplied pixels, so its position, scale, rotation and
opacity animate like any other layer's (about the chosen anchor). This module does not import
:mod:`reelforge.scene`: the scene builds the layer.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _checks
from . import _core
from ._types import ColorLike, PathLike, PropertyValue, TextAlign, TextAnchor, TextWeight
from .errors import MediaError, MediaNotFoundError, SceneError, SceneTypeError

if TYPE_CHECKING:  # not from .scene: scene imports this module
    from ._types import Layer, Scene

__all__ = ["add_text_layer", "render", "RenderedText", "default_font", "ANCHORS", "ALIGNS", "FONT_ENV"]

#: Environment variable naming the font file used when ``font=None``.
FONT_ENV = "REELFORGE_FONT"

#: Horizontal alignment of the lines of a multi-line text within its box (``justify``: see
#: :mod:`reelforge.typography`).
ALIGNS = ("left", "center", "right", "justify")

#: Anchor names -> (horizontal, vertical) position of the point placed at ``(x, y)``.
#: Horizontal: left / center / right edge of the text box. Vertical: top / center / bottom of the
#: text box, or the first line's baseline.
ANCHORS = {
    "top_left": ("left", "top"), "top_center": ("center", "top"), "top_right": ("right", "top"),
    "center_left": ("left", "center"), "center": ("center", "center"), "center_right": ("right", "center"),
    "bottom_left": ("left", "bottom"), "bottom_center": ("center", "bottom"), "bottom_right": ("right", "bottom"),
    "baseline_left": ("left", "baseline"), "baseline_center": ("center", "baseline"),
}

# Transparent margin render_text leaves around the text box (src/text/text_raster.h); the first
# line's pen origin sits this many pixels from the image's left edge.
_PAD = 2


@functools.lru_cache(maxsize=1)
def _fontconfig_sans() -> str | None:
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        r = subprocess.run([exe, "-f", "%{file}", "sans"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    path = r.stdout.strip()
    return path if r.returncode == 0 and path and os.path.isfile(path) else None


def default_font() -> str:
    """The font file used when ``font=None``: ``$REELFORGE_FONT`` if set, else fontconfig's match
    for ``sans`` (``fc-match -f '%{file}' sans``).

    Raises MediaNotFoundError if ``$REELFORGE_FONT`` names a missing file, SceneError if neither is
    available (pass ``font=`` a TTF/OTF path)."""
    env = os.environ.get(FONT_ENV)
    if env:
        if not os.path.isfile(env):
            raise MediaNotFoundError(f"font file not found: {env!r} (from the {FONT_ENV} environment variable)")
        return env
    path = _fontconfig_sans()
    if path is None:
        raise SceneError(f"no font given and no default font found: set {FONT_ENV} or install fontconfig "
                         f"(fc-match), or pass font='/path/to/font.ttf' (TrueType/OpenType)")
    return path


def check_layout(text: object, anchor: object, align: object, what: str) -> None:
    """Raise SceneError naming ``what`` for text that is not a non-empty valid ``str`` or an
    unknown ``anchor`` / ``align``."""
    if not isinstance(text, str):
        raise SceneTypeError(f"{what}: text must be a str, got {type(text).__name__}")
    if not text:
        raise SceneError(f"{what}: text is empty")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise SceneError(f"{what}: text is not valid Unicode ({e.reason} at index {e.start})") from None
    if not isinstance(anchor, str) or anchor not in ANCHORS:
        raise SceneError(f"{what}: unknown anchor {anchor!r}; use one of {', '.join(ANCHORS)}")
    check_align(align, what)


def check_align(align: object, what: str) -> None:
    """Raise SceneError naming ``what`` for an ``align`` not in :data:`ALIGNS`."""
    if not isinstance(align, str) or align not in ALIGNS:
        raise SceneError(f"{what}: unknown align {align!r}; use one of {', '.join(ALIGNS)}")


def check_size(size_px: object, spacing: object, what: str, spacing_name: str = "line_spacing"
               ) -> tuple[float, float]:
    """``(size_px, spacing)`` checked: the font size in (0, 10000] pixels and the line spacing
    factor in (0, 100], named ``what``. SceneTypeError for a non-number, SceneError otherwise."""
    size = _checks.number(size_px, f"{what} size_px", unit="pixels", maximum=10000)
    factor = _checks.number(spacing, f"{what} {spacing_name}", maximum=100)
    for label, v, top in (("size_px", size, 10000), (spacing_name, factor, 100)):
        if v <= 0:
            raise SceneError(f"{what} {label} must be in (0, {top}], got {v!r}")
    return size, factor


class _PictureSize:
    """``width`` and ``height`` in pixels of a picture's ``pixels``, shape ``(height, width, 4)``."""

    pixels: np.ndarray

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


@dataclass(frozen=True, eq=False)
class RenderedText(_PictureSize):
    """One rasterised text (from :func:`render`).

    Attributes:
        pixels: uint8 ``(height, width, 4)`` PREMULTIPLIED RGBA (ink plus a 2 px transparent margin).
        baseline_y: pixels from the image top to the first line's baseline.
        font: the font file used.
    """

    pixels: np.ndarray
    baseline_y: float
    font: str

    def anchor_point(self, anchor: str) -> tuple[float, float]:
        """``(anchor_x, anchor_y)`` fractions of the image placing ``anchor`` (see :data:`ANCHORS`)."""
        w, h = self.width, self.height
        horiz, vert = ANCHORS[anchor]
        ax = {"left": _PAD / w, "center": 0.5, "right": (w - _PAD) / w}[horiz]
        ay = {"top": _PAD / h, "center": 0.5, "bottom": (h - _PAD) / h, "baseline": self.baseline_y / h}[vert]
        return ax, ay


def _font_path(font: object, what: str) -> str:
    if font is None:
        try:
            return default_font()
        except (SceneError, MediaError) as e:
            raise type(e)(f"{what}: {e}") from None
    return _checks.file_path(font, what, kind="font",
                             wrong_type=f"font must be a path to a TTF/OTF file, got {font!r}")


def render(text: str, *, font: PathLike | None = None, size_px: float = 48.0,
           color: tuple[int, int, int, int] = (255, 255, 255, 255), line_spacing: float = 1.2,
           align: TextAlign = "left", what: str = "text") -> RenderedText:
    """Shape and rasterise ``text`` (see :func:`add_text_layer` for the arguments); ``color`` is
    straight RGBA as four ints in 0-255. The pixels stay premultiplied, as the compositor takes
    them. Raises SceneError / MediaNotFoundError / MediaError prefixed by ``what``."""
    check_layout(text, "top_left", align, what)
    size_px, line_spacing = check_size(size_px, line_spacing, what)
    font_path = _font_path(font, what)
    try:
        pixels, baseline_y = _core.render_text(text, font_path, size_px, tuple(color), line_spacing, align)
    except SceneError as e:
        raise SceneError(f"{what}: {e}") from None
    except MediaError as e:
        raise MediaError(f"{what}: {e}") from None
    if max(pixels.shape[:2]) > 16384:
        raise SceneError(f"{what}: the rendered text is {pixels.shape[1]}x{pixels.shape[0]} pixels, over the "
                         f"16384 supported; use a smaller size_px or split the text")
    return RenderedText(pixels, float(baseline_y), font_path)


def add_text_layer(scene: "Scene", text: str, *, font: PathLike | None = None, size_px: float = 48.0,
                   color: ColorLike = (255, 255, 255, 255), start: float = 0.0, end: float | None = None,
                   x: PropertyValue = 0, y: PropertyValue = 0, anchor: TextAnchor = "top_left",
                   align: TextAlign = "left", line_spacing: float = 1.2, opacity: PropertyValue = 1.0,
                   name: str | None = None, line_height: float | None = None, max_width: float | None = None,
                   letter_spacing: float = 0.0, weight: TextWeight = "normal", stroke_width: float = 0.0,
                   stroke_color: ColorLike = (0, 0, 0, 255), shadow: Any = None, background: Any = None) -> "Layer":
    """Add a text layer to ``scene`` and return it (the same as :meth:`reelforge.Scene.add_text`).

    The text is shaped with HarfBuzz (kerning, ligatures, complex scripts), ordered with FriBidi
    (Unicode Bidirectional Algorithm, UAX #9), wrapped at ``max_width`` by the Unicode Line
    Breaking Algorithm (UAX #14, libunibreak) and painted once with FreeType (unhinted,
    anti-aliased, subpixel-positioned): background box, shadow, outline, fill. The result is an
    IMAGE layer (:class:`reelforge.typography.TextLayer`) of exactly the painted size holding
    premultiplied pixels; ``x``, ``y``, ``scale``, ``rotation``, ``opacity`` ... animate like any
    layer's (about the anchor), and :meth:`~reelforge.typography.TextLayer.animate_words`
    animates it word by word or character by character.

    Args:
        text: ``str`` (any Unicode; ``"\\n"`` breaks lines, ``"\\r\\n"`` accepted), or a list of
            ``str`` / :class:`reelforge.Span` (rich text: colour, size, weight, font per span).
            Not empty.
        font: path of a TrueType/OpenType font file (``.ttf``/``.otf``/``.ttc``: its first face).
            None: ``$REELFORGE_FONT``, else fontconfig's default ``sans`` (see :func:`default_font`).
        size_px: em size in pixels, in (0, 10000].
        color: straight sRGB colour, ``(r, g, b[, a])`` in 0-255 or a CSS colour string.
        start, end: seconds on the scene timeline (``end=None``: until the scene ends).
        x, y: canvas pixels of the anchor point (constants, or anything :meth:`Layer.set` accepts).
        anchor: which point of the text is placed at ``(x, y)``: one of :data:`ANCHORS`:
            ``top_left`` ... ``bottom_right`` refer to the box (the background box when there is
            one, else the lines' ascender-to-descender boxes unioned with the glyph ink);
            ``baseline_left`` / ``baseline_center`` put the start / middle of the first line's
            baseline at ``(x, y)``. Stored as the layer's ``anchor_x`` / ``anchor_y``.
        align: ``left`` / ``center`` / ``right`` within the widest line, or ``justify`` (lines but
            a paragraph's last stretched to ``max_width`` by widening the spaces).
        line_spacing, line_height: line box height as a multiple of the line's largest
            ``size_px`` (baseline to baseline for one size), in (0, 100]; ``line_height`` wins.
        opacity: 0..1 (animatable).
        name: layer name (default ``"text<N>"``).
        max_width: pixels; wrap lines to fit (None: only at ``"\\n"``).
        letter_spacing: pixels added after every character (may be negative).
        weight: ``"normal"`` or ``"bold"`` (the family's bold face from fontconfig, else
            synthetic emboldening).
        stroke_width: outline thickness in pixels outside the glyph edges (0: none), in
            ``stroke_color``.
        shadow: ``(dx, dy, blur[, color])`` pixels (dx, dy rounded to whole pixels; CSS
            ``text-shadow`` blur: Gaussian with sigma = blur / 2), default colour black at 160/255;
            or a dict with those keys. None: no shadow.
        background: a colour, or ``(color, padding_px[, radius_px])``, or a dict with those keys:
            a rounded box around the text (padding default 8 px). None: no box.

    Raises:
        SceneError: empty text, an unknown ``anchor``/``align``/``weight``, a bad size, spacing,
            width, colour or time, a result over 16384 px, or no font given and none found.
        SceneTypeError: text that is not a ``str`` / list of spans, a non-number where a number
            belongs.
        MediaNotFoundError: the font file does not exist (message names the path).
        MediaError: the font file cannot be opened or parsed by FreeType.
    """
    return scene.add_text(text, font=font, size_px=size_px, color=color, start=start, end=end, x=x, y=y,
                          anchor=anchor, align=align, line_spacing=line_spacing, opacity=opacity, name=name,
                          line_height=line_height, max_width=max_width, letter_spacing=letter_spacing,
                          weight=weight, stroke_width=stroke_width, stroke_color=stroke_color, shadow=shadow,
                          background=background)
