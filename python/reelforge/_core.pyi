"""Type stubs for the native module reelforge._core (pybind11). Use the public API in
reelforge (Scene, Renderer, Exporter); these classes are its building blocks."""

from typing import Any

import numpy as np
import numpy.typing as npt

class LayerKind:
    SOLID: LayerKind
    IMAGE: LayerKind
    VIDEO: LayerKind
    name: str
    value: int

class BlendMode:
    NORMAL: BlendMode
    MULTIPLY: BlendMode
    SCREEN: BlendMode
    OVERLAY: BlendMode
    DARKEN: BlendMode
    LIGHTEN: BlendMode
    ADD: BlendMode
    DIFFERENCE: BlendMode
    name: str
    value: int

class RgbaImage:
    """Premultiplied RGBA8 pixels, from a uint8 array of shape (height, width, 4)."""
    def __init__(self, premultiplied_rgba: npt.NDArray[np.uint8]) -> None: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...

class LayerTrack:
    """float32 tables over the layer's frames [start_frame, end_frame): each of length
    end_frame - start_frame (one value per frame) or 1 (a constant). Set from 1-D arrays."""
    x: npt.NDArray[np.float32]
    y: npt.NDArray[np.float32]
    width: npt.NDArray[np.float32]
    height: npt.NDArray[np.float32]
    anchor_x: npt.NDArray[np.float32]
    anchor_y: npt.NDArray[np.float32]
    scale_x: npt.NDArray[np.float32]
    scale_y: npt.NDArray[np.float32]
    rotation: npt.NDArray[np.float32]
    opacity: npt.NDArray[np.float32]
    crop_left: npt.NDArray[np.float32]
    crop_top: npt.NDArray[np.float32]
    crop_right: npt.NDArray[np.float32]
    crop_bottom: npt.NDArray[np.float32]
    def __init__(self) -> None: ...

class Layer:
    name: str
    kind: LayerKind
    path: str
    image: RgbaImage | None
    color: list[float]
    start_frame: int
    end_frame: int
    trim_start: float
    autorotate: bool
    blend: BlendMode
    track: LayerTrack
    def __init__(self) -> None: ...

class AudioClip:
    path: str
    start: float
    trim_start: float
    duration: float
    gain_db: float
    fade_in: float
    fade_out: float
    loop: bool
    gain_db_per_frame: list[float]
    def __init__(self) -> None: ...

class Timeline:
    width: int
    height: int
    fps: tuple[int, int]
    frame_count: int
    background: list[float]
    layers: list[Layer]
    audio: list[AudioClip]
    def __init__(self) -> None: ...
    def validate(self) -> None: ...

class MediaInfo:
    @property
    def has_video(self) -> bool: ...
    @property
    def has_audio(self) -> bool: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def fps(self) -> float: ...
    @property
    def duration(self) -> float: ...
    @property
    def is_image(self) -> bool: ...
    @property
    def sample_rate(self) -> int: ...
    @property
    def channels(self) -> int: ...
    @property
    def video_codec(self) -> str: ...
    @property
    def rotation(self) -> int: ...
    @property
    def audio_codec(self) -> str: ...

def probe(path: str) -> MediaInfo: ...

class Renderer:
    def __init__(self, timeline: Timeline) -> None: ...
    @property
    def device(self) -> str: ...
    def render_rgba(self, frame: int) -> npt.NDArray[np.uint8]: ...
    def render_nv12(self, frame: int) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]: ...

class ExportOptions:
    """Options of one export (see reelforge.Exporter); checked by validate_export_options."""
    path: str
    video_codec: str
    encoder: str
    crf: int
    preset: str
    bitrate: int
    gop: int
    audio_bitrate: int
    stall_timeout: float
    gpu_slots: int
    queue_frames: int
    first_frame: int
    last_frame: int
    def __init__(self) -> None: ...

class ExportProgress:
    frames_done: int
    total_frames: int
    elapsed: float
    fps: float
    eta: float
    phase: str
    @property
    def fraction(self) -> float: ...
    def __init__(self) -> None: ...

class ExportResult:
    path: str
    frames: int
    encoder: str
    audio_encoder: str
    video_codec: str
    device: str
    audio_samples: int
    seconds: float
    fps: float
    stage_fps: dict[str, float]
    refusals: list[str]
    def __init__(self) -> None: ...

class ExportHooks:
    """Test hooks of the export pipeline (tests only)."""
    @staticmethod
    def stall(stage: str, frame: int = 1) -> ExportHooks: ...

class CodecSpec:
    @property
    def codec(self) -> str: ...
    @property
    def extensions(self) -> list[str]: ...
    @property
    def audio(self) -> bool: ...
    @property
    def crf_max(self) -> int: ...
    @property
    def crf_default(self) -> int: ...
    @property
    def max_side(self) -> int: ...
    @property
    def rgba_input(self) -> bool: ...

def codec_specs() -> list[CodecSpec]: ...
def audio_only_extensions() -> list[str]: ...
def presets() -> list[str]: ...
def is_image_sequence_path(path: str) -> bool: ...
def is_audio_only_path(path: str) -> bool: ...
def validate_export_options(options: ExportOptions, width: int, height: int, frame_count: int) -> str: ...

class Export:
    """The threaded export. Raises SceneError for bad options (validate_export_options). After
    close() the handle answers from the final progress and result (or re-raises the error)."""
    def __init__(self, timeline: Timeline, options: ExportOptions, hooks: ExportHooks | None = None) -> None: ...
    def start(self) -> None: ...
    def wait_for(self, seconds: float) -> bool: ...
    def cancel(self) -> None: ...
    def take_logs(self) -> list[str]: ...
    def progress(self) -> ExportProgress: ...
    def result(self) -> ExportResult: ...
    def close(self) -> None: ...

def measure_throughput(timeline: Timeline, frames: int = 300, distinct: int = 30, warmup: int = 10, slots: int = 3,
                       nv12: bool = True) -> dict[str, Any]:
    """GPU throughput of the scene without decoding or encoding: the inputs of its first
    ``distinct`` frames are decoded once, then ``frames`` frames are uploaded, composited,
    converted to NV12 (or RGBA8 with ``nv12=False``) and read back into host memory with
    ``slots`` frames in flight, after ``warmup`` untimed ones. Returns ``{"frames", "seconds",
    "fps", "cpu_seconds" (process CPU time, all threads), "submit_seconds" (recording and
    submitting), "device", "device_type" (cpu, discrete, integrated, virtual, other)}``. Raises ValueError for non-positive counts, MediaError, GpuError."""
    ...

def encoder_candidates(codec: str) -> list[str]: ...
def resolve_output_codec(path: str, video_codec: str = "auto", crf: int = -1, bitrate: int = 0) -> str: ...
def render_text(text: str, font_path: str, size_px: float, color: tuple[int, int, int, int], line_spacing: float,
                align: str) -> tuple[npt.NDArray[np.uint8], float]: ...
def mix_audio(timeline: Timeline, start: int = 0, count: int = -1) -> npt.NDArray[np.float32]: ...
def analyze_audio(timeline: Timeline, bands: int = 8, fmin: float = 40.0, fmax: float = 16000.0) -> dict[str, Any]: ...
AUDIO_SAMPLE_RATE: int

# -- segment join (src/export/join.h, bind_join.cpp) ------------------------------------------
class SegmentInfo:
    path: str
    codec: str
    width: int
    height: int
    frames: int
    time_base: tuple[int, int]
    extradata: bytes
    starts_with_idr: bool
    whole_frames: bool

class JoinResult:
    path: str
    frames: int
    audio_packets: int
    segments: list[SegmentInfo]

def ffmpeg_versions() -> dict[str, Any]: ...
def inspect_segment(path: str, fps: tuple[int, int]) -> SegmentInfo: ...
def join_segments(segments: list[str], output: str, fps: tuple[int, int], total_frames: int,
                  segment_frames: list[int] = ..., audio: str = "") -> JoinResult: ...
