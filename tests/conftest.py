"""Shared fixtures for the reelforge tests.

* ``media`` — files from the shared media folder: ``$REELFORGE_MEDIA`` or, by default,
  ``<repo>/../shared/media``. ``media("chaplin.mp4")`` (or ``media / "chaplin.mp4"``) returns the
  path, or skips the test with a reason naming where it looked.
* ``any_font`` — a usable font file: ``font.ttf`` from the media folder, else fontconfig's sans
  (e.g. DejaVu); skips when there is neither.
* ``lavfi`` — small synthetic media made once per session with the ``ffmpeg`` CLI in a temp
  folder (skips when ffmpeg is not installed), plus ``lavfi.decode_frame`` to decode a reference
  frame with ffmpeg/swscale independently of reelforge.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `import reference` from any rootdir

DEFAULT_MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"
# swscale flags for reference frames: interpolated (not nearest) chroma upsampling and exact
# rounding, so the reference is a faithful picture rather than swscale's fast path.
SWS_FLAGS = "bicubic+full_chroma_int+full_chroma_inp+accurate_rnd"


def media_root() -> Path:
    env = os.environ.get("REELFORGE_MEDIA")
    return Path(env).expanduser() if env else DEFAULT_MEDIA


class Media:
    """Accessor for shared media files; missing files skip the calling test."""

    def __init__(self, root: Path):
        self.root = root

    def __call__(self, name: str) -> Path:
        p = self.root / name
        if not p.is_file():
            pytest.skip(f"shared media not found at {p}; set REELFORGE_MEDIA to the folder holding {name!r}")
        return p

    __truediv__ = __call__

    def __repr__(self) -> str:
        return f"<Media {self.root}>"


@pytest.fixture(scope="session")
def media() -> Media:
    return Media(media_root())


@pytest.fixture
def any_font() -> str:
    from reelforge import text as rtext
    f = media_root() / "font.ttf"
    if f.is_file():
        return str(f)
    path = rtext._fontconfig_sans()
    if path is None:
        pytest.skip(f"no font: {f} is absent and fontconfig (fc-match) finds no sans font")
    return path


def _run_ffmpeg(args: list[str]) -> bytes:
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args]
    r = subprocess.run(cmd, capture_output=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"ffmpeg failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr.decode(errors='replace')}")
    return r.stdout


class Lavfi:
    """Synthetic test media, each made on first use and cached for the session."""

    VIDEO_SIZE = (640, 360)
    VIDEO_FPS = 25
    VIDEO_SECONDS = 2
    PNG_SIZE = (320, 240)

    def __init__(self, root: Path):
        self.root = root
        self._cache: dict[str, object] = {}

    @property
    def video(self) -> Path:
        """testsrc2 640x360 @ 25 fps, 2 s, H.264 yuv420p in MP4, with a 440 Hz sine AAC track."""
        if "video" not in self._cache:
            w, h = self.VIDEO_SIZE
            p = self.root / "testsrc2.mp4"
            _run_ffmpeg([
                "-f", "lavfi", "-i", f"testsrc2=size={w}x{h}:rate={self.VIDEO_FPS}:duration={self.VIDEO_SECONDS}",
                "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={self.VIDEO_SECONDS}",
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "96k", "-shortest", str(p)])
            self._cache["video"] = p
        return self._cache["video"]

    @property
    def png_array(self) -> np.ndarray:
        """The straight RGBA pixels of :attr:`png` (320x240): colour gradients, alpha ramp, holes."""
        if "png_array" not in self._cache:
            w, h = self.PNG_SIZE
            yy, xx = np.mgrid[0:h, 0:w]
            a = np.zeros((h, w, 4), np.uint8)
            a[..., 0] = xx * 255 // (w - 1)
            a[..., 1] = yy * 255 // (h - 1)
            a[..., 2] = ((xx // 16 + yy // 16) % 2) * 200 + 30
            a[..., 3] = (xx + yy) * 255 // (w + h - 2)
            a[40:80, 40:120, 3] = 0      # fully transparent hole
            a[100:140, 200:260, 3] = 255  # fully opaque block
            self._cache["png_array"] = a
        return self._cache["png_array"]

    @property
    def png(self) -> Path:
        """320x240 RGBA PNG written by Pillow from :attr:`png_array`."""
        if "png" not in self._cache:
            from PIL import Image
            p = self.root / "alpha_320x240.png"
            Image.fromarray(self.png_array, "RGBA").save(p)
            self._cache["png"] = p
        return self._cache["png"]

    def file(self, name: str, args: list[str]) -> Path:
        """Any other media: ``ffmpeg <args> <root/name>``, cached by name."""
        key = "file:" + name
        if key not in self._cache:
            p = self.root / name
            _run_ffmpeg([*args, str(p)])
            self._cache[key] = p
        return self._cache[key]

    def decode_frame(self, path, index: int, size: tuple[int, int] | None = None, *,
                     decoder: str | None = None) -> np.ndarray:
        """Decoded frame number ``index`` (display order) of ``path`` as straight RGBA uint8,
        converted by ffmpeg's own swscale (``-vf select=eq(n\\,K)``), independent of reelforge.
        ``decoder`` forces an input decoder (e.g. ``libvpx-vp9`` to get VP9 alpha)."""
        if size is None:
            out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                  "stream=width,height", "-of", "csv=p=0", str(path)],
                                 capture_output=True, text=True, check=True).stdout.strip()
            size = tuple(int(v) for v in out.split(",")[:2])
        w, h = size
        dec = ["-c:v", decoder] if decoder else []
        raw = _run_ffmpeg([*dec, "-i", str(path), "-vf", f"select=eq(n\\,{int(index)}),scale=flags={SWS_FLAGS}", "-frames:v", "1",
                           "-pix_fmt", "rgba", "-f", "rawvideo", "-"])
        if len(raw) < w * h * 4:
            raise RuntimeError(f"ffmpeg returned {len(raw)} bytes for frame {index} of {path}, expected {w * h * 4}")
        return np.frombuffer(raw[:w * h * 4], np.uint8).reshape(h, w, 4).copy()


@pytest.fixture(scope="session")
def lavfi(tmp_path_factory) -> Lavfi:
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        pytest.skip("the ffmpeg and ffprobe CLIs are needed to make test media")
    return Lavfi(tmp_path_factory.mktemp("lavfi"))
