"""Registry entries of :mod:`reelforge.serialize` for optional features: layer effects
(:mod:`reelforge.effects`), audio ducking (``AudioClip.duck_under``) and the loudness and
subtitle export settings.

Each entry reads the feature's objects through their public attributes and builds them back
through their public API, imported when first used: a document that uses a feature this build
lacks fails with an error naming the JSON path, and the schema is the same in every build.
"""

from __future__ import annotations

import inspect
from typing import Any

from .errors import SceneError, SceneTypeError
from .serialize import FeatureEntry, Json, Reader, Writer, register_export_setting, register_feature

# -- effects -----------------------------------------------------------------------------------

#: Effect classes of reelforge.effects, by the name written in documents.
EFFECT_NAMES = ("GaussianBlur", "DropShadow", "Glow", "ColorAdjust", "Grayscale", "Sepia", "Invert", "LUT",
                "ChromaKey", "Shader")
_COLORED = ("DropShadow", "Glow", "ChromaKey")


def _effect_to(e: Any, w: Writer, what: str) -> dict[str, Json]:
    name = type(e).__name__
    if name not in EFFECT_NAMES:
        raise SceneTypeError(f"{what}: {name} is not one of the effects that can be written "
                             f"({', '.join(EFFECT_NAMES)})")
    d: dict[str, Json] = {"effect": name}
    if name == "LUT":
        d["path"] = w.path(e.path)
    if name == "Shader":
        d["source"] = e.source
    if name in _COLORED:
        d["color"] = w.color(e._color)
    params: dict[str, Json] = {}
    keyframes: dict[str, Json] = {}
    for p, v in e._values.items():
        value, kf = w.animatable(v, f"{what} parameter {p!r}")
        if kf is not None:
            keyframes[p] = kf
        else:
            params[p] = value
    if name == "Shader":
        d["uniforms"] = params
    else:
        d.update(params)
    if keyframes:
        d["keyframes"] = keyframes
    return d


def _effects_to(layer: Any, w: Writer) -> Json | None:
    effects = getattr(layer, "effects", None) or []
    return [_effect_to(e, w, f"layer {layer.name!r} effect {i} ({type(e).__name__})")
            for i, e in enumerate(effects)] or None


def _effect_from(d: dict[str, Json], r: Reader) -> Any:
    import importlib
    _effects: Any = importlib.import_module("reelforge.effects")  # the feature's module
    name = d["effect"]
    cls = getattr(_effects, str(name))
    params = {k: v for k, v in d.items() if k not in ("effect", "path", "source", "color", "uniforms", "keyframes")}
    if name == "LUT":
        e = cls(r.media(d))
    elif name == "Shader":
        uniforms = dict(d.get("uniforms") or {})
        names = list(uniforms) + [k for k in (d.get("keyframes") or {}) if k not in uniforms]
        with r.at("source"):
            e = cls(d["source"], **{n: 0.0 for n in names})
        params = uniforms
    else:
        with r.at("color"):
            e = cls(color=d["color"]) if "color" in d and "color" in inspect.signature(cls).parameters else cls()
    r.animate(e, {**params, "keyframes": d.get("keyframes") or {}}, list(params))
    return e


def _effects_from(layer: Any, value: Json, r: Reader) -> None:
    for i, d in enumerate(value):
        with r.at(i):
            layer.add_effect(_effect_from(d, r))


register_feature(FeatureEntry(
    target="layer", key="effects", to_dict=_effects_to, apply=_effects_from,
    schema={"type": "array", "description": "effect chain, applied in order (reelforge.effects)",
            "items": {"type": "object", "required": ["effect"],
                      "properties": {"effect": {"enum": list(EFFECT_NAMES)},
                                     "color": {"$ref": "#/$defs/color"},
                                     "path": {"type": "string", "minLength": 1, "description": "LUT: .cube file"},
                                     "source": {"type": "string", "description": "Shader: GLSL source"},
                                     "uniforms": {"type": "object",
                                                  "additionalProperties": {"$ref": "#/$defs/animatable"}},
                                     "keyframes": {"type": "object",
                                                   "additionalProperties": {"$ref": "#/$defs/keyframes"}}},
                      "additionalProperties": {"$ref": "#/$defs/animatable"}}}))


# -- audio ducking -----------------------------------------------------------------------------

_DUCK_DEFAULTS = {"amount_db": -12.0, "threshold_db": -30.0, "attack": 0.05, "release": 0.4, "hold": 0.0}


def _duck_to(clip: Any, w: Writer) -> Json | None:
    duck = getattr(clip, "_duck", None)
    if duck is None:
        return None
    clips = list(w.scene.audio)
    keys = []
    for k in duck.keys:
        i = next((j for j, c in enumerate(clips) if c is k), None)
        if i is None:
            raise SceneError(f"{clip._what()}: duck_under key {k!r} is not a clip of this scene")
        keys.append(i)
    d: dict[str, Json] = {"keys": keys}
    for key, default in _DUCK_DEFAULTS.items():
        v = float(getattr(duck, key))
        if v != default:
            d[key] = v
    return d


def _duck_from(clip: Any, value: Json, r: Reader) -> None:
    def apply() -> None:
        clips = r.scene.audio
        keys = []
        for i in value["keys"]:
            if not 0 <= i < len(clips):
                raise SceneError(f"keys: {i} is not the index of a clip in 'audio' (0..{len(clips) - 1})")
            keys.append(clips[i])
        clip.duck_under(keys, **{k: value[k] for k in _DUCK_DEFAULTS if k in value})
    r.defer(apply)  # its keys may come later in the list


register_feature(FeatureEntry(
    target="audio", key="duck_under", to_dict=_duck_to, apply=_duck_from,
    schema={"type": "object", "required": ["keys"], "additionalProperties": False,
            "description": "sidechain ducking under other clips (AudioClip.duck_under)",
            "properties": {"keys": {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 0},
                                    "description": "indices in 'audio' of the clips whose level ducks this one"},
                           "amount_db": {"type": "number", "minimum": -200, "exclusiveMaximum": 0},
                           "threshold_db": {"type": "number", "minimum": -200, "maximum": 0},
                           "attack": {"type": "number", "exclusiveMinimum": 0, "description": "seconds"},
                           "release": {"type": "number", "exclusiveMinimum": 0, "description": "seconds"},
                           "hold": {"type": "number", "minimum": 0, "description": "seconds"}}}))


# -- export settings of optional features --------------------------------------------------------

register_export_setting("loudness_lufs", {"type": "number", "minimum": -70, "maximum": -5,
                                          "description": "integrated loudness target, LUFS (ITU-R BS.1770)"})
register_export_setting("true_peak_db", {"type": "number", "minimum": -60, "maximum": 0,
                                         "description": "true-peak ceiling, dBTP"})
register_export_setting("subtitles", {"type": "string", "minLength": 1,
                                      "description": "subtitle file muxed as a soft track (SRT, WebVTT, ASS)"},
                        path=True)


# -- burnt-in subtitles (Scene.add_subtitles) --------------------------------------------------
# An input form: {"kind": "subtitles", "path": "captions.srt", "style": {...}, "start": 0}. SRT and
# WebVTT cues become text layers (written back as such); an ASS/SSA script's one libass layer
# remembers where it came from and is written back in this form.

def _subtitles_from(scene: Any, d: dict[str, Json], r: Reader) -> Any:
    path = r.media(d)
    with r.at("style"):
        layers = scene.add_subtitles(path, style=d.get("style"), start=d.get("start", 0.0), name=d.get("name"))
    for layer in layers:
        if type(layer).__name__ == "AssLayer":
            layer.subtitles_source = {"path": path}
    return layers


def _subtitles_to(layer: Any, w: Writer) -> dict[str, Json]:
    return {"path": w.path(layer.subtitles_source["path"])}


def _register_subtitles() -> None:
    from .serialize import register_layer_kind, LayerKindEntry
    register_layer_kind(LayerKindEntry(
        kind="subtitles", matches=lambda layer: getattr(layer, "subtitles_source", None) is not None,
        to_dict=_subtitles_to, from_dict=_subtitles_from,
        fields={"path": {"type": "string", "minLength": 1, "description": ".srt, .vtt, .ass or .ssa file"},
                "style": {"type": "object", "description": "SRT/VTT cue style: Scene.add_text keywords"}},
        required=("path",),
        description="subtitles burnt in (Scene.add_subtitles): SRT/WebVTT cues become text layers, an ASS/SSA "
                    "script one libass layer; 'start' is when the subtitles' time 0 falls"))


_register_subtitles()
