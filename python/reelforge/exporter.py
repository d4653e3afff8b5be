"""Exporting a Scene to a file: GPU compositing, NV12 (or RGBA) on the GPU, FFmpeg encoding and muxing."""

from __future__ import annotations

import logging
import math
import numbers
import os
import threading
import time
from fractions import Fraction
from typing import Any, Callable, Generator, Protocol

from ._types import PathLike, Preset, Quality, SceneLike, VideoCodec

from . import _core
from .quality import quality_settings
from .errors import SceneError

log = logging.getLogger("reelforge")

#: Video codecs, in documentation order. Their containers, audio and crf ranges live in the core
#: (``_core.codec_specs()``, src/media/video_encoder.cpp), the one source of these rules.
VIDEO_CODECS = tuple(spec.codec for spec in _core.codec_specs())

#: A progress report (``frames_done``, ``total_frames``, ``elapsed`` s, ``fps``, ``eta`` s,
#: ``phase``, ``fraction``): the core's ExportProgress.
Progress = _core.ExportProgress
#: What an export produced: the core's ExportResult. ``frames``: video frames written;
#: ``encoder`` / ``audio_encoder``: libavcodec encoder names that ran (libx264, libvpx-vp9,
#: prores_ks, gif, png, ... / aac, libopus; "" where that stream is absent); ``video_codec``:
#: the codec written (h264, hevc, vp9, prores, gif, png; "" for audio only); ``seconds``: wall
#: time; ``fps``: frames / seconds; ``device``: Vulkan device name; ``stage_fps``: frames per
#: second of busy time per stage (decode, render, encode); ``refusals``: encoders tried and
#: refused, with FFmpeg's reason; ``audio_samples``: samples written at 48 kHz.
ExportResult = _core.ExportResult


def is_image_sequence(path: PathLike) -> bool:
    """True for an image-sequence output: a file name with a printf frame-number field
    (``frames/%05d.png``) or a folder (a path ending in ``/``)."""
    return _core.is_image_sequence_path(os.fspath(path))


def _int_arg(name: str, value: object, *, optional: bool = True) -> int | None:
    """``value`` as an int for parameter ``name`` (None stays None when optional)."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r}")
    return int(value)


def _req_int(name: str, value: object) -> int:
    """``value`` as an int for parameter ``name`` (None refused)."""
    v = _int_arg(name, value, optional=False)
    assert v is not None
    return v


def _scaled(scene: SceneLike, scale: float | None) -> SceneLike:
    if scale is None:
        return scene
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not (0 < float(scale) < float("inf")):
        raise SceneError(f"scale must be a positive number (output size / scene size), got {scale!r}")
    from .rescale import ScaledScene, _even
    return ScaledScene(scene, _even(scene.width * scale), _even(scene.height * scale))


def _workers_arg(workers: object, frames: object, time_range: object) -> int:
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or int(workers) < 1:
        raise SceneError(f"workers must be a positive int (local processes), got {workers!r}")
    if int(workers) > 1 and (frames is not None or time_range is not None):
        raise SceneError("workers > 1 exports the whole scene; leave frames/time_range out")
    return int(workers)


def _frame_range(scene: SceneLike, frames: object, time_range: object) -> tuple[int, int]:
    """(first, last) frame indices from ``frames`` or ``time_range`` (seconds snapped to the
    nearest frame); (0, -1) for the whole scene. The core checks the bounds."""
    if frames is not None and time_range is not None:
        raise SceneError("give frames=(first, last) or time_range=(t0, t1), not both")
    if frames is not None:
        if not isinstance(frames, (tuple, list)) or len(frames) != 2:
            raise SceneError(f"frames must be (first, last) frame indices, got {frames!r}")
        return _req_int("frames[0]", frames[0]), _req_int("frames[1]", frames[1])
    if time_range is not None:
        if not isinstance(time_range, (tuple, list)) or len(time_range) != 2:
            raise SceneError(f"time_range must be (t0, t1) in seconds, got {time_range!r}")
        bounds = []
        for name, t in zip(("time_range[0]", "time_range[1]"), time_range):
            if isinstance(t, bool) or not isinstance(t, numbers.Real) or not math.isfinite(t):
                raise SceneError(f"{name} must be a finite number of seconds, got {t!r}")
            bounds.append(round(Fraction(t if isinstance(t, (int, Fraction)) else float(t)) * scene.fps))
        return bounds[0], bounds[1]
    return 0, -1


class _CoreExport(Protocol):
    """What :class:`ExportHandle` uses of ``_core.Export`` (also implemented by the segmented
    export's background runner, reelforge.distributed)."""

    def progress(self) -> Progress: ...
    def wait_for(self, seconds: float) -> bool: ...
    def cancel(self) -> None: ...
    def take_logs(self) -> list[str]: ...
    def result(self) -> ExportResult: ...
    def close(self) -> None: ...


class ExportHandle:
    """A running export (from :meth:`Exporter.start`): poll :attr:`progress`, :meth:`wait`,
    :meth:`cancel`. Suited to notebooks, where the kernel stays responsive."""

    def __init__(self, core: "_CoreExport") -> None:
        self._core: _CoreExport = core
        self._result: ExportResult | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._outcome_error: BaseException | None = None
        self._outcome_lock = threading.Lock()  # one waiter at a time (result())
        self._cb_lock = threading.Lock()
        self._callbacks: list[Callable[[ExportHandle], None]] = []
        self._progress_listeners: list[Callable[[Progress], None]] = []
        self._watcher: threading.Thread | None = None

    def _drain_logs(self) -> None:
        for line in self._core.take_logs():
            log.info(line)
        for line in _core.take_media_warnings():  # damaged source data skipped (see Renderer)
            log.warning(line)

    @property
    def progress(self) -> Progress:
        """Current :class:`Progress`."""
        return self._core.progress()

    @property
    def done(self) -> bool:
        """True once the export has finished (successfully or not)."""
        return self._core.wait_for(0.0)

    def cancel(self) -> None:
        """Ask the export to stop; the partial output is removed. Returns at once; :meth:`wait`
        then raises ExportCancelled."""
        self._core.cancel()

    def wait(self, timeout: float | None = None, *, poll: float = 0.1,
             on_progress: Callable[[Progress], None] | None = None) -> ExportResult:
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
            self._result = r
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
        lock = self._outcome_lock
        if not lock.acquire(timeout=-1 if timeout is None else max(0.0, timeout)):
            raise TimeoutError(f"export still running after {timeout} s")
        try:
            if self._result is not None:
                return self._result
            if self._outcome_error is not None:
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
        return self._result is not None or self._outcome_error is not None

    def _notify_progress(self, p: Progress) -> None:
        for fn in list(self._progress_listeners):
            fn(p)

    def _add_progress_listener(self, fn: Callable[[Progress], None]) -> None:
        self._progress_listeners.append(fn)
        self._start_watcher()

    def _start_watcher(self) -> None:
        with self._cb_lock:
            if self._watcher is not None or self.finished():
                return

            def watch() -> None:
                self.exception()
                with self._cb_lock:
                    callbacks, self._callbacks = list(self._callbacks), []
                for fn in callbacks:
                    fn(self)

            self._watcher = threading.Thread(target=watch, name="reelforge-export-watch", daemon=True)
            self._watcher.start()

    def add_done_callback(self, fn: Callable[["ExportHandle"], None]) -> None:
        """Call ``fn(handle)`` once the export has finished (at once if it already has), from the
        watcher thread; like ``concurrent.futures.Future.add_done_callback``."""
        with self._cb_lock:
            if not self.finished():
                self._callbacks.append(fn)
                pending = True
            else:
                pending = False
        if pending:
            self._start_watcher()
            if self.finished() and self._watcher is None:
                fn(self)  # finished between the check and the watcher start
        else:
            fn(self)

    def __await__(self) -> Generator[Any, None, ExportResult]:
        """``result = await handle`` in asyncio code (and Jupyter cells) without blocking the loop."""
        return self._wait_async().__await__()

    async def _wait_async(self) -> ExportResult:
        import asyncio
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()

        def settle(_h: "ExportHandle") -> None:
            loop.call_soon_threadsafe(lambda: None if fut.done() else fut.set_result(None))

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
    """Writes a :class:`~reelforge.Scene` (or a span of it) to a video file, an image sequence or
    an audio-only file.

    Parameters
    ----------
    scene : Scene
        The scene to render.
    path : str or os.PathLike
        Output; the container follows the extension (see ``video_codec``), or ``frames/%05d.png``
        / ``"frames/"`` for a PNG sequence (a string: pathlib drops the trailing slash, so pass a
        pattern there), or .m4a/.wav/.mp3/.aac/.opus/.ogg/.oga/.flac for audio only (no GPU
        work). Files are written under a temporary name and renamed on success; a sequence is
        written into a temporary folder that is renamed (or whose frames replace the sequence
        in an existing folder: older frames of the same pattern are removed, so sequences never
        mix) on success. On failure or cancel nothing is left; temporary files of a killed
        process are removed by the next export to the same target.
    video_codec : str, optional
        None (from the path: vp9 for .webm, gif for .gif, png for a sequence, h264 otherwise) or
        one of ``_core.codec_specs()``:

        ========  ======================  ==============================================
        codec     containers              notes
        ========  ======================  ==============================================
        h264      .mp4 .mov .mkv .m4v     NV12 from the GPU, 4:2:0; AAC audio (Opus in .mkv)
        hevc      .mp4 .mov .mkv .m4v     as h264
        vp9       .webm .mkv              libvpx-vp9, 4:2:0; Opus audio
        prores    .mov                    prores_ks 4444 with alpha, 10-bit yuva444p; AAC audio
        gif       .gif                    fixed 252-colour palette, ordered dither; no audio
        png       frames/%05d.png         straight RGBA8 per frame (numbered from 0); no audio
        ========  ======================  ==============================================

    encoder : str, default "auto"
        "auto" tries hardware encoders (NVENC, VAAPI, QSV; h264/hevc) then the software one,
        logging each refusal; or an explicit libavcodec encoder name of that codec (its failure
        raises).
    crf : int, optional
        Constant-quality level, lower is better: 0..51 for h264/hevc (x264's CRF, NVENC's CQ;
        default 23), 0..63 for vp9 (libvpx's CRF with ``b:v 0``; default 31). prores, gif and
        png have no such knob: crf and bitrate are ignored for them.
    preset : str, default "veryfast"
        x264-style speed preset (ultrafast .. veryslow); for vp9 mapped to libvpx's
        deadline/cpu-used (ultrafast..faster: realtime, cpu-used 8..5; fast..veryslow: good,
        cpu-used 4..0).
    bitrate : int, optional
        Bits per second; when set, average-bitrate mode replaces CRF (h264/hevc/vp9).
    gop : int, optional
        Keyframe interval in frames (None: 2 seconds).
    audio_bitrate : int, default 192000
        Bits per second for AAC/Opus/MP3, 8000..512000.
    stall_timeout : float, default 30
        Seconds without progress before ExportStalled is raised.
    gpu_slots : int, default 3
        Frames in flight on the GPU, 1..16.
    frames : (int, int), optional
        Export only frames ``[first, last)`` (half-open frame indices, ``0 <= first < last <=
        scene.frame_count``). The output starts at pts 0 (a PNG sequence is numbered from 0); its
        audio is the scene's samples ``[floor(first * 48000 / fps), floor(last * 48000 / fps))``,
        cut sample-exactly.
    time_range : (float, float), optional
        As ``frames``, in seconds: ``(t0, t1)`` is ``frames=(round(t0 * fps), round(t1 * fps))``.
    quality : {"high", "medium", "low"}, optional
        A per-codec CRF preset (:data:`reelforge.quality.QUALITY_PRESETS`: 18/23/28 for h264);
        give it or ``crf``, not both. No effect for prores, gif and png.
    scale : float, optional
        Render scale: the scene authored at ``width x height`` is rendered at ``scale`` times
        that size (rounded to even pixels), every coordinate scaled
        (:class:`reelforge.rescale.ScaledScene`). ``0 < scale``, output sides at most 16384.
    workers : int, default 1
        Above 1: a segmented export in that many local processes
        (:func:`reelforge.distributed.export_local`: GOP-aligned segments rendered in parallel and
        joined, audio encoded once); h264/hevc in .mp4/.mov/.m4v/.mkv or vp9 in .webm/.mkv, not
        with ``frames`` or ``time_range``; :meth:`run` or :meth:`start` (a handle with progress
        and cancel).
    subtitles : str or os.PathLike, optional
        An ``.srt``, ``.vtt``, ``.ass`` or ``.ssa`` file muxed as a soft (selectable, not burned
        in) subtitle track: mov_text in .mp4/.mov, WebVTT in .webm, ASS (for ASS/SSA input) or
        SRT in .mkv; read and re-encoded by libavformat/libavcodec. With ``frames``/``time_range``
        the cues are shifted to the range's start. Not with ``workers > 1``. To burn subtitles into
        the picture use :meth:`reelforge.Scene.add_subtitles`.
    loudness_lufs : float, optional
        Normalise the mix to this integrated loudness (LUFS, ITU-R BS.1770-4 / EBU R128), in
        -70..-5 (e.g. -14 for streaming, -23 for EBU R128 broadcast): the whole mix is measured
        with libebur128 before the export, one gain applied and a true-peak limiter added
        (:func:`reelforge.loudness.master_settings`). The gain is in ``loudness_gain_db``.
    true_peak_db : float, optional
        True-peak ceiling in dBTP (4x oversampled, BS.1770-4 Annex 2), -60..0; default -1 with
        ``loudness_lufs``; alone it adds the limiter without normalising. Lossy codecs (AAC,
        Opus, MP3) can add a few tenths of a dB of peak when decoded.

    Notes
    -----
    h264/hevc/vp9 are BT.709, limited range, 4:2:0 (NV12 from the GPU), tagged bt709/tv; prores
    is BT.709 limited range 4:4:4 with straight alpha; png/gif are sRGB RGB(A). Audio is 48 kHz
    stereo and exactly as long as the video (``frames / fps``). Every rule (codec/container,
    ranges, sizes) is checked by the core (``_core.validate_export_options``) before any work.

    Raises
    ------
    SceneError
        Bad arguments (unknown codec/preset, codec/container mismatch, missing folder,
        unsupported extension, a frame size the codec cannot take, a range outside the scene),
        naming the parameter and the fix.
    TypeError
        A parameter of the wrong type.
    """

    def __init__(self, scene: SceneLike, path: PathLike, *, video_codec: VideoCodec | None = None,
                 encoder: str = "auto", crf: int | None = None, preset: Preset = "veryfast",
                 bitrate: int | None = None, gop: int | None = None, audio_bitrate: int = 192000,
                 stall_timeout: float = 30.0, gpu_slots: int = 3, frames: tuple[int, int] | None = None,
                 time_range: tuple[float, float] | None = None, quality: Quality | None = None,
                 scale: float | None = None, workers: int = 1, subtitles: PathLike | None = None,
                 loudness_lufs: float | None = None, true_peak_db: float | None = None,
                 _hooks: "_core.ExportHooks | None" = None):
        scene = _scaled(scene, scale)
        from . import loudness as _loudness
        self._loudness = _loudness.check_targets(loudness_lufs, true_peak_db)
        self.loudness_gain_db: float | None = None
        self.scene: SceneLike = scene
        self.path: str = os.fspath(path)
        o = _core.ExportOptions()
        o.path = self.path
        for name, value in (("video_codec", video_codec), ("encoder", encoder), ("preset", preset)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{name} must be a str, got {value!r}")
        o.video_codec = video_codec or "auto"
        o.encoder = encoder
        o.preset = preset
        crf, bitrate, gop = _int_arg("crf", crf), _int_arg("bitrate", bitrate), _int_arg("gop", gop)
        if bitrate is not None and bitrate <= 0:
            raise SceneError(f"bitrate must be a positive int (bits per second), got {bitrate!r}")
        if gop is not None and gop <= 0:
            raise SceneError(f"gop must be a positive int (frames), got {gop!r}")
        o.crf = -1 if crf is None else crf
        o.bitrate = bitrate or 0
        o.gop = gop or 0
        o.audio_bitrate = _req_int("audio_bitrate", audio_bitrate)
        o.gpu_slots = _req_int("gpu_slots", gpu_slots)
        if isinstance(stall_timeout, bool) or not isinstance(stall_timeout, numbers.Real):
            raise TypeError(f"stall_timeout must be a number of seconds, got {stall_timeout!r}")
        o.stall_timeout = float(stall_timeout)
        o.first_frame, o.last_frame = _frame_range(scene, frames, time_range)
        self.video_codec: str = _core.validate_export_options(o, scene.width, scene.height, scene.frame_count)
        self.audio_only = self.video_codec == ""
        self.frames: tuple[int, int] = (o.first_frame, o.last_frame)
        if quality is not None:
            if crf is not None:
                raise SceneError("give crf or quality, not both")
            o.crf = quality_settings(self.video_codec, quality).get("crf", -1)
        self._workers: int = _workers_arg(workers, frames, time_range)
        if subtitles is not None:  # a soft track (reelforge.subtitles.check_soft_track)
            from .subtitles import check_soft_track
            o.subtitles = check_soft_track(subtitles, self.path, self._workers)
        self._segmented: dict[str, Any] = dict(video_codec=video_codec, encoder=encoder, crf=None if o.crf < 0 else o.crf,
                               preset=preset, bitrate=bitrate, gop=gop, audio_bitrate=audio_bitrate)
        if not self.audio_only:
            # prores, gif and png have no quality knob: crf and bitrate are ignored for them.
            spec = next(c for c in _core.codec_specs() if c.codec == self.video_codec)
            if spec.crf_max == 0:
                o.crf, o.bitrate = -1, 0
        self._options: _core.ExportOptions = o
        self._hooks: _core.ExportHooks | None = _hooks
        self._handle: ExportHandle | None = None

    def _compiled(self) -> "_core.Timeline":
        """The scene's timeline, with the loudness gain and limiter when asked for."""
        tl = self.scene.compile()
        lufs, tp = self._loudness
        if (lufs is not None or tp is not None) and tl.audio:
            from .loudness import master_settings
            self.loudness_gain_db = master_settings(tl, lufs, tp)
        return tl

    def start(self) -> ExportHandle:
        """Start exporting in background threads and return an :class:`ExportHandle` at once.

        With ``workers`` > 1 the segmented export runs on a background thread behind the same
        handle (progress, cancel, wait, result, ``await``); cancel stops the segments and leaves
        no output."""
        if self._workers > 1:
            from ._segmented_run import start_segmented
            self._handle = ExportHandle(start_segmented(
                self.scene, self.path, workers=self._workers,
                **{k: v for k, v in self._segmented.items() if v is not None}))
            return self._handle
        core = _core.Export(self._compiled(), self._options, self._hooks)
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
        if self._workers > 1:
            from .distributed import export_local
            scene = self.scene
            if self._loudness != (None, None) and scene.audio:
                from .loudness import MasteredScene, master_settings
                self.loudness_gain_db = master_settings(scene.compile(), *self._loudness)
                scene = MasteredScene(scene, self.loudness_gain_db, self._loudness[1])
            return export_local(scene, self.path, workers=self._workers, progress=progress or False,
                                **{k: v for k, v in self._segmented.items() if v is not None})
        handle = self.start()
        if progress is True:
            from tqdm.auto import tqdm
            total = self.frames[1] - self.frames[0]
            with tqdm(total=total, unit="frame", desc=os.path.basename(self.path.rstrip("/")) or self.path) as bar:
                def update(p: Progress) -> None:
                    bar.update(p.frames_done - bar.n)
                    bar.set_postfix_str(p.phase)
                return handle.wait(on_progress=update)
        return handle.wait(on_progress=progress if callable(progress) else None)


__all__ = ["Exporter", "ExportResult", "ExportHandle", "Progress", "is_image_sequence"]
