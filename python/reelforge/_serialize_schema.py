"""The JSON Schema of scene documents (Draft 2020-12), built from the registry of
:mod:`reelforge.serialize`, and validation with error messages that name the JSON path."""

from __future__ import annotations

import json
from typing import Any, Iterator

from . import easing as _easing
from . import scene as _scene
from . import serialize as _s
from .errors import SceneError
from .templating import JsonPath, coercible, format_path

Json = Any



def _number(**limits: Json) -> dict[str, Json]:
    return {"type": "number", **limits}


def _easing_schema() -> dict[str, Json]:
    names = list(_easing.NAMES) + [n.replace("_", "-") for n in _easing.NAMES if "_" in n]
    return {"description": "easing of the segment that starts at this keyframe (CSS Easing Functions Level 1)",
            "anyOf": [
                {"enum": names},
                {"type": "object", "required": ["cubic_bezier"], "additionalProperties": False,
                 "properties": {"cubic_bezier": {"type": "array", "minItems": 4, "maxItems": 4,
                                                 "prefixItems": [_number(minimum=0, maximum=1), _number(),
                                                                 _number(minimum=0, maximum=1), _number()]}}},
                {"type": "object", "required": ["spring"], "additionalProperties": False,
                 "properties": {"spring": {"type": "object", "additionalProperties": False,
                                           "properties": {k: _number(exclusiveMinimum=0)
                                                          for k in ("stiffness", "damping", "mass")}}}}]}


def _defs() -> dict[str, Json]:
    color = {"description": "CSS colour string or [r, g, b(, a)] in 0-255",
             "anyOf": [{"type": "string", "minLength": 1},
                       {"type": "array", "minItems": 3, "maxItems": 4, "items": _number(minimum=0, maximum=255)}]}
    keyframe = {"anyOf": [
        {"type": "object", "required": ["t", "value"], "additionalProperties": False,
         "properties": {"t": _number(minimum=0, description="seconds"), "value": _number(),
                        "easing": {"$ref": "#/$defs/easing"}}},
        {"type": "array", "minItems": 2, "maxItems": 3,
         "prefixItems": [_number(minimum=0), _number(), {"$ref": "#/$defs/easing"}]}]}
    animatable = {"description": "a constant, or one value per frame of the scene",
                  "anyOf": [_number(), {"type": "array", "items": _number(), "minItems": 1}]}
    seconds = _number(minimum=0, description="seconds")
    described = _s._all_properties()
    props: dict[str, Json] = {p: {"$ref": "#/$defs/animatable", "description": described[p]}
                              for p in _s._property_names()}
    props["crop"] = {"type": "array", "minItems": 4, "maxItems": 4, "items": _number(minimum=0, maximum=1),
                     "description": _scene.PROPERTIES["crop"]}
    layer = {
        "type": "object", "required": ["kind"],
        "properties": {
            "kind": {"enum": sorted(_s.LAYER_KINDS)},
            "name": {"type": "string"}, "start": seconds, "end": {"anyOf": [seconds, {"type": "null"}]},
            "blend": {"enum": list(_scene.BLEND_MODES)},
            **props,
            "keyframes": {"type": "object", "description": "property -> keyframes (a kind's own animatable "
                                                           "properties too)",
                          "properties": {p: {"$ref": "#/$defs/keyframes"} for p in _s._numeric_properties()},
                          "additionalProperties": {"$ref": "#/$defs/keyframes"}},
            **{f.key: f.schema for f in _s._features("layer")},
        },
        "allOf": [{"if": {"properties": {"kind": {"const": k}}, "required": ["kind"]},
                   "then": {"$ref": f"#/$defs/layer_{k}"}} for k in sorted(_s.LAYER_KINDS)],
        "unevaluatedProperties": False,
    }
    kinds = {f"layer_{k}": {"description": e.description, "required": list(e.required),
                            "properties": {**{p: {"$ref": "#/$defs/animatable"} for p in e.properties}, **e.fields},
                            **e.extra} for k, e in sorted(_s.LAYER_KINDS.items())}
    clip = {"type": "object", "required": ["path"], "additionalProperties": False,
            "properties": {"path": {"type": "string", "minLength": 1}, "start": seconds, "trim_start": seconds,
                           "duration": {"anyOf": [_number(exclusiveMinimum=0), {"type": "null"}]},
                           "gain_db": {"description": "dB: a constant, or one value per frame of the scene",
                                       "anyOf": [_number(minimum=_scene.GAIN_DB_RANGE[0],
                                                         maximum=_scene.GAIN_DB_RANGE[1]),
                                                 {"type": "array", "minItems": 1, "items": _number(
                                                     minimum=_scene.GAIN_DB_RANGE[0],
                                                     maximum=_scene.GAIN_DB_RANGE[1])}]},
                           "fade_in": seconds, "fade_out": seconds, "loop": {"type": "boolean"},
                           "keyframes": {"type": "object", "additionalProperties": False,
                                         "properties": {"gain_db": {"$ref": "#/$defs/keyframes"}}},
                           **{f.key: f.schema for f in _s._features("audio")}}}
    export = {"type": "object", "additionalProperties": False, "properties": dict(sorted(_s.EXPORT_SETTINGS.items()))}
    return {"color": color, "easing": _easing_schema(), "keyframe": keyframe,
            "keyframes": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/keyframe"}},
            "animatable": animatable, "layer": layer, **kinds, "audio_clip": clip, "export": export}


def schema() -> dict[str, Json]:
    """The JSON Schema (Draft 2020-12) of scene documents, built from the registry (the shipped
    file :data:`SCHEMA_PATH` holds the same)."""
    size = {"type": "integer", "minimum": 2, "maximum": 16384, "multipleOf": 2, "description": "pixels, even"}
    return {
        "$schema": _s.DRAFT, "$id": _s.SCHEMA_ID, "title": "reelforge scene",
        "description": "A reelforge scene: canvas, layers, audio clips and export settings (reelforge.serialize).",
        "type": "object", "required": ["width", "height", "duration"], "additionalProperties": False,
        "properties": {
            "$schema": {"type": "string", "description": "where an editor finds this schema (ignored)"},
            "version": {"const": _s.SCHEMA_VERSION},
            "width": size, "height": size,
            "fps": {"description": "frames per second in (0, 1000]: a number or an exact fraction 'N/D'",
                    "anyOf": [_number(exclusiveMinimum=0, maximum=1000),
                              {"type": "string", "pattern": r"^[0-9]+(/[0-9]+)?$"}]},
            "duration": _number(exclusiveMinimum=0, description="seconds"),
            "background": {"$ref": "#/$defs/color"},
            "variables": {"type": "object", "description": "defaults of the ${name} template variables",
                          "additionalProperties": {"type": ["string", "number", "boolean"]}},
            "layers": {"type": "array", "items": {"$ref": "#/$defs/layer"}, "description": "bottom to top"},
            "audio": {"type": "array", "items": {"$ref": "#/$defs/audio_clip"}},
            "export": {"$ref": "#/$defs/export"},
            **{f.key: f.schema for f in _s._features("scene")},
        },
        "$defs": _defs(),
    }


def validator() -> Any:
    import jsonschema  # type: ignore[import-untyped]
    return jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _errors_at(err: Any) -> Iterator[Any]:
    yield err
    for sub in err.context or ():
        yield from _errors_at(sub)


def validated(doc: Json, whole: set[JsonPath]) -> Json:
    """``doc`` checked against the schema (SceneError for the most specific problem)."""
    doc, errors = coerced(doc, whole)
    if errors:
        raise schema_error(errors)
    return doc


def coerced(doc: Json, whole: set[JsonPath]) -> tuple[Json, list[Any]]:
    """``(doc, schema errors)``: substituted strings where the schema wants a number or a boolean
    are converted first (see :mod:`reelforge.templating`)."""
    v = validator()
    while True:
        errors = list(v.iter_errors(doc))
        changed = False
        for err in errors:
            for e in _errors_at(err):
                p = tuple(e.absolute_path)
                if e.validator == "type" and p in whole and isinstance(e.instance, str):
                    ok, value = coercible(e.instance)
                    if ok:
                        doc = _replace(doc, p, value)
                        whole.discard(p)
                        changed = True
        if not changed:
            return doc, errors


def _replace(doc: Json, path: JsonPath, value: Json) -> Json:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(doc, list):
        assert isinstance(head, int)
        return [_replace(x, rest, value) if i == head else x for i, x in enumerate(doc)]
    return {k: _replace(x, rest, value) if k == head else x for k, x in doc.items()}


def schema_error(errors: list[Any]) -> SceneError:
    import jsonschema
    specific = _specific(errors)
    path, msg = _describe(jsonschema.exceptions.best_match(specific))
    more = len(specific) - 1
    tail = (f" (and {more} more problem{'s' if more > 1 else ''}; reelforge.serialize.validate lists them)"
            if more else "")
    return SceneError(f"{path}: {msg}{tail}")


def _describe(err: Any) -> tuple[str, str]:
    """``(json_path, message)`` of a schema error; for ``anyOf``/``oneOf`` the alternative that
    got furthest, or the reasons of the alternatives of the value's own type."""
    path = format_path(tuple(err.absolute_path))
    if err.validator not in ("anyOf", "oneOf") or not err.context:
        return path, str(err.message)
    deeper = [e for e in err.context if len(e.absolute_path) > len(err.absolute_path)]
    if deeper:
        return _describe(max(deeper, key=lambda e: len(e.absolute_path)))
    reasons = list(dict.fromkeys(_describe(e)[1] for e in err.context if e.validator != "type"))
    if reasons:
        return path, "; or ".join(reasons[:4])
    allowed = sorted({str(e.validator_value) for e in err.context if e.validator == "type"})
    return path, f"{json.dumps(err.instance)[:80]} is not valid here (expected {' or '.join(allowed)})"


def _specific(errors: list[Any]) -> list[Any]:
    """``errors`` without the "unevaluated properties" ones that only echo another error inside
    the same object (a kind's failed field is also unevaluated at the layer)."""
    def echoed(e: Any) -> bool:
        p = tuple(e.absolute_path)
        return e.validator == "unevaluatedProperties" and any(
            o.validator != "unevaluatedProperties" and tuple(o.absolute_path)[:len(p)] == p for o in errors)
    return [e for e in errors if not echoed(e)]


def listed(errors: list[Any]) -> list[str]:
    specific = _specific(errors)
    return [": ".join(_describe(e)) for e in sorted(specific, key=lambda e: list(map(str, e.absolute_path)))]
