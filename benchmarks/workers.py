"""Benchmark workers, run in their own process by the bench_*.py drivers (not meant to be run by hand).

    python benchmarks/workers.py <worker> '<json spec>'

Each worker builds its scene, renders it, and prints one JSON line as the last line of stdout:
``{"frames", "render_s", ...}`` where ``render_s`` is the in-process time from building the scene
to the output file being complete (interpreter start-up and imports excluded).

Workers: ``reelforge-r1``, ``moviepy-r1`` (run with a Python that has MoviePy 2.x), ``reelforge-memory``.
"""

from __future__ import annotations

import json
import sys
import time


def build_r1(spec: dict):
    """Reference scene R1 as a reelforge Scene (layout from common.r1_layout, media paths)."""
    import reelforge as rf
    L, m, dur = spec["layout"], spec["media"], spec["duration"]
    scene = rf.Scene(L["width"], L["height"], fps=L["fps"], duration=dur)
    audio = spec["audio"]
    scene.add_video(m["big_buck_bunny_0_30.webm"], width=L["width"], height=L["height"], audio=audio,
                    name="bunny")
    p = L["pip"]
    scene.add_video(m["chaplin.mp4"], x=p["x"], y=p["y"], width=p["width"], height=p["height"],
                    opacity=p["opacity"], name="chaplin")
    g = L["logo"]
    logo = scene.add_image(m["python_logo.png"], x=g["x0"], y=g["y"], width=g["width"], height=g["height"],
                           name="logo")
    logo.animate("x", [(0, g["x0"]), (dur, g["x0"] + g["speed"] * dur)], easing="linear")
    logo.animate("opacity", [(0, 0.0), (g["fade_in"], 1.0)], easing="linear")
    if audio and L["music"]["start"] < dur:
        scene.add_audio(m["crunching.mp3"], start=L["music"]["start"], gain_db=L["music"]["gain_db"])
    return scene


def reelforge_r1(spec: dict) -> dict:
    t_import = time.perf_counter()
    import reelforge as rf
    t0 = time.perf_counter()
    L = spec["layout"]
    scene = build_r1(spec)
    result = rf.Exporter(scene, spec["out"], crf=L["crf"], preset=L["preset"],
                         audio_bitrate=L["audio_bitrate"]).run()
    t1 = time.perf_counter()
    return {"frames": result.frames, "render_s": t1 - t0, "import_s": t0 - t_import,
            "reelforge_version": rf.__version__, "encoder": result.encoder, "audio_encoder": result.audio_encoder,
            "exporter_seconds": result.seconds, "exporter_fps": result.fps, "stage_fps": result.stage_fps,
            "device": result.device, "audio_samples": result.audio_samples}


def moviepy_r1(spec: dict) -> dict:
    t_import = time.perf_counter()
    from importlib.metadata import version
    from moviepy import (AudioFileClip, CompositeAudioClip, CompositeVideoClip, ImageClip, VideoFileClip,
                         vfx)
    t0 = time.perf_counter()
    L, m, dur = spec["layout"], spec["media"], spec["duration"]
    W, H = L["width"], L["height"]
    bg = VideoFileClip(m["big_buck_bunny_0_30.webm"]).subclipped(0, dur).resized((W, H)).with_position((0, 0))
    p = L["pip"]
    chap = VideoFileClip(m["chaplin.mp4"], audio=False)
    pip = (chap.subclipped(0, min(dur, chap.duration)).resized((p["width"], p["height"]))
           .with_position((p["x"], p["y"])).with_opacity(p["opacity"]))
    g = L["logo"]
    logo = (ImageClip(m["python_logo.png"]).with_duration(dur).resized((g["width"], g["height"]))
            .with_position(lambda t: (g["x0"] + g["speed"] * t, g["y"]))
            .with_effects([vfx.CrossFadeIn(g["fade_in"])]))
    video = CompositeVideoClip([bg, pip, logo], size=(W, H)).with_duration(dur)
    if spec["audio"]:
        tracks = [bg.audio]
        if L["music"]["start"] < dur:
            music = AudioFileClip(m["crunching.mp3"])
            music = (music.subclipped(0, min(music.duration, dur - L["music"]["start"]))
                     .with_start(L["music"]["start"]).with_volume_scaled(10 ** (L["music"]["gain_db"] / 20)))
            tracks.append(music)
        video = video.with_audio(CompositeAudioClip(tracks).with_duration(dur))
    video.write_videofile(spec["out"], fps=L["fps"], codec="libx264", preset=L["preset"],
                          ffmpeg_params=["-crf", str(L["crf"]), "-g", str(L["gop"])],
                          audio=spec["audio"], audio_codec="aac", audio_bitrate=f"{L['audio_bitrate'] // 1000}k",
                          audio_fps=48000, logger=None)
    t1 = time.perf_counter()
    return {"frames": round(dur * L["fps"]), "render_s": t1 - t0, "import_s": t0 - t_import,
            "moviepy_version": version("moviepy")}


def reelforge_memory(spec: dict) -> dict:
    """A cheap scene of ``duration`` seconds: a gradient of solids, chaplin.mp4 cut back to back
    (one video layer per 9.6 s source, as a long edit would), the Python logo bouncing across, and
    crunching.mp3 looped as music."""
    t_import = time.perf_counter()
    import numpy as np
    import reelforge as rf
    import reelforge._core as core
    t0 = time.perf_counter()
    m, dur = spec["media"], spec["duration"]
    W, H = spec["width"], spec["height"]
    scene = rf.Scene(W, H, fps=spec["fps"], duration=dur, background=(16, 16, 32))
    scene.add_solid((40, 60, 120), x=0, y=0, width=W, height=H // 2, name="sky")
    scene.add_solid((30, 90, 40), x=0, y=H // 2, width=W, height=H - H // 2, name="ground")
    band = scene.add_solid((250, 200, 60), x=0, y=H // 2 - 40, width=W, height=80, opacity=0.5, name="band")
    band.animate("opacity", [(0, 0.2), (dur / 2, 0.8), (dur, 0.2)], easing="ease_in_out")
    clip_len = core.probe(m["chaplin.mp4"]).duration
    t, i = 0.0, 0
    while t < dur:
        scene.add_video(m["chaplin.mp4"], start=t, x=W // 2 - 320, y=H // 2 - 180, width=640, height=360,
                        name=f"chaplin{i}")
        t += clip_len
        i += 1
    logo = scene.add_image(m["python_logo.png"], x=0, y=80, width=520, height=154, name="logo")
    # Back and forth across the canvas every 8 s (a vectorised callable of time).
    logo.set("x", lambda tt: (W - 520) * (0.5 - 0.5 * np.cos(2 * np.pi * tt / 8.0)))
    if spec["audio"]:
        scene.add_audio(m["crunching.mp3"], loop=True, gain_db=-6)
    result = rf.Exporter(scene, spec["out"], crf=23, preset="veryfast", audio_bitrate=192000).run()
    t1 = time.perf_counter()
    return {"frames": result.frames, "render_s": t1 - t0, "import_s": t0 - t_import, "video_layers": i,
            "encoder": result.encoder, "exporter_fps": result.fps, "stage_fps": result.stage_fps,
            "device": result.device, "audio_samples": result.audio_samples}


WORKERS = {"reelforge-r1": reelforge_r1, "moviepy-r1": moviepy_r1, "reelforge-memory": reelforge_memory}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in WORKERS:
        sys.exit(f"usage: workers.py {{{','.join(WORKERS)}}} '<json spec>'")
    out = WORKERS[sys.argv[1]](json.loads(sys.argv[2]))
    print(json.dumps(out), flush=True)
