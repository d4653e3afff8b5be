"""Real-world media properties (issue 10): coarse time bases, threads, stream offsets, damaged
files, sample aspect ratio, resampling quality. Every input is generated here with ffmpeg lavfi;
every expectation comes from ffmpeg/ffprobe or numpy, independent of reelforge."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import reelforge as rf

from avprobe import decode_audio, probe, stream

W, H = 64, 36
N_FRAMES = 24
STEP = 9  # grey level step between consecutive numbered frames


def ffmpeg(*args):
    r = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *map(str, args)],
                       capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode(errors="replace")


def numbered_clip(path: Path, rate: Fraction, n: int = N_FRAMES, codec: list[str] | None = None,
                  extra: tuple = (), inputs: tuple = ()) -> Path:
    """n flat grey frames at `rate`, frame k at luma 16 + STEP*k: its grey level tells its index."""
    src = f"color=black:size={W}x{H}:rate={rate.numerator}/{rate.denominator},format=yuv420p," \
          f"geq=lum='16+{STEP}*N':cb=128:cr=128"
    if codec is None:
        codec = {".webm": ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-crf", "10", "-b:v", "0"],
                 ".mkv": ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "5"],
                 ".mp4": ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "5"]}[path.suffix]
    ffmpeg("-f", "lavfi", "-i", src, *inputs, "-frames:v", n, *codec, "-pix_fmt", "yuv420p", *extra, path)
    return path


def reference_levels(path: Path) -> np.ndarray:
    """Mean grey level (0..255, full range, as ffmpeg converts limited-range luma) of every frame
    as ffmpeg decodes it (display order)."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map", "0:v", "-fps_mode", "passthrough",
                          "-f", "rawvideo", "-pix_fmt", "gray",
                          "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, H, W).mean(axis=(1, 2))


def identify(frames_rgba: list[np.ndarray], ref_luma: np.ndarray) -> list[int]:
    """Index of the reference frame each rendered frame shows (nearest grey level)."""
    return [int(np.argmin(np.abs(ref_luma - f[..., :3].mean()))) for f in frames_rgba]


# -- item 5: coarse time bases -------------------------------------------------------------------

RATES = [Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(60000, 1001)]


@pytest.mark.parametrize("ext", [".webm", ".mkv", ".mp4", "opus.webm"])
@pytest.mark.parametrize("rate", RATES, ids=lambda r: f"{float(r):.3f}fps")
def test_equal_rates_show_every_frame_once(tmp_path, ext, rate):
    # opus.webm: with an Opus track, whose pre-skip puts the audio at -7 ms and the video at +7 ms.
    opus = ext == "opus.webm"
    clip = numbered_clip(tmp_path / f"n{ext}".replace("opus", "_opus"), rate,
                         inputs=("-f", "lavfi", "-i", "sine=r=48000:d=2") if opus else (),
                         extra=("-c:a", "libopus", "-shortest") if opus else ())
    ref = reference_levels(clip)
    assert len(ref) == N_FRAMES and np.all(np.diff(ref) > STEP / 2)  # the reference is numbered
    s = rf.Scene(width=W, height=H, fps=rate,
                 duration=float(Fraction(N_FRAMES) / rate))
    s.add_video(clip)
    assert s.frame_count == N_FRAMES
    r = rf.Renderer(s)
    shown = identify([r.render_frame(i) for i in range(N_FRAMES)], ref)
    assert shown == list(range(N_FRAMES)), f"{ext} at {rate}: frames shown {shown}"


# -- item 2: one Renderer from two threads -------------------------------------------------------

def test_renderer_from_two_threads_never_crashes(tmp_path):
    clip = numbered_clip(tmp_path / "n.mp4", Fraction(25), n=20)
    ref = reference_levels(clip)
    script = textwrap.dedent(f"""
        import threading, numpy as np, reelforge as rf
        s = rf.Scene(width={W}, height={H}, fps=25, duration=0.8)
        s.add_video({str(clip)!r})
        r = rf.Renderer(s)
        out, errors = {{}}, []
        def work(order):
            try:
                for _ in range(3):
                    for i in order:
                        out.setdefault(i, set()).add(round(float(r.render_frame(i)[..., :3].mean()), 3))
            except Exception as e:
                errors.append(repr(e))
        ts = [threading.Thread(target=work, args=(o,)) for o in (range(20), range(19, -1, -1))]
        [t.start() for t in ts]; [t.join() for t in ts]
        assert not errors, errors
        print([sorted(out[i]) for i in range(20)])
    """)
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"rc {p.returncode}\n{p.stderr[-3000:]}"
    levels = eval(p.stdout.strip().splitlines()[-1])
    for i, seen in enumerate(levels):  # every thread got frame i's own picture, every time
        assert len(seen) == 1 and int(np.argmin(np.abs(ref - seen[0]))) == i, (i, seen)


# -- item 6: one time origin per file ------------------------------------------------------------

FLASH_FRAME, FPS = 30, 30  # the flash is frame 30 (1.0 s of the video), the beep starts at 1.0 s of the audio


def flash_beep(path: Path, audio_offset: float) -> Path:
    """Video with one white frame at 1.0 s and audio with a 1 kHz beep at 1.0 s, the audio stream
    then shifted by `audio_offset` seconds against the video (-itsoffset), as cameras and edit
    lists do."""
    video = f"color=black:size={W}x{H}:rate={FPS}:duration=3,format=yuv420p," \
            f"geq=lum='if(eq(N\\,{FLASH_FRAME})\\,235\\,16)':cb=128:cr=128"
    audio = "aevalsrc='if(between(t\\,1\\,1.2)\\,0.5*sin(2*PI*1000*t)\\,0)':s=48000:d=3"
    acodec = ["-c:a", "aac", "-b:a", "192k"] if path.suffix == ".mp4" else ["-c:a", "pcm_s16le"]
    ffmpeg("-f", "lavfi", "-i", video, "-itsoffset", audio_offset, "-f", "lavfi", "-i", audio,
           "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "10", *acodec, path)
    return path


def onset(samples: np.ndarray, rate: int = 48000) -> float:
    """Seconds to the beep's onset: first sample above half the peak (past codec pre-echo),
    moved back by the time a 1 kHz sine takes from 0 to half amplitude (asin(0.5) / 2 pi f)."""
    mono = np.abs(samples).max(axis=1)
    first = int(np.argmax(mono > 0.5 * mono.max()))
    return first / rate - np.arcsin(0.5) / (2 * np.pi * 1000)


@pytest.mark.parametrize("offset,ext", [(0.5, ".mp4"), (-0.3, ".mkv"), (0.5, ".mkv"), (-0.3, ".mp4")])
def test_stream_offset_is_kept(tmp_path, offset, ext):
    src = flash_beep(tmp_path / f"src{ext}", offset)
    s = rf.Scene(width=W, height=H, fps=FPS, duration=2.5)
    s.add_video(src, audio=True)
    out = tmp_path / "out.mp4"
    rf.Exporter(s, out).run()
    frames = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(out), "-f", "rawvideo", "-pix_fmt",
                             "gray", "-"], capture_output=True, check=True).stdout
    luma = np.frombuffer(frames, np.uint8).reshape(-1, H, W).mean(axis=(1, 2))
    flash = int(np.argmax(luma)) / FPS
    beep = onset(decode_audio(out))
    assert beep - flash == pytest.approx(offset, abs=0.001), f"flash {flash:.4f}s beep {beep:.4f}s"


# -- item 9: damaged media -----------------------------------------------------------------------

def truncated_clip(tmp_path: Path) -> tuple[Path, list[int]]:
    """A numbered 10 fps MP4 (index up front) cut in the middle of its media data, and the frame
    index each of its 24 frames should show: what ffmpeg decodes, then the last good one held."""
    full = numbered_clip(tmp_path / "full.mp4", Fraction(10), extra=("-g", "6", "-movflags", "+faststart"))
    data = full.read_bytes()
    mdat = data.index(b"mdat")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[:mdat + (len(data) - mdat) * 55 // 100])
    decodable = len(reference_levels(cut))
    assert 4 <= decodable < N_FRAMES - 4, decodable  # ffmpeg decodes the part before the cut
    return cut, [min(i, decodable - 1) for i in range(N_FRAMES)]


def test_truncated_mp4_renders_what_decodes(tmp_path, caplog):
    cut, expected = truncated_clip(tmp_path)
    ref = reference_levels(tmp_path / "full.mp4")
    s = rf.Scene(width=W, height=H, fps=10, duration=N_FRAMES / 10)
    s.add_video(cut)
    with caplog.at_level("WARNING", logger="reelforge"):
        r = rf.Renderer(s)
        # Random access (a seek past the damage) shows what sequential decoding shows.
        late = identify([r.render_frame(i) for i in (N_FRAMES - 1, N_FRAMES - 3)], ref)
        shown = identify([r.render_frame(i) for i in range(N_FRAMES)], ref)
    assert late == [expected[-1], expected[-3]]
    assert shown == expected
    warnings = [m.getMessage() for m in caplog.records if m.name == "reelforge"]
    assert any(str(cut) in w and f"{(expected[-1]) / 10:.3f} s" in w for w in warnings), warnings
    out = tmp_path / "out.mp4"
    rf.Exporter(s, out).run()
    assert int(stream(probe(out), "video")["nb_read_packets"]) == N_FRAMES
    frames = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(out), "-f", "rawvideo", "-pix_fmt",
                             "rgba", "-"], capture_output=True, check=True).stdout
    exported = identify(list(np.frombuffer(frames, np.uint8).reshape(-1, H, W, 4)), ref)
    assert exported == expected


def test_truncated_mp4_raises_when_strict(tmp_path):
    cut, expected = truncated_clip(tmp_path)
    s = rf.Scene(width=W, height=H, fps=10, duration=N_FRAMES / 10)
    s.add_video(cut, on_decode_error="raise")
    out = tmp_path / "out.mp4"
    with pytest.raises(rf.MediaError, match="cut.mp4"):
        rf.Exporter(s, out).run()
    assert not out.exists() and not list(tmp_path.glob(".*part*"))
    r = rf.Renderer(s)
    r.render_frame(0)
    for i in (N_FRAMES - 1, N_FRAMES - 1, N_FRAMES - 2):  # the same answer every time
        with pytest.raises(rf.MediaError, match="cut.mp4"):
            r.render_frame(i)
    with pytest.raises(rf.SceneError, match="on_decode_error"):
        s.add_video(cut, on_decode_error="skip")


# -- item 14: resampling quality -----------------------------------------------------------------

def test_resampled_20khz_tone_has_no_image(tmp_path):
    """44.1 -> 48 kHz: a 20 kHz tone's image (mirrored about 22.05 kHz, aliased to 23.9 kHz) and
    every other spurious component lie far below the tone (swr's default filter: -29.5 dB)."""
    wav = tmp_path / "t.wav"
    ffmpeg("-f", "lavfi", "-i", "aevalsrc=0.5*sin(2*PI*20000*t):s=44100:d=2", "-c:a", "pcm_f32le", wav)
    s = rf.Scene(width=W, height=H, fps=25, duration=2.0)
    s.add_audio(wav)
    x = rf._core.mix_audio(s.compile())[:, 0].astype(np.float64)
    x = x[24000:24000 + 65536]  # the steady middle
    spec = np.abs(np.fft.rfft(x * np.kaiser(x.size, 30)))
    f = np.fft.rfftfreq(x.size, 1 / 48000)
    tone = spec[np.abs(f - 20000) < 50].max()
    spurious = spec[(np.abs(f - 20000) > 300) & (f > 100)].max()
    level_db = 20 * np.log10(spurious / tone)
    worst = f[np.argmax(np.where((np.abs(f - 20000) > 300) & (f > 100), spec, 0))]
    assert level_db < -100, f"strongest spurious component at {worst:.0f} Hz: {level_db:.1f} dB"


# -- item 4: sample aspect ratio -----------------------------------------------------------------

@pytest.mark.parametrize("coded,sar", [((96, 54), (4, 3)), ((108, 54), (32, 27))])
def test_anamorphic_source_shows_at_display_size(tmp_path, coded, sar):
    w, h = coded
    src = tmp_path / "ana.mp4"
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={w}x{h}:rate=25:duration=0.2,setsar={sar[0]}/{sar[1]}",
           "-c:v", "libx264", "-preset", "ultrafast", "-crf", "8", "-pix_fmt", "yuv420p", src)
    assert stream(probe(src), "video")["sample_aspect_ratio"] == f"{sar[0]}:{sar[1]}"
    info = rf._core.probe(str(src))
    assert (info.sar_num, info.sar_den) == sar
    dw = w * sar[0] // sar[1]  # 128: the display width
    s = rf.Scene(width=dw, height=h, fps=25, duration=0.2)
    s.add_video(src)
    got = rf.Renderer(s).render_frame(0)[..., :3].astype(float)
    # ffmpeg's own display-size picture (scaled to width x SAR) as the reference.
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(src), "-frames:v", "1", "-vf",
                          f"scale={dw}:{h}:flags=bilinear", "-pix_fmt", "rgb24", "-f", "rawvideo", "-"],
                         capture_output=True, check=True).stdout
    ref = np.frombuffer(raw, np.uint8).reshape(h, dw, 3).astype(float)
    assert np.abs(got - ref).mean() < 8, np.abs(got - ref).mean()


def test_damaged_audio_keeps_its_place(tmp_path, caplog):
    """AAC packets lost to damage become silence: a click after the damage stays at 3.0 s."""
    src = tmp_path / "a.m4a"
    ffmpeg("-f", "lavfi", "-i", "aevalsrc='0.3*sin(2*PI*440*t)+if(between(t\\,3\\,3.05)\\,0.6*sin(2*PI*3000*t)\\,0)'"
           ":s=48000:d=4", "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", src)
    data = bytearray(src.read_bytes())
    mdat = data.index(b"mdat")
    at = mdat + (len(data) - mdat) * 35 // 100  # ~1.4 s into the audio
    data[at:at + 1500] = bytes(1500)
    bad = tmp_path / "bad.m4a"
    bad.write_bytes(bytes(data))
    s = rf.Scene(width=W, height=H, fps=25, duration=4)
    s.add_audio(bad)
    with caplog.at_level("WARNING", logger="reelforge"):
        out = tmp_path / "o.mp4"
        rf.Exporter(s, out).run()
    x = decode_audio(out)[:, 0]
    # The 3 kHz click stands out of the 440 Hz tone after differencing; a 5 ms RMS ignores the
    # single-sample step where the lost packets start.
    rms = np.sqrt(np.convolve(np.diff(x) ** 2, np.ones(240) / 240)[:x.size - 1])
    click = np.argmax(rms > 0.08) / 48000
    assert click == pytest.approx(3.0, abs=0.002)
    assert any("bad.m4a" in r.getMessage() and "damaged audio" in r.getMessage() for r in caplog.records)
