"""Vector shapes and gradients: layers rasterised by cairo in C++, at the size they are displayed.

A shape is drawn in its own pixel coordinates, whose origin is placed at the layer's ``(x, y)``:
a :class:`Rect` or :class:`Ellipse` spans ``[0, width] x [0, height]``; :class:`Line`,
:class:`Polygon` and :class:`Path` points are used as given. The layer's box (its ``width`` and
``height`` as a layer, what ``anchor_x``/``anchor_y`` are fractions of) is the shape's extents
plus its stroke and a 1-pixel margin for the antialiased edge; by default the anchor sits on the
shape's origin, and ``anchor_x=0.5, anchor_y=0.5`` turns and scales a shape about its centre.

Shape layers are ordinary layers: every property of :data:`reelforge.PROPERTIES` except
``width``/``height`` (those are a Rect's or Ellipse's own size; scale a shape with ``scale``), plus
:data:`SHAPE_PROPERTIES`, all animatable (constant, per-frame array, callable of time or
keyframes with easing, sampled once by ``Scene.compile()``). The picture is rasterised in the
decode stage at the displayed size (scale included, so edges stay crisp when scaled up), once
for a shape that does not change. Fills and strokes are colours or gradients
(:class:`LinearGradient`, :class:`RadialGradient`; also usable as ``Scene.add_solid``'s colour).
Geometry follows SVG 1.1 / SVG 2 (painting: fill then stroke, nonzero fill rule, stroke joins,
caps, miter limit and dashes as ``stroke-linejoin``, ``stroke-linecap``, ``stroke-miterlimit``,
``stroke-dasharray``, ``stroke-dashoffset``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence, Union

import numpy as np

from . import _checks
from . import _core
from ._types import EasingLike, Keyframes, LineCapName, LineJoinName, PropertyName, PropertyValue, ShapePropertyName
from .errors import SceneError, SceneTypeError
from .scene import Layer, parse_color

if TYPE_CHECKING:
    from .scene import Scene

#: A property value: a constant, a per-frame array, or a callable of time in seconds.
Animatable = Union[float, Sequence[float], np.ndarray, Callable[..., Any]]
#: A colour as :func:`reelforge.scene.parse_color` takes it: (r, g, b[, a]) 0-255 or a CSS string.
Color = Union[str, Sequence[float]]

#: Animatable properties of shape layers, on top of the layer properties.
SHAPE_PROPERTIES = {
    "width": "pixels, a Rect's or Ellipse's width (>= 0)",
    "height": "pixels, a Rect's or Ellipse's height (>= 0)",
    "radius": "pixels, a Rect's corner radius (>= 0, clamped to half the shorter side)",
    "stroke_width": "pixels (>= 0), centred on the outline",
    "stroke_start": "fraction of the outline's length where the stroke starts (0..1)",
    "stroke_end": "fraction of the outline's length where the stroke ends (0..1); draw-on: animate 0 -> 1",
}

JOINS = ("miter", "round", "bevel")
CAPS = ("butt", "round", "square")


# -- shapes ---------------------------------------------------------------------------------------
class Shape:
    """Base of the shape classes (``Rect``, ``Ellipse``, ``Line``, ``Polygon``, ``Path``)."""

    _type: "_core.ShapeType"
    #: Properties this shape's own parameters animate (besides stroke_*).
    _dims: tuple[str, ...] = ()

    def _props(self) -> dict[ShapePropertyName, Animatable]:
        return {}

    def _fill_spec(self, spec: "_core.ShapeSpec") -> None:
        spec.type = self._type


class Rect(Shape):
    """A rectangle ``width x height`` pixels with its top-left corner at the shape origin, corners
    rounded with ``radius`` pixels (SVG ``<rect rx=ry=radius>``; clamped to half the shorter side).

    Each parameter is a constant, a per-frame array or a callable of time; keyframe them with
    ``layer.animate("width" | "height" | "radius", keyframes)``. The outline (for strokes and
    ``stroke_start``/``stroke_end``) starts at the top-left corner (after the rounding) and runs
    clockwise on screen."""

    _type = _core.ShapeType.RECT
    _dims = ("width", "height", "radius")

    def __init__(self, width: Animatable, height: Animatable, radius: Animatable = 0.0) -> None:
        self.width, self.height, self.radius = width, height, radius

    def _props(self) -> dict[ShapePropertyName, Animatable]:
        return {"width": self.width, "height": self.height, "radius": self.radius}

    def __repr__(self) -> str:
        return f"Rect({self.width!r}, {self.height!r}, radius={self.radius!r})"


class Ellipse(Shape):
    """An ellipse inscribed in ``[0, width] x [0, height]`` pixels (a circle when equal). The
    outline starts at the rightmost point and runs clockwise on screen. Animatable like
    :class:`Rect` (``width``, ``height``)."""

    _type = _core.ShapeType.ELLIPSE
    _dims = ("width", "height")

    def __init__(self, width: Animatable, height: Animatable) -> None:
        self.width, self.height = width, height

    def _props(self) -> dict[ShapePropertyName, Animatable]:
        return {"width": self.width, "height": self.height}

    def __repr__(self) -> str:
        return f"Ellipse({self.width!r}, {self.height!r})"


def _coords(values: Sequence[Any], what: str) -> list[float]:
    return [_checks.number(v, what, unit="pixels") for v in values]


class Line(Shape):
    """A straight segment from ``(x1, y1)`` to ``(x2, y2)`` (pixels, shape coordinates). It has no
    interior: it is drawn by its stroke, which defaults to the fill colour; ``stroke_width`` must
    be > 0."""

    _type = _core.ShapeType.LINE

    def __init__(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self.points = _coords((x1, y1, x2, y2), "Line coordinate")

    def _fill_spec(self, spec: "_core.ShapeSpec") -> None:
        spec.type = self._type
        spec.points = self.points

    def __repr__(self) -> str:
        return "Line({}, {}, {}, {})".format(*self.points)


class Polygon(Shape):
    """A closed polygon through ``points``: a sequence of at least 3 ``(x, y)`` pairs (pixels), or a
    float array of shape ``(n, 2)``. The outline starts at the first point."""

    _type = _core.ShapeType.POLYGON

    def __init__(self, points: Sequence[Sequence[float]] | np.ndarray) -> None:
        try:
            pts = np.asarray(points, dtype=np.float64)
        except (TypeError, ValueError):
            raise SceneTypeError(f"Polygon points: expected (x, y) pairs of numbers, got {points!r}") from None
        if pts.ndim != 2 or pts.shape[1] != 2 or pts.shape[0] < 3:
            raise SceneError(f"Polygon points: expected at least 3 (x, y) pairs, got shape {pts.shape}")
        if not np.isfinite(pts).all():
            raise SceneError("Polygon points must be finite numbers of pixels")
        self.points = [float(v) for v in pts.ravel()]

    def _fill_spec(self, spec: "_core.ShapeSpec") -> None:
        spec.type = self._type
        spec.points = self.points

    def __repr__(self) -> str:
        return f"Polygon({len(self.points) // 2} points)"


class Path(Shape):
    """An SVG path (the ``d`` attribute: ``M L H V C S Q T A Z`` and their relative lower-case forms,
    SVG 1.1 section 8.3), in pixels. Arcs become cubic Beziers (SVG implementation notes F.6).
    Raises SceneError quoting the position of malformed data."""

    _type = _core.ShapeType.PATH

    def __init__(self, svg_path_data: str) -> None:
        if not isinstance(svg_path_data, str):
            raise SceneTypeError(f"Path: svg_path_data must be a str such as 'M0 0 L10 0', got "
                                 f"{type(svg_path_data).__name__}")
        _core.check_svg_path(svg_path_data)
        self.d = svg_path_data

    def _fill_spec(self, spec: "_core.ShapeSpec") -> None:
        spec.type = self._type
        spec.path = self.d

    def __repr__(self) -> str:
        return f"Path({self.d[:40]!r})"


# -- gradients ------------------------------------------------------------------------------------
class _Gradient:
    stops: list[tuple[float, tuple[float, float, float, float]]]

    def _set_stops(self, stops: Sequence[tuple[float, Color]], what: str) -> None:
        try:
            items = list(stops)
        except TypeError:
            raise SceneTypeError(f"{what} stops: expected a list of (offset, colour) pairs") from None
        if not items:
            raise SceneError(f"{what} stops: give at least one (offset, colour) pair")
        out: list[tuple[float, tuple[float, float, float, float]]] = []
        for i, item in enumerate(items):
            if not isinstance(item, (tuple, list)) or len(item) != 2:
                raise SceneError(f"{what} stop {i}: expected (offset, colour), got {item!r}")
            off = _checks.number(item[0], f"{what} stop {i} offset", minimum=0.0, maximum=1.0)
            if out and off < out[-1][0]:
                raise SceneError(f"{what} stop {i}: offsets must not decrease ({off} after {out[-1][0]})")
            out.append((off, parse_color(item[1], f"{what} stop {i} colour")))
        self.stops = out

    def _paint(self) -> "_core.Paint":
        raise NotImplementedError


class LinearGradient(_Gradient):
    """A linear gradient from point ``p0`` (offset 0) to ``p1`` (offset 1), pixels in the shape's
    coordinates (SVG ``linearGradient`` with ``gradientUnits="userSpaceOnUse"``, pad spread: the end
    colours continue beyond). ``stops``: ``[(offset 0..1, colour), ...]`` with offsets not
    decreasing; colours as :func:`reelforge.scene.parse_color` takes them. Between stops the
    colour is interpolated linearly by cairo (premultiplied; equal to straight interpolation for
    opaque stops)."""

    def __init__(self, p0: Sequence[float], p1: Sequence[float], stops: Sequence[tuple[float, Color]]) -> None:
        self.p0 = tuple(_coords(_pair(p0, "LinearGradient p0"), "LinearGradient p0"))
        self.p1 = tuple(_coords(_pair(p1, "LinearGradient p1"), "LinearGradient p1"))
        self._set_stops(stops, "LinearGradient")

    def _paint(self) -> "_core.Paint":
        p = _core.Paint()
        p.kind = _core.PaintKind.LINEAR
        p.geometry = [self.p0[0], self.p0[1], self.p1[0], self.p1[1]]
        p.stops = self.stops
        return p


class RadialGradient(_Gradient):
    """A radial gradient: offset 0 at ``center``, 1 at ``radius`` pixels from it (circles, SVG
    ``radialGradient`` with ``gradientUnits="userSpaceOnUse"``, focus at the centre, pad spread).
    ``stops`` as for :class:`LinearGradient`."""

    def __init__(self, center: Sequence[float], radius: float, stops: Sequence[tuple[float, Color]]) -> None:
        self.center = tuple(_coords(_pair(center, "RadialGradient center"), "RadialGradient center"))
        self.radius = _checks.number(radius, "RadialGradient radius", unit="pixels", minimum=0.0)
        if self.radius <= 0:
            raise SceneError(f"RadialGradient radius must be > 0 pixels, got {radius!r}")
        self._set_stops(stops, "RadialGradient")

    def _paint(self) -> "_core.Paint":
        p = _core.Paint()
        p.kind = _core.PaintKind.RADIAL
        p.geometry = [self.center[0], self.center[1], self.radius, 0.0]
        p.stops = self.stops
        return p


Gradient = Union[LinearGradient, RadialGradient]


def _pair(v: Any, what: str) -> Sequence[Any]:
    if isinstance(v, str) or not isinstance(v, (tuple, list, np.ndarray)) or len(v) != 2:
        raise SceneError(f"{what}: expected an (x, y) pair of pixels, got {v!r}")
    return list(v)


def _paint(value: Color | Gradient | None, what: str) -> "_core.Paint":
    if isinstance(value, _Gradient):
        return value._paint()
    p = _core.Paint()
    if value is None:
        p.kind = _core.PaintKind.NONE
    else:
        p.kind = _core.PaintKind.SOLID
        p.color = list(parse_color(value, what))
    return p


# -- layers ---------------------------------------------------------------------------------------
class ShapeLayer(Layer):
    """A shape layer (returned by :meth:`reelforge.Scene.add_shape`). ``shape`` is the
    :class:`Shape`; ``fill``/``stroke`` the paints; see the module docs for coordinates."""

    def __init__(self, scene: "Scene", shape: Shape, name: str, start: float, end: float | None, *,
                 fill: Color | Gradient | None, stroke: Color | Gradient | None, stroke_width: Animatable,
                 join: LineJoinName, cap: LineCapName, dash: Sequence[float] | None, dash_offset: float,
                 miter_limit: float, x: Animatable, y: Animatable, opacity: Animatable) -> None:
        if not isinstance(shape, Shape):
            raise SceneTypeError(f"layer {name!r}: shape must be a reelforge.shapes shape (Rect, Ellipse, Line, "
                                 f"Polygon, Path), got {type(shape).__name__}")
        self.shape = shape
        self._shape_props = set(shape._dims) | {"stroke_width", "stroke_start", "stroke_end"}
        super().__init__(scene, _core.LayerKind.SHAPE, name, start, end, x=x, y=y, opacity=opacity)
        what = f"layer {name!r}"
        self.fill = _paint(fill, f"{what} fill")
        if isinstance(shape, Line) and stroke is None:
            stroke = fill  # a line has no interior: drawn by its stroke
        self.stroke = _paint(stroke, f"{what} stroke")
        if join not in JOINS:
            raise SceneError(f"{what}: join must be one of {JOINS}, got {join!r}")
        if cap not in CAPS:
            raise SceneError(f"{what}: cap must be one of {CAPS}, got {cap!r}")
        self.join, self.cap = join, cap
        self.dash = [] if dash is None else [_checks.number(d, f"{what} dash", unit="pixels", minimum=0.0)
                                             for d in _dash_list(dash, what)]
        if self.dash and sum(self.dash) <= 0:
            raise SceneError(f"{what}: dash needs at least one length > 0 pixels, got {dash!r}")
        self.dash_offset = _checks.number(dash_offset, f"{what} dash_offset", unit="pixels")
        self.miter_limit = _checks.number(miter_limit, f"{what} miter_limit", minimum=1.0)
        for prop, value in shape._props().items():
            self.set(prop, value)
        self.set("stroke_width", stroke_width)
        if isinstance(shape, Line) and isinstance(stroke_width, (int, float)) and stroke_width <= 0:
            raise SceneError(f"{what}: a Line is drawn by its stroke: give stroke_width > 0 pixels")

    def set(self, name: PropertyName | ShapePropertyName, value: PropertyValue) -> "ShapeLayer":
        """Set a property, as :meth:`reelforge.Layer.set`, including the shape properties.

        Parameters
        ----------
        name : str
            A layer property (:data:`reelforge.PROPERTIES`) or one of :data:`SHAPE_PROPERTIES`:
            ``width``/``height``/``radius`` (pixels, >= 0; only the shapes that have them),
            ``stroke_width`` (pixels, >= 0), ``stroke_start``/``stroke_end`` (fractions 0..1 of
            the outline's length).
        value : float, array of shape (frame_count,) or callable of t (seconds)
            As for :meth:`reelforge.Layer.set`.

        Returns
        -------
        ShapeLayer
            This layer (chainable).

        Raises
        ------
        SceneError
            An unknown property (or ``width``/``height``/``radius`` of a shape without it), or a
            value out of range. SceneTypeError for a value of the wrong type.
        """
        self._set(name, value)
        return self

    def animate(self, name: PropertyName | ShapePropertyName, keyframes: Keyframes,
                easing: EasingLike = "linear") -> "ShapeLayer":
        """Animate a property through keyframes, as :meth:`reelforge.Layer.animate`, including the
        shape properties of :meth:`set` (e.g. ``stroke_end`` 0 -> 1 draws the outline on).

        Parameters
        ----------
        name : str
            See :meth:`set`.
        keyframes : sequence of (t, value) or (t, value, easing)
            Scene seconds, strictly increasing; values in the property's range.
        easing : str or easing object, default "linear"
            Default easing of the segments (:data:`reelforge.easing.NAMES`).

        Returns
        -------
        ShapeLayer
            This layer (chainable).

        Raises
        ------
        SceneError
            As :meth:`set`, or keyframes out of order / an unknown easing.
        """
        self._animate(name, keyframes, easing)
        return self

    def _check_prop(self, name: str) -> None:
        if isinstance(name, str) and name in getattr(self, "_shape_props", ()):
            return
        if name in ("width", "height", "radius"):
            raise SceneError(f"layer {self.name!r}: a {type(self.shape).__name__} has no {name!r}; resize shape "
                             f"layers with 'scale' (or give a Rect/Ellipse its size)")
        if isinstance(name, str) and name in SHAPE_PROPERTIES:
            return
        super()._check_prop(name)

    def _compile_generated(self, c: "_core.Layer", t: "_core.LayerTrack") -> None:
        """Attach the ShapeGenerator and set the layer box tables (width, height, default anchor)."""
        n = c.end_frame - c.start_frame
        spec = _core.ShapeSpec()
        self.shape._fill_spec(spec)
        spec.fill, spec.stroke = self.fill, self.stroke
        spec.join = getattr(_core.LineJoin, self.join.upper())
        spec.cap = getattr(_core.LineCap, self.cap.upper())
        spec.dash, spec.dash_offset, spec.miter_limit = self.dash, self.dash_offset, self.miter_limit
        defaults = {"width": 0.0, "height": 0.0, "radius": 0.0, "stroke_width": 0.0, "stroke_start": 0.0,
                    "stroke_end": 1.0}
        for prop, d in defaults.items():
            arr = self._sample(prop, d, c.start_frame, c.end_frame).astype(np.float32)
            if arr.size > 1 and (arr == arr[0]).all():
                arr = arr[:1]
            setattr(spec, prop, arr)
        boxes = _core.shape_boxes(spec, n)
        bw, bh = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
        t.width, t.height = bw.astype(np.float32), bh.astype(np.float32)
        if "anchor_x" not in self._props:  # the shape's origin at (x, y)
            t.anchor_x = (-boxes[:, 0] / bw).astype(np.float32)
        if "anchor_y" not in self._props:
            t.anchor_y = (-boxes[:, 1] / bh).astype(np.float32)
        c.generator = _core.ShapeGenerator(spec, n)


def _dash_list(dash: Any, what: str) -> list[Any]:
    if isinstance(dash, str) or not isinstance(dash, (tuple, list, np.ndarray)) or len(dash) == 0:
        raise SceneError(f"{what}: dash must be a non-empty sequence of lengths in pixels (on, off, ...), "
                         f"got {dash!r}")
    return list(dash)


def add_shape(scene: "Scene", shape: Shape, *, fill: Color | Gradient | None = (255, 255, 255, 255),
              stroke: Color | Gradient | None = None, stroke_width: Animatable = 0.0, join: LineJoinName = "miter",
              cap: LineCapName = "butt", dash: Sequence[float] | None = None, dash_offset: float = 0.0,
              miter_limit: float = 4.0, start: float = 0.0, end: float | None = None, x: Animatable = 0,
              y: Animatable = 0, opacity: Animatable = 1.0, name: str | None = None) -> ShapeLayer:
    """See :meth:`reelforge.Scene.add_shape`."""
    name = scene._name(name, "shape")
    start_s, end_s = scene._span(name, start, end)
    layer = ShapeLayer(scene, shape, name, start_s, end_s, fill=fill, stroke=stroke, stroke_width=stroke_width,
                       join=join, cap=cap, dash=dash, dash_offset=dash_offset, miter_limit=miter_limit, x=x, y=y,
                       opacity=opacity)
    scene.layers.append(layer)
    return layer


def gradient_solid(scene: "Scene", gradient: Gradient, *, start: float, end: float | None, x: Animatable,
                   y: Animatable, width: Animatable | None, height: Animatable | None, opacity: Animatable,
                   name: str | None) -> ShapeLayer:
    """``Scene.add_solid`` with a gradient: a :class:`Rect` (default: the canvas) filled with it,
    the gradient's points relative to the rectangle's top-left corner."""
    name = scene._name(name, "solid")
    rect = Rect(scene.width if width is None else width, scene.height if height is None else height)
    return add_shape(scene, rect, fill=gradient, start=start, end=end, x=x, y=y, opacity=opacity, name=name)


__all__ = ["Shape", "Rect", "Ellipse", "Line", "Polygon", "Path", "LinearGradient", "RadialGradient", "Gradient",
           "ShapeLayer", "SHAPE_PROPERTIES", "JOINS", "CAPS"]
