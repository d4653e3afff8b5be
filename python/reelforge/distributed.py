"""Segmented export: render GOP-aligned segments in parallel (Dask distributed) and join them.

The timeline is cut by :func:`reelforge.segments.plan_segments`; each segment is a task that
renders and encodes its frames on its own (so it starts with an IDR) into a file under an
attempt-unique name in a staging folder and returns metadata only. The audio is mixed and encoded
once for the whole timeline (one .m4a, or .opus for WebM: one priming delay, no seams). The join
(``_core.join_segments``, libavformat) checks the segments and remuxes their packets with pts
offsets plus the audio into the output, written under a temporary name and renamed.

Guarantees (tested in tests/test_distributed.py):

* with the same plan the output is byte-identical whichever worker ran which segment, and to
  :func:`export_local` with ``workers=1``, given the same build (checked) and ``x264_threads``
  (x264's output depends on its thread count; every segment of an export uses the same);
* frame counts, pts and duration are exact; keyframes only where a one-pass encode with the same
  GOP has them; faststart for MP4/MOV;
* with CRF, x264's rate control does not cross segment boundaries, so the pictures differ slightly
  from a one-pass encode (PSNR >= 45 dB at CRF 18 against it); with ``crf=0`` (lossless) they are
  equal.

See docs/cluster.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import hashlib
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Iterator, Union, cast

from . import _core
from .errors import ExportCancelled, ReelforgeError, SceneError
from .exporter import Exporter, ExportResult, Progress
from ._types import PathLike, SceneLike, VideoCodecOrAuto
from .segments import Segment, default_gop, plan_segments
from .staging import Staging, media_paths, open_staging, sha256_file, with_media_paths

if TYPE_CHECKING:
    from distributed import Client, Future, Worker, WorkerPlugin

#: ``progress=`` of a segmented export: True for a tqdm bar, False for none, or a callable.
ProgressArg = Union[bool, Callable[[Progress], None]]

log = logging.getLogger("reelforge")

#: Output containers the join writes: H.264/HEVC segments in MP4 joined into .mp4/.mov/.m4v/.mkv
#: with AAC audio; VP9 segments in WebM joined into .webm (Opus audio) or .mkv (AAC).
JOIN_CONTAINERS = (".mp4", ".mov", ".m4v", ".mkv", ".webm")
JOIN_CODECS = ("h264", "hevc", "vp9")


class SegmentFailed(ReelforgeError):
    """A segment kept failing after its retries; nothing was written.

    Attributes: ``index`` (the segment's position in the plan) and ``reason`` (the last error).
    """

    def __init__(self, index: int, reason: str):
        super().__init__(f"segment {index} failed: {reason}")
        self.index = index
        self.reason = reason

    def __reduce__(self) -> tuple[type[SegmentFailed], tuple[int, str]]:  # picklable across processes with its two arguments
        return SegmentFailed, (self.index, self.reason)


@dataclass(frozen=True)
class SegmentResult:
    """What a segment task returns (metadata only; the frames stay in ``path``).

    ``sha256`` of the file, ``frames`` video frames in it, ``fingerprint`` the sha256 of its codec
    extradata (SPS/PPS): equal for every segment of one export. ``worker``: the Dask worker address
    ("" when local); ``seconds``: wall time of the task.
    """

    index: int
    first: int
    last: int
    path: str
    sha256: str
    frames: int
    fingerprint: str
    worker: str = ""
    seconds: float = 0.0
    encoder: str = ""
    media: tuple[str, ...] = ()  # the media paths the worker read (staged copies when staging= was given)


class SegmentedResult(ExportResult):
    """:class:`~reelforge.ExportResult` of a segmented export, plus where the time went.

    ``timings``: seconds of the client's wall clock per phase: ``cluster`` (starting a
    LocalCluster; 0 with a given client), ``setup`` (worker build check and Vulkan device, once
    per worker), ``ship`` (scatter of the scene), ``segments`` (first submit to last segment
    done, audio included), ``join``; ``segment_seconds`` the task time of each segment (render +
    encode on its worker). ``segments``: the :class:`SegmentResult` of each segment.
    ``x264_threads``: encoder threads every segment ran with. ``staged_media``:
    ``{"uploaded": [...], "reused": [...]}``, the media files copied into ``staging`` by this
    export and those found there already (both empty without ``staging``).
    """

    staged_media: dict[str, list[str]]

    def __init__(self, timings: dict[str, Any], segments: list[SegmentResult], x264_threads: int,
                 **fields: Any) -> None:
        super().__init__()
        for k, v in fields.items():
            setattr(self, k, v)
        self.timings, self.segments, self.x264_threads = timings, segments, x264_threads
        self.staged_media = {"uploaded": [], "reused": []}


@dataclass(frozen=True)
class _Job:
    """Everything a segment task needs besides the scene (small, shipped with each task)."""

    staging: str               # this export's folder in ``stage`` (a local path or a path in the fsspec fs)
    fps: tuple[int, int]
    options: dict[str, Any]
    build: dict[str, Any]
    x264_threads: int = 1
    progress_topic: str = ""  # Dask event topic for frames done inside a segment ("" for none)
    debug_fail: int = -1   # tests: this segment always raises
    debug_kill: int = -1   # tests: this segment's first attempt SIGKILLs its worker mid-encode
    stage: Staging = Staging("", "")
    codec: str = "h264"        # the segments' video codec (vp9: .webm segment files)
    audio_ext: str = ".m4a"    # .opus for WebM outputs
    media: dict[str, tuple[str, str]] = field(default_factory=dict)  # scene path -> (staged name, sha256)


@functools.lru_cache(maxsize=1)
def build_fingerprint() -> dict[str, Any]:
    """This process's reelforge build: package version, sha256 of the native module, the libav*
    versions and configuration it runs with and the encoder libraries loaded (libx264.so.164:
    the soname carries x264's build number). Workers must match the client (checked by
    :class:`BuildCheck`). Computed once per process."""
    with open(_core.__file__, "rb") as f:
        core = hashlib.sha256(f.read()).hexdigest()
    from . import __version__
    return {"reelforge": __version__, "core_sha256": core, "ffmpeg": dict(_core.ffmpeg_versions()),
            "encoders": _loaded_libraries(("libx264", "libx265"))}


def _loaded_libraries(prefixes: tuple[str, ...]) -> list[str]:
    """File names of the shared libraries of this process starting with one of ``prefixes``
    (from /proc/self/maps; empty where that does not exist)."""
    try:
        with open("/proc/self/maps") as f:
            names = {os.path.basename(line.split()[-1]) for line in f if "/" in line}
    except OSError:
        return []
    return sorted(n for n in names if n.startswith(tuple(prefixes)))


def _video_only(scene: SceneLike) -> SceneLike:
    """A shallow copy of ``scene`` without audio clips: segments carry video only."""
    from .rescale import ScaledScene
    if isinstance(scene, ScaledScene):  # the wrapped scene holds the clips
        return ScaledScene(_video_only(scene._scene), scene.width, scene.height)
    from .loudness import MasteredScene
    if isinstance(scene, MasteredScene):  # compile() reads the wrapped scene's clips
        return MasteredScene(_video_only(scene._scene), scene.master_gain_db, scene.true_peak_db)
    v = copy.copy(scene)
    v.audio = []
    return v


def _check_build(expected: dict[str, Any]) -> None:
    local = build_fingerprint()
    if local != expected:
        diff = {k: (expected.get(k), local.get(k)) for k in expected.keys() | local.keys() if expected.get(k) != local.get(k)}
        raise ReelforgeError(f"this worker runs a different reelforge/FFmpeg build than the client: {diff}; "
                             "install the same reelforge wheel and FFmpeg on every worker")


def _localised(scene: SceneLike, job: _Job) -> tuple[SceneLike, tuple[str, ...]]:
    """``scene`` reading its media from the staged copies (``job.media``), and the paths it reads."""
    if not job.media:
        return scene, tuple(media_paths(scene))
    local = {path: job.stage.local_media(name, digest) for path, (name, digest) in job.media.items()}
    return with_media_paths(scene, local), tuple(local.values())


def _work_dir(job: _Job) -> str:
    """Where a task writes its file: the export's folder itself (shared folder), or a local
    temporary folder whose file is uploaded (URL)."""
    return tempfile.mkdtemp(prefix="reelforge-task-") if job.stage.remote else job.staging


def render_segment(scene: SceneLike, segment: Segment, job: _Job, *, _cancel: threading.Event | None = None,
                   _frames: Callable[[int], None] | None = None) -> SegmentResult:
    """Render and encode ``segment`` of ``scene`` into a new file in ``job.staging``.

    Runs on a worker (or locally). The file name is unique per attempt, so a retried or
    duplicated task never overwrites another attempt's file. Media are read from their staged
    copies when the export staged them. Raises what the export raises (ExportCancelled once
    ``_cancel`` is set; ``_frames(n)`` is told the frames done so far, locally).
    """
    t0 = time.monotonic()
    _check_build(job.build)
    if segment.index == job.debug_fail:
        raise RuntimeError(f"debug failure of segment {segment.index}")
    scene, media = _localised(scene, job)
    work = _work_dir(job)
    try:
        return _render_segment(scene, segment, job, work, media, t0, _cancel, _frames)
    finally:
        if work != job.staging:
            shutil.rmtree(work, ignore_errors=True)


def _render_segment(scene: SceneLike, segment: Segment, job: _Job, work: str, media: tuple[str, ...], t0: float,
                    cancel: threading.Event | None, frames: Callable[[int], None] | None) -> SegmentResult:
    ext = ".webm" if job.codec == "vp9" else ".mp4"
    path = os.path.join(work, f"seg{segment.index:05d}-{uuid.uuid4().hex[:12]}{ext}")
    exporter = Exporter(_video_only(scene), path, frames=(segment.first, segment.last), **job.options)
    # Pinned: x264's bitstream depends on its thread count, which would otherwise follow the
    # worker's cores.
    exporter._options.threads = job.x264_threads
    if segment.index == job.debug_kill:
        marker = os.path.join(tempfile.gettempdir() if job.stage.remote else job.staging,
                              f"killed-{segment.index}-{os.path.basename(job.staging)}")
        if not os.path.exists(marker):
            open(marker, "w").close()
            handle = exporter.start()
            while handle.progress.frames_done < 1 and not handle.done:
                time.sleep(0.01)
            os.kill(os.getpid(), signal.SIGKILL)
    dask_worker = _current_worker()
    report: Callable[[Progress], None] | None = None
    if job.progress_topic and dask_worker is not None:
        def report(p: Progress) -> None:
            assert dask_worker is not None
            dask_worker.log_event(job.progress_topic, {"index": segment.index, "done": p.frames_done})
    elif cancel is not None or frames is not None:
        def report(p: Progress) -> None:
            if cancel is not None and cancel.is_set():
                exporter.cancel()  # run() then raises ExportCancelled, the partial file removed
            if frames is not None:
                frames(p.frames_done)
    encoder = exporter.run(progress=report).encoder
    info = _core.inspect_segment(path, job.fps)
    digest = sha256_file(path)
    staged = job.stage.publish(path, job.staging)
    worker = dask_worker.address if dask_worker is not None else ""
    return SegmentResult(segment.index, segment.first, segment.last, staged, digest, info.frames,
                         hashlib.sha256(info.extradata).hexdigest(), worker, time.monotonic() - t0, encoder, media)


def _current_worker() -> "Worker | None":
    """The Dask worker running this task, or None outside one."""
    try:
        from distributed import get_worker
        return get_worker()
    except (ImportError, ValueError):
        return None


def render_audio(scene: SceneLike, job: _Job) -> tuple[str, int, str]:
    """Mix and encode the whole timeline's audio once into a new file of the export's folder
    (``job.audio_ext``: .m4a AAC, or .opus for WebM); returns its staged path, the samples
    written (48 kHz) and the encoder that ran."""
    scene, _ = _localised(scene, job)
    work = _work_dir(job)
    try:
        path = os.path.join(work, f"audio-{uuid.uuid4().hex[:12]}{job.audio_ext}")
        r = Exporter(scene, path, audio_bitrate=job.options.get("audio_bitrate", 192000)).run()
        return job.stage.publish(path, job.staging), r.audio_samples, r.audio_encoder
    finally:
        if work != job.staging:
            shutil.rmtree(work, ignore_errors=True)


def _encode_options(scene: SceneLike, options: dict[str, Any]) -> dict[str, Any]:
    """Exporter options for every segment, with the GOP fixed (segments start on its multiples)."""
    opts = dict(options)
    for banned in ("frames", "time_range", "workers"):
        if banned in opts:
            raise SceneError(f"{banned}= cannot be combined with a segmented export")
    gop = opts.get("gop") or default_gop(scene.fps)
    opts["gop"] = gop
    return opts


def _check_output(path: str, options: dict[str, Any]) -> str:
    """The video codec of a segmented export to ``path`` (the core's codec/container rules: vp9
    for .webm, h264 unless ``video_codec`` says otherwise); SceneError for what it cannot write."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in JOIN_CONTAINERS:
        raise SceneError(f"segmented export writes {', '.join(JOIN_CONTAINERS)} files, not {path!r}; "
                         "export other formats with Exporter(...)")
    asked = options.get("video_codec") or "auto"
    if asked != "auto" and asked not in JOIN_CODECS:
        raise SceneError(f"segmented export supports video_codec {', '.join(JOIN_CODECS)}, got {asked!r}")
    codec = _core.resolve_output_codec(path, cast(VideoCodecOrAuto, asked))  # SceneError for a codec the container cannot hold
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise SceneError(f"output folder does not exist: {folder!r}")
    return codec


def _audio_ext(path: str) -> str:
    """The export's audio file: Opus for WebM (the only codec it takes besides Vorbis), else AAC."""
    return ".opus" if path.lower().endswith(".webm") else ".m4a"


@contextlib.contextmanager
def _staging_folder(path: str, stage: Staging) -> Iterator[str]:
    """A fresh folder in ``stage`` for one export's segment and audio files, removed afterwards
    whatever happens (see :mod:`reelforge.staging`)."""
    folder = stage.new_folder(f".{os.path.basename(path)}.segments-")
    try:
        yield folder
    finally:
        stage.remove_folder(folder)


@contextlib.contextmanager
def _local_copies(path: str, stage: Staging, folder: str) -> Iterator[str]:
    """Where the client reads the staged files to join them: the export's folder itself (shared
    folder), or a temporary folder beside the output for downloads (URL), removed afterwards."""
    if not stage.remote:
        yield folder
        return
    local = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.fetch-", dir=os.path.dirname(os.path.abspath(path)))
    try:
        yield local
    finally:
        shutil.rmtree(local, ignore_errors=True)


def join(scene: SceneLike, path: PathLike, results: list[SegmentResult], audio: str = "") -> "_core.JoinResult":
    """Check the segment files against their metadata and join them into ``path``.

    Raises ReelforgeError if a file changed since its task finished (sha256), SceneError
    (from the core) if segments do not fit together."""
    results = sorted(results, key=lambda r: r.index)
    for r in results:
        if sha256_file(r.path) != r.sha256:
            raise ReelforgeError(f"segment {r.index} file {r.path!r} changed after it was written (sha256 differs)")
    fps = (scene.fps.numerator, scene.fps.denominator)
    return _core.join_segments([r.path for r in results], os.fspath(path), fps, scene.frame_count,
                               [r.last - r.first for r in results], audio)


def _result(path: str, scene: SceneLike, t0: float, results: list[SegmentResult], timings: dict[str, Any],
            audio: tuple[str, int, str], job: _Job, device: str = "") -> SegmentedResult:
    seconds = time.monotonic() - t0
    n = scene.frame_count
    results = sorted(results, key=lambda r: r.index)
    timings = dict(timings, segment_seconds=[round(r.seconds, 4) for r in results])
    log.info("segmented export %s: %d frames in %d segments, %.2f s (%s)", path, n, len(results), seconds,
             ", ".join(f"{k} {v:.2f} s" for k, v in timings.items() if isinstance(v, float)))
    _, samples, audio_encoder = audio
    return SegmentedResult(timings, results, job.x264_threads, path=path, frames=n, encoder=results[0].encoder,
                           audio_encoder=audio_encoder, seconds=seconds,
                           fps=n / seconds if seconds > 0 else 0.0, device=device, audio_samples=samples,
                           video_codec=job.codec)


def _threads_arg(x264_threads: object) -> int | None:
    if x264_threads is not None and (isinstance(x264_threads, bool) or not isinstance(x264_threads, int)
                                     or not 1 <= x264_threads <= 64):
        raise SceneError(f"x264_threads must be an int in 1..64 or None, got {x264_threads!r}")
    return x264_threads


def export_local(scene: SceneLike, path: PathLike, *, workers: int = 1, segment_frames: int | None = None,
                 progress: ProgressArg = False, x264_threads: int | None = None,
                 _cancel: threading.Event | None = None, **options: Any) -> SegmentedResult:
    """Segmented export on this machine: ``workers`` processes render the segments (a Dask
    LocalCluster); ``workers=1`` renders them one after another in this process, with the same
    plan, segment files and join, so the bytes equal a distributed export with the same plan and
    ``x264_threads``.

    This is what ``Exporter(..., workers=N)`` runs. ``x264_threads``: encoder threads per segment
    (None: this machine's cores divided by ``workers``). Other options as
    :class:`~reelforge.Exporter`; ``progress`` as :func:`export`. Raises ExportCancelled (nothing
    written) once ``_cancel`` is set (:meth:`reelforge.Exporter.start` with ``workers``).
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise SceneError(f"workers must be a positive int, got {workers!r}")
    threads = _threads_arg(x264_threads) or max(1, (os.cpu_count() or 1) // workers)
    if workers > 1:
        return export(scene, path, client=None, segment_frames=segment_frames, progress=progress,
                      n_workers=workers, x264_threads=threads, _cancel=_cancel, **options)
    path = os.fspath(path)
    codec = _check_output(path, options)
    t0 = time.monotonic()
    opts = _encode_options(scene, options)
    plan = plan_segments(scene.frame_count, opts["gop"], segment_frames)
    timings = {"cluster": 0.0, "setup": 0.0, "ship": 0.0}
    stage = open_staging(None, os.path.dirname(os.path.abspath(path)))
    with _staging_folder(path, stage) as staging:
        job = _Job(staging, (scene.fps.numerator, scene.fps.denominator), opts, build_fingerprint(), threads,
                   stage=stage, codec=codec, audio_ext=_audio_ext(path))
        t = time.monotonic()
        results: list[SegmentResult] = []
        done = 0

        def frames(n: int) -> None:  # frames of the running segment
            if callable(progress):
                progress(_progress(done + n, scene.frame_count, time.monotonic() - t))

        for s in plan:
            if _cancel is not None and _cancel.is_set():
                raise ExportCancelled("segmented export cancelled")
            results.append(render_segment(scene, s, job, _cancel=_cancel, _frames=frames))
            done += results[-1].frames
            frames(0)
        audio = render_audio(scene, job) if scene.audio else ("", 0, "")
        timings["segments"] = time.monotonic() - t
        t = time.monotonic()
        join(scene, path, results, audio[0])
        timings["join"] = time.monotonic() - t
    return _result(path, scene, t0, results, timings, audio, job)


def _progress(done: int, total: int, elapsed: float) -> Progress:
    p = Progress()
    p.frames_done, p.total_frames, p.elapsed = done, total, elapsed
    p.fps = done / elapsed if elapsed > 0 else 0.0
    p.eta = (total - done) / p.fps if p.fps > 0 else 0.0
    p.phase = "rendering" if done < total else "finishing"
    return p


class BuildCheck:
    """Dask worker plugin: checks once per worker that it runs the client's reelforge/FFmpeg build
    and opens the Vulkan device (kept open for the worker's life; later segments reuse it)."""

    name = "reelforge-build-check"

    def __init__(self, build: dict[str, Any]) -> None:
        self.build = build

    def setup(self, worker: "Worker") -> None:
        _check_build(self.build)
        from .renderer import Renderer
        from .scene import Scene
        # Kept for the worker's life (our attribute on dask's Worker): later segments reuse the open device.
        worker.reelforge_device = Renderer(Scene(16, 16, fps=1, duration=1)).device  # type: ignore[attr-defined]


@contextlib.contextmanager
def _workers_do_not_rerun_main() -> Iterator[None]:
    """While it is active, processes started with multiprocessing's spawn (Dask's nanny starts
    workers that way) do not re-run the user's script: spawn re-imports ``__main__`` from its
    ``__file__`` (or ``__spec__`` name), so module-level code, including an unguarded call of
    :func:`export`, would run again in every worker. Functions and objects of ``__main__`` still
    reach the workers, by value (cloudpickle). Used around a LocalCluster this module owns."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved: dict[str, Any] = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        main.__dict__.update(saved)
        if "__spec__" not in saved:
            del main.__spec__


def _make_plugin(build: dict[str, Any]) -> "WorkerPlugin":
    from distributed import WorkerPlugin

    class _Plugin(BuildCheck, WorkerPlugin):
        pass

    return _Plugin(build)


def export(scene: SceneLike, path: PathLike, *, client: "Client | None" = None, segment_frames: int | None = None,
           resources: dict[str, float] | None = None, retries: int = 2, progress: ProgressArg = True,
           staging: PathLike | None = None, n_workers: int = 2, x264_threads: int | None = None,
           _debug_fail: int = -1, _debug_kill: int = -1, _cancel: threading.Event | None = None,
           **options: Any) -> SegmentedResult:
    """Export ``scene`` to ``path`` with segments rendered as tasks on a Dask cluster.

    Parameters
    ----------
    scene : reelforge.Scene
        Shipped to the workers once (``client.scatter``). Without ``staging`` its media paths are
        opened on the workers as they are, so they must exist there (shared storage); with it
        the media files are staged and the workers read the staged copies.
    path : str or os.PathLike
        Output: .mp4/.mov/.m4v/.mkv with H.264 or HEVC video and AAC audio, or .webm (.mkv with
        ``video_codec="vp9"``) with VP9 video and Opus (WebM) audio. Written by the client process
        under a temporary name and renamed; nothing is left on failure.
    client : distributed.Client, optional
        None: a ``LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True)`` for the
        duration of the call.
    segment_frames : int, optional
        Frames per segment, rounded up to whole GOPs. None: about two segments per worker thread.
    resources : dict, optional
        Dask resources per segment task, e.g. ``{"GPU": 1}`` for workers started with
        ``--resources GPU=1``.
    retries : int
        Times a failing segment task is retried (Dask also re-runs tasks of workers that died).
    progress : bool or callable
        True: a tqdm bar of frames done, advanced as segments finish; a callable receives a
        :class:`~reelforge.exporter.Progress` at the start and after each segment.
    staging : str or os.PathLike, optional
        Where segment files, the audio and the scene's media meet (:mod:`reelforge.staging`): a
        folder the client and every worker see under the same path (used in place), or an
        fsspec URL (``s3://bucket/prefix``, ``file:///mnt/share``: files are uploaded and
        downloaded through fsspec; ``memory://`` is refused). The media are content-hashed into
        ``<staging>/media/`` once and reused by later exports; the export's own files are
        removed afterwards. None: segment files beside the output and media read in place,
        right for a LocalCluster.
    n_workers : int
        Workers of the LocalCluster started when ``client`` is None.
    x264_threads : int, optional
        Encoder threads of every segment, 1..64. None: the smallest worker's cores divided by
        its task slots. Pinned because x264's output depends on it: byte-identical results need
        the same value.
    **options
        :class:`~reelforge.Exporter` options (crf, preset, gop, encoder, bitrate, audio_bitrate).

    Returns
    -------
    SegmentedResult
        An :class:`~reelforge.ExportResult` with ``timings``, ``segments`` and ``staged_media``.

    Raises
    ------
    SegmentFailed
        A segment kept failing after ``retries``; no output and no segment files are left.
    SceneError
        Bad arguments (unsupported container or codec, missing folder, unusable ``staging``).
    ExportCancelled
        ``_cancel`` was set (:meth:`reelforge.Exporter.start` with ``workers``); nothing written.
    """
    from distributed import Client, LocalCluster

    path = os.fspath(path)
    codec = _check_output(path, options)
    t0 = time.monotonic()
    opts = _encode_options(scene, options)
    stage = open_staging(staging, os.path.dirname(os.path.abspath(path)))
    timings: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        t = time.monotonic()
        if client is None:
            stack.enter_context(_workers_do_not_rerun_main())
            cluster = stack.enter_context(LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                                       dashboard_address=None))
            client = stack.enter_context(Client(cluster))
        timings["cluster"] = time.monotonic() - t
        nthreads = client.nthreads()
        _check_resources(client, resources)
        plan = plan_segments(scene.frame_count, opts["gop"], segment_frames, target_segments=2 * (sum(nthreads.values()) or 1))
        threads = _threads_arg(x264_threads)
        if threads is None:  # the smallest worker's cores per task slot, the same for every segment
            cores = client.run(os.cpu_count)
            threads = max(1, min(cores[w] // max(1, nthreads.get(w, 1)) for w in cores) if cores else 1)
        t = time.monotonic()
        build = build_fingerprint()
        client.register_plugin(_make_plugin(build))  # raises ReelforgeError on a worker with another build
        devices = client.run(lambda dask_worker: getattr(dask_worker, "reelforge_device", ""))
        timings["setup"] = time.monotonic() - t
        staging_dir = stack.enter_context(_staging_folder(path, stage))
        token = uuid.uuid4().hex[:8]
        t = time.monotonic()
        # Media go into staging (content-hashed, once) only when it was given: without it the
        # workers share the client's disk (a LocalCluster) and read the scene's own paths.
        media, uploaded, reused = stage.ship_media(media_paths(scene)) if staging is not None else ({}, [], [])
        job = _Job(staging_dir, (scene.fps.numerator, scene.fps.denominator), opts, build, threads,
                   f"reelforge-progress-{token}" if progress else "", _debug_fail, _debug_kill,
                   stage=stage, codec=codec, audio_ext=_audio_ext(path), media=media)
        # On every worker: scattered data has no recipe to recompute it, so a copy held by one
        # worker only would die with it (and every segment task with it).
        [scene_f] = client.scatter([scene], broadcast=True, hash=False)
        timings["ship"] = time.monotonic() - t
        t = time.monotonic()
        futures = {client.submit(render_segment, scene_f, s, job, key=f"reelforge-segment-{s.index}-{token}",
                                 retries=retries, resources=resources, pure=False): s for s in plan}
        audio_f = client.submit(render_audio, scene_f, job, key=f"reelforge-audio-{token}", retries=retries,
                                pure=False) if scene.audio else None
        results = _collect(client, futures, audio_f, scene.frame_count, progress, job.progress_topic,
                           os.path.basename(path), _cancel)
        audio = audio_f.result() if audio_f is not None else ("", 0, "")
        timings["segments"] = time.monotonic() - t
        t = time.monotonic()
        local_dir = stack.enter_context(_local_copies(path, stage, staging_dir))
        results = [replace(r, path=stage.fetch(r.path, local_dir)) for r in results]
        join(scene, path, results, stage.fetch(audio[0], local_dir) if audio[0] else "")
        timings["join"] = time.monotonic() - t
    r = _result(path, scene, t0, results, timings, audio, job, ", ".join(sorted(set(devices.values()))))
    r.staged_media = {"uploaded": uploaded, "reused": reused}
    return r


def _check_resources(client: "Client", resources: object) -> None:
    """SceneError unless some worker offers ``resources`` (a task asking for resources no worker
    has would wait forever)."""
    if not resources:
        return
    if not isinstance(resources, dict) or not all(isinstance(v, (int, float)) and v > 0 for v in resources.values()):
        raise SceneError(f"resources must be a dict of positive amounts such as {{'GPU': 1}}, got {resources!r}")
    offered = [w.get("resources", {}) for w in client.scheduler_info()["workers"].values()]
    if not any(all(have.get(k, 0) >= v for k, v in resources.items()) for have in offered):
        raise SceneError(f"no worker offers resources {resources!r} (workers offer {offered}); start workers with "
                         "e.g. `dask worker ... --resources GPU=1` or drop resources=")


def _collect(client: "Client", futures: "dict[Future[Any], Segment]", audio_f: "Future[Any] | None", total: int,
             progress: ProgressArg, topic: str, desc: str,
             cancel: threading.Event | None = None) -> list[SegmentResult]:
    """Wait for every task, reporting progress (a tqdm bar for True, or a callable receiving
    :class:`~reelforge.exporter.Progress`, about 4 times a second): frames of finished segments
    plus those that running segments report through Dask worker events on ``topic``. The first
    segment that failed for good raises SegmentFailed (the other tasks are cancelled); ``cancel``
    set raises ExportCancelled the same way."""
    from distributed import wait

    bar = None
    if progress is True:
        from tqdm.auto import tqdm
        bar = tqdm(total=total, unit="frame", desc=desc)
    t0 = time.monotonic()
    results: list[SegmentResult] = []
    partial: dict[int, int] = {}
    finished: set[int] = set()
    pending = set(futures) | ({audio_f} if audio_f is not None else set())

    def on_event(event: tuple[float, dict[str, Any]]) -> None:  # runs on the client's event loop thread
        msg = event[1]
        partial[msg["index"]] = max(partial.get(msg["index"], 0), int(msg["done"]))

    def report() -> None:
        done = sum(r.frames for r in results) + sum(v for k, v in list(partial.items()) if k not in finished)
        done = min(done, total)
        if bar is not None:
            bar.update(done - bar.n)
        if callable(progress):
            progress(_progress(done, total, time.monotonic() - t0))

    if topic:
        client.subscribe_topic(topic, on_event)
    try:
        report()
        while pending:
            if cancel is not None and cancel.is_set():
                for f in pending:
                    f.cancel()
                raise ExportCancelled("segmented export cancelled; nothing was written")
            try:
                ready, left = wait(list(pending), timeout=0.25, return_when="FIRST_COMPLETED")
                pending = set(left)
            except (TimeoutError, asyncio.TimeoutError):  # nothing finished within 0.25 s: report the running segments' frames
                ready = ()
            for fut in ready:
                seg = futures.get(fut)
                if fut.status in ("error", "cancelled"):
                    try:
                        exc = fut.exception()
                    except Exception as e:  # a cancelled future raises instead of returning its reason
                        exc = e
                    for f in pending:
                        f.cancel()
                    if seg is None:
                        raise ReelforgeError(f"encoding the audio failed: {exc}") from exc
                    raise SegmentFailed(seg.index, f"{type(exc).__name__}: {exc}") from exc
                if seg is not None:
                    results.append(fut.result())
                    finished.add(seg.index)
            report()
    finally:
        if topic:
            client.unsubscribe_topic(topic)
        if bar is not None:
            bar.close()
    return results


__all__ = ["export", "export_local", "join", "render_segment", "render_audio", "SegmentFailed", "SegmentResult",
           "SegmentedResult",
           "BuildCheck", "build_fingerprint", "JOIN_CONTAINERS"]
