"""16-bit PCM outputs are TPDF-dithered (issue 10, item 14): a tone below half an LSB survives
as signal plus benign noise instead of rounding to digital silence."""
import numpy as np

import reelforge as rf
from avprobe import decode_audio

LSB = 1 / 32767


def _quiet_tone(lavfi, amplitude_lsb: float):
    # 1 kHz at 48 kHz in float WAV, so the source itself is not quantised to 16 bits.
    a = f"{amplitude_lsb * LSB:.12f}*sin(2*PI*1000*t)"
    return lavfi.file(f"dither_tone_{amplitude_lsb}.wav", [
        "-f", "lavfi", "-i", f"aevalsrc={a}|{a}:s=48000:d=2", "-c:a", "pcm_f32le"])


def test_sub_lsb_tone_survives_in_16_bit_wav(lavfi, tmp_path):
    amp = 0.3  # LSB: plain rounding maps every sample to 0
    s = rf.Scene(64, 48, fps=25, duration=2)
    s.add_audio(_quiet_tone(lavfi, amp))
    out = tmp_path / "quiet.wav"
    rf.Exporter(s, out).run()
    pcm = decode_audio(out)[:, 0].astype(np.float64) / LSB  # in LSB
    assert np.count_nonzero(pcm) > len(pcm) // 4, "dither noise expected, got (near) digital silence"
    t = np.arange(len(pcm)) / 48000
    # Projection onto the 1 kHz tone recovers its amplitude (dither noise averages out).
    c = 2 * np.mean(pcm * np.exp(-2j * np.pi * 1000 * t))
    assert abs(abs(c) - amp) < 0.05, abs(c)
    # TPDF noise: mean ~0, variance 1/4 (rounding, 1/12) + 1/6 (triangular) LSB^2, nothing more.
    resid = pcm - np.real(c * np.exp(2j * np.pi * 1000 * t))
    assert abs(resid.mean()) < 0.05 and 0.15 < resid.var() < 0.4
