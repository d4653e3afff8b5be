"""Render scale: a scene authored at one size rendered at another, every coordinate scaled.

The scene is compiled at its authored size; the compiled timeline's canvas and every layer's
``x``, ``y``, ``width`` and ``height`` tables are then multiplied by ``sx = new_w / w`` and
``sy = new_h / h``. Sources (images, video, rasterised text) keep their own pixels and are
resampled by the compositor, so upscaling text rasterised at the authored size softens it.
Generated layers are drawn at the size they are displayed at: shapes and SVG are rasterised at
the output size, and an ASS/SSA script is laid out by libass for the output frame size.
"""
from __future__ import annotations

import numbers
import re
from typing import Any

import numpy as np

from . import composition as _composition
from ._types import Resolution
from . import effects as _effects
from .errors import SceneError

#: ``--resolution`` names and their frame height in pixels (width follows the scene's aspect ratio).
RESOLUTIONS = {"480p": 480, "720p": 720, "1080p": 1080, "1440p": 1440, "4k": 2160}
_SIZE_RE = re.compile(r"^\s*(\d+)\s*[xX]\s*(\d+)\s*$")


def _even(v: float) -> int:
    return max(2, int(round(v / 2.0)) * 2)


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` -> ``(1280, 720)``. Raises SceneError for anything else or odd sizes."""
    m = _SIZE_RE.match(str(text))
    if not m:
        raise SceneError(f"size {text!r} is not WIDTHxHEIGHT in pixels, e.g. 1280x720")
    w, h = int(m.group(1)), int(m.group(2))
    if w < 2 or h < 2 or w % 2 or h % 2 or w > 16384 or h > 16384:
        raise SceneError(f"size {text!r}: width and height must be even numbers of pixels in 2..16384")
    return w, h


def resolution_size(name: Resolution, width: int, height: int) -> tuple[int, int]:
    """Output size for a resolution name (:data:`RESOLUTIONS`) and a ``width x height`` scene:
    that height, the width keeping the scene's aspect ratio, both rounded to even pixels."""
    key = str(name).lower()
    if key not in RESOLUTIONS:
        raise SceneError(f"unknown resolution {name!r}; use one of {', '.join(RESOLUTIONS)}")
    h = RESOLUTIONS[key]
    return _even(h * width / height), h


class ScaledScene:
    """A scene rendered at ``width x height`` instead of its own size (see the module docs).

    Works wherever a Scene is rendered (:class:`~reelforge.Renderer`, :class:`~reelforge.Exporter`):
    ``compile()`` returns the scaled timeline; every other attribute is the wrapped scene's.
    """

    def __init__(self, scene: Any, width: int, height: int) -> None:
        for what, v in (("width", width), ("height", height)):
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 2 or v % 2 or v > 16384:
                raise SceneError(f"scaled {what} must be an even int of pixels in 2..16384, got {v!r}")
        self._scene = scene
        self.width, self.height = int(width), int(height)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_scene":  # pickling/copy probe before _scene is set
            raise AttributeError(name)
        return getattr(self._scene, name)

    @property
    def scale(self) -> tuple[float, float]:
        """``(sx, sy)``: output size over authored size."""
        return self.width / self._scene.width, self.height / self._scene.height

    def compile(self) -> Any:
        tl = self._scene.compile()
        sx, sy = self.scale
        tl.width, tl.height = self.width, self.height
        tl.layers = _scaled_layers(tl.layers, sx, sy)
        tl.validate()
        return tl


def _scaled_layers(layers: Any, sx: float, sy: float) -> list[Any]:
    """Compiled layers with canvas positions and sizes scaled; their masks (drawn in the same
    canvas space) alike, and layer-local pixel styles (corner radius, border, feather) and effect
    lengths (blur radii, shadow offsets) with the size."""
    out = list(layers)
    for layer in out:
        t = layer.track
        t.x = (np.asarray(t.x) * sx).astype(np.float32)
        t.y = (np.asarray(t.y) * sy).astype(np.float32)
        w, h = np.asarray(t.width), np.asarray(t.height)
        if (w > 0).all() and (h > 0).all():
            t.width, t.height = (w * sx).astype(np.float32), (h * sy).astype(np.float32)
            _composition.scale_styles(layer.graph, (sx + sy) / 2)
            layer.effects = _effects.scale_lengths(layer.effects, (sx + sy) / 2)
        else:  # size from the source: scale the layer instead
            t.scale_x = (np.asarray(t.scale_x) * sx).astype(np.float32)
            t.scale_y = (np.asarray(t.scale_y) * sy).astype(np.float32)
        layer.track = t
        mask = layer.graph.mask
        if mask is not None:
            mask.width, mask.height = _even(mask.width * sx), _even(mask.height * sy)
            mask.layers = _scaled_layers(mask.layers, sx, sy)
    return out


def scaled(scene: Any, size: tuple[int, int] | str | None = None, *, resolution: Resolution | None = None) -> ScaledScene:
    """``scene`` rendered at ``size`` (``(w, h)`` or ``"WxH"``) or at a named ``resolution``.

    Raises SceneError for a bad size or resolution name, or when neither/both are given.
    """
    if (size is None) == (resolution is None):
        raise SceneError("give exactly one of size=(w, h) / 'WxH' and resolution='720p'|'1080p'|...")
    if resolution is not None:
        w, h = resolution_size(resolution, scene.width, scene.height)
    elif isinstance(size, str):
        w, h = parse_size(size)
    else:
        assert size is not None
        w, h = size
    return ScaledScene(scene, w, h)


__all__ = ["RESOLUTIONS", "ScaledScene", "scaled", "parse_size", "resolution_size"]
