"""Jupyter helpers: inline frame previews and embedded video players.

* :func:`preview` (also :meth:`reelforge.Scene.preview`) renders one frame and returns a
  :class:`FramePreview`, which Jupyter shows as a PNG image.
* :func:`display` returns an ``IPython.display.Video`` (or ``Audio``) for an exported file, by
  default embedded as base64 so the saved notebook is self-contained.
* Progress: ``Exporter(...).run(progress=True)`` draws a ``tqdm.auto`` bar: a widget in Jupyter
  when ``ipywidgets`` is installed, a text bar otherwise. ``Exporter.start()`` returns an
  :class:`~reelforge.exporter.ExportHandle` to poll (``.progress``, ``.wait()``, ``.cancel()``)
  without blocking the kernel.

Only numpy is imported with this module; Pillow is imported when a PNG is made and IPython when
:func:`display` is called, so ``import reelforge.notebook`` works outside Jupyter too.
"""

from __future__ import annotations

import collections
import hashlib
import io
import math
import numbers
import os
import threading
import time
import types
import warnings
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ._types import PathLike, PreviewFormat, SceneLike

from .errors import MediaNotFoundError, SceneError
from .stills import unpremultiply as _unpremultiply

if TYPE_CHECKING:
    import PIL.Image

    from .exporter import ExportHandle, Progress
    from .renderer import Renderer

__all__ = ["FramePreview", "preview", "display", "clear_cache", "CHECKER_SIZE", "CHECKER_COLORS",
           "VIDEO_MIMETYPES", "AUDIO_MIMETYPES"]

#: Side, in pixels of the displayed PNG, of the checkerboard squares drawn under transparent pixels.
CHECKER_SIZE = 8
#: Grey levels (sRGB 0-255) of the checkerboard's two square colours.
CHECKER_COLORS = (204, 255)

#: Mimetypes used by :func:`display` for video files, by lower-case extension.
VIDEO_MIMETYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime",
                   ".mkv": "video/x-matroska", ".webm": "video/webm", ".ogv": "video/ogg"}
#: Mimetypes used by :func:`display` for audio-only files (shown with ``IPython.display.Audio``).
AUDIO_MIMETYPES = {".m4a": "audio/mp4", ".wav": "audio/wav", ".mp3": "audio/mpeg", ".opus": "audio/ogg",
                   ".ogg": "audio/ogg", ".flac": "audio/flac"}

_EMBED_WARN_BYTES = 50 * 1024 * 1024  # embedding more than this makes notebooks unwieldy


def _check_max_width(max_width: object) -> int | None:
    if max_width is None:
        return None
    if isinstance(max_width, bool) or not isinstance(max_width, numbers.Integral) or int(max_width) < 1:
        raise SceneError(f"max_width must be a positive int (pixels) or None, got {max_width!r}")
    return int(max_width)


def _check_format(format: str) -> PreviewFormat:
    f = str(format).lower()
    f = "jpeg" if f == "jpg" else f
    if f not in ("png", "jpeg"):
        raise SceneError(f"format must be 'png' or 'jpeg', got {format!r}")
    return "jpeg" if f == "jpeg" else "png"


class FramePreview:
    """One rendered frame, shown inline by Jupyter as a PNG (``_repr_png_``).

    Attributes:
        array: the frame exactly as :meth:`reelforge.Renderer.render_frame` returns it: ``uint8``
            ``(height, width, 4)`` RGBA, sRGB-encoded, premultiplied alpha (identical to straight
            alpha where the scene background is opaque, the default). Full resolution.
        t: the requested time in seconds.
        frame: the frame index shown at ``t`` (``scene.time_to_frame(t)``).
        max_width: width limit in pixels of the displayed PNG (None = full size).
        format: ``"png"`` (exact, default) or ``"jpeg"`` (quality 85; small for large frames): what
            Jupyter is sent (``_repr_png_`` / ``_repr_jpeg_``).

    The PNG (:meth:`_repr_png_`, :meth:`to_pil`) is downsized to ``max_width`` pixels wide keeping
    the aspect ratio (Lanczos filter on the premultiplied pixels; never upscaled) and is opaque
    RGB: transparent parts are composited over a light-grey checkerboard of
    :data:`CHECKER_SIZE`-pixel squares, as image editors show transparency. :meth:`save` writes
    the full-resolution frame with its alpha instead. ``numpy.asarray(preview)`` gives ``array``.
    """

    def __init__(self, array: np.ndarray, t: float, frame: int, *, max_width: int | None = 960,
                 format: PreviewFormat = "png") -> None:
        a = np.asarray(array)
        if a.dtype != np.uint8 or a.ndim != 3 or a.shape[2] != 4:
            raise ValueError(f"FramePreview needs a uint8 (height, width, 4) RGBA array, got {a.dtype} {a.shape}")
        self.array = a
        self.t = float(t)
        self.frame = int(frame)
        self.max_width = _check_max_width(max_width)
        self.format = _check_format(format)

    @property
    def width(self) -> int:
        """Frame width in pixels (full resolution)."""
        return int(self.array.shape[1])

    @property
    def height(self) -> int:
        """Frame height in pixels (full resolution)."""
        return int(self.array.shape[0])

    def __repr__(self) -> str:
        return f"<FramePreview frame {self.frame} (t={self.t:g}s) {self.width}x{self.height}>"

    def __array__(self, dtype: npt.DTypeLike | None = None, copy: bool | None = None) -> np.ndarray:
        a = self.array if dtype is None else self.array.astype(dtype)
        return a.copy() if copy else a

    def display_size(self, max_width: int | None = None) -> tuple[int, int]:
        """``(width, height)`` of the PNG for ``max_width`` (default: :attr:`max_width`)."""
        limit = _check_max_width(max_width) if max_width is not None else self.max_width
        w, h = self.width, self.height
        if limit is None or w <= limit:
            return w, h
        return limit, max(1, int(round(h * limit / w)))

    def to_pil(self, max_width: int | None = None) -> "PIL.Image.Image":
        """The displayed picture as an opaque RGB ``PIL.Image`` (see the class docs)."""
        from PIL import Image
        w, h = self.display_size(max_width)
        premul = np.ascontiguousarray(self.array)
        if (w, h) != (self.width, self.height):
            # Mode "RGBa" = premultiplied: Pillow filters the four channels as they are, which is
            # the correct way to resample premultiplied pixels.
            im = Image.frombytes("RGBa", (self.width, self.height), premul.tobytes())
            im = im.resize((w, h), Image.Resampling.LANCZOS, reducing_gap=3.0)
            premul = np.frombuffer(im.tobytes("raw", "RGBa"), np.uint8).reshape(h, w, 4)
        alpha = premul[..., 3]
        if alpha.min() == 255:
            rgb = premul[..., :3]
        else:
            yy, xx = np.mgrid[0:h, 0:w]
            lo, hi = CHECKER_COLORS
            checker = np.where(((yy // CHECKER_SIZE) + (xx // CHECKER_SIZE)) % 2 == 0, hi, lo).astype(np.uint32)
            a = alpha.astype(np.uint32)[..., None]
            # Lanczos can ring colour above alpha; clamp to keep the premultiplied invariant.
            c = np.minimum(premul[..., :3].astype(np.uint32), a)
            rgb = (c + (checker[..., None] * (255 - a) + 127) // 255).clip(0, 255).astype(np.uint8)
        return Image.frombytes("RGB", (w, h), np.ascontiguousarray(rgb).tobytes())

    def _repr_png_(self) -> bytes | None:
        if self.format != "png":
            return None
        buf = io.BytesIO()
        self.to_pil().save(buf, format="PNG")
        return buf.getvalue()

    def _repr_jpeg_(self) -> bytes | None:
        """JPEG (quality 85) when :attr:`format` is ``"jpeg"``: far smaller than PNG for big frames."""
        if self.format != "jpeg":
            return None
        buf = io.BytesIO()
        self.to_pil().save(buf, format="JPEG", quality=85)
        return buf.getvalue()

    def save(self, path: PathLike) -> None:
        """Write the full-resolution frame to ``path`` with Pillow (format from the extension).

        Formats with alpha (PNG, WebP, TIFF, ...) get straight (un-premultiplied) RGBA, so image
        viewers show the same picture; others (JPEG, ...) get the frame composited over black.
        For regression goldens use ``reelforge.testing.save_png(path, preview.array)``, which
        stores the pixels exactly as :meth:`reelforge.Renderer.render_frame` returns them.
        """
        from PIL import Image
        path = os.fspath(path)
        ext = os.path.splitext(path)[1].lower()
        fmt = Image.registered_extensions().get(ext)
        if fmt is None:
            raise ValueError(f"cannot save {path!r}: unknown image extension {ext!r} (use .png)")
        straight = _unpremultiply(self.array)
        buf = io.BytesIO()
        try:
            Image.frombytes("RGBA", (self.width, self.height), straight.tobytes()).save(buf, format=fmt)
        except OSError:  # format without alpha: premultiplied RGB == composited over black
            buf = io.BytesIO()
            Image.frombytes("RGB", (self.width, self.height),
                            np.ascontiguousarray(self.array[..., :3]).tobytes()).save(buf, format=fmt)
        with open(path, "wb") as f:
            f.write(buf.getvalue())


# -- renderer cache ---------------------------------------------------------------------------------
# A Renderer compiles the scene when it is built and ignores later changes, so a cached one may
# only be reused while the scene describes exactly the same frames. The fingerprint hashes the
# whole object graph reachable from the scene (every attribute of the scene, its layers, clips,
# keyframes, easing objects, numpy arrays by content, files by size and mtime). Anything whose
# result cannot be fingerprinted (user callables, unknown objects) disables the cache for that
# preview: correctness over speed. Renderer construction is cheap (tens of ms) anyway.

_CACHE_SIZE = 4
_cache: "collections.OrderedDict[int, tuple[bytes, Renderer]]" = collections.OrderedDict()
_lock = threading.RLock()


class _Unfingerprintable(Exception):
    pass


def _fingerprint(scene: object) -> bytes | None:
    h = hashlib.blake2b(digest_size=20)
    seen: dict[int, int] = {}

    def put(tag: str, payload: bytes = b"") -> None:
        h.update(tag.encode() + b"\0" + len(payload).to_bytes(8, "little") + payload)

    def walk(v: Any, depth: int = 0) -> None:
        if depth > 50:
            raise _Unfingerprintable("too deep")
        if v is None or isinstance(v, (bool, int, float, complex, Fraction, np.generic)):
            put(type(v).__name__, repr(v).encode())
        elif isinstance(v, str):
            put("str", v.encode("utf-8", "surrogatepass"))
            if v and len(v) < 4096 and os.path.isfile(v):  # media files: reload when they change
                st = os.stat(v)
                put("file", f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}".encode())
        elif isinstance(v, bytes):
            put("bytes", v)
        elif isinstance(v, np.ndarray):
            if v.dtype.hasobject:
                put("objarray", repr(v.shape).encode())
                for item in v.ravel():
                    walk(item, depth + 1)
            else:
                put("ndarray", f"{v.dtype.str}{v.shape}".encode())
                h.update(np.ascontiguousarray(v).tobytes())
        elif isinstance(v, (list, tuple)):
            put(type(v).__name__, str(len(v)).encode())
            for item in v:
                walk(item, depth + 1)
        elif isinstance(v, dict):
            put("dict", str(len(v)).encode())
            for k, item in v.items():
                walk(k, depth + 1)
                walk(item, depth + 1)
        elif isinstance(v, (types.FunctionType, types.BuiltinFunctionType)):
            # Only reelforge's own plain functions (e.g. named easings) have known, fixed output.
            # Their output depends only on their code, defaults and closure cells (walked here).
            mod = getattr(v, "__module__", "") or ""
            if not (mod == "reelforge" or mod.startswith("reelforge.")):
                raise _Unfingerprintable(f"callable {v!r}")
            put("func", f"{mod}.{v.__qualname__}".encode())
            walk(getattr(v, "__defaults__", None), depth + 1)
            for cell in getattr(v, "__closure__", None) or ():
                try:
                    walk(cell.cell_contents, depth + 1)
                except ValueError:  # empty cell
                    put("emptycell")
        elif isinstance(v, types.MethodType):
            put("method", v.__func__.__qualname__.encode())
            walk(v.__func__, depth + 1)
            walk(v.__self__, depth + 1)
        else:
            obj_id = id(v)
            if obj_id in seen:  # shared or cyclic reference (layer._scene, bound methods)
                put("ref", str(seen[obj_id]).encode())
                return
            seen[obj_id] = len(seen)
            cls = type(v)
            mod = cls.__module__ or ""
            if mod == "reelforge._core" and hasattr(v, "value") and hasattr(v, "name"):  # pybind enums
                put("enum", f"{cls.__qualname__}.{v.name}={int(v.value)}".encode())
                return
            if not (mod == "reelforge" or mod.startswith("reelforge.")) or mod == "reelforge._core":
                raise _Unfingerprintable(f"object of type {mod}.{cls.__qualname__}")
            put("obj", f"{mod}.{cls.__qualname__}".encode())
            state: dict[str, Any] = {}
            if hasattr(v, "__dict__"):
                state.update(vars(v))
            for klass in cls.__mro__:
                for slot in getattr(klass, "__slots__", ()):
                    if isinstance(slot, str) and slot not in ("__dict__", "__weakref__") and hasattr(v, slot):
                        state[slot] = getattr(v, slot)
            for k in sorted(state):
                put("attr", k.encode())
                walk(state[k], depth + 1)

    try:
        walk(scene)
    except _Unfingerprintable:
        return None
    return h.digest()


def _renderer_for(scene: SceneLike) -> "Renderer":
    """A Renderer matching the scene's current state (cached while the scene is unchanged)."""
    from .renderer import Renderer
    fp = _fingerprint(scene)
    key = id(scene)
    with _lock:
        entry = _cache.get(key)
        # The cached Renderer holds the scene, so its id cannot be reused while cached; the
        # identity check guards against any other object with the same id.
        if fp is not None and entry is not None and entry[0] == fp and entry[1].scene is scene:
            _cache.move_to_end(key)
            return entry[1]
        _cache.pop(key, None)
    renderer = Renderer(scene)
    if fp is not None:
        with _lock:
            _cache[key] = (fp, renderer)
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return renderer


def clear_cache() -> None:
    """Drop the Renderers kept for repeated previews (frees their GPU and decoder resources)."""
    with _lock:
        _cache.clear()


def preview(scene: SceneLike, t: float = 0.0, *, max_width: int | None = 960,
            format: PreviewFormat = "png") -> FramePreview:
    """Render the frame on screen at ``t`` seconds of ``scene`` as a :class:`FramePreview`.

    ``t``: seconds, ``0 <= t < scene.duration``. ``max_width``: width limit (pixels) of the
    displayed PNG, None for full size; the ``array`` is always full resolution. ``format``:
    ``"png"`` (exact) or ``"jpeg"`` (much smaller output cells for large frames).
    The frame is rendered by a :class:`reelforge.Renderer`; the renderer is reused for the next
    preview of the same scene while the scene is unchanged (scenes using Python callables for
    properties or easings are re-compiled on every call).

    Raises SceneError for ``t`` outside the scene or a bad ``max_width``; MediaError / GpuError as
    :class:`reelforge.Renderer` does.
    """
    max_width = _check_max_width(max_width)
    format = _check_format(format)
    if isinstance(t, bool) or not isinstance(t, numbers.Real):
        raise SceneError(f"t must be a number of seconds, got {t!r}")
    if not (math.isfinite(float(t)) and 0 <= t < scene.duration):
        raise SceneError(f"t={t!r} is outside the scene: previews need 0 <= t < {scene.duration:g} seconds "
                         f"(the scene's duration)")
    frame = scene.time_to_frame(t)
    renderer = _renderer_for(scene)
    with _lock:  # one native Renderer must not render from two threads at once
        array = renderer.render_frame(frame)
    return FramePreview(array, float(t), frame, max_width=max_width, format=format)


def display(path: PathLike, *, width: int | None = None, embed: bool = True) -> Any:
    """Show an exported file in Jupyter: returns an ``IPython.display.Video`` (evaluate it as a
    cell's last expression, or pass it to ``IPython.display.display``).

    Args:
        path: a file written by :class:`reelforge.Exporter` (any of .mp4/.m4v/.mov/.mkv/.webm;
            audio-only .m4a/.wav/.mp3/.opus/.ogg/.flac give an ``IPython.display.Audio``).
        width: player width in CSS pixels (None = the video's own width). Ignored for audio.
        embed: True (default) reads the file now and embeds it base64-encoded in the output, so
            the saved notebook plays anywhere (and the file may be deleted afterwards); keep
            files small (a warning is issued above 50 MB). False links to ``path`` instead, which
            the browser loads through the Jupyter server: give it relative to the notebook.

    The mimetype comes from the extension (:data:`VIDEO_MIMETYPES`, :data:`AUDIO_MIMETYPES`).
    Raises ImportError without IPython, MediaNotFoundError for a missing file, SceneError for
    an unknown extension or a bad ``width``.
    """
    try:
        from IPython.display import Audio, Video
    except ImportError as e:
        raise ImportError("reelforge.notebook.display needs IPython: pip install ipython "
                          "(or run it inside Jupyter)") from e
    p = os.fspath(path)
    ext = os.path.splitext(p)[1].lower()
    if ext not in VIDEO_MIMETYPES and ext not in AUDIO_MIMETYPES:
        raise SceneError(f"cannot display {p!r}: unknown extension {ext!r}; use one of "
                         f"{', '.join(list(VIDEO_MIMETYPES) + list(AUDIO_MIMETYPES))}")
    if width is not None and (isinstance(width, bool) or not isinstance(width, numbers.Integral) or int(width) < 1):
        raise SceneError(f"width must be a positive int (CSS pixels) or None, got {width!r}")
    if embed and not os.path.isfile(p):
        raise MediaNotFoundError(f"cannot display {p!r}: file not found")
    if ext in AUDIO_MIMETYPES:
        if not embed:
            return Audio(url=p, embed=False)
        audio = Audio(filename=p)
        audio.mimetype = AUDIO_MIMETYPES[ext]
        return audio
    if not embed:
        return Video(filename=p, embed=False, mimetype=VIDEO_MIMETYPES[ext], width=width)
    size = os.path.getsize(p)
    if size > _EMBED_WARN_BYTES:
        warnings.warn(f"embedding {size / 2**20:.0f} MB of video in the notebook; pass embed=False to link "
                      f"to the file instead", stacklevel=2)
    with open(p, "rb") as f:
        data = f.read()
    return Video(data=data, embed=True, mimetype=VIDEO_MIMETYPES[ext], width=width)


# -- scrubber ---------------------------------------------------------------------------------------

def _encode(array: np.ndarray, format: PreviewFormat, max_width: int | None, quality: int = 85) -> bytes:
    """A frame as PNG or JPEG bytes, downsized and composited as :class:`FramePreview` shows it."""
    im = FramePreview(array, 0.0, 0, max_width=max_width).to_pil()
    buf = io.BytesIO()
    im.save(buf, format="JPEG" if format == "jpeg" else "PNG", **({"quality": quality} if format == "jpeg" else {}))
    return buf.getvalue()


class Player:
    """A frame scrubber for Jupyter (from :meth:`reelforge.Scene.player` / :func:`player`).

    Widgets (``ipywidgets``): a play/pause button (``play``, an ``ipywidgets.Play`` stepping one
    frame per ``1/fps`` s in the browser), a frame ``slider`` (``0 .. frame_count - 1``) linked to it,
    a ``readout`` label (``frame i / n-1 · t s``) and the picture (``image``, an
    ``ipywidgets.Image``). Moving the slider renders that frame on demand; the last
    ``cache_size`` encoded frames are kept, so scrubbing back and forth does not re-render.

    Attributes:
        frame: the frame shown (set it to seek). ``hits`` / ``misses``: cache statistics.
        widget: the ``ipywidgets.VBox`` displayed for this object.
    """

    def __init__(self, scene: SceneLike, *, max_width: int | None = 640, format: PreviewFormat = "jpeg",
                 cache_size: int = 64) -> None:
        try:
            import ipywidgets as w
        except ImportError as e:
            raise ImportError("Scene.player() needs ipywidgets: pip install 'reelforge[notebook]'") from e
        if isinstance(cache_size, bool) or not isinstance(cache_size, numbers.Integral) or int(cache_size) < 1:
            raise SceneError(f"cache_size must be a positive int (frames), got {cache_size!r}")
        self.scene: SceneLike = scene
        self.max_width: int | None = _check_max_width(max_width)
        self.format: PreviewFormat = _check_format(format)
        self.cache_size: int = int(cache_size)
        self._frames: "collections.OrderedDict[int, bytes]" = collections.OrderedDict()
        self.hits: int = 0
        self.misses: int = 0
        self._renderer: Renderer = _renderer_for(scene)
        n = scene.frame_count
        interval = max(1, int(round(1000 * scene.fps.denominator / scene.fps.numerator)))
        self.play: Any = w.Play(value=0, min=0, max=n - 1, step=1, interval=interval, description="play")
        self.slider: Any = w.IntSlider(value=0, min=0, max=n - 1, step=1, description="frame", continuous_update=True,
                                  layout=w.Layout(width="60%"))
        w.jslink((self.play, "value"), (self.slider, "value"))
        self.readout: Any = w.Label()
        self.image: Any = w.Image(format=self.format)
        self.widget: Any = w.VBox([self.image, w.HBox([self.play, self.slider, self.readout])])
        self.slider.observe(lambda change: self._show(change["new"]), names="value")
        self._show(0)

    def frame_bytes(self, i: int) -> bytes:
        """Encoded picture of frame ``i`` (from the cache, or rendered now)."""
        data = self._frames.get(i)
        if data is not None:
            self.hits += 1
            self._frames.move_to_end(i)
            return data
        self.misses += 1
        with _lock:
            array = self._renderer.render_frame(i)
        data = _encode(array, self.format, self.max_width)
        self._frames[i] = data
        while len(self._frames) > self.cache_size:
            self._frames.popitem(last=False)
        return data

    def _show(self, i: int) -> None:
        self.image.value = self.frame_bytes(int(i))
        t = i * self.scene.fps.denominator / self.scene.fps.numerator
        self.readout.value = f"frame {i} / {self.scene.frame_count - 1} · {t:.3f} s"

    @property
    def frame(self) -> int:
        return int(self.slider.value)

    @frame.setter
    def frame(self, i: int) -> None:
        if isinstance(i, bool) or not isinstance(i, numbers.Integral) or not 0 <= int(i) < self.scene.frame_count:
            raise SceneError(f"frame must be an int in 0..{self.scene.frame_count - 1}, got {i!r}")
        self.slider.value = int(i)  # the observer renders it

    def cached_frames(self) -> list[int]:
        """Frame indices held in the cache, least recently used first."""
        return list(self._frames)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<Player frame {self.frame} of {self.scene.frame_count} ({self.scene.width}x{self.scene.height})>"


def player(scene: SceneLike, *, max_width: int | None = 640, format: PreviewFormat = "jpeg",
           cache_size: int = 64) -> Player:
    """A :class:`Player` scrubber for ``scene``: evaluate it as a cell's last expression.

    ``max_width``: width limit in pixels of the shown picture (None = full size); ``format``:
    ``"jpeg"`` (default: small, fast for big frames) or ``"png"`` (exact); ``cache_size``: encoded
    frames kept. The scene is compiled once, when the player is made. Raises ImportError without
    ipywidgets, SceneError for bad arguments.
    """
    return Player(scene, max_width=max_width, format=format, cache_size=cache_size)


# -- live export progress -----------------------------------------------------------------------------

def export_progress_widget(handle: "ExportHandle") -> Any:
    """An ``ipywidgets`` progress bar that follows ``handle`` (an
    :class:`~reelforge.exporter.ExportHandle`) until the export ends: frames done / total, fps and
    ETA, then the outcome (green when done, red on failure or cancel; the error itself is raised
    where ``result()`` is called). Shown when a handle is displayed in Jupyter.
    Raises ImportError without ipywidgets."""
    try:
        import ipywidgets as w
    except ImportError as e:
        raise ImportError("the live export progress bar needs ipywidgets: pip install 'reelforge[notebook]'") from e
    bar = w.IntProgress(value=0, min=0, max=1, description="export")
    label = w.Label(value="starting")
    box = w.HBox([bar, label])

    def update(q: Progress) -> None:
        bar.max = max(1, q.total_frames)
        bar.value = q.frames_done
        label.value = f"{q.frames_done}/{q.total_frames} frames, {q.fps:.1f} fps, ETA {q.eta:.0f} s ({q.phase})"

    def finished(h: "ExportHandle") -> None:
        err = h.exception()
        bar.value = bar.max if err is None else bar.value
        bar.bar_style = "success" if err is None else "danger"
        label.value = (f"done: {h.result().frames} frames in {h.result().seconds:.2f} s" if err is None
                       else f"{type(err).__name__}: {err}")

    handle._add_progress_listener(update)
    handle.add_done_callback(finished)
    box.bar, box.label = bar, label
    return box


__all__ += ["Player", "player", "export_progress_widget"]
