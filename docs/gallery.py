"""Example scenes for the docs gallery: each entry is (build function, time in seconds, caption)."""
from __future__ import annotations

import numpy as np

import reelforge as rf


def title_card() -> rf.Scene:
    s = rf.Scene(320, 180, fps=30, duration=2, background="midnightblue")
    s.add_solid("hsl(200 80% 55%)", x=0, y=120, width=320, height=60)
    bar = s.add_solid("tomato", x=-100, y=40, width=100, height=24)
    bar.animate("x", [(0, -100), (1, 110)], easing="ease_out")
    return s


def blend_modes() -> rf.Scene:
    s = rf.Scene(320, 180, fps=30, duration=1, background="white")
    for i, mode in enumerate(("normal", "multiply", "screen", "difference")):
        a = s.add_solid("rgb(255 200 0)", x=20 + 75 * i, y=40, width=50, height=50)
        b = s.add_solid("rgba(0, 120, 255, 0.8)", x=40 + 75 * i, y=70, width=50, height=50)
        b.blend = mode
        a.name, b.name = f"a{i}", f"b{i}"
    return s


def gradient_image() -> rf.Scene:
    s = rf.Scene(320, 180, fps=30, duration=2, background="black")
    yy, xx = np.mgrid[0:90, 0:160]
    img = np.stack([xx * 255 // 159, yy * 255 // 89, 255 - xx * 255 // 159, np.full_like(xx, 255)], -1)
    layer = s.add_image(img.astype(np.uint8), x=160, y=90, width=200, height=112)
    layer.set("anchor_x", 0.5).set("anchor_y", 0.5)
    layer.animate("rotation", [(0, -10), (2, 10)], easing="ease_in_out")
    return s


EXAMPLES = {
    "title_card": (title_card, 1.0, "Solids with CSS colours and an eased slide-in."),
    "blend_modes": (blend_modes, 0.0, "The same two squares with normal, multiply, screen and difference blending."),
    "gradient_image": (gradient_image, 1.5, "A numpy image layer rotated about its centre."),
}
