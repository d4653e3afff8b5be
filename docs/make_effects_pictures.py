"""Renders the README's effects pictures (docs/effects_*.png) from the shared media.

Run: REELFORGE_MEDIA=/path/to/media python docs/make_effects_pictures.py
"""
import os
import sys
from pathlib import Path

import reelforge as rf
from reelforge import effects as fx

media = Path(os.environ.get("REELFORGE_MEDIA", Path(__file__).resolve().parents[2] / "shared" / "media"))
out = Path(__file__).resolve().parent
bunny, chaplin, logo = media / "big_buck_bunny_0_30.webm", media / "chaplin.mp4", media / "python_logo.png"
if not bunny.is_file():
    sys.exit(f"media missing in {media}")

# 1. A blurred 16:9 background, a PiP with a drop shadow, a glowing logo.
s = rf.Scene(480, 270, fps=30, duration=1.0)
s.add_video(bunny, trim_start=12.0, width=480, height=270).add_effect(fx.GaussianBlur(8, edge="extend"))
s.add_video(chaplin, trim_start=3.0, x=200, y=40, width=240, height=135).add_effect(
    fx.DropShadow(8, 8, 10, opacity=0.9))
s.add_image(logo, x=30, y=200, width=160, height=47).add_effect(fx.Glow(6, strength=2, color="#ffe873"))
rf.Renderer(s).save_frame(0, out / "effects_blur_shadow.png")

# 2. The colour filters on one frame: original, Grayscale, Sepia, Invert, hue-rotate, contrast.
s = rf.Scene(480, 180, fps=30, duration=1.0)
looks = [None, fx.Grayscale(1), fx.Sepia(1), fx.Invert(1), fx.ColorAdjust(hue=120), fx.ColorAdjust(contrast=1.8,
                                                                                              saturation=1.6)]
for i, look in enumerate(looks):
    layer = s.add_video(bunny, trim_start=12.0, x=(i % 3) * 160, y=(i // 3) * 90, width=160, height=90)
    layer.set("crop", (0.0, 0.0, 0.0, 0.0))
    if look:
        layer.add_effect(look)
rf.Renderer(s).save_frame(0, out / "effects_color.png")
print("wrote", out / "effects_blur_shadow.png", out / "effects_color.png")
