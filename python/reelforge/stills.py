"""Still images: one frame of a scene written as PNG, JPEG or WebP (with Pillow).

Rendered frames are premultiplied RGBA. PNG and WebP get *straight* (un-premultiplied) RGBA so
every viewer shows the same picture; JPEG has no alpha and gets the frame composited over black
(which is what premultiplied RGB already is).
"""
from __future__ import annotations

import numbers
import os
from typing import Any

import numpy as np

from ._types import StillFormat
from .errors import SceneError

#: Still formats by lower-case file extension.
STILL_FORMATS: dict[str, StillFormat] = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".webp": "webp"}


def unpremultiply(p: np.ndarray) -> np.ndarray:
    """Premultiplied -> straight RGBA8: ``c * 255 / a`` rounded, 0 where ``a == 0``.

    ``p``: uint8 ``(H, W, 4)``. Returns a new contiguous array (or ``p`` itself when opaque)."""
    a = p[..., 3:4].astype(np.uint32)
    if a.min() == 255:
        return np.ascontiguousarray(p)
    safe = np.maximum(a, 1)
    c = (p[..., :3].astype(np.uint32) * 255 + safe // 2) // safe
    out: np.ndarray = p.copy()
    out[..., :3] = np.where(a > 0, np.minimum(c, 255), 0).astype(np.uint8)
    return out


def _format(path: str, format: str | None) -> StillFormat:
    if format is not None:
        f = str(format).lower()
        f = "jpeg" if f == "jpg" else f
        if f not in ("png", "jpeg", "webp"):
            raise SceneError(f"unknown still format {format!r}; use 'png', 'jpeg' or 'webp'")
        return f  # type: ignore[return-value]
    ext = os.path.splitext(path)[1].lower()
    if ext not in STILL_FORMATS:
        raise SceneError(f"cannot tell the image format of {path!r} from its extension {ext!r}; use "
                         f"{', '.join(STILL_FORMATS)} or pass format='png'|'jpeg'|'webp'")
    return STILL_FORMATS[ext]


def save_rgba(frame: np.ndarray, path: "str | os.PathLike[str]", *, format: StillFormat | None = None,
              quality: int = 95) -> str:
    """Write a premultiplied RGBA frame (``Renderer.render_frame``) to ``path``.

    Parameters
    ----------
    frame : uint8 ``(H, W, 4)`` premultiplied RGBA.
    path : output file; its folder must exist. Written under a temporary name and renamed, so a
        failure leaves nothing.
    format : ``"png"`` (lossless, straight alpha), ``"jpeg"`` (no alpha: over black) or
        ``"webp"`` (straight alpha); None = from the extension (.png, .jpg/.jpeg, .webp).
    quality : 1..100 for JPEG and WebP (100 with WebP = lossless); ignored for PNG.

    Returns the path written. Raises SceneError (bad format/quality, missing folder) and
    ValueError (bad array).
    """
    from PIL import Image
    path = os.fspath(path)
    fmt = _format(path, format)
    if isinstance(quality, bool) or not isinstance(quality, numbers.Integral) or not 1 <= quality <= 100:
        raise SceneError(f"quality must be an int in 1..100, got {quality!r}")
    a = np.asarray(frame)
    if a.dtype != np.uint8 or a.ndim != 3 or a.shape[2] != 4:
        raise ValueError(f"frame must be a uint8 (H, W, 4) RGBA array, got {a.dtype} {a.shape}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise SceneError(f"output folder does not exist: {folder!r}")
    h, w = a.shape[:2]
    if fmt == "jpeg":
        im = Image.frombytes("RGB", (w, h), np.ascontiguousarray(a[..., :3]).tobytes())
        opts = {"quality": int(quality)}
    else:
        im = Image.frombytes("RGBA", (w, h), unpremultiply(a).tobytes())
        opts = {} if fmt == "png" else ({"lossless": True} if quality == 100 else {"quality": int(quality)})
    tmp = f"{path}.part-{os.getpid()}"
    try:
        im.save(tmp, format=fmt.upper(), **opts)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def export_still(scene: Any, t: float, path: "str | os.PathLike[str]", *, format: StillFormat | None = None,
                 quality: int = 95) -> str:
    """Render the frame on screen at ``t`` seconds of ``scene`` and write it as an image.

    ``t``: seconds, ``0 <= t < scene.duration`` (frame ``scene.time_to_frame(t)``). See
    :func:`save_rgba` for ``path``, ``format`` and ``quality``. Returns the path written.
    Raises SceneError for ``t`` outside the scene and as :func:`save_rgba`; MediaError / GpuError
    as :class:`reelforge.Renderer`.
    """
    import math
    from .renderer import Renderer
    if isinstance(t, bool) or not isinstance(t, numbers.Real) or not math.isfinite(float(t)) \
            or not 0 <= t < scene.duration:
        raise SceneError(f"t={t!r} is outside the scene: stills need 0 <= t < {scene.duration:g} seconds")
    _format(os.fspath(path), format)  # fail before rendering
    frame = Renderer(scene).render_frame(scene.time_to_frame(t))
    return save_rgba(frame, path, format=format, quality=quality)


__all__ = ["export_still", "save_rgba", "unpremultiply", "STILL_FORMATS"]
