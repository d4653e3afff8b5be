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
                        image_to_data_uri, register_export_setting, register_feature, register_layer_kind,
                        register_layer_owner)

_SECONDS = {"type": "number", "minimum": 0, "description": "seconds"}


def _feature_module(name: str) -> Any:
    """``reelforge.<name>``, a module of an optional feature (imported when a document uses it)."""
    import importlib
    return importlib.import_module(f"reelforge.{name}")
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
            v: Any = getattr(remap, key, default)
            if v != default:
                d[key] = v if isinstance(v, bool) else float(v)
        if getattr(remap, "custom", None) is not None:
            custom = remap.custom
            if isinstance(custom, (list, tuple)):  # keyframes as given: make them a _Keyframes
                from .scene import _Keyframes
                make: Any = _Keyframes
                custom = make(list(custom), remap.easing)
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
# Two builds of text layers: Scene.add_text recording ``layer.text_style`` (HarfBuzz + FreeType),
# or reelforge.typography's TextLayer (styles, wrapping, spans: ``layer._style``, ``_text_arg``).

_TEXT_DEFAULTS: dict[str, Json] = {
    "size_px": 48.0, "color": "#ffffffff", "anchor": "top_left", "align": "left", "line_spacing": 1.2,
    "line_height": 1.2, "max_width": None, "letter_spacing": 0.0, "weight": "normal", "stroke_width": 0.0,
    "stroke_color": "#000000ff", "shadow": None, "background": None}
#: Every align of any build (typography adds justify): the schema stays the same.
_ALIGNS = ["left", "center", "right", "justify"]


def _is_text(layer: Any) -> bool:
    return layer.kind == _core.LayerKind.IMAGE and (getattr(layer, "text_style", None) is not None
                                                    or getattr(layer, "_style", None) is not None)


def _rgba(value: Any, w: Writer, what: str) -> Json:
    from .scene import parse_color
    return w.color(parse_color(value, what))


def _anchor_name(layer: Any) -> str | None:
    """The named anchor whose point is the layer's (anchor_x, anchor_y), if any (typography)."""
    styled = getattr(layer, "styled", None)
    ax, ay = layer._props.get("anchor_x"), layer._props.get("anchor_y")
    if styled is None or not isinstance(ax, float) or not isinstance(ay, float):
        return None
    return next((a for a in _text.ANCHORS if styled.anchor_point(a) == (ax, ay)), None)


def _span_to(sp: Any, w: Writer) -> Json:
    if isinstance(sp, str):
        return sp
    d: dict[str, Json] = {"text": sp.text}
    if sp.color is not None:
        d["color"] = _rgba(sp.color, w, "span color")
    if sp.size_px is not None:
        d["size_px"] = float(sp.size_px)
    if sp.weight is not None:
        d["weight"] = sp.weight
    if sp.font is not None:
        d["font"] = w.path(str(sp.font))
    return d


def _styled_to(layer: Any, w: Writer) -> dict[str, Json]:
    st = dict(layer._style)
    text = layer._text_arg
    d: dict[str, Json] = {"text": text if isinstance(text, str) else [_span_to(x, w) for x in
                                                                     ([text] if not isinstance(text, list) else text)]}
    if st.get("font") is not None:
        d["font"] = w.path(str(st["font"]))
    anchor = _anchor_name(layer)
    if anchor is not None and anchor != "top_left":
        d["anchor"] = anchor
    values: dict[str, Json] = {
        "size_px": float(st.get("size_px", 48.0)), "color": _rgba(st.get("color", "white"), w, "color"),
        "align": st.get("align", "left"), "line_height": float(st.get("line_height", 1.2)),
        "max_width": None if st.get("max_width") is None else float(st["max_width"]),
        "letter_spacing": float(st.get("letter_spacing", 0.0)), "weight": st.get("weight", "normal"),
        "stroke_width": float(st.get("stroke_width", 0.0)),
        "stroke_color": _rgba(st.get("stroke_color", (0, 0, 0, 255)), w, "stroke_color")}
    _ty = _feature_module("typography")  # the module that made the layer: its own parsing of these
    if st.get("shadow") is not None:
        (dx, dy, blur), c = _ty._shadow(st["shadow"], "shadow")
        values["shadow"] = {"dx": dx, "dy": dy, "blur": blur, "color": w.color([v / 255 for v in c])}
    if st.get("background") is not None:
        c, pad, radius = _ty._background(st["background"], "background")
        values["background"] = {"color": w.color([v / 255 for v in c]), "padding": pad, "radius": radius}
    for key, value in values.items():
        if value != _TEXT_DEFAULTS[key]:
            d[key] = value
    return d


def _text_to(layer: Any, w: Writer) -> dict[str, Json]:
    if getattr(layer, "_style", None) is not None:
        return _styled_to(layer, w)
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
    styled = getattr(layer, "styled", None)
    if styled is not None:
        out = {"width": float(styled.width), "height": float(styled.height)}
        anchor = _anchor_name(layer)
        if anchor is not None:
            out["anchor_x"], out["anchor_y"] = styled.anchor_point(anchor)
        return out
    r = _text.RenderedText(layer.image, float(layer.baseline_y), layer.font)
    ax, ay = r.anchor_point(layer.text_style["anchor"])
    return {"width": float(r.width), "height": float(r.height), "anchor_x": ax, "anchor_y": ay}


def _text_from(scene: Any, d: dict[str, Json], r: Reader) -> Any:
    kw: dict[str, Any] = {k: d[k] for k in _TEXT_DEFAULTS if k in d}
    if "font" in d:
        kw["font"] = r.media(d, "font")
    text = d["text"]
    if isinstance(text, list):
        Span = _feature_module("typography").Span  # rich text: the typography build
        with r.at("text"):
            text = [x if isinstance(x, str) else
                    Span(x["text"], color=x.get("color"), size_px=x.get("size_px"), weight=x.get("weight"),
                         font=r.path(x["font"]) if "font" in x else None) for x in text]
    with r.at("text"):
        return scene.add_text(text, **kw, **r.span(d))


# Word-by-word animation (TextLayer.animate_words): the text's pieces stand for the text layer,
# which is written once with a "words" field holding each animated property's keyframes and the
# per-word delays.

def _word_owner(layer: Any) -> Any:
    parent = getattr(layer, "parent", None)
    return parent if parent is not None and getattr(parent, "_style", None) is not None else None


def _words_to(layer: Any, w: Writer) -> Json | None:
    words = getattr(layer, "words", None)
    if not words or getattr(layer, "_style", None) is None:
        return None
    animate: list[Json] = []
    for prop in dict.fromkeys(p for wl in words for p in wl._word_kf):
        kf = words[0]._word_kf[prop][0]
        animate.append({"property": prop, "keyframes": w.keyframes(kf, f"text layer {layer.name!r} word {prop!r}"),
                        "stagger": [float(wl._word_kf[prop][1]) for wl in words]})
    return {"unit": layer._unit, "animate": animate}


def _words_from(layer: Any, value: Json, r: Reader) -> None:
    for i, a in enumerate(value["animate"]):
        with r.at("animate", i):
            layer.animate_words(a["property"], r.keyframes(a["keyframes"]), stagger=a.get("stagger", 0.1),
                                unit=value.get("unit", "word"))


register_layer_owner(_word_owner)
register_feature(FeatureEntry(
    target="layer", key="words", to_dict=_words_to, apply=_words_from,
    schema={"type": "object", "required": ["animate"], "additionalProperties": False,
            "description": "per-word (or per-character) animation of a text layer (TextLayer.animate_words)",
            "properties": {"unit": {"enum": ["word", "char"]},
                           "animate": {"type": "array", "minItems": 1, "items": {
                               "type": "object", "required": ["property", "keyframes"], "additionalProperties": False,
                               "properties": {"property": {"type": "string"},
                                              "keyframes": {"$ref": "#/$defs/keyframes"},
                                              "stagger": {"description": "seconds between words, or one delay per word",
                                                          "anyOf": [{"type": "number", "minimum": 0},
                                                                    {"type": "array", "items": {"type": "number",
                                                                                                "minimum": 0}}]}}}}}}))

_SPAN = {"type": "object", "required": ["text"], "additionalProperties": False,
         "properties": {"text": {"type": "string"}, "color": _COLOR,
                        "size_px": {"type": "number", "exclusiveMinimum": 0, "maximum": 10000},
                        "weight": {"enum": ["normal", "bold"]}, "font": {"type": "string", "minLength": 1}}}
_PIXELS = {"type": "number", "description": "pixels"}
register_layer_kind(LayerKindEntry(
    kind="text", matches=_is_text, to_dict=_text_to, from_dict=_text_from, derived=_text_derived,
    fields={"text": {"description": "the text, or rich text: a list of strings and spans with their own style",
                     "anyOf": [{"type": "string", "minLength": 1},
                               {"type": "array", "minItems": 1, "items": {"anyOf": [{"type": "string"}, _SPAN]}}]},
            "font": {"type": "string", "minLength": 1, "description": "TrueType/OpenType file (default: "
                                                                     "$REELFORGE_FONT or fontconfig's sans)"},
            "size_px": {"type": "number", "exclusiveMinimum": 0, "maximum": 10000, "description": "pixels"},
            "color": _COLOR, "anchor": {"enum": list(_text.ANCHORS)}, "align": {"enum": _ALIGNS},
            "line_spacing": {"type": "number", "exclusiveMinimum": 0, "maximum": 100,
                             "description": "baseline distance / size_px"},
            "line_height": {"type": "number", "exclusiveMinimum": 0, "maximum": 100,
                            "description": "baseline distance / size_px (typography)"},
            "max_width": {"anyOf": [{"type": "number", "minimum": 1}, {"type": "null"}],
                          "description": "pixels: wrap lines (Unicode line breaking)"},
            "letter_spacing": _PIXELS, "weight": {"enum": ["normal", "bold"]},
            "stroke_width": {"type": "number", "minimum": 0, "description": "pixels, outline"},
            "stroke_color": _COLOR,
            "shadow": {"anyOf": [{"type": "null"}, {
                "type": "object", "additionalProperties": False,
                "properties": {"dx": _PIXELS, "dy": _PIXELS, "blur": {"type": "number", "minimum": 0},
                               "color": _COLOR}}]},
            "background": {"anyOf": [{"type": "null"}, {
                "type": "object", "additionalProperties": False,
                "properties": {"color": _COLOR, "padding": {"type": "number", "minimum": 0},
                               "radius": {"type": "number", "minimum": 0}}}]}},
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
