"""How sources are sampled onto the canvas: display-matrix rotation (autorotate), chroma siting
on input and output, and filtered minification. References are numpy rotations / box filters,
ffmpeg's own autorotate and zscale, never reelforge itself.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

import reelforge as rf
import reference as ref
from test_render import assert_close, straight_noise
from test_tiling import raw_planes


def ffmpeg(*args):
    r = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *map(str, args)],
                       capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    return r.stdout


# --- rotation / display matrix ----------------------------------------------------------------

W, H = 96, 64  # coded size of the rotated clips


def rotated_clip(lavfi, rotate):
    """testsrc2 96x64 in MP4 (lossless H.264), tagged with a display matrix rotated by `rotate`
    degrees clockwise (0: untagged)."""
    base = lavfi.file("rot_base.mp4", ["-f", "lavfi", "-i", f"testsrc2=s={W}x{H}:r=10:d=1", "-pix_fmt", "yuv420p",
                                       "-c:v", "libx264", "-qp", "0", "-preset", "ultrafast"])
    if rotate == 0:
        return base
    return lavfi.file(f"rot_{rotate}.mp4", ["-i", str(base), "-c", "copy", "-metadata:s:v:0", f"rotate={rotate}"])


def render_clip(path, size, **kw):
    s = rf.Scene(*size, fps=10, duration=0.5)
    layer = s.add_video(path, **kw)
    return rf.Renderer(s).render_frame(0), layer


# ffmpeg 5.1's `-metadata:s:v:0 rotate=R` muxes a display matrix that turns the picture R degrees
# counter-clockwise (ffprobe: "rotation=R"); ffmpeg's autorotate then shows it turned R degrees
# counter-clockwise, i.e. 360 - R clockwise, which is what probe() reports. The ffmpeg decode
# in the test checks that convention independently.
@pytest.mark.parametrize("rotate, k, clockwise", [(90, 1, 270), (180, 2, 180), (270, -1, 90)])
def test_display_matrix_rotation(lavfi, rotate, k, clockwise):
    path = rotated_clip(lavfi, rotate)
    upright, _ = render_clip(rotated_clip(lavfi, 0), (W, H))
    expected = np.ascontiguousarray(np.rot90(upright, k))  # numpy: k > 0 turns counter-clockwise
    size = (expected.shape[1], expected.shape[0])
    frame, layer = render_clip(path, size)
    assert frame.shape == expected.shape  # the source size is the displayed one
    assert_close(frame, expected, tol=0, what=f"rotate={rotate}")
    # and ffmpeg's own autorotated decode agrees (up to its chroma interpolation)
    theirs = lavfi.decode_frame(path, 0, size)
    diff = np.abs(frame[..., :3].astype(int) - theirs[..., :3].astype(int))
    assert np.median(diff) <= 2, f"median difference to ffmpeg's autorotate {np.median(diff)}"
    assert rf._core.probe(str(path)).rotation == clockwise


def test_autorotate_false_shows_the_coded_picture(lavfi):
    upright, _ = render_clip(rotated_clip(lavfi, 0), (W, H))
    frame, _ = render_clip(rotated_clip(lavfi, 90), (W, H), autorotate=False)
    assert_close(frame, upright, tol=0, what="autorotate=False")


def test_rotated_clip_scaled_to_a_given_size(lavfi):
    # 90 degrees, shown at half its displayed size (32x48): the rotated picture, downscaled.
    path = rotated_clip(lavfi, 90)
    full, _ = render_clip(path, (H, W))
    half, _ = render_clip(path, (H // 2, W // 2), width=H // 2, height=W // 2)
    box = full.reshape(W // 2, 2, H // 2, 2, 4).astype(np.float64).mean(axis=(1, 3))
    assert np.abs(half - box).mean() < 3.0


# --- chroma siting ------------------------------------------------------------------------------

def edge_image(w=64, h=16, at=21):
    """Saturated red left of column `at`, blue from it: a vertical edge at an odd column (where
    left-sited and centre-sited chroma differ most)."""
    img = np.zeros((h, w, 3), np.uint8)
    img[:, :at] = (230, 20, 20)
    img[:, at:] = (20, 20, 230)
    return img


@pytest.mark.parametrize("at", [21, 22, 127, 128, 129])  # 127..129: at a 128-pixel tile edge
def test_nv12_output_chroma_left_sited_matches_zscale(tmp_path, at):
    w, h = 192, 16
    img = edge_image(w, h, at)
    s = rf.Scene(w, h, fps=10, duration=0.1)
    s.add_image(img)
    y, uv = rf.Renderer(s).render_nv12(0)
    raw = tmp_path / "edge.rgb"
    raw.write_bytes(img.tobytes())
    out = ffmpeg("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-i", raw, "-vf",
                 "zscale=matrix=709:range=limited:chromal=left:filter=bilinear:dither=none,format=yuv420p",
                 "-f", "rawvideo", "-")
    n, c = w * h, (w // 2) * (h // 2)
    zy = np.frombuffer(out, np.uint8, n).reshape(h, w)
    zcb = np.frombuffer(out, np.uint8, c, n).reshape(h // 2, w // 2)
    zcr = np.frombuffer(out, np.uint8, c, n + c).reshape(h // 2, w // 2)
    assert_close(y, zy, tol=1, what="Y vs zscale")
    assert_close(uv[..., 0], zcb, tol=1, what="Cb vs zscale (chromal=left)")
    assert_close(uv[..., 1], zcr, tol=1, what="Cr vs zscale (chromal=left)")


@pytest.mark.parametrize("loc, left", [("left", True), ("center", False)])
def test_input_chroma_location_is_honoured(lavfi, loc, left):
    # Sharp chroma edges (testsrc2's colour bars) in a clip tagged with its chroma location: the
    # conversion interpolates from where the samples sit.
    w, h = 202, 114
    path = lavfi.file(f"siting_{loc}.mkv", ["-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r=10:d=1", "-pix_fmt", "yuv420p",
                                            "-c:v", "ffv1", "-colorspace", "bt709", "-color_range", "tv",
                                            "-chroma_sample_location", loc])
    loc_tag = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                              "stream=chroma_location", "-of", "csv=p=0", str(path)],
                             capture_output=True, text=True).stdout.strip()
    assert loc_tag == loc
    planes = raw_planes(path, w, h, "yuv420p")[:3]
    expected = ref.yuv420_to_rgba(*planes, chroma_left=left)
    other = ref.yuv420_to_rgba(*planes, chroma_left=not left)
    assert np.abs(expected.astype(int) - other.astype(int)).max() > 8  # the siting matters here
    s = rf.Scene(w, h, fps=10, duration=0.5)
    s.add_video(path)
    assert_close(rf.Renderer(s).render_frame(0), expected)


@pytest.mark.parametrize("div, shown", [(2, 0.5), (4, 0.25)])
def test_downscaled_left_sited_video_conversion(lavfi, div, shown):
    w, h = 416, 232
    path = lavfi.file("siting_left_down.mkv", ["-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r=10:d=1",
                                               "-pix_fmt", "yuv420p", "-c:v", "ffv1", "-colorspace", "bt709",
                                               "-color_range", "tv", "-chroma_sample_location", "left"])
    converted = ref.yuv420_to_rgba(*raw_planes(path, w, h, "yuv420p")[:3], div=div, chroma_left=True)
    s = rf.Scene(w // div, h // div, fps=10, duration=0.5)
    s.add_video(path, width=round(w * shown), height=round(h * shown))
    assert_close(rf.Renderer(s).render_frame(0), converted)


def chroma_psnr(planes, cb, cr):
    a = np.concatenate([planes[1].ravel(), planes[2].ravel()]).astype(np.float64)
    b = np.concatenate([cb.ravel(), cr.ravel()]).astype(np.float64)
    mse = np.mean((a - b) ** 2)
    return 99.0 if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


@pytest.mark.parametrize("bars", ["smptehdbars", "smptebars"])
def test_colour_bars_round_trip_chroma(tmp_path, bars):
    # RGB colour bars exported through reelforge (x264, CRF 12) and decoded: the chroma planes
    # against zscale's left-sited BT.709 conversion of the same picture, and against a direct
    # x264 transcode by ffmpeg (swscale's conversion). Centre-sited 2x2 chroma scored ~36.7 dB,
    # as the direct transcode does; left-sited [1 2 1] chroma scores 46-52 dB.
    w, h = 320, 240
    png = tmp_path / "bars.png"
    ffmpeg("-f", "lavfi", "-i", f"{bars}=s={w}x{h}:r=1:d=1", "-frames:v", "1", "-pix_fmt", "rgb24", png)
    raw = ffmpeg("-i", png, "-vf", "zscale=matrix=709:range=limited:chromal=left,format=yuv420p", "-f", "rawvideo", "-")
    n, c = w * h, w * h // 4
    zcb, zcr = np.frombuffer(raw, np.uint8, c, n), np.frombuffer(raw, np.uint8, c, n + c)
    direct = tmp_path / "direct.mp4"
    ffmpeg("-loop", "1", "-i", png, "-t", "1", "-r", "10", "-vf", "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p",
           "-c:v", "libx264", "-crf", "12", "-preset", "veryfast", direct)
    s = rf.Scene(w, h, fps=10, duration=1)
    s.add_image(png)
    ours = tmp_path / "ours.mp4"
    rf.Exporter(s, str(ours), crf=12, preset="veryfast").run()
    p_direct = chroma_psnr(raw_planes(direct, w, h, "yuv420p"), zcb, zcr)
    p_ours = chroma_psnr(raw_planes(ours, w, h, "yuv420p"), zcb, zcr)
    assert p_ours > 44.0 and p_ours > p_direct + 3.0, f"chroma PSNR {p_ours:.2f} dB, direct x264 {p_direct:.2f} dB"


# --- minification -------------------------------------------------------------------------------

def stripes(w, h, period, value=128):
    img = np.zeros((h, w, 4), np.uint8)
    img[..., 3] = 255
    on = (np.arange(w) % period) < period // 2
    img[:, on, :3] = value
    return img


@pytest.mark.parametrize("phase", [0.0, 0.25, 0.5, 0.75])
def test_shrunk_stripes_render_their_mean(phase):
    # 1280-wide stripes of period 4 (2 px at 128, 2 px at 0) shrunk 4x to 320: every pixel is
    # the stripes' mean, 64, whatever the sub-pixel phase (bilinear alone gives 0 or 128).
    img = stripes(1280, 64, 4)
    s = rf.Scene(336, 24, fps=10, duration=0.1)
    s.add_image(img, x=4 + phase, y=4, width=320, height=16)
    f = rf.Renderer(s).render_frame(0)
    inner = f[6:18, 8:320, 0].astype(np.float64)
    assert abs(inner.mean() - 64) < 3, f"mean {inner.mean():.1f}"
    assert np.abs(inner - 64).max() <= 8, f"values {np.unique(inner)}"


def test_shrunk_video_stripes_render_their_mean(lavfi):
    # A video of period-16 stripes shrunk 16x (converted at 1/4, then 4x more): uniform mean.
    w, h = 1024, 256
    path = lavfi.file("stripes16.mkv", ["-f", "lavfi", "-i", f"color=c=black:s={w}x{h}:r=10:d=1",
                                        "-vf", "geq=lum='if(lt(mod(X,16),8),180,16)':cb=128:cr=128",
                                        "-pix_fmt", "yuv420p", "-c:v", "ffv1", "-colorspace", "bt709",
                                        "-color_range", "tv"])
    full = rf.Renderer(_video_scene(path, w, h, w, h)).render_frame(0)[..., 0].astype(np.float64)
    mean = full.mean()
    for phase in (0.0, 0.25, 0.5, 0.75):
        f = rf.Renderer(_video_scene(path, 80, 24, 64, 16, x=4 + phase, y=4)).render_frame(0)
        inner = f[6:18, 8:64, 0].astype(np.float64)
        assert abs(inner.mean() - mean) < 4 and np.abs(inner - mean).max() <= 10, \
            f"phase {phase}: values {np.unique(inner)} vs mean {mean:.1f}"


def _video_scene(path, cw, ch, w, h, x=0, y=0):
    s = rf.Scene(cw, ch, fps=10, duration=0.1)
    s.add_video(path, x=x, y=y, width=w, height=h)
    return s


def box(img, n):
    h, w = img.shape[:2]
    return img[: h // n * n, : w // n * n].reshape(h // n, n, w // n, n, -1).astype(np.float64).mean(axis=(1, 3))


def test_shrunk_noise_8x_matches_box_filter():
    rng = np.random.default_rng(8)
    img = rng.integers(0, 256, (512, 512, 4), dtype=np.uint8)
    img[..., 3] = 255
    s = rf.Scene(64, 64, fps=10, duration=0.1)
    s.add_image(img, width=64, height=64)
    f = rf.Renderer(s).render_frame(0)[..., :3].astype(np.float64)
    expected = box(img[..., :3], 8)
    assert f.std() <= 1.1 * expected.std(), f"spread {f.std():.2f} vs box filter {expected.std():.2f}"
    assert np.abs(f - expected).mean() < 2.0


@pytest.mark.parametrize("factor", [4, 5, 8])
def test_animated_scale_is_filtered_at_every_frame(factor):
    # scale animated 1 -> 1/10 over the frames: at the frame where it is 1/factor, the spread of
    # the noise is no more than a box filter of that size leaves (bilinear alone keeps ~3x it).
    rng = np.random.default_rng(factor)
    n = 480
    img = rng.integers(0, 256, (n, n, 4), dtype=np.uint8)
    img[..., 3] = 255
    frames = 10
    scales = np.linspace(1.0, 0.1, frames)
    scales[3] = 1.0 / factor
    s = rf.Scene(n, n, fps=10, duration=frames / 10)
    s.add_image(img).set("scale", scales.astype(np.float32))
    f = rf.Renderer(s).render_frame(3)[..., :3].astype(np.float64)
    m = n // factor
    shown = f[:m, :m]
    expected = box(img[..., :3], factor)
    assert abs(shown.mean() - expected.mean()) < 2.0
    assert shown.std() <= 1.5 * expected.std(), f"spread {shown.std():.2f} vs box {expected.std():.2f}"


# --- texel-aligned layers ---------------------------------------------------------------------

def test_texel_aligned_layers_read_texel_for_texel():
    """Unscaled layers at whole-pixel positions, upright, turned 180 degrees and mirrored (the map
    onto the texture is +-1 texel per pixel, centres on centres) show their texels exactly: the
    compositor's one-fetch path (composite.comp kind 3) against numpy's flips; a layer a tenth of a
    pixel off takes the bilinear path and matches the same reference only within filtering."""
    rng = np.random.default_rng(11)
    img = straight_noise(rng, 16, 20)
    bg = (30, 60, 90, 255)
    s = rf.Scene(96, 64, fps=10, duration=0.5, background=bg)
    s.add_image(img, x=3, y=2)
    turned = s.add_image(img, x=40, y=18).set("anchor_x", 0.5).set("anchor_y", 0.5)  # box (30, 10)-(50, 26)
    turned.set("rotation", 180)
    mirrored = s.add_image(img, x=70, y=44).set("anchor_x", 0.5).set("anchor_y", 0.5)  # box (60, 36)-(80, 52)
    mirrored.set("scale_x", -1)
    expected = ref.to_u8(ref.composite(96, 64, bg, [
        dict(pixels=ref.image(img), x=3, y=2),
        dict(pixels=ref.image(img[::-1, ::-1]), x=30, y=10),
        dict(pixels=ref.image(img[:, ::-1]), x=60, y=36),
    ]))
    assert_close(rf.Renderer(s).render_frame(0), expected, what="texel-aligned layers")
    s2 = rf.Scene(96, 64, fps=10, duration=0.5, background=bg)
    s2.add_image(img, x=3.1, y=2)
    off = rf.Renderer(s2).render_frame(0)
    near = ref.to_u8(ref.composite(96, 64, bg, [dict(pixels=ref.image(img), x=3, y=2)]))
    d = np.abs(off.astype(int) - near.astype(int))[2:18, 4:22]
    assert 0 < d.max() <= 40, "a tenth of a pixel off is filtered, close to the texels but not equal"
