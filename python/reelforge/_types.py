"""``Literal`` aliases for reelforge's string options, for signatures and type checkers.

``mypy`` then rejects a typo such as ``blend="multipy"`` before anything runs. Each alias lists
exactly the values the runtime accepts (tests check them against the runtime tables).
"""
from __future__ import annotations

from typing import Literal

#: Named easing curves (:mod:`reelforge.easing`).
EasingName = Literal["linear", "step", "ease_in", "ease_out", "ease_in_out"]
#: Layer blend modes (W3C Compositing and Blending), ``Layer.blend``.
BlendMode = Literal["normal", "multiply", "screen", "overlay", "darken", "lighten", "add", "difference"]
#: Video codecs of :class:`reelforge.Exporter` (``video_codec=``).
VideoCodec = Literal["h264", "hevc", "vp9", "prores", "gif", "png"]
#: x264-style speed presets (``preset=``).
Preset = Literal["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"]
#: Quality presets (:mod:`reelforge.quality`).
Quality = Literal["high", "medium", "low"]
#: Named output resolutions (:data:`reelforge.rescale.RESOLUTIONS`).
Resolution = Literal["480p", "720p", "1080p", "1440p", "4k"]
#: Still-image formats of :func:`reelforge.export_still`.
StillFormat = Literal["png", "jpeg", "webp"]
#: Tolerance profiles of :mod:`reelforge.testing` (others may be registered at run time).
ToleranceProfile = Literal["default", "lavapipe", "gpu", "exact"]
#: Text anchors and alignment (:func:`reelforge.text.add_text_layer`).
TextAlign = Literal["left", "center", "right"]
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

__all__ = ["BlurEdge", "EasingName", "BlendMode", "MaskMode", "VideoCodec", "Preset", "Quality", "Resolution", "StillFormat",
           "ToleranceProfile", "TextAlign", "TextAnchor", "LineJoinName", "LineCapName"]
