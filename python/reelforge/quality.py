"""Quality presets: ``quality="high" | "medium" | "low"`` -> per-codec encoder settings.

The one table of what the names mean; the CLI's ``--quality`` and ``Exporter(quality=)`` both
read it through :func:`quality_settings`.

=======  ======  ======  ======  =========================================================
codec    high    medium  low     knob
=======  ======  ======  ======  =========================================================
h264     18      23      28      x264 CRF (NVENC CQ); 18 is visually near-lossless, 23 x264's default
hevc     22      28      32      x265 CRF; x265's 28 default matches x264's 23 at ~half the bits
vp9      24      31      37      libvpx CRF with ``b:v 0`` (constant quality), 31 = Google's 1080p advice
=======  ======  ======  ======  =========================================================

prores, gif and png have no quality knob here: the presets change nothing for them.
"""
from __future__ import annotations

from ._types import Quality
from .errors import SceneError

#: CRF per codec for each quality name (see the module docs for the sources of the figures).
QUALITY_PRESETS: dict[str, dict[str, int]] = {
    "h264": {"high": 18, "medium": 23, "low": 28},
    "hevc": {"high": 22, "medium": 28, "low": 32},
    "vp9": {"high": 24, "medium": 31, "low": 37},
}
QUALITIES: tuple[Quality, ...] = ("high", "medium", "low")


def quality_settings(codec: str, quality: Quality) -> dict[str, int]:
    """Encoder settings for ``quality`` with ``codec``: ``{"crf": n}`` for h264/hevc/vp9, ``{}``
    for codecs without a quality knob (prores, gif, png).

    Raises
    ------
    SceneError
        (a ValueError) ``quality`` is not one of ``"high"``, ``"medium"``, ``"low"``.
    """
    if quality not in QUALITIES:
        raise SceneError(f"unknown quality {quality!r}; use one of {', '.join(QUALITIES)}")
    table = QUALITY_PRESETS.get(codec)
    return {} if table is None else {"crf": table[quality]}


__all__ = ["QUALITY_PRESETS", "QUALITIES", "quality_settings"]
