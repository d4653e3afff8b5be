"""SVG images (librsvg at the displayed size) against an independent rasteriser, cairosvg, and
crisp when scaled up. The SVG is written by the test."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import reelforge as rf
from reelforge.errors import MediaError, MediaNotFoundError
from reelforge.testing import psnr

cairosvg = pytest.importorskip("cairosvg")

ART = """<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48" viewBox="0 0 64 48">
  <rect x="4.5" y="6" width="30" height="20" fill="#e03020"/>
  <circle cx="44" cy="28" r="14" fill="#2080f0" fill-opacity="0.8"/>
  <path d="M6 40 Q20 28 34 40 T60 40" stroke="#f0e020" stroke-width="3" fill="none"/>
  <linearGradient id="g" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#000"/>
    <stop offset="1" stop-color="#fff"/></linearGradient>
  <rect x="40" y="2" width="22" height="8" fill="url(#g)"/>
</svg>"""


@pytest.fixture
def art(tmp_path):
    p = tmp_path / "art.svg"
    p.write_text(ART)
    return str(p)


def cairosvg_over_black(svg: str, scale: float = 1.0) -> np.ndarray:
    png = cairosvg.svg2png(bytestring=svg.encode(), scale=scale)
    rgba = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).astype(np.float64)
    rgb = rgba[..., :3] * rgba[..., 3:4] / 255.0  # straight alpha over opaque black
    return np.round(rgb).astype(np.uint8)


def test_svg_matches_cairosvg(art):
    s = rf.Scene(64, 48, fps=10, duration=0.1)
    layer = s.add_image(art)
    assert (s.layers[0].kind, layer._props["width"], layer._props["height"]) == (rf._core.LayerKind.IMAGE, 64, 48)
    got = rf.Renderer(s).render_frame(0)[..., :3]
    ref = cairosvg_over_black(ART)
    assert psnr(got, ref) >= 35.0


def test_svg_scaled_4x_stays_crisp_and_matches(art):
    s = rf.Scene(256, 192, fps=10, duration=0.1)
    s.add_image(art).set("scale", 4)
    got = rf.Renderer(s).render_frame(0)[..., :3]
    ref = cairosvg_over_black(ART, scale=4)
    assert psnr(got, ref) >= 35.0
    # The red rectangle's left edge (x = 4.5 * 4 = 18) and top edge (y = 24): a step within 1.5 px,
    # where a 64 px raster stretched 4x would ramp over ~4 px.
    for profile in (got[60, 8:30, 0], got[14:34, 60, 0]):
        red = profile.astype(float) / 0xE0
        width = float(np.sum((red > 0.02) & (red < 0.98)))
        assert width <= 1.5, profile


def test_svg_rasterised_once_per_displayed_size(art):
    s = rf.Scene(128, 96, fps=10, duration=1.0)
    s.add_image(art).animate("scale", [(0.0, 1.0), (0.3, 2.0)])  # still from frame 3 on
    tl = s.compile()
    r = rf._core.Renderer(tl)
    for i in range(10):
        r.render_rgba(i)
    gen = tl.layers[0].generator
    assert gen.renders == 4  # frames 0, 1, 2 at their own sizes, then one for 2x
    assert r.generated_uploads == 4


def test_svg_errors_name_the_file(tmp_path):
    s = rf.Scene(64, 48, fps=10, duration=0.1)
    with pytest.raises(MediaNotFoundError):
        s.add_image(str(tmp_path / "missing.svg"))
    bad = tmp_path / "bad.svg"
    bad.write_text("<svg xmlns='http://www.w3.org/2000/svg'><rect")
    with pytest.raises(MediaError, match="bad.svg"):
        s.add_image(str(bad))
