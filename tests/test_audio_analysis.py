"""reelforge.audio.analyze (src/audio/analysis.cpp through _core.analyze_audio): per-frame RMS,
peak and FFT band energies of a file or a scene's mix, used as animation sources.

Inputs are made with ffmpeg's aevalsrc (exact expressions) and written as float WAV unless a test
is about codecs, so expected levels are analytic.
"""
import shutil
import subprocess
import sys
import textwrap
from fractions import Fraction

import numpy as np
import pytest

import reelforge as rf
import reelforge.audio as rfa
from reelforge import _core

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg CLI")

SR = 48000
NTSC = Fraction(30000, 1001)


def tone(lavfi, name, expr, dur=2.0, rate=SR, codec=("-c:a", "pcm_f32le")):
    """An audio file from an aevalsrc expression (same expression on both channels)."""
    return str(lavfi.file(name, ["-f", "lavfi", "-i", f"aevalsrc=exprs='{expr}|{expr}':s={rate}:d={dur}", *codec]))


def db(x):
    return 10 * np.log10(x)


def first_sample(i, fps):
    fps = Fraction(fps)
    return i * SR * fps.denominator // fps.numerator


def onset(values, jump_db=6.0):
    """First frame whose value is within jump_db of the final steady level."""
    steady = np.median(values[-10:])
    return int(np.argmax(values > steady - jump_db))


# --- levels ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("amp, fps", [(1.0, 30), (0.5, NTSC), (0.1, 30), (0.1, 25)])
def test_rms_and_peak_of_sines(lavfi, amp, fps):
    path = tone(lavfi, f"sine_1k_{amp}.wav", f"{amp}*sin(2*PI*1000*t)")
    f = rfa.analyze(path, fps=fps)
    assert len(f) == f.frame_count == round(2 * Fraction(fps))
    assert f.rms_db.shape == f.peak.shape == (f.frame_count,)
    assert f.rms_db.dtype == np.float64
    # At 30000/1001 fps, round(59.94) = 60 frames last 2.002 s: the end of the last one is past the file.
    inside = [i for i in range(f.frame_count) if first_sample(i + 1, fps) <= 2 * SR]
    assert len(inside) >= f.frame_count - 1
    want = 20 * np.log10(amp) - 3.0103  # 1.0 -> -3.01 dBFS, 0.1 -> -23.01 dBFS
    np.testing.assert_allclose(f.rms_db[inside], want, atol=0.1)
    # Full scale passes the mixer's soft limiter (knee 0.9, asymptote 0.9999): its peaks read ~0.976.
    np.testing.assert_allclose(f.peak[inside], amp, atol=0.03 if amp > 0.9 else 2e-3)


def test_levels_through_a_lossy_44k_codec(lavfi):
    """44.1 kHz AAC: decoded, resampled to 48 kHz and analysed; the level survives within 0.1 dB."""
    path = tone(lavfi, "sine_44k.m4a", "0.1*sin(2*PI*1000*t)", rate=44100, codec=("-c:a", "aac", "-b:a", "192k"))
    f = rfa.analyze(path, fps=30)
    inner = slice(2, f.frame_count - 2)  # the codec's fade-in/out at the very ends
    np.testing.assert_allclose(f.rms_db[inner], -23.0103, atol=0.1)
    np.testing.assert_allclose(f.peak[inner], 0.1, atol=0.01)


def test_silence(lavfi):
    path = str(lavfi.file("silence.wav", ["-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "1.5",
                                          "-c:a", "pcm_f32le"]))
    f = rfa.analyze(path, fps=30)
    assert f.frame_count == 45
    assert np.all(f.rms_db <= -100)
    assert np.all(f.rms_db == rfa.FLOOR_DB)
    assert np.all(f.peak == 0)
    assert np.all(f.bands == rfa.FLOOR_DB)
    assert np.all(f.band(0) == 0) and np.all(f.level() == 0)


# --- spectrum ----------------------------------------------------------------------------------------

def test_band_edges_are_log_spaced(lavfi):
    path = tone(lavfi, "sine_1k_0.5.wav", "0.5*sin(2*PI*1000*t)")
    f = rfa.analyze(path, fps=30, bands=10, fmin=50, fmax=12800)
    assert f.bands.shape == (60, 10) and f.n_bands == 10
    np.testing.assert_allclose(f.band_edges, 50 * (12800 / 50) ** (np.arange(11) / 10))
    assert f.fft_size == 2048  # smallest power of two >= 1600 samples per frame
    assert f.band_index(50) == 0 and f.band_index(12799) == 9
    assert np.all(np.diff(np.log(f.band_edges)) == pytest.approx(np.log(256) / 10))


def test_1khz_lands_in_its_band(lavfi):
    path = tone(lavfi, "sine_1k_0.5.wav", "0.5*sin(2*PI*1000*t)")
    f = rfa.analyze(path, fps=30, bands=8)
    k = f.band_index(1000.0)
    assert f.band_edges[k] <= 1000 < f.band_edges[k + 1]
    assert np.all(np.argmax(f.bands, axis=1) == k)
    # Band energies are scaled like rms_db: the whole sine's power (-9.03 dB) is in band k.
    np.testing.assert_allclose(f.bands[:, k], 20 * np.log10(0.5) - 3.0103, atol=0.2)
    far = [b for b in range(f.n_bands) if abs(b - k) >= 2]
    assert far
    assert np.all(f.bands[:, k][:, None] - f.bands[:, far] >= 30)
    # The normalised band: constant tone -> 1 everywhere (it is at its own maximum).
    np.testing.assert_allclose(f.band(k), 1.0, atol=0.01)


@pytest.mark.parametrize("fps", [30, NTSC, 24])
def test_tone_switching_frequency_changes_band_at_the_right_frame(lavfi, fps):
    path = tone(lavfi, "switch_300_3k.wav", "0.5*sin(2*PI*if(lt(t,1),300,3000)*t)", dur=2.0)
    f = rfa.analyze(path, fps=fps, bands=8)
    lo, hi = f.band_index(300), f.band_index(3000)
    assert lo != hi
    switch = int(np.argmax(f.bands[:, hi] > f.bands[:, lo]))
    assert abs(switch - round(1.0 * Fraction(fps))) <= 1
    assert np.all(f.bands[:switch - 1, lo] > f.bands[:switch - 1, hi] + 30)
    assert np.all(f.bands[switch + 1:, hi] > f.bands[switch + 1:, lo] + 30)


@pytest.mark.parametrize("fps", [30, NTSC])
def test_onset_frame(lavfi, fps):
    """A tone starting at 0.5 s: level and band energy jump at frame round(0.5 * fps)."""
    path = tone(lavfi, "onset_0.5.wav", "if(gte(t,0.5),0.5*sin(2*PI*1000*t),0)", dur=1.5)
    f = rfa.analyze(path, fps=fps)
    want = round(Fraction(1, 2) * Fraction(fps))  # 15 at both rates
    assert onset(f.rms_db) == want
    k = f.band_index(1000)
    assert onset(f.bands[:, k]) == want
    # Frames wholly before the tone's first sample are silent.
    silent = [i for i in range(f.frame_count) if first_sample(i + 1, fps) <= SR // 2]
    assert silent and np.all(f.rms_db[silent] == rfa.FLOOR_DB) and np.all(f.peak[silent] == 0)
    b = f.band(k)
    assert b[0] == 0.0 and b[-1] == pytest.approx(1.0, abs=0.01) and b.min() >= 0 and b.max() <= 1


def test_matches_numpy_reference_of_the_mix(lavfi):
    """Every feature against an independent numpy computation on _core.mix_audio's samples."""
    path = tone(lavfi, "chirp_noise.wav", "0.4*sin(2*PI*(200*t+2000*t*t))+0.1*random(0)", dur=2.3)
    scene = rf.Scene(64, 64, fps=NTSC, duration=2.5)
    scene.add_audio(path, start=0.1, gain_db=-2, fade_in=0.3)
    f = rfa.analyze(scene, bands=12, fmin=40, fmax=16000)
    x = _core.mix_audio(scene.compile()).astype(np.float64)
    n, N = scene.frame_count, f.fft_size
    assert len(f) == n and x.shape[0] == first_sample(n, NTSC)
    mono = x.mean(axis=1)
    w = 0.5 * (1 - np.cos(2 * np.pi * np.arange(N) / N))
    df = SR / N
    k = np.arange(N // 2 + 1)
    edges = f.band_edges
    weights = np.clip(np.minimum(edges[1:, None], (k + 0.5) * df) - np.maximum(edges[:-1, None], (k - 0.5) * df),
                      0, None) / df
    for i in range(n):
        a, b = first_sample(i, NTSC), first_sample(i + 1, NTSC)
        seg = x[a:b]
        assert f.rms_db[i] == pytest.approx(max(-120, db(max(np.mean(seg ** 2), 1e-30))), abs=1e-6)
        assert f.peak[i] == pytest.approx(np.abs(seg).max(), abs=1e-7)
        ws = a + (b - a - N) // 2  # window centred on the frame, zeros outside the timeline
        buf = np.zeros(N)
        lo, hi = max(ws, 0), min(ws + N, len(mono))
        buf[lo - ws:hi - ws] = mono[lo:hi]
        p = np.abs(np.fft.rfft(buf * w)) ** 2 / (N * np.sum(w * w))
        p[1:-1] *= 2
        ref = np.maximum(-120, db(np.maximum(weights @ p, 1e-30)))
        np.testing.assert_allclose(f.bands[i], ref, atol=2e-3)


def test_narrow_bands_are_never_empty(lavfi):
    """64 bands from 40 Hz: the lowest are narrower than an FFT bin and still get their share."""
    path = str(lavfi.file("pink.wav", ["-f", "lavfi", "-i", "anoisesrc=c=pink:r=48000:a=0.3:seed=7", "-t", "1",
                                       "-c:a", "pcm_f32le"]))
    f = rfa.analyze(path, fps=30, bands=64)
    assert np.all(f.bands[2:-2] > -80)
    # Band powers add up to the in-range power: no bin is counted twice or lost.
    total = db(np.sum(10 ** (f.bands / 10), axis=1))
    f1 = rfa.analyze(path, fps=30, bands=1)
    np.testing.assert_allclose(total, f1.bands[:, 0], atol=1e-6)


# --- scenes ------------------------------------------------------------------------------------------

def test_scene_source_uses_the_mix_and_its_frame_count(lavfi):
    a = tone(lavfi, "sine_1k_0.5.wav", "0.5*sin(2*PI*1000*t)")
    scene = rf.Scene(64, 64, fps=NTSC, duration=3.0)
    scene.add_audio(a, start=1.0, gain_db=-6.0206)  # 0.5 -> 0.25 from t = 1 s to 3 s
    f = rfa.analyze(scene)
    assert len(f) == scene.frame_count == 90 and f.fps == NTSC
    assert rfa.analyze(scene, fps=NTSC).frame_count == 90
    with pytest.raises(rf.SceneError, match="does not match"):  # 29.97 is 2997/100, as for Scene(fps=29.97)
        rfa.analyze(scene, fps=29.97)
    before = [i for i in range(90) if first_sample(i + 1, NTSC) <= SR]
    after = [i for i in range(90) if first_sample(i, NTSC) >= SR and first_sample(i + 1, NTSC) <= 3 * SR]
    assert len(after) == 59  # frame 89 ends 3.003 s in, after the clip
    assert np.all(f.rms_db[before] == rfa.FLOOR_DB)
    np.testing.assert_allclose(f.rms_db[after], 20 * np.log10(0.25) - 3.0103, atol=0.05)


def test_real_music_file(media):
    path = media("crunching.mp3")
    f = rfa.analyze(path, fps=NTSC, bands=6)
    assert len(f) == round(Fraction(_core.probe(str(path)).duration) * NTSC)
    assert np.all(np.isfinite(f.bands)) and np.all(f.peak <= 1.0)
    assert f.rms_db.max() > -50 and np.ptp(f.rms_db) > 20  # crunching sounds: quiet, but not silence
    for k in range(6):
        b = f.band(k)
        assert b.shape == (len(f),) and 0.0 <= b.min() and b.max() == 1.0


def test_scene_without_audio_is_silent():
    scene = rf.Scene(64, 64, fps=30, duration=1)
    scene.add_solid((255, 0, 0))
    f = rfa.analyze(scene, bands=4)
    assert f.bands.shape == (30, 4) and np.all(f.rms_db == rfa.FLOOR_DB)


def test_deterministic(lavfi):
    path = tone(lavfi, "chirp_noise.wav", "0.4*sin(2*PI*(200*t+2000*t*t))+0.1*random(0)", dur=2.3)
    a, b = rfa.analyze(path, fps=NTSC), rfa.analyze(path, fps=NTSC)
    for name in ("rms_db", "peak", "bands", "band_edges"):
        assert np.array_equal(getattr(a, name), getattr(b, name))


def test_features_drive_a_property_and_render(lavfi):
    """layer.set("scale", 1 + 0.3 * feats.band(k)) compiles and renders: the square grows with the tone."""
    path = tone(lavfi, "onset_0.5.wav", "if(gte(t,0.5),0.5*sin(2*PI*1000*t),0)", dur=1.5)
    scene = rf.Scene(128, 128, fps=30, duration=1.0)
    scene.add_audio(path)
    feats = rfa.analyze(scene)
    k = feats.band_index(1000)
    sq = scene.add_solid((255, 255, 255), x=64, y=64, width=40, height=40)
    sq.set("anchor_x", 0.5).set("anchor_y", 0.5)
    sq.set("scale", 1 + 0.3 * feats.band(k))
    tl = scene.compile()
    assert tl.frame_count == 30
    r = rf.Renderer(scene)
    quiet, loud = r.render_frame(5), r.render_frame(25)
    side = lambda img: int(np.count_nonzero(img[64, :, 0] > 128))
    assert side(quiet) == pytest.approx(40, abs=1)
    assert side(loud) == pytest.approx(52, abs=1)


def test_streams_long_timelines_in_bounded_memory(lavfi, tmp_path):
    """A 10-minute looped timeline (230 MB as float stereo) is analysed chunk by chunk."""
    path = tone(lavfi, "chirp_noise.wav", "0.4*sin(2*PI*(200*t+2000*t*t))+0.1*random(0)", dur=2.3)
    script = textwrap.dedent(f"""
        import resource, reelforge as rf, reelforge.audio as rfa
        scene = rf.Scene(64, 64, fps=30, duration=600)
        scene.add_audio({path!r}, loop=True)
        scene.compile()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        f = rfa.analyze(scene)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert len(f) == 18000 and f.rms_db.min() > -30, (len(f), f.rms_db.min())
        print((after - before) // 1024)
    """)
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    grew_mb = int(r.stdout.strip().splitlines()[-1])
    assert grew_mb < 40, f"peak RSS grew by {grew_mb} MB"


def test_releases_the_gil(lavfi):
    """Another Python thread keeps running while the C++ analysis works."""
    import threading
    path = tone(lavfi, "chirp_noise.wav", "0.4*sin(2*PI*(200*t+2000*t*t))+0.1*random(0)", dur=2.3)
    scene = rf.Scene(64, 64, fps=30, duration=120)
    scene.add_audio(path, loop=True)
    scene.compile()
    running, count = threading.Event(), [0]

    def spin():
        running.wait()
        while running.is_set():
            count[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        running.set()
        before = count[0]
        rfa.analyze(scene)
        during = count[0] - before
    finally:
        running.clear()
        t.join()
    assert during > 1000, f"the other thread ran only {during} iterations during analyze()"


# --- errors ------------------------------------------------------------------------------------------

def test_bad_input(lavfi, tmp_path):
    path = tone(lavfi, "sine_1k_0.5.wav", "0.5*sin(2*PI*1000*t)")
    scene = rf.Scene(64, 64, fps=30, duration=1)
    scene.add_audio(path)
    with pytest.raises(rf.SceneError, match="needs fps"):
        rfa.analyze(path)
    with pytest.raises(rf.SceneError, match="does not match the scene"):
        rfa.analyze(scene, fps=25)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(rf.SceneError, match="bands"):
            rfa.analyze(path, fps=30, bands=bad)
    with pytest.raises(rf.SceneError, match="fmin < fmax"):
        rfa.analyze(path, fps=30, fmin=1000, fmax=1000)
    with pytest.raises(rf.SceneError, match="fmin < fmax"):
        rfa.analyze(path, fps=30, fmin=0, fmax=1000)
    with pytest.raises(rf.SceneError, match="Nyquist"):
        rfa.analyze(path, fps=30, fmax=30000)
    for bad_fps in (0, -30, "x", float("nan")):
        with pytest.raises(rf.SceneError, match="fps"):
            rfa.analyze(path, fps=bad_fps)
    with pytest.raises(rf.SceneError, match="Scene or a path"):
        rfa.analyze(42, fps=30)
    with pytest.raises(rf.MediaNotFoundError):
        rfa.analyze(tmp_path / "nope.wav", fps=30)
    # The native layer checks too (InputError -> SceneError).
    with pytest.raises(rf.SceneError, match="bands"):
        _core.analyze_audio(scene.compile(), 0, 40.0, 16000.0)
    with pytest.raises(rf.SceneError, match="fmin"):
        _core.analyze_audio(scene.compile(), 8, 500.0, 100.0)
    f = rfa.analyze(path, fps=30, bands=4)
    with pytest.raises(IndexError, match="4 bands"):
        f.band(4)
    assert np.array_equal(f.band(-1), f.band(3))
    with pytest.raises(rf.SceneError, match="range_db"):
        f.band(0, range_db=0)
    with pytest.raises(rf.SceneError, match="outside"):
        f.band_index(20)


def test_file_without_audio_is_a_media_error(lavfi, tmp_path):
    with pytest.raises(rf.MediaError, match="no audio"):
        rfa.analyze(lavfi.png, fps=30)
    silent_video = lavfi.file("video_only.mp4", ["-f", "lavfi", "-i", "testsrc2=size=64x64:rate=25:duration=1",
                                                 "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"])
    with pytest.raises(rf.MediaError, match="no audio"):
        rfa.analyze(silent_video, fps=25)
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"not audio at all" * 64)
    with pytest.raises(rf.MediaError):
        rfa.analyze(junk, fps=30)


def test_file_without_a_declared_duration_is_measured_by_decoding(lavfi, tmp_path):
    """A Matroska file written to a pipe has no Duration element (probe says 0): analyze used to
    refuse it though exporting it works; now it decodes it once to find its length."""
    ref = tone(lavfi, "sine_1k_1.5s.wav", "0.5*sin(2*PI*1000*t)", dur=1.5)
    streamed = tmp_path / "streamed.mka"
    with open(streamed, "wb") as out:
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-i", ref, "-c:a", "flac",
                        "-f", "matroska", "pipe:1"], stdout=out, check=True, timeout=60)
    assert _core.probe(str(streamed)).duration == 0  # the case under test
    assert _core.decoded_audio_seconds(str(streamed)) == pytest.approx(1.5, abs=1e-6)
    f = rfa.analyze(streamed, fps=30)
    want = rfa.analyze(ref, fps=30)  # the same samples in a WAV, whose header gives the duration
    assert f.frame_count == want.frame_count == 45
    np.testing.assert_allclose(f.rms_db, want.rms_db, atol=1e-4)  # flac is lossless
    np.testing.assert_allclose(f.rms_db[1:-1], 20 * np.log10(0.5) - 3.0103, atol=0.05)
