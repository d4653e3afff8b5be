"""Layer effects, rendered on the GPU: ``layer.add_effect(rf.effects.GaussianBlur(8))``.

Effects apply in the order they are added, each to the result of the one before, on the layer's
own picture before it is placed (scale, rotation, opacity) and composited. Lengths (radii,
offsets) are in **layer-local pixels**: the layer's displayed ``width``/``height`` before
``scale``/``rotation``, as CSS filters are in CSS pixels of the element. A blur, shadow or glow
makes the drawn area grow by its reach (3 standard deviations, plus the shadow's offset).

Colours follow the W3C Filter Effects Module Level 1 (filter functions ``blur()``,
``drop-shadow()``, ``brightness()``, ``contrast()``, ``saturate()``, ``hue-rotate()``,
``grayscale()``, ``sepia()``, ``invert()``): the matrices are applied to unpremultiplied,
sRGB-encoded colour (as browsers apply CSS filter functions), alpha unchanged, each step's result
clamped to 0..1.

Every numeric parameter is animatable like a layer property: a constant, a per-frame array of
shape ``(scene.frame_count,)``, a callable of time in seconds, or keyframes
(:meth:`Effect.animate`); all are sampled once in :meth:`reelforge.Scene.compile`.
"""

from __future__ import annotations

import os
import re
from typing import Any, Callable, Sequence, TypeVar, Union

import numpy as np

from . import _checks
from . import _core
from . import animation as _anim
from ._types import BlurEdge
from .errors import SceneError, SceneTypeError

__all__ = ["Effect", "GaussianBlur", "DropShadow", "Glow", "ColorAdjust", "Grayscale", "Sepia", "Invert", "LUT",
           "ChromaKey", "Shader", "Animatable", "BLUR_EDGES"]

#: The ``edge`` options of :class:`GaussianBlur`.
BLUR_EDGES = ("transparent", "extend")
#: What an effect parameter accepts: a number, one value per scene frame, or a callable of time (s).
Animatable = Union[float, int, np.ndarray, Sequence[float], Callable[[Any], Any]]
ColorLike = Union[str, Sequence[float]]
_E = TypeVar("_E", bound="Effect")


class Effect:
    """Base of every effect. Build one of the subclasses and pass it to ``Layer.add_effect``.

    ``PARAMETERS`` maps each animatable parameter to ``(minimum, maximum, unit)`` (None: no
    bound). One effect object may be added to several layers; changes made to it before
    ``Scene.compile()`` show on all of them.
    """

    PARAMETERS: dict[str, tuple[float | None, float | None, str]] = {}
    _KIND: Any = None
    #: The core's parameter slots in order: a parameter name, or a constant for slots it leaves alone.
    _SLOTS: tuple[str | float, ...] = ()
    _DEFAULTS: dict[str, float] = {}

    def __init__(self, **values: Animatable) -> None:
        self._values: dict[str, object] = {}
        self._color: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0)
        for name, v in values.items():
            self.set(name, v)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" if isinstance(v, (int, float)) else f"{k}=<animated>"
                          for k, v in self._values.items())
        return f"{type(self).__name__}({shown})"

    def _what(self, name: str) -> str:
        return f"{type(self).__name__} parameter {name!r}"

    def _check_name(self, name: str) -> None:
        if not isinstance(name, str) or name not in self.PARAMETERS:
            raise SceneError(f"{type(self).__name__}: unknown parameter {name!r}; animatable parameters are "
                             f"{', '.join(self.PARAMETERS) or '(none)'}")

    def set(self: _E, name: str, value: Animatable) -> _E:
        """Set parameter ``name`` to a constant, a per-frame array of shape ``(scene.frame_count,)``
        or a callable ``f(t)`` of time in seconds (given the float64 array of the times of the
        layer's frames it should return an array of that shape; scalar-only callables are called
        once per frame). Constants and arrays are range-checked now (see ``PARAMETERS``),
        callables and the array's length at ``Scene.compile()``.

        Raises SceneError naming the effect and parameter (SceneTypeError for a wrong type).
        Returns the effect (chainable)."""
        self._check_name(name)
        what = self._what(name)
        if callable(value):
            self._values[name] = value
        elif isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) > 0:
            try:
                arr = _anim.per_frame_array(value, len(value), what=what)
            except ValueError as e:
                raise SceneError(str(e)) from None
            self._check_range(name, arr, None)
            self._values[name] = value
        elif _checks.is_real(value):
            v = _checks.number(value, what)
            self._check_range(name, np.array([v]), None)
            self._values[name] = v
        else:
            raise SceneTypeError(f"{what}: expected a real number, a numpy array of one value per frame, a callable "
                                 f"of time or keyframes (Effect.animate), got {type(value).__name__} {value!r}")
        return self

    def animate(self: _E, name: str, keyframes: Sequence[Any], easing: Any = "linear") -> _E:
        """Animate parameter ``name`` through ``keyframes`` ``[(t_seconds, value), ...]`` (or
        ``(t, value, easing)``), scene time, strictly increasing, with ``easing`` between them (a
        name of :data:`reelforge.easing.NAMES` or an easing object), exactly as
        :meth:`reelforge.Layer.animate`. Raises SceneError for an unknown parameter or easing,
        keyframes out of order, or a value outside the parameter's range."""
        from .scene import _Keyframes
        self._check_name(name)
        kf = _Keyframes.checked(keyframes, easing, self._what(name))
        for i, k in enumerate(kf.keyframes):
            self._check_range(name, np.array([float(k[1])]), None, where=f"keyframe {i}")
        self._values[name] = kf
        return self

    def _check_range(self, name: str, values: np.ndarray, first_frame: int | None, where: str = "") -> None:
        lo, hi, unit = self.PARAMETERS[name]
        lo_v = -_checks.FLOAT32_MAX if lo is None else lo
        hi_v = _checks.FLOAT32_MAX if hi is None else hi
        bad = np.flatnonzero((values < lo_v) | (values > hi_v))
        if bad.size:
            i = int(bad[0])
            at = where or ("" if first_frame is None else f" at frame {first_frame + i}")
            at = f" {at.strip()}" if at else ""
            raise SceneError(f"{self._what(name)}: value {values[i]:g}{at} is outside {lo_v:g}..{hi_v:g} ({unit})")

    def _sample(self, name: str, scene: Any, start: int, end: int, what: str) -> np.ndarray:
        """Values of ``name`` over the layer's frames ``start..end-1`` as float32 (one value when constant)."""
        from .scene import _Keyframes
        default = self._default(name)
        v = self._values.get(name, default)
        try:
            if isinstance(v, _Keyframes):
                out = _anim.sample_keyframes(v.keyframes, scene._times(start, end), v.easing, what=what)
            elif callable(v):
                out = _anim.as_frame_array(v, scene._times(start, end), what=what)
            elif isinstance(v, (list, tuple, np.ndarray)):
                out = _anim.per_frame_array(v, scene.frame_count, what=what)[start:end]
            else:
                out = np.array([v], dtype=np.float64)  # a number: checked when set
        except ValueError as e:
            raise SceneError(str(e)) from e.__cause__
        self._check_range(name, out, start if out.size > 1 else None)
        out32 = out.astype(np.float32)
        return out32[:1] if out32.size > 1 and (out32 == out32[0]).all() else out32

    def _default(self, name: str) -> float:
        return float(self._DEFAULTS[name])

    def _compile(self, scene: Any, layer_name: str, index: int, start: int, end: int) -> "_core.Effect":
        """This effect for one layer (frames ``start..end-1``) as the core's data."""
        e = _core.Effect()
        e.kind = self._KIND
        what = f"layer {layer_name!r} effect {index} ({type(self).__name__})"
        e.params = [np.array([s], np.float32) if not isinstance(s, str)
                    else self._sample(s, scene, start, end, f"{what} parameter {s!r}") for s in self._SLOTS]
        e.color = list(self._color)
        self._finish(e, scene, start, end, what)
        return e

    def _finish(self, e: "_core.Effect", scene: Any, start: int, end: int, what: str) -> None:
        """Kind-specific data (LUT, shader) for :meth:`_compile`."""


def _color(value: ColorLike, what: str) -> tuple[float, float, float, float]:
    from .scene import parse_color
    return parse_color(value, what)


class GaussianBlur(Effect):
    """Gaussian blur, as CSS ``blur(radius)`` (W3C Filter Effects 1, feGaussianBlur).

    Parameters
    ----------
    radius : Animatable
        Standard deviation in layer-local pixels, 0..1000 (0: no blur). Large radii run on a
        downsampled pyramid (2:1 box steps to where the deviation is 4..8 texels, then one
        bilinear enlargement), so the cost stays bounded: 200 px at 4K is a few small passes.
    edge : {"transparent", "extend"}
        ``"transparent"`` (CSS): the layer is transparent beyond its edges, so they soften, and
        the drawn area grows by 3 x radius on every side. ``"extend"``: the edge pixels repeat
        outward and the area stays the same (a full-frame blurred background keeps solid edges).

    Raises
    ------
    SceneError
        ``radius`` outside 0..1000 or an unknown ``edge``.
    """

    PARAMETERS = {"radius": (0.0, 1000.0, "pixels, standard deviation")}
    _DEFAULTS = {"radius": 0.0}
    _KIND = _core.EffectKind.BLUR

    def __init__(self, radius: Animatable = 4.0, edge: BlurEdge = "transparent") -> None:
        if edge not in BLUR_EDGES:
            raise SceneError(f"GaussianBlur: edge must be 'transparent' or 'extend', got {edge!r}")
        self.edge = edge
        self._SLOTS = ("radius", 1.0 if edge == "extend" else 0.0)
        super().__init__(radius=radius)


class DropShadow(Effect):
    """Drop shadow, as CSS ``drop-shadow(dx dy blur color)`` with an extra ``opacity``.

    The layer's alpha, blurred (Gaussian, standard deviation ``blur``), offset by (``dx``,
    ``dy``) and filled with ``color`` x ``opacity``, drawn under the layer (source-over). The
    drawn area grows to hold the shadow.

    Parameters
    ----------
    dx, dy : Animatable
        Offset in layer-local pixels (positive: right, down), -10000..10000.
    blur : Animatable
        Standard deviation in layer-local pixels, 0..1000.
    color : str or tuple
        Shadow colour (CSS colour string or (r, g, b[, a]) in 0-255; its alpha multiplies).
    opacity : Animatable
        0..1, multiplies the colour's alpha.
    """

    PARAMETERS = {"dx": (-1e4, 1e4, "pixels"), "dy": (-1e4, 1e4, "pixels"),
                  "blur": (0.0, 1000.0, "pixels, standard deviation"), "opacity": (0.0, 1.0, "0..1")}
    _DEFAULTS = {"dx": 0.0, "dy": 0.0, "blur": 0.0, "opacity": 1.0}
    _KIND = _core.EffectKind.DROP_SHADOW
    _SLOTS = ("dx", "dy", "blur", "opacity")

    def __init__(self, dx: Animatable = 4.0, dy: Animatable = 4.0, blur: Animatable = 4.0,
                 color: ColorLike = "black", opacity: Animatable = 0.6) -> None:
        super().__init__(dx=dx, dy=dy, blur=blur, opacity=opacity)
        self._color = _color(color, "DropShadow color")


class Glow(Effect):
    """Outer glow: the layer's blurred alpha x ``strength`` (clamped to 1) filled with ``color``,
    drawn under the layer (a drop shadow without offset whose alpha is amplified).

    Parameters
    ----------
    radius : Animatable
        Standard deviation of the blur in layer-local pixels, 0..1000.
    strength : Animatable
        Alpha multiplier of the blurred halo, 0..100 (1: as blurred; 2-4: a stronger halo).
    color : str or tuple
        Glow colour (CSS colour string or (r, g, b[, a]) in 0-255).
    """

    PARAMETERS = {"radius": (0.0, 1000.0, "pixels, standard deviation"), "strength": (0.0, 100.0, "factor")}
    _DEFAULTS = {"radius": 0.0, "strength": 1.0}
    _KIND = _core.EffectKind.GLOW
    _SLOTS = ("radius", "strength")

    def __init__(self, radius: Animatable = 10.0, strength: Animatable = 1.0, color: ColorLike = "white") -> None:
        super().__init__(radius=radius, strength=strength)
        self._color = _color(color, "Glow color")


# The core's colour slots: brightness, contrast, saturation, hue, exposure, gamma, grayscale, sepia,
# invert (timeline/effect.h); identity values for the slots a class leaves alone.
_COLOR_IDENTITY = {"brightness": 1.0, "contrast": 1.0, "saturation": 1.0, "hue": 0.0, "exposure": 0.0, "gamma": 1.0,
                   "grayscale": 0.0, "sepia": 0.0, "invert": 0.0}


def _color_slots(*names: str) -> tuple[str | float, ...]:
    return tuple(k if k in names else v for k, v in _COLOR_IDENTITY.items())


class ColorAdjust(Effect):
    """Colour adjustments on unpremultiplied sRGB-encoded colour, alpha unchanged, applied in this
    order, each result clamped to 0..1:

    1. ``exposure`` (stops): linear light x 2^exposure (sRGB decoded, then encoded; IEC 61966-2-1).
    2. ``brightness``: C' = brightness x C (W3C ``brightness()``: feFuncX linear slope).
    3. ``contrast``: C' = contrast x C + 0.5 - 0.5 x contrast (W3C ``contrast()``).
    4. ``saturation``: W3C ``saturate()`` (feColorMatrix type="saturate").
    5. ``hue``: W3C ``hue-rotate()`` in degrees (feColorMatrix type="hueRotate").
    6. ``gamma``: C' = C^(1/gamma) (gamma > 1 brightens mid-tones).

    Parameters
    ----------
    brightness, contrast, saturation : Animatable
        Factors 0..100; 1 leaves the colour unchanged (0: black, grey, greyscale).
    hue : Animatable
        Degrees, any value (0: unchanged).
    exposure : Animatable
        Stops, -20..20 (0: unchanged).
    gamma : Animatable
        0.01..100 (1: unchanged).
    """

    PARAMETERS = {"brightness": (0.0, 100.0, "factor"), "contrast": (0.0, 100.0, "factor"),
                  "saturation": (0.0, 100.0, "factor"), "hue": (None, None, "degrees"),
                  "exposure": (-20.0, 20.0, "stops"), "gamma": (0.01, 100.0, "exponent")}
    _DEFAULTS = _COLOR_IDENTITY
    _KIND = _core.EffectKind.COLOR
    _SLOTS = _color_slots("brightness", "contrast", "saturation", "hue", "exposure", "gamma")

    def __init__(self, brightness: Animatable = 1.0, contrast: Animatable = 1.0, saturation: Animatable = 1.0,
                 hue: Animatable = 0.0, exposure: Animatable = 0.0, gamma: Animatable = 1.0) -> None:
        super().__init__(brightness=brightness, contrast=contrast, saturation=saturation, hue=hue,
                         exposure=exposure, gamma=gamma)


class _AmountFilter(Effect):
    """A W3C filter function of one ``amount`` 0..1 (default 1): the core colour slot named by
    ``_SLOTS`` (``_amount_slots``) takes it, the others stay at their identity values."""

    PARAMETERS = {"amount": (0.0, 1.0, "0..1")}
    _DEFAULTS = {"amount": 1.0}
    _KIND = _core.EffectKind.COLOR

    def __init__(self, amount: Animatable = 1.0) -> None:
        super().__init__(amount=amount)


def _amount_slots(slot: str) -> tuple[str | float, ...]:
    return tuple("amount" if k == slot else v for k, v in _COLOR_IDENTITY.items())


class Grayscale(_AmountFilter):
    """W3C ``grayscale(amount)``: the spec's matrix with (1 - amount) (BT.709 luma weights),
    on unpremultiplied colour.

    Parameters
    ----------
    amount : Animatable
        0..1 (0: unchanged, 1: fully grey).
    """

    _SLOTS = _amount_slots("grayscale")


class Sepia(_AmountFilter):
    """W3C ``sepia(amount)``: the spec's matrix with (1 - amount), on unpremultiplied colour.

    Parameters
    ----------
    amount : Animatable
        0..1 (0: unchanged, 1: full sepia).
    """

    _SLOTS = _amount_slots("sepia")


class Invert(_AmountFilter):
    """W3C ``invert(amount)``: C' = amount + C (1 - 2 amount) per channel (feFuncX type="table"
    tableValues="amount 1-amount"), on unpremultiplied colour.

    Parameters
    ----------
    amount : Animatable
        0..1 (0: unchanged, 1: fully inverted).
    """

    _SLOTS = _amount_slots("invert")


class LUT(Effect):
    """A colour look-up table from an Adobe / DaVinci Resolve ``.cube`` file (Adobe Cube LUT
    Specification 1.0: ``LUT_1D_SIZE`` or ``LUT_3D_SIZE``, ``DOMAIN_MIN``/``DOMAIN_MAX``, Resolve's
    ``LUT_1D_INPUT_RANGE``/``LUT_3D_INPUT_RANGE``), on unpremultiplied colour, alpha unchanged.

    Input colour is mapped from the domain to table coordinates (clamped); a 3D table is
    interpolated trilinearly, a 1D table linearly per channel. The result is mixed with the input:
    ``C' = C + strength (lut(C) - C)``.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.cube`` file, parsed now.
    strength : Animatable
        0..1 (0: unchanged, 1: the LUT's colour).

    Raises
    ------
    MediaNotFoundError
        The file does not exist.
    SceneError
        Bad content: the message names the file and line (``"look.cube line 12: ..."``).
    """

    PARAMETERS = {"strength": (0.0, 1.0, "0..1")}
    _DEFAULTS = {"strength": 1.0}
    _KIND = _core.EffectKind.LUT
    _SLOTS = ("strength",)

    def __init__(self, path: str | os.PathLike[str], strength: Animatable = 1.0) -> None:
        from .scene import _check_path
        self.path = _check_path(path, "LUT")
        self.table = _core.load_cube_lut(self.path)
        super().__init__(strength=strength)

    def _finish(self, e: "_core.Effect", scene: Any, start: int, end: int, what: str) -> None:
        e.lut = self.table

    # Picklable (distributed export ships scenes by value): the table is parsed again from `path`.
    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "table"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.table = _core.load_cube_lut(self.path)


class ChromaKey(Effect):
    """Chroma key (green/blue screen), after OBS Studio's chroma key filter, on unpremultiplied
    colour: d = distance between the pixel's and ``color``'s BT.709 chroma (Cb, Cr) (ITU-R
    BT.709: Cb = (B - Y') / 1.8556, Cr = (R - Y') / 1.5748); with m = d - similarity, alpha is
    multiplied by clamp(m / smoothness, 0, 1)^1.5 and, for spill suppression, the colour is
    desaturated towards its luma Y' by 1 - clamp(m / spill, 0, 1)^1.5.

    Parameters
    ----------
    color : str or tuple
        The key colour (default pure green ``"#00ff00"``).
    similarity : Animatable
        Chroma distance keyed out fully, 0..1 (pure green to pure magenta is about 0.8).
    smoothness : Animatable
        Width of the soft edge beyond ``similarity``, 0..1.
    spill : Animatable
        Width of the desaturated band beyond ``similarity``, 0..1 (0: no spill suppression).
    """

    PARAMETERS = {"similarity": (0.0, 1.0, "chroma distance"), "smoothness": (0.0, 1.0, "chroma distance"),
                  "spill": (0.0, 1.0, "chroma distance")}
    _DEFAULTS = {"similarity": 0.4, "smoothness": 0.08, "spill": 0.1}
    _KIND = _core.EffectKind.CHROMA_KEY
    _SLOTS = ("similarity", "smoothness", "spill")

    def __init__(self, color: ColorLike = "#00ff00", similarity: Animatable = 0.4, smoothness: Animatable = 0.08,
                 spill: Animatable = 0.1) -> None:
        super().__init__(similarity=similarity, smoothness=smoothness, spill=spill)
        self._color = _color(color, "ChromaKey color")


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Shader(Effect):
    """A custom effect in GLSL 4.50, compiled now (shaderc) and run on the GPU for every pixel.

    ``source`` defines ``vec4 effect(vec2 uv)``: ``uv`` runs over 0..1 across the layer (pixel
    centres, y down); it returns straight (not premultiplied) RGBA in 0..1 (clamped). Available:

    * ``vec4 sample_layer(vec2 uv)``: the layer's straight RGBA at ``uv`` (bilinear, transparent
      outside 0..1),
    * ``u_time``: scene time in seconds (float), ``u_size``: the layer's size in layer-local
      pixels (vec2),
    * one ``float`` per keyword argument, by its name, animatable like any parameter.

    Compiled code is cached by (source, uniform names), so many layers may share one shader.

    Parameters
    ----------
    source : str
        GLSL defining ``vec4 effect(vec2 uv)`` (and any helper functions).
    **uniforms : Animatable
        Float uniforms: constants, per-frame arrays, callables of time; :meth:`animate` works too.

    Raises
    ------
    SceneError
        Compile errors with the GLSL log, lines counted from the first line of ``source``
        (``"effect:3: error: 'y' : undeclared identifier"``); bad uniform names.

    Examples
    --------
    >>> wave = Shader('''
    ... vec4 effect(vec2 uv) {
    ...     return sample_layer(uv + vec2(0.0, amount * sin(uv.x * 20.0 + u_time * 4.0)));
    ... }''', amount=0.02)
    """

    _KIND = _core.EffectKind.SHADER

    def __init__(self, source: str, **uniforms: Animatable) -> None:
        if not isinstance(source, str):
            raise SceneTypeError(f"Shader: source must be a str of GLSL, got {type(source).__name__}")
        names = list(uniforms)
        for n in names:
            if not _IDENTIFIER.match(n) or n.startswith(("gl_", "rf_", "u_")) or "__" in n:
                raise SceneError(f"Shader: uniform name {n!r} must be a GLSL identifier not starting with gl_, rf_ "
                                 f"or u_ and without '__'")
        self.source = source
        self.compiled = _core.compile_effect_shader(source, names)
        # Instance-level tables: each shader has its own uniforms.
        self.PARAMETERS = {n: (None, None, "shader uniform") for n in names}
        self._DEFAULTS = {n: 0.0 for n in names}
        self._SLOTS = tuple(names)
        super().__init__(**uniforms)

    # Picklable (distributed export ships scenes by value): compiled again from the source (cached).
    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "compiled"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.compiled = _core.compile_effect_shader(self.source, list(self.PARAMETERS))

    def _compile(self, scene: Any, layer_name: str, index: int, start: int, end: int) -> "_core.Effect":
        e = super()._compile(scene, layer_name, index, start, end)
        times = scene._times(start, end).astype(np.float32)
        e.params = [times if times.size > 1 else times[:1]] + list(e.params)
        e.shader = self.compiled
        return e


# Parameter slots holding lengths in layer-local pixels (timeline/effect.h), by kind.
_LENGTH_SLOTS = {_core.EffectKind.BLUR: (0,), _core.EffectKind.DROP_SHADOW: (0, 1, 2), _core.EffectKind.GLOW: (0,)}


def scale_lengths(effects: Sequence[Any], k: float) -> list[Any]:
    """Compiled effects (``_core.Effect``) with their layer-pixel lengths (blur radii, shadow
    offsets) multiplied by ``k``: for a layer whose size the render scale multiplies by ``k``
    (:mod:`reelforge.rescale`), so that it looks the same at the new size."""
    out = list(effects)
    for e in out:
        slots = _LENGTH_SLOTS.get(e.kind, ())
        if slots:
            params = list(e.params)
            for i in slots:
                params[i] = (np.asarray(params[i]) * k).astype(np.float32)
            e.params = params
    return out

