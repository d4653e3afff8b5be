"""Exceptions raised by reelforge.

Every error reelforge raises on purpose derives from :class:`ReelforgeError`. Errors caused by bad
arguments also derive from :class:`ValueError` (wrong types additionally from :class:`TypeError`,
missing media from :class:`FileNotFoundError`), so ``except ValueError`` keeps working for callers
that validate input.
"""


class ReelforgeError(Exception):
    """Base class of all reelforge errors."""


class SceneError(ReelforgeError, ValueError):
    """A scene, layer, clip or export parameter is invalid (the message names it and the fix)."""


class SceneTypeError(SceneError, TypeError):
    """A parameter has the wrong type, e.g. ``fps="30"`` (the message names it and the type wanted).

    Also a :class:`SceneError` (and so a ValueError), so existing ``except ValueError`` handlers
    keep catching it."""


class MediaError(ReelforgeError):
    """A media file is missing, unreadable, or lacks the needed stream."""


class MediaNotFoundError(MediaError, FileNotFoundError):
    """A media file does not exist."""


class EncoderError(ReelforgeError):
    """No encoder could be opened, or encoding/muxing failed (message carries FFmpeg's reason)."""


class GpuError(ReelforgeError):
    """A Vulkan failure (message carries the VkResult name)."""


class ExportStalled(ReelforgeError):
    """No pipeline stage made progress for ``stall_timeout`` seconds; the message names the stage."""


class ExportCancelled(ReelforgeError):
    """The export was cancelled (``Exporter.cancel()`` or Ctrl-C); the partial output was removed."""


__all__ = [
    "ReelforgeError", "SceneError", "SceneTypeError", "MediaError", "MediaNotFoundError", "EncoderError", "GpuError",
    "ExportStalled", "ExportCancelled",
]
