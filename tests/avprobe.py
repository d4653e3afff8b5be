"""ffprobe / ffmpeg helpers for checking exported files independently of reelforge."""

from __future__ import annotations

import json
import subprocess

import numpy as np


def probe(path) -> dict:
    """ffprobe's streams and format of ``path`` as a dict (packets counted)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-show_streams", "-show_format", "-of", "json",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def stream(info: dict, kind: str) -> dict | None:
    return next((s for s in info["streams"] if s["codec_type"] == kind), None)


def decode_video(path, width: int, height: int) -> np.ndarray:
    """All frames as straight RGBA uint8 (n, h, w, 4), converted with the BT.709 limited-range
    matrix by ffmpeg's swscale."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-vf",
                          "scale=in_color_matrix=bt709:in_range=tv:flags=bicubic+accurate_rnd+full_chroma_int",
                          "-pix_fmt", "rgba", "-f", "rawvideo", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 4)


def decode_audio(path, rate: int = 48000) -> np.ndarray:
    """The first audio stream as float32 (n, 2) at ``rate``, edit lists (encoder priming) applied."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0", "-ac", "2", "-ar",
                          str(rate), "-f", "f32le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32).reshape(-1, 2)
