"""Output formats beyond H.264/HEVC: VP9 + Opus in WebM, ProRes 4444 with alpha in MOV, GIF and
PNG sequences. Each file is checked with ffprobe and decoded back (ffmpeg / Pillow) against
Renderer.render_frame; codec/container mismatches and cancelled sequences leave nothing behind."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import reelforge as rf
from reelforge import _core
from reelforge.exporter import VIDEO_CODECS

CODEC_CONTAINERS = {spec.codec: tuple(spec.extensions) for spec in _core.codec_specs()}
from avprobe import decode_audio, decode_video, probe, stream
from exports import tiny_scene, wait_for_frames

W, H = 160, 120


def _unpremultiply(rgba: np.ndarray) -> np.ndarray:
    """Straight RGBA from premultiplied: round(c * 255 / a), 0 where a == 0."""
    a = rgba[..., 3:].astype(np.int32)
    c = rgba[..., :3].astype(np.int32)
    straight = np.where(a > 0, np.minimum(255, (c * 255 + a // 2) // np.maximum(a, 1)), 0)
    return np.concatenate([straight, a], axis=-1).astype(np.uint8)


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def _box(img: np.ndarray, k: int) -> np.ndarray:
    """Mean over k x k cells (what the eye sees of an ordered dither)."""
    h, w = img.shape[0] // k * k, img.shape[1] // k * k
    return img[:h, :w].astype(np.float64).reshape(h // k, k, w // k, k, -1).mean(axis=(1, 3))


def _smooth_video(lavfi):
    return lavfi.file("gradients_320.mp4", ["-f", "lavfi", "-i", "gradients=s=320x240:r=25:d=2:speed=0.05",
                                            "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p"])


def _tone(lavfi):
    return lavfi.file("tone660.wav", ["-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100:duration=3"])


def _opaque_scene(lavfi, audio=True):
    s = rf.Scene(W, H, fps=30, duration=1.0)
    s.add_video(_smooth_video(lavfi), width=W, height=H)
    s.add_solid((255, 80, 0, 200), x=10, y=10, width=60, height=40).animate("x", [(0, 10), (1, 90)])
    if audio:
        s.add_audio(_tone(lavfi), start=0.25)
    return s


def _transparent_scene(lavfi, duration=1.0, audio=False):
    """Transparent background, a half-transparent moving solid, an alpha-ramp image and an opaque block."""
    s = rf.Scene(W, H, fps=30, duration=duration, background=(0, 0, 0, 0))
    s.add_solid((255, 80, 0, 128), x=10, y=10, width=80, height=60).animate("x", [(0, 10), (duration, 60)])
    s.add_image(lavfi.png_array, x=60, y=40, width=96)
    s.add_solid((40, 200, 90, 255), x=120, y=90, width=30, height=20)
    if audio:
        s.add_audio(_tone(lavfi))
    return s


def _no_leftovers(folder: Path, keep=()):
    left = sorted(p.name for p in folder.iterdir() if p.name not in keep)
    assert left == [], f"unexpected files left behind: {left}"


# -- VP9 / WebM --------------------------------------------------------------------------------

def test_webm_is_vp9_with_opus_and_matches_render_frame(lavfi, tmp_path):
    s = _opaque_scene(lavfi)
    out = tmp_path / "v.webm"
    r = rf.Exporter(s, out).run()  # video_codec from the extension
    assert (r.video_codec, r.encoder, r.audio_encoder) == ("vp9", "libvpx-vp9", "libopus")
    assert r.frames == 30
    assert out.read_bytes()[:64].find(b"webm") > 0, "EBML DocType is not webm"
    info = probe(out)
    assert "webm" in info["format"]["format_name"]
    v, a = stream(info, "video"), stream(info, "audio")
    assert v["codec_name"] == "vp9" and v["pix_fmt"] == "yuv420p"
    assert (v["color_space"], v["color_transfer"], v["color_primaries"], v["color_range"]) == ("bt709",) * 3 + ("tv",)
    assert int(v["nb_read_packets"]) == 30
    assert a["codec_name"] == "opus" and int(a["sample_rate"]) == 48000 and int(a["channels"]) == 2
    pcm = decode_audio(out)
    assert abs(len(pcm) / 48000 - 1.0) <= 0.02  # Opus pre-skip trimmed by CodecDelay
    assert not any(p.name.startswith(".v.webm") for p in tmp_path.iterdir())
    frames = decode_video(out, W, H)
    assert len(frames) == 30
    ren = rf.Renderer(s)
    for i in (0, 15, 29):
        psnr = rf.testing.psnr(frames[i][..., :3], ren.render_frame(i)[..., :3])
        assert psnr >= 30.0, f"frame {i}: PSNR {psnr:.1f} dB < 30 dB"


def test_webm_flash_and_beep_are_in_sync(lavfi, tmp_path):
    beep = lavfi.file("beep.wav", ["-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=0.3"])
    fps = 30
    s = rf.Scene(W, H, fps=fps, duration=2.0)
    flash_frame = 31
    t_flash = float(Fraction(flash_frame, fps))
    s.add_solid((255, 255, 255), start=t_flash, end=float(Fraction(flash_frame + 1, fps)))
    s.add_audio(beep, start=t_flash)
    out = tmp_path / "sync.webm"
    rf.Exporter(s, out, crf=20).run()
    frames = decode_video(out, W, H)
    assert [i for i, f in enumerate(frames) if f[..., :3].mean() > 128] == [flash_frame]
    pcm = decode_audio(out)[:, 0]
    audio_onset = np.flatnonzero(np.abs(pcm) > 0.5 * np.abs(pcm).max())[0] / 48000
    # WebM timestamps are whole milliseconds.
    assert abs(audio_onset - flash_frame / fps) < 1.5e-3, f"A/V offset {1000 * (audio_onset - flash_frame / fps):.2f} ms"


def test_vp9_in_mkv(lavfi, tmp_path):
    s = _opaque_scene(lavfi, audio=False)
    out = tmp_path / "v.mkv"
    r = rf.Exporter(s, out, video_codec="vp9", crf=40, preset="ultrafast").run()
    assert r.encoder == "libvpx-vp9" and r.audio_encoder == ""
    v = stream(probe(out), "video")
    assert v["codec_name"] == "vp9" and int(v["nb_read_packets"]) == 30


# -- ProRes 4444 with alpha --------------------------------------------------------------------

def test_prores_4444_carries_straight_alpha(lavfi, tmp_path):
    s = _transparent_scene(lavfi, audio=True)
    out = tmp_path / "a.mov"
    r = rf.Exporter(s, out, video_codec="prores").run()
    assert (r.video_codec, r.encoder, r.audio_encoder) == ("prores", "prores_ks", "aac")
    info = probe(out)
    assert "mov" in info["format"]["format_name"]
    v, a = stream(info, "video"), stream(info, "audio")
    assert v["codec_name"] == "prores" and v["profile"] == "4444"
    # prores_ks is fed yuva444p10le; FFmpeg's decoder reports ProRes 4444 as 12-bit (5.x and later).
    assert v["pix_fmt"] in ("yuva444p10le", "yuva444p12le")
    assert (v["color_space"], v["color_transfer"], v["color_primaries"], v["color_range"]) == ("bt709",) * 3 + ("tv",)
    assert int(v["nb_read_packets"]) == 30
    assert a["codec_name"] == "aac"
    frames = decode_video(out, W, H)  # straight RGBA
    assert len(frames) == 30
    ren = rf.Renderer(s)
    for i in (0, 14, 29):
        ref = ren.render_frame(i)
        alpha = ref[..., 3]
        assert {0, 128, 255} <= set(np.unique(alpha)), "scene lost its transparent / half / opaque areas"
        da = np.abs(frames[i][..., 3].astype(int) - alpha.astype(int))
        assert da.max() <= 2, f"frame {i}: alpha differs by up to {da.max()} levels"
        visible = alpha >= 16  # below that the straight colour is barely defined in 8 bits
        straight = _unpremultiply(ref)
        psnr = _psnr(frames[i][..., :3][visible], straight[..., :3][visible])
        assert psnr >= 30.0, f"frame {i}: straight-colour PSNR {psnr:.1f} dB < 30 dB"


# -- GIF ---------------------------------------------------------------------------------------

def test_gif_fixed_palette_dithered(lavfi, tmp_path):
    s = _opaque_scene(lavfi)  # with audio: gif has none, so it is left out
    out = tmp_path / "a.gif"
    r = rf.Exporter(s, out).run()
    assert (r.video_codec, r.encoder, r.audio_encoder) == ("gif", "gif", "")
    info = probe(out)
    assert info["format"]["format_name"] == "gif"
    assert stream(info, "audio") is None
    v = stream(info, "video")
    assert v["codec_name"] == "gif" and int(v["nb_read_packets"]) == 30
    frames = decode_video(out, W, H)
    assert len(frames) == 30
    palette = {tuple(c) for c in frames.reshape(-1, 4)[:, :3]}
    assert len(palette) <= 252
    ren = rf.Renderer(s)
    for i in (0, 15, 29):
        got, ref = frames[i][..., :3], ren.render_frame(i)[..., :3]
        raw = _psnr(got, ref)
        assert raw >= 18.0, f"frame {i}: PSNR {raw:.1f} dB"  # per pixel: palette steps of 42..51 levels, dithered
        mae = np.abs(_box(got, 8) - _box(ref, 8)).mean()
        assert mae <= 3.0, f"frame {i}: 8x8-averaged error {mae:.2f} levels"


# -- PNG sequences -----------------------------------------------------------------------------

def test_png_sequence_equals_render_frame_unpremultiplied(lavfi, tmp_path):
    from PIL import Image
    s = _transparent_scene(lavfi, audio=True)
    pattern = tmp_path / "frames" / "f_%04d.png"
    r = rf.Exporter(s, pattern).run()
    assert (r.video_codec, r.encoder, r.audio_encoder, r.frames) == ("png", "png", "", 30)
    folder = tmp_path / "frames"
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"f_{i:04d}.png" for i in range(30)]
    _no_leftovers(tmp_path, keep={"frames"})
    v = stream(probe(folder / "f_0000.png"), "video")
    assert v["codec_name"] == "png" and v["pix_fmt"] == "rgba"
    ren = rf.Renderer(s)
    for i in range(30):
        got = np.asarray(Image.open(folder / f"f_{i:04d}.png").convert("RGBA"))
        ref = _unpremultiply(ren.render_frame(i))
        d = np.abs(got.astype(int) - ref.astype(int))
        assert d.max() <= 1, f"frame {i}: differs by up to {d.max()}"


def test_png_sequence_into_existing_folder(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    (folder / "00003.png").write_bytes(b"old")
    s = rf.Scene(64, 48, fps=10, duration=0.5)
    s.add_solid((10, 20, 30))
    r = rf.Exporter(s, str(folder) + "/").run()  # a folder: frames named %05d.png
    assert r.encoder == "png" and r.frames == 5
    assert sorted(p.name for p in folder.iterdir()) == [f"{i:05d}.png" for i in range(5)] + ["notes.txt"]
    assert (folder / "notes.txt").read_text() == "keep me"
    assert (folder / "00003.png").read_bytes()[:4] == b"\x89PNG"


def test_cancel_during_png_sequence_leaves_no_folder(tmp_path):
    s = rf.Scene(320, 240, fps=30, duration=60)
    s.add_solid((255, 0, 0), width=100, height=100).animate("x", [(0, 0), (60, 200)])
    pattern = tmp_path / "seq" / "%05d.png"
    exp = rf.Exporter(s, pattern)
    handle = exp.start()
    wait_for_frames(handle, 5)
    exp.cancel()
    with pytest.raises(rf.ExportCancelled):
        handle.wait(timeout=10)
    assert not (tmp_path / "seq").exists()
    _no_leftovers(tmp_path)


def test_failed_png_sequence_leaves_no_folder(tmp_path):
    s = rf.Scene(64, 48, fps=30, duration=2)
    s.add_solid((0, 255, 0), width=10, height=10)
    with pytest.raises(rf.ExportStalled, match="encode"):
        rf.Exporter(s, tmp_path / "seq" / "%05d.png", stall_timeout=0.5, _hooks=_core.ExportHooks.stall("encode")).run()
    _no_leftovers(tmp_path)


# -- validation --------------------------------------------------------------------------------

@pytest.mark.parametrize("codec, name", [
    ("prores", "x.mp4"), ("prores", "x.webm"), ("vp9", "x.mov"), ("vp9", "x.mp4"), ("h264", "x.webm"),
    ("hevc", "x.gif"), ("gif", "x.mov"), ("png", "x.mp4"), ("png", "x.png"), ("h264", "frames/%05d.png"),
    ("prores", "frames/"),
])
def test_codec_container_mismatch_raises_before_any_work(tmp_path, codec, name):
    path = str(tmp_path / name) if not name.endswith("/") else str(tmp_path / name.rstrip("/")) + "/"
    with pytest.raises(rf.SceneError, match=codec) as e:
        rf.Exporter(tiny_scene(), path, video_codec=codec)
    ext = Path(name).suffix
    if ext and "%" not in name:
        assert ext in str(e.value)
    # The core checks the same table on its own (C++ callers, or a bypassed Python layer).
    with pytest.raises(rf.SceneError, match=codec):
        o = _core.ExportOptions()
        o.path, o.video_codec = path, codec
        _core.Export(tiny_scene().compile(), o)
    _no_leftovers(tmp_path)


def test_python_and_core_tables_agree(tmp_path):
    names = ["x.mp4", "x.mov", "x.mkv", "x.m4v", "x.webm", "x.gif", "f/%05d.png", "f/", "x.png"]
    for codec in VIDEO_CODECS:
        for name in names:
            path = str(tmp_path / name) + ("/" if name.endswith("/") else "")
            try:
                py = rf.Exporter(tiny_scene(), path, video_codec=codec).video_codec
            except rf.SceneError:
                py = None
            try:
                core = _core.resolve_output_codec(path, codec)
            except rf.SceneError:
                core = None
            assert py == core, f"{codec} -> {name}: python {py!r}, core {core!r}"
            assert (py is not None) == (name in [f"x{e}" for e in CODEC_CONTAINERS[codec]] or
                                        (codec == "png" and name.startswith("f/")))


@pytest.mark.parametrize("name, codec", [
    ("x.webm", "vp9"), ("x.gif", "gif"), ("f/%05d.png", "png"), ("f/", "png"), ("x.mov", "h264"), ("x.mkv", "h264"),
])
def test_codec_from_extension(tmp_path, name, codec):
    path = str(tmp_path / name) + ("/" if name.endswith("/") else "")
    assert rf.Exporter(tiny_scene(), path).video_codec == codec
    assert _core.resolve_output_codec(path) == codec


@pytest.mark.parametrize("name, match", [
    ("f/%05d_%03d.png", "two frame-number fields"),
    ("f/%05d.jpg", ".png"),
    ("%d/x%05d.png", "folder"),
    ("nope/f/%05d.png", "does not exist"),
])
def test_bad_sequence_paths(tmp_path, name, match):
    with pytest.raises(rf.SceneError, match=match):
        rf.Exporter(tiny_scene(), tmp_path / name)
    _no_leftovers(tmp_path)


def test_crf_range_follows_the_codec(tmp_path):
    rf.Exporter(tiny_scene(), tmp_path / "x.webm", crf=63)
    with pytest.raises(rf.SceneError, match="0..63"):
        rf.Exporter(tiny_scene(), tmp_path / "x.webm", crf=64)
    with pytest.raises(rf.SceneError, match="0..51"):
        rf.Exporter(tiny_scene(), tmp_path / "x.mp4", crf=52)
    rf.Exporter(tiny_scene(), tmp_path / "x.gif", crf=23)  # no quality knob: ignored (the CLI always passes one)


def test_explicit_encoder_of_another_codec_is_refused(tmp_path):
    out = tmp_path / "x.webm"
    with pytest.raises(rf.SceneError, match="libx264"):
        rf.Exporter(tiny_scene(), out, encoder="libx264").run()
    _no_leftovers(tmp_path)
