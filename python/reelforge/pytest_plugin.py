"""pytest plugin: golden-frame fixtures ``frame_snapshot``, ``frames_snapshot`` and ``file_snapshot``.

Registered through the ``pytest11`` entry point ``reelforge``; load it explicitly with
``-p reelforge.pytest_plugin`` when plugin autoloading is disabled.

* Goldens live in ``goldens/`` next to the test file. Their names default to the test id
  (``<module>__<test>[_<n>]`` for the n-th snapshot in one test, n >= 2); two snapshots resolving
  to the same golden file in one session are an error naming both tests (in update mode they
  would silently overwrite each other).
* ``--reelforge-update-goldens`` (re)writes goldens instead of comparing (a golden whose pixels
  did not change is left untouched, so git shows only real changes).
* On a mismatch, the actual frame, a diff and a golden | actual | diff side-by-side go to
  ``--reelforge-artifacts DIR`` (default: ``<pytest basetemp>/reelforge-artifacts``), one folder
  per test; never into ``goldens/``.
* ``--reelforge-report FILE.html``: golden | actual | diff of every failure, duplicates and
  unused goldens, in one self-contained page.
* ``--reelforge-tolerance NAME``: a profile of :data:`reelforge.testing.TOLERANCE_PROFILES`;
  ``auto`` (default) picks ``lavapipe`` or ``gpu`` from the Vulkan device that rendered.
* The terminal summary lists goldens in the used ``goldens/`` folders that no test used.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

from . import testing as _t
from ._snapshot_report import FailureRecord, write_report

ARTIFACTS_OPTION = "--reelforge-artifacts"
REPORT_OPTION = "--reelforge-report"
TOLERANCE_OPTION = "--reelforge-tolerance"
_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,127}")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


class DuplicateGoldenError(ValueError):
    """Two snapshots in one session resolve to the same golden file."""


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("reelforge", "reelforge golden frames")
    g.addoption(_t.UPDATE_GOLDENS_OPTION, action="store_true", default=False,
                help="(re)write the golden frames of frame_snapshot/frames_snapshot/file_snapshot instead of "
                     "comparing")
    g.addoption(ARTIFACTS_OPTION, metavar="DIR", default=None,
                help="folder for the actual/diff/side-by-side images of failed comparisons "
                     "(default: <pytest basetemp>/reelforge-artifacts)")
    g.addoption(REPORT_OPTION, metavar="FILE", default=None,
                help="write an HTML page with golden | actual | diff for every failed comparison")
    g.addoption(TOLERANCE_OPTION, metavar="NAME", default="auto",
                help="tolerance profile: auto (lavapipe or gpu from the Vulkan device; default), "
                     "or a name in reelforge.testing.TOLERANCE_PROFILES (default, lavapipe, gpu, exact)")


class _Session:
    """Per-session bookkeeping: goldens used, failures, duplicates, the detected device."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.used: dict[Path, str] = {}
        self.golden_dirs: set[Path] = set()
        self.failures: list[FailureRecord] = []
        self.duplicates: list[str] = []
        self._device: str | None | bool = False  # False = not probed yet

    @property
    def update(self) -> bool:
        return bool(self.config.getoption(_t.UPDATE_GOLDENS_OPTION))

    def artifacts_root(self, request: pytest.FixtureRequest) -> Path:
        opt = self.config.getoption(ARTIFACTS_OPTION)
        if opt:
            return Path(opt).resolve()
        base: Path = request.getfixturevalue("tmp_path_factory").getbasetemp()
        return base / "reelforge-artifacts"

    def device(self) -> str | None:
        """This machine's Vulkan device name (probed once with a 16x16 render), or None."""
        if self._device is False:
            try:
                from .renderer import Renderer
                from .scene import Scene
                self._device = Renderer(Scene(16, 16, fps=1, duration=1)).device
            except Exception:  # no device: comparisons still run with the default profile
                self._device = None
        return self._device  # type: ignore[return-value]

    def tolerance(self, explicit: Any, device: str | None) -> Any:
        if explicit is not None:
            return explicit
        name = self.config.getoption(TOLERANCE_OPTION)
        if name != "auto":
            return name
        return _t.profile_for_device(device if device is not None else self.device())

    def claim(self, golden: Path, nodeid: str) -> None:
        golden = golden.resolve()
        self.golden_dirs.add(golden.parent)
        prev = self.used.get(golden)
        if prev is not None:
            msg = (f"golden {golden.name} in {golden.parent} is used twice: by {prev} and by {nodeid}; "
                   "give the snapshots distinct names")
            self.duplicates.append(msg)
            raise DuplicateGoldenError(msg)
        self.used[golden] = nodeid

    def unused(self) -> list[Path]:
        found = []
        for d in sorted(self.golden_dirs):
            for p in sorted(d.glob("*.png")) + sorted(d.glob("*.audio.json")):
                if p.resolve() not in self.used:
                    found.append(p)
        return found


_SESSION_KEY = pytest.StashKey[_Session]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_SESSION_KEY] = _Session(config)


def _session(config: pytest.Config) -> _Session:
    return config.stash[_SESSION_KEY]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    s = _session(session.config)
    report = session.config.getoption(REPORT_OPTION)
    if report:
        write_report(report, s.failures, s.unused(), s.duplicates)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    s = config.stash.get(_SESSION_KEY, None)
    if s is None or not s.golden_dirs:
        return
    unused = s.unused()
    if unused:
        terminalreporter.section("reelforge: goldens no test used")
        for p in unused:
            terminalreporter.write_line(f"  {p}")
        terminalreporter.write_line("  (expected when only some tests ran; otherwise delete them)")
    if s.duplicates:
        terminalreporter.section("reelforge: duplicate golden names")
        for d in s.duplicates:
            terminalreporter.write_line(f"  {d}")
    report = config.getoption(REPORT_OPTION)
    if report and (s.failures or unused or s.duplicates):
        terminalreporter.write_line(f"reelforge report: {Path(report).resolve()}")


def default_name(request: pytest.FixtureRequest) -> str:
    """Golden stem derived from the test id: ``<module>__<class>__<test>[params]`` made file-safe
    (characters other than letters, digits, ``_`` and ``-`` become ``_``; over 128 characters the
    tail is replaced by a hash)."""
    parts = request.node.nodeid.split("::")
    stem = "__".join([Path(parts[0]).stem] + parts[1:])
    stem = _UNSAFE.sub("_", stem).strip("_") or "snapshot"
    if len(stem) > 120:
        stem = stem[:107] + "_" + hashlib.sha1(stem.encode()).hexdigest()[:12]
    return stem


class _Snapshotter:
    """Shared logic of the three fixtures for one test."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.request = request
        self.s = _session(request.config)
        self.golden_dir = request.path.parent / "goldens"
        self.calls = 0

    def name(self, name: Any) -> str:
        self.calls += 1
        if name is None:
            base = default_name(self.request)
            return base if self.calls == 1 else f"{base}_{self.calls}"
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
            raise ValueError(f"invalid golden name {name!r}: use 1-128 letters, digits, '_' "
                             "or '-' (not starting with '-')")
        return name

    def artifacts_dir(self) -> Path:
        return self.s.artifacts_root(self.request) / default_name(self.request)

    def frame(self, frame: Any, stem: str, tolerance: Any, mask: Any, device: str | None,
              overrides: dict[str, Any]) -> Any:
        __tracebackhide__ = True
        golden = self.golden_dir / f"{stem}.png"
        self.s.claim(golden, self.request.node.nodeid)
        if self.s.update:
            rgba = _t._to_rgba(_t._check_image(frame, "frame"))
            if not (golden.is_file() and np.array_equal(_t.load_png(golden), rgba)):
                _t.save_png(golden, rgba)
            return None
        try:
            return _t.assert_frame_matches(frame, golden, self.s.tolerance(tolerance, device), mask=mask,
                                           artifacts_dir=self.artifacts_dir(), **overrides)
        except _t.FrameMismatch as e:
            self.s.failures.append(FailureRecord(self.request.node.nodeid, golden, str(e), e.artifacts))
            raise


@pytest.fixture
def frame_snapshot(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """Return ``check(frame, name=None, *, tolerance=None, mask=None, device=None, **overrides)``.

    ``frame``: uint8 ``(H, W, 4)`` RGBA (or ``(H, W, 3)`` RGB). ``name``: golden stem (letters,
    digits, ``_``, ``-``; default from the test id); the golden is ``<test dir>/goldens/<name>.png``.
    ``tolerance``: profile name or :class:`reelforge.testing.Tolerance` (default: the
    ``--reelforge-tolerance`` choice; ``auto`` uses ``device`` or this machine's Vulkan device).
    ``mask``: regions to ignore. ``overrides``: atol, max_diff_pixels, max_diff_fraction,
    min_psnr, min_ssim. Returns the :class:`~reelforge.testing.Comparison` (None in update mode);
    raises :class:`~reelforge.testing.FrameMismatch`, FileNotFoundError (no golden) or
    :class:`DuplicateGoldenError`.
    """
    snap = _Snapshotter(request)

    def check(frame: Any, name: str | None = None, *, tolerance: Any = None, mask: Any = None,
              device: str | None = None, **overrides: Any) -> Any:
        __tracebackhide__ = True  # failures point at the test, not at this helper
        return snap.frame(frame, snap.name(name), tolerance, mask, device, overrides)

    return check


def _collect(results: "list[tuple[int, Exception]]", what: str) -> None:
    __tracebackhide__ = True
    if not results:
        return
    if len(results) == 1:
        raise results[0][1]
    body = "\n".join(f"--- {what} {i}:\n{e}" for i, e in results)
    raise AssertionError(f"{len(results)} {what}s do not match their goldens:\n{body}")


@pytest.fixture
def frames_snapshot(request: pytest.FixtureRequest) -> Callable[..., None]:
    """Return ``check(renderer, indices, name=None, *, tolerance=None, mask=None, **overrides)``:
    renders each frame index with ``renderer.render_frame`` and compares it with
    ``goldens/<name>_f<index:05d>.png``; every frame is compared before one failure lists all
    mismatching frames. The tolerance profile follows ``renderer.device`` under ``auto``."""
    snap = _Snapshotter(request)

    def check(renderer: Any, indices: Any, name: str | None = None, *, tolerance: Any = None, mask: Any = None,
              **overrides: Any) -> None:
        __tracebackhide__ = True
        stem = snap.name(name)
        device = getattr(renderer, "device", None)
        bad: list[tuple[int, Exception]] = []
        for i in indices:
            try:
                snap.frame(renderer.render_frame(i), f"{stem}_f{int(i):05d}", tolerance, mask, device, overrides)
            except (AssertionError, FileNotFoundError) as e:
                bad.append((int(i), e))
        _collect(bad, "frame")

    return check


def _audio_features(path: str) -> dict[str, Any] | None:
    from fractions import Fraction
    from . import _core
    from .audio import analyze
    info = _core.probe(path)
    if not info.has_audio:
        return None
    fps = Fraction(info.fps).limit_denominator(100000) if info.has_video and info.fps > 0 else Fraction(25)
    f = analyze(path, fps=fps)
    return {"fps": str(fps), "frame_count": f.frame_count,
            "rms_db": [round(float(v), 2) for v in f.rms_db],
            "bands": [[round(float(v), 2) for v in row] for row in f.bands]}


_AUDIO_FLOOR_DB = -90.0  # below this, levels are noise: compared as equal


def _compare_audio(actual: dict[str, Any] | None, golden: dict[str, Any] | None, atol_db: float) -> list[str]:
    if (actual is None) != (golden is None):
        return [f"audio stream {'missing' if actual is None else 'unexpected'} (golden has "
                f"{'one' if golden is not None else 'none'})"]
    if actual is None or golden is None:
        return []
    if actual["frame_count"] != golden["frame_count"]:
        return [f"audio covers {actual['frame_count']} frames, golden {golden['frame_count']}"]
    out = []
    for key in ("rms_db", "bands"):
        a = np.maximum(np.asarray(actual[key], np.float64), _AUDIO_FLOOR_DB)
        g = np.maximum(np.asarray(golden[key], np.float64), _AUDIO_FLOOR_DB)
        worst = float(np.abs(a - g).max()) if a.size else 0.0
        if worst > atol_db:
            frame = int(np.unravel_index(np.abs(a - g).argmax(), a.shape)[0])
            out.append(f"audio {key} differs by {worst:.2f} dB at frame {frame} (max {atol_db} dB)")
    return out


@pytest.fixture
def file_snapshot(request: pytest.FixtureRequest) -> Callable[..., None]:
    """Return ``check(path, frames, name=None, *, audio=True, audio_atol_db=1.0, tolerance=None,
    mask=None, **overrides)`` for an exported file.

    The frames at the given indices are decoded with the ffmpeg CLI
    (:func:`reelforge.testing.decode_frames`) and compared with ``goldens/<name>_f<index>.png``;
    with ``audio=True`` the per-frame audio features (:func:`reelforge.audio.analyze`: RMS level
    and band energies in dB, levels below -90 dB taken as equal) are compared with
    ``goldens/<name>.audio.json`` within ``audio_atol_db`` dB. Lossy codecs differ between
    FFmpeg builds: loosen ``tolerance`` accordingly (e.g. ``"gpu"``)."""
    snap = _Snapshotter(request)

    def check(path: Any, frames: Any, name: str | None = None, *, audio: bool = True, audio_atol_db: float = 1.0,
              tolerance: Any = None, mask: Any = None, **overrides: Any) -> None:
        __tracebackhide__ = True
        stem = snap.name(name)
        path = os.fspath(path)
        bad: list[tuple[int, Exception]] = []
        for i, frame in zip(frames, _t.decode_frames(path, list(frames))):
            try:
                snap.frame(frame, f"{stem}_f{int(i):05d}", tolerance, mask, None, overrides)
            except (AssertionError, FileNotFoundError) as e:
                bad.append((int(i), e))
        if audio:
            golden = snap.golden_dir / f"{stem}.audio.json"
            snap.s.claim(golden, request.node.nodeid)
            feats = _audio_features(path)
            if snap.s.update:
                golden.parent.mkdir(parents=True, exist_ok=True)
                golden.write_text(json.dumps(feats, indent=None))
            elif not golden.is_file():
                bad.append((-1, FileNotFoundError(f"audio golden {golden} does not exist; run pytest with "
                                                  f"{_t.UPDATE_GOLDENS_OPTION} to create it")))
            else:
                msgs = _compare_audio(feats, json.loads(golden.read_text()), audio_atol_db)
                if msgs:
                    err = AssertionError(f"audio of {path} does not match {golden}:\n  " + "\n  ".join(msgs))
                    snap.s.failures.append(FailureRecord(request.node.nodeid, golden, str(err), {}))
                    bad.append((-1, err))
        _collect(bad, "frame")

    return check


__all__ = ["frame_snapshot", "frames_snapshot", "file_snapshot", "default_name", "DuplicateGoldenError",
           "ARTIFACTS_OPTION", "REPORT_OPTION", "TOLERANCE_OPTION"]
