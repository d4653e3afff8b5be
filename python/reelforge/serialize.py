"""Scenes as data: :class:`~reelforge.Scene` to and from JSON-compatible dicts and JSON files.

A scene document is a JSON object validated against a published JSON Schema (Draft 2020-12,
shipped as ``reelforge/schema/scene.schema.json``; :func:`schema` builds the same schema from the
registry below)::

    {
      "version": 1, "width": 1280, "height": 720, "fps": 30, "duration": 5,
      "background": "#101020",
      "variables": {"title": "Hello"},
      "layers": [
        {"kind": "solid", "name": "bar", "color": "tomato", "width": 400, "height": 80,
         "keyframes": {"x": [{"t": 0, "value": -400, "easing": "ease_out"}, {"t": 1, "value": 40}]}},
        {"kind": "text", "name": "title", "text": "${title}", "size_px": 64, "x": 60, "y": 60}
      ],
      "audio": [{"path": "music.mp3", "gain_db": -6, "fade_out": 1}],
      "export": {"video_codec": "h264", "quality": "high"}
    }

* Every layer has a ``kind`` (see :data:`LAYER_KINDS`), a ``name``, ``start``/``end`` (seconds)
  and ``blend``; its animatable properties (:data:`reelforge.PROPERTIES`) are numbers
  (constants), lists of numbers (one value per frame of the scene, ``frame_count`` long) or
  keyframes under ``"keyframes"``: ``[{"t": seconds, "value": v, "easing": e}, ...]`` (or
  ``[t, v]`` / ``[t, v, e]`` arrays), ``easing`` being a name of :data:`reelforge.easing.NAMES`,
  ``{"cubic_bezier": [x1, y1, x2, y2]}`` or ``{"spring": {"stiffness": k, "damping": c, "mass": m}}``
  and applying to the segment that starts at that keyframe.
* Colours are CSS strings (``"#rrggbb[aa]"``, names, ``rgb()``, ``hsl()``) or ``[r, g, b(, a)]``
  in 0-255. fps is a number or an exact ``"30000/1001"``.
* Relative media paths are relative to the document's folder (:func:`load`) or ``base_dir``.
* ``export`` holds :class:`~reelforge.Exporter` keyword arguments; they are kept on the scene as
  ``scene.export_settings`` (the ``reelforge render`` command uses them).
* ``variables`` gives defaults of the ``${name}`` template variables (:mod:`reelforge.templating`).

Callables (``layer.set("x", lambda t: ...)``) and custom easing functions are not data: writing
a scene holding one raises :class:`NotSerializableError` naming the layer and property; sample it
first (``layer.set("x", f(scene.frame_times()))``).

Invalid documents raise :class:`~reelforge.errors.SceneError` whose message starts with the
JSON path of the offending value, e.g. ``layers[2].keyframes.x[1].easing: ...``.

Extending (other layer kinds, layer features such as effects or masks, audio-clip features,
export settings): see :func:`register_layer_kind`, :func:`register_feature` and
:func:`register_export_setting`; then regenerate the shipped schema with
``python scripts/gen_schema.py`` (``tests/test_serialize.py`` checks that it is current).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterator, Literal, Mapping

import numpy as np

from . import easing as _easing
from . import scene as _scene
from .errors import ReelforgeError, SceneError, SceneTypeError
from .templating import JsonPath, escape, format_path, substitute

__all__ = ["to_dict", "from_dict", "load", "save", "validate", "problems", "schema", "SCHEMA_PATH", "SCHEMA_VERSION",
           "NotSerializableError", "register_layer_kind", "register_feature", "register_export_setting",
           "register_layer_property", "LAYER_PROPERTIES", "register_layer_owner", "LAYER_OWNERS",
           "LayerKindEntry", "FeatureEntry", "LAYER_KINDS", "FEATURES", "EXPORT_SETTINGS", "Writer", "Reader"]

#: Version of the document format written by :func:`to_dict` (the ``version`` field).
SCHEMA_VERSION = 1
#: The schema's ``$id`` (a URN: the schema is a file of the package, not something to download).
SCHEMA_ID = "urn:reelforge:scene-schema:1"
#: The published schema file inside the package.
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "scene.schema.json"
#: Draft of the JSON Schema language the schema is written in.
DRAFT = "https://json-schema.org/draft/2020-12/schema"

Json = Any  # a JSON-compatible value: dict, list, str, int, float, bool or None


class NotSerializableError(SceneTypeError):
    """A scene holds something that is not data (a callable property, a custom easing function);
    the message names the layer or clip, the property and how to make it data."""


# -- registry ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class LayerKindEntry:
    """How one kind of layer becomes data and back (see :func:`register_layer_kind`).

    Attributes:
        kind: the document's ``"kind"`` string, e.g. ``"text"``.
        matches: ``matches(layer) -> bool``: whether a :class:`~reelforge.Layer` is of this kind
            (entries are tried from the most recently registered, so specific kinds win).
        to_dict: ``to_dict(layer, writer) -> dict``: the kind's own fields (not the common ones:
            kind, name, start, end, blend, properties, keyframes and registered features).
        from_dict: ``from_dict(scene, d, reader) -> Layer``: add the layer to ``scene`` from the
            layer's whole dict ``d`` (``reader.span(d)`` gives ``name``, ``start``, ``end``); the
            common fields are applied afterwards (to each layer when it returns a list).
        fields: JSON Schema of each own field (the ``properties`` of the kind's schema).
        required: own fields that must be present.
        derived: ``derived(layer) -> {property: value}``: property values the kind computes
            itself when the layer is built (a text layer's size); :func:`to_dict` leaves out
            properties equal to them, so templated content can change them.
        description: one line for the schema.
        extra: more JSON Schema keywords for the kind's schema (e.g. ``oneOf`` of two fields).
        properties: the kind's own animatable properties (beyond :data:`reelforge.PROPERTIES`),
            written and read like the common ones (constants, per-frame lists, keyframes) through
            ``layer.set`` / ``layer.animate``; e.g. a shape's ``stroke_end``.
    """

    kind: str
    matches: Callable[[Any], bool]
    to_dict: Callable[[Any, "Writer"], dict[str, Json]]
    from_dict: Callable[[Any, dict[str, Json], "Reader"], Any]
    fields: dict[str, Json]
    required: tuple[str, ...] = ()
    derived: Callable[[Any], dict[str, float]] | None = None
    description: str = ""
    extra: dict[str, Json] = field(default_factory=dict)
    properties: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeatureEntry:
    """An optional field of a layer, an audio clip or the scene (see :func:`register_feature`).

    Attributes:
        target: ``"layer"``, ``"audio"`` (an audio clip) or ``"scene"``.
        key: the field's name in the document, e.g. ``"effects"``.
        schema: JSON Schema of the field's value.
        to_dict: ``to_dict(obj, writer) -> value``, or None when ``obj`` does not use the feature
            (the field is then left out).
        apply: ``apply(obj, value, reader)``: give ``obj`` (already built, common fields applied)
            the feature; ``reader.scene`` is the scene being built.
        properties: layer properties the field stands for (``border_color``'s ``border_r`` ...):
            written and read only through it, never as common fields.
    """

    target: Literal["layer", "audio", "scene"]
    key: str
    schema: dict[str, Json]
    to_dict: Callable[[Any, "Writer"], Json | None]
    apply: Callable[[Any, Json, "Reader"], None]
    properties: tuple[str, ...] = ()


#: Registered layer kinds by ``kind`` name.
LAYER_KINDS: dict[str, LayerKindEntry] = {}
#: Registered features by ``(target, key)``.
FEATURES: dict[tuple[str, str], FeatureEntry] = {}
#: Exporter keyword arguments allowed under ``"export"``, with their JSON Schema.
EXPORT_SETTINGS: dict[str, dict[str, Json]] = {}


def register_layer_kind(entry: LayerKindEntry) -> LayerKindEntry:
    """Register (or replace) a layer kind; returns ``entry``.

    Example (a branch adding ``Scene.add_shape``)::

        register_layer_kind(LayerKindEntry(
            kind="shape", matches=lambda layer: getattr(layer, "shape", None) is not None,
            to_dict=lambda layer, w: {"shape": layer.shape.to_dict(), "fill": w.color(layer.fill)},
            from_dict=lambda scene, d, r: scene.add_shape(Shape.from_dict(d["shape"]), fill=d.get("fill"),
                                                          **r.span(d)),
            fields={"shape": {"type": "object"}, "fill": {"$ref": "#/$defs/color"}}, required=("shape",)))
    """
    if not isinstance(entry, LayerKindEntry):
        raise SceneTypeError(f"register_layer_kind: expected a LayerKindEntry, got {type(entry).__name__}")
    clash = set(entry.fields) & (set(_COMMON_LAYER_FIELDS) | set(_property_names()))
    if clash:
        raise SceneError(f"register_layer_kind({entry.kind!r}): fields {sorted(clash)} clash with common layer fields")
    LAYER_KINDS.pop(entry.kind, None)
    LAYER_KINDS[entry.kind] = entry
    return entry


def register_feature(entry: FeatureEntry) -> FeatureEntry:
    """Register (or replace) an optional feature field; returns ``entry``.

    Example (effects on layers)::

        register_feature(FeatureEntry(
            target="layer", key="effects", schema={"type": "array", "items": {"type": "object"}},
            to_dict=lambda layer, w: [e.to_dict(w) for e in layer.effects] or None,
            apply=lambda layer, value, r: [layer.add_effect(effect_from_dict(v, r)) for v in value]))
    """
    if not isinstance(entry, FeatureEntry):
        raise SceneTypeError(f"register_feature: expected a FeatureEntry, got {type(entry).__name__}")
    if entry.target not in ("layer", "audio", "scene"):
        raise SceneError(f"register_feature: target must be 'layer', 'audio' or 'scene', got {entry.target!r}")
    FEATURES[(entry.target, entry.key)] = entry
    return entry


#: Export settings that are file paths (resolved against the document's folder when read).
EXPORT_PATHS: set[str] = set()


def register_export_setting(name: str, value_schema: dict[str, Json], *, path: bool = False) -> None:
    """Allow the :class:`~reelforge.Exporter` keyword argument ``name`` under ``"export"``
    (``path=True``: a file path, relative to the document's folder)."""
    EXPORT_SETTINGS[name] = value_schema
    if path:
        EXPORT_PATHS.add(name)


def _features(target: str) -> list[FeatureEntry]:
    return [f for (t, _k), f in FEATURES.items() if t == target]


def _write_features(target: str, obj: Any, w: "Writer", d: dict[str, Json]) -> None:
    """Add the fields of ``target``'s features that ``obj`` uses to its dict ``d``."""
    for f in _features(target):
        v = f.to_dict(obj, w)
        if v is not None:
            d[f.key] = v


def _apply_features(target: str, obj: Any, d: Mapping[str, Json], r: "Reader") -> None:
    """Give ``obj`` the ``target`` features whose fields its dict ``d`` has (errors name the field)."""
    for f in _features(target):
        if f.key in d:
            with r.at(f.key):
                f.apply(obj, d[f.key], r)


#: Common animatable layer properties that optional features add to :data:`reelforge.PROPERTIES`
#: (name -> description), so that the schema is the same whether or not a build has them.
LAYER_PROPERTIES: dict[str, str] = {}


def register_layer_property(name: str, description: str) -> None:
    """Declare a numeric animatable property of every layer (e.g. ``corner_radius``) that a
    feature adds to :data:`reelforge.PROPERTIES`; written and read like ``x``."""
    LAYER_PROPERTIES[name] = description


def _all_properties() -> dict[str, str]:
    return {**_scene.PROPERTIES, **LAYER_PROPERTIES}


def _property_names() -> list[str]:
    """Animatable properties read from a layer dict (features' own fields, and the properties
    they stand for, excluded)."""
    owned = {p for (t, _k), f in FEATURES.items() if t == "layer" for p in f.properties}
    return [p for p in _all_properties() if ("layer", p) not in FEATURES and p not in owned]


def _numeric_properties() -> list[str]:
    """Properties written per layer; "scale" and "crop" are inputs only (written as their parts)."""
    return [p for p in _property_names() if p not in ("scale", "crop")]


_COMMON_LAYER_FIELDS = ("kind", "name", "start", "end", "blend", "keyframes")


# -- writing -----------------------------------------------------------------------------------

@dataclass
class Writer:
    """Helpers for entries' ``to_dict``: paths, colours and animatable values as data.

    Attributes:
        scene: the scene being written.
        base_dir: folder that relative paths are written against (None: absolute paths).
    """

    scene: Any
    base_dir: str | None = None

    def path(self, p: str) -> str:
        """A media path as written: relative to ``base_dir`` when it lies inside it, else absolute."""
        a = os.path.abspath(p)
        if self.base_dir is not None:
            rel = os.path.relpath(a, self.base_dir)
            if not rel.startswith(os.pardir + os.sep) and rel != os.pardir:
                return rel
        return a

    @staticmethod
    def color(rgba: Any) -> Json:
        """Straight RGBA floats in 0..1 -> ``"#rrggbbaa"`` when exact, else ``[r, g, b, a]`` in 0-255."""
        comps = [float(c) for c in rgba]
        if all(round(c * 255) / 255 == c for c in comps):
            return "#" + "".join(f"{round(c * 255):02x}" for c in comps)
        return [c * 255.0 for c in comps]

    @staticmethod
    def easing(e: Any, what: str) -> Json:
        """An easing (name or object) as data. Raises NotSerializableError for custom functions."""
        e = _easing.get(e)
        name: str = e.name
        if name in _easing.NAMES and _easing.get(name) is e:
            return name
        if isinstance(e, _easing.Spring):
            return {"spring": {"stiffness": e.stiffness, "damping": e.damping, "mass": e.mass}}
        if isinstance(e, _easing.CubicBezier):
            return {"cubic_bezier": [e.x1, e.y1, e.x2, e.y2]}
        raise NotSerializableError(f"{what}: easing {e!r} is a custom function, which cannot be written as data; use "
                                   f"a named easing, cubic_bezier(...) or spring(...)")

    def keyframes(self, kf: Any, what: str) -> list[Json]:
        """A ``_Keyframes`` (keyframes + default easing) as a list of ``{"t", "value", "easing"}``;
        each keyframe gets its effective easing (left out when linear)."""
        out: list[Json] = []
        for i, k in enumerate(kf.keyframes):
            e = k[2] if len(k) == 3 and k[2] is not None else kf.easing
            item: dict[str, Json] = {"t": float(k[0]), "value": float(k[1])}
            name = self.easing(e, f"{what} keyframe {i}")
            if name != "linear":
                item["easing"] = name
            out.append(item)
        return out

    def scene_dict(self, scene: Any) -> dict[str, Json]:
        """A (nested) scene as a document, paths written like this writer's."""
        return _scene_dict(scene, Writer(scene, self.base_dir))

    def animatable(self, value: Any, what: str) -> tuple[Json | None, list[Json] | None]:
        """``(constant_or_list, None)`` or ``(None, keyframes)`` for a property value. A source
        computed from the scene (an audio feature: an object with ``frame_values(scene)``) is
        written as its per-frame values. Raises NotSerializableError for a callable, naming
        ``what``."""
        if isinstance(value, _scene._Keyframes):
            return None, self.keyframes(value, what)
        if hasattr(value, "frame_values"):
            return [float(v) for v in np.asarray(value.frame_values(self.scene), dtype=np.float64).ravel()], None
        if callable(value):
            fn = getattr(value, "__name__", type(value).__name__)
            raise NotSerializableError(f"{what} is a callable ({fn}), which cannot be written as data; sample it "
                                       f"into a per-frame array first, e.g. layer.set(name, "
                                       f"f(scene.frame_times()))")
        if _scene._is_per_frame(value):
            arr = np.asarray(value, dtype=np.float64).ravel()
            return [float(v) for v in arr], None
        return float(value), None


def to_dict(scene: Any, *, base_dir: str | os.PathLike[str] | None = None) -> dict[str, Json]:
    """The scene as a JSON-compatible dict (see the module documentation for the format).

    Parameters
    ----------
    scene : Scene
    base_dir : path, optional
        Media paths inside this folder are written relative to it (:func:`save` passes the
        file's folder); others, and all paths when None, are written absolute.

    Returns
    -------
    dict
        Strings holding ``${`` are written ``$${`` (a template escape). A document that
        :func:`from_dict` turns back into an equivalent scene (the same frames
        and audio), valid against :func:`schema`.

    Raises
    ------
    NotSerializableError
        A property is a callable, or an easing a custom function (the layer and property named).
    SceneError
        A layer of a kind no entry matches.
    """
    w = Writer(scene, None if base_dir is None else os.path.abspath(os.fspath(base_dir)))
    out: dict[str, Json] = escape(w.scene_dict(scene))  # literal "${" in text or paths: not a template variable
    return out


def _scene_dict(scene: Any, w: Writer) -> dict[str, Json]:
    fps = Fraction(scene.fps)
    doc: dict[str, Json] = {
        "version": SCHEMA_VERSION, "width": int(scene.width), "height": int(scene.height),
        "fps": int(fps) if fps.denominator == 1 else f"{fps.numerator}/{fps.denominator}",
        "duration": float(scene.duration), "background": w.color(scene.background),
        "layers": [_layer_to_dict(layer, w) for layer in _owners(scene.layers)],
        "audio": [_clip_to_dict(clip, w) for clip in scene.audio],
    }
    settings = {k: w.path(v) if k in EXPORT_PATHS and isinstance(v, str) else v
                for k, v in (getattr(scene, "export_settings", None) or {}).items()}
    if settings:
        doc["export"] = _jsonable(settings, "export settings")
    _write_features("scene", scene, w, doc)
    return doc


#: Functions ``owner(layer) -> Layer | None``: a layer of the stack that stands for another one
#: (a word of a word-animated text stands for the text layer), written once as that owner.
LAYER_OWNERS: list[Callable[[Any], Any]] = []


def register_layer_owner(fn: Callable[[Any], Any]) -> None:
    """Register ``fn(layer) -> owner or None`` (see :data:`LAYER_OWNERS`)."""
    LAYER_OWNERS.append(fn)


def _owners(layers: list[Any]) -> list[Any]:
    out: list[Any] = []
    for layer in layers:
        owner = next((o for o in (fn(layer) for fn in LAYER_OWNERS) if o is not None), layer)
        if not any(owner is x for x in out):
            out.append(owner)
    return out


def _jsonable(value: Any, what: str) -> Json:
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as e:
        raise NotSerializableError(f"{what}: {e}") from None


def _kind_of(layer: Any) -> LayerKindEntry:
    for entry in reversed(list(LAYER_KINDS.values())):
        if entry.matches(layer):
            return entry
    raise SceneError(f"layer {layer.name!r}: no serialisation entry for this kind of layer ({layer.kind!r}); "
                     f"see reelforge.serialize.register_layer_kind")


def layer_to_dict(layer: Any, w: Writer) -> dict[str, Json]:
    """One layer as a dict (a group's members and masks are written with it)."""
    return _layer_to_dict(layer, w)


def _layer_to_dict(layer: Any, w: Writer) -> dict[str, Json]:
    entry = _kind_of(layer)
    d: dict[str, Json] = {"kind": entry.kind, "name": layer.name, "start": float(layer.start)}
    if layer.end is not None:
        d["end"] = float(layer.end)
    if layer.blend != "normal":
        d["blend"] = layer.blend
    d.update(entry.to_dict(layer, w))
    defaults = dict(_scene.Scene._DEFAULTS)
    if entry.derived is not None:
        defaults.update(entry.derived(layer))
    keyframes: dict[str, Json] = {}
    for prop in _numeric_properties() + list(entry.properties):
        if prop not in layer._props:
            continue
        value, kf = w.animatable(layer._props[prop], f"layer {layer.name!r} property {prop!r}")
        if kf is not None:
            keyframes[prop] = kf
        elif not (isinstance(value, float) and prop in defaults and value == defaults[prop]):
            d[prop] = value
    if keyframes:
        d["keyframes"] = keyframes
    _write_features("layer", layer, w, d)
    return d


def _clip_to_dict(clip: Any, w: Writer) -> dict[str, Json]:
    d: dict[str, Json] = {"path": w.path(clip.path), "start": float(clip.start)}
    for key, default in (("trim_start", 0.0), ("duration", None), ("gain_db", 0.0), ("fade_in", 0.0),
                         ("fade_out", 0.0), ("loop", False)):
        v = getattr(clip, key)
        if v != default:
            d[key] = v if isinstance(v, bool) else float(v)
    gain = getattr(clip, "_gain", None)
    if gain is not None:
        value, kf = w.animatable(gain, clip._what())
        if kf is not None:
            d["keyframes"] = {"gain_db": kf}
        else:
            d["gain_db"] = value  # a per-frame table (AudioClip.set), replacing the constant
    _write_features("audio", clip, w, d)
    return d


# -- reading -----------------------------------------------------------------------------------

@dataclass
class Reader:
    """Helpers for entries' ``from_dict`` and features' ``apply``.

    Attributes:
        scene: the scene being built.
        base_dir: folder that relative media paths are resolved against.
        where: the JSON path of the object being read (for error messages).
    """

    scene: Any
    base_dir: str
    where: JsonPath = ()
    deferred: list[tuple[JsonPath, Callable[[], None]]] = field(default_factory=list)

    def defer(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once every layer and clip exists (e.g. a clip ducked under later clips),
        its errors prefixed with the current JSON path."""
        self.deferred.append((self.where, fn))

    def run_deferred(self) -> None:
        saved = self.where
        for where, fn in self.deferred:
            self.where = ()
            with self.at(*where):
                fn()
        self.where, self.deferred = saved, []

    def layer(self, d: dict[str, Json], *where: str | int) -> Any:
        """Build the layer dict ``d`` (at ``where`` under the current path) into the scene, as a
        layer of ``layers`` is; returns it (a group's member, a mask)."""
        with self.at(*where):
            return _layer_from_dict(d, self)

    def path(self, p: str) -> str:
        """A media path from the document, resolved against ``base_dir`` when relative."""
        p = os.path.expanduser(p)
        return p if os.path.isabs(p) else os.path.join(self.base_dir, p)

    def media(self, d: Mapping[str, Json], key: str = "path") -> str:
        """``d[key]`` resolved (:meth:`path`) and checked to be an existing file; errors name the
        JSON path of the field (MediaNotFoundError for a missing file)."""
        with self.at(key):
            return str(_scene._check_path(self.path(d[key]), "media file"))

    @staticmethod
    def span(d: Mapping[str, Json]) -> dict[str, Any]:
        """``name``, ``start`` and ``end`` keyword arguments of an ``add_*`` call from a layer dict."""
        return {"name": d.get("name"), "start": d.get("start", 0.0), "end": d.get("end")}

    @contextlib.contextmanager
    def at(self, *parts: str | int) -> Iterator["Reader"]:
        """Within the block, errors are prefixed with the JSON path ``where + parts``."""
        saved = self.where
        self.where = saved + parts
        try:
            yield self
        except ReelforgeError as e:
            raise _at(e, self.where) from e.__cause__
        except (ValueError, TypeError, AttributeError) as e:  # AttributeError: a feature this build lacks
            raise SceneError(f"{format_path(self.where)}: {e}") from e
        finally:
            self.where = saved

    @staticmethod
    def keyframes(items: list[Json]) -> list[tuple[Any, ...]]:
        """Keyframes from the document (objects or arrays) as ``(t, value[, easing])`` tuples."""
        out: list[tuple[Any, ...]] = []
        for k in items:
            if isinstance(k, dict):
                e = k.get("easing")
                out.append((k["t"], k["value"]) if e is None else (k["t"], k["value"], Reader.easing(e)))
            else:
                out.append(tuple(k[:2]) if len(k) == 2 else (k[0], k[1], Reader.easing(k[2])))
        return out

    @staticmethod
    def easing(e: Json) -> Any:
        """An easing from the document: a name, ``{"cubic_bezier": [...]}`` or ``{"spring": {...}}``."""
        if isinstance(e, dict) and "cubic_bezier" in e:
            return _easing.cubic_bezier(*e["cubic_bezier"])
        if isinstance(e, dict) and "spring" in e:
            return _easing.spring(**e["spring"])
        return _easing.get(e)

    def animate(self, obj: Any, d: Mapping[str, Json], names: list[str]) -> None:
        """Apply constants / per-frame lists ``d[name]`` and ``d["keyframes"][name]`` to ``obj``
        through ``obj.set`` / ``obj.animate``, errors naming the JSON path of each."""
        for name in names:
            if name in d:
                with self.at(name):
                    obj.set(name, d[name])
        for name, items in (d.get("keyframes") or {}).items():
            with self.at("keyframes", name):
                if name in d:
                    raise SceneError(f"{name!r} is given both as a value and as keyframes; keep one")
                for i, k in enumerate(items):
                    with self.at(i):
                        self.keyframes([k])
                obj.animate(name, self.keyframes(items))


def _at(e: ReelforgeError, where: JsonPath) -> ReelforgeError:
    """``e`` re-made with the JSON path in front of its message (once)."""
    prefix = format_path(where)
    msg = str(e)
    if msg.startswith(prefix) or not where:
        return e
    try:
        return type(e)(f"{prefix}: {msg}")
    except TypeError:
        return SceneError(f"{prefix}: {msg}")


def from_dict(data: Mapping[str, Json], *, variables: Mapping[str, Any] | None = None,
              base_dir: str | os.PathLike[str] | None = None) -> _scene.Scene:
    """Build a :class:`~reelforge.Scene` from a document (see the module documentation).

    Parameters
    ----------
    data : dict
        The document (as :func:`to_dict` writes it, or by hand); not modified.
    variables : mapping, optional
        Template variables (``${name}``), over the document's own ``"variables"`` defaults.
    base_dir : path, optional
        Folder that relative media paths are resolved against (default: the current folder).

    Returns
    -------
    Scene
        With ``scene.export_settings`` set from ``"export"`` (an empty dict when absent).

    Raises
    ------
    SceneError
        The document does not match the schema, or a value is invalid for the scene (e.g. a
        per-frame list of the wrong length, keyframes out of order, an unset template
        variable); the message starts with the JSON path, e.g. ``layers[2].keyframes.x[1]``.
    SceneTypeError
        ``data`` is not a dict.
    MediaNotFoundError, MediaError
        A media file is missing or unreadable (the JSON path and the file named).
    """
    if not isinstance(data, Mapping):
        raise SceneTypeError(f"a scene document must be a JSON object (dict), got {type(data).__name__}")
    doc = dict(data)
    defaults = doc.pop("variables", None) or {}
    if not isinstance(defaults, dict):
        raise SceneError(f"variables: must be an object of name -> value, got {type(defaults).__name__}")
    doc, whole = substitute(doc, {**defaults, **(variables or {})})
    doc = _schema.validated(doc, whole)
    return build(doc, os.path.abspath(os.fspath(base_dir)) if base_dir is not None else os.getcwd())


def build(doc: Mapping[str, Json], base_dir: str, where: JsonPath = ()) -> _scene.Scene:
    """The scene of a document already templated and validated (:func:`from_dict` does both);
    ``where``: its JSON path when it is nested in another document (a nested scene's layer)."""
    r = Reader(None, base_dir, where)
    with r.at():
        r.scene = _scene.Scene(int(doc["width"]), int(doc["height"]), fps=_fps(doc.get("fps", 30)),
                               duration=doc["duration"], background=doc.get("background", (0, 0, 0, 255)))
    scene: _scene.Scene = r.scene
    for i, ld in enumerate(doc.get("layers", [])):
        with r.at("layers", i):
            _layer_from_dict(ld, r)
    for i, cd in enumerate(doc.get("audio", [])):
        with r.at("audio", i):
            _clip_from_dict(cd, r)
    r.run_deferred()
    scene.export_settings = {k: r.path(v) if k in EXPORT_PATHS and isinstance(v, str) else
                             _integral(v, EXPORT_SETTINGS.get(k, {})) for k, v in doc.get("export", {}).items()}
    _apply_features("scene", scene, doc, r)
    return scene


def _integral(v: Json, value_schema: Mapping[str, Json]) -> Json:
    """JSON Schema's integers include ``20.0``; Python APIs want ``int``: convert where the
    schema says integer (also the items of an array of integers)."""
    if value_schema.get("type") == "integer" and isinstance(v, float):
        return int(v)
    items = value_schema.get("items")
    if isinstance(v, list) and isinstance(items, dict):
        return [_integral(x, items) for x in v]
    return v


def _fps(v: Json) -> Any:
    return Fraction(v) if isinstance(v, str) else v


def _layer_from_dict(ld: dict[str, Json], r: Reader) -> Any:
    entry = LAYER_KINDS[ld["kind"]]
    made = entry.from_dict(r.scene, ld, r)
    for layer in made if isinstance(made, list) else [made]:  # a kind may add several (subtitle cues)
        if "blend" in ld:
            layer.blend = ld["blend"]
        r.animate(layer, ld, _property_names() + list(entry.properties))
        _apply_features("layer", layer, ld, r)
    return made


def _clip_from_dict(cd: dict[str, Json], r: Reader) -> None:
    kw = {k: cd[k] for k in ("start", "trim_start", "duration", "gain_db", "fade_in", "fade_out", "loop") if k in cd}
    table = kw.pop("gain_db") if isinstance(kw.get("gain_db"), list) else None
    path = r.media(cd)
    clip = r.scene.add_audio(path, **kw)
    if table is not None:
        with r.at("gain_db"):
            clip.set("gain_db", table)
    for name, items in (cd.get("keyframes") or {}).items():
        with r.at("keyframes", name):
            clip.animate(name, r.keyframes(items))
    _apply_features("audio", clip, cd, r)


# -- files -------------------------------------------------------------------------------------

def load(path: str | os.PathLike[str], *, variables: Mapping[str, Any] | None = None) -> _scene.Scene:
    """Read a scene from a JSON file (see :func:`from_dict`); relative media paths are relative to
    the file's folder. Raises FileNotFoundError, SceneError (invalid JSON: line and column; or
    an invalid document: the JSON path)."""
    p = os.fspath(path)
    return from_dict(read_json(p), variables=variables, base_dir=os.path.dirname(os.path.abspath(p)))


def read_json(path: str) -> Json:
    """The parsed JSON of ``path``. Raises FileNotFoundError, SceneError naming line and column."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"scene file not found: {path!r}") from None
    except UnicodeDecodeError as e:
        raise SceneError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise SceneError(f"{path}:{e.lineno}:{e.colno}: invalid JSON: {e.msg}") from None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON (numbers must be finite)")


def save(scene: Any, path: str | os.PathLike[str], *, indent: int | None = 2) -> str:
    """Write the scene as a JSON file (:func:`to_dict`; media paths inside the file's folder are
    written relative to it). The file is written under a temporary name and renamed, so a
    failure leaves no partial file. Returns the path. Raises NotSerializableError."""
    p = os.fspath(path)
    doc = to_dict(scene, base_dir=os.path.dirname(os.path.abspath(p)))
    text = json.dumps(doc, indent=indent, allow_nan=False, ensure_ascii=False) + "\n"
    tmp = f"{p}.tmp{os.getpid()}"
    try:
        Path(tmp).write_text(text, encoding="utf-8")
        os.replace(tmp, p)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return p


# -- schema and validation (_serialize_schema.py) -------------------------------------------------

def schema() -> dict[str, Json]:
    """The JSON Schema (Draft 2020-12) of scene documents, built from the registry (the shipped
    file :data:`SCHEMA_PATH` holds the same)."""
    return _schema.schema()


def validate(data: Json) -> list[str]:
    """Every schema problem of a document as it stands (no templating), as
    ``"json.path: message"`` strings; empty when valid. Semantic checks (keyframe order, lengths
    of per-frame lists, media files) happen in :func:`from_dict`."""
    return _schema.listed(list(_schema.validator().iter_errors(data)))


def problems(data: Json, *, variables: Mapping[str, Any] | None = None) -> list[str]:
    """Like :func:`validate`, after filling the template variables as :func:`from_dict` does
    (an unset variable is a problem too)."""
    if not isinstance(data, Mapping):
        return [f"(document): a scene document must be a JSON object, got {type(data).__name__}"]
    doc = dict(data)
    defaults = doc.pop("variables", None) or {}
    if not isinstance(defaults, dict):
        return ["variables: must be an object of name -> value"]
    try:
        doc, whole = substitute(doc, {**defaults, **(variables or {})})
    except SceneError as e:
        return [str(e)]
    return _schema.listed(_schema.coerced(doc, whole)[1])


def write_schema(path: str | os.PathLike[str] = SCHEMA_PATH) -> str:
    """Write :func:`schema` as JSON to ``path`` (the shipped file by default); returns the path."""
    text = json.dumps(schema(), indent=2, sort_keys=False) + "\n"
    Path(path).write_text(text, encoding="utf-8")
    return os.fspath(path)


def image_to_data_uri(rgba: np.ndarray) -> str:
    """A uint8 ``(h, w, 4)`` array as a lossless ``data:image/png;base64,...`` URI (Pillow)."""
    from PIL import Image
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba), "RGBA").save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def image_from_data_uri(uri: str) -> np.ndarray:
    """The uint8 ``(h, w, 4)`` RGBA pixels of a ``data:image/...;base64,`` URI. Raises SceneError."""
    from PIL import Image
    head, sep, payload = uri.partition(",")
    if not sep or not head.startswith("data:image/") or not head.endswith(";base64"):
        raise SceneError("expected a 'data:image/png;base64,...' URI")
    try:
        with Image.open(io.BytesIO(base64.b64decode(payload, validate=True))) as im:
            rgba: np.ndarray = np.asarray(im.convert("RGBA"), dtype=np.uint8).copy()
            return rgba
    except (ValueError, OSError) as e:
        raise SceneError(f"the embedded image cannot be decoded: {e}") from None


from . import _serialize_schema as _schema  # noqa: E402  (uses the registry above)
from . import _serialize_kinds, _serialize_features, _serialize_graph, _serialize_shapes  # noqa: E402,F401,I001
from . import _serialize_transitions  # noqa: E402,F401
