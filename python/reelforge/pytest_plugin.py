"""pytest plugin providing the ``frame_snapshot`` golden-frame fixture.

Registered through the ``pytest11`` entry point ``reelforge``; load it explicitly with
``-p reelforge.pytest_plugin``. Goldens live in ``goldens/<name>.png`` next to the
test file; ``pytest --reelforge-update-goldens`` (re)writes them.
"""
from __future__ import annotations

import re

import pytest

from .testing import UPDATE_GOLDENS_OPTION, _artifact_paths, _check_image, _to_rgba, \
    assert_frame_matches, save_png

_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,127}")


def pytest_addoption(parser):
    parser.getgroup("reelforge").addoption(
        UPDATE_GOLDENS_OPTION, action="store_true", default=False,
        help="(re)write golden frames used by the frame_snapshot fixture instead of comparing")


@pytest.fixture
def frame_snapshot(request):
    """Return ``check(frame, name, *, min_psnr=40.0, min_ssim=0.98)``.

    ``frame`` is a uint8 (H, W, 4) RGBA (or (H, W, 3) RGB) array; ``name`` a file stem
    (letters, digits, ``_``, ``-``; no leading ``-``; else ``ValueError``). The golden is
    ``<test file dir>/goldens/<name>.png``. With ``--reelforge-update-goldens`` the golden
    is (re)written and the check passes; otherwise
    :func:`reelforge.testing.assert_frame_matches` is applied.
    """
    update = request.config.getoption(UPDATE_GOLDENS_OPTION)
    golden_dir = request.path.parent / "goldens"

    def check(frame, name: str, *, min_psnr: float = 40.0, min_ssim: float = 0.98) -> None:
        __tracebackhide__ = True  # failures point at the test, not at this helper
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
            raise ValueError(f"invalid golden name {name!r}: use 1-128 letters, digits, '_' "
                             "or '-' (not starting with '-')")
        golden = golden_dir / f"{name}.png"
        if update:
            save_png(golden, _to_rgba(_check_image(frame, "frame")))
            for stale in _artifact_paths(golden, None):
                stale.unlink(missing_ok=True)
        else:
            assert_frame_matches(frame, golden, min_psnr=min_psnr, min_ssim=min_ssim)

    return check
