"""Frame regression-testing helpers (golden-image comparison).

Frames are ``numpy.uint8`` arrays of shape ``(H, W, 3)`` (RGB) or ``(H, W, 4)``
(RGBA, straight alpha), e.g. the result of ``Renderer.render_frame(i)``.
Golden images are PNG files. Used by the ``frame_snapshot`` pytest fixture in
:mod:`reelforge.pytest_plugin`; requires scikit-image and Pillow.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

__all__ = ["UPDATE_GOLDENS_OPTION", "psnr", "ssim", "load_png", "save_png", "assert_frame_matches"]

#: pytest command-line flag that (re)writes golden images instead of comparing.
UPDATE_GOLDENS_OPTION = "--reelforge-update-goldens"
_DIFF_GAIN = 4  # amplification of the absolute difference in diff images


def _check_image(a, what: str = "image") -> np.ndarray:
    a = np.asarray(a)
    if a.dtype != np.uint8 or a.ndim != 3 or a.shape[2] not in (3, 4):
        raise ValueError(f"{what} must be a uint8 array of shape (H, W, 3) or (H, W, 4), "
                         f"got dtype {a.dtype} and shape {a.shape}")
    return a


def _check_pair(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        raise ValueError(f"images differ in shape/dtype: {a.shape} {a.dtype} vs {b.shape} {b.dtype}")
    return _check_image(a), _check_image(b)


def psnr(a, b) -> float:
    """Peak signal-to-noise ratio of two images, in decibels (dB).

    ``PSNR = 10 * log10(MAX**2 / MSE)`` with ``MAX = 255`` and the MSE taken over
    all pixels and all channels (alpha included for RGBA); computed with
    ``skimage.metrics.peak_signal_noise_ratio``. Higher is more similar.

    Args:
        a, b: uint8 arrays of identical shape ``(H, W, 3)`` or ``(H, W, 4)``.
    Returns:
        PSNR in dB; ``math.inf`` for identical images.
    Raises:
        ValueError: shapes/dtypes differ (both are named) or are not uint8 (H, W, 3|4).
    """
    a, b = _check_pair(a, b)
    if np.array_equal(a, b):
        return math.inf
    from skimage.metrics import peak_signal_noise_ratio
    return float(peak_signal_noise_ratio(a, b, data_range=255))


def ssim(a, b) -> float:
    """Mean structural similarity index (SSIM) of two images, in [-1, 1] (1 = identical).

    SSIM as defined by Wang, Bovik, Sheikh & Simoncelli, "Image quality assessment:
    from error visibility to structural similarity", IEEE Trans. Image Processing
    13(4):600-612, 2004; computed with ``skimage.metrics.structural_similarity``
    (``data_range=255``, ``channel_axis=-1``, its default 7x7 uniform window,
    shrunk to the largest odd size that fits for frames smaller than 7 px),
    averaged over all channels (alpha included for RGBA).

    Args:
        a, b: uint8 arrays of identical shape ``(H, W, 3)`` or ``(H, W, 4)``, H, W >= 3.
    Raises:
        ValueError: shapes/dtypes differ (both are named), are not uint8 (H, W, 3|4),
            or the frame is smaller than 3x3.
    """
    a, b = _check_pair(a, b)
    win = min(7, a.shape[0], a.shape[1])
    win -= 1 - win % 2
    if win < 3:
        raise ValueError(f"SSIM needs images of at least 3x3 pixels, got shape {a.shape}")
    from skimage.metrics import structural_similarity
    return float(structural_similarity(a, b, win_size=win, data_range=255, channel_axis=-1))


def load_png(path: str | os.PathLike) -> np.ndarray:
    """Load an image file (PNG) with Pillow as a uint8 RGBA array of shape ``(H, W, 4)``.

    Images without alpha get alpha 255. Raises ``FileNotFoundError`` if missing.
    """
    from PIL import Image
    with Image.open(path) as im:
        return np.asarray(im.convert("RGBA"), dtype=np.uint8).copy()


def save_png(path: str | os.PathLike, array) -> None:
    """Save a uint8 ``(H, W, 3)`` (RGB) or ``(H, W, 4)`` (RGBA) array as a PNG.

    Parent directories are created. Raises ``ValueError`` for other shapes/dtypes.
    """
    from PIL import Image
    array = np.ascontiguousarray(_check_image(array))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path, format="PNG")


def _to_rgba(a: np.ndarray) -> np.ndarray:
    if a.shape[2] == 4:
        return a
    return np.concatenate([a, np.full(a.shape[:2] + (1,), 255, np.uint8)], axis=2)


def _artifact_paths(golden: Path, diff_path) -> tuple[Path, Path]:
    diff = Path(diff_path) if diff_path is not None else golden.with_name(golden.stem + ".diff.png")
    return diff, golden.with_name(golden.stem + ".actual.png")


def assert_frame_matches(frame, golden_png: str | os.PathLike, *, min_psnr: float = 40.0,
                         min_ssim: float = 0.98, diff_path: str | os.PathLike | None = None) -> None:
    """Assert that a rendered frame matches a golden PNG within PSNR/SSIM thresholds.

    Args:
        frame: uint8 array ``(H, W, 4)`` RGBA (``(H, W, 3)`` RGB is taken as opaque),
            e.g. ``Renderer.render_frame(i)``.
        golden_png: path of the golden PNG (loaded as RGBA).
        min_psnr: minimum PSNR in dB (see :func:`psnr`).
        min_ssim: minimum SSIM (see :func:`ssim`).
        diff_path: where to write the diff visualisation on failure; defaults to
            ``<golden stem>.diff.png`` next to the golden. The actual frame is written
            to ``<golden stem>.actual.png``. Both are deleted when the check passes.
    Raises:
        FileNotFoundError: the golden does not exist (create it by running pytest
            with ``--reelforge-update-goldens``).
        ValueError: ``frame`` is not a uint8 (H, W, 3|4) array.
        AssertionError: shapes differ, or PSNR < ``min_psnr`` or SSIM < ``min_ssim``;
            the message gives PSNR (dB), SSIM, the thresholds, the max absolute
            per-channel difference, the number of differing pixels, and the paths of
            the diff image (|actual - golden| of each channel, alpha difference
            folded into RGB, x4, clipped to 255, opaque) and of the actual frame.
    """
    __tracebackhide__ = True  # failures point at the test, not at this helper
    golden = Path(golden_png)
    if not golden.is_file():
        raise FileNotFoundError(f"golden image {golden} does not exist; run pytest with "
                                f"{UPDATE_GOLDENS_OPTION} to create it")
    actual = _to_rgba(_check_image(frame, "frame"))
    expected = load_png(golden)
    diff_file, actual_file = _artifact_paths(golden, diff_path)
    if actual.shape != expected.shape:
        save_png(actual_file, actual)
        diff_file.unlink(missing_ok=True)
        raise AssertionError(f"frame shape {actual.shape} does not match golden shape "
                             f"{expected.shape} ({golden}); actual frame: {actual_file}")
    p, s = psnr(actual, expected), ssim(actual, expected)
    if p >= min_psnr and s >= min_ssim:
        diff_file.unlink(missing_ok=True)
        actual_file.unlink(missing_ok=True)
        return
    diff = np.abs(actual.astype(np.int16) - expected.astype(np.int16))
    vis = np.maximum(diff[..., :3], diff[..., 3:]) * _DIFF_GAIN
    save_png(diff_file, _to_rgba(np.clip(vis, 0, 255).astype(np.uint8)))
    save_png(actual_file, actual)
    n_diff = int(np.count_nonzero(diff.any(axis=2)))
    raise AssertionError(
        f"frame does not match golden {golden}:\n"
        f"  PSNR {p:.2f} dB (min {min_psnr} dB), SSIM {s:.4f} (min {min_ssim})\n"
        f"  max abs channel difference {int(diff.max())}, "
        f"{n_diff} of {diff.shape[0] * diff.shape[1]} pixels differ\n"
        f"  diff image: {diff_file}\n  actual frame: {actual_file}\n"
        f"  (run pytest with {UPDATE_GOLDENS_OPTION} to accept the new frame)")
