"""The built-in entries of :mod:`reelforge.serialize`: solid, image, video and text layers, and the
Exporter settings allowed under ``"export"``.

Each layer kind: how to recognise it, its own fields (schema), writing them and adding the layer
back with the ``Scene.add_*`` call that made it; the common fields (name, times, blend, animatable
properties, keyframes, features) are handled by serialize.py.
"""

from __future__ import annotations

from typing import Any

from . import _core
from . import text as _text
from .errors import SceneError
from .serialize import (EXPORT_SETTINGS, FeatureEntry, Json, LayerKindEntry, Reader, Writer, image_from_data_uri,
                        image_to_data_uri, register_export_setting, register_feature, register_layer_kind)

_SECONDS = {"type": "number", "minimum": 0, "description": "seconds"}
_COLOR = {"$ref": "#/$defs/color"}


# -- solid -------------------------------------------------------------------------------------

def _solid_to(layer: Any, w: Writer) -> dict[str, Json]:
    return {"color": w.color(layer.color)}


def _solid_from(scene: Any, d: dict[str, Json], r: Reader) -> Any:
    with r.at("color"):
        return scene.add_solid(d["color"], **r.span(d))


register_layer_kind(LayerKindEntry(
    kind="solid", matches=lambda layer: layer.kind == _core.LayerKind.SOLID, to_dict=_solid_to,
    from_dict=_solid_from, fields={"color": _COLOR}, required=("color",),
    description="a rectangle of one colour (Scene.add_solid); width/height default to the canvas"))


# -- image -------------------------------------------------------------------------------------

def _image_to(layer: Any, w: Writer) -> dict[str, Json]:
    if layer.path is not None:
        return {"path": w.path(layer.path)}
    d: dict[str, Json] = {"data": image_to_data_uri(layer.image)}
    if layer.premultiplied:
        d["premultiplied"] = True
    return d


def _image_from(scene: Any, d: dict[str, Json], r: Reader) -> Any:
    if "path" in d:
        return scene.add_image(r.media(d), **r.span(d))
    with r.at("data"):
        pixels = image_from_data_uri(d["data"])
    layer = scene.add_image(pixels, **r.span(d))
    layer.premultiplied = bool(d.get("premultiplied", False))
    return layer


register_layer_kind(LayerKindEntry(
    kind="image", matches=lambda layer: layer.kind == _core.LayerKind.IMAGE, to_dict=_image_to,
    from_dict=_image_from,
    fields={"path": {"type": "string", "minLength": 1, "description": "image file (PNG, JPEG, WebP, ...)"},
            "data": {"type": "string", "pattern": "^data:image/[a-z+.-]+;base64,",
                     "description": "the pixels as a base64 data URI (lossless PNG when written by reelforge)"},
            "premultiplied": {"type": "boolean", "description": "the data holds premultiplied RGBA"}},
    extra={"oneOf": [{"required": ["path"]}, {"required": ["data"]}]},
    description="a still image (Scene.add_image): a file 'path' or embedded 'data' (exactly one); width/height "
                "default to the picture's size"))


# -- video -------------------------------------------------------------------------------------
# Time remapping (reelforge.timeremap, where present): add_video's speed/reverse/loop/freeze_at/
# preserve_pitch and Layer.set_time_remap, read from ``layer._remap``.

_REMAP_DEFAULTS: dict[str, Json] = {"speed": 1.0, "reverse": False, "loop": False, "freeze_at": None,
                                    "preserve_pitch": True}


def _video_to(layer: Any, w: Writer) -> dict[str, Json]:
    d: dict[str, Json] = {"path": w.path(layer.path)}
    if layer.trim_start:
        d["trim_start"] = float(layer.trim_start)
    if not layer.autorotate:
        d["autorotate"] = False
    if layer.on_decode_error != "hold":
        d["on_decode_error"] = layer.on_decode_error
    remap = getattr(layer, "_remap", None)
    if remap is not None:
        for key, default in _REMAP_DEFAULTS.items():
            v = getattr(remap, key, default)
            if v != default:
                d[key] = v if isinstance(v, bool) else float(v)
        if getattr(remap, "custom", None) is not None:
            custom = remap.custom
            if isinstance(custom, (list, tuple)):  # keyframes as given: make them a _Keyframes
                from .scene import _Keyframes
                custom = _Keyframes(list(custom), remap.easing)
            value, kf = w.animatable(custom, f"layer {layer.name!r} time_remap")
            d["time_remap"] = kf if kf is not None else value
    return d


def _video_from(scene: Any, d: dict[str, Json], r: Reader) -> Any:
    kw = {k: d[k] for k in ("trim_start", "autorotate", "on_decode_error", *_REMAP_DEFAULTS) if k in d}
    layer = scene.add_video(r.media(d), **kw, **r.span(d))
    if "time_remap" in d:
        with r.at("time_remap"):
            value = d["time_remap"]
            is_keyframes = bool(value) and not isinstance(value[0], (int, float))
            layer.set_time_remap(r.keyframes(value) if is_keyframes else value)
    return layer


def _follows_to(clip: Any, w: Writer) -> Json | None:
    """The index of the video layer whose time remap an ``add_video(audio=True)`` clip follows."""
    layer = getattr(clip, "_remap_layer", None)
    layers = list(w.scene.layers)
    return next((i for i, x in enumerate(layers) if x is layer), None) if layer is not None else None


def _follows_from(clip: Any, index: Json, r: Reader) -> None:
    layers = r.scene.layers
    if not isinstance(index, int) or not 0 <= index < len(layers) or layers[index].kind != _core.LayerKind.VIDEO:
        raise SceneError(f"{index!r} is not the index of a video layer in 'layers' (0..{len(layers) - 1})")
    clip._remap_layer = layers[index]


register_layer_kind(LayerKindEntry(
    kind="video", matches=lambda layer: layer.kind == _core.LayerKind.VIDEO, to_dict=_video_to,
    from_dict=_video_from,
    fields={"path": {"type": "string", "minLength": 1}, "trim_start": _SECONDS,
            "autorotate": {"type": "boolean"}, "on_decode_error": {"enum": ["hold", "raise"]},
            "speed": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000,
                      "description": "source seconds per second (reelforge.timeremap)"},
            "reverse": {"type": "boolean"}, "loop": {"type": "boolean"},
            "freeze_at": {"anyOf": [_SECONDS, {"type": "null"}], "description": "source seconds shown throughout"},
            "preserve_pitch": {"type": "boolean"},
            "time_remap": {"description": "source seconds by scene time: keyframes, or one value per frame",
                           "anyOf": [{"type": "array", "minItems": 1, "items": {"type": "number", "minimum": 0}},
                                     {"$ref": "#/$defs/keyframes"}]}},
    required=("path",),
    description="a video file (Scene.add_video); its sound is an entry of 'audio' (add_video(audio=True) adds "
                "one, with 'follow_layer'); 'end' defaults to the end of the (remapped) source"))
register_feature(FeatureEntry(
    target="audio", key="follow_layer", to_dict=_follows_to, apply=_follows_from,
    schema={"type": "integer", "minimum": 0,
            "description": "index in 'layers' of the video layer whose time remap this clip follows "
                           "(add_video(audio=True))"}))


# -- text --------------------------------------------------------------------------------------

_TEXT_DEFAULTS = {"size_px": 48.0, "color": "#ffffffff", "anchor": "top_left", "align": "left",
                  "line_spacing": 1.2}


def _is_text(layer: Any) -> bool:
    return layer.kind == _core.LayerKind.IMAGE and getattr(layer, "text_style", None) is not None


def _text_to(layer: Any, w: Writer) -> dict[str, Json]:
    style = dict(layer.text_style)
    d: dict[str, Json] = {"text": layer.text}
    if style.get("font") is not None:
        d["font"] = w.path(style["font"])
    color = w.color([c / 255.0 for c in style["color"]])
    for key, value in (("size_px", float(style["size_px"])), ("color", color), ("anchor", style["anchor"]),
                       ("align", style["align"]), ("line_spacing", float(style["line_spacing"]))):
        if value != _TEXT_DEFAULTS[key]:
            d[key] = value
    return d


def _text_derived(layer: Any) -> dict[str, float]:
    """What add_text sets from the raster: size and the anchor point's fractions."""
    r = _text.RenderedText(layer.image, float(layer.baseline_y), layer.font)
    ax, ay = r.anchor_point(layer.text_style["anchor"])
    return {"width": float(r.width), "height": float(r.height), "anchor_x": ax, "anchor_y": ay}


def _text_from(scene: Any, d: dict[str, Json], r: Reader) -> Any:
    kw: dict[str, Any] = {k: d[k] for k in ("size_px", "color", "anchor", "align", "line_spacing") if k in d}
    if "font" in d:
        kw["font"] = r.media(d, "font")
    with r.at("text"):
        return scene.add_text(d["text"], **kw, **r.span(d))


register_layer_kind(LayerKindEntry(
    kind="text", matches=_is_text, to_dict=_text_to, from_dict=_text_from, derived=_text_derived,
    fields={"text": {"type": "string", "minLength": 1},
            "font": {"type": "string", "minLength": 1, "description": "TrueType/OpenType file (default: "
                                                                     "$REELFORGE_FONT or fontconfig's sans)"},
            "size_px": {"type": "number", "exclusiveMinimum": 0, "maximum": 10000, "description": "pixels"},
            "color": _COLOR, "anchor": {"enum": list(_text.ANCHORS)}, "align": {"enum": list(_text.ALIGNS)},
            "line_spacing": {"type": "number", "exclusiveMinimum": 0, "maximum": 100}},
    required=("text",),
    description="text shaped with HarfBuzz and rasterised with FreeType (Scene.add_text); width, height, "
                "anchor_x and anchor_y default to the rendered text's"))


# -- export settings (reelforge.Exporter keyword arguments) -------------------------------------

def _register_export_settings() -> None:
    from .exporter import VIDEO_CODECS
    from .quality import QUALITIES
    integer: dict[str, Json] = {"type": "integer"}
    settings: dict[str, dict[str, Json]] = {
        "video_codec": {"enum": list(VIDEO_CODECS)},
        "encoder": {"type": "string", "minLength": 1},
        "crf": {**integer, "minimum": 0, "maximum": 63},
        "quality": {"enum": list(QUALITIES)},
        "preset": {"enum": list(_core.presets())},
        "bitrate": {**integer, "exclusiveMinimum": 0, "description": "bits per second"},
        "gop": {**integer, "exclusiveMinimum": 0, "description": "frames"},
        "audio_bitrate": {**integer, "minimum": 8000, "maximum": 512000, "description": "bits per second"},
        "frames": {"type": "array", "items": {**integer, "minimum": 0}, "minItems": 2, "maxItems": 2},
        "time_range": {"type": "array", "items": {"type": "number", "minimum": 0}, "minItems": 2, "maxItems": 2},
        "scale": {"type": "number", "exclusiveMinimum": 0},
        "workers": {**integer, "minimum": 1},
        "gpu_slots": {**integer, "minimum": 1, "maximum": 16},
        "stall_timeout": {"type": "number", "exclusiveMinimum": 0, "description": "seconds"},
    }
    for name, s in settings.items():
        if name not in EXPORT_SETTINGS:
            register_export_setting(name, s)


_register_export_settings()
