"""SVG images: ``Scene.add_image("art.svg")`` renders the file with librsvg (C++), at the size the
layer is displayed at (scale included), re-rasterised when that size changes and cached per size,
so edges stay crisp and antialiased at any zoom. The layer is an IMAGE layer with every layer
property; its source size is the document's width/height at 96 dpi (else its viewBox)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from . import _core
from .scene import Layer, _check_path, _set_size

if TYPE_CHECKING:
    from .scene import Scene

#: File name endings rendered as SVG (case-insensitive).
SVG_EXTENSIONS = (".svg", ".svgz")


def is_svg_source(source: object) -> bool:
    """True for a path (str / os.PathLike) ending in one of :data:`SVG_EXTENSIONS`."""
    if not isinstance(source, (str, os.PathLike)):
        return False
    p = os.fspath(source)
    return isinstance(p, str) and p.lower().endswith(SVG_EXTENSIONS)


class SvgLayer(Layer):
    """An SVG image layer (returned by :meth:`reelforge.Scene.add_image` for ``.svg`` files)."""

    def _compile_generated(self, c: "_core.Layer", t: "_core.LayerTrack") -> None:
        c.generator = _core.SvgGenerator(c.path)


def add_svg(scene: "Scene", source: Any, *, name: str, start: float, end: float | None, x: Any, y: Any,
            width: Any, height: Any, opacity: Any) -> SvgLayer:
    """See :meth:`reelforge.Scene.add_image`. Raises MediaNotFoundError for a missing file and
    MediaError naming it when librsvg cannot read it or it has no size."""
    layer = SvgLayer(scene, _core.LayerKind.IMAGE, name, start, end, x=x, y=y, opacity=opacity)
    layer.path = _check_path(source, f"layer {name!r}")
    sw, sh = _core.svg_size(layer.path)
    _set_size(layer, width, height, sw, sh)
    scene.layers.append(layer)
    return layer


__all__ = ["SVG_EXTENSIONS", "SvgLayer", "is_svg_source", "add_svg"]
