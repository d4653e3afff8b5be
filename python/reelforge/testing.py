"""Frame regression-testing helpers (golden-image comparison).

Frames are ``numpy.uint8`` arrays of shape ``(H, W, 3)`` (RGB) or ``(H, W, 4)`` (RGBA), e.g. the
result of ``Renderer.render_frame(i)``. Golden images are PNG files. A frame matches its golden
when every check of a :class:`Tolerance` passes:

* per pixel: a pixel *differs* when any channel differs by more than ``atol`` (0-255 levels, one
  value or one per channel); at most ``max_diff_pixels`` pixels and at most ``max_diff_fraction``
  of the compared pixels may differ (this is what catches a layer moved by one pixel, which
  global metrics average away);
* globally: PSNR >= ``min_psnr`` dB and SSIM >= ``min_ssim``.

Regions can be ignored with a ``mask``. Named tolerance profiles (:data:`TOLERANCE_PROFILES`)
absorb the rounding differences between Vulkan implementations (lavapipe on the CPU vs a GPU).
On a mismatch the actual frame, a diff image and a golden | actual | diff side-by-side are written
to an artefacts folder (never next to the golden) and :class:`FrameMismatch` is raised.

Used by the ``frame_snapshot``, ``frames_snapshot`` and ``file_snapshot`` pytest fixtures in
:mod:`reelforge.pytest_plugin`. Needs Pillow; SSIM needs scikit-image (``reelforge[testing]``).
"""
from __future__ import annotations

import dataclasses
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence, Union

import numpy as np

__all__ = ["UPDATE_GOLDENS_OPTION", "Tolerance", "TOLERANCE_PROFILES", "profile_for_device", "Comparison",
           "FrameMismatch", "compare", "psnr", "ssim", "load_png", "save_png", "assert_frame_matches",
           "write_artifacts", "make_mask", "default_artifacts_dir"]

#: pytest command-line flag that (re)writes golden images instead of comparing.
UPDATE_GOLDENS_OPTION = "--reelforge-update-goldens"
_DIFF_GAIN = 4  # amplification of the absolute difference in diff images

#: A mask: a bool array ``(H, W)`` (True = ignore that pixel) or rectangles ``(x, y, w, h)`` in pixels.
MaskLike = Union[np.ndarray, Sequence[Sequence[int]], None]
#: A path given as str or os.PathLike.
StrPath = Union[str, "os.PathLike[str]"]
#: Anything numpy turns into an image array.
ArrayLike = Any


@dataclass(frozen=True)
class Tolerance:
    """How far a frame may be from its golden.

    Attributes:
        atol: largest per-channel absolute difference (0-255 levels) at which a pixel still counts
            as equal: one int for every channel or a tuple with one per channel (R, G, B[, A]).
        max_diff_pixels: most pixels allowed to differ (beyond ``atol``); None = no count limit.
        max_diff_fraction: most pixels allowed to differ as a fraction 0..1 of the compared
            (unmasked) pixels; None = no fraction limit.
        min_psnr: least PSNR in dB (see :func:`psnr`); None = not checked.
        min_ssim: least SSIM in [-1, 1] (see :func:`ssim`); None = not checked.
    """

    atol: int | tuple[int, ...] = 2
    max_diff_pixels: int | None = None
    max_diff_fraction: float | None = 1e-4
    min_psnr: float | None = 40.0
    min_ssim: float | None = 0.98

    def __post_init__(self) -> None:
        atol = self.atol if isinstance(self.atol, tuple) else (self.atol,)
        if not atol or not all(isinstance(a, (int, np.integer)) and 0 <= a <= 255 for a in atol):
            raise ValueError(f"atol must be an int 0..255 or a tuple of them per channel, got {self.atol!r}")
        if self.max_diff_pixels is not None and not (isinstance(self.max_diff_pixels, int)
                                                     and self.max_diff_pixels >= 0):
            raise ValueError(f"max_diff_pixels must be an int >= 0 or None, got {self.max_diff_pixels!r}")
        if self.max_diff_fraction is not None and not 0 <= self.max_diff_fraction <= 1:
            raise ValueError(f"max_diff_fraction must be in 0..1 or None, got {self.max_diff_fraction!r}")

    def replace(self, **overrides: Any) -> "Tolerance":
        """A copy with the given fields changed (fields given as None keep their value here)."""
        return dataclasses.replace(self, **{k: v for k, v in overrides.items() if v is not None})


#: Named tolerance profiles. ``default`` (= ``lavapipe``) suits goldens made and checked on the
#: same Vulkan implementation; ``gpu`` absorbs the filtering/rounding differences of hardware
#: GPUs against lavapipe-made goldens (still failing a 1-px shift of an 80x80 square on
#: 640x360: 160 pixels = 6.9e-4 of the frame); ``exact`` demands identical pixels. Add your own
#: entries (e.g. in conftest.py) and select them with ``--reelforge-tolerance NAME``.
TOLERANCE_PROFILES: dict[str, Tolerance] = {
    "default": Tolerance(),
    "lavapipe": Tolerance(),
    "gpu": Tolerance(atol=4, max_diff_fraction=5e-4, min_psnr=38.0, min_ssim=0.97),
    "exact": Tolerance(atol=0, max_diff_pixels=0, max_diff_fraction=None, min_psnr=None, min_ssim=None),
}


def profile_for_device(device: str | None) -> str:
    """Profile name for a Vulkan device name (``Renderer.device``): ``lavapipe`` for Mesa's CPU
    implementation (llvmpipe/lavapipe), ``gpu`` for anything else, ``default`` for None."""
    if not device:
        return "default"
    d = device.lower()
    return "lavapipe" if ("llvmpipe" in d or "lavapipe" in d) else "gpu"


def _tolerance(profile: str | Tolerance | None, overrides: dict[str, Any]) -> Tolerance:
    if isinstance(profile, Tolerance):
        base = profile
    else:
        name = profile or "default"
        if name not in TOLERANCE_PROFILES:
            raise ValueError(f"unknown tolerance profile {name!r}; use one of {sorted(TOLERANCE_PROFILES)} "
                             "or add it to reelforge.testing.TOLERANCE_PROFILES")
        base = TOLERANCE_PROFILES[name]
    return base.replace(**overrides)


def _check_image(a: ArrayLike, what: str = "image") -> np.ndarray:
    a = np.asarray(a)
    if a.dtype != np.uint8 or a.ndim != 3 or a.shape[2] not in (3, 4):
        raise ValueError(f"{what} must be a uint8 array of shape (H, W, 3) or (H, W, 4), "
                         f"got dtype {a.dtype} and shape {a.shape}")
    return np.asarray(a)


def _check_pair(a: ArrayLike, b: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        raise ValueError(f"images differ in shape/dtype: {a.shape} {a.dtype} vs {b.shape} {b.dtype}")
    return _check_image(a), _check_image(b)


def psnr(a: ArrayLike, b: ArrayLike) -> float:
    """Peak signal-to-noise ratio of two images, in decibels (dB).

    ``PSNR = 10 * log10(MAX**2 / MSE)`` with ``MAX = 255`` and the MSE taken over all pixels and
    all channels (alpha included for RGBA). Higher is more similar.

    Parameters
    ----------
    a, b : uint8 arrays of identical shape ``(H, W, 3)`` or ``(H, W, 4)``.

    Returns
    -------
    float
        PSNR in dB; ``math.inf`` for identical images.

    Raises
    ------
    ValueError
        Shapes/dtypes differ (both are named) or are not uint8 (H, W, 3|4).
    """
    a, b = _check_pair(a, b)
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10.0 * math.log10(255.0 ** 2 / mse)


def ssim(a: ArrayLike, b: ArrayLike) -> float:
    """Mean structural similarity index (SSIM) of two images, in [-1, 1] (1 = identical).

    SSIM as defined by Wang, Bovik, Sheikh & Simoncelli, "Image quality assessment: from error
    visibility to structural similarity", IEEE Trans. Image Processing 13(4):600-612, 2004;
    computed with ``skimage.metrics.structural_similarity`` (``data_range=255``,
    ``channel_axis=-1``, its default 7x7 uniform window, shrunk to the largest odd size that fits
    for frames smaller than 7 px), averaged over all channels (alpha included for RGBA).

    Parameters
    ----------
    a, b : uint8 arrays of identical shape ``(H, W, 3)`` or ``(H, W, 4)``, H, W >= 3.

    Raises
    ------
    ValueError
        Shapes/dtypes differ, are not uint8 (H, W, 3|4), or the frame is smaller than 3x3.
    ImportError
        scikit-image is not installed (``pip install reelforge[testing]``).
    """
    a, b = _check_pair(a, b)
    win = min(7, a.shape[0], a.shape[1])
    win -= 1 - win % 2
    if win < 3:
        raise ValueError(f"SSIM needs images of at least 3x3 pixels, got shape {a.shape}")
    try:
        from skimage.metrics import structural_similarity
    except ImportError as e:
        raise ImportError("SSIM needs scikit-image: pip install 'reelforge[testing]' (or pass "
                          "min_ssim=None to skip the SSIM check)") from e
    value = structural_similarity(a, b, win_size=win, data_range=255, channel_axis=-1)  # type: ignore[no-untyped-call]
    return float(value)


def load_png(path: StrPath) -> np.ndarray:
    """Load an image file (PNG) with Pillow as a uint8 RGBA array of shape ``(H, W, 4)``.

    Images without alpha get alpha 255. Raises ``FileNotFoundError`` if missing.
    """
    from PIL import Image
    with Image.open(path) as im:
        rgba: np.ndarray = np.asarray(im.convert("RGBA"), dtype=np.uint8).copy()
        return rgba


def save_png(path: StrPath, array: ArrayLike) -> None:
    """Save a uint8 ``(H, W, 3)`` (RGB) or ``(H, W, 4)`` (RGBA) array as a PNG, pixels unchanged.

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


def make_mask(shape: tuple[int, ...], mask: MaskLike) -> np.ndarray | None:
    """Normalise ``mask`` to a bool ``(H, W)`` array (True = ignored) for frames of ``shape``.

    ``mask`` is None, a bool/0-1 array ``(H, W)``, or a sequence of rectangles ``(x, y, w, h)``
    in pixels (clipped to the frame). Raises ValueError for a wrong shape or a malformed rectangle.
    """
    if mask is None:
        return None
    h, w = shape[:2]
    if isinstance(mask, np.ndarray):
        if mask.shape != (h, w):
            raise ValueError(f"mask must have shape (H, W) = {(h, w)}, got {mask.shape}")
        return mask.astype(bool)
    out = np.zeros((h, w), bool)
    for rect in mask:
        if len(rect) != 4 or not all(isinstance(v, (int, np.integer)) for v in rect) or rect[2] < 0 or rect[3] < 0:
            raise ValueError(f"mask rectangles are (x, y, width, height) ints in pixels, got {rect!r}")
        x, y, rw, rh = (int(v) for v in rect)
        out[max(y, 0):max(y + rh, 0), max(x, 0):max(x + rw, 0)] = True
    return out


@dataclass(frozen=True)
class Comparison:
    """Result of :func:`compare`.

    Attributes:
        passed: every check of ``tolerance`` passed.
        failures: one human-readable line per failed check.
        tolerance: the :class:`Tolerance` applied.
        psnr: PSNR in dB over the compared pixels (``inf`` when equal).
        ssim: SSIM, or None when not checked.
        max_abs_diff: largest per-channel difference over the compared pixels (0-255).
        diff_pixels: pixels differing by more than ``atol``; ``compared_pixels``: unmasked pixels.
        diff_mask: bool ``(H, W)``, True where a pixel differs beyond ``atol``.
    """

    passed: bool
    failures: tuple[str, ...]
    tolerance: Tolerance
    psnr: float
    ssim: float | None
    max_abs_diff: int
    diff_pixels: int
    compared_pixels: int
    diff_mask: np.ndarray

    @property
    def diff_fraction(self) -> float:
        """``diff_pixels / compared_pixels`` (0 when nothing is compared)."""
        return self.diff_pixels / self.compared_pixels if self.compared_pixels else 0.0

    def summary(self) -> str:
        """One line of figures: PSNR, SSIM, max difference, differing pixels."""
        s = "-" if self.ssim is None else f"{self.ssim:.4f}"
        return (f"PSNR {self.psnr:.2f} dB, SSIM {s}, max abs channel difference {self.max_abs_diff}, "
                f"{self.diff_pixels} of {self.compared_pixels} pixels differ ({self.diff_fraction:.3%}) "
                f"by more than atol={self.tolerance.atol}")


def compare(actual: ArrayLike, expected: ArrayLike, tolerance: str | Tolerance | None = None, *, mask: MaskLike = None,
            **overrides: Any) -> Comparison:
    """Compare two frames against a tolerance; never raises for a mismatch.

    Parameters
    ----------
    actual, expected : uint8 ``(H, W, 3|4)`` arrays of the same shape (RGB is taken as opaque RGBA).
    tolerance : a profile name from :data:`TOLERANCE_PROFILES` (default ``"default"``) or a
        :class:`Tolerance`.
    mask : pixels to ignore, see :func:`make_mask`. Ignored pixels count in no check.
    **overrides : :class:`Tolerance` fields replacing the profile's (``atol=3``, ``min_ssim=None``
        is *not* possible through overrides: None means "keep"; build a Tolerance instead).

    Raises
    ------
    ValueError
        Shapes differ, bad arrays, bad mask or tolerance.
    """
    tol = _tolerance(tolerance, overrides)
    a, e = _check_pair(_to_rgba(_check_image(actual, "frame")), _to_rgba(_check_image(expected, "golden")))
    ignore = make_mask(a.shape, mask)
    if ignore is not None:  # ignored pixels take the golden's value: zero difference everywhere
        a = np.where(ignore[..., None], e, a)
    diff = np.abs(a.astype(np.int16) - e.astype(np.int16))
    atol = _atol_vector(tol.atol)
    diff_mask = (diff > atol).any(axis=2)
    compared = a.shape[0] * a.shape[1] - (int(ignore.sum()) if ignore is not None else 0)
    n_diff = int(diff_mask.sum())
    if ignore is None:
        p = psnr(a, e)
    else:  # PSNR over the compared pixels only
        keep = ~ignore
        mse = float(np.mean(diff[keep].astype(np.float64) ** 2)) if compared else 0.0
        p = math.inf if mse == 0 else 10.0 * math.log10(255.0 ** 2 / mse)
    s = None
    if tol.min_ssim is not None:
        s = 1.0 if n_diff == 0 and not diff.any() else ssim(a, e)
    failures = []
    if tol.max_diff_pixels is not None and n_diff > tol.max_diff_pixels:
        failures.append(f"{n_diff} pixels differ by more than atol={tol.atol} (max {tol.max_diff_pixels})")
    if tol.max_diff_fraction is not None and compared and n_diff / compared > tol.max_diff_fraction:
        failures.append(f"{n_diff / compared:.4%} of pixels differ by more than atol={tol.atol} "
                        f"(max {tol.max_diff_fraction:.4%} = {int(tol.max_diff_fraction * compared)} pixels)")
    if tol.min_psnr is not None and p < tol.min_psnr:
        failures.append(f"PSNR {p:.2f} dB < min {tol.min_psnr} dB")
    if s is not None and tol.min_ssim is not None and s < tol.min_ssim:
        failures.append(f"SSIM {s:.4f} < min {tol.min_ssim}")
    return Comparison(passed=not failures, failures=tuple(failures), tolerance=tol, psnr=p, ssim=s,
                      max_abs_diff=int(diff.max()) if diff.size else 0, diff_pixels=n_diff,
                      compared_pixels=compared, diff_mask=np.asarray(diff_mask))


def _atol_vector(atol: int | tuple[int, ...]) -> np.ndarray:
    """atol as 4 per-channel limits; an RGB triple gives alpha the largest of the three."""
    t = atol if isinstance(atol, tuple) else (atol,)
    if len(t) == 3:
        t = t + (max(t),)
    if len(t) not in (1, 4):
        raise ValueError(f"atol must be one int or one per channel (3 or 4 values), got {atol!r}")
    return np.broadcast_to(np.asarray(t, np.int16), (4,))


def default_artifacts_dir() -> Path:
    """Where :func:`assert_frame_matches` writes artefacts when not told: ``<tmp>/reelforge-artifacts``."""
    return Path(tempfile.gettempdir()) / "reelforge-artifacts"


def _diff_image(actual: np.ndarray, expected: np.ndarray, cmp: Comparison | None) -> np.ndarray:
    diff = np.abs(actual.astype(np.int16) - expected.astype(np.int16))
    vis = np.clip(np.maximum(diff[..., :3], diff[..., 3:]) * _DIFF_GAIN, 0, 255).astype(np.uint8)
    if cmp is not None:  # pixels beyond atol in full magenta so a faint shift is visible
        vis[cmp.diff_mask] = (255, 0, 255)
    return _to_rgba(vis)


def write_artifacts(actual: ArrayLike, expected: ArrayLike | None, folder: StrPath, stem: str,
                    comparison: Comparison | None = None) -> dict[str, Path]:
    """Write ``<stem>.actual.png``, ``<stem>.diff.png`` and ``<stem>.side-by-side.png`` into ``folder``.

    The diff is ``|actual - golden|`` per channel (alpha folded into RGB) x4, opaque, with pixels
    beyond ``atol`` painted magenta; the side-by-side is golden | actual | diff. ``expected`` may be
    None (no golden, or a different shape): only the actual frame is written.
    Returns ``{"actual": path, "diff": path, "side_by_side": path}`` for the files written.
    """
    folder = Path(folder)
    a = _to_rgba(_check_image(actual, "frame"))
    out = {"actual": folder / f"{stem}.actual.png"}
    save_png(out["actual"], a)
    if expected is not None and np.asarray(expected).shape == a.shape:
        e = _to_rgba(np.asarray(expected))
        d = _diff_image(a, e, comparison)
        out["diff"] = folder / f"{stem}.diff.png"
        save_png(out["diff"], d)
        out["side_by_side"] = folder / f"{stem}.side-by-side.png"
        sep = np.full((a.shape[0], 4, 4), (255, 0, 255, 255), np.uint8)
        save_png(out["side_by_side"], np.concatenate([e, sep, a, sep, d], axis=1))
    return out


class FrameMismatch(AssertionError):
    """A frame does not match its golden. Attributes: ``golden`` (Path), ``comparison``
    (:class:`Comparison` or None for a shape mismatch), ``artifacts`` (dict of written files)."""

    def __init__(self, message: str, golden: Path, comparison: Comparison | None,
                 artifacts: dict[str, Path]) -> None:
        super().__init__(message)
        self.golden = golden
        self.comparison = comparison
        self.artifacts = artifacts


def assert_frame_matches(frame: ArrayLike, golden_png: StrPath, tolerance: str | Tolerance | None = None, *,
                         mask: MaskLike = None, artifacts_dir: StrPath | None = None,
                         atol: int | tuple[int, ...] | None = None, max_diff_pixels: int | None = None,
                         max_diff_fraction: float | None = None, min_psnr: float | None = None,
                         min_ssim: float | None = None) -> Comparison:
    """Assert that a rendered frame matches a golden PNG (see the module docs for the checks).

    Parameters
    ----------
    frame : uint8 array ``(H, W, 4)`` RGBA (``(H, W, 3)`` RGB is taken as opaque), e.g.
        ``Renderer.render_frame(i)``.
    golden_png : path of the golden PNG (loaded as RGBA).
    tolerance : profile name (:data:`TOLERANCE_PROFILES`, default ``"default"``) or a :class:`Tolerance`.
    mask : regions to ignore (:func:`make_mask`).
    artifacts_dir : folder for the artefacts written on failure (default
        :func:`default_artifacts_dir`); never the golden's folder unless you pass it.
    atol, max_diff_pixels, max_diff_fraction, min_psnr, min_ssim : override the profile's fields.

    Returns
    -------
    Comparison
        The figures, when the frame matches.

    Raises
    ------
    FileNotFoundError
        The golden does not exist (create it by running pytest with ``--reelforge-update-goldens``).
    ValueError
        ``frame`` is not a uint8 (H, W, 3|4) array; bad mask or tolerance.
    FrameMismatch
        (an AssertionError) shapes differ or a check fails; the message lists each failed check,
        the figures, and the paths of the actual frame, the diff and the side-by-side.
    """
    __tracebackhide__ = True  # failures point at the test, not at this helper
    golden = Path(golden_png)
    if not golden.is_file():
        raise FileNotFoundError(f"golden image {golden} does not exist; run pytest with "
                                f"{UPDATE_GOLDENS_OPTION} to create it")
    actual = _to_rgba(_check_image(frame, "frame"))
    expected = load_png(golden)
    folder = Path(artifacts_dir) if artifacts_dir is not None else default_artifacts_dir()
    if actual.shape != expected.shape:
        arts = write_artifacts(actual, None, folder, golden.stem)
        raise FrameMismatch(f"frame shape {actual.shape} does not match golden shape {expected.shape} "
                            f"({golden}); actual frame: {arts['actual']}", golden, None, arts)
    cmp = compare(actual, expected, tolerance, mask=mask, atol=atol, max_diff_pixels=max_diff_pixels,
                  max_diff_fraction=max_diff_fraction, min_psnr=min_psnr, min_ssim=min_ssim)
    if cmp.passed:
        return cmp
    arts = write_artifacts(actual, expected, folder, golden.stem, cmp)
    lines = "\n".join(f"  - {f}" for f in cmp.failures)
    raise FrameMismatch(
        f"frame does not match golden {golden}:\n{lines}\n  {cmp.summary()}\n"
        f"  actual frame: {arts['actual']}\n  diff image: {arts['diff']}\n"
        f"  golden | actual | diff: {arts['side_by_side']}\n"
        f"  (run pytest with {UPDATE_GOLDENS_OPTION} to accept the new frame)", golden, cmp, arts)


def decode_frames(path: StrPath, indices: Sequence[int]) -> list[np.ndarray]:
    """Decode frames ``indices`` (display order, from 0) of a video file with the ``ffmpeg`` CLI
    (independent of reelforge's own decoder) as straight RGBA uint8 ``(H, W, 4)`` arrays.

    Raises FileNotFoundError (file or ffmpeg/ffprobe missing) and ValueError (index beyond the file).
    """
    import shutil
    import subprocess
    p = os.fspath(path)
    if not os.path.isfile(p):
        raise FileNotFoundError(f"no such video file: {p!r}")
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        raise FileNotFoundError("file snapshots decode with the ffmpeg and ffprobe command-line tools; "
                                "install FFmpeg (e.g. apt-get install ffmpeg)")
    wh = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                         "stream=width,height", "-of", "csv=p=0", p],
                        capture_output=True, text=True, check=True).stdout.strip().split(",")
    w, h = int(wh[0]), int(wh[1])
    out = []
    for i in indices:
        raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", p, "-vf",
                              f"select=eq(n\\,{int(i)}),scale=flags=bicubic+accurate_rnd+full_chroma_int",
                              "-frames:v", "1", "-pix_fmt", "rgba", "-f", "rawvideo", "-"],
                             capture_output=True, check=True).stdout
        if len(raw) < w * h * 4:
            raise ValueError(f"{p!r} has no frame {i} (ffmpeg returned {len(raw)} bytes)")
        out.append(np.frombuffer(raw[:w * h * 4], np.uint8).reshape(h, w, 4).copy())
    return out
