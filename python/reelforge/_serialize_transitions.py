"""Scene feature ``transitions`` (reelforge.transitions, ``Scene.add_transition``) as data.

Each entry names its two layers by their index in the document's ``layers`` list, the overlap's
``duration`` (seconds), ``audio`` and the ``transition``: ``{"kind": ..., parameters, "easing"}``
with the kinds' constructor arguments (``shader``: its GLSL ``source`` and uniform ``values``).
Read back after every layer exists; ``b`` is already where the transition put it, so nothing moves.
"""
from __future__ import annotations

from typing import Any

from . import transitions as _t
from .errors import SceneError
from .serialize import FeatureEntry, Json, NotSerializableError, Reader, Writer, _owners, register_feature

_KINDS: dict[str, type[_t.Transition]] = {"crossfade": _t.Crossfade, "dip": _t.Dip, "wipe": _t.Wipe,
                                          "slide": _t.Slide, "push": _t.Push, "zoom": _t.Zoom, "iris": _t.Iris,
                                          "shader": _t.Shader}
# Constructor arguments of each kind, as attributes of the object.
_ARGS: dict[str, tuple[str, ...]] = {"crossfade": (), "dip": ("color",), "wipe": ("direction", "softness"),
                                     "slide": ("direction",), "push": ("direction",), "zoom": ("quickness",),
                                     "iris": ("softness",)}


def _transition_to(t: _t.Transition, w: Writer, what: str) -> dict[str, Json]:
    kind = next((k for k, cls in _KINDS.items() if type(t) is cls), None)
    if kind is None:
        raise NotSerializableError(f"{what}: {type(t).__name__} is not a transition kind that can be written as "
                                   f"data; use one of {', '.join(_KINDS)} (Shader for any GLSL)")
    d: dict[str, Json] = {"kind": kind}
    if kind == "shader":
        d["source"] = t.source
        types = {u.name: u.type for u in t.compiled.uniforms}
        values: dict[str, Json] = {}
        for k, v in t.values.items():
            values[k] = bool(v) if types[k] == "bool" else [float(x) for x in v] if isinstance(v, tuple) else float(v)
        if values:
            d["values"] = values
    elif kind == "dip":
        from .scene import parse_color
        d["color"] = w.color(parse_color(getattr(t, "color"), "Dip: color"))
    else:
        for a in _ARGS[kind]:
            d[a] = getattr(t, a)
    easing = w.easing(t.easing, f"{what} easing")
    if easing != "linear":
        d["easing"] = easing
    return d


def _transition_from(d: dict[str, Any]) -> _t.Transition:
    kind = d["kind"]
    easing: Any = Reader.easing(d["easing"]) if "easing" in d else "linear"
    if kind == "shader":
        return _t.Shader(d["source"], easing=easing, **d.get("values", {}))
    cls: Any = _KINDS[kind]
    out: _t.Transition = cls(**{a: d[a] for a in _ARGS[kind] if a in d}, easing=easing)
    return out


def _to(scene: Any, w: Writer) -> Json | None:
    records = getattr(scene, "transitions", None)
    if not records:
        return None
    layers = _owners(scene.layers)
    out: list[Json] = []
    for k, rec in enumerate(records):
        what = f"transition {k}"
        idx = []
        for layer in (rec.a, rec.b):
            i = next((j for j, x in enumerate(layers) if x is layer), None)
            if i is None:
                raise SceneError(f"{what}: layer {layer.name!r} is not a layer of this scene")
            idx.append(i)
        item: dict[str, Json] = {"a": idx[0], "b": idx[1], "duration": float(rec.duration),
                                 "transition": _transition_to(rec.transition, w, what)}
        if rec.audio != "equal_power":
            item["audio"] = rec.audio
        out.append(item)
    return out


def _from(scene: Any, value: Json, r: Reader) -> None:
    assert isinstance(value, list)
    layers = _owners(scene.layers)
    for k, item in enumerate(value):
        assert isinstance(item, dict)
        with r.at(k):
            for key in ("a", "b"):
                i = item[key]
                if not isinstance(i, int) or not 0 <= i < len(layers):
                    raise SceneError(f"{key}: {i} is not the index of a layer in 'layers' (0..{len(layers) - 1})")
            with r.at("transition"):
                t = _transition_from(dict(item["transition"]))
            scene.add_transition(layers[item["a"]], layers[item["b"]], t, duration=item["duration"],
                                 audio=item.get("audio", "equal_power"))


_DIRECTION: dict[str, Json] = {"enum": list(_t.DIRECTIONS)}
_FRACTION: dict[str, Json] = {"type": "number", "minimum": 0, "maximum": 1}


def _kind(name: str, **props: Json) -> dict[str, Json]:
    return {"type": "object", "required": ["kind"] + (["source"] if name == "shader" else []),
            "additionalProperties": False,
            "properties": {"kind": {"const": name}, "easing": {"$ref": "#/$defs/easing"}, **props}}


_TRANSITION_SCHEMA: dict[str, Json] = {"oneOf": [
    _kind("crossfade"), _kind("dip", color={"$ref": "#/$defs/color"}),
    _kind("wipe", direction=_DIRECTION, softness=_FRACTION), _kind("slide", direction=_DIRECTION),
    _kind("push", direction=_DIRECTION), _kind("zoom", quickness={"type": "number", "minimum": 0.2, "maximum": 1}),
    _kind("iris", softness=_FRACTION),
    _kind("shader", source={"type": "string", "description": "gl-transitions style GLSL"},
          values={"type": "object", "description": "uniform values by name",
                  "additionalProperties": {"anyOf": [{"type": "number"}, {"type": "boolean"},
                                                     {"type": "array", "minItems": 1, "maxItems": 4,
                                                      "items": {"type": "number"}}]}})]}

register_feature(FeatureEntry(
    target="scene", key="transitions", to_dict=_to, apply=_from,
    schema={"type": "array", "description": "transitions between layers (Scene.add_transition)",
            "items": {"type": "object", "required": ["a", "b", "duration", "transition"], "additionalProperties": False,
                      "properties": {"a": {"type": "integer", "minimum": 0, "description": "outgoing layer's index"},
                                     "b": {"type": "integer", "minimum": 0, "description": "incoming layer's index"},
                                     "duration": {"type": "number", "exclusiveMinimum": 0, "description": "seconds"},
                                     "audio": {"enum": list(_t.AUDIO_MODES)},
                                     "transition": _TRANSITION_SCHEMA}}}))
