"""Segmented and distributed export (reelforge.distributed) on a 2-process Dask LocalCluster, small
sizes. The identity checks of issue 14 ("What identical means"): NV12 frames of segments rendered
alone on workers hash equal to a single-process render; the distributed file is byte-identical
to workers=1 with the same plan (also after a worker is SIGKILLed mid-segment); PSNR against a
one-pass CRF 18 encode >= 45 dB and decoded-equal when lossless; audio sample count exact."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

import reelforge as rf  # noqa: E402
from reelforge import distributed as rfd  # noqa: E402
from reelforge.segments import plan_segments  # noqa: E402

W, H, FPS, SECONDS, GOP, SEG = 160, 90, 24, 3.0, 12, 24  # 72 frames: 3 segments of 2 GOPs


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  resources={"GPU": 1}) as c:
        with distributed.Client(c) as cl:
            yield cl


@pytest.fixture
def scene(lavfi):
    s = rf.Scene(W, H, fps=FPS, duration=SECONDS, background=(20, 30, 40))
    # A video layer (decoders that seek when a segment starts mid-file) with its audio.
    s.add_video(lavfi.video, width=W, height=H, audio=True, gain_db=-6)
    s.add_solid((255, 80, 0, 200), x=10, y=10, width=40, height=30).animate("x", [(0, 10), (SECONDS, 110)])
    return s


def frames_and_keys(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "packet=pts,flags:stream=time_base", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    d = json.loads(out)
    num, den = map(int, d["streams"][0]["time_base"].split("/"))
    tick = den // (num * FPS)
    pts = sorted(int(p["pts"]) // tick for p in d["packets"])
    keys = sorted(int(p["pts"]) // tick for p in d["packets"] if p["flags"].startswith("K"))
    return pts, keys


def decode_pcm(path) -> bytes:
    return subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0", "-f", "f32le", "-"],
                          capture_output=True, check=True).stdout


def audio_duration_ts(path) -> int:
    """Audio length stored in the container (edit list applied), in 1/48000 s."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
                          "stream=time_base,duration_ts", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    st = json.loads(out)["streams"][0]
    assert st["time_base"] == "1/48000"
    return int(st["duration_ts"])


def decode_yuv(path) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-f", "rawvideo", "-pix_fmt",
                          "yuv420p", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, W * H * 3 // 2)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def no_leftovers(folder: Path):
    left = [p.name for p in folder.iterdir() if p.name.startswith(".")]
    assert left == [], f"left behind: {left}"


def test_distributed_is_byte_identical_to_workers_1_and_exact(client, scene, tmp_path):
    seen = []
    out = tmp_path / "dist.mp4"
    r = rfd.export(scene, out, client=client, segment_frames=SEG, gop=GOP, progress=seen.append, x264_threads=2)
    n = scene.frame_count
    assert r.frames == n == 72
    assert seen and seen[-1].frames_done == n and seen[-1].fraction == 1.0, "progress reaches 100 %"
    done = [p.frames_done for p in seen]
    assert done == sorted(done) and done[0] < n
    one = tmp_path / "one.mp4"
    rfd.export_local(scene, one, workers=1, segment_frames=SEG, gop=GOP, x264_threads=2)
    assert out.read_bytes() == one.read_bytes()
    pts, keys = frames_and_keys(out)
    assert pts == list(range(n))
    # Keyframes every GOP, as in a one-pass encode: the segment starts add none.
    assert keys == list(range(0, n, GOP))
    assert {s.first for s in plan_segments(n, GOP, SEG)} == {0, 24, 48} <= set(keys)
    # Audio encoded once: exactly n / fps * 48000 samples, and the very samples of a one-pass
    # export (no lag, nothing at the segment boundaries).
    assert r.audio_samples == audio_duration_ts(out) == n * 48000 // FPS
    single = tmp_path / "single.mp4"
    rf.Exporter(scene, single, gop=GOP).run()
    assert decode_pcm(out) == decode_pcm(single)
    assert frames_and_keys(single)[1] == keys
    no_leftovers(tmp_path)


def _nv12_hashes(scene, first, last):
    r = rf.Renderer(scene)
    return [hashlib.sha256(b"".join(p.tobytes() for p in r.render_nv12(i))).hexdigest() for i in range(first, last)]


def test_segment_frames_rendered_alone_hash_equal_to_one_process(client, scene):
    """Each segment rendered alone by a fresh renderer on a worker (decoders seek to the segment's
    start) gives the NV12 frames of one sequential render."""
    n = scene.frame_count
    plan = plan_segments(n, GOP, SEG)
    sf = client.scatter(scene)
    futures = [client.submit(_nv12_hashes, sf, s.first, s.last, pure=False) for s in reversed(plan)]
    remote = [h for f in reversed(futures) for h in f.result()]
    assert remote == _nv12_hashes(scene, 0, n)
    assert len(set(remote)) > n // 2, "the scene must change from frame to frame for this to mean anything"


def test_quality_against_one_pass(client, scene, tmp_path):
    crf18 = tmp_path / "d18.mp4"
    rfd.export(scene, crf18, client=client, segment_frames=SEG, gop=GOP, crf=18, progress=False, resources={"GPU": 1})
    one18 = tmp_path / "o18.mp4"
    rf.Exporter(scene, one18, gop=GOP, crf=18).run()
    a, b = decode_yuv(crf18), decode_yuv(one18)
    assert a.shape == b.shape
    assert psnr(a, b) >= 45.0
    # Lossless: the segmented file decodes to exactly the one-pass file's pictures.
    ll = tmp_path / "d0.mp4"
    rfd.export(scene, ll, client=client, segment_frames=SEG, gop=GOP, crf=0, progress=False)
    one0 = tmp_path / "o0.mp4"
    rf.Exporter(scene, one0, gop=GOP, crf=0).run()
    assert np.array_equal(decode_yuv(ll), decode_yuv(one0))


def test_failing_segment_raises_and_leaves_nothing(client, scene, tmp_path):
    out = tmp_path / "fail.mp4"
    with pytest.raises(rf.SegmentFailed, match="segment 1 failed: .*debug failure") as e:
        rfd.export(scene, out, client=client, segment_frames=SEG, gop=GOP, retries=1, progress=False, _debug_fail=1)
    assert e.value.index == 1 and "debug failure" in e.value.reason
    assert isinstance(e.value, rf.ReelforgeError)
    assert not out.exists()
    no_leftovers(tmp_path)


def test_worker_killed_mid_segment_still_gives_identical_file(client, scene, tmp_path):
    out = tmp_path / "killed.mp4"
    client.wait_for_workers(2, timeout=60)
    before = set(client.scheduler_info()["workers"])
    r = rfd.export(scene, out, client=client, segment_frames=SEG, gop=GOP, progress=False, x264_threads=2,
                   _debug_kill=1)
    client.wait_for_workers(2, timeout=60)
    assert set(client.scheduler_info()["workers"]) != before, "a worker must have been killed and replaced"
    ref = tmp_path / "ref.mp4"
    rfd.export_local(scene, ref, workers=1, segment_frames=SEG, gop=GOP, x264_threads=2)
    assert out.read_bytes() == ref.read_bytes()
    no_leftovers(tmp_path)


def test_worker_with_another_build_is_refused(client):
    client.wait_for_workers(2, timeout=60)
    build = rfd.build_fingerprint()
    try:
        with pytest.raises(rf.ReelforgeError, match="different reelforge/FFmpeg build.*0.0-other"):
            client.register_plugin(rfd._make_plugin(dict(build, reelforge="0.0-other")))
    finally:
        client.register_plugin(rfd._make_plugin(build))
    devices = client.run(lambda dask_worker: dask_worker.reelforge_device)
    assert len(devices) == 2 and all(devices.values()), "each worker opened its Vulkan device once"


def test_resources_no_worker_offers_are_refused(client, scene, tmp_path):
    # Would otherwise wait forever for a worker with a GPU resource.
    with pytest.raises(rf.SceneError, match="no worker offers resources"):
        rfd.export(scene, tmp_path / "o.mp4", client=client, resources={"GPU": 2}, progress=False)
    no_leftovers(tmp_path)


def test_bad_output_is_refused_before_any_work(scene, tmp_path):
    with pytest.raises(rf.SceneError, match="segmented export writes"):
        rfd.export_local(scene, tmp_path / "x.gif")
    with pytest.raises(rf.SceneError, match="workers must be a positive int"):
        rfd.export_local(scene, tmp_path / "x.mp4", workers=0)


SCRIPT = """
import os, sys
import reelforge as rf
with open(sys.argv[2], "a") as f:  # module-level side effect: must run once, in the client only
    f.write(f"{os.getpid()} {__name__}\\n")
scene = rf.Scene(64, 36, fps=24, duration=1.0)
scene.add_solid((200, 40, 40, 255), width=32, height=18).animate("x", [(0, 0), (1, 30)])
r = rf.distributed.export(scene, sys.argv[1], n_workers=2, gop=12, segment_frames=24, progress=False)
print("frames", r.frames)
"""


def test_unguarded_script_is_not_rerun_on_workers(tmp_path):
    """A user script without ``if __name__ == "__main__"``: spawned workers would re-import it
    (running its module-level export again); the LocalCluster that export() starts does not."""
    import sys
    script, log, out = tmp_path / "user_script.py", tmp_path / "runs.log", tmp_path / "o.mp4"
    script.write_text(SCRIPT)
    r = subprocess.run([sys.executable, str(script), str(out), str(log)], capture_output=True, text=True,
                       timeout=180, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "frames 24" in r.stdout
    runs = log.read_text().splitlines()
    assert len(runs) == 1 and runs[0].endswith("__main__"), runs
    pts, _ = frames_and_keys(out)
    assert pts == list(range(24))
