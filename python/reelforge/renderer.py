"""Single-frame rendering on the GPU (previews, tests, regression snapshots)."""

from __future__ import annotations

import logging
import numbers

import numpy as np

from . import _core
from ._types import PathLike, SceneLike, StillFormat
from .errors import SceneError

log = logging.getLogger("reelforge")


def _log_media_warnings() -> None:
    """Logs the core's queued media warnings (damaged data skipped, frame held) as warnings."""
    for line in _core.take_media_warnings():
        log.warning(line)


class Renderer:
    """Renders frames of a :class:`~reelforge.Scene` on the Vulkan device.

    The scene is compiled once at construction; later changes to the scene need a new Renderer.
    Raises MediaError for unreadable sources, GpuError if no Vulkan device works. One Renderer may
    be used from several threads: renders are serialised. Damaged source data is handled as in
    an export (see ``Scene.add_video``'s ``on_decode_error``), warnings going to the
    ``reelforge`` logger.
    """

    def __init__(self, scene: SceneLike) -> None:
        self.scene = scene
        try:
            self._core = _core.Renderer(scene.compile())
        finally:
            _log_media_warnings()

    @property
    def device(self) -> str:
        """Name of the Vulkan device that renders (e.g. ``"llvmpipe (LLVM 15.0.6, 256 bits)"``)."""
        return self._core.device

    def _index(self, i: object) -> int:
        if isinstance(i, bool) or not isinstance(i, numbers.Integral):
            raise SceneError(f"frame index must be an int, got {i!r} (use scene.time_to_frame(t) for seconds)")
        n = self.scene.frame_count
        if not 0 <= int(i) < n:
            raise SceneError(f"frame index {i} is outside the scene (0..{n - 1})")
        return int(i)

    def render_frame(self, i: int) -> np.ndarray:
        """Frame ``i`` as a ``uint8`` array of shape ``(height, width, 4)``: RGBA, sRGB-encoded,
        premultiplied alpha (equal to straight alpha where the background is opaque, the default).
        Raises SceneError for an index outside ``0..frame_count-1``, MediaError for damaged
        source data of a layer added with ``on_decode_error="raise"``."""
        try:
            return self._core.render_rgba(self._index(i))
        finally:
            _log_media_warnings()

    def render_nv12(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Frame ``i`` converted on the GPU to NV12, ITU-R BT.709 matrix, limited range.

        Returns ``(y, uv)``: ``y`` ``uint8`` of shape ``(height, width)`` (16..235) and ``uv``
        ``uint8`` of shape ``(height/2, width/2, 2)`` holding (Cb, Cr) (16..240), chroma being the
        2x2 average. Raises SceneError for an index outside the scene."""
        try:
            return self._core.render_nv12(self._index(i))
        finally:
            _log_media_warnings()

    def frame_at(self, t: float) -> np.ndarray:
        """The frame on screen at ``t`` seconds (see :meth:`render_frame`)."""
        return self.render_frame(self.scene.time_to_frame(t))

    def save_frame(self, i: int, path: PathLike, *, format: StillFormat | None = None, quality: int = 95) -> str:
        """Render frame ``i`` and write it as PNG (straight alpha), JPEG (over black) or WebP;
        see :func:`reelforge.stills.save_rgba` for ``path``, ``format``, ``quality`` and errors."""
        from .stills import save_rgba
        return save_rgba(self.render_frame(i), path, format=format, quality=quality)
