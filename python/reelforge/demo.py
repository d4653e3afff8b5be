"""The showcase scene: 1920x1080 at 30 fps, about 10 s.

With the shared media folder (``REELFORGE_MEDIA``, default ``../shared/media`` beside the
checkout) it uses a background video, a picture-in-picture clip, a moving logo that fades in,
and music; without it, generated content (solids, gradients, a numpy-drawn logo) and no audio.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ._types import FpsLike
from .scene import Scene


def media_dir() -> Path:
    """The shared media folder: $REELFORGE_MEDIA, else ../shared/media beside the current dir
    or beside the repository this package was built from."""
    env = os.environ.get("REELFORGE_MEDIA")
    if env:
        return Path(env)
    for base in (Path.cwd(), Path(__file__).resolve().parents[2]):
        p = base.parent / "shared" / "media"
        if p.is_dir():
            return p
    return Path.cwd().parent / "shared" / "media"


def build_demo(width: int = 1920, height: int = 1080, fps: FpsLike = 30, duration: float = 10.0, media: Path | None = None) -> Scene:
    """Build the demo scene (see module docstring). Returns a :class:`Scene`."""
    media = media_dir() if media is None else Path(media)
    s = Scene(width, height, fps=fps, duration=duration, background=(12, 14, 20, 255))

    def have(name: str) -> bool:
        return (media / name).is_file()

    if have("big_buck_bunny_0_30.webm"):
        bg = s.add_video(media / "big_buck_bunny_0_30.webm", width=width, height=height, audio=True, gain_db=-3.0,
                         end=duration, name="background")
    else:
        y, x = np.mgrid[0:height // 4, 0:width // 4]
        grad = np.stack([x * 255 // max(1, x.max()), y * 255 // max(1, y.max()), 128 + 0 * x, 255 + 0 * x], -1)
        bg = s.add_image(grad.astype(np.uint8), width=width, height=height, name="background")
    bg.animate("opacity", [(0, 0.0), (1.0, 1.0)])

    pip_w, pip_h = width // 3, height // 3
    if have("chaplin.mp4"):
        pip = s.add_video(media / "chaplin.mp4", start=1.0, x=width - pip_w - 48, y=48, width=pip_w, height=pip_h,
                          opacity=0.9, name="pip")
    else:
        pip = s.add_solid((230, 80, 60), start=1.0, x=width - pip_w - 48, y=48, width=pip_w, height=pip_h, name="pip")
    pip.animate("scale", [(1.0, 0.6), (1.6, 1.0)], easing="ease_out")
    pip.set("anchor_x", 0.5).set("anchor_y", 0.5)
    pip.set("x", width - pip_w / 2 - 48).set("y", 48 + pip_h / 2)

    if have("python_logo.png"):
        logo = s.add_image(media / "python_logo.png", x=100, y=height - 260, width=520, name="logo")
    else:
        yy, xx = np.mgrid[0:154, 0:520]
        disc = ((xx - 77) ** 2 + (yy - 77) ** 2 < 70 ** 2)
        img = np.zeros((154, 520, 4), np.uint8)
        img[disc] = (55, 118, 171, 255)
        img[(xx > 170) & (yy > 50) & (yy < 104)] = (255, 212, 59, 255)
        logo = s.add_image(img, x=100, y=height - 260, name="logo")
    logo.set("x", lambda t: 100 + 130 * t)
    logo.animate("opacity", [(0, 0.0), (1.0, 1.0)])
    logo.animate("rotation", [(0, -8.0), (2.0, 0.0)], easing="ease_in_out")

    if have("crunching.mp3"):
        s.add_audio(media / "crunching.mp3", start=2.0, gain_db=-6.0, fade_out=0.5)
    return s
