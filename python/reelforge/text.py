"""Text layers: UTF-8 text shaped with HarfBuzz, rasterised with FreeType, composited as an image.

Use :meth:`reelforge.Scene.add_text`, which calls :func:`add_text_layer`. The text is rasterised
once, when the layer is added; the layer is an ordinary IMAGE :class:`~reelforge.Layer`, so its
position, scale, rotation and opacity animate like any other layer's (about the chosen anchor).
"""

from __future__ import annotations

import functools
import math
import os
import shutil
import subprocess

import numpy as np

from . import _core
from .errors import MediaError, MediaNotFoundError, SceneError
from .scene import Layer, parse_color

__all__ = ["add_text_layer", "default_font", "ANCHORS", "ALIGNS", "FONT_ENV"]

#: Environment variable naming the font file used when ``font=None``.
FONT_ENV = "REELFORGE_FONT"

#: Horizontal alignment of the lines of a multi-line text within its box.
ALIGNS = ("left", "center", "right")

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


def _positive(value, what: str, maximum: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SceneError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(v) or v <= 0 or v > maximum:
        raise SceneError(f"{what} must be in (0, {maximum:g}], got {value!r}")
    return v


def _unpremultiply(p: np.ndarray) -> np.ndarray:
    """Premultiplied -> straight RGBA8 (c * 255 / a, rounded; 0 where a == 0). Scene.compile()
    premultiplies again with rounding, which gives back exactly ``p``."""
    a = p[..., 3:4].astype(np.uint32)
    out = p.copy()
    safe = np.maximum(a, 1)
    c = (p[..., :3].astype(np.uint32) * 255 + safe // 2) // safe
    out[..., :3] = np.where(a > 0, np.minimum(c, 255), 0).astype(np.uint8)
    return out


def add_text_layer(scene, text, *, font=None, size_px=48.0, color=(255, 255, 255, 255), start=0.0, end=None,
                   x=0, y=0, anchor="top_left", align="left", line_spacing=1.2, opacity=1.0,
                   name=None) -> Layer:
    """Add a text layer to ``scene`` and return it (what :meth:`reelforge.Scene.add_text` does).

    The text is shaped with HarfBuzz (kerning, ligatures, complex scripts, per-run bidi direction)
    and rasterised once with FreeType (unhinted, anti-aliased, subpixel-positioned), then shown
    as an IMAGE layer of exactly the rendered size. The layer is a normal :class:`~reelforge.Layer`:
    ``x``, ``y``, ``scale``, ``rotation``, ``opacity`` ... can be animated (:meth:`Layer.animate`,
    :meth:`Layer.set`), and scale/rotation happen about the anchor point.

    Args:
        text: ``str`` (any Unicode; lines separated by ``"\\n"``, ``"\\r\\n"`` accepted). Not empty.
        font: path of a TrueType/OpenType font file (``.ttf``/``.otf``/``.ttc``: its first face).
            None: ``$REELFORGE_FONT``, else fontconfig's default ``sans`` (see :func:`default_font`).
        size_px: em size in pixels, in (0, 10000].
        color: straight sRGB colour, ``(r, g, b[, a])`` in 0-255 or ``"#rrggbb[aa]"``.
        start, end: seconds on the scene timeline (``end=None``: until the scene ends).
        x, y: canvas pixels of the anchor point (constants, or anything :meth:`Layer.set` accepts).
        anchor: which point of the text is placed at ``(x, y)``: one of :data:`ANCHORS`:
            ``top_left``, ``top_center``, ``top_right``, ``center_left``, ``center``,
            ``center_right``, ``bottom_left``, ``bottom_center``, ``bottom_right`` refer to the
            text box (the lines' font ascender-to-descender boxes unioned with the glyph ink);
            ``baseline_left`` / ``baseline_center`` put the start / middle of the first line's
            baseline at ``(x, y)``. Stored as the layer's ``anchor_x`` / ``anchor_y``.
        align: ``left`` / ``center`` / ``right`` alignment of the lines within the box.
        line_spacing: distance between baselines as a multiple of ``size_px``, in (0, 100].
        opacity: 0..1 (animatable).
        name: layer name (default ``"text<N>"``).

    Raises:
        SceneError: empty or non-``str`` text, an unknown ``anchor``/``align``, a bad size,
            spacing, colour or time, a result over 16384 px, or no font given and none found.
        MediaNotFoundError: the font file does not exist (message names the path).
        MediaError: the font file cannot be opened or parsed by FreeType.
    """
    name = scene._name(name, "text")
    what = f"text layer {name!r}"
    if not isinstance(text, str):
        raise SceneError(f"{what}: text must be a str, got {type(text).__name__}")
    if not text:
        raise SceneError(f"{what}: text is empty")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise SceneError(f"{what}: text is not valid Unicode ({e.reason} at index {e.start})") from None
    if anchor not in ANCHORS:
        raise SceneError(f"{what}: unknown anchor {anchor!r}; use one of {', '.join(ANCHORS)}")
    if align not in ALIGNS:
        raise SceneError(f"{what}: unknown align {align!r}; use one of {', '.join(ALIGNS)}")
    size_px = _positive(size_px, f"{what} size_px", 10000)
    line_spacing = _positive(line_spacing, f"{what} line_spacing", 100)
    rgba = tuple(int(round(c * 255)) for c in parse_color(color, f"{what} color"))
    start, end = scene._span(name, start, end)

    if font is None:
        try:
            font_path = default_font()
        except (SceneError, MediaError) as e:
            raise type(e)(f"{what}: {e}") from None
    else:
        try:
            font_path = os.fspath(font)
        except TypeError:
            raise SceneError(f"{what}: font must be a path to a TTF/OTF file, got {font!r}") from None
        if not os.path.exists(font_path):
            raise MediaNotFoundError(f"{what}: font file not found: {font_path!r}")
        if not os.path.isfile(font_path):
            raise SceneError(f"{what}: font {font_path!r} is not a file")

    try:
        pixels, baseline_y = _core.render_text(text, font_path, size_px, rgba, line_spacing, align)
    except SceneError as e:
        raise SceneError(f"{what}: {e}") from None
    except MediaError as e:
        raise MediaError(f"{what}: {e}") from None

    h, w = pixels.shape[:2]
    horiz, vert = ANCHORS[anchor]
    anchor_x = {"left": _PAD / w, "center": 0.5, "right": (w - _PAD) / w}[horiz]
    anchor_y = {"top": _PAD / h, "center": 0.5, "bottom": (h - _PAD) / h, "baseline": baseline_y / h}[vert]

    layer = Layer(scene, _core.LayerKind.IMAGE, name, start, end, x=x, y=y, opacity=opacity)
    layer.image = _unpremultiply(pixels)  # Scene.compile() premultiplies layer.image
    layer.set("width", w)
    layer.set("height", h)
    layer.set("anchor_x", anchor_x)
    layer.set("anchor_y", anchor_y)
    # Informational (not used by compile): what was rendered, for repr/debugging.
    layer.text = text
    layer.font = font_path
    layer.baseline_y = float(baseline_y)
    scene.layers.append(layer)
    return layer
