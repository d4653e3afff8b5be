"""reelforge: scripted video rendering with Vulkan compositing and FFmpeg encoding.

Build a :class:`Scene`, preview frames with :class:`Renderer`, write files with :class:`Exporter`.
"""

from .errors import (EncoderError, ExportCancelled, ExportStalled, GpuError, MediaError, MediaNotFoundError,
                     ReelforgeError, SceneError)
from . import audio, easing, notebook, testing
from .easing import cubic_bezier, spring
from .scene import BLEND_MODES, PROPERTIES, AudioClip, Layer, Scene
from .renderer import Renderer
from .exporter import ExportResult, Exporter
from .stills import export_still

__version__ = "0.1.0"

__all__ = [
    "Scene", "Layer", "AudioClip", "Renderer", "Exporter", "ExportResult", "export_still", "audio", "easing", "notebook", "testing", "cubic_bezier", "spring",
    "PROPERTIES", "BLEND_MODES", "ReelforgeError", "SceneError", "MediaError", "MediaNotFoundError",
    "EncoderError", "GpuError", "ExportStalled", "ExportCancelled",
]
