"""Tests for reelforge.testing (PSNR/SSIM golden-frame checks) and the pytest plugin."""
import math

import numpy as np
import pytest

from reelforge.testing import assert_frame_matches, load_png, psnr, save_png, ssim

pytest_plugins = ["pytester"]

OPTION = "--reelforge-update-goldens"


def textured_frame(h=64, w=96):
    """Deterministic RGBA test frame: gradient + 8 px checkerboard + a disc."""
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 4), np.uint8)
    img[..., 0] = x * 255 // (w - 1)
    img[..., 1] = np.where(((x // 8) + (y // 8)) % 2, 200, 40)
    img[..., 2] = y * 255 // (h - 1)
    img[(x - w // 2) ** 2 + (y - h // 2) ** 2 < (h // 4) ** 2, :3] = (250, 250, 20)
    img[..., 3] = 255
    return img


def shifted(frame):
    return np.roll(frame, 1, axis=1)


# --- metrics ---------------------------------------------------------------

def test_psnr_matches_formula_for_one_channel_off_by_10():
    a = textured_frame(16, 16)
    b = a.copy()
    b[3, 5, 1] = a[3, 5, 1] + 10 if a[3, 5, 1] < 200 else a[3, 5, 1] - 10
    mse = 10 ** 2 / a.size  # one channel of one pixel off by 10; all 4 channels averaged
    assert psnr(a, b) == pytest.approx(10 * math.log10(255 ** 2 / mse))


def test_psnr_identical_is_inf():
    a = textured_frame()
    assert psnr(a, a.copy()) == math.inf
    assert ssim(a, a.copy()) == pytest.approx(1.0)


def test_ssim_of_constant_images_matches_formula():
    # constant images: variances/covariance vanish, SSIM = (2 mu_a mu_b + C1) / (mu_a^2 + mu_b^2 + C1)
    a = np.full((20, 24, 3), 100, np.uint8)
    b = np.full((20, 24, 3), 110, np.uint8)
    c1 = (0.01 * 255) ** 2
    assert ssim(a, b) == pytest.approx((2 * 100 * 110 + c1) / (100 ** 2 + 110 ** 2 + c1))


def test_ssim_drops_for_shift_and_handles_small_frames():
    a = textured_frame()
    assert ssim(a, shifted(a)) < 0.98
    tiny = textured_frame(4, 5)
    assert ssim(tiny, tiny) == pytest.approx(1.0)


def test_metrics_reject_mismatched_inputs():
    a = textured_frame(16, 16)
    with pytest.raises(ValueError, match=r"\(16, 16, 4\).*\(16, 17, 4\)"):
        psnr(a, textured_frame(16, 17))
    with pytest.raises(ValueError, match=r"\(16, 16, 4\).*\(16, 16, 3\)"):
        ssim(a, a[..., :3])
    with pytest.raises(ValueError, match="float"):
        psnr(a, a.astype(np.float32))
    with pytest.raises(ValueError, match="uint8"):
        psnr(a[..., 0], a[..., 0])


def test_png_roundtrip(tmp_path):
    a = textured_frame()
    save_png(tmp_path / "sub" / "a.png", a)
    assert np.array_equal(load_png(tmp_path / "sub" / "a.png"), a)
    save_png(tmp_path / "rgb.png", a[..., :3])
    rgb = load_png(tmp_path / "rgb.png")
    assert rgb.dtype == np.uint8 and rgb.shape == a.shape
    assert np.array_equal(rgb[..., :3], a[..., :3]) and (rgb[..., 3] == 255).all()
    with pytest.raises(ValueError):
        save_png(tmp_path / "bad.png", a.astype(np.float32))


# --- assert_frame_matches -----------------------------------------------------

def test_unchanged_frame_passes_and_removes_stale_artifacts(tmp_path):
    frame = textured_frame()
    golden = tmp_path / "scene.png"
    save_png(golden, frame)
    stale = [tmp_path / "scene.diff.png", tmp_path / "scene.actual.png"]
    for p in stale:
        p.write_bytes(b"stale")
    assert_frame_matches(frame, golden)
    assert not any(p.exists() for p in stale)


def test_one_pixel_shift_fails_with_report_and_diff_image(tmp_path):
    frame = textured_frame()
    golden = tmp_path / "scene.png"
    save_png(golden, frame)
    with pytest.raises(AssertionError) as exc:
        assert_frame_matches(shifted(frame), golden)
    msg = str(exc.value)
    for part in ("PSNR", "dB", "SSIM", "min 40.0", "min 0.98", "max abs channel difference",
                 "pixels differ", "scene.diff.png", "scene.actual.png"):
        assert part in msg
    diff = load_png(tmp_path / "scene.diff.png")
    assert diff.shape == frame.shape and (diff[..., 3] == 255).all() and diff[..., :3].max() > 0
    assert np.array_equal(load_png(tmp_path / "scene.actual.png"), shifted(frame))
    # custom diff path
    custom = tmp_path / "out" / "d.png"
    with pytest.raises(AssertionError, match="d.png"):
        assert_frame_matches(shifted(frame), golden, diff_path=custom)
    assert custom.exists()


def test_small_change_within_thresholds_passes(tmp_path):
    frame = textured_frame()
    golden = tmp_path / "g.png"
    save_png(golden, frame)
    noisy = frame.copy()
    noisy[10, 10, 0] ^= 1
    assert_frame_matches(noisy, golden)
    with pytest.raises(AssertionError, match="PSNR"):
        assert_frame_matches(noisy, golden, min_psnr=math.inf)


def test_shape_mismatch_and_missing_golden(tmp_path):
    golden = tmp_path / "g.png"
    save_png(golden, textured_frame(32, 32))
    with pytest.raises(AssertionError, match=r"\(32, 48, 4\).*\(32, 32, 4\)"):
        assert_frame_matches(textured_frame(32, 48), golden)
    with pytest.raises(FileNotFoundError, match=OPTION):
        assert_frame_matches(textured_frame(), tmp_path / "missing.png")


# --- pytest plugin ----------------------------------------------------------------

INNER = '''
import numpy as np
import pytest

def frame():
    h, w = 64, 96
    y, x = np.mgrid[0:h, 0:w]
    img = np.full((h, w, 4), 255, np.uint8)
    img[..., 0] = x * 255 // (w - 1)
    img[..., 1] = np.where(((x // 8) + (y // 8)) % 2, 200, 40)
    img[..., 2] = y * 255 // (h - 1)
    return np.roll(img, SHIFT, axis=1)

def test_scene(frame_snapshot):
    frame_snapshot(frame(), "scene")

def test_bad_name(frame_snapshot):
    for bad in ("../x", "a/b", "", "-x", "a.png", 3):
        with pytest.raises(ValueError):
            frame_snapshot(frame(), bad)
'''


def _run(pytester, *args):
    return pytester.runpytest("-p", "reelforge.pytest_plugin", "-p", "no:cacheprovider", *args)


def test_plugin_update_then_compare_then_fail(pytester, monkeypatch):
    # don't also autoload the installed entry point (would register the module twice)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    golden = pytester.path / "goldens" / "scene.png"
    pytester.makepyfile(test_snap=INNER.replace("SHIFT", "0"))

    result = _run(pytester)  # no golden yet
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([f"*FileNotFoundError*{OPTION}*"])
    assert not golden.exists()

    _run(pytester, OPTION).assert_outcomes(passed=2)
    assert golden.is_file() and load_png(golden).shape == (64, 96, 4)

    _run(pytester).assert_outcomes(passed=2)

    pytester.makepyfile(test_snap=INNER.replace("SHIFT", "1"))
    result = _run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*AssertionError*", "*PSNR*dB*SSIM*"])
    assert (golden.parent / "scene.diff.png").is_file()
    assert (golden.parent / "scene.actual.png").is_file()

    _run(pytester, OPTION).assert_outcomes(passed=2)  # accept the new frame
    assert not (golden.parent / "scene.diff.png").exists()
    _run(pytester).assert_outcomes(passed=2)


def test_plugin_registers_option(pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    _run(pytester, "--help").stdout.fnmatch_lines([f"*{OPTION}*"])
