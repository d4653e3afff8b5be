"""reelforge: scripted video rendering with Vulkan compositing and FFmpeg encoding.

Build a :class:`Scene`, preview frames with :class:`Renderer`, write files with :class:`Exporter`.
"""

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
from .distributed import SegmentFailed  # also makes reelforge.distributed available
from .stills import export_still
from .typography import Span, TextLayer

from ._core import __version__  # pyproject.toml's version, compiled into the extension

__all__ = [
    "Scene", "Layer", "AudioClip", "Renderer", "Exporter", "ExportResult", "export_still", "audio", "easing", "effects", "notebook", "testing", "cubic_bezier", "spring",
    "PROPERTIES", "BLEND_MODES", "ReelforgeError", "SceneError", "SceneTypeError", "MediaError", "MediaNotFoundError",
    "EncoderError", "GpuError", "ExportStalled", "ExportCancelled", "SegmentFailed", "__version__",
    "shapes", "svg", "LinearGradient", "RadialGradient",
]
__all__ += ["Span", "TextLayer", "transitions", "sequence"]
