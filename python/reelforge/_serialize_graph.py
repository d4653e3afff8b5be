"""Registry entries of :mod:`reelforge.serialize` for the render graph (:mod:`reelforge.composition`,
where present): nested scenes (kind ``scene``, the child document inline), groups (kind ``group``,
the members inline), masks (``"mask"``: the mask layer inline), rounded corners and borders
(``corner_radius``, ``border_width``, ``border_color``, ``mask_feather``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import serialize as _s
from .scene import _Keyframes
from .serialize import FeatureEntry, Json, LayerKindEntry, Reader, Writer

_s.register_layer_property("corner_radius", "pixels (layer-local), radius of the rounded corners, >= 0")
_s.register_layer_property("border_width", "pixels (layer-local), border inside the edge, >= 0")
_s.register_layer_property("mask_feather", "pixels (layer-local), standard deviation of the mask's softening")

_BORDER = ("border_r", "border_g", "border_b", "border_a")


def _graph(layer: Any) -> Any:
    return getattr(layer, "graph", None)


# -- nested scenes -----------------------------------------------------------------------------

def _is_nested(layer: Any) -> bool:
    g = _graph(layer)
    return g is not None and g.scene is not None


def _nested_to(layer: Any, w: Writer) -> dict[str, Json]:
    d: dict[str, Json] = {"scene": w.scene_dict(layer.graph.scene)}
    if layer.graph.trim_start:
        d["trim_start"] = float(layer.graph.trim_start)
    return d


def _nested_from(scene: Any, d: dict[str, Json], r: Reader) -> Any:
    child = _s.build(d["scene"], r.base_dir, r.where + ("scene",))
    return scene.add_scene(child, trim_start=d.get("trim_start", 0.0), **r.span(d))


_s.register_layer_kind(LayerKindEntry(
    kind="scene", matches=_is_nested, to_dict=_nested_to, from_dict=_nested_from,
    fields={"scene": {"$ref": "#", "description": "the nested scene's document"},
            "trim_start": {"type": "number", "minimum": 0, "description": "seconds into the nested scene"}},
    required=("scene",),
    description="another scene shown as a layer (Scene.add_scene); width/height default to its size"))


# -- groups ------------------------------------------------------------------------------------

def _is_group(layer: Any) -> bool:
    g = _graph(layer)
    return g is not None and bool(g.members)


def _group_to(layer: Any, w: Writer) -> dict[str, Json]:
    return {"layers": [_s.layer_to_dict(m, w) for m in layer.graph.members]}


def _group_from(scene: Any, d: dict[str, Json], r: Reader) -> Any:
    members = [r.layer(m, "layers", i) for i, m in enumerate(d["layers"])]
    group = scene.add_group(members, name=d.get("name"))
    # add_group derives its span from the members; the document's own span wins when given.
    group.start = d.get("start", group.start)
    group.end = d.get("end", group.end)
    return group


_s.register_layer_kind(LayerKindEntry(
    kind="group", matches=_is_group, to_dict=_group_to, from_dict=_group_from,
    fields={"layers": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/layer"},
                       "description": "the members, bottom to top"}},
    required=("layers",),
    description="layers composited together, then transformed as one (Scene.add_group); covers the canvas"))


# -- masks -------------------------------------------------------------------------------------

def _mask_to(layer: Any, w: Writer) -> Json | None:
    g = _graph(layer)
    if g is None or g.mask is None:
        return None
    d: dict[str, Json] = {"layer": _s.layer_to_dict(g.mask, w)}
    if g.mask_mode != "alpha":
        d["mode"] = g.mask_mode
    if g.mask_invert:
        d["invert"] = True
    return d


def _mask_from(layer: Any, value: Json, r: Reader) -> None:
    mask = r.layer(value["layer"], "layer")
    feather = layer._props.get("mask_feather", 0.0)
    layer.set_mask(mask, value.get("mode", "alpha"), value.get("invert", False), feather=feather)


_s.register_feature(FeatureEntry(
    target="layer", key="mask", to_dict=_mask_to, apply=_mask_from,
    schema={"type": "object", "required": ["layer"], "additionalProperties": False,
            "description": "the layer showing only where this mask layer is opaque or bright (Layer.set_mask); "
                           "feathered by mask_feather",
            "properties": {"layer": {"$ref": "#/$defs/layer"}, "mode": {"enum": ["alpha", "luma"]},
                           "invert": {"type": "boolean"}}}))


# -- border colour -----------------------------------------------------------------------------

def _border_to(layer: Any, w: Writer) -> Json | None:
    """A colour, keyframes of colours (components keyframed at the same times, with the same
    easings), or else one colour per frame (each component sampled: set alone, they may differ)."""
    props = getattr(layer, "_props", {})
    if not any(c in props for c in _BORDER):
        return None
    defaults = [1.0 if c == "border_a" else 0.0 for c in _BORDER]
    comps = [props.get(c, d) for c, d in zip(_BORDER, defaults)]
    if all(isinstance(c, float) for c in comps):
        return w.color(comps)
    if all(isinstance(c, _Keyframes) for c in comps) and _in_step(comps):
        out: list[Json] = []
        for i, k in enumerate(comps[0].keyframes):
            item: dict[str, Json] = {"t": float(k[0]), "value": w.color([float(c.keyframes[i][1]) for c in comps])}
            e = k[2] if len(k) == 3 and k[2] is not None else comps[0].easing
            name = w.easing(e, f"layer {layer.name!r} property 'border_color' keyframe {i}")
            if name != "linear":
                item["easing"] = name
            out.append(item)
        return {"keyframes": out}
    for c, v in zip(_BORDER, comps):
        w.animatable(v, f"layer {layer.name!r} property {c!r}")  # a callable cannot be written: say which
    n = w.scene.frame_count
    rows = np.stack([np.broadcast_to(layer._sample(c, d, 0, n), (n,)) for c, d in zip(_BORDER, defaults)], axis=1)
    return [w.color(row) for row in rows]


def _in_step(comps: list[Any]) -> bool:
    """Keyframes of the four components at the same times with the same easings."""
    first = comps[0]

    def timing(kf: Any) -> list[tuple[float, Any]]:
        return [(float(k[0]), k[2] if len(k) == 3 else None) for k in kf.keyframes]

    return all(c.easing == first.easing and timing(c) == timing(first) for c in comps[1:])


def _border_from(layer: Any, value: Json, r: Reader) -> None:
    if isinstance(value, dict):
        layer.animate("border_color", [(k["t"], k["value"]) if "easing" not in k else
                                       (k["t"], k["value"], r.easing(k["easing"])) for k in value["keyframes"]])
    elif isinstance(value, list) and value and not isinstance(value[0], (int, float)):
        from .scene import parse_color
        rows = np.array([[c * 255.0 for c in parse_color(v, "border_color")] for v in value])
        layer.set("border_color", rows)
    else:
        layer.set("border_color", value)


_COLOR_KEYFRAME = {"type": "object", "required": ["t", "value"], "additionalProperties": False,
                   "properties": {"t": {"type": "number", "minimum": 0}, "value": {"$ref": "#/$defs/color"},
                                  "easing": {"$ref": "#/$defs/easing"}}}
_s.register_feature(FeatureEntry(
    target="layer", key="border_color", to_dict=_border_to, apply=_border_from, properties=_BORDER,
    schema={"description": "the border's colour: a colour, one colour per frame, or {\"keyframes\": [...]} "
                           "with colour values",
            "anyOf": [{"$ref": "#/$defs/color"},
                      {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/color"}},
                      {"type": "object", "required": ["keyframes"], "additionalProperties": False,
                       "properties": {"keyframes": {"type": "array", "minItems": 1, "items": _COLOR_KEYFRAME}}}]}))
