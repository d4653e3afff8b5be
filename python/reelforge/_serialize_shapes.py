"""Registry entry of :mod:`reelforge.serialize` for vector shape layers (:mod:`reelforge.shapes`,
where present): kind ``shape`` with the geometry, fill/stroke paints (colours or gradients) and
stroke style; ``width``/``height``/``radius``/``stroke_width``/``stroke_start``/``stroke_end`` are
animatable properties. SVG images are ``image`` layers with an ``.svg`` path.
"""

from __future__ import annotations

from typing import Any

from .serialize import Json, LayerKindEntry, Reader, Writer, register_layer_kind

_SHAPE_PROPS = ("radius", "stroke_width", "stroke_start", "stroke_end")
_STYLE_DEFAULTS: dict[str, Json] = {"join": "miter", "cap": "butt", "dash": [], "dash_offset": 0.0,
                                    "miter_limit": 4.0}


def _is_shape(layer: Any) -> bool:
    return getattr(layer, "shape", None) is not None and hasattr(layer, "fill") and hasattr(layer, "stroke")


def _paint_to(p: Any, w: Writer) -> Json:
    kind = str(p.kind).rsplit(".", 1)[-1].upper()
    if kind == "NONE":
        return None
    if kind == "SOLID":
        return w.color(list(p.color))
    stops = [[float(off), w.color(list(c))] for off, c in p.stops]
    g = [float(v) for v in p.geometry]
    if kind == "LINEAR":
        return {"linear": {"p0": g[0:2], "p1": g[2:4], "stops": stops}}
    return {"radial": {"center": g[0:2], "radius": g[2], "stops": stops}}


def _shapes() -> Any:
    import importlib
    return importlib.import_module("reelforge.shapes")  # the feature's module, when a document uses it


def _paint_from(value: Json) -> Any:
    shapes = _shapes()
    if isinstance(value, dict) and "linear" in value:
        g = value["linear"]
        return shapes.LinearGradient(g["p0"], g["p1"], [tuple(s) for s in g["stops"]])
    if isinstance(value, dict) and "radial" in value:
        g = value["radial"]
        return shapes.RadialGradient(g["center"], g["radius"], [tuple(s) for s in g["stops"]])
    return value


def _geometry_to(shape: Any) -> dict[str, Json]:
    name = type(shape).__name__
    if name in ("Rect", "Ellipse"):
        return {"type": name.lower()}  # the size is in the layer's width/height (radius) properties
    if name == "Path":
        return {"type": "path", "d": shape.d}
    return {"type": name.lower(), "points": [float(v) for v in shape.points]}


def _shape_to(layer: Any, w: Writer) -> dict[str, Json]:
    d: dict[str, Json] = {"shape": _geometry_to(layer.shape), "fill": _paint_to(layer.fill, w),
                          "stroke": _paint_to(layer.stroke, w)}
    for key, default in _STYLE_DEFAULTS.items():
        v = getattr(layer, key)
        v = [float(x) for x in v] if isinstance(v, list) else (float(v) if isinstance(v, (int, float)) else v)
        if v != default:
            d[key] = v
    return d


def _shape_from(scene: Any, d: dict[str, Json], r: Reader) -> Any:
    shapes = _shapes()
    g = d["shape"]
    with r.at("shape"):
        kind = g["type"]
        if kind in ("rect", "ellipse"):
            size = [d.get(k, 1.0) if isinstance(d.get(k), (int, float)) else 1.0 for k in ("width", "height")]
            shape = shapes.Rect(*size) if kind == "rect" else shapes.Ellipse(*size)
        elif kind == "path":
            shape = shapes.Path(g["d"])
        elif kind == "line":
            shape = shapes.Line(*g["points"])
        else:
            pts = g["points"]
            shape = shapes.Polygon([pts[i:i + 2] for i in range(0, len(pts), 2)])
    kw: dict[str, Any] = {k: d[k] for k in _STYLE_DEFAULTS if k in d}
    if isinstance(d.get("stroke_width"), (int, float)):
        kw["stroke_width"] = d["stroke_width"]  # a Line needs it at construction (it is drawn by its stroke)
    elif "stroke_width" in (d.get("keyframes") or {}) or isinstance(d.get("stroke_width"), list):
        kw["stroke_width"] = 1.0  # replaced by the animated value right after
    if kw.get("dash") == []:
        kw.pop("dash")
    with r.at("fill"):
        fill = _paint_from(d.get("fill", "white"))
    with r.at("stroke"):
        stroke = _paint_from(d.get("stroke"))
    return scene.add_shape(shape, fill=fill, stroke=stroke, **kw, **r.span(d))


_POINT = {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"}}
_STOPS = {"type": "array", "minItems": 1, "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                                    "prefixItems": [{"type": "number", "minimum": 0, "maximum": 1},
                                                                    {"$ref": "#/$defs/color"}]}}
_PAINT = {"description": "a colour, a gradient or null (none)",
          "anyOf": [{"type": "null"}, {"$ref": "#/$defs/color"},
                    {"type": "object", "required": ["linear"], "additionalProperties": False,
                     "properties": {"linear": {"type": "object", "required": ["p0", "p1", "stops"],
                                               "additionalProperties": False,
                                               "properties": {"p0": _POINT, "p1": _POINT, "stops": _STOPS}}}},
                    {"type": "object", "required": ["radial"], "additionalProperties": False,
                     "properties": {"radial": {"type": "object", "required": ["center", "radius", "stops"],
                                               "additionalProperties": False,
                                               "properties": {"center": _POINT,
                                                              "radius": {"type": "number", "exclusiveMinimum": 0},
                                                              "stops": _STOPS}}}}]}

register_layer_kind(LayerKindEntry(
    kind="shape", matches=_is_shape, to_dict=_shape_to, from_dict=_shape_from, properties=_SHAPE_PROPS,
    fields={"shape": {"type": "object", "required": ["type"], "additionalProperties": False,
                      "properties": {"type": {"enum": ["rect", "ellipse", "line", "polygon", "path"]},
                                     "points": {"type": "array", "items": {"type": "number"},
                                                "description": "line: x1, y1, x2, y2; polygon: x, y pairs"},
                                     "d": {"type": "string", "description": "SVG path data"}}},
            "fill": _PAINT, "stroke": _PAINT, "join": {"enum": ["miter", "round", "bevel"]},
            "cap": {"enum": ["butt", "round", "square"]},
            "dash": {"type": "array", "items": {"type": "number", "minimum": 0}, "description": "pixels: on, off, ..."},
            "dash_offset": {"type": "number"}, "miter_limit": {"type": "number", "minimum": 1}},
    required=("shape",),
    description="a vector shape rasterised by cairo (Scene.add_shape, or add_solid with a gradient); rect and "
                "ellipse sizes are the width/height properties"))
