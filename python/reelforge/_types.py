"""``Literal`` aliases for reelforge's string options, for signatures and type checkers.

``mypy`` then rejects a typo such as ``blend="multipy"`` before anything runs. Each alias lists
exactly the values the runtime accepts (tests check them against the runtime tables).
"""
from __future__ import annotations

import os
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Literal, Sequence, Union

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from .easing import Easing
    from .loudness import MasteredScene
    from .rescale import ScaledScene
    from .scene import Layer as Layer, Scene as Scene  # re-exported for modules that must not import scene

#: Named easing curves (:mod:`reelforge.easing`).
EasingName = Literal["linear", "step", "ease_in", "ease_out", "ease_in_out"]
#: Directions of wipes, slides and pushes (:data:`reelforge.transitions.DIRECTIONS`).
TransitionDirection = Literal["left", "right", "up", "down"]
#: Audio crossfades of ``Scene.add_transition`` (:data:`reelforge.transitions.AUDIO_MODES`).
TransitionAudio = Literal["equal_power", "linear", "none"]
#: Layer blend modes (W3C Compositing and Blending), ``Layer.blend``.
BlendMode = Literal["normal", "multiply", "screen", "overlay", "darken", "lighten", "add", "difference"]
#: Layer property names (:data:`reelforge.PROPERTIES`), for ``Layer.set`` / ``Layer.animate``.
PropertyName = Literal["x", "y", "width", "height", "anchor_x", "anchor_y", "scale", "scale_x", "scale_y",
                       "rotation", "opacity", "crop", "crop_left", "crop_top", "crop_right", "crop_bottom",
                       # render-graph styles (reelforge.composition.STYLE_PROPERTIES)
                       "corner_radius", "border_width", "border_color", "border_r", "border_g", "border_b",
                       "border_a", "mask_feather"]
#: Extra properties of shape layers (:data:`reelforge.shapes.SHAPE_PROPERTIES`), for ``ShapeLayer.set``.
ShapePropertyName = Literal["width", "height", "radius", "stroke_width", "stroke_start", "stroke_end"]
#: Video codecs of :class:`reelforge.Exporter` (``video_codec=``).
VideoCodec = Literal["h264", "hevc", "vp9", "prores", "gif", "png"]
#: x264-style speed presets (``preset=``).
Preset = Literal["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"]
#: Formats of notebook previews (``Scene.preview``, ``Scene.player``).
PreviewFormat = Literal["png", "jpeg"]
#: Quality presets (:mod:`reelforge.quality`).
Quality = Literal["high", "medium", "low"]
#: Named output resolutions (:data:`reelforge.rescale.RESOLUTIONS`).
Resolution = Literal["480p", "720p", "1080p", "1440p", "4k"]
#: Still-image formats of :func:`reelforge.export_still`.
StillFormat = Literal["png", "jpeg", "webp"]
#: Tolerance profiles of :mod:`reelforge.testing` (others may be registered at run time).
ToleranceProfile = Literal["default", "lavapipe", "gpu", "exact"]
#: Text anchors and alignment (:func:`reelforge.text.add_text_layer`).
TextAlign = Literal["left", "center", "right", "justify"]
#: Text anchor points (:data:`reelforge.text.ANCHORS`).
TextAnchor = Literal["top_left", "top_center", "top_right", "center_left", "center", "center_right",
                     "bottom_left", "bottom_center", "bottom_right", "baseline_left", "baseline_center"]
#: Stroke joins and caps of shape layers (:mod:`reelforge.shapes`, SVG stroke-linejoin/-linecap).
LineJoinName = Literal["miter", "round", "bevel"]
LineCapName = Literal["butt", "round", "square"]

#: Edge handling of :class:`reelforge.effects.GaussianBlur` (``edge=``).
BlurEdge = Literal["transparent", "extend"]
#: Mask modes of :meth:`reelforge.scene.Layer.set_mask` (W3C CSS Masking mask-mode).
MaskMode = Literal["alpha", "luma"]

#: Font weights of text spans (:class:`reelforge.Span`, ``Scene.add_text(weight=)``).
TextWeight = Literal["normal", "bold"]
#: What :meth:`reelforge.typography.TextLayer.animate_words` splits the text into.
WordUnit = Literal["word", "char"]
#: Properties animated per word (:data:`reelforge.typography.WORD_PROPERTIES`).
WordProperty = Literal["x", "y", "opacity", "scale", "scale_x", "scale_y", "rotation",
                       "crop_left", "crop_top", "crop_right", "crop_bottom"]
#: Subtitle file formats (:data:`reelforge.subtitles.SUBTITLE_FORMATS`).
SubtitleFormat = Literal["srt", "vtt", "ass"]

#: Audio features of :func:`reelforge.audio.feature` (:data:`reelforge.audio_reactive.FEATURES`).
AudioFeatureName = Literal["rms", "rms_db", "peak", "band", "band_db"]
#: Audio visualiser styles (:data:`reelforge.audio_reactive.STYLES`).
VisualizerStyle = Literal["bars", "mirror", "line"]

#: ``Exporter(video_codec=)`` and ``_core.ExportOptions.video_codec``: a codec, or "auto" (from the path).
VideoCodecOrAuto = Literal["auto", "h264", "hevc", "vp9", "prores", "gif", "png"]
#: ``Layer(on_decode_error=)``: skip damaged data holding the last good frame, or raise MediaError.
DecodeErrorPolicy = Literal["hold", "raise"]
#: ``Progress.phase`` of an export (``_core.ExportProgress``).
ProgressPhase = Literal["starting", "rendering", "finishing", "done", "failed", "cancelled"]
#: Pipeline stages (``_core.ExportHooks.stall``).
ExportStage = Literal["decode", "render", "encode"]

# -- value shapes (not string options) used in signatures --------------------------------------
#: What renders and exports: a :class:`~reelforge.Scene`, a render-scaled one (:mod:`reelforge.rescale`)
#: or one with a fixed loudness master stage (:class:`reelforge.loudness.MasteredScene`, made by
#: ``Exporter(workers=N)`` for the segment processes).
SceneLike = Union["Scene", "ScaledScene", "MasteredScene"]
#: A file path.
PathLike = Union[str, "os.PathLike[str]"]
#: A frame rate: int, float or exact Fraction (e.g. ``Fraction(30000, 1001)``).
FpsLike = Union[int, float, Fraction]
#: A colour: ``(r, g, b[, a])`` with 0-255 components or a CSS colour string.
ColorLike = Union[str, Sequence[float]]
#: An easing: a name or an easing object (:func:`reelforge.easing.cubic_bezier`, ``spring``).
EasingLike = Union[EasingName, "Easing"]
#: Keyframes: ``[(t_seconds, value), ...]`` or ``(t, value, easing)`` triples.
Keyframes = Sequence[Union[tuple[float, float], tuple[float, float, EasingLike]]]
#: An animatable property value: a constant, a per-frame array of shape ``(frame_count,)``, or a
#: callable of time in seconds (float64 array in, array of the same shape out).
PropertyValue = Union[float, Sequence[float], npt.NDArray[Any], Callable[[npt.NDArray[np.float64]], Any]]

__all__ = ["EasingName", "BlendMode", "MaskMode", "VideoCodec", "Preset", "Quality", "Resolution", "StillFormat", "ToleranceProfile", "TextAlign", "TextAnchor", "LineJoinName", "LineCapName", "TextWeight", "WordUnit", "WordProperty", "SubtitleFormat", "AudioFeatureName", "VisualizerStyle", "PropertyName", "ShapePropertyName", "VideoCodecOrAuto", "PreviewFormat", "DecodeErrorPolicy", "ExportStage", "ProgressPhase", "SceneLike", "PathLike", "FpsLike", "ColorLike", "EasingLike", "Keyframes", "PropertyValue", "BlurEdge", "TransitionDirection", "TransitionAudio"]
