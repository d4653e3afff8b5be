"""Independent numpy references of the effects (tests/test_effects.py); nothing here imports reelforge.

* W3C Filter Effects Module Level 1, section 13 (filter functions) and 15 (feColorMatrix,
  feComponentTransfer): brightness, contrast, saturate, hue-rotate, grayscale, sepia, invert
  matrices on unpremultiplied colour, each result clamped to 0..1.
* Trilinear interpolation of a 3D .cube table (red fastest) and linear per channel for 1D.
"""

from __future__ import annotations

import numpy as np


def saturate(s: float) -> np.ndarray:
    return np.array([[0.213 + 0.787 * s, 0.715 - 0.715 * s, 0.072 - 0.072 * s],
                     [0.213 - 0.213 * s, 0.715 + 0.285 * s, 0.072 - 0.072 * s],
                     [0.213 - 0.213 * s, 0.715 - 0.715 * s, 0.072 + 0.928 * s]])


def hue_rotate(deg: float) -> np.ndarray:
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    base = np.array([[0.213, 0.715, 0.072]] * 3)
    cm = np.array([[0.787, -0.715, -0.072], [-0.213, 0.285, -0.072], [-0.213, -0.715, 0.928]])
    sm = np.array([[-0.213, -0.715, 0.928], [0.143, 0.140, -0.283], [-0.787, 0.715, 0.072]])
    return base + c * cm + s * sm


def grayscale(a: float) -> np.ndarray:
    s = 1 - a
    return np.array([[0.2126 + 0.7874 * s, 0.7152 - 0.7152 * s, 0.0722 - 0.0722 * s],
                     [0.2126 - 0.2126 * s, 0.7152 + 0.2848 * s, 0.0722 - 0.0722 * s],
                     [0.2126 - 0.2126 * s, 0.7152 - 0.7152 * s, 0.0722 + 0.9278 * s]])


def sepia(a: float) -> np.ndarray:
    s = 1 - a
    return np.array([[0.393 + 0.607 * s, 0.769 - 0.769 * s, 0.189 - 0.189 * s],
                     [0.349 - 0.349 * s, 0.686 + 0.314 * s, 0.168 - 0.168 * s],
                     [0.272 - 0.272 * s, 0.534 - 0.534 * s, 0.131 + 0.869 * s]])


def apply_matrix(rgb: np.ndarray, m: np.ndarray) -> np.ndarray:
    return np.clip(rgb @ m.T, 0, 1)


def invert(rgb: np.ndarray, a: float) -> np.ndarray:
    return np.clip(a + rgb * (1 - 2 * a), 0, 1)


def brightness(rgb: np.ndarray, b: float) -> np.ndarray:
    return np.clip(rgb * b, 0, 1)


def contrast(rgb: np.ndarray, c: float) -> np.ndarray:
    return np.clip(c * rgb + 0.5 - 0.5 * c, 0, 1)


def srgb_to_linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.0031308, c * 12.92, 1.055 * np.power(c, 1 / 2.4) - 0.055)


def exposure(rgb: np.ndarray, stops: float) -> np.ndarray:
    return linear_to_srgb(np.clip(srgb_to_linear(rgb) * 2.0 ** stops, 0, 1))


def gamma(rgb: np.ndarray, g: float) -> np.ndarray:
    return np.power(rgb, 1 / g)


def lut3d_trilinear(rgb: np.ndarray, table: np.ndarray, n: int) -> np.ndarray:
    """rgb (..., 3) in 0..1; table (n^3, 3) red fastest."""
    t = table.reshape(n, n, n, 3)  # [b, g, r]
    f = np.clip(rgb, 0, 1) * (n - 1)
    i0 = np.minimum(np.floor(f).astype(int), n - 2)
    w = f - i0
    out = np.zeros(rgb.shape)
    for dr in (0, 1):
        for dg in (0, 1):
            for db in (0, 1):
                wt = ((w[..., 0] if dr else 1 - w[..., 0]) * (w[..., 1] if dg else 1 - w[..., 1])
                      * (w[..., 2] if db else 1 - w[..., 2]))
                out += wt[..., None] * t[i0[..., 2] + db, i0[..., 1] + dg, i0[..., 0] + dr]
    return out


def lut1d_linear(rgb: np.ndarray, table: np.ndarray) -> np.ndarray:
    n = len(table)
    x = np.linspace(0, 1, n)
    return np.stack([np.interp(np.clip(rgb[..., c], 0, 1), x, table[:, c]) for c in range(3)], -1)


def write_cube(path, table: np.ndarray, n: int, dims: int = 3, title: str = "test") -> None:
    with open(path, "w") as f:
        f.write(f'TITLE "{title}"\n# generated\nLUT_{dims}D_SIZE {n}\n')
        for row in table:
            f.write(f"{row[0]:.6f} {row[1]:.6f} {row[2]:.6f}\n")


def identity_table(n: int) -> np.ndarray:
    g = np.linspace(0, 1, n)
    b, gg, r = np.meshgrid(g, g, g, indexing="ij")
    return np.stack([r, gg, b], -1).reshape(-1, 3)
