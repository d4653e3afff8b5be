"""reelforge: scripted video rendering with Vulkan compositing and FFmpeg encoding.

Build a :class:`Scene`, preview frames with :class:`Renderer`, write files with :class:`Exporter`.
"""

from .errors import (EncoderError, ExportCancelled, ExportStalled, GpuError, MediaError, MediaNotFoundError,
                     ReelforgeError, SceneError, SceneTypeError)
from . import audio, easing, notebook, testing
from . import effects
from .easing import cubic_bezier, spring
from .scene import BLEND_MODES, PROPERTIES, AudioClip, Layer, Scene
from . import shapes, svg
from .shapes import LinearGradient, RadialGradient
from .renderer import Renderer
from .exporter import ExportResult, Exporter
from .distributed import SegmentFailed  # also makes reelforge.distributed available
from .stills import export_still

from ._core import __version__  # pyproject.toml's version, compiled into the extension

__all__ = [
    "Scene", "Layer", "AudioClip", "Renderer", "Exporter", "ExportResult", "export_still", "audio", "easing", "effects", "notebook", "testing", "cubic_bezier", "spring",
    "PROPERTIES", "BLEND_MODES", "ReelforgeError", "SceneError", "SceneTypeError", "MediaError", "MediaNotFoundError",
    "EncoderError", "GpuError", "ExportStalled", "ExportCancelled",
    "shapes", "svg", "LinearGradient", "RadialGradient",
]
