"""Scenes as data (reelforge.serialize): round trips render identical frames and audio, schema errors
name the JSON path, templating, the shipped JSON Schema."""

from __future__ import annotations

import json
import os
from fractions import Fraction

import jsonschema
import numpy as np
import pytest

import reelforge as rf
from reelforge import _core, serialize, templating


@pytest.fixture
def font(any_font):
    return any_font  # tests/conftest.py


@pytest.fixture
def tone(lavfi):
    return lavfi.file("tone_660.wav", ["-f", "lavfi", "-i", "sine=frequency=660:sample_rate=48000:duration=0.7"])


def every_feature_scene(lavfi, font, tone) -> rf.Scene:
    """One scene using every layer kind, property form, easing form, audio and export setting."""
    s = rf.Scene(96, 64, fps=Fraction(24000, 1001), duration=1.0, background="#102030")
    n = s.frame_count
    bar = s.add_solid("tomato", width=40, height=20, name="bar")
    bar.animate("x", [(0, -10), (0.3, 30, rf.cubic_bezier(0.2, 1.4, 0.6, 1)), (0.6, 50, "step"), (0.9, 20)],
                easing="ease_in_out")
    bar.animate("y", [(0, 5), (0.8, 40)], easing=rf.spring(stiffness=80, damping=6))
    bar.set("rotation", np.linspace(0, 90, n))           # per-frame numpy array
    bar.set("opacity", [0.5 + 0.5 * (i % 2) for i in range(n)])  # per-frame list
    bar.set("crop", (0.1, 0.0, 0.2, 0.05))
    bar.set("anchor_x", 0.5)
    bar.blend = "screen"
    pix = np.zeros((12, 16, 4), np.uint8)
    pix[..., 0] = np.arange(16) * 16
    pix[..., 1] = np.arange(12)[:, None] * 20
    pix[..., 3] = 200
    s.add_image(pix, x=60, y=4, name="pixels", start=0.1, end=0.8).set("scale", 1.5)
    s.add_image(lavfi.png, width=32, x=2, y=30, name="png").animate("opacity", [(0, 1), (1, 0.2)], easing="ease_out")
    vid = s.add_video(lavfi.video, trim_start=0.2, width=48, height=27, x=40, y=30, audio=True, gain_db=-3,
                      name="clip")
    vid.blend = "multiply"
    vid.set("scale_x", lambda t: 1 + 0 * t) if False else None  # (callables are tested separately)
    txt = s.add_text("Hi ${not a var}", font=font, size_px=14, color=(255, 255, 0), anchor="center",
                     align="center", x=48, y=32, name="title")
    txt.animate("rotation", [(0, -5), (1, 5)])
    clip = s.add_audio(tone, start=0.1, fade_in=0.05, fade_out=0.2, loop=True, duration=0.8)
    clip.animate("gain_db", [(0, -12), (0.5, 0, "ease_in"), (1, -6)])
    s.export_settings = {"video_codec": "h264", "quality": "high", "preset": "ultrafast"}
    return s


def rendered(scene, frames):
    r = rf.Renderer(scene)
    return [r.render_frame(i) for i in frames]


def test_round_trip_renders_identical_frames_and_audio(lavfi, font, tone, tmp_path):
    a = every_feature_scene(lavfi, font, tone)
    doc = a.to_dict()
    assert serialize.validate(doc) == []
    text = json.dumps(doc)  # plain JSON, nothing Python-specific left
    b = rf.Scene.from_dict(json.loads(text))
    assert b.to_dict() == doc  # a fixed point
    assert b.export_settings == a.export_settings
    assert [layer.name for layer in b.layers] == ["bar", "pixels", "png", "clip", "title"]
    frames = [0, 3, 7, 11, 16, 23]
    for i, (fa, fb) in zip(frames, zip(rendered(a, frames), rendered(b, frames))):
        assert np.array_equal(fa, fb), f"frame {i} differs"
    # The compiled tables too (every property of every layer), and the mix sample for sample.
    ta, tb = a.compile(), b.compile()
    for la, lb in zip(ta.layers, tb.layers):
        for prop in rf.Scene._DEFAULTS:
            assert np.array_equal(getattr(la.track, prop), getattr(lb.track, prop)), (la.name, prop)
        assert (la.start_frame, la.end_frame, la.blend, la.trim_start) == (lb.start_frame, lb.end_frame, lb.blend,
                                                                          lb.trim_start)
    assert np.array_equal(_core.mix_audio(ta), _core.mix_audio(tb))
    assert np.abs(_core.mix_audio(ta)).max() > 0.01  # there is sound to compare
    # And through a file, with paths written relative to it.
    path = tmp_path / "scene.json"
    a.save(path)
    c = rf.Scene.load(path)
    assert np.array_equal(rendered(c, [11])[0], rendered(a, [11])[0])


def test_document_contents(lavfi, font, tone):
    doc = every_feature_scene(lavfi, font, tone).to_dict()
    assert doc["fps"] == "24000/1001" and doc["background"] == "#102030ff"
    bar = doc["layers"][0]
    assert bar["kind"] == "solid" and bar["blend"] == "screen" and bar["color"] == "#ff6347ff"
    assert bar["keyframes"]["x"][1] == {"t": 0.3, "value": 30.0, "easing": {"cubic_bezier": [0.2, 1.4, 0.6, 1.0]}}
    assert bar["keyframes"]["x"][0]["easing"] == "ease_in_out"  # the default easing, made explicit
    assert bar["keyframes"]["x"][2]["easing"] == "step"
    assert bar["keyframes"]["y"][0]["easing"] == {"spring": {"stiffness": 80.0, "damping": 6.0, "mass": 1.0}}
    assert len(bar["rotation"]) == 24 and bar["rotation"][-1] == 90.0
    assert (bar["crop_left"], bar["crop_right"], bar["crop_bottom"]) == (0.1, 0.2, 0.05)
    assert "crop_top" not in bar and "x" not in bar  # defaults and keyframed values are not repeated
    pixels = doc["layers"][1]
    assert pixels["data"].startswith("data:image/png;base64,") and pixels["scale_x"] == 1.5
    video = doc["layers"][3]
    assert video["kind"] == "video" and video["trim_start"] == 0.2 and video["blend"] == "multiply"
    title = doc["layers"][4]
    assert title["kind"] == "text" and title["text"] == "Hi $${not a var}" and title["anchor"] == "center"
    assert "width" not in title and "anchor_x" not in title  # derived from the rendered text
    assert doc["audio"][0]["gain_db"] == -3.0  # the video's sound
    assert doc["audio"][1]["keyframes"]["gain_db"][1] == {"t": 0.5, "value": 0.0, "easing": "ease_in"}
    assert doc["export"] == {"video_codec": "h264", "quality": "high", "preset": "ultrafast"}


def test_callables_are_not_serialisable_and_say_where(font):
    s = rf.Scene(32, 32, fps=10, duration=1)
    s.add_solid("red", name="spinner").set("rotation", lambda t: 90 * t)
    with pytest.raises(serialize.NotSerializableError, match=r"layer 'spinner' property 'rotation' is a callable"):
        s.to_dict()
    s = rf.Scene(32, 32, fps=10, duration=1)
    s.add_solid("red", name="eased").animate("x", [(0, 0), (1, 10)], easing=rf.easing.Easing("mine", lambda u, d: u))
    with pytest.raises(serialize.NotSerializableError, match=r"layer 'eased' property 'x' keyframe 0: easing .*custom"):
        s.to_dict()
    assert issubclass(serialize.NotSerializableError, rf.SceneTypeError)


def small(**extra):
    return {"width": 32, "height": 32, "fps": 10, "duration": 1, **extra}


@pytest.mark.parametrize("layers, path, fragment", [
    ([{"kind": "solid", "color": "red"}, {"kind": "solid", "color": "red"},
      {"kind": "solid", "color": "red", "keyframes": {"x": [[0, 0], {"t": 1, "value": 4, "easing": "eese_in"}]}}],
     "layers[2].keyframes.x[1].easing", "eese_in"),
    ([{"kind": "solid", "color": "red", "opactiy": 0.5}], "layers[0]", "opactiy"),
    ([{"kind": "solid"}], "layers[0]", "'color' is a required property"),
    ([{"kind": "sold", "color": "red"}], "layers[0].kind", "sold"),
    ([{"kind": "text", "text": 5}], "layers[0].text", "expected array or string"),
    ([{"kind": "solid", "color": "red", "x": "left"}], "layers[0].x", "not valid"),
    ([{"kind": "solid", "color": "red", "keyframes": {"x": [{"t": 0}]}}], "layers[0].keyframes.x[0]", "value"),
    ([{"kind": "image"}], "layers[0]", "'path' is a required property; or 'data' is a required property"),
])
def test_schema_errors_name_the_json_path(layers, path, fragment):
    with pytest.raises(rf.SceneError) as ei:
        rf.Scene.from_dict(small(layers=layers))
    msg = str(ei.value)
    assert msg.startswith(path + ":"), msg
    assert fragment in msg, msg


@pytest.mark.parametrize("doc, path, fragment", [
    (small(width=33), "width", "multiple of 2"),
    (small(fps="thirty"), "fps", "does not match"),
    (small(audio=[{"path": "a.wav", "gain_db": "loud"}]), "audio[0].gain_db", "expected array or number"),
    (small(export={"video_codec": "h265"}), "export.video_codec", "h265"),
    (small(export={"crf": 20, "speed": 2}), "export", "speed"),
])
def test_schema_errors_outside_layers(doc, path, fragment):
    with pytest.raises(rf.SceneError) as ei:
        rf.Scene.from_dict(doc)
    assert str(ei.value).startswith(path + ":") and fragment in str(ei.value), str(ei.value)


def test_semantic_errors_name_the_json_path(tmp_path):
    bad = small(layers=[{"kind": "solid", "color": "red", "x": [1, 2, 3]}])  # 3 values for 10 frames
    with pytest.raises(rf.SceneError, match=r"^layers\[0\]\.x: .*shape \(3,\), expected \(10,\)"):
        rf.Scene.from_dict(bad)
    bad = small(layers=[{"kind": "solid", "color": "red", "keyframes": {"x": [[0.5, 0], [0.2, 1]]}}])
    with pytest.raises(rf.SceneError, match=r"^layers\[0\]\.keyframes\.x: .*out of order"):
        rf.Scene.from_dict(bad)
    bad = small(layers=[{"kind": "solid", "color": "red", "keyframes": {"x": [[0, 0], [1, 1, {"spring": {
        "stiffness": 1e30, "damping": 1, "mass": 1}}]]}}])
    with pytest.raises(rf.SceneError, match=r"^layers\[0\]\.keyframes\.x\[1\]: spring"):
        rf.Scene.from_dict(bad)
    bad = small(layers=[{"kind": "solid", "color": "red"}, {"kind": "solid", "color": "no-such-colour"}])
    with pytest.raises(rf.SceneError, match=r"^layers\[1\]\.color: "):
        rf.Scene.from_dict(bad)
    bad = small(layers=[{"kind": "video", "path": "missing.mp4"}])
    with pytest.raises(rf.MediaNotFoundError, match=r"^layers\[0\]\.path: .*missing\.mp4"):
        rf.Scene.from_dict(bad, base_dir=tmp_path)
    bad = small(layers=[{"kind": "solid", "color": "red", "x": 1, "keyframes": {"x": [[0, 0]]}}])
    with pytest.raises(rf.SceneError, match=r"^layers\[0\]\.keyframes\.x: 'x' is given both"):
        rf.Scene.from_dict(bad)
    (tmp_path / "broken.json").write_text('{"width": 32,\n "height": }')
    with pytest.raises(rf.SceneError, match=r"broken\.json:2:12: invalid JSON"):
        rf.Scene.load(tmp_path / "broken.json")
    with pytest.raises(rf.SceneTypeError, match="JSON object"):
        rf.Scene.from_dict([1, 2])


def test_integral_floats_and_export_settings():
    s = rf.Scene.from_dict({"width": 32.0, "height": 16, "duration": 1,
                            "export": {"crf": 20.0, "frames": [0.0, 5], "scale": 2.0}})
    assert (s.width, s.height) == (32, 16) and isinstance(s.width, int)
    assert s.export_settings == {"crf": 20, "frames": [0, 5], "scale": 2.0}
    assert isinstance(s.export_settings["crf"], int) and isinstance(s.export_settings["frames"][0], int)
    rf.Exporter(s, "unused.mp4", **s.export_settings)  # the settings are valid Exporter arguments
    # A path setting is relative to the document's folder, and written back relative to it.
    s = rf.Scene.from_dict({"width": 16, "height": 16, "duration": 1, "export": {"subtitles": "subs/a.srt"}},
                           base_dir="/data/project")
    assert s.export_settings["subtitles"] == os.path.join("/data/project", "subs/a.srt")
    assert s.to_dict(base_dir="/data/project")["export"]["subtitles"] == os.path.join("subs", "a.srt")


def test_hand_written_document_forms(font):
    doc = small(background=[0, 0, 64], fps="25/2", layers=[
        {"kind": "solid", "name": "a", "color": [255, 0, 0, 128], "width": 8, "height": 8, "scale": 2,
         "keyframes": {"x": [[0, 0], [1, 20, "ease-in"]], "y": [{"t": 0, "value": 3}]}},
        {"kind": "text", "text": "A", "font": font, "size_px": 10, "color": "white"},
    ])
    s = rf.Scene.from_dict(doc)
    assert s.fps == Fraction(25, 2) and s.frame_count == 12 and s.background[2] == pytest.approx(64 / 255)
    t = s.compile().layers[0].track
    assert t.scale_x[0] == t.scale_y[0] == 2
    ref = rf.Scene(32, 32, fps=Fraction(25, 2), duration=1)
    ref.add_solid((255, 0, 0, 128), width=8, height=8).set("scale", 2).animate("x", [(0, 0), (1, 20, "ease_in")])
    assert np.array_equal(t.x, ref.compile().layers[0].track.x)


def test_templating_fills_strings_numbers_and_reports_missing(font):
    doc = small(variables={"who": "world", "size": 10}, layers=[
        {"kind": "solid", "color": "${colour}", "width": "${w}", "height": 8, "x": "${x}",
         "keyframes": {"y": [{"t": 0, "value": "${y0}"}, [1, 20]]}},
        {"kind": "text", "name": "t", "text": "Hello ${who} $${literal} ${w}", "font": font, "size_px": "${size}"},
    ])
    s = rf.Scene.from_dict(doc, variables={"colour": "lime", "w": "12", "x": 3.5, "y0": "-4"})
    layer = s.layers[0]
    assert layer.color == rf.scene.parse_color("lime")
    assert layer._props["width"] == 12.0 and layer._props["x"] == 3.5  # "12" became a number where one is wanted
    assert s.compile().layers[0].track.y[0] == -4
    assert s.layers[1].text == "Hello world ${literal} 12"  # ... and stayed text inside text
    with pytest.raises(rf.SceneError, match=r"^layers\[0\]\.color: template variable \$\{colour\} is not set "
                                            r"\(also unset: w, x, y0\)"):
        rf.Scene.from_dict(doc)
    with pytest.raises(rf.SceneError, match=r"^layers\[0\]\.width: .*not valid"):
        rf.Scene.from_dict(doc, variables={"colour": "lime", "w": "wide", "x": 1, "y0": 0})


def test_templating_module_directly():
    out, whole = templating.substitute({"a": ["${n}", "x${n}y", "$${n}"], "b": "${s}"}, {"n": 3, "s": "7"})
    assert out == {"a": [3, "x3y", "${n}"], "b": "7"} and whole == {("b",)}
    assert templating.placeholders({"a": ["${n} ${m}", "$${z}"]}) == {"n", "m"}
    assert templating.coercible("-1.5e3") == (True, -1500.0) and templating.coercible("1x") == (False, None)
    assert templating.format_path(("layers", 2, "keyframes", "x", 1, "easing")) == "layers[2].keyframes.x[1].easing"
    with pytest.raises(rf.SceneError, match=r"not a valid variable name"):
        templating.substitute({"a": "${no spaces}"}, {})
    with pytest.raises(rf.SceneTypeError, match=r"variable 'v': value must be"):
        templating.substitute({}, {"v": [1]})


def test_shipped_schema_is_a_valid_draft_2020_12_schema_and_current():
    shipped = json.loads(serialize.SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(shipped)
    assert shipped["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert jsonschema.validators.validator_for(shipped) is jsonschema.Draft202012Validator
    assert shipped == serialize.schema(), "stale: run `python scripts/gen_schema.py`"
    # Installed with the package (a package resource, not only a file of the source tree).
    import importlib.resources
    installed = importlib.resources.files("reelforge").joinpath("schema/scene.schema.json").read_text()
    assert json.loads(installed) == shipped


def test_registry_extends_the_schema_and_round_trip():
    """A kind registered at run time is validated, written and read like the built-in ones."""
    entry = serialize.LayerKindEntry(
        kind="square", matches=lambda layer: getattr(layer, "square_side", None) is not None,
        to_dict=lambda layer, w: {"side": layer.square_side, "fill": w.color(layer.color)},
        from_dict=lambda scene, d, r: _add_square(scene, d["side"], d.get("fill", "white"), **r.span(d)),
        fields={"side": {"type": "number", "exclusiveMinimum": 0}, "fill": {"$ref": "#/$defs/color"}},
        required=("side",), derived=lambda layer: {"width": layer.square_side, "height": layer.square_side})
    feature = serialize.FeatureEntry(
        target="layer", key="tag", schema={"type": "string"},
        to_dict=lambda layer, w: getattr(layer, "tag", None), apply=lambda layer, v, r: setattr(layer, "tag", v))
    serialize.register_layer_kind(entry)
    serialize.register_feature(feature)
    try:
        s = rf.Scene(32, 32, fps=10, duration=1)
        sq = _add_square(s, 6, "blue", name="sq")
        sq.tag = "hello"
        doc = s.to_dict()
        assert doc["layers"][0] == {"kind": "square", "name": "sq", "start": 0.0, "side": 6, "fill": "#0000ffff",
                                    "tag": "hello"}
        back = rf.Scene.from_dict(doc)
        assert back.layers[0].square_side == 6 and back.layers[0].tag == "hello"
        with pytest.raises(rf.SceneError, match=r"^layers\[0\]\.side: "):
            rf.Scene.from_dict(small(layers=[{"kind": "square", "side": -1}]))
        with pytest.raises(rf.SceneError, match=r"^layers\[0\]\.tag: "):
            rf.Scene.from_dict(small(layers=[{"kind": "square", "side": 1, "tag": 5}]))
    finally:
        serialize.LAYER_KINDS.pop("square")
        serialize.FEATURES.pop(("layer", "tag"))
    with pytest.raises(rf.SceneError, match=r"^layers\[0\]\.kind: "):
        rf.Scene.from_dict(small(layers=[{"kind": "square", "side": 1}]))


def _add_square(scene, side, fill, **span):
    layer = scene.add_solid(fill, width=side, height=side, **span)
    layer.square_side = side
    return layer


# -- property-based: any scene the API builds round-trips; any document gives a scene or a SceneError

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                     suppress_health_check=[HealthCheck.too_slow])
_finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, width=32)
_easings = st.one_of(st.sampled_from(rf.easing.NAMES),
                     st.builds(rf.cubic_bezier, st.floats(0, 1), st.floats(-2, 2), st.floats(0, 1), st.floats(-2, 2)),
                     st.builds(rf.spring, st.floats(1, 500), st.floats(0.5, 50), st.floats(0.1, 5)))


@st.composite
def _keyframes(draw):
    times = sorted(draw(st.sets(st.floats(0, 2, allow_nan=False), min_size=1, max_size=4)))
    return [(t, draw(_finite)) if draw(st.booleans()) else (t, draw(_finite), draw(_easings)) for t in times]


@st.composite
def _scenes(draw):
    s = rf.Scene(32, 24, fps=draw(st.sampled_from([10, Fraction(30000, 1001), 12.5])), duration=1.0,
                 background=draw(st.tuples(*[st.integers(0, 255)] * 4)))
    n = s.frame_count
    for i in range(draw(st.integers(1, 3))):
        layer = s.add_solid(draw(st.tuples(*[st.floats(0, 255)] * 3)), name=f"l{i}", start=draw(st.floats(0, 0.5)),
                            end=draw(st.one_of(st.none(), st.floats(0.6, 2))))
        layer.blend = draw(st.sampled_from(rf.BLEND_MODES))
        for prop in draw(st.sets(st.sampled_from(["x", "y", "rotation", "scale_x", "opacity", "anchor_y"]),
                                 max_size=3)):
            form = draw(st.sampled_from(["constant", "array", "keyframes"]))
            if form == "constant":
                layer.set(prop, draw(_finite))
            elif form == "array":
                layer.set(prop, np.array(draw(st.lists(_finite, min_size=n, max_size=n))))
            else:
                layer.animate(prop, draw(_keyframes()), easing=draw(_easings))
    return s


@_SETTINGS
@given(_scenes())
def test_any_api_scene_round_trips(scene):
    doc = scene.to_dict()
    back = rf.Scene.from_dict(json.loads(json.dumps(doc)))
    assert back.to_dict() == doc
    ta, tb = scene.compile(), back.compile()
    for la, lb in zip(ta.layers, tb.layers, strict=True):
        assert (la.start_frame, la.end_frame, la.blend, list(la.color)) == (lb.start_frame, lb.end_frame, lb.blend,
                                                                            list(lb.color))
        for prop in rf.Scene._DEFAULTS:
            assert np.array_equal(getattr(la.track, prop), getattr(lb.track, prop)), (la.name, prop)
    assert list(ta.background) == list(tb.background)


_json = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-5, 100), st.floats(-10, 100),
                               st.sampled_from(["red", "x", "${v}", "ease_in", "solid", "text", "", "1/0"])),
                     lambda inner: st.one_of(st.lists(inner, max_size=4),
                                             st.dictionaries(st.sampled_from(
                                                 ["kind", "x", "t", "value", "easing", "keyframes", "color",
                                                  "width", "start", "end", "layers", "path", "cubic_bezier"]),
                                                 inner, max_size=4)), max_leaves=12)


@_SETTINGS
@given(st.fixed_dictionaries({"width": st.sampled_from([32, 33, "32", 0]), "height": st.just(16),
                              "duration": st.sampled_from([1, 0, -1, 1e9]),
                              "layers": st.lists(st.one_of(_json, st.fixed_dictionaries(
                                  {"kind": st.sampled_from(["solid", "image", "text", "video"])},
                                  optional={"color": _json, "x": _json, "keyframes": _json, "start": _json,
                                            "data": _json, "path": _json, "text": _json})), max_size=3)},
                             optional={"fps": _json, "background": _json, "export": _json, "variables": _json}))
def test_any_document_gives_a_scene_or_a_scene_error(doc):
    try:
        rf.Scene.from_dict(doc, variables={"v": "1"}, base_dir="/nonexistent")
    except rf.ReelforgeError as e:
        assert str(e) and isinstance(e, (rf.SceneError, rf.MediaError)), repr(e)


def test_media_paths_relative_to_the_document(lavfi, tmp_path):
    import shutil
    proj = tmp_path / "proj"
    (proj / "media").mkdir(parents=True)
    shutil.copy(lavfi.png, proj / "media" / "logo.png")
    s = rf.Scene(64, 48, fps=10, duration=0.5)
    s.add_image(proj / "media" / "logo.png", width=32, name="logo")
    s.save(proj / "scene.json")
    doc = json.loads((proj / "scene.json").read_text())
    assert doc["layers"][0]["path"] == os.path.join("media", "logo.png")
    moved = tmp_path / "moved"
    shutil.move(proj, moved)  # the project folder moves with its media
    back = rf.Scene.load(moved / "scene.json")
    assert back.layers[0].path == str(moved / "media" / "logo.png")
    ref = rf.Scene(64, 48, fps=10, duration=0.5)
    ref.add_image(moved / "media" / "logo.png", width=32)
    assert np.array_equal(rendered(back, [2])[0], rendered(ref, [2])[0])
