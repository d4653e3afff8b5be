"""Colour strings (CSS Color 4) accepted wherever colours are."""
from __future__ import annotations

import colorsys

import numpy as np
import pytest
from PIL import ImageColor

import reelforge as rf
from reelforge.colors import NAMED_COLORS, css_components
from reelforge.scene import parse_color


def test_named_colours_match_pillows_independent_table():
    assert len(NAMED_COLORS) == 148
    for name, hexv in ImageColor.colormap.items():
        assert css_components(name)[:3] == ImageColor.getrgb(hexv)[:3], name
    assert css_components("RebeccaPurple ") == (102, 51, 153, 255)
    assert css_components("transparent") == (0, 0, 0, 0)


@pytest.mark.parametrize("text, rgba", [
    ("#f00", (255, 0, 0, 255)), ("#f008", (255, 0, 0, 136)), ("#102030", (16, 32, 48, 255)),
    ("#10203040", (16, 32, 48, 64)), ("rgb(10, 20, 30)", (10, 20, 30, 255)),
    ("rgba(10, 20, 30, 0.5)", (10, 20, 30, 127.5)), ("rgb(10 20 30 / 25%)", (10, 20, 30, 63.75)),
    ("rgb(100% 0% 50%)", (255, 0, 127.5, 255)), ("RGB( 1 , 2 , 3 )", (1, 2, 3, 255)),
])
def test_hex_and_rgb_forms(text, rgba):
    assert css_components(text) == pytest.approx(rgba)


@pytest.mark.parametrize("h, s, l", [(0, 100, 50), (120, 100, 25), (210, 40, 60), (300, 75, 90), (45, 0, 30)])
def test_hsl_matches_colorsys(h, s, l):
    want = [255 * c for c in colorsys.hls_to_rgb(h / 360, l / 100, s / 100)]
    for text in (f"hsl({h}, {s}%, {l}%)", f"hsl({h}deg {s}% {l}%)", f"hsla({h / 360}turn {s}% {l}% / 1)",
                 f"hsl({h * 400 / 360}grad, {s}%, {l}%)", f"hsl({np.radians(h)}rad {s}% {l}%)"):
        assert css_components(text)[:3] == pytest.approx(want, abs=1e-6), text


@pytest.mark.parametrize("bad", ["tomatoe", "#12", "#ggg", "rgb(1, 2)", "rgb(300, 0, 0)", "rgb(1 2 3 / 2)",
                                 "rgb(1, 2 3)", "hsl(10, 20, 30)", "hsl(10 120% 30%)", "", "red blue"])
def test_bad_strings_raise_scene_error_naming_the_parameter(bad):
    with pytest.raises(rf.SceneError, match="background: .* is not a colour"):
        rf.Scene(16, 16, background=bad)


def test_typo_suggests_the_name():
    with pytest.raises(rf.SceneError, match="did you mean 'tomato'"):
        parse_color("tomatoe", "layer 'x' color")


def test_colour_strings_render(tmp_path):
    s = rf.Scene(32, 16, fps=10, duration=0.1, background="hsl(240 100% 50%)")
    s.add_solid("rgb(255 0 0 / 50%)", x=0, y=0, width=16, height=16)
    f = rf.Renderer(s).render_frame(0)
    assert tuple(f[8, 24]) == (0, 0, 255, 255)
    assert np.abs(f[8, 8].astype(int) - (128, 0, 127, 255)).max() <= 1  # 50 % red over blue
