"""Golden-frame regression tests using reelforge's own pytest plugin on real renders.

Goldens live in tests/goldens/; refresh them deliberately with ``--reelforge-update-goldens``.
"""

from __future__ import annotations

import numpy as np
import pytest

import reelforge as rf
from reelforge.testing import compare

pytest_plugins = ["pytester"]


def showcase_scene() -> rf.Scene:
    s = rf.Scene(192, 108, fps=24, duration=2.0, background=(30, 34, 48))
    yy, xx = np.mgrid[0:40, 0:64]
    grad = np.stack([xx * 4, yy * 6, 255 - xx * 3, np.full_like(xx, 255)], -1).astype(np.uint8)
    img = s.add_image(grad, x=96, y=54, width=96, height=60)
    img.set("anchor_x", 0.5).set("anchor_y", 0.5)
    img.animate("rotation", [(0, 0), (2, 90)], easing="ease_in_out")
    img.animate("scale", [(0, 0.6), (1, 1.0, "step"), (2, 1.2)])
    bar = s.add_solid((255, 180, 0, 200), x=-40, y=80, width=60, height=14)
    bar.animate("x", [(0, -40), (2, 180)], easing=rf.cubic_bezier(0.2, 0.8, 0.2, 1.0))
    glow = s.add_solid((80, 160, 255), x=10, y=10, width=50, height=50)
    glow.blend = "screen"
    glow.set("crop", (0.0, 0.0, 0.3, 0.0))
    glow.set("opacity", lambda t: 0.5 + 0.5 * np.sin(np.pi * t))
    return s


@pytest.fixture(scope="module")
def renderer():
    return rf.Renderer(showcase_scene())


def test_showcase_frames_match_goldens(renderer, frames_snapshot):
    frames_snapshot(renderer, [0, 12, 30, 47], "showcase")


def square_scene(dx: int) -> rf.Scene:
    s = rf.Scene(640, 360, fps=30, duration=1.0, background=(40, 40, 40))
    s.add_solid((134, 134, 134), x=280 + dx, y=140, width=80, height=80)
    return s


def test_rendered_one_pixel_shift_fails_with_default_settings():
    a = rf.Renderer(square_scene(0)).render_frame(0)
    b = rf.Renderer(square_scene(1)).render_frame(0)
    c = compare(b, a)  # the default profile
    assert not c.passed and c.diff_pixels == 160
    assert c.psnr > 40 and c.ssim > 0.98  # what the old PSNR/SSIM-only check let through
    assert not compare(b, a, "gpu").passed  # the loosest built-in profile still fails it
    assert compare(rf.Renderer(square_scene(0)).render_frame(0), a).passed


CLIP = '''
import wave
import numpy as np
import reelforge as rf

GAIN = 0.0

def test_clip(file_snapshot, tmp_path):
    n = 48000
    x = (0.5 * 32767 * np.sin(2 * np.pi * 440 * np.arange(n) / 48000)).astype("<i2")
    with wave.open(str(tmp_path / "tone.wav"), "wb") as w:
        w.setnchannels(2); w.setsampwidth(2); w.setframerate(48000); w.writeframes(np.repeat(x, 2).tobytes())
    s = rf.Scene(64, 48, fps=12, duration=1.0, background="teal")
    s.add_solid("orange", x=8, y=8, width=24, height=16).animate("x", [(0, 8), (1, 40)])
    s.add_audio(str(tmp_path / "tone.wav"), gain_db=GAIN)
    rf.Exporter(s, tmp_path / "clip.mp4", crf=10, encoder="libx264").run()
    file_snapshot(tmp_path / "clip.mp4", [0, 11], "clip", tolerance="gpu")
'''


def test_file_snapshot_frames_and_audio(pytester, monkeypatch, lavfi):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    run = lambda *a: pytester.runpytest("-p", "reelforge.pytest_plugin", "-p", "no:cacheprovider", *a)  # noqa: E731
    pytester.makepyfile(test_clip=CLIP)
    run("--reelforge-update-goldens").assert_outcomes(passed=1)
    goldens = pytester.path / "goldens"
    assert sorted(p.name for p in goldens.iterdir()) == ["clip.audio.json", "clip_f00000.png", "clip_f00011.png"]
    run().assert_outcomes(passed=1)
    pytester.makepyfile(test_clip=CLIP.replace("GAIN = 0.0", "GAIN = -6.0"))
    result = run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*audio rms_db differs by 6.0* dB*"])
    pytester.makepyfile(test_clip=CLIP.replace('"orange"', '"red"'))
    result = run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*clip_f00000.png*"])


def test_decode_frames_matches_the_render(tmp_path):
    s = rf.Scene(64, 48, fps=12, duration=0.5, background="white")
    s.add_solid("black", x=16, y=16, width=16, height=16)
    rf.Exporter(s, tmp_path / "c.mp4", crf=0, encoder="libx264").run()
    (f,) = rf.testing.decode_frames(tmp_path / "c.mp4", [3])
    assert f.shape == (48, 64, 4)
    assert compare(f, rf.Renderer(s).render_frame(3), atol=12, max_diff_fraction=0.05).passed
    with pytest.raises(ValueError, match="no frame 99"):
        rf.testing.decode_frames(tmp_path / "c.mp4", [99])
