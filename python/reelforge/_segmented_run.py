"""A segmented export (:func:`reelforge.distributed.export_local`) on a background thread, behind
the interface :class:`~reelforge.exporter.ExportHandle` polls on ``_core.Export`` (progress,
wait_for, cancel, result): so ``Exporter(..., workers=N).start()`` returns the same handle as a
one-process export, with progress, cancel, ``wait()``, ``result()``, ``await`` and the notebook
widget."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from .errors import ExportCancelled
from .exporter import ExportResult, Progress

__all__ = ["SegmentedRun", "start_segmented"]


def _snapshot(done: int, total: int, elapsed: float, phase: str) -> Progress:
    p = Progress()
    p.frames_done, p.total_frames, p.elapsed = done, total, elapsed
    p.fps = done / elapsed if elapsed > 0 else 0.0
    p.eta = (total - done) / p.fps if p.fps > 0 else 0.0
    p.phase = phase  # type: ignore[assignment]  # one of ProgressPhase, checked by the callers
    return p


class SegmentedRun:
    """Runs ``run(cancel, on_progress)`` on a thread; ``run`` must raise ExportCancelled soon
    after ``cancel`` is set and leave nothing behind (export_local does)."""

    def __init__(self, run: Callable[[threading.Event, Callable[[Progress], None]], ExportResult],
                 total_frames: int) -> None:
        self._run = run
        self._total = total_frames
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._t0 = time.monotonic()
        self._progress = _snapshot(0, total_frames, 0.0, "starting")
        self._result: ExportResult | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="reelforge-segmented-export", daemon=True)

    def start(self) -> None:
        self._t0 = time.monotonic()
        self._thread.start()

    def _on_progress(self, p: Progress) -> None:
        with self._lock:
            self._progress = p

    def _main(self) -> None:
        try:
            self._result = self._run(self._cancel, self._on_progress)
            phase = "done"
        except BaseException as e:  # noqa: BLE001 - handed to whoever waits (result())
            self._error = e
            phase = "cancelled" if isinstance(e, ExportCancelled) else "failed"
        with self._lock:
            done = self._progress.frames_done if self._result is None else self._total
            self._progress = _snapshot(done, self._total, time.monotonic() - self._t0, phase)
        self._done.set()

    # -- what ExportHandle calls (the _core.Export interface) ----------------------------------------
    def progress(self) -> Progress:
        with self._lock:
            return self._progress

    def wait_for(self, seconds: float) -> bool:
        return self._done.wait(max(0.0, float(seconds)))

    def cancel(self) -> None:
        self._cancel.set()

    def take_logs(self) -> list[str]:
        return []

    def result(self) -> ExportResult:
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def close(self) -> None:
        pass


def start_segmented(scene: Any, path: str, *, workers: int, **options: Any) -> SegmentedRun:
    """Start ``export_local(scene, path, workers=workers, **options)`` in the background."""
    from .distributed import export_local

    def run(cancel: threading.Event, on_progress: Callable[[Progress], None]) -> ExportResult:
        return export_local(scene, path, workers=workers, progress=on_progress, _cancel=cancel, **options)

    r = SegmentedRun(run, scene.frame_count)
    r.start()
    return r
