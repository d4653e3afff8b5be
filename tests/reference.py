"""Independent numpy reference implementations used by the rendering tests.

Nothing here imports reelforge: these are straight transcriptions of the published formulas,
so a test compares the engine against the specification, not against itself.

* :func:`rgb_to_nv12` — ITU-R BT.709-6 matrix, limited ("TV") range, 4:2:0 chroma from the
  2x2 average of the 8-bit RGB values, rounded half up.
* :func:`composite` — premultiplied Porter-Duff source-over of layers placed at integer
  positions, unscaled, in float64 (rounded only at the end by :func:`to_u8`).
* :func:`yuv420_to_rgba` — 8-bit Y'CbCr 4:2:0 to premultiplied RGBA8: chroma upsampled
  bilinearly from centre-sited samples (weights 3/4 and 1/4 along each axis, edge samples
  repeated), then the ITU-R BT.601/709 matrix for the given Kr, Kb and range.
* :func:`blend` — W3C Compositing and Blending Level 1 separable blend modes in
  premultiplied form:  co = cs (1 - ab) + cb (1 - as) + as ab B(Cb, Cs),  ao = as + ab (1 - as);
  ``add`` is plus-lighter: co = min(1, cs + cb), ao = min(1, as + ab).
* :func:`aevalsrc_wav` — test audio: a float WAV of an exact ``aevalsrc`` expression, made by
  the ffmpeg CLI (not by reelforge).
"""

from __future__ import annotations

import subprocess

import numpy as np

__all__ = [
    "KR", "KG", "KB", "round_half_up", "rgb_to_nv12", "premultiply", "solid", "image",
    "blend_fn", "blend", "composite", "to_u8", "BLEND_MODES", "yuv420_to_rgba", "aevalsrc_wav",
]

# ITU-R BT.709-6, item 3.2 / 3.3
KR, KG, KB = 0.2126, 0.7152, 0.0722


def round_half_up(x) -> np.ndarray:
    return np.floor(np.asarray(x, dtype=np.float64) + 0.5)


def _ycbcr(rgb: np.ndarray):
    """Limited-range Y, Cb, Cr (unrounded floats) of float RGB in 0..1 (last axis = channel)."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    yp = KR * r + KG * g + KB * b
    y = 16.0 + 219.0 * yp
    cb = 128.0 + 224.0 * (b - yp) / 1.8556
    cr = 128.0 + 224.0 * (r - yp) / 1.5748
    return y, cb, cr


def rgb_to_nv12(rgb8, siting: str = "left") -> tuple[np.ndarray, np.ndarray]:
    """8-bit RGB(A) frame (h, w, 3|4) -> NV12 planes ``(y (h, w), uv (h/2, w/2, 2))``, uint8.

    BT.709 limited range: ``Y = 16 + 219 Y'``, ``Cb = 128 + 224 (B - Y') / 1.8556``,
    ``Cr = 128 + 224 (R - Y') / 1.5748`` with ``R, G, B = rgb8 / 255``. Chroma is computed from
    the 8-bit RGB values averaged over each row pair and, horizontally, ``siting="left"``
    (MPEG-2/H.264 chroma_sample_location 0, sample m on column 2m): filtered [1 2 1] / 4 over
    columns 2m - 1, 2m, 2m + 1 (column -1 repeats column 0); ``"center"``: the 2x2 block mean.
    Rounding is half up. Alpha (if present) is ignored: an RGBA frame with premultiplied alpha is
    its composite over black.
    """
    a = np.asarray(rgb8)
    if a.dtype != np.uint8 or a.ndim != 3 or a.shape[2] not in (3, 4):
        raise ValueError(f"expected uint8 (h, w, 3|4), got {a.dtype} {a.shape}")
    h, w = a.shape[:2]
    if h % 2 or w % 2:
        raise ValueError(f"4:2:0 needs even width and height, got {w}x{h}")
    rgb = a[..., :3].astype(np.float64)
    y, _, _ = _ycbcr(rgb / 255.0)
    if siting == "left":
        rows = rgb.reshape(h // 2, 2, w, 3).mean(axis=1)
        left = rows[:, np.maximum(np.arange(0, w, 2) - 1, 0)]
        avg = (left + 2.0 * rows[:, 0::2] + rows[:, 1::2]) / 4.0
    elif siting == "center":
        avg = rgb.reshape(h // 2, 2, w // 2, 2, 3).mean(axis=(1, 3))
    else:
        raise ValueError(f"siting must be 'left' or 'center', got {siting!r}")
    _, cb, cr = _ycbcr(avg / 255.0)
    y8 = np.clip(round_half_up(y), 0, 255).astype(np.uint8)
    uv8 = np.clip(round_half_up(np.stack([cb, cr], axis=-1)), 0, 255).astype(np.uint8)
    return y8, uv8


# --- premultiplied compositing ---------------------------------------------------------------

def premultiply(straight_u8, *, quantize: bool = True) -> np.ndarray:
    """Straight RGBA8 (h, w, 4) -> premultiplied float64 RGBA in 0..1.

    ``quantize=True`` models an RGBA8 premultiplied texture (``round(c * a / 255)``, the format
    images are uploaded in); ``False`` keeps the exact product.
    """
    s = np.asarray(straight_u8)
    if s.shape[-1] == 3:
        s = np.concatenate([s, np.full(s.shape[:-1] + (1,), 255, np.uint8)], axis=-1)
    c = s[..., :3].astype(np.float64)
    a = s[..., 3:4].astype(np.float64)
    out = np.empty(s.shape, np.float64)
    if quantize:
        out[..., :3] = round_half_up(c * a / 255.0) / 255.0
    else:
        out[..., :3] = c * a / (255.0 * 255.0)
    out[..., 3:] = a / 255.0
    return out


def solid(color, width: int, height: int) -> np.ndarray:
    """Premultiplied float RGBA block of a straight 0-255 colour ``(r, g, b[, a])``."""
    c = np.asarray(list(color) + ([255] if len(color) == 3 else []), dtype=np.float64) / 255.0
    px = np.concatenate([c[:3] * c[3], c[3:]])
    return np.broadcast_to(px, (height, width, 4)).copy()


def image(straight_u8) -> np.ndarray:
    """Premultiplied float RGBA of a straight RGBA8 image, as uploaded (8-bit premultiplied)."""
    return premultiply(straight_u8, quantize=True)


BLEND_MODES = ("normal", "multiply", "screen", "overlay", "darken", "lighten", "add", "difference")


def blend_fn(mode: str, Cb: np.ndarray, Cs: np.ndarray) -> np.ndarray:
    """W3C separable blend function B(Cb, Cs) on straight (un-premultiplied) colours."""
    if mode == "normal":
        return Cs
    if mode == "multiply":
        return Cb * Cs
    if mode == "screen":
        return Cb + Cs - Cb * Cs
    if mode == "overlay":  # HardLight(Cs, Cb): multiply/screen chosen by the backdrop
        return np.where(Cb <= 0.5, Cs * 2.0 * Cb, Cs + (2.0 * Cb - 1.0) - Cs * (2.0 * Cb - 1.0))
    if mode == "darken":
        return np.minimum(Cb, Cs)
    if mode == "lighten":
        return np.maximum(Cb, Cs)
    if mode == "difference":
        return np.abs(Cb - Cs)
    raise ValueError(f"no separable blend function for {mode!r}")


def blend(dst: np.ndarray, src: np.ndarray, mode: str = "normal") -> np.ndarray:
    """Composite premultiplied ``src`` over premultiplied ``dst`` (float RGBA, same shape)."""
    dst = np.asarray(dst, np.float64)
    src = np.asarray(src, np.float64)
    cs, as_ = src[..., :3], src[..., 3:4]
    cb, ab = dst[..., :3], dst[..., 3:4]
    if mode == "add":  # plus-lighter
        return np.minimum(1.0, src + dst)
    with np.errstate(divide="ignore", invalid="ignore"):
        Cs = np.where(as_ > 0, cs / np.where(as_ > 0, as_, 1.0), 0.0)
        Cb = np.where(ab > 0, cb / np.where(ab > 0, ab, 1.0), 0.0)
    co = cs * (1.0 - ab) + cb * (1.0 - as_) + as_ * ab * blend_fn(mode, Cb, Cs)
    ao = as_ + ab * (1.0 - as_)
    return np.concatenate([co, ao], axis=-1)


def composite(width: int, height: int, background, layers) -> np.ndarray:
    """Premultiplied float RGBA canvas (height, width, 4).

    background: straight 0-255 ``(r, g, b[, a])``.
    layers: bottom to top, each a dict with ``pixels`` (premultiplied float (h, w, 4), e.g. from
    :func:`solid` / :func:`image`), integer ``x``, ``y`` (top-left corner; may be partly
    off-canvas) and optional ``opacity`` (0..1, scales the premultiplied source) and ``blend``.
    """
    canvas = solid(background, width, height)
    for L in layers:
        px = np.asarray(L["pixels"], np.float64) * float(L.get("opacity", 1.0))
        x, y = int(L["x"]), int(L["y"])
        h, w = px.shape[:2]
        x0, y0, x1, y1 = max(0, x), max(0, y), min(width, x + w), min(height, y + h)
        if x1 <= x0 or y1 <= y0:
            continue
        src = px[y0 - y:y1 - y, x0 - x:x1 - x]
        canvas[y0:y1, x0:x1] = blend(canvas[y0:y1, x0:x1], src, L.get("blend", "normal"))
    return canvas


def to_u8(canvas: np.ndarray) -> np.ndarray:
    """Float 0..1 -> uint8, clamped, rounded half up."""
    return np.clip(round_half_up(np.asarray(canvas) * 255.0), 0, 255).astype(np.uint8)


# --- Y'CbCr 4:2:0 -> RGBA -------------------------------------------------------------------

def _upsample2(c: np.ndarray, axis: int) -> np.ndarray:
    """Doubles ``c`` along ``axis``: sample 2j = 3/4 c[j] + 1/4 c[j-1], 2j+1 = 3/4 c[j] + 1/4 c[j+1]
    (centre-sited chroma; the edge samples repeat)."""
    c = np.asarray(c, np.float64)
    n = c.shape[axis]
    prev = np.take(c, np.maximum(np.arange(n) - 1, 0), axis=axis)
    nxt = np.take(c, np.minimum(np.arange(n) + 1, n - 1), axis=axis)
    even, odd = 0.75 * c + 0.25 * prev, 0.75 * c + 0.25 * nxt
    out = np.stack([even, odd], axis=axis + 1)
    shape = list(c.shape)
    shape[axis] *= 2
    return out.reshape(shape)


def _upsample2_left(c: np.ndarray, axis: int) -> np.ndarray:
    """Doubles ``c`` along ``axis`` for left-sited chroma (sample j on luma column 2j):
    2j = c[j], 2j+1 = (c[j] + c[j+1]) / 2 (the last sample repeats)."""
    c = np.asarray(c, np.float64)
    n = c.shape[axis]
    nxt = np.take(c, np.minimum(np.arange(n) + 1, n - 1), axis=axis)
    out = np.stack([c, 0.5 * (c + nxt)], axis=axis + 1)
    shape = list(c.shape)
    shape[axis] *= 2
    return out.reshape(shape)


def _box_left(p, div: int) -> np.ndarray:
    """Left-sited chroma plane -> one value per div x div luma block: the area average, each
    sample covering the two luma columns around its own (div 2: 3/4, 1/4 of samples k, k+1;
    div 4: 3/8, 4/8, 1/8 of samples 2k, 2k+1, 2k+2); rows as a plain mean."""
    p = np.asarray(p, np.float64)
    c = div // 2
    h, w = p.shape
    rows = p[: h // c * c].reshape(h // c, c, w).mean(axis=1)
    n = w // c
    idx = lambda k: np.minimum(k, w - 1)  # noqa: E731 (the edge repeats)
    k = np.arange(n)
    if div == 2:
        return 0.75 * rows[:, idx(k)] + 0.25 * rows[:, idx(k + 1)]
    return 0.375 * rows[:, idx(2 * k)] + 0.5 * rows[:, idx(2 * k + 1)] + 0.125 * rows[:, idx(2 * k + 2)]


def _box(p, n: int) -> np.ndarray:
    """Mean of each n x n block (n = 1: the plane itself)."""
    p = np.asarray(p, np.float64)
    h, w = p.shape
    return p[: h // n * n, : w // n * n].reshape(h // n, n, w // n, n).mean(axis=(1, 3))


def yuv420_to_rgba(y, cb, cr, a=None, *, kr: float = KR, kb: float = KB, full_range: bool = False,
                   div: int = 1, chroma_left: bool = False) -> np.ndarray:
    """8-bit planes ``y`` (h, w), ``cb``/``cr`` (h/2, w/2) [, alpha ``a`` (h, w)] -> premultiplied
    RGBA8 (h, w, 4), rounded half up.

    ``div`` 2 or 4: at 1/div of the size, each pixel from the mean of its div x div luma (and
    alpha) samples and of the (div/2)^2 chroma samples centred on it (no chroma upsampling).
    ``chroma_left``: chroma sited left (sample j on luma column 2j, vertically centred) rather
    than centre-sited; see ``_upsample2_left`` / ``_box_left``.

    Limited range: ``Y' = (Y - 16) / 219``, ``Pb = (Cb - 128) / 224``; full range: ``Y' = Y / 255``,
    ``Pb = (Cb - 128) / 255`` (likewise Pr). Then ``R = Y' + 2 (1 - Kr) Pr``,
    ``B = Y' + 2 (1 - Kb) Pb``, ``G = (Y' - Kr R - Kb B) / (1 - Kr - Kb)`` (ITU-R BT.601-7 /
    BT.709-6 with their Kr, Kb), clamped to 0..1.
    """
    if div > 1:
        Y = _box(y, div)
        if chroma_left:
            U, V = _box_left(cb, div), _box_left(cr, div)
        else:
            U, V = _box(cb, div // 2), _box(cr, div // 2)
        a = None if a is None else _box(a, div)
    else:
        Y = np.asarray(y, np.float64)
        up_x = _upsample2_left if chroma_left else _upsample2
        U = up_x(_upsample2(cb, 0), 1)
        V = up_x(_upsample2(cr, 0), 1)
    if full_range:
        yp, pb, pr = Y / 255.0, (U - 128.0) / 255.0, (V - 128.0) / 255.0
    else:
        yp, pb, pr = (Y - 16.0) / 219.0, (U - 128.0) / 224.0, (V - 128.0) / 224.0
    r = yp + 2.0 * (1.0 - kr) * pr
    b = yp + 2.0 * (1.0 - kb) * pb
    g = (yp - kr * r - kb * b) / (1.0 - kr - kb)
    rgb = np.clip(np.stack([r, g, b], axis=-1), 0.0, 1.0)
    alpha = np.ones(Y.shape, np.float64) if a is None else np.asarray(a, np.float64) / 255.0
    out = np.concatenate([rgb * alpha[..., None], alpha[..., None]], axis=-1)
    return np.clip(round_half_up(out * 255.0), 0, 255).astype(np.uint8)


def aevalsrc_wav(folder, name: str, expr: str, dur: float, rate: int = 48000) -> str:
    """``folder/name``: ``dur`` seconds of ffmpeg's ``aevalsrc`` expression ``expr`` (channels
    separated by ``|``) at ``rate`` Hz as 32-bit float PCM WAV; returns its path."""
    out = folder / name
    r = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                        f"aevalsrc=exprs='{expr}':s={rate}:d={dur}", "-c:a", "pcm_f32le", str(out)],
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    return str(out)
