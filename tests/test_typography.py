"""Typography (reelforge.typography): outline, shadow and box pixels against numpy/scipy
references, wrapping at max_width (Latin, CJK, Arabic with FriBidi order), justify, spacing, rich
spans, and per-word animation timing."""
from __future__ import annotations

import os

import numpy as np
import pytest
from scipy import ndimage

import reelforge as rf
from reelforge import typography as ty

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK_FONTS = ["/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/arphic/uming.ttc",
             "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"]


@pytest.fixture
def font():
    if not os.path.isfile(DEJAVU):
        pytest.skip("DejaVu Sans not installed (apt fonts-dejavu-core)")
    return DEJAVU


@pytest.fixture
def cjk_font():
    for f in CJK_FONTS:
        if os.path.isfile(f):
            return f
    pytest.skip("no CJK font installed (apt fonts-wqy-microhei, see scripts/install.sh)")


def aligned(a: ty.StyledText, b: ty.StyledText) -> tuple[np.ndarray, np.ndarray]:
    """The two images' alpha (float 0..1) on a common grid, registered at their text boxes."""
    ox, oy = int(round(a.text_box[0] - b.text_box[0])), int(round(a.text_box[1] - b.text_box[1]))
    h, w = a.height + 40, a.width + 40
    pa, pb = np.zeros((h, w)), np.zeros((h, w))
    pa[20:20 + a.height, 20:20 + a.width] = a.pixels[..., 3] / 255
    pb[20 + oy:20 + oy + b.height, 20 + ox:20 + ox + b.width] = b.pixels[..., 3] / 255
    return pa, pb


def lines_of(r: ty.StyledText) -> dict[int, np.ndarray]:
    return {int(k): r.clusters[r.clusters[:, 2] == k] for k in np.unique(r.clusters[:, 2])}


def line_text(r: ty.StyledText, rows: np.ndarray) -> str:
    return "".join(r.text[int(a):int(b)] for a, b in sorted({(row[0], row[1]) for row in rows}))


def ink_width(r: ty.StyledText, rows: np.ndarray) -> float:
    """Advance width of a line without its trailing/leading spaces."""
    keep = [row for row in rows if not r.text[int(row[0]):int(row[1])].isspace()]
    return max(k[5] for k in keep) - min(k[3] for k in keep)


# --- outline, shadow, box ---------------------------------------------------------------------

def test_outline_is_the_glyph_dilated_by_stroke_width(font):
    plain = ty.render_styled("HOg", font=font, size_px=64)
    outlined = ty.render_styled("HOg", font=font, size_px=64, stroke_width=4, stroke_color=(255, 0, 0, 255))
    fill, out = aligned(plain, outlined)
    disk = np.hypot(*np.mgrid[-4:5, -4:5]) <= 4
    ref = ndimage.binary_dilation(fill > 0.5, structure=disk)
    got = out > 0.5
    iou = (got & ref).sum() / (got | ref).sum()
    assert iou > 0.93, iou
    # The ring is the stroke colour, the interior stays the fill colour (white).
    ring = ref & ~ndimage.binary_dilation(fill > 0.01, iterations=2)
    ox, oy = int(round(outlined.text_box[0] - plain.text_box[0])), int(round(outlined.text_box[1] - plain.text_box[1]))
    px = np.zeros(ring.shape + (4,))
    px[20 + oy:20 + oy + outlined.height, 20 + ox:20 + ox + outlined.width] = outlined.pixels
    ring &= px[..., 3] >= 250
    assert ring.sum() > 500
    assert (px[ring][:, 0] >= 250).all() and (px[ring][:, 1] <= 5).all()
    core = ndimage.binary_erosion(fill > 0.99, iterations=1)
    assert (px[core][:, :3] >= 250).all()


def test_shadow_is_the_shape_offset_and_gaussian_blurred(font):
    plain = ty.render_styled("Ta", font=font, size_px=48)
    for blur in (0.0, 6.0):
        shad = ty.render_styled("Ta", font=font, size_px=48, shadow=(5, 4, blur, (0, 0, 0, 255)))
        fill, got = aligned(plain, shad)
        ref = ndimage.shift(fill, (4, 5), order=0)
        if blur:
            ref = ndimage.gaussian_filter(ref, sigma=blur / 2, truncate=3.0, mode="constant")
        expected = fill + ref * (1 - fill)  # white text over its black shadow
        np.testing.assert_allclose(got, expected, atol=3 / 255)
    # Where only the shadow is, the colour is black.
    assert (shad.pixels[..., :3][shad.pixels[..., 3] > 0].max(axis=1) <= shad.pixels[..., 3][shad.pixels[..., 3] > 0]).all()


def test_background_box_covers_text_box_plus_padding_with_rounded_corners(font):
    r = ty.render_styled("Box", font=font, size_px=40, background=((0, 0, 255, 255), 10, 0))
    x0, y0, x1, y1 = r.box
    tx0, ty0, tx1, ty1 = r.text_box
    assert (x0, y0, x1, y1) == pytest.approx((tx0 - 10, ty0 - 10, tx1 + 10, ty1 + 10))
    a = r.pixels[..., 3].astype(int)
    xs, ys = np.arange(r.width) + 0.5, np.arange(r.height) + 0.5
    inside = ((xs[None, :] > x0 + 0.5) & (xs[None, :] < x1 - 0.5)) & ((ys[:, None] > y0 + 0.5) & (ys[:, None] < y1 - 0.5))
    outside = (xs[None, :] < x0 - 0.5) | (xs[None, :] > x1 + 0.5) | (ys[:, None] < y0 - 0.5) | (ys[:, None] > y1 + 0.5)
    assert (a[inside] == 255).all() and (a[outside] == 0).all()
    corner = r.pixels[int(y0) + 1, int(x0) + 1]
    assert tuple(corner) == (0, 0, 255, 255)
    rounded = ty.render_styled("Box", font=font, size_px=40, background=((0, 0, 255, 255), 10, 12))
    bx0, by0 = rounded.box[:2]
    # A pixel centre at (1, 1) px from the corner lies 12 - |(11, 11)| ~ -3.6 px outside the arc.
    assert rounded.pixels[int(by0) + 1, int(bx0) + 1, 3] == 0
    assert rounded.pixels[int(by0) + 12, int(bx0) + 1, 3] == 255


# --- wrapping, bidi, justify --------------------------------------------------------------------

def check_greedy(r: ty.StyledText, max_width: float, joiner: str = " ") -> None:
    lines = lines_of(r)
    assert len(lines) > 1
    for k, rows in lines.items():
        assert ink_width(r, rows) <= max_width + 0.01, (k, line_text(r, rows))


def test_latin_wraps_at_word_boundaries_within_max_width(font):
    text = "The quick brown fox jumps over the lazy dog again and again"
    r = ty.render_styled(text, font=font, size_px=24, max_width=180)
    check_greedy(r, 180)
    lines = lines_of(r)
    texts = [line_text(r, lines[k]).strip() for k in sorted(lines)]
    assert " ".join(texts) == text  # breaks only at spaces, nothing lost
    # Greedy: the next line's first word would not have fitted on the line before.
    one = lambda s: ink_width(ty.render_styled(s, font=font, size_px=24), lines_of(ty.render_styled(s, font=font, size_px=24))[0])  # noqa: E731
    for a, b in zip(texts, texts[1:]):
        assert one(a + " " + b.split()[0]) > 180


def test_cjk_wraps_between_characters_and_keeps_closing_punctuation(cjk_font):
    text = "日本語のテキストを折り返します。中文换行测试，标点不在行首。"
    size = 20
    r = ty.render_styled(text, font=cjk_font, size_px=size, max_width=5.5 * size)
    check_greedy(r, 5.5 * size)
    lines = lines_of(r)
    texts = [line_text(r, lines[k]) for k in sorted(lines)]
    assert "".join(texts) == text
    assert all(len(t) <= 6 for t in texts)
    assert not any(t[0] in "。，" for t in texts)  # UAX #14: no break before closing punctuation


def test_arabic_wraps_in_logical_order_and_runs_right_to_left(font):
    text = "مرحبا بالعالم العربي الجميل"
    r = ty.render_styled(text, font=font, size_px=28, max_width=150)
    check_greedy(r, 150)
    lines = lines_of(r)
    texts = [line_text(r, lines[k]).strip() for k in sorted(lines)]
    assert " ".join(texts) == text  # the first words come first
    for rows in lines.values():
        letters = [row for row in rows if not r.text[int(row[0]):int(row[1])].isspace()]
        order = sorted(letters, key=lambda row: row[0])  # logical order
        xs = [row[3] for row in order]
        assert xs == sorted(xs, reverse=True)  # right to left
        # Right-aligned paragraph start: the RTL line starts at the box's right edge for align=right.
    rr = ty.render_styled(text, font=font, size_px=28, max_width=150, align="right")
    for rows in lines_of(rr).values():
        assert max(row[5] for row in rows if not rr.text[int(row[0]):int(row[1])].isspace()) == pytest.approx(
            rr.text_box[2], abs=0.05)


def test_mixed_direction_line_follows_the_bidi_algorithm(font):
    text = "abc مرحبا 123 def"
    r = ty.render_styled(text, font=font, size_px=24)
    x = {int(row[0]): row[3] for row in r.clusters}
    ar = [text.index("م") + i for i in range(5)]
    assert x[0] < x[1] < x[2] < x[ar[0]]  # LTR paragraph: Latin first, on the left
    assert all(x[a] > x[b] for a, b in zip(ar, ar[1:]))  # the Arabic word right to left
    d = text.index("123")
    assert x[d] < x[d + 1] < x[d + 2] < x[text.index("def")]  # numbers stay left to right


def test_justify_fills_every_line_but_the_last(font):
    text = "Justified text spreads its words so that each line fills the measure exactly"
    r = ty.render_styled(text, font=font, size_px=22, max_width=220, align="justify")
    lines = lines_of(r)
    assert len(lines) >= 3
    left = r.text_box[0]
    for k in sorted(lines)[:-1]:
        rows = lines[k]
        assert min(row[3] for row in rows) == pytest.approx(left, abs=0.05)
        assert ink_width(r, rows) == pytest.approx(220, abs=0.1)
    assert ink_width(r, lines[max(lines)]) < 200  # the last line keeps natural spacing
    assert r.text_box[2] - r.text_box[0] == pytest.approx(220, abs=0.02)


def test_letter_spacing_and_line_height(font):
    a = ty.render_styled("abcd", font=font, size_px=30)
    b = ty.render_styled("abcd", font=font, size_px=30, letter_spacing=5)
    wa = a.clusters[-1, 5] - a.clusters[0, 3]
    wb = b.clusters[-1, 5] - b.clusters[0, 3]
    assert wb - wa == pytest.approx(4 * 5, abs=0.05)
    c = ty.render_styled("a\nb\nc", font=font, size_px=30, line_height=1.5)
    y0 = sorted({row[4] for row in c.clusters})
    assert np.diff(y0) == pytest.approx([45, 45], abs=0.02)


def test_rich_spans_keep_their_colour_size_and_weight(font):
    r = ty.render_styled(["red ", rf.Span("BIG", color=(0, 0, 255), size_px=60, weight="bold"), " end"],
                         font=font, size_px=30, color=(255, 0, 0))
    px = r.pixels.astype(int)
    blue = (px[..., 3] == 255) & (px[..., 2] == 255) & (px[..., 0] == 0)
    red = (px[..., 3] == 255) & (px[..., 0] == 255) & (px[..., 2] == 0)
    assert blue.sum() > 300 and red.sum() > 100
    rows_b, rows_r = np.flatnonzero(blue.any(axis=1)), np.flatnonzero(red.any(axis=1))
    assert np.ptp(rows_b) > 1.7 * np.ptp(rows_r)  # 'BIG' at 60 px is twice as tall as 'red'/'end' (x-height, ascender)
    assert abs(rows_b[-1] - rows_r[-1]) <= 1  # on one baseline (no descenders)
    # Bold is heavier than regular at the same size.
    reg = ty.render_styled("BIG", font=font, size_px=60)
    bold = ty.render_styled(rf.Span("BIG", weight="bold"), font=font, size_px=60)
    assert bold.pixels[..., 3].sum() > 1.15 * reg.pixels[..., 3].sum()


# --- per-word animation ----------------------------------------------------------------------

def compiled_opacity(s: rf.Scene) -> dict[str, np.ndarray]:
    tl = s.compile()
    return {layer.name: np.broadcast_to(np.asarray(layer.track.opacity), (layer.end_frame - layer.start_frame,))
            for layer in tl.layers}


def test_animate_words_staggers_each_word_exactly(font):
    s = rf.Scene(width=320, height=80, fps=10, duration=3.0)
    t = s.add_text("one two three", font=font, size_px=24, x=10, y=10, start=0.5)
    t.animate_words("opacity", [(0.5, 0.0), (0.6, 1.0)], stagger=0.7, easing="linear")
    assert [w.name for w in t.words] == ["text0.word0", "text0.word1", "text0.word2"]
    assert s.layers == t.words  # the text layer was replaced by its words
    op = compiled_opacity(s)
    for i, w in enumerate(t.words):
        table = op[w.name]  # frames from the layer start (frame 5)
        t_on = 0.5 + 0.7 * i  # seconds: fade from t_on to t_on + 0.1
        frames = 5 + np.arange(table.size)
        times = frames / 10
        expected = np.clip((times - t_on) / 0.1, 0, 1)
        np.testing.assert_allclose(table, expected, atol=1e-5)


def test_word_layers_reassemble_the_text_and_follow_the_layer(font):
    def build(split: bool) -> rf.Scene:
        s = rf.Scene(width=320, height=120, fps=10, duration=1.0, background=(30, 90, 40))
        t = s.add_text(["Hello ", rf.Span("big", color="red", size_px=36), " world"], font=font, size_px=26,
                       x=160, y=60, anchor="center", stroke_width=2, background=("#0000ff80", 6, 8))
        t.set("rotation", 8).set("scale", 1.1)
        if split:
            t.animate_words("y", [(0.0, 0.0)], stagger=0.1)
        return s
    whole = rf.Renderer(build(False)).render_frame(0).astype(int)
    pieces = rf.Renderer(build(True)).render_frame(0).astype(int)
    assert np.abs(whole - pieces).max() <= 8
    assert np.abs(whole - pieces).mean() < 0.2


def test_typewriter_by_character_and_karaoke_wipe(font):
    s = rf.Scene(width=200, height=60, fps=10, duration=2.0)
    t = s.add_text("ab c", font=font, size_px=24)
    t.animate_words("opacity", [(0.0, 0.0), (0.1, 1.0, "step")], stagger=0.3, unit="char", easing="step")
    assert len(t.words) == 3  # the space is skipped
    t.animate_words("crop_right", [(0.0, 1.0), (0.3, 0.0)], stagger=[0.0, 0.3, 0.6], unit="char")
    tl = s.compile()
    crop = {layer.name: np.asarray(layer.track.crop_right) for layer in tl.layers}
    assert crop["text0.char1"][3] == pytest.approx(1.0) and crop["text0.char1"][6] == pytest.approx(0.0)


def test_animate_words_errors(font):
    s = rf.Scene(width=200, height=60, fps=10, duration=2.0)
    t = s.add_text("ab c", font=font, size_px=24)
    with pytest.raises(rf.SceneError, match="per word"):
        t.animate_words("width", [(0, 1)])
    with pytest.raises(rf.SceneError, match="2 delays given for 2 words|delays given"):
        t.animate_words("opacity", [(0, 1)], stagger=[0.0, 0.1, 0.2])
    with pytest.raises(rf.SceneError, match="unit"):
        t.animate_words("opacity", [(0, 1)], unit="line")
    with pytest.raises(rf.SceneError, match="shadow"):
        s.add_text("x", font=font, shadow=(1, 2))
    with pytest.raises(rf.SceneError, match="weight"):
        s.add_text([rf.Span("x", weight="heavy")], font=font)
    with pytest.raises(rf.SceneError, match="max_width"):
        s.add_text("x", font=font, max_width=-5)


def test_literal_aliases_match_runtime_tables():
    from typing import get_args
    from reelforge import _types, subtitles
    assert set(get_args(_types.TextWeight)) == set(ty.WEIGHTS)
    assert set(get_args(_types.WordUnit)) == set(ty.WORD_UNITS)
    assert set(get_args(_types.WordProperty)) == set(ty.WORD_PROPERTIES)
    assert set(get_args(_types.SubtitleFormat)) == set(subtitles.SUBTITLE_FORMATS.values())


def test_karaoke_wipes_each_word_in_the_highlight_colour_at_its_time(font):
    s = rf.Scene(width=320, height=80, fps=10, duration=3.0, background=(0, 0, 0))
    t = s.add_text("sing this song", font=font, size_px=28, x=10, y=20, color=(255, 255, 255))
    hl = t.karaoke([0.5, 1.0, 2.0], color=(255, 0, 0), durations=[0.4, 0.5, 0.5])
    assert [w.name for w in hl.words] == ["text0.highlight.word0", "text0.highlight.word1", "text0.highlight.word2"]
    r = rf.Renderer(s)

    def red_columns(i):
        f = r.render_frame(i).astype(int)
        red = (f[..., 0] > 200) & (f[..., 1] < 60)
        return np.flatnonzero(red.any(axis=0))

    ink = np.flatnonzero((r.render_frame(0)[..., :3].max(axis=2) > 200).any(axis=0))
    assert red_columns(4).size == 0  # before 0.5 s nothing is highlighted
    mid = red_columns(7)  # 0.7 s: half of word 0 (0.5 .. 0.9 s)
    full0 = red_columns(9)
    assert mid.size and full0.size and mid.max() < full0.max()
    assert 0.35 < (mid.max() - ink.min()) / (full0.max() - ink.min()) < 0.65
    assert red_columns(19).max() < red_columns(25).max()  # word 2 from 2.0 s
    assert red_columns(25).max() >= ink.max() - 1  # everything sung by 2.5 s
    with pytest.raises(rf.SceneError, match="times"):
        t.karaoke([0.5, 0.2, 1.0])
