"""Exporting a Scene to a file: GPU compositing, NV12 on the GPU, FFmpeg encoding and muxing."""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from . import _core
from .errors import ExportCancelled, SceneError

log = logging.getLogger("reelforge")

VIDEO_CODECS = ("h264", "hevc")
PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
#: Containers by extension. Audio-only ones render only the audio timeline (no GPU work).
VIDEO_CONTAINERS = (".mp4", ".mov", ".mkv", ".m4v")
AUDIO_CONTAINERS = (".m4a", ".wav", ".mp3", ".opus", ".ogg", ".flac")


@dataclass(frozen=True)
class Progress:
    """A progress report: ``frames_done`` of ``total_frames``; ``elapsed`` and ``eta`` in seconds;
    ``fps`` in frames per second; ``phase`` one of starting, rendering, finishing, done, failed,
    cancelled."""

    frames_done: int
    total_frames: int
    elapsed: float
    fps: float
    eta: float
    phase: str

    @property
    def fraction(self) -> float:
        """Completed fraction, 0..1."""
        return self.frames_done / self.total_frames if self.total_frames else 1.0


@dataclass(frozen=True)
class ExportResult:
    """What an export produced.

    ``frames``: video frames written; ``encoder`` / ``audio_encoder``: libavcodec encoder names
    ("" where that stream is absent); ``seconds``: wall time; ``fps``: frames / seconds;
    ``device``: Vulkan device name; ``stage_fps``: frames per second of busy time per pipeline
    stage (decode, render, encode); ``refusals``: encoders tried and refused, with FFmpeg's reason;
    ``audio_samples``: samples written at 48 kHz.
    """

    path: str
    frames: int
    encoder: str
    audio_encoder: str
    seconds: float
    fps: float
    device: str
    audio_samples: int = 0
    stage_fps: dict = field(default_factory=dict)
    refusals: list = field(default_factory=list)


class ExportHandle:
    """A running export (from :meth:`Exporter.start`): poll :attr:`progress`, :meth:`wait`,
    :meth:`cancel`. Suited to notebooks, where the kernel stays responsive."""

    def __init__(self, core):
        self._core = core
        self._result: ExportResult | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()

    def _drain_logs(self):
        for line in self._core.take_logs():
            log.info(line)

    @property
    def progress(self) -> Progress:
        """Current :class:`Progress`."""
        return Progress(**self._core.progress())

    @property
    def done(self) -> bool:
        """True once the export has finished (successfully or not)."""
        return self._core.wait_for(0.0)

    def cancel(self) -> None:
        """Ask the export to stop; the partial output is removed. Returns at once; :meth:`wait`
        then raises ExportCancelled."""
        self._core.cancel()

    def wait(self, timeout: float | None = None, *, poll: float = 0.1, on_progress=None) -> ExportResult:
        """Wait for the export to finish and return its :class:`ExportResult`.

        ``timeout`` in seconds (None = no limit; TimeoutError when exceeded, export continues).
        ``on_progress(Progress)`` is called every ``poll`` seconds. Ctrl-C cancels the export,
        waits (< 1 s) for the partial file to be removed and re-raises KeyboardInterrupt.
        Raises the export's error (EncoderError, MediaError, ExportStalled, ExportCancelled, ...).
        """
        with self._lock:
            if self._result is not None:
                return self._result
            deadline = None if timeout is None else time.monotonic() + timeout
            try:
                while not self._core.wait_for(poll):
                    self._drain_logs()
                    if on_progress is not None:
                        on_progress(self.progress)
                    if deadline is not None and time.monotonic() > deadline:
                        raise TimeoutError(f"export still running after {timeout} s")
            except KeyboardInterrupt:
                self._core.cancel()
                while not self._core.wait_for(0.05):
                    pass
                self._core.close()
                raise
            self._drain_logs()
            if on_progress is not None:
                on_progress(self.progress)
            try:
                r = self._core.result()
            finally:
                self._core.close()
            self._result = ExportResult(**r)
            return self._result


class Exporter:
    """Writes a :class:`~reelforge.Scene` to a video (or audio-only) file.

    Args:
        scene: the scene to render.
        path: output file; the container follows the extension: .mp4/.mov/.mkv/.m4v (video +
            AAC audio), or .m4a/.wav/.mp3/.opus/.ogg/.flac (audio only, no GPU work). The file
            is written under a temporary name and renamed on success; on failure or cancel
            nothing is left behind.
        video_codec: "h264" or "hevc".
        encoder: "auto" tries hardware encoders (NVENC, VAAPI, QSV) then libx264/libx265,
            logging each refusal; or an explicit libavcodec encoder name (its failure raises).
        crf: constant-quality level 0..51 (lower is better; x264's CRF, NVENC's CQ).
        preset: x264-style speed preset (ultrafast .. veryslow).
        bitrate: bits per second; when set, average-bitrate mode replaces CRF.
        gop: keyframe interval in frames (None = 2 seconds).
        audio_bitrate: bits per second for AAC/Opus/MP3.
        stall_timeout: seconds without progress before ExportStalled is raised.

    Video is BT.709, limited range, 4:2:0 (NV12 from the GPU), tagged bt709/tv; audio is 48 kHz
    stereo and exactly as long as the video (``frame_count / fps``).
    Raises SceneError for bad arguments (unknown codec/preset, missing folder, unsupported extension).
    """

    def __init__(self, scene, path, *, video_codec: str = "h264", encoder: str = "auto", crf: int = 23,
                 preset: str = "veryfast", bitrate: int | None = None, gop: int | None = None,
                 audio_bitrate: int = 192000, stall_timeout: float = 30.0, gpu_slots: int = 3,
                 _debug_stall: str = ""):
        self.scene = scene
        self.path = os.fspath(path)
        ext = os.path.splitext(self.path)[1].lower()
        if ext not in VIDEO_CONTAINERS + AUDIO_CONTAINERS:
            raise SceneError(f"unsupported output extension {ext!r} for {self.path!r}; use one of "
                             f"{', '.join(VIDEO_CONTAINERS + AUDIO_CONTAINERS)}")
        folder = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(folder):
            raise SceneError(f"output folder does not exist: {folder!r}")
        if not os.access(folder, os.W_OK):
            raise SceneError(f"output folder is not writable: {folder!r}")
        if video_codec not in VIDEO_CODECS:
            raise SceneError(f"unknown video_codec {video_codec!r}; use one of {VIDEO_CODECS}")
        if preset not in PRESETS:
            raise SceneError(f"unknown preset {preset!r}; use one of {PRESETS}")
        if isinstance(crf, bool) or not isinstance(crf, int) or not 0 <= crf <= 51:
            raise SceneError(f"crf must be an int in 0..51, got {crf!r}")
        if bitrate is not None and (not isinstance(bitrate, int) or bitrate <= 0):
            raise SceneError(f"bitrate must be a positive int (bits per second), got {bitrate!r}")
        if gop is not None and (not isinstance(gop, int) or gop <= 0):
            raise SceneError(f"gop must be a positive int (frames), got {gop!r}")
        if not isinstance(audio_bitrate, int) or audio_bitrate <= 0:
            raise SceneError(f"audio_bitrate must be a positive int (bits per second), got {audio_bitrate!r}")
        if not stall_timeout > 0:
            raise SceneError(f"stall_timeout must be > 0 seconds, got {stall_timeout!r}")
        if not isinstance(encoder, str) or not encoder:
            raise SceneError(f"encoder must be 'auto' or a libavcodec encoder name, got {encoder!r}")
        self.audio_only = ext in AUDIO_CONTAINERS
        self._opts = dict(video_codec=video_codec, encoder=encoder, crf=crf, preset=preset, bitrate=bitrate or 0,
                          gop=gop or 0, audio_bitrate=audio_bitrate, stall_timeout=float(stall_timeout),
                          gpu_slots=int(gpu_slots), debug_stall=_debug_stall)
        self._handle: ExportHandle | None = None

    def start(self) -> ExportHandle:
        """Start exporting in background threads and return an :class:`ExportHandle` at once."""
        core = _core.Export(self.scene.compile(), self.path, **self._opts)
        core.start()
        self._handle = ExportHandle(core)
        return self._handle

    def cancel(self) -> None:
        """Cancel a running export (thread-safe); ``run()``/``wait()`` then raise ExportCancelled
        and the partial output is removed."""
        if self._handle is not None:
            self._handle.cancel()

    def run(self, progress: bool | Callable[[Progress], None] | None = None) -> ExportResult:
        """Export and block until done; returns :class:`ExportResult`.

        ``progress``: a callable receiving :class:`Progress` about 10 times a second, or True
        for a tqdm progress bar (``tqdm.auto``: a widget in notebooks, a bar on stderr elsewhere).
        Ctrl-C cancels, removes the partial file and re-raises KeyboardInterrupt.
        Raises EncoderError, MediaError, GpuError, ExportStalled, ExportCancelled.
        """
        handle = self.start()
        if progress is True:
            from tqdm.auto import tqdm
            total = self.scene.frame_count
            with tqdm(total=total, unit="frame", desc=os.path.basename(self.path)) as bar:
                def update(p: Progress):
                    bar.update(p.frames_done - bar.n)
                    bar.set_postfix_str(p.phase)
                return handle.wait(on_progress=update)
        return handle.wait(on_progress=progress if callable(progress) else None)


__all__ = ["Exporter", "ExportResult", "ExportHandle", "Progress"]
