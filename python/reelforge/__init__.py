"""reelforge: scripted video rendering with Vulkan compositing and FFmpeg encoding.

Build a :class:`Scene`, preview frames with :class:`Renderer`, write files with :class:`Exporter`.
"""

from typing import TYPE_CHECKING

try:
    from . import _core
except ImportError as _e:  # the extension links the Vulkan loader (not a driver: those are found at run time)
    if "libvulkan" not in str(_e):
        raise
    raise ImportError(f"{_e}: reelforge needs the Vulkan loader, libvulkan.so.1 (Debian/Ubuntu: apt install "
                      "libvulkan1, plus a driver such as mesa-vulkan-drivers for rendering on the CPU)") from _e

from .errors import (EncoderError, ExportCancelled, ExportStalled, GpuError, MediaError, MediaNotFoundError,
                     ReelforgeError, SceneError, SceneTypeError)
from . import audio, easing, notebook, testing
from . import loudness  # rf.loudness.loudness, also rf.audio.loudness
from . import effects
from .easing import cubic_bezier, spring
from .scene import BLEND_MODES, PROPERTIES, AudioClip, Layer, Scene
from . import shapes, svg
from . import transitions
from .transitions import sequence
from .shapes import LinearGradient, RadialGradient
from .renderer import Renderer
from .exporter import ExportResult, Exporter
from .stills import export_still
from .typography import Span, TextLayer

from ._core import __version__  # pyproject.toml's version, compiled into the extension

if TYPE_CHECKING:  # type checkers see the real names; at run time __getattr__ below loads them
    from . import distributed
    from .distributed import SegmentFailed


def __getattr__(name: str) -> object:
    # reelforge.distributed (and its SegmentFailed) load on first use: it imports asyncio, ssl, uuid
    # and the staging code, about 3 MB of resident memory that a plain export never needs.
    if name in ("distributed", "SegmentFailed"):
        import importlib  # not `from . import`: that asks this very __getattr__ first
        mod = importlib.import_module(".distributed", __name__)
        return mod if name == "distributed" else mod.SegmentFailed
    raise AttributeError(f"module 'reelforge' has no attribute {name!r}")

__all__ = [
    "Scene", "Layer", "AudioClip", "Renderer", "Exporter", "ExportResult", "export_still", "audio", "easing", "effects", "notebook", "testing", "cubic_bezier", "spring",
    "PROPERTIES", "BLEND_MODES", "ReelforgeError", "SceneError", "SceneTypeError", "MediaError", "MediaNotFoundError",
    "EncoderError", "GpuError", "ExportStalled", "ExportCancelled", "SegmentFailed", "__version__",
    "shapes", "svg", "LinearGradient", "RadialGradient",
]
__all__ += ["Span", "TextLayer", "transitions", "sequence"]
