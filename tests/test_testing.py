"""Tests for reelforge.testing (PSNR/SSIM golden-frame checks) and the pytest plugin."""
import math

import numpy as np
import pytest

from reelforge.testing import (FrameMismatch, Tolerance, assert_frame_matches, compare, default_artifacts_dir,
                               load_png, profile_for_device, psnr, save_png, ssim)

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

def square_frame(dx=0, h=360, w=640):
    """640x360 grey frame with an 80x80 white square, moved right by ``dx`` pixels."""
    img = np.full((h, w, 4), 40, np.uint8)
    img[..., 3] = 255
    img[140:220, 280 + dx:360 + dx, :3] = 134  # contrast 94: PSNR 41.5 dB when shifted
    return img


def test_one_pixel_shift_of_square_fails_by_default_but_global_metrics_pass(tmp_path):
    golden = tmp_path / "g" / "square.png"
    save_png(golden, square_frame())
    a, b = square_frame(1), square_frame()
    # the old global checks alone would have passed this shift
    assert psnr(a, b) > 40 and ssim(a, b) > 0.98
    with pytest.raises(AssertionError) as exc:
        assert_frame_matches(a, golden, artifacts_dir=tmp_path / "art")
    msg = str(exc.value)
    assert "160 of 230400 pixels differ" in msg and "atol=2" in msg
    for profile in ("default", "lavapipe", "gpu"):  # every non-exact profile still catches it
        assert not compare(a, b, profile).passed
    assert compare(square_frame(), b).passed


def test_failure_writes_artifacts_outside_the_golden_folder(tmp_path):
    golden = tmp_path / "goldens" / "scene.png"
    frame = textured_frame()
    save_png(golden, frame)
    with pytest.raises(FrameMismatch) as exc:
        assert_frame_matches(shifted(frame), golden, artifacts_dir=tmp_path / "art")
    e = exc.value
    assert sorted(p.name for p in golden.parent.iterdir()) == ["scene.png"]
    assert set(e.artifacts) == {"actual", "diff", "side_by_side"}
    for p in e.artifacts.values():
        assert p.parent == tmp_path / "art" and str(p) in str(e)
    assert np.array_equal(load_png(e.artifacts["actual"]), shifted(frame))
    side = load_png(e.artifacts["side_by_side"])
    assert side.shape == (64, 3 * 96 + 8, 4)
    assert np.array_equal(side[:, :96], frame) and np.array_equal(side[:, 100:196], shifted(frame))
    diff = load_png(e.artifacts["diff"])
    # pixels beyond atol are magenta; equal pixels black
    assert (diff[e.comparison.diff_mask][:, :3] == (255, 0, 255)).all()
    assert (diff[~e.comparison.diff_mask][:, :3] <= 2 * 4).all()


def test_default_artifacts_dir_is_temporary(tmp_path):
    golden = tmp_path / "g.png"
    save_png(golden, textured_frame())
    with pytest.raises(FrameMismatch) as exc:
        assert_frame_matches(shifted(textured_frame()), golden)
    assert exc.value.artifacts["actual"].parent == default_artifacts_dir()
    assert not (tmp_path / "g.actual.png").exists()


def test_atol_per_channel_and_pixel_count_limits():
    a = square_frame()
    b = a.copy()
    b[:10, :10, 0] += 3  # 100 pixels, red +3
    assert not compare(b, a).passed  # atol 2: 100 px > 1e-4 * 230400 = 23
    assert compare(b, a, atol=3).passed
    assert compare(b, a, atol=(3, 0, 0, 0)).passed
    assert not compare(b, a, atol=(2, 9, 9, 9)).passed
    assert compare(b, a, max_diff_fraction=1.0, max_diff_pixels=100).passed
    assert not compare(b, a, Tolerance(atol=2, max_diff_pixels=99, max_diff_fraction=None)).passed
    c = compare(b, a, max_diff_fraction=1.0)
    assert c.diff_pixels == 100 and c.max_abs_diff == 3 and c.compared_pixels == 640 * 360
    # RGB frames are opaque RGBA; RGB atol triple gives alpha its largest value
    assert compare(b[..., :3], a).passed is False and compare(b[..., :3], a, atol=(3, 1, 1)).passed


def test_psnr_and_ssim_are_still_checked():
    rng = np.random.default_rng(1)
    a = textured_frame()
    noisy = np.clip(a.astype(int) + rng.integers(-2, 3, a.shape), 0, 255).astype(np.uint8)
    noisy[..., 3] = 255
    assert compare(noisy, a).passed  # every channel within atol=2
    c = compare(noisy, a, min_psnr=60.0)
    assert not c.passed and any("PSNR" in f for f in c.failures)
    c = compare(noisy, a, min_ssim=0.9999)
    assert not c.passed and any("SSIM" in f for f in c.failures)
    exact = compare(noisy, a, "exact")
    assert not exact.passed and exact.ssim is None  # exact checks pixels only


def test_mask_ignores_regions(tmp_path):
    a, b = square_frame(1), square_frame()
    rects = [(270, 130, 100, 100)]
    assert compare(a, b, mask=rects).passed
    arr = np.zeros((360, 640), bool)
    arr[140:220, 280:361] = True
    c = compare(a, b, mask=arr)
    assert c.passed and c.compared_pixels == 640 * 360 - 80 * 81 and c.psnr == math.inf
    assert not compare(a, b, mask=[(0, 0, 10, 10)]).passed
    golden = tmp_path / "g.png"
    save_png(golden, b)
    assert_frame_matches(a, golden, mask=rects)
    with pytest.raises(ValueError, match="shape"):
        compare(a, b, mask=np.zeros((3, 3), bool))
    with pytest.raises(ValueError, match="x, y, width, height"):
        compare(a, b, mask=[(1, 2, 3)])


def test_profiles():
    assert profile_for_device("llvmpipe (LLVM 15.0.6, 256 bits)") == "lavapipe"
    assert profile_for_device("NVIDIA H200") == "gpu"
    assert profile_for_device(None) == "default"
    a = square_frame()
    b = a.copy()
    b[0, 0, 1] += 1
    assert compare(b, a).passed and not compare(b, a, "exact").passed
    with pytest.raises(ValueError, match="unknown tolerance profile 'nope'"):
        compare(a, a, "nope")
    with pytest.raises(ValueError, match="atol"):
        Tolerance(atol=300)
    with pytest.raises(ValueError, match="max_diff_fraction"):
        Tolerance(max_diff_fraction=2)


def test_unchanged_frame_passes_and_returns_figures(tmp_path):
    frame = textured_frame()
    golden = tmp_path / "scene.png"
    save_png(golden, frame)
    c = assert_frame_matches(frame, golden)
    assert c.passed and c.psnr == math.inf and c.diff_pixels == 0


def test_shape_mismatch_and_missing_golden(tmp_path):
    golden = tmp_path / "g.png"
    save_png(golden, textured_frame(32, 32))
    with pytest.raises(AssertionError, match=r"\(32, 48, 4\).*\(32, 32, 4\)"):
        assert_frame_matches(textured_frame(32, 48), golden, artifacts_dir=tmp_path / "a")
    assert (tmp_path / "a" / "g.actual.png").is_file()
    with pytest.raises(FileNotFoundError, match=OPTION):
        assert_frame_matches(textured_frame(), tmp_path / "missing.png")


# --- pytest plugin ----------------------------------------------------------------

INNER = '''
import numpy as np
import pytest

def frame(dx=SHIFT):
    img = np.full((360, 640, 4), 40, np.uint8)
    img[..., 3] = 255
    img[140:220, 280 + dx:360 + dx, :3] = 134  # contrast 94: PSNR 41.5 dB when shifted
    return img

def test_scene(frame_snapshot):
    frame_snapshot(frame(), "scene")

def test_bad_name(frame_snapshot):
    for bad in ("../x", "a/b", "", "-x", "a.png", 3):
        with pytest.raises(ValueError):
            frame_snapshot(frame(), bad)
'''


def _run(pytester, *args):
    return pytester.runpytest("-p", "reelforge.pytest_plugin", "-p", "no:cacheprovider", *args)


@pytest.fixture
def plug(pytester, monkeypatch):
    # don't also autoload the installed entry point (would register the module twice)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    return pytester


def test_plugin_update_then_compare_then_fail(plug):
    golden = plug.path / "goldens" / "scene.png"
    plug.makepyfile(test_snap=INNER.replace("SHIFT", "0"))

    result = _run(plug)  # no golden yet
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([f"*FileNotFoundError*{OPTION}*"])
    assert not golden.exists()

    _run(plug, OPTION).assert_outcomes(passed=2)
    assert golden.is_file() and load_png(golden).shape == (360, 640, 4)
    mtime = golden.stat().st_mtime_ns
    _run(plug, OPTION).assert_outcomes(passed=2)
    assert golden.stat().st_mtime_ns == mtime  # unchanged pixels: file left alone

    _run(plug).assert_outcomes(passed=2)

    plug.makepyfile(test_snap=INNER.replace("SHIFT", "1"))  # the 1-px shift
    art = plug.path / "art"
    result = _run(plug, "--reelforge-artifacts", str(art))
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*FrameMismatch*", "*160 of 230400 pixels differ*"])
    assert sorted(p.name for p in golden.parent.iterdir()) == ["scene.png"]  # nothing beside goldens
    folder = art / "test_snap__test_scene"
    assert sorted(p.name for p in folder.iterdir()) == ["scene.actual.png", "scene.diff.png",
                                                        "scene.side-by-side.png"]

    _run(plug, OPTION).assert_outcomes(passed=2)  # accept the new frame
    _run(plug).assert_outcomes(passed=2)


def test_plugin_artifacts_default_under_basetemp(plug):
    plug.makepyfile(test_snap=INNER.replace("SHIFT", "0"))
    _run(plug, OPTION)
    plug.makepyfile(test_snap=INNER.replace("SHIFT", "1"))
    base = plug.path / "bt"
    _run(plug, "--basetemp", str(base)).assert_outcomes(passed=1, failed=1)
    assert (base / "reelforge-artifacts" / "test_snap__test_scene" / "scene.diff.png").is_file()


def test_plugin_default_names_and_duplicates(plug):
    plug.makepyfile(test_names='''
import numpy as np
import pytest

F = np.zeros((8, 8, 4), np.uint8)

@pytest.mark.parametrize("k", ["a b", 2])
def test_param(frame_snapshot, k):
    frame_snapshot(F)
    frame_snapshot(F)

class TestGroup:
    def test_m(self, frame_snapshot):
        frame_snapshot(F)

def test_dup_1(frame_snapshot):
    frame_snapshot(F, "same")

def test_dup_2(frame_snapshot):
    frame_snapshot(F, "same")
''')
    result = _run(plug, OPTION)
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["*DuplicateGoldenError*same.png*used twice*test_dup_1*test_dup_2*",
                                 "*reelforge: duplicate golden names*"])
    names = sorted(p.name for p in (plug.path / "goldens").iterdir())
    assert names == ["same.png", "test_names__TestGroup__test_m.png", "test_names__test_param_2.png",
                     "test_names__test_param_2_2.png", "test_names__test_param_a_b.png",
                     "test_names__test_param_a_b_2.png"]


def test_plugin_reports_unused_goldens_and_html(plug):
    plug.makepyfile(test_snap=INNER.replace("SHIFT", "0"))
    _run(plug, OPTION)
    save_png(plug.path / "goldens" / "orphan.png", np.zeros((4, 4, 4), np.uint8))
    plug.makepyfile(test_snap=INNER.replace("SHIFT", "1"))
    report = plug.path / "out" / "report.html"
    result = _run(plug, "--reelforge-report", str(report))
    result.stdout.fnmatch_lines(["*reelforge: goldens no test used*", "*orphan.png*",
                                 f"*reelforge report: {report}*"])
    page = report.read_text()
    assert "test_snap.py::test_scene" in page and "orphan.png" in page
    assert page.count("data:image/png;base64,") == 3  # golden | actual | diff
    for label in ('alt="golden"', 'alt="actual"', 'alt="diff"'):
        assert label in page


def test_plugin_tolerance_option_and_frames_snapshot(plug):
    plug.makepyfile(test_multi='''
import numpy as np

class FakeRenderer:
    device = "llvmpipe (LLVM)"
    def __init__(self, bump=0):
        self.bump = bump
    def render_frame(self, i):
        f = np.full((32, 48, 4), 2 * i, np.uint8)
        f[..., 3] = 255
        if i == 30:
            f[:, :, 0] += self.bump
        return f

def test_frames(frames_snapshot, request):
    frames_snapshot(FakeRenderer(int(request.config.getoption("--reelforge-tolerance") == "exact")),
                    [0, 30, 60], "clip")
''')
    _run(plug, OPTION).assert_outcomes(passed=1)
    assert sorted(p.name for p in (plug.path / "goldens").iterdir()) == [
        "clip_f00000.png", "clip_f00030.png", "clip_f00060.png"]
    _run(plug).assert_outcomes(passed=1)
    result = _run(plug, "--reelforge-tolerance", "exact")  # a 1-level change only "exact" sees
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*clip_f00030.png*"])
    _run(plug, "--reelforge-tolerance", "nope").stdout.fnmatch_lines(["*unknown tolerance profile 'nope'*"])


def test_plugin_registers_options(plug):
    out = _run(plug, "--help")
    out.stdout.fnmatch_lines([f"*{OPTION}*"])
    for opt in ("--reelforge-artifacts", "--reelforge-report", "--reelforge-tolerance"):
        assert opt in out.stdout.str()
