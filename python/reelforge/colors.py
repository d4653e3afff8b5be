"""Colour strings: CSS named colours, ``#hex``, ``rgb()``/``rgba()`` and ``hsl()``/``hsla()``.

Follows CSS Color Module Level 4 (https://www.w3.org/TR/css-color-4/): the 148 named colours
(plus ``transparent``), ``#rgb``/``#rgba``/``#rrggbb``/``#rrggbbaa``, and the functional forms with
commas or spaces (``rgb(255 0 0 / 50%)``, ``rgba(255, 0, 0, 0.5)``, ``hsl(120deg 100% 50%)``).
rgb channels are numbers 0-255 or percentages; alpha is 0-1 or a percentage; hue is in degrees
(or ``deg``/``rad``/``grad``/``turn``). Case and surrounding whitespace are ignored. Values
outside the range are errors here rather than clamped as browsers do, so a typo is caught.

:func:`reelforge.scene.parse_color` calls :func:`css_components` for every colour given as a string.
"""
from __future__ import annotations

import math
import re

from .errors import SceneError

#: CSS named colours (CSS Color 4 section 6.1), lower-case name -> ``#rrggbb``.
NAMED_COLORS: dict[str, str] = {
    "aliceblue": "#f0f8ff", "antiquewhite": "#faebd7", "aqua": "#00ffff", "aquamarine": "#7fffd4",
    "azure": "#f0ffff", "beige": "#f5f5dc", "bisque": "#ffe4c4", "black": "#000000",
    "blanchedalmond": "#ffebcd", "blue": "#0000ff", "blueviolet": "#8a2be2", "brown": "#a52a2a",
    "burlywood": "#deb887", "cadetblue": "#5f9ea0", "chartreuse": "#7fff00", "chocolate": "#d2691e",
    "coral": "#ff7f50", "cornflowerblue": "#6495ed", "cornsilk": "#fff8dc", "crimson": "#dc143c",
    "cyan": "#00ffff", "darkblue": "#00008b", "darkcyan": "#008b8b", "darkgoldenrod": "#b8860b",
    "darkgray": "#a9a9a9", "darkgreen": "#006400", "darkgrey": "#a9a9a9", "darkkhaki": "#bdb76b",
    "darkmagenta": "#8b008b", "darkolivegreen": "#556b2f", "darkorange": "#ff8c00", "darkorchid": "#9932cc",
    "darkred": "#8b0000", "darksalmon": "#e9967a", "darkseagreen": "#8fbc8f", "darkslateblue": "#483d8b",
    "darkslategray": "#2f4f4f", "darkslategrey": "#2f4f4f", "darkturquoise": "#00ced1",
    "darkviolet": "#9400d3", "deeppink": "#ff1493", "deepskyblue": "#00bfff", "dimgray": "#696969",
    "dimgrey": "#696969", "dodgerblue": "#1e90ff", "firebrick": "#b22222", "floralwhite": "#fffaf0",
    "forestgreen": "#228b22", "fuchsia": "#ff00ff", "gainsboro": "#dcdcdc", "ghostwhite": "#f8f8ff",
    "gold": "#ffd700", "goldenrod": "#daa520", "gray": "#808080", "green": "#008000", "greenyellow": "#adff2f",
    "grey": "#808080", "honeydew": "#f0fff0", "hotpink": "#ff69b4", "indianred": "#cd5c5c",
    "indigo": "#4b0082", "ivory": "#fffff0", "khaki": "#f0e68c", "lavender": "#e6e6fa",
    "lavenderblush": "#fff0f5", "lawngreen": "#7cfc00", "lemonchiffon": "#fffacd", "lightblue": "#add8e6",
    "lightcoral": "#f08080", "lightcyan": "#e0ffff", "lightgoldenrodyellow": "#fafad2", "lightgray": "#d3d3d3",
    "lightgreen": "#90ee90", "lightgrey": "#d3d3d3", "lightpink": "#ffb6c1", "lightsalmon": "#ffa07a",
    "lightseagreen": "#20b2aa", "lightskyblue": "#87cefa", "lightslategray": "#778899",
    "lightslategrey": "#778899", "lightsteelblue": "#b0c4de", "lightyellow": "#ffffe0", "lime": "#00ff00",
    "limegreen": "#32cd32", "linen": "#faf0e6", "magenta": "#ff00ff", "maroon": "#800000",
    "mediumaquamarine": "#66cdaa", "mediumblue": "#0000cd", "mediumorchid": "#ba55d3",
    "mediumpurple": "#9370db", "mediumseagreen": "#3cb371", "mediumslateblue": "#7b68ee",
    "mediumspringgreen": "#00fa9a", "mediumturquoise": "#48d1cc", "mediumvioletred": "#c71585",
    "midnightblue": "#191970", "mintcream": "#f5fffa", "mistyrose": "#ffe4e1", "moccasin": "#ffe4b5",
    "navajowhite": "#ffdead", "navy": "#000080", "oldlace": "#fdf5e6", "olive": "#808000",
    "olivedrab": "#6b8e23", "orange": "#ffa500", "orangered": "#ff4500", "orchid": "#da70d6",
    "palegoldenrod": "#eee8aa", "palegreen": "#98fb98", "paleturquoise": "#afeeee", "palevioletred": "#db7093",
    "papayawhip": "#ffefd5", "peachpuff": "#ffdab9", "peru": "#cd853f", "pink": "#ffc0cb", "plum": "#dda0dd",
    "powderblue": "#b0e0e6", "purple": "#800080", "rebeccapurple": "#663399", "red": "#ff0000",
    "rosybrown": "#bc8f8f", "royalblue": "#4169e1", "saddlebrown": "#8b4513", "salmon": "#fa8072",
    "sandybrown": "#f4a460", "seagreen": "#2e8b57", "seashell": "#fff5ee", "sienna": "#a0522d",
    "silver": "#c0c0c0", "skyblue": "#87ceeb", "slateblue": "#6a5acd", "slategray": "#708090",
    "slategrey": "#708090", "snow": "#fffafa", "springgreen": "#00ff7f", "steelblue": "#4682b4",
    "tan": "#d2b48c", "teal": "#008080", "thistle": "#d8bfd8", "tomato": "#ff6347", "turquoise": "#40e0d0",
    "violet": "#ee82ee", "wheat": "#f5deb3", "white": "#ffffff", "whitesmoke": "#f5f5f5", "yellow": "#ffff00",
    "yellowgreen": "#9acd32",
}

_FUNC = re.compile(r"^(rgba?|hsla?)\((.*)\)$")
_NUM = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(%|deg|rad|grad|turn)?$")
_HUE_UNITS = {None: 1.0, "deg": 1.0, "rad": 180.0 / math.pi, "grad": 0.9, "turn": 360.0}
_HELP = ("use a CSS colour name ('tomato'), '#rrggbb[aa]', 'rgb(r g b / a)', 'hsl(h s% l%)' "
         "or (r, g, b[, a]) in 0-255")


def _hex(s: str) -> list[float] | None:
    h = s[1:]
    if len(h) not in (3, 4, 6, 8) or any(c not in "0123456789abcdef" for c in h):
        return None
    if len(h) in (3, 4):
        h = "".join(c * 2 for c in h)
    return [float(int(h[i:i + 2], 16)) for i in range(0, len(h), 2)]


def _split_args(body: str) -> tuple[list[str], str | None] | None:
    """``"1, 2, 3, .5"`` or ``"1 2 3 / 50%"`` -> (["1", "2", "3"], alpha or None)."""
    alpha = None
    if "/" in body:
        body, _, alpha = body.partition("/")
        alpha = alpha.strip()
        if "," in body or not alpha:
            return None
        parts = body.split()
    elif "," in body:
        parts = [p.strip() for p in body.split(",")]
        if len(parts) == 4:
            alpha = parts.pop()
    else:
        parts = body.split()
    if len(parts) != 3 or not all(parts):
        return None
    return parts, alpha


def _number(tok: str, allowed: tuple[str | None, ...]) -> tuple[float, str | None] | None:
    m = _NUM.match(tok)
    if not m or m.group(2) not in allowed:
        return None
    return float(m.group(1)), m.group(2)


def _alpha(tok: str | None) -> float | None:
    if tok is None:
        return 255.0
    n = _number(tok, (None, "%"))
    if n is None:
        return None
    v = n[0] / 100.0 if n[1] == "%" else n[0]
    return v * 255.0 if 0.0 <= v <= 1.0 else None


def _rgb(parts: list[str]) -> list[float] | None:
    out = []
    for tok in parts:
        n = _number(tok, (None, "%"))
        if n is None:
            return None
        v = n[0] * 2.55 if n[1] == "%" else n[0]
        if not 0.0 <= v <= 255.0 + 1e-9:
            return None
        out.append(min(v, 255.0))
    return out


def _hsl(parts: list[str]) -> list[float] | None:
    h = _number(parts[0], tuple(_HUE_UNITS))
    s, l = _number(parts[1], ("%",)), _number(parts[2], ("%",))
    if h is None or s is None or l is None or not (0 <= s[0] <= 100 and 0 <= l[0] <= 100):
        return None
    hue = (h[0] * _HUE_UNITS[h[1]]) % 360.0
    sat, light = s[0] / 100.0, l[0] / 100.0

    def f(n: float) -> float:  # CSS Color 4, section 7.1 (hslToRgb)
        k = (n + hue / 30.0) % 12.0
        a = sat * min(light, 1.0 - light)
        return 255.0 * (light - a * max(-1.0, min(k - 3.0, 9.0 - k, 1.0)))

    return [f(0), f(8), f(4)]


def css_components(color: str, what: str = "color") -> tuple[float, float, float, float]:
    """A colour string -> straight ``(r, g, b, a)`` floats in 0..255 (sRGB-encoded, unrounded).

    Raises SceneError naming ``what`` and the accepted forms for anything else.
    """
    s = color.strip().lower()
    comps: list[float] | None = None
    if s.startswith("#"):
        comps = _hex(s)
    elif s == "transparent":
        comps = [0.0, 0.0, 0.0, 0.0]
    elif s in NAMED_COLORS:
        comps = _hex(NAMED_COLORS[s])
    else:
        m = _FUNC.match(s)
        args = _split_args(m.group(2).strip()) if m else None
        if m and args is not None:
            rgb = (_rgb if m.group(1).startswith("rgb") else _hsl)(args[0])
            a = _alpha(args[1])
            comps = None if rgb is None or a is None else rgb + [a]
    if comps is None:
        import difflib
        close = difflib.get_close_matches(s, list(NAMED_COLORS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close and not s.startswith(("#", "rgb", "hsl")) else ""
        raise SceneError(f"{what}: {color!r} is not a colour{hint}; {_HELP}")
    if len(comps) == 3:
        comps.append(255.0)
    return (comps[0], comps[1], comps[2], comps[3])


__all__ = ["NAMED_COLORS", "css_components"]
