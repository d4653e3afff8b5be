"""Subtitles: SRT/WebVTT/ASS burned in with exact cue on/off frames, default caption placement,
ASS positioning and karaoke rendered by libass, and soft subtitle tracks checked with ffprobe and
ffmpeg's own subtitle decoder."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import numpy as np
import pytest

import reelforge as rf
from reelforge import subtitles as subs
from reelforge.rescale import scaled

W, H, FPS = 320, 180, 10

SRT = """1
00:00:00,500 --> 00:00:01,200
Hello <b>bold</b> world

2
00:00:01,500 --> 00:00:02,000
Second <font color="#ff0000">red</font> cue
"""

VTT = """WEBVTT

00:00.500 --> 00:01.200 align:start
Hello &amp; <v Bob>world</v>

NOTE a comment block

cue-2
00:01.500 --> 00:02.000
Second
"""

ASS = r"""[Script Info]
ScriptType: v4.00+
PlayResX: 320
PlayResY: 180

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,DejaVu Sans,24,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,0,0,2,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:00.50,0:00:01.20,Default,,0,0,0,,{\pos(80,40)}Top
Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,{\pos(200,150)\k30}Ka{\k30}ra{\k30}oke
"""


@pytest.fixture
def files(tmp_path):
    out = {}
    for ext, text in (("srt", SRT), ("vtt", VTT), ("ass", ASS)):
        p = tmp_path / f"cues.{ext}"
        p.write_text(text, encoding="utf-8")
        out[ext] = str(p)
    return out


def scene(duration=2.5) -> rf.Scene:
    return rf.Scene(width=W, height=H, fps=FPS, duration=duration)


def ink_frames(s: rf.Scene, frames) -> dict[int, np.ndarray]:
    r = rf.Renderer(s)
    return {i: r.render_frame(i)[..., :3].max(axis=2) for i in frames}


# --- parsing ---------------------------------------------------------------------------------

def test_parse_srt_and_vtt():
    a = subs.parse_srt(SRT)
    assert [(c.start, c.end) for c in a] == [(0.5, 1.2), (1.5, 2.0)]
    assert a[0].text == "Hello <b>bold</b> world"
    b = subs.parse_vtt(VTT)
    assert [(c.start, c.end, c.text) for c in b] == [(0.5, 1.2, "Hello &amp; <v Bob>world</v>"), (1.5, 2.0, "Second")]
    assert subs.parse_srt("1\r\n01:02:03,004 --> 01:02:04,5\r\nx\r\n")[0].start == pytest.approx(3723.004)
    spans = subs.cue_spans('a <b>b</b> <font color="#00ff00">c</font> &amp;')
    assert [getattr(x, "text", x) for x in spans] == ["a ", "b", " ", "c", " &"]
    assert spans[1].weight == "bold" and spans[3].color == "#00ff00"
    with pytest.raises(rf.SceneError, match="cue 1"):
        subs.parse_srt("1\n00:00:01 --> 00:00:02\nbad\n")
    with pytest.raises(rf.SceneError, match="WEBVTT"):
        subs.parse_vtt("00:00.500 --> 00:01.200\nno header\n")
    with pytest.raises(rf.SceneError, match="before it starts"):
        subs.parse_srt("1\n00:00:02,000 --> 00:00:01,000\nx\n")


# --- burned in -------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_srt_vtt_cues_show_on_exact_frames(files, fmt):
    s = scene()
    layers = s.add_subtitles(files[fmt], start=0.0)
    assert len(layers) == 2
    tl = s.compile()
    # 0.5 s .. 1.2 s at 10 fps: frames 5..11; 1.5 .. 2.0: frames 15..19.
    assert [(l.start_frame, l.end_frame) for l in tl.layers] == [(5, 12), (15, 20)]
    ink = ink_frames(s, [4, 5, 11, 12, 14, 15, 19, 20])
    shown = {i: bool((m > 128).sum() > 30) for i, m in ink.items()}
    assert shown == {4: False, 5: True, 11: True, 12: False, 14: False, 15: True, 19: True, 20: False}


def test_start_offset_and_cues_past_the_end(files):
    s = scene(duration=1.6)
    layers = s.add_subtitles(files["srt"], start=0.3)
    tl = s.compile()
    assert [(l.start_frame, l.end_frame) for l in tl.layers] == [(8, 15)]  # cue 2 (1.8 s) is past the end
    assert len(layers) == 1


def test_default_caption_style_bottom_centre_outlined_and_wrapped():
    s = rf.Scene(width=W, height=H, fps=FPS, duration=1.0, background=(255, 255, 255))
    text = "A rather long caption that must wrap inside eighty percent of the frame"
    s.add_subtitles([(0.0, 1.0, text)])
    layer = s.layers[0]
    assert layer.styled.lines >= 2
    f = rf.Renderer(s).render_frame(0).astype(int)
    dark = f[..., :3].max(axis=2) < 60  # the black outline on the white frame
    light_on_text = (f[..., :3].min(axis=2) > 200)
    ys, xs = np.nonzero(dark)
    assert ys.max() <= 0.95 * H + 1  # bottom safe margin (5 %)
    assert xs.min() >= 0.1 * W - 3 and xs.max() <= 0.9 * W + 3  # wrapped to 80 % of the width
    assert abs((xs.min() + xs.max()) / 2 - W / 2) <= 4  # centred
    assert light_on_text.sum() > 0 and dark.sum() > 200


def test_srt_an_tag_moves_the_cue_to_the_top():
    s = rf.Scene(width=W, height=H, fps=FPS, duration=1.0)
    s.add_subtitles([(0.0, 1.0, "{\\an8}Top caption"), (0.0, 1.0, "Bottom caption")])
    assert s.layers[0].text == "Top caption"
    ink = rf.Renderer(s).render_frame(0)[..., :3].max(axis=2) > 128
    rows = np.flatnonzero(ink.any(axis=1))
    top, bottom = rows[rows < H / 2], rows[rows >= H / 2]
    assert top.size and bottom.size
    assert top.min() >= 0.05 * H - 1 and top.max() < 0.3 * H
    assert bottom.max() <= 0.95 * H + 1 and bottom.min() > 0.7 * H


def test_vtt_line_align_position_settings_place_the_cue(tmp_path):
    p = tmp_path / "placed.vtt"
    p.write_text("WEBVTT\n\n00:00.000 --> 00:01.000 line:0 align:start position:10%\nTop left\n\n"
                 "00:00.000 --> 00:01.000 align:end\nBottom right\n", encoding="utf-8")
    cues = subs.parse_vtt(p.read_text())
    assert dict(cues[0].settings) == {"line": "0", "align": "start", "position": "10%"}
    s = rf.Scene(width=W, height=H, fps=FPS, duration=1.0)
    s.add_subtitles(str(p))
    ink = rf.Renderer(s).render_frame(0)[..., :3].max(axis=2) > 128
    top, bottom = ink[: H // 2], ink[H // 2:]
    tx = np.flatnonzero(top.any(axis=0))
    ty_ = np.flatnonzero(top.any(axis=1))
    assert abs(tx.min() - 0.1 * W) <= 4 and ty_.min() >= 0.05 * H - 1  # left edge at 10 %, top margin
    bx = np.flatnonzero(bottom.any(axis=0))
    assert abs(bx.max() - 0.9 * W) <= 4  # right-aligned at the 10 % side margin


def test_ass_cues_position_and_karaoke_by_libass(files):
    s = scene()
    (layer,) = s.add_subtitles(files["ass"])
    assert layer.generator.events() == [(500, 1200), (1000, 2000)]
    r = rf.Renderer(s)
    frames = {i: r.render_frame(i).astype(int) for i in (4, 5, 11, 12, 13, 16, 19, 20)}

    def ink(i, box=None):
        m = frames[i][..., :3].max(axis=2) > 128
        if box:
            x0, y0, x1, y1 = box
            m = m[y0:y1, x0:x1]
        return m

    top = (0, 0, W, 90)
    assert not ink(4, top).any() and ink(5, top).sum() > 30 and ink(11, top).sum() > 30 and not ink(12, top).any()
    ys, xs = np.nonzero(ink(5))
    # \pos(80,40) with alignment 2 (bottom centre): centred on x = 80, bottom at y = 40.
    assert abs((xs.min() + xs.max()) / 2 - 80) <= 3 and 30 <= ys.max() <= 42
    # Karaoke \k30 per syllable: a syllable turns from the secondary colour (red) to the primary
    # (white) when it starts (0, 300, 600 ms into the event); white stays left of red.
    def colours(i):
        f = frames[i][90:, :]
        white = (f[..., 0] > 200) & (f[..., 1] > 200) & (f[..., 2] > 200)
        red = (f[..., 0] > 200) & (f[..., 1] < 60) & (f[..., 2] < 60)
        return white, red
    w11, r11 = colours(11)   # 100 ms into the event: "Ka"
    w13, r13 = colours(13)   # 300 ms: "Kara"
    w16, r16 = colours(16)   # 600 ms: all
    for w, r in ((w11, r11), (w13, r13)):
        assert w.sum() > 20 and r.sum() > 20
        assert np.nonzero(w)[1].max() < np.nonzero(r)[1].min()
    assert w11.sum() < w13.sum() < w16.sum() and r11.sum() > r13.sum() > r16.sum() == 0
    assert colours(19)[0].sum() == w16.sum()
    assert not (frames[20][90:, :, :3].max(axis=2) > 128).any()


def ink_box(f: np.ndarray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the pixels brighter than 128 in any channel."""
    ys, xs = np.nonzero(f[..., :3].max(axis=2) > 128)
    assert xs.size, "no caption drawn"
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


# Render scale 0.5 and 2.0 (Exporter(scale=), --resolution) and another aspect ratio (--size).
@pytest.mark.parametrize("size", [(W // 2, H // 2), (2 * W, 2 * H), (W, 240)])
def test_ass_under_render_scale_is_laid_out_at_the_output_size(files, size):
    # libass lays the script out for the frame size it is shown at, as a player does: the scene
    # rendered at `size` must show what the same script gives in a scene authored at that size,
    # not the authored-size picture resampled (blurred, and stretched when the aspect changes).
    s, direct = scene(), rf.Scene(width=size[0], height=size[1], fps=FPS, duration=2.5)
    s.add_subtitles(files["ass"])
    direct.add_subtitles(files["ass"])
    r, ref = rf.Renderer(scaled(s, size)), rf.Renderer(direct)
    got = {i: r.render_frame(i).astype(int) for i in (5, 13)}
    for i, frame in got.items():  # "Top" at \pos(80,40); "Karaoke" at \pos(200,150), half sung
        want = ref.render_frame(i).astype(int)
        assert frame.shape == want.shape == (size[1], size[0], 4)
        # The caption's ink box within 1 px of libass's own at that size (the resampled picture's
        # "Top" is 13 px narrower at 320x240), and the pixels within 2 levels (the resampled
        # picture's glyph edges differ from libass's by about 50 at 0.5x and 110 at 2x).
        assert np.abs(np.subtract(ink_box(frame), ink_box(want))).max() <= 1, (i, ink_box(frame), ink_box(want))
        diff = int(np.abs(frame - want).max())
        assert diff <= 2, f"frame {i}: a pixel differs by {diff} from the script rendered at {size}"
    # \pos(80,40) with alignment 2 in output pixels: centred on x = 80 sx, bottom at y = 40 sy
    # (the unscaled test's bounds, scaled).
    sx, sy = size[0] / W, size[1] / H
    x0, _, x1, y1 = ink_box(got[5])
    assert abs((x0 + x1) / 2 - 80 * sx) <= 3 and 30 * sy <= y1 <= 42 * sy


def test_subtitle_errors(files, tmp_path):
    s = scene()
    with pytest.raises(rf.SceneError, match="own styles"):
        s.add_subtitles(files["ass"], style={"size_px": 30})
    bad = tmp_path / "x.txt"
    bad.write_text("hi")
    with pytest.raises(rf.SceneError, match="unknown subtitle format"):
        s.add_subtitles(str(bad))
    with pytest.raises(rf.MediaNotFoundError):
        s.add_subtitles(str(tmp_path / "missing.srt"))
    with pytest.raises(rf.SceneTypeError):
        s.add_subtitles(42)
    with pytest.raises(rf.SceneError, match="per cue"):
        s.add_subtitles(files["srt"], style={"start": 1})
    with pytest.raises(rf.SceneError, match="cannot carry a subtitle track"):
        rf.Exporter(s, str(tmp_path / "o.gif"), subtitles=files["srt"])


# --- soft tracks -----------------------------------------------------------------------------

def ffprobe_streams(path: str) -> list[dict]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-of", "json", path], capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out)["streams"]


def srt_times(path: str) -> list[tuple[float, float]]:
    srt = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-map", "0:s:0", "-f", "srt", "-"], capture_output=True,
                         text=True, check=True).stdout
    return [(c.start, c.end) for c in subs.parse_srt(srt)]


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe not installed")
@pytest.mark.parametrize("ext, sub, codec", [("mp4", "srt", "mov_text"), ("mov", "vtt", "mov_text"),
                                             ("webm", "vtt", "webvtt"), ("mkv", "srt", "subrip"),
                                             ("mkv", "ass", "ass")])
def test_soft_subtitle_track_in_container(files, tmp_path, ext, sub, codec):
    s = scene()
    s.add_solid("navy")
    out = str(tmp_path / f"o.{ext}")
    rf.Exporter(s, out, subtitles=files[sub]).run()
    streams = ffprobe_streams(out)
    kinds = [(st["codec_type"], st["codec_name"]) for st in streams]
    assert ("subtitle", codec) in kinds and kinds[0][0] == "video"
    expected = [(0.5, 1.2), (1.0, 2.0)] if sub == "ass" else [(0.5, 1.2), (1.5, 2.0)]
    assert srt_times(out) == pytest.approx(expected, abs=0.011)


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe not installed")
def test_soft_track_follows_the_export_range(files, tmp_path):
    s = scene()
    s.add_solid("navy")
    out = str(tmp_path / "part.mkv")
    rf.Exporter(s, out, subtitles=files["srt"], frames=(10, 25)).run()
    # Cue 1 (0.5-1.2 s) is cut to 0-0.2 s of the part, cue 2 moves to 0.5-1.0 s.
    assert srt_times(out) == pytest.approx([(0.0, 0.2), (0.5, 1.0)], abs=0.011)
