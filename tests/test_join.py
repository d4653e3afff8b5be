"""The segment join (_core.join_segments, src/export/join.cpp) on segments made by the ffmpeg CLI
(libx264, fixed GOP, pinned x264 parameters): frame counts, pts, duration, keyframes, audio
sample count and faststart checked with ffprobe/ffmpeg; mismatching segments refused."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from fractions import Fraction

import numpy as np
import pytest

from reelforge import _core
from reelforge.errors import SceneError
from reelforge.segments import plan_segments

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg CLI")

W, H, GOP = 160, 90, 12
X264 = "keyint=12:min-keyint=12:scenecut=0:threads=1:sliced-threads=0"


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *map(str, args)], check=True)


def encode(path, fps: Fraction, first: int, last: int, *, x264=X264, qp=20):
    """Frames [first, last) of testsrc2 at `fps`, encoded on their own (IDR first)."""
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={W}x{H}:rate={fps}", "-vf",
           f"trim=start_frame={first}:end_frame={last},setpts=PTS-STARTPTS", "-c:v", "libx264",
           "-preset", "veryfast", "-qp", qp, "-g", GOP, "-x264-params", x264, "-pix_fmt", "yuv420p", path)
    return path


def audio_file(path, samples: int):
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000", "-af", f"atrim=end_sample={samples}",
           "-ac", "2", "-c:a", "aac", "-b:a", "96k", path)
    return path


def packets(path, stream="v:0"):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", stream, "-show_entries",
                          "packet=pts,dts,duration,flags", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["packets"]


def stream_info(path, stream="v:0"):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", stream, "-show_entries",
                          "stream=time_base,nb_frames,duration_ts,r_frame_rate", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["streams"][0]


def top_level_boxes(path):
    """The MP4 top-level box types in file order."""
    boxes, data = [], open(path, "rb").read()
    i = 0
    while i + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[i:i + 8])
        if size == 1:
            size = struct.unpack(">Q", data[i + 8:i + 16])[0]
        boxes.append(kind.decode())
        if size < 8:
            break
        i += size
    return boxes


def decoded_samples(path) -> int:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0", "-f", "f32le", "-"],
                         capture_output=True, check=True).stdout
    return len(raw) // 8  # stereo float32


def decode_yuv(path) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-f", "rawvideo", "-pix_fmt",
                          "yuv420p", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, W * H * 3 // 2)


def make_segments(tmp_path, fps, n, gop=GOP, **kw):
    plan = plan_segments(n, gop, segment_frames=gop)
    return plan, [str(encode(tmp_path / f"s{s.index}.mp4", fps, s.first, s.last, **kw)) for s in plan]


def fps_pair(fps):
    return (fps.numerator, fps.denominator)


# 55 frames: 4 whole GOPs and a short 7-frame tail; 55 frames at the 1001 rates is a whole
# number of 48 kHz samples.
@pytest.mark.parametrize("fps", [Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(60000, 1001)], ids=str)
def test_join_is_exact(tmp_path, fps):
    n = 55
    plan, segs = make_segments(tmp_path, fps, n)
    assert plan[-1].frames == 7
    samples = n * 48000 * fps.denominator // fps.numerator
    assert Fraction(n * 48000, 1) / fps == samples
    audio = audio_file(tmp_path / "a.m4a", samples)
    out = tmp_path / "out.mp4"
    r = _core.join_segments(segs, str(out), fps_pair(fps), n, [s.frames for s in plan], str(audio))
    assert r.frames == n and len(r.segments) == len(plan)

    info = stream_info(out)
    num, den = map(int, info["time_base"].split("/"))
    per_frame = Fraction(den * fps.denominator, num * fps.numerator)  # ticks per frame
    assert per_frame.denominator == 1
    pk = packets(out)
    assert len(pk) == n and int(info["nb_frames"]) == n
    pts = sorted(int(p["pts"]) for p in pk)
    assert pts == [i * int(per_frame) for i in range(n)], "pts must be the frame indices in 1/fps"
    dts = [int(p["dts"]) for p in pk]
    assert dts == sorted(dts) and len(set(dts)) == n
    assert int(info["duration_ts"]) == n * int(per_frame), "video lasts exactly n / fps"
    keys = sorted(int(p["pts"]) // int(per_frame) for p in pk if p["flags"].startswith("K"))
    assert keys == [s.first for s in plan], "keyframes exactly at the segment starts (GOP multiples)"
    # Audio copied packet for packet: same timestamps, durations (priming edit list included),
    # and the same decoded samples.
    akeys = ("pts", "dts", "duration", "flags")
    assert [[p[k] for k in akeys] for p in packets(out, "a:0")] == [[p[k] for k in akeys] for p in packets(audio, "a:0")]
    assert stream_info(out, "a:0")["duration_ts"] == stream_info(audio, "a:0")["duration_ts"]
    assert decoded_samples(out) == decoded_samples(audio)
    boxes = top_level_boxes(out)
    assert boxes.index("moov") < boxes.index("mdat"), f"not faststart: {boxes}"
    assert not list(tmp_path.glob(".out.mp4.part*"))


def test_join_equals_one_pass_with_constant_qp(tmp_path):
    """Constant QP, IDRs at the same frames: the joined pictures decode to exactly those of a
    one-pass encode."""
    fps, n = Fraction(25), 55
    plan, segs = make_segments(tmp_path, fps, n)
    out = tmp_path / "joined.mkv"
    _core.join_segments(segs, str(out), fps_pair(fps), n, [s.frames for s in plan])
    one = encode(tmp_path / "one.mp4", fps, 0, n)
    a, b = decode_yuv(out), decode_yuv(one)
    assert a.shape == b.shape == (n, W * H * 3 // 2)
    assert np.array_equal(a, b)
    # And the frames are the source's, in order (not merely equal to each other).
    src = decode_yuv(encode(tmp_path / "lossless.mp4", fps, 0, n, qp=0))
    assert np.abs(a.astype(int) - src).mean() < 3


def test_mismatching_sps_is_refused(tmp_path):
    fps, n = Fraction(24), 36
    plan, segs = make_segments(tmp_path, fps, n)
    encode(segs[1], fps, 12, 24, x264=X264 + ":ref=4")  # more reference frames (veryfast: 1): another SPS
    out = tmp_path / "out.mp4"
    with pytest.raises(SceneError, match=r"segment 1 .*SPS/PPS"):
        _core.join_segments(segs, str(out), fps_pair(fps), n)
    assert not out.exists() and not list(tmp_path.glob(".out.mp4.part*"))


def test_frame_counts_must_add_up(tmp_path):
    fps, n = Fraction(24), 36
    plan, segs = make_segments(tmp_path, fps, n)
    out = tmp_path / "out.mp4"
    with pytest.raises(SceneError, match="hold 36 frames but the timeline has 37"):
        _core.join_segments(segs, str(out), fps_pair(fps), 37)
    with pytest.raises(SceneError, match=r"segment 2 .* has 12 frames, the plan expects 11"):
        _core.join_segments(segs, str(out), fps_pair(fps), 35, [12, 12, 11])
    assert not out.exists()


def test_other_time_base_or_rate_is_refused(tmp_path):
    fps, n = Fraction(24), 24
    plan, segs = make_segments(tmp_path, fps, n)
    encode(segs[1], Fraction(25), 12, 24)  # a 25 fps segment in a 24 fps timeline
    with pytest.raises(SceneError, match="segment 1 .*time base"):
        _core.join_segments(segs, str(tmp_path / "o.mp4"), fps_pair(fps), n)
    # Joined at the wrong rate, the pts are not whole frames.
    plan, segs = make_segments(tmp_path, fps, n)
    with pytest.raises(SceneError, match="segment 0 .*timestamps are not the frames"):
        _core.join_segments(segs, str(tmp_path / "o.mp4"), (25, 1), n)


def test_segment_not_starting_with_idr_is_refused(tmp_path):
    fps = Fraction(24)
    whole = encode(tmp_path / "whole.mp4", fps, 0, 24)
    # A packet-level cut at frame 5 (not a keyframe): copy from there, forcing the non-key start.
    cut = tmp_path / "cut.mp4"
    ffmpeg("-i", whole, "-c", "copy", "-bsf:v", "noise=drop=lt(n\\,5)", "-an", cut)
    info = _core.inspect_segment(str(cut), fps_pair(fps))
    assert not info.starts_with_idr
    assert _core.inspect_segment(str(whole), fps_pair(fps)).starts_with_idr
    with pytest.raises(SceneError, match="does not start with an IDR"):
        _core.join_segments([str(cut)], str(tmp_path / "o.mp4"), fps_pair(fps), info.frames)


def test_missing_segment_file(tmp_path):
    from reelforge.errors import MediaError
    with pytest.raises(MediaError, match="not found"):
        _core.join_segments([str(tmp_path / "nope.mp4")], str(tmp_path / "o.mp4"), (24, 1), 10)
