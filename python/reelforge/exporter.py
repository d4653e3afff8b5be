"""Exporting a Scene to a file: GPU compositing, NV12 (or RGBA) on the GPU, FFmpeg encoding and muxing."""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from . import _core
from .errors import SceneError

log = logging.getLogger("reelforge")

#: Video codecs and the containers (extensions) that may hold them; ``()`` means an image
#: sequence (``frames/%05d.png`` or a folder ending in ``/``). Mirrors ``codec_specs()`` in
#: src/media/video_encoder.cpp, which the core checks again.
CODEC_CONTAINERS = {
    "h264": (".mp4", ".mov", ".mkv", ".m4v"),
    "hevc": (".mp4", ".mov", ".mkv", ".m4v"),
    "vp9": (".webm", ".mkv"),
    "prores": (".mov",),
    "gif": (".gif",),
    "png": (),
}
VIDEO_CODECS = tuple(CODEC_CONTAINERS)
#: crf range and default per codec; codecs not listed have no constant-quality knob.
CRF_RANGE = {"h264": (51, 23), "hevc": (51, 23), "vp9": (63, 31)}
PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
#: Containers by extension. Audio-only ones render only the audio timeline (no GPU work).
VIDEO_CONTAINERS = (".mp4", ".mov", ".mkv", ".m4v", ".webm", ".gif")
AUDIO_CONTAINERS = (".m4a", ".wav", ".mp3", ".opus", ".ogg", ".flac")
_SEQUENCE_FIELD = re.compile(r"(?<!%)(?:%%)*%(\d*)d")


def is_image_sequence(path: str) -> bool:
    """True for an image-sequence output: a file name with a printf frame-number field
    (``frames/%05d.png``) or a folder (a path ending in ``/``)."""
    return path.endswith("/") or bool(_SEQUENCE_FIELD.search(os.path.basename(path)))


def _default_codec(path: str, ext: str) -> str:
    if is_image_sequence(path):
        return "png"
    return {".webm": "vp9", ".gif": "gif"}.get(ext, "h264")


def _check_sequence(path: str) -> str:
    """Checks a sequence pattern; returns the folder the frames go into."""
    if path.endswith("/"):
        folder, name = path.rstrip("/") or "/", "%05d.png"
    else:
        folder, name = os.path.dirname(path) or ".", os.path.basename(path)
    if "%" in folder:
        raise SceneError(f"the frame-number field of {path!r} must be in the file name, not the folder")
    fields = _SEQUENCE_FIELD.findall(name)
    if len(fields) != 1:
        raise SceneError(f"{path!r} must have exactly one frame-number field such as %05d (found {len(fields)})")
    if len(fields[0]) > 2 or "%" in _SEQUENCE_FIELD.sub("", name).replace("%%", ""):
        raise SceneError(f"bad frame-number field in {name!r}: use %d or %05d (and %% for a literal %)")
    if os.path.splitext(name)[1].lower() != ".png":
        raise SceneError(f"image sequence {path!r} must name .png files, e.g. frames/%05d.png")
    return folder


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
    that ran (libx264, libvpx-vp9, prores_ks, gif, png, ... / aac, libopus; "" where that stream is
    absent); ``video_codec``: the codec written (h264, hevc, vp9, prores, gif, png; "" for
    audio-only); ``seconds``: wall time; ``fps``: frames / seconds;
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
    video_codec: str = ""


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

    # -- Future-like API, ``await``, notebook display ---------------------------------------------
    # A single watcher thread (started on demand) waits for the export and then runs the done
    # callbacks; progress listeners are called from it about 10 times a second. The outcome is kept,
    # so result()/exception() can be called any number of times, from any thread.

    def result(self, timeout: float | None = None) -> ExportResult:
        """The :class:`ExportResult`, waiting up to ``timeout`` seconds (None = no limit) as
        :meth:`wait` does; like ``concurrent.futures.Future.result``. Raises the export's error
        (the same exception object on every call) or TimeoutError (the export continues)."""
        # One waiter at a time: wait() must not run again once the native export is closed.
        lock = self.__dict__.setdefault("_outcome_lock", threading.Lock())
        if not lock.acquire(timeout=-1 if timeout is None else max(0.0, timeout)):
            raise TimeoutError(f"export still running after {timeout} s")
        try:
            if self._result is not None:
                return self._result
            if getattr(self, "_outcome_error", None) is not None:
                raise self._outcome_error
            try:
                return self.wait(timeout, on_progress=self._notify_progress)
            except TimeoutError:
                raise
            except BaseException as e:
                self._outcome_error = e
                raise
        finally:
            lock.release()

    def exception(self, timeout: float | None = None) -> BaseException | None:
        """The export's error once it has finished (None on success); waits like :meth:`result`."""
        try:
            self.result(timeout)
        except TimeoutError:
            raise
        except BaseException as e:
            return e
        return None

    def finished(self) -> bool:
        """True once the outcome is known (it never touches the native export after that)."""
        return self._result is not None or getattr(self, "_outcome_error", None) is not None

    def _notify_progress(self, p: Progress) -> None:
        for fn in list(getattr(self, "_progress_listeners", ())):
            fn(p)

    def _add_progress_listener(self, fn: Callable[[Progress], None]) -> None:
        self.__dict__.setdefault("_progress_listeners", []).append(fn)
        self._start_watcher()

    def _start_watcher(self) -> None:
        with self.__dict__.setdefault("_cb_lock", threading.Lock()):
            if getattr(self, "_watcher", None) is not None or self.finished():
                return

            def watch():
                self.exception()
                with self._cb_lock:
                    callbacks, self._callbacks = list(getattr(self, "_callbacks", ())), []
                for fn in callbacks:
                    fn(self)

            self._watcher = threading.Thread(target=watch, name="reelforge-export-watch", daemon=True)
            self._watcher.start()

    def add_done_callback(self, fn: Callable[["ExportHandle"], None]) -> None:
        """Call ``fn(handle)`` once the export has finished (at once if it already has), from the
        watcher thread; like ``concurrent.futures.Future.add_done_callback``."""
        lock = self.__dict__.setdefault("_cb_lock", threading.Lock())
        with lock:
            if not self.finished():
                self.__dict__.setdefault("_callbacks", []).append(fn)
                pending = True
            else:
                pending = False
        if pending:
            self._start_watcher()
            if self.finished() and getattr(self, "_watcher", None) is None:
                fn(self)  # finished between the check and the watcher start
        else:
            fn(self)

    def __await__(self):
        """``result = await handle`` in asyncio code (and Jupyter cells) without blocking the loop."""
        return self._wait_async().__await__()

    async def _wait_async(self) -> ExportResult:
        import asyncio
        loop = asyncio.get_running_loop()
        fut = loop.create_future()

        def settle(_h):
            loop.call_soon_threadsafe(lambda: fut.done() or fut.set_result(None))

        self.add_done_callback(settle)
        await fut
        return self.result()

    def _ipython_display_(self) -> None:
        """In Jupyter: a live progress bar (ipywidgets), or a text line without ipywidgets."""
        from IPython.display import display
        try:
            from .notebook import export_progress_widget
            display(export_progress_widget(self))
        except ImportError:
            display(f"<ExportHandle: {'finished' if self.finished() else 'running'}>")


class Exporter:
    """Writes a :class:`~reelforge.Scene` to a video file, an image sequence or an audio-only file.

    Args:
        scene: the scene to render.
        path: output; the container follows the extension (see ``video_codec``), or
            ``frames/%05d.png`` / ``"frames/"`` for a PNG sequence (a string: pathlib drops the
            trailing slash, so pass a pattern there), or .m4a/.wav/.mp3/.opus/.ogg/.flac
            for audio only (no GPU work). Files are written under a temporary name and renamed on
            success; a sequence is written into a temporary folder that is renamed (or whose frames
            are moved into an existing folder) on success. On failure or cancel nothing is left.
        video_codec: None (from the path: vp9 for .webm, gif for .gif, png for a sequence, h264
            otherwise) or one of

            ========  ======================  ==============================================
            codec     containers              notes
            ========  ======================  ==============================================
            h264      .mp4 .mov .mkv .m4v     NV12 from the GPU, 4:2:0; AAC audio
            hevc      .mp4 .mov .mkv .m4v     as h264
            vp9       .webm .mkv              libvpx-vp9, 4:2:0; Opus audio in .webm
            prores    .mov                    prores_ks 4444 with alpha, 10-bit yuva444p; AAC audio
            gif       .gif                    fixed 252-colour palette, ordered dither; no audio
            png       frames/%05d.png         straight RGBA8 per frame (numbered from 0); no audio
            ========  ======================  ==============================================

            A codec in a container it does not fit raises SceneError naming both and the fix.
        encoder: "auto" tries hardware encoders (NVENC, VAAPI, QSV; h264/hevc) then the software
            one, logging each refusal; or an explicit libavcodec encoder name of that codec (its
            failure raises).
        crf: constant-quality level, lower is better: 0..51 for h264/hevc (x264's CRF, NVENC's
            CQ; default 23), 0..63 for vp9 (libvpx's CRF with ``b:v 0``; default 31). prores, gif
            and png have no such knob: crf and bitrate are ignored for them.
        preset: x264-style speed preset (ultrafast .. veryslow); for vp9 mapped to libvpx's
            deadline/cpu-used (ultrafast..faster: realtime, cpu-used 8..5; fast..veryslow: good,
            cpu-used 4..0).
        bitrate: bits per second; when set, average-bitrate mode replaces CRF (h264/hevc/vp9).
        gop: keyframe interval in frames (None = 2 seconds).
        audio_bitrate: bits per second for AAC/Opus/MP3.
        stall_timeout: seconds without progress before ExportStalled is raised.

    h264/hevc/vp9 are BT.709, limited range, 4:2:0 (NV12 from the GPU), tagged bt709/tv; prores
    is BT.709 limited range 4:4:4 with straight alpha; png/gif are sRGB RGB(A). Audio is 48 kHz
    stereo and exactly as long as the video (``frame_count / fps``).
    Raises SceneError for bad arguments (unknown codec/preset, codec/container mismatch, missing
    folder, unsupported extension).
    """

    def __init__(self, scene, path, *, video_codec: str | None = None, encoder: str = "auto",
                 crf: int | None = None, preset: str = "veryfast", bitrate: int | None = None,
                 gop: int | None = None, audio_bitrate: int = 192000, stall_timeout: float = 30.0,
                 gpu_slots: int = 3, _debug_stall: str = ""):
        self.scene = scene
        self.path = os.fspath(path)
        ext = os.path.splitext(self.path)[1].lower()
        sequence = is_image_sequence(self.path)
        if video_codec is not None and video_codec not in VIDEO_CODECS:
            raise SceneError(f"unknown video_codec {video_codec!r}; use one of {VIDEO_CODECS}")
        self.audio_only = not sequence and ext in AUDIO_CONTAINERS
        if sequence:
            # Frames go into the sequence folder; when it does not exist yet, it is made in its parent.
            folder = os.path.abspath(_check_sequence(self.path))
            if not os.path.isdir(folder):
                folder = os.path.dirname(folder)
        else:
            if ext not in VIDEO_CONTAINERS + AUDIO_CONTAINERS:
                raise SceneError(f"unsupported output extension {ext!r} for {self.path!r}; use one of "
                                 f"{', '.join(VIDEO_CONTAINERS + AUDIO_CONTAINERS)} or a sequence such as "
                                 "frames/%05d.png")
            folder = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(folder):
            raise SceneError(f"output folder does not exist: {folder!r}")
        if not os.access(folder, os.W_OK):
            raise SceneError(f"output folder is not writable: {folder!r}")
        codec = "" if self.audio_only else (video_codec or _default_codec(self.path, ext))
        if codec:
            fits = CODEC_CONTAINERS[codec]
            if sequence and fits:
                raise SceneError(f"video_codec {codec!r} cannot write the image sequence {self.path!r}: sequences "
                                 f"are PNG (video_codec='png'); for {codec} give a file such as out{fits[0]}")
            if not sequence and not fits:
                raise SceneError(f"video_codec {codec!r} writes an image sequence, not the file {self.path!r}: "
                                 "give a pattern such as frames/%05d.png or a folder ending in '/'")
            if not sequence and ext not in fits:
                others = [c for c, exts in CODEC_CONTAINERS.items() if ext in exts]
                raise SceneError(f"video_codec {codec!r} cannot be written to a {ext} file ({self.path!r}): use "
                                 f"{' or '.join(fits)} for {codec}, or video_codec "
                                 f"{' / '.join(repr(c) for c in others)} for {ext}")
        if preset not in PRESETS:
            raise SceneError(f"unknown preset {preset!r}; use one of {PRESETS}")
        crf_max = CRF_RANGE.get(codec, (51, 23))[0]
        if crf is not None and (isinstance(crf, bool) or not isinstance(crf, int) or not 0 <= crf <= crf_max):
            raise SceneError(f"crf must be an int in 0..{crf_max}, got {crf!r}")
        if bitrate is not None and (not isinstance(bitrate, int) or isinstance(bitrate, bool) or bitrate <= 0):
            raise SceneError(f"bitrate must be a positive int (bits per second), got {bitrate!r}")
        if gop is not None and (not isinstance(gop, int) or gop <= 0):
            raise SceneError(f"gop must be a positive int (frames), got {gop!r}")
        if not isinstance(audio_bitrate, int) or audio_bitrate <= 0:
            raise SceneError(f"audio_bitrate must be a positive int (bits per second), got {audio_bitrate!r}")
        if not stall_timeout > 0:
            raise SceneError(f"stall_timeout must be > 0 seconds, got {stall_timeout!r}")
        if not isinstance(encoder, str) or not encoder:
            raise SceneError(f"encoder must be 'auto' or a libavcodec encoder name, got {encoder!r}")
        self.video_codec = codec
        # prores, gif and png have no quality knob: crf and bitrate are ignored for them.
        self._opts = dict(video_codec=codec or "auto", encoder=encoder,
                          crf=crf if crf is not None and codec in CRF_RANGE else -1,
                          preset=preset, bitrate=bitrate if bitrate and codec in CRF_RANGE else 0,
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
            with tqdm(total=total, unit="frame", desc=os.path.basename(self.path.rstrip("/")) or self.path) as bar:
                def update(p: Progress):
                    bar.update(p.frames_done - bar.n)
                    bar.set_postfix_str(p.phase)
                return handle.wait(on_progress=update)
        return handle.wait(on_progress=progress if callable(progress) else None)


__all__ = ["Exporter", "ExportResult", "ExportHandle", "Progress", "is_image_sequence"]
