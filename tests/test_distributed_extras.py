"""Segmented export, continued (issue 14): staging as an fsspec URL or a shared folder with the
scene's media content-hashed into it; VP9/WebM segments (joined with a key-frame check, Opus audio
encoded once); ``Exporter(..., workers=N).start()`` with progress, cancel and ``await``.
A 2-process Dask LocalCluster, small sizes."""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

import reelforge as rf  # noqa: E402
from reelforge import _core  # noqa: E402
from reelforge import distributed as rfd  # noqa: E402
from reelforge.staging import open_staging, sha256_file  # noqa: E402

W, H, FPS, SECONDS, GOP, SEG = 160, 90, 24, 3.0, 12, 24  # 72 frames: 3 segments of 2 GOPs


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        with distributed.Client(c) as cl:
            yield cl


@pytest.fixture
def tone(lavfi):
    return lavfi.file("tone_330.m4a", ["-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=3",
                                       "-c:a", "aac", "-b:a", "96k"])


@pytest.fixture
def scene(lavfi, tone):
    # Media files (an image and an audio file) for staging to ship. No video layer: byte-identity
    # checks here must not depend on a decoder seeking to each segment's start (see
    # tests/test_distributed.py for that).
    s = rf.Scene(W, H, fps=FPS, duration=SECONDS, background=(20, 30, 40))
    s.add_image(lavfi.png, width=W, height=H).animate("opacity", [(0, 0.2), (SECONDS, 1.0)])
    s.add_solid((255, 80, 0, 200), x=10, y=10, width=40, height=30).animate("x", [(0, 10), (SECONDS, 110)])
    s.add_audio(tone, gain_db=-6)
    return s


def video_packets(path) -> tuple[list[int], list[int]]:
    """(frame index of every video packet, those that are keyframes), from ffprobe; timestamps
    rounded to the nearest frame (WebM stores milliseconds)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "packet=pts,flags:stream=time_base", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    d = json.loads(out)
    tb = Fraction(d["streams"][0]["time_base"])
    idx = [(round(int(p["pts"]) * tb * FPS), p["flags"].startswith("K")) for p in d["packets"]]
    return sorted(i for i, _ in idx), sorted(i for i, k in idx if k)


def decode_pcm(path) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0", "-f", "f32le",
                          "-ac", "2", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32).reshape(-1, 2)


def no_leftovers(folder: Path):
    left = [p.name for p in folder.iterdir() if p.name.startswith(".")]
    assert left == [], f"left behind: {left}"


# -- staging --------------------------------------------------------------------------------------

def test_file_url_staging_ships_media_once_and_workers_read_the_staged_copies(client, scene, tmp_path, lavfi, tone):
    """staging='file://...' goes through fsspec like an object store: the media are uploaded
    content-hashed, the workers download them into their cache and upload their segments, the
    client downloads those to join. The file equals a workers=1 export of the same plan; a second
    export uploads nothing."""
    stage_dir = tmp_path / "stage"
    url = stage_dir.as_uri()
    out = tmp_path / "out" / "staged.mp4"
    out.parent.mkdir()
    r = rfd.export(scene, out, client=client, segment_frames=SEG, gop=GOP, x264_threads=1, progress=False,
                   staging=url)
    ref = tmp_path / "ref.mp4"
    rfd.export_local(scene, ref, workers=1, segment_frames=SEG, gop=GOP, x264_threads=1)
    assert out.read_bytes() == ref.read_bytes()
    media = [Path(lavfi.png), Path(tone)]
    staged = [stage_dir / "media" / f"{sha256_file(str(m))}{m.suffix.lower()}" for m in media]
    for m, st in zip(media, staged):
        assert st.read_bytes() == m.read_bytes()
    assert r.staged_media == {"uploaded": [str(m) for m in media], "reused": []}
    # Every segment read the media from the worker's cache copies (named by their hashes), not
    # from the paths in the scene.
    for seg in r.segments:
        assert [Path(p).name for p in seg.media] == [st.name for st in staged], seg.media
        assert not set(seg.media) & {str(m) for m in media}
        assert [Path(p).read_bytes() for p in seg.media] == [m.read_bytes() for m in media]
    # Nothing of the export is left in staging or beside the output: only the media cache.
    assert sorted(p.name for p in stage_dir.iterdir()) == ["media"]
    no_leftovers(out.parent)
    again = rfd.export(scene, tmp_path / "out" / "again.mp4", client=client, segment_frames=SEG, gop=GOP,
                       x264_threads=1, progress=False, staging=url)
    assert again.staged_media == {"uploaded": [], "reused": [str(m) for m in media]}
    assert (tmp_path / "out" / "again.mp4").read_bytes() == ref.read_bytes()


def test_shared_folder_staging_is_used_in_place(client, scene, tmp_path, lavfi, tone):
    stage_dir = tmp_path / "shared"
    stage_dir.mkdir()
    out = tmp_path / "shared.mp4"
    r = rfd.export(scene, out, client=client, segment_frames=SEG, gop=GOP, x264_threads=1, progress=False,
                   staging=stage_dir)
    staged = [str(stage_dir / "media" / f"{sha256_file(str(m))}{Path(m).suffix.lower()}") for m in (lavfi.png, tone)]
    assert {p for s in r.segments for p in s.media} == set(staged)
    assert r.frames == 72
    assert sorted(p.name for p in stage_dir.iterdir()) == ["media"]


def test_bad_staging_is_refused_before_any_work(scene, tmp_path):
    with pytest.raises(rf.SceneError, match="private to each process"):
        open_staging("memory://x", str(tmp_path))
    with pytest.raises(rf.SceneError, match="staging folder does not exist"):
        rfd.export(scene, tmp_path / "o.mp4", staging=tmp_path / "missing", progress=False)
    assert not (tmp_path / "o.mp4").exists()


# -- VP9 / WebM -----------------------------------------------------------------------------------

def test_vp9_webm_segments_join_exactly(client, scene, tmp_path):
    n = scene.frame_count
    local = tmp_path / "local.webm"
    r = rfd.export_local(scene, local, workers=1, segment_frames=SEG, gop=GOP, x264_threads=1)
    assert (r.video_codec, r.audio_encoder, r.frames) == ("vp9", "libopus", n)
    frames, keys = video_packets(local)
    assert frames == list(range(n))
    assert keys == list(range(0, n, GOP)), "key frames every GOP, none added by the segment starts"
    one = tmp_path / "one.webm"
    rf.Exporter(scene, one, gop=GOP).run()
    assert video_packets(one) == (frames, keys)
    # Audio (Opus) encoded once: decodes to exactly n / fps * 48000 samples, those of a one-pass
    # export, starting at the same time as the video (no pre-skip shift).
    pcm = decode_pcm(local)
    assert len(pcm) == n * 48000 // FPS
    assert np.array_equal(pcm, decode_pcm(one))
    first = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=start_time", "-of", "csv=p=0",
                            str(local)], capture_output=True, text=True, check=True).stdout.split()
    ref = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=start_time", "-of", "csv=p=0",
                          str(one)], capture_output=True, text=True, check=True).stdout.split()
    assert first == ref
    # On the cluster: the same bytes whichever worker ran which segment.
    dist = tmp_path / "dist.webm"
    rfd.export(scene, dist, client=client, segment_frames=SEG, gop=GOP, x264_threads=1, progress=False)
    assert dist.read_bytes() == local.read_bytes()
    no_leftovers(tmp_path)


def test_vp9_segment_without_a_key_frame_is_refused(scene, tmp_path):
    whole = tmp_path / "whole.webm"
    rf.Exporter(scene, whole, gop=GOP).run()
    assert _core.inspect_segment(str(whole), (FPS, 1)).starts_with_idr
    cut = tmp_path / "cut.webm"  # starts at a non-key frame (ffmpeg keeps it with -copyinkf)
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(whole), "-map", "0:v", "-c", "copy", "-copyinkf",
                    "-ss", "0.2", str(cut)], check=True)
    info = _core.inspect_segment(str(cut), (FPS, 1))
    assert info.codec == "vp9" and not info.starts_with_idr
    with pytest.raises(rf.SceneError, match="does not start with an IDR"):
        _core.join_segments([str(whole), str(cut)], str(tmp_path / "j.webm"), (FPS, 1), 72 + info.frames)
    assert not (tmp_path / "j.webm").exists()


def test_vp9_in_mp4_is_refused(scene, tmp_path):
    with pytest.raises(rf.SceneError):
        rfd.export_local(scene, tmp_path / "x.mp4", video_codec="vp9")


# -- Exporter(workers=N).start() --------------------------------------------------------------------

def test_start_with_workers_runs_in_the_background_with_progress(scene, tmp_path):
    out = tmp_path / "bg.mp4"
    exporter = rf.Exporter(scene, out, workers=2, gop=GOP)
    handle = exporter.start()
    seen = []
    r = handle.wait(on_progress=seen.append)
    assert r.frames == 72 and handle.done and handle.finished()
    assert seen[-1].frames_done == 72 and seen[-1].phase == "done"
    assert [p.frames_done for p in seen] == sorted(p.frames_done for p in seen)
    assert video_packets(out)[0] == list(range(72))
    assert handle.result() is r

    async def awaited():
        return await rf.Exporter(scene, tmp_path / "aw.mp4", workers=2, gop=GOP).start()

    assert asyncio.run(awaited()).frames == 72
    no_leftovers(tmp_path)


def test_start_with_workers_can_be_cancelled_and_leaves_nothing(scene, tmp_path):
    # At once (the cluster is still starting) ...
    out = tmp_path / "cancel.mp4"
    handle = rf.Exporter(scene, out, workers=2, gop=GOP).start()
    handle.cancel()
    with pytest.raises(rf.ExportCancelled):
        handle.wait(timeout=120)
    assert handle.progress.phase == "cancelled"
    assert not out.exists()
    # ... and while segments render (a longer scene, so that it is still running).
    long = rf.Scene(640, 360, fps=FPS, duration=30.0)
    long.add_solid((255, 80, 0, 255), width=100, height=100).animate("x", [(0, 0), (30, 500)])
    out2 = tmp_path / "cancel2.mp4"
    handle = rf.Exporter(long, out2, workers=2, gop=GOP).start()
    deadline = time.monotonic() + 120
    while handle.progress.frames_done == 0 and not handle.done and time.monotonic() < deadline:
        time.sleep(0.05)
    handle.cancel()
    try:
        handle.wait(timeout=120)
    except rf.ExportCancelled:
        assert handle.progress.phase == "cancelled" and handle.progress.frames_done < long.frame_count
        assert not out2.exists()
    else:
        pytest.fail("the export finished before it could be cancelled: make the scene longer")
    no_leftovers(tmp_path)
