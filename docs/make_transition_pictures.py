"""Renders the README's transitions picture (docs/images/transitions.jpg) from the shared media:
one row per built-in transition, five frames across its overlap (progress 0, 1/4, 1/2, 3/4, 1).

Run: REELFORGE_MEDIA=/path/to/media python docs/make_transition_pictures.py
"""
import os
import sys
from pathlib import Path

import numpy as np

import reelforge as rf
from reelforge import transitions as tr

media = Path(os.environ.get("REELFORGE_MEDIA", Path(__file__).resolve().parents[2] / "shared" / "media"))
out = Path(__file__).resolve().parent / "images" / "transitions.jpg"
bunny, chaplin = media / "big_buck_bunny_0_30.webm", media / "chaplin.mp4"
if not bunny.is_file():
    sys.exit(f"media missing in {media}")

W, H, FPS, GAP = 160, 90, 20, 4
ROWS = [tr.Crossfade(), tr.Dip("white"), tr.Wipe("right", 0.1), tr.Slide("left"), tr.Push("up"), tr.Zoom(),
        tr.Iris(0.05)]
strip = np.full((len(ROWS) * (H + GAP) - GAP, 5 * (W + GAP) - GAP, 4), 255, np.uint8)
for row, t in enumerate(ROWS):
    s = rf.Scene(W, H, fps=FPS, duration=2.0)
    a = s.add_video(bunny, trim_start=12.0, end=1.5, width=W, height=H)
    b = s.add_video(chaplin, trim_start=3.0, width=W, height=H)
    s.add_transition(a, b, t, duration=1.0)  # overlap: frames 10..29
    r = rf.Renderer(s)
    for col, frame in enumerate((10, 15, 20, 25, 29)):
        y, x = row * (H + GAP), col * (W + GAP)
        strip[y:y + H, x:x + W] = r.render_frame(frame)
rf.stills.save_rgba(strip, out, quality=85)  # JPEG: video frames compress ~5x better than PNG
print(out)
