"""reelforge: scripted video rendering with Vulkan compositing and FFmpeg encoding.

Build a :class:`Scene`, preview frames with :class:`Renderer`, write files with :class:`Exporter`.
"""

from .errors import (EncoderError, ExportCancelled, ExportStalled, GpuError, MediaError, MediaNotFoundError,
                     ReelforgeError, SceneError, SceneTypeError)
from . import audio, easing, notebook, testing
from .easing import cubic_bezier, spring
from .scene import BLEND_MODES, PROPERTIES, AudioClip, Layer, Scene
from .renderer import Renderer
from .exporter import ExportResult, Exporter

__version__ = "0.1.0"

__all__ = [
    "Scene", "Layer", "AudioClip", "Renderer", "Exporter", "ExportResult", "audio", "easing", "notebook", "testing", "cubic_bezier", "spring",
    "PROPERTIES", "BLEND_MODES", "ReelforgeError", "SceneError", "SceneTypeError", "MediaError", "MediaNotFoundError",
    "EncoderError", "GpuError", "ExportStalled", "ExportCancelled",
]
