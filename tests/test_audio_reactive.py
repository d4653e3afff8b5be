"""Audio-reactive layers (reelforge.audio_reactive): waveform/spectrum visualisers rendered on the
GPU compositor, and audio features as property sources; references from numpy on the mix."""
import shutil

import numpy as np
import pytest

import reelforge as rf
from reelforge import _core
from reference import aevalsrc_wav

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg CLI")

SR = 48000
W, H = 128, 64


def make(tmp_path, name, expr, dur=1.5):
    return aevalsrc_wav(tmp_path, name, expr, dur, SR)


@pytest.fixture
def burst(tmp_path):
    """A 1 kHz tone burst of amplitude 0.5 from 0.5 s to 1.0 s."""
    return make(tmp_path, "burst.wav", "0.5*sin(2*PI*1000*t)*between(t,0.5,1.0)")


def waveform_reference(mono, fps, frames, points, window=0):
    """Peak-preserving decimation as documented in src/audio/waveform.h."""
    out = np.zeros((frames, points))
    for i in range(frames):
        first = (i * SR * fps.denominator) // fps.numerator
        w = window or ((i + 1) * SR * fps.denominator) // fps.numerator - first
        seg = np.concatenate([mono[first:first + w], np.zeros(max(0, first + w - len(mono)))])
        for j in range(points):
            a, b = j * w // points, max(j * w // points + 1, (j + 1) * w // points)
            s = seg[a:b]
            out[i, j] = s[np.argmax(np.abs(s))]
    return out


def bar_heights(frame, xs, channel=0):
    """Lit pixel count of each column in xs (a bar's height in pixels)."""
    return np.array([(frame[:, x, channel] > 127).sum() for x in xs])


def test_waveform_points_match_numpy(burst):
    s = rf.Scene(W, H, fps=30, duration=1.5)
    s.add_audio(burst)
    mono = _core.mix_audio(s.compile()).astype(np.float64).mean(axis=1)
    for window in (0, 480):
        got = _core.waveform_points(s.compile(), 12, window)
        ref = waveform_reference(mono, s.fps, s.frame_count, 12, window)
        np.testing.assert_allclose(got, ref, atol=1e-6)


@pytest.mark.parametrize("style", ["bars", "mirror"])
def test_waveform_bars_track_a_tone_burst(burst, style):
    s = rf.Scene(W, H, fps=30, duration=1.5)
    s.add_audio(burst)
    vis = s.add_waveform(style=style, bands=8, color="white", x=0, y=0, width=W, height=H, gap=0.25)
    assert len(vis.layers) == 8
    centres = [int(16 * i + 8) for i in range(8)]
    r = rf.Renderer(s)
    values = vis.values(s)
    for i in (5, 14, 20, 25, 29, 31, 40):
        t = i / 30
        f = r.render_frame(i)
        got = bar_heights(f, centres)
        inside = 0.5 <= t and t + 1 / 30 <= 1.0
        outside = t + 1 / 30 <= 0.5 or t >= 1.0
        if inside:  # every bar holds a peak of the 0.5 sine: half the height
            np.testing.assert_allclose(values[i], 0.5, atol=0.01)
            assert np.all(np.abs(got - H * 0.5) <= 1), (i, got)
        elif outside:
            assert np.all(got == 0), (i, got)
        np.testing.assert_array_less(np.abs(got - H * values[i]), 1.01)
        if style == "bars":  # standing on the bottom edge
            assert np.all(f[H - 1, centres, 0][got > 0] > 127)
        else:  # centred
            for x, g in zip(centres, got):
                if g:
                    rows = np.flatnonzero(f[:, x, 0] > 127)
                    assert abs((rows[0] + rows[-1] + 1) / 2 - H / 2) <= 0.5


def test_waveform_line_follows_the_signal(tmp_path):
    tone = make(tmp_path, "tone.wav", "0.8*sin(2*PI*500*t)", dur=0.5)
    s = rf.Scene(W, H, fps=30, duration=0.5)
    s.add_audio(tone)
    vis = s.add_waveform(style="line", bands=17, color="red", window=0.004, line_width=2)
    assert len(vis.layers) == 16
    f = rf.Renderer(s).render_frame(6)
    v = vis.values(s)[6]
    for j in range(1, 16):  # at each inner point the line passes through y = H/2 - v*H/2
        x = int(round(j * W / 16))
        rows = np.flatnonzero(f[:, min(x, W - 1), 0] > 100)
        assert rows.size, j
        expected = H / 2 - v[j] * H / 2
        assert rows.min() - 2.5 <= expected <= rows.max() + 2.5, (j, rows, expected)


def test_spectrum_band_of_the_tone_rises_during_the_burst(burst):
    s = rf.Scene(W, H, fps=30, duration=1.5)
    s.add_audio(burst)
    vis = s.add_spectrum(bands=8, fmin=100, fmax=16000, smoothing=0.0, db_range=(-60, 0))
    v = vis.values(s)
    feats = rf.audio.analyze(s, bands=8, fmin=100, fmax=16000)
    k = feats.band_index(1000)
    # A sine of amplitude 0.5 reads 10*log10(0.25/2) = -9.03 dB in its band.
    np.testing.assert_allclose(v[22, k], (-9.03 + 60) / 60, atol=0.02)
    np.testing.assert_allclose(v, np.clip((feats.bands + 60) / 60, 0, 1), atol=1e-12)
    assert v[22].argmax() == k and v[5].max() == 0 and v[40].max() == 0
    f = rf.Renderer(s).render_frame(22)
    x = int((k + 0.5) * W / 8)
    assert abs(bar_heights(f, [x])[0] - v[22, k] * H) <= 1


def test_smoothing_is_the_web_audio_recurrence(burst):
    s = rf.Scene(W, H, fps=30, duration=1.5)
    s.add_audio(burst)
    raw = s.add_waveform(bands=4, smoothing=0.0).values(s)
    smooth = s.add_waveform(bands=4, smoothing=0.7).values(s)
    ref = np.zeros_like(raw)
    prev = np.zeros(4)
    for i in range(len(raw)):
        prev = 0.7 * prev + 0.3 * raw[i]
        ref[i] = prev
    np.testing.assert_allclose(smooth, ref, atol=1e-12)


def test_feature_as_a_property_source(burst, tmp_path):
    s = rf.Scene(W, H, fps=30, duration=1.5)
    s.add_audio(burst)
    logo = s.add_solid("red", width=10, height=10)
    logo.set("scale_x", 1 + rf.audio.feature(None, "rms"))
    logo.set("opacity", rf.audio.feature(burst, "peak"))
    logo.set("rotation", 90 * rf.audio.feature(s, "band", band=-1, bands=4))
    tl = s.compile()
    feats = rf.audio.analyze(s)
    np.testing.assert_allclose(np.asarray(tl.layers[0].track.scale_x), 1 + feats.level(), atol=1e-6)
    np.testing.assert_allclose(np.asarray(tl.layers[0].track.opacity), np.clip(feats.peak, 0, 1), atol=1e-6)
    f4 = rf.audio.analyze(s, bands=4)
    np.testing.assert_allclose(np.asarray(tl.layers[0].track.rotation), 90 * f4.band(-1), atol=1e-4)
    # At another frame rate the same source gives that scene's frames.
    s60 = rf.Scene(W, H, fps=60, duration=1.5)
    s60.add_audio(burst)
    np.testing.assert_allclose(rf.audio.feature(burst, "rms_db").frame_values(s60),
                               rf.audio.analyze(burst, fps=60).rms_db, atol=1e-9)
    # As a plain callable of time (APIs that take f(t)): the frames at those times.
    fb = rf.audio.feature(burst, "peak").bind(s)
    np.testing.assert_allclose(fb(np.array([0.0, 0.6, 1.2])), feats.peak[[0, 18, 36]])
    # Clips added after the property was set are included at compile.
    assert np.asarray(tl.layers[0].track.scale_x)[40] == 1.0
    s.add_audio(burst, start=0.5)  # a second burst at 1.0 .. 1.5 s
    assert np.asarray(s.compile().layers[0].track.scale_x)[40] > 1.9


def test_visualiser_in_a_scaled_export(burst, tmp_path):
    s = rf.Scene(W, H, fps=30, duration=1.5)
    s.add_audio(burst)
    s.add_waveform(bands=4, gap=0.5)
    out = tmp_path / "f_%03d.png"
    rf.Exporter(s, out, frames=(24, 25), scale=2).run()
    from PIL import Image
    f = np.asarray(Image.open(tmp_path / "f_000.png").convert("RGB"))
    assert f.shape == (2 * H, 2 * W, 3)
    assert abs(bar_heights(f, [2 * 16])[0] - 2 * H * 0.5) <= 2  # half the (scaled) height


def test_audio_reactive_errors(burst):
    s = rf.Scene(W, H, fps=30, duration=1.5)
    s.add_audio(burst)
    with pytest.raises(rf.SceneError, match="style"):
        s.add_waveform(style="dots")
    with pytest.raises(rf.SceneError, match="bands"):
        s.add_spectrum(bands=0)
    with pytest.raises(rf.SceneError, match="bands"):
        s.add_waveform(style="line", bands=1)
    with pytest.raises(rf.SceneError, match="smoothing"):
        s.add_spectrum(smoothing=1.0)
    with pytest.raises(rf.SceneTypeError):
        s.add_waveform(42)
    with pytest.raises(rf.SceneError, match="db_range"):
        s.add_spectrum(db_range=(0, -60))
    with pytest.raises(rf.SceneError, match="unknown audio feature"):
        rf.audio.feature(burst, "loudness")
    with pytest.raises(rf.MediaNotFoundError):
        rf.audio.feature("/nonexistent.wav")
    with pytest.raises(rf.SceneError, match="combines with numbers"):
        rf.audio.feature(burst) + "1"
    with pytest.raises(rf.SceneError, match="bind"):
        rf.audio.feature(burst)(np.zeros(3))
    with pytest.raises(rf.SceneError, match="band 9"):
        s.add_solid("red").set("x", rf.audio.feature(burst, "band", band=9, bands=4))
        s.compile()
