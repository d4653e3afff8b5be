"""Jupyter support: reelforge.notebook (FramePreview, preview, display) and the example notebooks.

The notebooks in ``notebooks/`` are executed with nbclient on a ``python3`` kernel that runs this
very interpreter (a kernelspec written to a temporary JUPYTER_PATH, so no user or system
kernelspec is needed or touched). Those tests skip when nbclient, nbformat or ipykernel are not
installed (they are in the ``test`` extra).
"""

from __future__ import annotations

import io
import math
import os
import sys
import time
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import reelforge as rf
import reelforge.notebook as rfnb

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = ("quickstart.ipynb", "regression_testing.ipynb")
W, H = 320, 180


def _decode_png(data: bytes):
    from PIL import Image
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def _make_scene(background=(16, 24, 32, 255)) -> rf.Scene:
    scene = rf.Scene(W, H, fps=30, duration=2, background=background)
    scene.add_solid("#f2aa4c", x=0, y=H - 40, width=W, height=40, name="bar")
    img = np.zeros((32, 48, 4), np.uint8)
    img[..., 0] = 255
    img[..., 2] = np.arange(48, dtype=np.uint8)[None, :] * 5
    img[..., 3] = 255
    layer = scene.add_image(img, x=10, y=20, name="img")
    layer.animate("x", [(0, 10), (2, 250)], easing="ease_in_out")
    return scene


@pytest.fixture(autouse=True)
def _fresh_cache():
    rfnb.clear_cache()
    yield
    rfnb.clear_cache()


# -- FramePreview / preview ------------------------------------------------------------------------

def test_preview_is_the_rendered_frame():
    scene = _make_scene()
    p = rfnb.preview(scene, 0.5)
    assert isinstance(p, rfnb.FramePreview)
    assert (p.t, p.frame) == (0.5, 15)
    assert p.array.shape == (H, W, 4) and p.array.dtype == np.uint8
    np.testing.assert_array_equal(p.array, rf.Renderer(scene).render_frame(15))
    np.testing.assert_array_equal(np.asarray(p), p.array)
    assert "frame 15" in repr(p)


def test_scene_preview_method_uses_notebook_preview():
    scene = _make_scene()
    p = scene.preview(1.0, max_width=100)
    assert isinstance(p, rfnb.FramePreview)
    assert p.frame == 30 and p.max_width == 100
    np.testing.assert_array_equal(p.array, rfnb.preview(scene, 1.0).array)


@pytest.mark.parametrize("max_width, size", [(160, (160, 90)), (100, (100, 56)), (320, (320, 180)),
                                             (960, (320, 180)), (None, (320, 180))])
def test_repr_png_respects_max_width(max_width, size):
    p = rfnb.preview(_make_scene(), 0.25, max_width=max_width)
    im = _decode_png(p._repr_png_())
    assert im.size == size
    assert im.mode == "RGB"
    assert p.display_size() == size


def test_full_size_png_is_exact_for_opaque_frames():
    p = rfnb.preview(_make_scene(), 1.5, max_width=None)
    im = _decode_png(p._repr_png_())
    np.testing.assert_array_equal(np.asarray(im), p.array[..., :3])


def test_downsized_png_keeps_flat_colours():
    scene = rf.Scene(W, H, fps=30, duration=1, background="#3366cc")
    im = np.asarray(_decode_png(rfnb.preview(scene, 0, max_width=77)._repr_png_()))
    assert im.shape == (43, 77, 3)
    np.testing.assert_array_equal(im, np.broadcast_to(np.array([0x33, 0x66, 0xCC], np.uint8), im.shape))


def test_transparent_pixels_show_a_checkerboard():
    scene = rf.Scene(W, H, fps=30, duration=1, background=(0, 0, 0, 0))
    scene.add_solid((255, 0, 0, 255), x=0, y=0, width=160, height=180)  # left half opaque red
    p = rfnb.preview(scene, 0, max_width=None)
    assert p.array[0, 300, 3] == 0 and p.array[0, 0, 3] == 255
    im = np.asarray(_decode_png(p._repr_png_()))
    np.testing.assert_array_equal(im[:, :160], np.broadcast_to(np.array([255, 0, 0], np.uint8), (H, 160, 3)))
    right = im[:, 160:]
    assert set(np.unique(right)) == set(rfnb.CHECKER_COLORS)
    assert (right[..., 0] == right[..., 1]).all() and (right[..., 1] == right[..., 2]).all()  # grey
    s = rfnb.CHECKER_SIZE
    assert right[0, 0, 0] != right[0, s, 0] and right[0, 0, 0] == right[s, s, 0]


def test_half_transparent_pixels_are_composited_over_the_checkerboard():
    scene = rf.Scene(W, H, fps=30, duration=1, background=(0, 0, 0, 0))
    scene.add_solid((0, 0, 0, 255), opacity=0.5)
    p = rfnb.preview(scene, 0, max_width=None)
    im = np.asarray(_decode_png(p._repr_png_())).astype(int)
    lo, hi = rfnb.CHECKER_COLORS
    a = int(p.array[0, 0, 3])
    assert 120 <= a <= 135
    expected = {round(c * (255 - a) / 255) for c in (lo, hi)}
    assert {int(v) for v in np.unique(im)} <= {e + d for e in expected for d in (-1, 0, 1)}


@pytest.mark.parametrize("t", [-0.1, 2.0, 2.5, math.nan, math.inf, -math.inf, Fraction(2), "0.5", None, True])
def test_preview_time_outside_scene_raises_scene_error(t):
    scene = _make_scene()
    with pytest.raises(rf.SceneError):
        rfnb.preview(scene, t)
    with pytest.raises(rf.SceneError):
        scene.preview(t)


@pytest.mark.parametrize("t, frame", [(0, 0), (0.0, 0), (np.float64(1.99), 59), (Fraction(1, 2), 15), (1.999999, 59)])
def test_preview_time_inside_scene(t, frame):
    assert rfnb.preview(_make_scene(), t).frame == frame


@pytest.mark.parametrize("max_width", [0, -5, 1.5, True, "100"])
def test_bad_max_width_raises_scene_error(max_width):
    with pytest.raises(rf.SceneError, match="max_width"):
        rfnb.preview(_make_scene(), 0, max_width=max_width)


def test_save_writes_full_resolution_png(tmp_path):
    from PIL import Image
    p = rfnb.preview(_make_scene(), 0.5, max_width=50)
    p.save(tmp_path / "frame.png")
    with Image.open(tmp_path / "frame.png") as im:
        assert im.size == (W, H) and im.mode == "RGBA"
        np.testing.assert_array_equal(np.asarray(im), p.array)
    p.save(str(tmp_path / "frame.jpg"))
    with Image.open(tmp_path / "frame.jpg") as im:
        assert im.size == (W, H) and im.mode == "RGB"
    with pytest.raises(ValueError, match="extension"):
        p.save(tmp_path / "frame.unknown")


def test_save_unpremultiplies_alpha(tmp_path):
    from PIL import Image
    scene = rf.Scene(W, H, fps=30, duration=1, background=(0, 0, 0, 0))
    scene.add_solid((200, 100, 50, 255), opacity=0.5)
    p = rfnb.preview(scene, 0)
    p.save(tmp_path / "a.png")
    with Image.open(tmp_path / "a.png") as im:
        px = np.asarray(im)[0, 0].astype(int)
    assert abs(px[3] - 128) <= 2
    assert np.abs(px[:3] - [200, 100, 50]).max() <= 3  # straight colour, not darkened


# -- renderer cache: reused while unchanged, never stale ---------------------------------------------

def _assert_fresh(scene, t):
    got = rfnb.preview(scene, t).array
    np.testing.assert_array_equal(got, rf.Renderer(scene).frame_at(t))
    return got


def test_renderer_is_reused_while_scene_unchanged():
    scene = _make_scene()
    r1 = rfnb._renderer_for(scene)
    assert rfnb._renderer_for(scene) is r1
    scene.layers[0].set("y", 10)
    r2 = rfnb._renderer_for(scene)
    assert r2 is not r1
    assert rfnb._renderer_for(scene) is r2


def test_fingerprint_covers_reelforge_easings_and_refuses_user_callables():
    scene = _make_scene()
    scene.layers[0].animate("opacity", [(0, 0), (1, 1)], easing=rf.spring(stiffness=120, damping=8))
    scene.layers[1].animate("y", [(0, 0), (1, 50)], easing=rf.cubic_bezier(0.2, 0, 0.2, 1))
    fp = rfnb._fingerprint(scene)
    assert fp is not None and fp == rfnb._fingerprint(scene)
    scene.layers[1].animate("y", [(0, 0), (1, 50)], easing=rf.cubic_bezier(0.2, 0, 0.3, 1))
    assert rfnb._fingerprint(scene) not in (None, fp)
    scene.layers[1].set("y", lambda t: t)  # user code may change behaviour: never cached
    assert rfnb._fingerprint(scene) is None


def test_preview_follows_scene_changes():
    scene = _make_scene()
    a = _assert_fresh(scene, 1.0)
    scene.layers[1].animate("x", [(0, 200), (2, 20)], easing=rf.cubic_bezier(0.3, 0, 0.2, 1))
    b = _assert_fresh(scene, 1.0)
    assert not np.array_equal(a, b)
    scene.layers[1].animate("x", [(0, 200), (2, 20)], easing=rf.cubic_bezier(0.9, 0, 0.1, 1))
    c = _assert_fresh(scene, 1.0)
    assert not np.array_equal(b, c)
    scene.add_solid("#00ff00", x=0, y=0, width=50, height=50)
    d = _assert_fresh(scene, 1.0)
    assert (d[10, 10, :3] == [0, 255, 0]).all()
    scene.layers[0].color = (0.0, 0.0, 1.0, 1.0)
    e = _assert_fresh(scene, 1.0)
    assert (e[H - 5, 5, :3] == [0, 0, 255]).all()
    scene.background = (1.0, 1.0, 1.0, 1.0)
    _assert_fresh(scene, 1.0)
    scene.layers[2].blend = "difference"
    _assert_fresh(scene, 1.0)


def test_preview_follows_in_place_image_edits():
    scene = _make_scene()
    img_layer = scene.layers[1]
    before = _assert_fresh(scene, 0)
    img_layer.image[...] = (0, 255, 255, 255)
    after = _assert_fresh(scene, 0)
    assert not np.array_equal(before, after)
    assert (after[25, 15, :3] == [0, 255, 255]).all()


def test_preview_follows_python_callables():
    scene = _make_scene()
    offset = {"x": 0.0}
    scene.layers[1].set("x", lambda t: t * 0 + offset["x"])
    _assert_fresh(scene, 0.5)
    offset["x"] = 150.0
    frame = _assert_fresh(scene, 0.5)
    assert (frame[25, 155, :2] == [255, 0]).all()  # the red image moved to x=150


def test_preview_follows_media_file_changes(tmp_path):
    from PIL import Image
    path = tmp_path / "logo.png"
    Image.new("RGBA", (40, 40), (255, 0, 0, 255)).save(path)
    scene = rf.Scene(W, H, fps=30, duration=1)
    scene.add_image(path, x=0, y=0)
    assert (_assert_fresh(scene, 0)[20, 20, :3] == [255, 0, 0]).all()
    Image.new("RGBA", (40, 40), (0, 0, 255, 255)).save(path)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert (_assert_fresh(scene, 0)[20, 20, :3] == [0, 0, 255]).all()


def test_cache_is_bounded():
    scenes = [_make_scene() for _ in range(rfnb._CACHE_SIZE + 3)]
    for s in scenes:
        rfnb.preview(s, 0)
    assert len(rfnb._cache) == rfnb._CACHE_SIZE


# -- display() --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_mp4(tmp_path_factory):
    path = tmp_path_factory.mktemp("display") / "small.mp4"
    scene = rf.Scene(64, 36, fps=10, duration=0.5, background="#336699")
    rf.Exporter(scene, path, preset="ultrafast").run()
    return path


def test_display_embeds_video(small_mp4):
    pytest.importorskip("IPython", reason="IPython is needed for reelforge.notebook.display")
    from IPython.display import Video
    v = rfnb.display(small_mp4, width=200)
    assert isinstance(v, Video)
    html = v._repr_html_()
    assert "<video" in html and 'width="200"' in html
    assert "data:video/mp4;base64," in html
    import base64
    import re
    b64 = re.search(r"base64,([A-Za-z0-9+/=]+)", html).group(1)
    assert base64.b64decode(b64) == small_mp4.read_bytes()


def test_display_embedded_video_survives_file_removal(small_mp4, tmp_path):
    pytest.importorskip("IPython", reason="IPython is needed for reelforge.notebook.display")
    copy = tmp_path / "copy.mov"
    copy.write_bytes(small_mp4.read_bytes())
    v = rfnb.display(str(copy))
    copy.unlink()
    assert "data:video/quicktime;base64," in v._repr_html_()


def test_display_link_without_embedding():
    pytest.importorskip("IPython", reason="IPython is needed for reelforge.notebook.display")
    html = rfnb.display("renders/out.mp4", embed=False)._repr_html_()
    assert '<video src="renders/out.mp4"' in html and "base64" not in html


def test_display_audio_only_file(tmp_path):
    pytest.importorskip("IPython", reason="IPython is needed for reelforge.notebook.display")
    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes((np.sin(np.arange(800) * 0.3) * 8000).astype("<i2").tobytes())
    html = rfnb.display(path)._repr_html_()
    assert "<audio" in html and "data:audio/wav;base64," in html


def test_display_errors(tmp_path, small_mp4):
    pytest.importorskip("IPython", reason="IPython is needed for reelforge.notebook.display")
    with pytest.raises(rf.MediaNotFoundError):
        rfnb.display(tmp_path / "missing.mp4")
    with pytest.raises(FileNotFoundError):
        rfnb.display(tmp_path / "missing.mp4")
    with pytest.raises(rf.SceneError, match="extension"):
        rfnb.display(tmp_path / "movie.avi")
    with pytest.raises(rf.SceneError, match="width"):
        rfnb.display(small_mp4, width=0)


def test_display_without_ipython_says_what_to_install(monkeypatch, small_mp4):
    monkeypatch.setitem(sys.modules, "IPython", None)
    monkeypatch.setitem(sys.modules, "IPython.display", None)
    with pytest.raises(ImportError, match="needs IPython: pip install ipython"):
        rfnb.display(small_mp4)


def test_import_does_not_need_ipython_or_pillow():
    import subprocess
    code = ("import sys; sys.modules['IPython'] = None; sys.modules['PIL'] = None; "
            "import reelforge.notebook; print('ok')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


# -- the notebooks ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_stored_without_outputs(name):
    nbformat = pytest.importorskip("nbformat", reason="nbformat is needed to read notebooks (pip install nbformat)")
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, \
                f"{name}: clear the outputs before committing (jupyter nbconvert --clear-output --inplace)"


@pytest.fixture(scope="module")
def python3_kernel(tmp_path_factory):
    """A ``python3`` kernelspec for this interpreter in a private JUPYTER_PATH (works from a clean
    state: no ``ipykernel install --user`` needed, and a python3 kernelspec registered for another
    interpreter cannot shadow it)."""
    for mod in ("nbclient", "nbformat", "ipykernel", "jupyter_client"):
        pytest.importorskip(mod, reason=f"{mod} is needed to execute notebooks (pip install 'reelforge[test]')")
    from ipykernel.kernelspec import install
    from jupyter_client.kernelspec import KernelSpecManager
    prefix = tmp_path_factory.mktemp("jupyter")
    install(kernel_name="python3", prefix=str(prefix))
    with pytest.MonkeyPatch.context() as mp:
        jupyter_path = str(prefix / "share" / "jupyter")
        old = os.environ.get("JUPYTER_PATH")
        mp.setenv("JUPYTER_PATH", jupyter_path + (os.pathsep + old if old else ""))
        spec = KernelSpecManager().get_kernel_spec("python3")
        assert spec.argv[0] == sys.executable, spec.argv
        yield "python3"


def _execute(name: str, kernel_name: str):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    before = sorted(p.name for p in NOTEBOOK_DIR.iterdir())
    client = NotebookClient(nb, timeout=120, kernel_name=kernel_name,
                            resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    t0 = time.monotonic()
    try:
        client.execute()
    except CellExecutionError as e:
        pytest.fail(f"{name}: a cell raised:\n{e}")
    elapsed = time.monotonic() - t0
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{name}: error outputs: {[(o.ename, o.evalue) for o in errors]}"
    assert sorted(p.name for p in NOTEBOOK_DIR.iterdir()) == before, f"{name} left files in {NOTEBOOK_DIR}"
    assert elapsed < 120, f"{name} took {elapsed:.1f} s; example notebooks must stay quick"
    return nb


def _outputs(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def _stdout(nb) -> str:
    return "".join(o.text for o in _outputs(nb) if o.output_type == "stream" and o.name == "stdout")


def test_quickstart_notebook_runs(python3_kernel):
    nb = _execute("quickstart.ipynb", python3_kernel)
    outs = _outputs(nb)
    pngs = [o for o in outs if "image/png" in o.get("data", {})]
    assert len(pngs) >= 5  # scene.preview(0.5) + four scrubbing previews
    first = next(o for o in pngs if "t=0.5s" in o.data.get("text/plain", ""))
    import base64
    assert _decode_png(base64.b64decode(first.data["image/png"])).size == (320, 180)
    videos = [o for o in outs if "<video" in o.get("data", {}).get("text/html", "")]
    assert len(videos) == 1
    assert "data:video/mp4;base64," in videos[0].data["text/html"]
    out = _stdout(nb)
    assert "frames: 60" in out and "encoder: " in out and "device: " in out
    assert "text layer added" in out or "skipping the text layer" in out


def test_regression_testing_notebook_runs(python3_kernel):
    nb = _execute("regression_testing.ipynb", python3_kernel)
    out = _stdout(nb)
    assert "re-rendered frame matches: PSNR inf dB" in out
    assert "FrameMismatch: frame does not match golden" in out
    assert "pixels differ by more than atol=2" in out  # the per-pixel check catches the 1-px shift
    assert "PSNR" in out and "SSIM" in out and "diff image:" in out and "golden | actual | diff:" in out
    if "pytest is not installed" not in out:
        assert "--reelforge-update-goldens   (exit code 0)" in out
        assert out.count("1 passed") == 2 and "1 failed" in out
    assert any("image/png" in o.get("data", {}) for o in _outputs(nb))  # the side-by-side image
