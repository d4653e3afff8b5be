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
    """Premultiplied RGBA8 pixels, from a uint8 array of shape (height, width, 4); straight alpha
    (premultiplied=False) is premultiplied by the core."""
    def __init__(self, pixels: npt.NDArray[np.uint8], premultiplied: bool = True) -> None: ...
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
    def audio_codec(self) -> str: ...

def probe(path: str) -> MediaInfo: ...

class Renderer:
    def __init__(self, timeline: Timeline) -> None: ...
    @property
    def device(self) -> str: ...
    def render_rgba(self, frame: int) -> npt.NDArray[np.uint8]: ...
    def render_nv12(self, frame: int) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]: ...

class Export:
    """The threaded export. ``video_codec``: h264, hevc, vp9, prores, gif, png or "auto" (from the
    path); ``crf`` -1: the codec's default. Raises SceneError for a codec/container mismatch."""
    def __init__(self, timeline: Timeline, path: str, video_codec: str, encoder: str, crf: int, preset: str,
                 bitrate: int, gop: int, audio_bitrate: int, stall_timeout: float, gpu_slots: int,
                 debug_stall: str) -> None: ...
    def start(self) -> None: ...
    def wait_for(self, seconds: float) -> bool: ...
    def cancel(self) -> None: ...
    def take_logs(self) -> list[str]: ...
    def progress(self) -> dict[str, Any]: ...
    def result(self) -> dict[str, Any]: ...
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
def decoded_audio_seconds(path: str) -> float: ...
AUDIO_SAMPLE_RATE: int
