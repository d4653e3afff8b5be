"""Audio-only AAC exports encoded in parallel chunks (src/media/parallel_aac.h), checked against
the single-encoder export of the same timeline and against the mix itself.

Audio-only AAC exports of at least 20 s at >= 128 kb/s (FFmpeg's fast AAC coder) are cut into
chunks of CHUNK = 256 AAC frames (262144 samples, 5.46 s), each encoded by its own encoder on a
worker thread (with pre-roll before and post-roll after the chunk) and stitched into one packet
stream. The environment variable REELFORGE_AUDIO_SEGMENTS sets the number of encoder threads
(default: the number of cores, at most 4); REELFORGE_AUDIO_SEGMENTS=1 forces the sequential
single-encoder path, which these tests use as the reference.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

import reelforge as rf
from reelforge import _core
from avprobe import decode_audio, probe, stream
from exports import no_leftovers, wait_for_frames

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg CLI")

SR = 48000
FRAME = 1024
CHUNK = 256 * FRAME  # ParallelAac::kChunkFrames * 1024: chunk boundaries at multiples of this


@pytest.fixture
def segments(monkeypatch):
    """segments(n): exports from now on use n encoder threads (1 = the sequential path)."""
    return lambda n: monkeypatch.setenv("REELFORGE_AUDIO_SEGMENTS", str(n))


def export(scene, path, segments, n, **kw):
    segments(n)
    return rf.Exporter(scene, path, **kw).run()


def packets(path) -> list[tuple[int, int, int]]:
    """(pts, dts, duration) of every audio packet, in stream time base (1/48000 for .m4a)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
                          "packet=pts,dts,duration", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return [(int(p["pts"]), int(p["dts"]), int(p["duration"])) for p in json.loads(out)["packets"]]


def block_rms(x: np.ndarray) -> np.ndarray:
    """RMS of each 1024-sample block (both channels)."""
    n = len(x) // FRAME
    return np.sqrt((x[: n * FRAME].astype(np.float64) ** 2).reshape(n, -1).mean(axis=1))


SIGNALS = {
    # Tonal signals show any MDCT aliasing left uncancelled at a boundary (a window-sequence or
    # window-shape mismatch between the two encoders) far above the codec's own tiny error.
    "sine": ["-f", "lavfi", "-i", "sine=frequency=997:sample_rate=48000:duration=30"],
    "sweep": ["-f", "lavfi", "-i", "aevalsrc=exprs='0.5*sin(2*PI*(50*t+300*t*t))|0.5*sin(2*PI*(60*t+250*t*t))'"
                                   ":s=48000:d=30"],
    "noise": ["-f", "lavfi", "-i", "anoisesrc=color=pink:amplitude=0.5:sample_rate=48000:duration=30:seed=7",
              "-ac", "2"],
    # Decaying noise bursts every 29 ms: transients on both sides of every boundary, so the
    # encoders switch to short windows there.
    "bursts": ["-f", "lavfi", "-i", "aevalsrc=exprs='0.6*exp(-mod(t\\,0.0291)*200)*(2*random(0)-1)"
                                    "|0.3*sin(2*PI*440*t)':s=48000:d=30"],
}


@pytest.mark.parametrize("signal", list(SIGNALS))
def test_parallel_matches_sequential_across_boundaries(lavfi, tmp_path, segments, signal):
    src = lavfi.file(f"par_{signal}.wav", SIGNALS[signal] + ["-c:a", "pcm_f32le"])
    s = rf.Scene(64, 64, fps=25, duration=24.0)  # 1152000 samples: boundaries at 1, 2, 3 x CHUNK
    s.add_audio(src)
    seq_out, par_out = tmp_path / "seq.m4a", tmp_path / "par.m4a"
    r_seq = export(s, seq_out, segments, 1)
    r_par = export(s, par_out, segments, 2)
    assert r_seq.audio_encoder == r_par.audio_encoder == "aac"
    assert r_seq.audio_samples == r_par.audio_samples == 24 * SR

    # Same packet layout: priming packet at -1024, 1024 apart, the same shortened last one.
    assert packets(par_out) == packets(seq_out)
    seq, par = decode_audio(seq_out), decode_audio(par_out)
    assert len(par) == len(seq)
    ref = _core.mix_audio(s.compile())
    n = len(ref)
    seq, par = seq[:n].astype(np.float64), par[:n].astype(np.float64)

    # Chunk 0 is the single encoder's own start: bit-identical up to the first boundary ...
    assert np.array_equal(par[:CHUNK], seq[:CHUNK])
    # ... and the later chunks really are other encoders.
    assert np.any(par[CHUNK:] != seq[CHUNK:]), "the parallel path was not used"

    e_seq, e_par = block_rms(seq - ref), block_rms(par - ref)
    for b in range(CHUNK, n - CHUNK // 2, CHUNK):
        blocks = slice(b // FRAME - 3, b // FRAME + 4)
        # No click: around the boundary the parallel output is as close to the mix as the
        # sequential one (a boundary without pre-roll makes the sine's error ~1000x larger).
        assert np.all(e_par[blocks] <= 1.5 * e_seq[blocks] + 1e-5), (
            f"boundary {b}: error of parallel {e_par[blocks]} vs sequential {e_seq[blocks]}")
        # The two encodings differ there by no more than the codec's own error.
        w = slice(b - 2048, b + 2048)
        diff = np.abs(par[w] - seq[w]).max()
        codec = max(np.abs(seq[w] - ref[w]).max(), np.abs(par[w] - ref[w]).max())
        assert diff <= 2 * codec + 1e-5, f"boundary {b}: |parallel - sequential| {diff:.2e}, codec error {codec:.2e}"
    # Overall quality is the single encoder's (within 1 dB of error power).
    gain_db = 10 * np.log10(np.sum(e_par[CHUNK // FRAME:] ** 2) / max(np.sum(e_seq[CHUNK // FRAME:] ** 2), 1e-30))
    assert gain_db < 1.0, f"parallel error power {gain_db:+.2f} dB vs sequential"


@pytest.mark.parametrize("duration", [20.0, 21.84, 25.04, 33.0])
def test_parallel_exact_duration(lavfi, tmp_path, segments, duration):
    # 20 s: the shortest parallel export (4 chunks); 21.84 s: a remainder under a quarter chunk
    # joins the last chunk; 25.04 s and 33 s: lengths that are not whole AAC frames.
    tone = lavfi.file("par_tone.wav", ["-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100:duration=40"])
    s = rf.Scene(64, 64, fps=25, duration=duration)
    s.add_audio(tone, start=0.5)
    total = s.frame_count * SR // 25
    seq_out, par_out = tmp_path / "seq.m4a", tmp_path / "par.m4a"
    r_seq = export(s, seq_out, segments, 1)
    r_par = export(s, par_out, segments, 3)
    assert r_seq.audio_samples == r_par.audio_samples == total
    assert packets(par_out) == packets(seq_out)
    a_seq, a_par = stream(probe(seq_out), "audio"), stream(probe(par_out), "audio")
    assert a_par["duration"] == a_seq["duration"] and a_par["nb_read_packets"] == a_seq["nb_read_packets"]
    assert abs(float(a_par["duration"]) - total / SR) <= FRAME / SR
    seq, par = decode_audio(seq_out), decode_audio(par_out)
    assert len(par) == len(seq) and abs(len(par) - total) <= FRAME
    assert np.abs(par[: int(0.45 * SR)]).max() < 1e-3  # silence before the clip
    assert not np.array_equal(par, seq), "the parallel path was not used"


def test_parallel_output_does_not_depend_on_thread_count(lavfi, tmp_path, segments):
    # Chunk boundaries and every chunk's encoding are fixed; threads only change who encodes.
    src = lavfi.file("par_noise.wav", SIGNALS["noise"] + ["-c:a", "pcm_f32le"])
    s = rf.Scene(64, 64, fps=25, duration=24.0)
    s.add_audio(src)
    outs = [tmp_path / f"n{n}.m4a" for n in (2, 3, 4)]
    for n, out in zip((2, 3, 4), outs):
        export(s, out, segments, n)
    assert outs[0].read_bytes() == outs[1].read_bytes() == outs[2].read_bytes()


def onset(x: np.ndarray, around: float, search: float = 0.05) -> float:
    """Seconds of the first sample above half the peak within `search` s of `around`."""
    a, b = int((around - search) * SR), int((around + search) * SR)
    w = np.abs(x[a:b])
    return (a + int(np.flatnonzero(w > 0.5 * w.max())[0])) / SR


def test_onsets_and_levels_across_boundaries(lavfi, tmp_path, segments):
    beep = lavfi.file("par_beep.wav", ["-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=0.3"])
    burst = lavfi.file("par_burst.wav", ["-f", "lavfi", "-i", "sine=frequency=2000:sample_rate=48000:duration=0.005"])
    s = rf.Scene(64, 64, fps=25, duration=24.0)
    starts = [
        (beep, (CHUNK - 4800) / SR),          # a 0.3 s beep starting 0.1 s before boundary 1
        (burst, 2 * CHUNK / SR),              # a 5 ms burst starting exactly on boundary 2
        (burst, (3 * CHUNK - 144) / SR),      # a 5 ms burst starting 3 ms before boundary 3
        (beep, 2.0),                          # a beep inside chunk 0 (identical in both)
    ]
    for path, t in starts:
        s.add_audio(path, start=t)
    seq_out, par_out = tmp_path / "seq.m4a", tmp_path / "par.m4a"
    export(s, seq_out, segments, 1)
    export(s, par_out, segments, 2)
    seq, par = decode_audio(seq_out)[:, 0], decode_audio(par_out)[:, 0]
    assert len(seq) == len(par)
    for path, t in starts:
        t_par, t_seq = onset(par, t), onset(seq, t)
        assert abs(t_par - t) < 1e-3, f"onset at {t:.5f} s decoded at {t_par:.5f} s"
        assert abs(t_par - t_seq) <= 2 / SR, f"onset at {t:.5f} s: parallel {t_par:.6f} s, sequential {t_seq:.6f} s"
        # The same level through the boundary: RMS of the first 5 ms / 100 ms within 0.5 dB.
        for length in (0.005, 0.1) if path == beep else (0.005,):
            a, b = int(t * SR), int((t + length) * SR)
            lvl = 20 * np.log10(np.sqrt(np.mean(par[a:b] ** 2)) / np.sqrt(np.mean(seq[a:b] ** 2)))
            assert abs(lvl) < 0.5, f"clip at {t:.5f} s, first {length} s: parallel {lvl:+.2f} dB vs sequential"
    # Nothing but the clips: silence between them stays silent in both.
    quiet = slice(int(3.0 * SR), int((CHUNK - 4800) / SR * SR) - 2048)
    assert np.abs(par[quiet]).max() < 1e-3


def test_short_or_low_bitrate_exports_stay_sequential(lavfi, tmp_path, segments):
    tone = lavfi.file("par_tone.wav", ["-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100:duration=40"])
    for duration, bitrate in ((19.96, 192000), (24.0, 96000)):  # under 20 s; the twoloop coder
        s = rf.Scene(64, 64, fps=25, duration=duration)
        s.add_audio(tone)
        a, b = tmp_path / f"seq{duration}.m4a", tmp_path / f"par{duration}.m4a"
        export(s, a, segments, 1, audio_bitrate=bitrate)
        export(s, b, segments, 4, audio_bitrate=bitrate)
        assert np.array_equal(decode_audio(a), decode_audio(b))


def _long_scene(lavfi, duration=300.0):
    # Noise, not a tone: FFmpeg's fast AAC coder spends ~4x longer on a pure tone.
    noise = lavfi.file("par_noise44k.wav", ["-f", "lavfi", "-i",
                                            "anoisesrc=color=pink:amplitude=0.3:sample_rate=44100:duration=40:seed=5"])
    s = rf.Scene(64, 64, fps=25, duration=duration)
    s.add_audio(noise, loop=True)
    return s


def test_parallel_progress_reports_frames(lavfi, tmp_path, segments):
    segments(2)
    seen = []
    s = _long_scene(lavfi, 120.0)
    r = rf.Exporter(s, tmp_path / "p.m4a").run(progress=seen.append)
    assert r.audio_samples == 120 * SR
    done = [p.frames_done for p in seen]
    assert done == sorted(done) and done[-1] == s.frame_count and seen[-1].phase == "done"
    assert all(p.total_frames == s.frame_count for p in seen)


@pytest.mark.parametrize("n", [1, 2])
def test_audio_only_cancel_removes_partial_output(lavfi, tmp_path, segments, n):
    # A prompt cancel, counted in the export's own progress (frames done), not in seconds that a
    # loaded machine stretches. The whole 1200 s export is 30000 frames (about 30 s of encoding).
    segments(n)
    scene = _long_scene(lavfi, 1200.0)
    out = tmp_path / "c.m4a"
    exp = rf.Exporter(scene, out)
    handle = exp.start()
    wait_for_frames(handle, 5)  # mid-export
    exp.cancel()
    at_cancel = handle.progress.frames_done  # read after the cancel: at least what was done when it came
    with pytest.raises(rf.ExportCancelled):
        handle.wait(timeout=60)  # a hang guard: an ignored cancel finishes (no ExportCancelled) or times out
    p = handle.progress
    # After the cancel the sequential encoder finishes at most the AAC frame it is on (1024
    # samples, under one video frame); the parallel one at most the chunks in flight (ParallelAac
    # keeps workers + 2 of CHUNK samples). One that ignored or deferred it would run on to 30000.
    slack = 1 if n == 1 else int((n + 2) * CHUNK * scene.fps / SR) + 1
    assert p.phase == "cancelled", p.phase
    assert p.frames_done <= at_cancel + slack < p.total_frames == scene.frame_count, (p.frames_done, at_cancel)
    assert not out.exists()
    no_leftovers(tmp_path, "c.m4a")


@pytest.mark.parametrize("n", [1, 2])
def test_audio_only_watchdog(lavfi, tmp_path, segments, n):
    segments(n)
    out = tmp_path / "s.m4a"
    with pytest.raises(rf.ExportStalled, match="encode"):
        rf.Exporter(_long_scene(lavfi, 30.0), out, stall_timeout=0.5, _hooks=_core.ExportHooks.stall("encode")).run()
    assert not out.exists()
    no_leftovers(tmp_path, "s.m4a")


@pytest.mark.parametrize("n", [1, 2])
def test_audio_only_mix_error_mid_export_propagates(lavfi, tmp_path, segments, n):
    # The second clip's file disappears after the export started (its header was read): opening
    # it at 280 s fails in the mixer, while encoder threads are busy with earlier chunks.
    segments(n)
    late = tmp_path / "late.wav"
    shutil.copy(lavfi.file("par_tone.wav", ["-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100:duration=40"]),
                late)
    s = _long_scene(lavfi, 300.0)
    s.add_audio(late, start=280.0)
    out = tmp_path / "e.m4a"
    exp = rf.Exporter(s, out)
    handle = exp.start()
    wait_for_frames(handle, 1, poll=0.005)
    late.unlink()
    with pytest.raises(rf.MediaError, match="late.wav"):
        handle.wait(timeout=30)
    assert not out.exists()
    no_leftovers(tmp_path, "e.m4a")
