"""Loudness (libebur128, src/audio/loudness.*) and Exporter(loudness_lufs=, true_peak_db=),
checked independently with ffmpeg's ebur128 filter (ITU-R BS.1770-4 / EBU R128)."""
import logging
import re
import shutil
import subprocess

import numpy as np
import pytest

import reelforge as rf
from reference import aevalsrc_wav

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg CLI")

SR = 48000


def make(tmp_path, name, expr, dur=4.0):
    return aevalsrc_wav(tmp_path, name, expr, dur, SR)


def ffmpeg_ebur128(path):
    """(integrated LUFS, LRA LU, true peak dBTP) from ffmpeg's ebur128 filter summary."""
    r = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-nostdin", "-i", str(path), "-af",
                        "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    summary = r.stderr[r.stderr.rindex("Summary:"):]
    num = lambda key: float(re.search(key + r":\s+(-?[\d.]+|-inf)", summary).group(1))  # noqa: E731
    return num("I"), num("LRA"), num("Peak")


# Peaky material: a quiet tone with short loud bursts (true peak far above the loudness).
PEAKY = "0.1*sin(2*PI*300*t)+0.8*sin(2*PI*3000*t+PI/4)*lt(mod(t,0.25),0.01)"
# Speech-like: amplitude-modulated band of tones, with a quiet second half (non-zero LRA).
SPEECHY = "(0.3*sin(2*PI*220*t)+0.2*sin(2*PI*1330*t))*(0.6+0.4*sin(2*PI*3*t))*if(lt(mod(t,8),4),1,0.3)"


def test_loudness_of_a_file_agrees_with_ffmpeg(tmp_path):
    # Long enough (24 s) for the loudness range's 3 s short-term statistics to settle.
    for expr in (PEAKY, SPEECHY):
        path = make(tmp_path, "x.wav", expr, dur=24.0)
        r = rf.audio.loudness(path)
        i, lra, tp = ffmpeg_ebur128(path)
        assert abs(r.integrated_lufs - i) <= 0.1
        assert abs(r.true_peak_db - tp) <= 0.15
        assert abs(r.range_lu - lra) <= 0.5
        assert r.duration == pytest.approx(24.0)
        assert r.sample_peak_db <= r.true_peak_db + 1e-9


@pytest.mark.parametrize("ext, target, ceiling", [(".wav", -14.0, -1.0), (".mp4", -16.0, -1.0),
                                                  (".wav", -9.0, -2.0)])
def test_export_reaches_target_loudness_under_true_peak(tmp_path, ext, target, ceiling):
    peaky = make(tmp_path, "peaky.wav", PEAKY)
    speechy = make(tmp_path, "speech.wav", SPEECHY)
    s = rf.Scene(64, 64, fps=30, duration=4)
    s.add_audio(peaky)
    s.add_audio(speechy, gain_db=-6)
    out = tmp_path / f"out{ext}"
    e = rf.Exporter(s, out, loudness_lufs=target, true_peak_db=ceiling)
    e.run()
    i, _, tp = ffmpeg_ebur128(out)
    assert abs(i - target) <= 0.5
    assert tp <= ceiling
    assert e.loudness_gain_db is not None
    # The mix the scene reports is the one exported (wav: exact samples).
    if ext == ".wav":
        r = rf.audio.loudness(out)
        assert abs(r.integrated_lufs - target) <= 0.15 and r.true_peak_db <= ceiling


def test_loudness_of_a_scene_is_its_export(tmp_path):
    s = rf.Scene(64, 64, fps=30, duration=3)
    s.add_audio(make(tmp_path, "s.wav", SPEECHY, dur=3.0), gain_db=-3)
    out = tmp_path / "o.wav"
    rf.Exporter(s, out).run()
    a, b = rf.audio.loudness(s), rf.audio.loudness(out)
    assert abs(a.integrated_lufs - b.integrated_lufs) < 0.01
    assert abs(a.true_peak_db - b.true_peak_db) < 0.05


def test_true_peak_alone_limits_without_normalising(tmp_path):
    s = rf.Scene(64, 64, fps=30, duration=4)
    s.add_audio(make(tmp_path, "p.wav", PEAKY))
    out = tmp_path / "o.wav"
    e = rf.Exporter(s, out, true_peak_db=-6.0)
    e.run()
    _, _, tp = ffmpeg_ebur128(out)
    assert tp <= -6.0 and e.loudness_gain_db == 0.0


def test_loudness_errors_and_silence(tmp_path, caplog):
    s = rf.Scene(64, 64, fps=30, duration=1)
    s.add_audio(make(tmp_path, "z.wav", "0", dur=1.0))
    for bad in (-100, 0, 5):
        with pytest.raises(rf.SceneError, match="loudness_lufs"):
            rf.Exporter(s, tmp_path / "o.wav", loudness_lufs=bad)
    with pytest.raises(rf.SceneTypeError):
        rf.Exporter(s, tmp_path / "o.wav", loudness_lufs="-14")
    with pytest.raises(rf.SceneError, match="true_peak_db"):
        rf.Exporter(s, tmp_path / "o.wav", loudness_lufs=-14, true_peak_db=3)
    with caplog.at_level(logging.WARNING, logger="reelforge"):
        e = rf.Exporter(s, tmp_path / "o.wav", loudness_lufs=-14)
        e.run()
    assert e.loudness_gain_db == 0.0 and "silent" in caplog.text
    assert rf.audio.loudness(s).integrated_lufs == -np.inf
    with pytest.raises(rf.MediaNotFoundError):
        rf.audio.loudness(tmp_path / "missing.wav")
    with pytest.raises(rf.SceneTypeError):
        rf.audio.loudness(42)
    png = tmp_path / "x.png"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=red:s=16x16", "-frames:v",
                    "1", str(png)], check=True)
    with pytest.raises(rf.MediaError, match="no audio"):
        rf.audio.loudness(png)


def test_segmented_export_is_normalised_too(tmp_path):
    pytest.importorskip("distributed")
    s = rf.Scene(64, 64, fps=30, duration=4)
    s.add_solid("red")
    s.add_audio(make(tmp_path, "p.wav", PEAKY))
    out = tmp_path / "w.mp4"
    e = rf.Exporter(s, out, loudness_lufs=-16.0, workers=2)
    e.run()
    i, _, tp = ffmpeg_ebur128(out)
    assert abs(i + 16.0) <= 0.5 and tp <= -1.0
