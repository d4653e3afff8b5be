"""Notebook player widget state, preview(format="jpeg"), and ExportHandle as a Future / awaitable."""
from __future__ import annotations

import asyncio
import io
import threading

import numpy as np
import pytest
from PIL import Image

import reelforge as rf

pytest.importorskip("ipywidgets")


def scene(duration=1.0):
    s = rf.Scene(64, 48, fps=12, duration=duration, background="navy")
    s.add_solid("gold", width=16, height=16, y=16).animate("x", [(0, 0), (1, 48)])
    return s


def decode(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB"))


def test_player_widgets_and_scrubbing():
    s = scene()
    p = s.player(format="png", max_width=None, cache_size=3)
    r = rf.Renderer(s)
    assert p.slider.min == 0 and p.slider.max == 11 and p.play.max == 11
    assert p.play.interval == 83  # one frame at 12 fps, in ms
    assert p.readout.value == "frame 0 / 11 · 0.000 s"
    assert np.array_equal(decode(p.image.value), r.render_frame(0)[..., :3])
    p.frame = 5  # what dragging the slider or the play button does
    assert p.slider.value == 5 and p.readout.value == "frame 5 / 11 · 0.417 s"
    assert np.array_equal(decode(p.image.value), r.render_frame(5)[..., :3])
    assert (p.hits, p.misses) == (0, 2)
    p.slider.value = 0
    assert (p.hits, p.misses) == (1, 2)  # scrubbing back uses the cache
    for i in range(6):
        p.frame = i
    assert p.cached_frames() == [3, 4, 5]  # least recently used first, bounded by cache_size
    assert "Player frame 5 of 12" in repr(p)
    bundle = p._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_player_jpeg_downsized_and_errors():
    p = rf.notebook.player(scene(), max_width=32)
    assert p.image.format == "jpeg"
    with Image.open(io.BytesIO(p.image.value)) as im:
        assert im.format == "JPEG" and im.size == (32, 24)
    with pytest.raises(rf.SceneError, match="frame must be an int in 0..11"):
        p.frame = 12
    with pytest.raises(rf.SceneError, match="cache_size"):
        scene().player(cache_size=0)
    with pytest.raises(rf.SceneError, match="format must be 'png' or 'jpeg'"):
        scene().player(format="gif")


def test_preview_jpeg():
    from IPython.core.formatters import DisplayFormatter
    pv = scene().preview(0.5, format="jpeg")
    data, _ = DisplayFormatter().format(pv)
    assert "image/jpeg" in data and "image/png" not in data
    assert pv._repr_png_() is None
    jpg = decode(pv._repr_jpeg_())
    assert np.abs(jpg.astype(int) - pv.array[..., :3]).mean() < 4
    assert "image/png" in DisplayFormatter().format(scene().preview(0.5))[0]


def test_handle_is_future_like_and_awaitable(tmp_path):
    h = rf.Exporter(scene(), tmp_path / "a.mp4").start()
    seen = []
    got = threading.Event()

    def cb(handle):
        seen.append((handle, threading.current_thread().name))
        got.set()

    h.add_done_callback(cb)
    result = asyncio.run(_await(h))
    assert result.frames == 12 and h.result() is result and h.exception() is None and h.finished()
    assert got.wait(10) and seen == [(h, "reelforge-export-watch")]
    late = []
    h.add_done_callback(late.append)  # already finished: called at once
    assert late == [h]


async def _await(h):
    return await h


def test_failed_export_raises_the_same_error_every_time(tmp_path):
    h = rf.Exporter(scene(duration=30.0), tmp_path / "c.mp4").start()
    h.cancel()
    with pytest.raises(rf.ExportCancelled) as first:
        h.result()
    with pytest.raises(rf.ExportCancelled) as second:
        asyncio.run(_await(h))
    assert first.value is second.value and h.exception() is first.value
    assert not (tmp_path / "c.mp4").exists()


def test_live_progress_widget(tmp_path, monkeypatch):
    import IPython.display
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    h = rf.Exporter(scene(), tmp_path / "p.mp4").start()
    h._ipython_display_()  # what Jupyter calls for a handle as a cell's last expression
    (box,) = shown
    r = h.result()
    h._watcher.join(10)
    assert box.bar.bar_style == "success" and box.bar.value == box.bar.max == r.frames
    assert box.label.value.startswith(f"done: {r.frames} frames")


def test_live_progress_widget_shows_failure(tmp_path):
    h = rf.Exporter(scene(duration=30.0), tmp_path / "f.mp4").start()
    box = rf.notebook.export_progress_widget(h)
    h.cancel()
    assert isinstance(h.exception(), rf.ExportCancelled)
    h._watcher.join(10)
    assert box.bar.bar_style == "danger" and "ExportCancelled" in box.label.value
