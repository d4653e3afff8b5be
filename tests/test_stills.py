"""Stills: rf.export_still and Renderer.save_frame (PNG straight alpha, JPEG, WebP)."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import reelforge as rf
from reelforge.stills import save_rgba, unpremultiply


def half_transparent_scene():
    s = rf.Scene(64, 48, fps=10, duration=1.0, background=(0, 0, 0, 0))
    s.add_solid((200, 100, 50, 128), x=8, y=8, width=32, height=24)
    s.add_solid("white", x=40, y=30, width=16, height=12).animate("opacity", [(0, 0), (1, 1)])
    return s


def test_png_has_straight_alpha_matching_the_render(tmp_path):
    s = half_transparent_scene()
    premul = rf.Renderer(s).render_frame(5)
    out = rf.export_still(s, 0.5, tmp_path / "f.png")
    assert out == str(tmp_path / "f.png")
    with Image.open(out) as im:
        assert im.mode == "RGBA" and im.size == (64, 48)
        png = np.asarray(im)
    assert np.array_equal(png[..., 3], premul[..., 3])
    # straight colour: the half-transparent solid reads (200, 100, 50) within rounding, not premultiplied
    assert np.abs(png[16, 16, :3].astype(int) - (200, 100, 50)).max() <= 2
    # independent check of un-premultiplying: c_straight * a / 255 == c_premul (within 1 level)
    re = (png[..., :3].astype(int) * png[..., 3:4] + 127) // 255
    assert np.abs(re - premul[..., :3]).max() <= 1
    assert (png[premul[..., 3] == 0][:, :3] == 0).all()


def test_jpeg_is_over_black_and_webp_keeps_alpha(tmp_path):
    s = half_transparent_scene()
    premul = rf.Renderer(s).render_frame(5)
    rf.export_still(s, 0.5, tmp_path / "f.jpg", quality=100)
    with Image.open(tmp_path / "f.jpg") as im:
        assert im.format == "JPEG" and im.mode == "RGB"
        assert np.abs(np.asarray(im).astype(int) - premul[..., :3]).mean() < 3
    rf.export_still(s, 0.5, tmp_path / "f.webp", quality=100)  # lossless WebP
    with Image.open(tmp_path / "f.webp") as im:
        assert im.format == "WEBP" and im.mode == "RGBA"
        webp = np.asarray(im)
    with Image.open(rf.export_still(s, 0.5, tmp_path / "ref.png")) as im:
        assert np.array_equal(webp[..., 3], np.asarray(im)[..., 3])
        visible = webp[..., 3] > 0
        assert np.array_equal(webp[visible], np.asarray(im)[visible])


def test_renderer_save_frame(tmp_path):
    r = rf.Renderer(half_transparent_scene())
    r.save_frame(9, tmp_path / "f9.png")
    with Image.open(tmp_path / "f9.png") as im:
        assert np.array_equal(np.asarray(im), unpremultiply(r.render_frame(9)))
    r.save_frame(0, tmp_path / "x.img", format="jpeg")
    assert Image.open(tmp_path / "x.img").format == "JPEG"


def test_still_errors_leave_nothing(tmp_path):
    s = half_transparent_scene()
    with pytest.raises(rf.SceneError, match="outside the scene"):
        rf.export_still(s, 1.0, tmp_path / "f.png")
    with pytest.raises(rf.SceneError, match="extension '.bmpx'"):
        rf.export_still(s, 0, tmp_path / "f.bmpx")
    with pytest.raises(rf.SceneError, match="unknown still format 'tiff'"):
        rf.export_still(s, 0, tmp_path / "f.png", format="tiff")
    with pytest.raises(rf.SceneError, match="quality"):
        rf.export_still(s, 0, tmp_path / "f.jpg", quality=0)
    with pytest.raises(rf.SceneError, match="folder does not exist"):
        rf.export_still(s, 0, tmp_path / "nope" / "f.png")
    with pytest.raises(ValueError, match="uint8"):
        save_rgba(np.zeros((4, 4, 3), np.uint8), tmp_path / "f.png")
    assert list(tmp_path.iterdir()) == []
