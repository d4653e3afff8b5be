"""Round trips of the features other modules add (time remap, effects, ducking, audio features as
sources): ``from_dict(to_dict(s))`` renders the same frames and mixes the same samples. Each test
skips where its feature is not in this build."""

from __future__ import annotations

import inspect
import json

import numpy as np
import pytest

import reelforge as rf
from reelforge import _core, serialize

needs_remap = pytest.mark.skipif("speed" not in inspect.signature(rf.Scene.add_video).parameters,
                                 reason="time remapping (reelforge.timeremap) is not in this build")
needs_effects = pytest.mark.skipif(not hasattr(rf.Layer, "add_effect"), reason="reelforge.effects is not in this build")
needs_ducking = pytest.mark.skipif(not hasattr(rf.AudioClip, "duck_under"),
                                   reason="AudioClip.duck_under / set('gain_db', ...) are not in this build")


def same(a: rf.Scene, b: rf.Scene, frames, *, audio=True):
    ra, rb = rf.Renderer(a), rf.Renderer(b)
    for i in frames:
        assert np.array_equal(ra.render_frame(i), rb.render_frame(i)), f"frame {i} differs"
    if audio:
        ma, mb = _core.mix_audio(a.compile()), _core.mix_audio(b.compile())
        assert np.array_equal(ma, mb)
        return ma
    return None


def round_trip(scene):
    doc = scene.to_dict()
    assert serialize.validate(doc) == []
    back = rf.Scene.from_dict(json.loads(json.dumps(doc)))
    assert back.to_dict() == doc
    return doc, back


@needs_remap
def test_time_remap_round_trip(lavfi):
    s = rf.Scene(64, 36, fps=10, duration=1.0)
    s.add_video(lavfi.video, speed=2.0, audio=True, width=32, height=18, name="fast")
    s.add_video(lavfi.video, reverse=True, trim_start=0.5, x=32, width=32, height=18, name="rev")
    ramp = s.add_video(lavfi.video, y=18, width=32, height=18, end=1.0, name="ramp")
    ramp.set_time_remap([(0, 0.0), (1, 1.5, "ease_in")])
    s.add_video(lavfi.video, freeze_at=0.4, x=32, y=18, width=32, height=18, name="still", audio=True,
                preserve_pitch=False)
    doc, back = round_trip(s)
    fast, rev, ramp_d, still = doc["layers"]
    assert fast["speed"] == 2.0 and rev["reverse"] is True and still["freeze_at"] == 0.4
    assert still["preserve_pitch"] is False
    assert ramp_d["time_remap"][1] == {"t": 1.0, "value": 1.5, "easing": "ease_in"}
    assert doc["audio"][0]["follow_layer"] == 0 and doc["audio"][1]["follow_layer"] == 3
    mix = same(s, back, [0, 3, 6, 9])
    assert np.abs(mix).max() > 0.01
    per_frame = rf.Scene(32, 18, fps=10, duration=1.0)
    per_frame.add_video(lavfi.video, end=1.0, name="table").set_time_remap(np.linspace(1.5, 0.2, 10))
    doc, back = round_trip(per_frame)
    assert len(doc["layers"][0]["time_remap"]) == 10
    same(per_frame, back, [0, 5, 9], audio=False)


@needs_effects
def test_effects_round_trip(lavfi):
    fx = rf.effects
    s = rf.Scene(64, 48, fps=10, duration=1.0, background="white")
    a = s.add_image(lavfi.png, width=40, x=4, y=4, name="pic")
    a.add_effect(fx.GaussianBlur(2.0)).add_effect(fx.ColorAdjust(saturation=0.5, hue=30))
    a.effects[1].set("brightness", np.linspace(0.8, 1.2, s.frame_count))
    b = s.add_solid("tomato", width=16, height=16, x=40, y=24, name="box")
    b.add_effect(fx.DropShadow(dx=2, dy=3, blur=1.5, color="navy").animate("opacity", [(0, 0.2), (1, 0.9, "ease_out")]))
    b.add_effect(fx.Sepia(0.7))
    if hasattr(fx, "Shader"):
        sh = fx.Shader("vec4 effect(vec2 uv) { vec4 c = sample_layer(uv); return vec4(c.rgb * amount, c.a); }",
                       amount=0.5)
        sh.animate("amount", [(0, 0.2), (1, 1.0)])
        s.add_solid("lime", width=12, height=12, x=2, y=34, name="shaded").add_effect(sh)
    doc, back = round_trip(s)
    pic = doc["layers"][0]["effects"]
    assert pic[0] == {"effect": "GaussianBlur", "radius": 2.0}
    assert len(pic[1]["brightness"]) == s.frame_count
    shadow = doc["layers"][1]["effects"][0]
    assert shadow["effect"] == "DropShadow" and shadow["color"] == "#000080ff"
    assert shadow["keyframes"]["opacity"][1]["easing"] == "ease_out"
    same(s, back, [0, 4, 9], audio=False)
    with pytest.raises(rf.SceneError, match=r"^layers\[0\]\.effects\[0\]\.radiuss: "):
        rf.Scene.from_dict({"width": 16, "height": 16, "duration": 1, "layers": [
            {"kind": "solid", "color": "red", "effects": [{"effect": "GaussianBlur", "radiuss": 2}]}]})


@needs_ducking
def test_ducking_gain_tables_and_loudness_settings_round_trip(lavfi):
    music = lavfi.file("music_220.wav", ["-f", "lavfi", "-i", "sine=frequency=220:sample_rate=48000:duration=1"])
    voice = lavfi.file("voice_burst.wav", ["-f", "lavfi", "-i",
                                           "sine=frequency=880:sample_rate=48000:duration=1,volume='if(between(t,0.3,0.6),1,0)':eval=frame"])
    s = rf.Scene(16, 16, fps=10, duration=1.0)
    m = s.add_audio(music, name=None) if "name" in inspect.signature(s.add_audio).parameters else s.add_audio(music)
    v = s.add_audio(voice, gain_db=-3)
    m.duck_under(v, amount_db=-18, attack=0.02, release=0.2)
    v.set("gain_db", np.linspace(-6, 0, s.frame_count))
    s.export_settings = {"loudness_lufs": -16.0, "true_peak_db": -1.5}
    doc, back = round_trip(s)
    assert doc["audio"][0]["duck_under"] == {"keys": [1], "amount_db": -18.0, "attack": 0.02, "release": 0.2}
    assert len(doc["audio"][1]["gain_db"]) == s.frame_count
    assert doc["export"] == {"loudness_lufs": -16.0, "true_peak_db": -1.5}
    mix = same(s, back, [0], audio=True)
    assert np.abs(mix).max() > 0.01


@needs_ducking
def test_audio_feature_sources_are_written_as_their_values(lavfi):
    if not hasattr(rf.audio, "feature"):
        pytest.skip("rf.audio.feature is not in this build")
    s = rf.Scene(32, 32, fps=10, duration=1.0)
    s.add_audio(lavfi.video)
    s.add_solid("white", width=8, height=8, name="pulse").set("scale_x", 1 + rf.audio.feature(None, "rms"))
    doc, back = round_trip(s)
    assert len(doc["layers"][0]["scale_x"]) == s.frame_count
    same(s, back, [0, 5, 9], audio=False)


needs_graph = pytest.mark.skipif(not hasattr(rf.Scene, "add_group"),
                                 reason="the render graph (reelforge.composition) is not in this build")


@needs_graph
def test_nested_scenes_groups_masks_and_borders_round_trip(lavfi):
    inner = rf.Scene(32, 24, fps=5, duration=1.0, background="navy")
    inner.add_solid("yellow", width=10, height=10, name="dot").animate("x", [(0, 0), (1, 22)])
    s = rf.Scene(64, 48, fps=10, duration=1.0, background="#202020")
    s.add_scene(inner, x=4, y=4, width=48, height=36, trim_start=0.2, name="nested")
    a = s.add_solid("red", width=20, height=20, x=30, y=10, name="a")
    b = s.add_solid("blue", width=20, height=20, x=40, y=18, name="b")
    g = s.add_group([a, b], name="ab")
    g.set("opacity", 0.6)
    pic = s.add_image(lavfi.png, width=40, x=10, y=20, name="pic")
    pic.set_mask(s.add_solid("white", width=16, height=16, x=20, y=26, name="matte"), mode="luma", invert=True,
                 feather=1.5)
    pic.set("corner_radius", 6).set("border_width", 2)
    pic.animate("border_color", [(0, "lime"), (1, "magenta", "ease_in")])
    doc, back = round_trip(s)
    nested, group, image = doc["layers"]
    assert nested["kind"] == "scene" and nested["trim_start"] == 0.2 and nested["scene"]["fps"] == 5
    assert [m["name"] for m in group["layers"]] == ["a", "b"] and group["opacity"] == 0.6
    assert image["mask"]["mode"] == "luma" and image["mask"]["invert"] is True and image["mask_feather"] == 1.5
    assert image["mask"]["layer"]["name"] == "matte"
    assert image["border_color"]["keyframes"][1] == {"t": 1.0, "value": "#ff00ffff", "easing": "ease_in"}
    assert [layer.name for layer in back.layers] == ["nested", "ab", "pic"]
    same(s, back, [0, 3, 7, 9], audio=False)
    s.layers[2].set("border_color", "orange")
    doc, back = round_trip(s)
    assert doc["layers"][2]["border_color"] == "#ffa500ff"


def test_border_color_components_set_alone_round_trip():
    # border_r/g/b/a set or animated one by one are written inside border_color (never as fields
    # of their own): keyframes when the four move in step, else one colour per frame.
    s = rf.Scene(64, 48, fps=10, duration=1.0, background="#202020")
    a = s.add_solid("white", width=30, height=20, x=4, y=4, name="a").set("border_width", 3)
    a.set("border_color", "red").animate("border_g", [(0, 0.0), (0.9, 1.0)]).set("border_a", 0.5)
    b = s.add_solid("grey", width=30, height=20, x=30, y=24, name="b").set("border_width", 2)
    b.animate("border_color", [(0, "lime"), (1, "blue", "ease_out")])
    b.animate("border_a", [(0, 1.0), (1, 0.25, "ease_out")])  # still in step with r, g, b
    doc, back = round_trip(s)
    da, db = doc["layers"]
    assert not {"border_r", "border_g", "border_b", "border_a"} & (set(da) | set(db) | set(da.get("keyframes", {})))
    assert len(da["border_color"]) == 10
    want = np.stack([np.ones(10), np.clip(np.arange(10) / 9, 0, 1), np.zeros(10), np.full(10, 0.5)], axis=1)
    assert np.allclose(np.array(da["border_color"], dtype=np.float64) / 255, want, atol=1e-12)
    assert db["border_color"]["keyframes"][1] == {"t": 1.0, "value": [0.0, 0.0, 255.0, 63.75], "easing": "ease_out"}
    same(s, back, [0, 4, 9], audio=False)
    a.set("border_r", lambda t: 0.5 + 0 * t)
    with pytest.raises(serialize.NotSerializableError, match=r"layer 'a' property 'border_r' is a callable"):
        s.to_dict()


needs_typography = pytest.mark.skipif(not hasattr(rf, "Span"), reason="reelforge.typography is not in this build")


@needs_typography
def test_styled_and_rich_text_round_trip(tmp_path, media):
    font = media("font.ttf")  # $REELFORGE_MEDIA or ../shared/media (tests/conftest.py); skips if absent
    s = rf.Scene(160, 90, fps=10, duration=1.0, background="#334455")
    s.add_text("Hello wrapped world of text", font=str(font), size_px=14, color="gold", x=80, y=45,
               anchor="center", align="justify", max_width=90, stroke_width=1.5, stroke_color="black",
               shadow=(2, 2, 3, (0, 0, 0, 180)), background=("#00000080", 4, 3), letter_spacing=0.5,
               name="title").animate("opacity", [(0, 0), (0.5, 1)])
    s.add_text(["plain ", rf.Span("bold", weight="bold", color="red"), rf.Span(" big", size_px=20)],
               font=str(font), size_px=12, x=4, y=70, name="rich")
    doc, back = round_trip(s)
    title, rich = doc["layers"]
    assert title["anchor"] == "center" and title["align"] == "justify" and title["max_width"] == 90.0
    assert title["shadow"] == {"dx": 2.0, "dy": 2.0, "blur": 3.0, "color": "#000000b4"}
    assert title["background"] == {"color": "#00000080", "padding": 4.0, "radius": 3.0}
    assert "width" not in title and "anchor_x" not in title
    assert rich["text"][1] == {"text": "bold", "color": "#ff0000ff", "weight": "bold"}
    same(s, back, [0, 5, 9], audio=False)
    # Templating a styled text: the new text is laid out again (its own size).
    doc["layers"][0]["text"] = "${title}"
    short = rf.Scene.from_dict(doc, variables={"title": "Hi"})
    assert short.layers[0].styled.width < back.layers[0].styled.width


needs_shapes = pytest.mark.skipif(not hasattr(rf.Scene, "add_shape"), reason="reelforge.shapes is not in this build")


@needs_shapes
def test_shapes_gradients_and_svg_round_trip(tmp_path):
    from reelforge import shapes
    s = rf.Scene(96, 64, fps=10, duration=1.0, background="black")
    r = s.add_shape(shapes.Rect(30, 20, radius=4), fill=shapes.LinearGradient((0, 0), (30, 0), [(0, "red"), (1, "blue")]),
                    stroke="white", stroke_width=2, x=4, y=4, name="rect")
    r.animate("width", [(0, 20), (1, 40)]).animate("radius", [(0, 0), (1, 8, "ease_out")])
    s.add_shape(shapes.Ellipse(20, 12), fill=shapes.RadialGradient((10, 6), 10, [(0, "yellow"), (1, "#00ff0000")]),
                x=60, y=10, name="ell")
    line = s.add_shape(shapes.Line(0, 0, 40, 20), fill="cyan", stroke_width=3, cap="round", dash=[6, 3],
                       x=10, y=36, name="line")
    line.animate("stroke_end", [(0, 0), (1, 1)])
    s.add_shape(shapes.Polygon([(0, 0), (12, 0), (6, 10)]), fill="orange", x=70, y=40, name="tri")
    s.add_shape(shapes.Path("M0 0 L10 0 L10 10 Z"), fill=None, stroke="pink", stroke_width=1.5, join="round",
                x=50, y=44, name="path")
    s.add_solid(shapes.LinearGradient((0, 0), (0, 10), [(0, "white"), (1, "black")]), width=10, height=10, x=84,
                y=50, name="gradsolid")
    svg = tmp_path / "art.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
                   '<circle cx="10" cy="10" r="8" fill="lime"/></svg>')
    s.add_image(svg, x=2, y=40, width=20, name="svg")
    doc, back = round_trip(s)
    rect, ell, line_d, tri, path, gs, svg_d = doc["layers"]
    assert rect["kind"] == "shape" and rect["shape"] == {"type": "rect"}
    assert rect["fill"]["linear"]["stops"] == [[0.0, "#ff0000ff"], [1.0, "#0000ffff"]]
    assert rect["keyframes"]["radius"][1]["easing"] == "ease_out" and rect["stroke_width"] == 2.0
    assert ell["fill"]["radial"]["radius"] == 10.0
    assert line_d["shape"]["points"] == [0.0, 0.0, 40.0, 20.0] and line_d["dash"] == [6.0, 3.0]
    assert line_d["cap"] == "round" and "stroke_end" in line_d["keyframes"]
    assert path["fill"] is None and path["join"] == "round"
    assert svg_d["kind"] == "image" and svg_d["path"].endswith("art.svg")
    same(s, back, [0, 4, 9], audio=False)


@needs_typography
def test_word_by_word_animation_round_trip(media):
    font = media("font.ttf")  # $REELFORGE_MEDIA or ../shared/media (tests/conftest.py); skips if absent
    s = rf.Scene(128, 48, fps=10, duration=1.0)
    s.add_solid("navy", name="bg")
    t = s.add_text("one two three", font=str(font), size_px=16, x=8, y=12, background=("black", 3, 2), name="title")
    t.animate_words("opacity", [(0, 0), (0.2, 1, "ease_out")], stagger=0.15)
    t.animate_words("y", [(0, 10), (0.3, 0)], stagger=[0.0, 0.3, 0.5])
    s.add_solid("red", width=4, height=4, name="top")
    doc, back = round_trip(s)
    assert [d["name"] for d in doc["layers"]] == ["bg", "title", "top"]
    words = doc["layers"][1]["words"]
    assert words["unit"] == "word" and [a["property"] for a in words["animate"]] == ["opacity", "y"]
    assert words["animate"][0]["stagger"] == [0.0, 0.15, 0.3] and words["animate"][1]["stagger"] == [0.0, 0.3, 0.5]
    assert [layer.name for layer in back.layers] == [layer.name for layer in s.layers]  # bg, the pieces, top
    same(s, back, [0, 2, 4, 7], audio=False)


@pytest.mark.skipif(not hasattr(rf.Scene, "add_subtitles"), reason="subtitles are not in this build")
def test_subtitles_documents(tmp_path):
    srt = tmp_path / "cap.srt"
    srt.write_text("1\n00:00:00,100 --> 00:00:00,500\nHello\n\n2\n00:00:00,600 --> 00:00:00,900\nWorld\n")
    doc = {"width": 160, "height": 90, "fps": 10, "duration": 1,
           "layers": [{"kind": "subtitles", "path": "cap.srt", "name": "subs", "style": {"size_px": 14}}]}
    s = rf.Scene.from_dict(doc, base_dir=tmp_path)
    assert [(layer.name, layer.start, layer.end) for layer in s.layers] == [("subs.0", 0.1, 0.5),
                                                                         ("subs.1", 0.6, 0.9)]
    out, back = round_trip(s)
    assert [d["kind"] for d in out["layers"]] == ["text", "text"]  # the cues, as text layers
    same(s, back, [2, 7], audio=False)
    ass = tmp_path / "cap.ass"
    ass.write_text("[Script Info]\nScriptType: v4.00+\nPlayResX: 160\nPlayResY: 90\n\n[V4+ Styles]\n"
                   "Format: Name, Fontname, Fontsize, PrimaryColour, Alignment\nStyle: Default,Sans,20,&H00FFFFFF,2\n\n"
                   "[Events]\nFormat: Layer, Start, End, Style, Text\nDialogue: 0,0:00:00.10,0:00:00.80,Default,Hi\n")
    doc["layers"][0] = {"kind": "subtitles", "path": str(ass), "name": "ass"}
    s = rf.Scene.from_dict(doc)
    out, back = round_trip(s)
    assert out["layers"][0]["kind"] == "subtitles" and out["layers"][0]["path"] == str(ass)
    same(s, back, [3], audio=False)


@pytest.mark.skipif(not hasattr(rf.Scene, "add_waveform"), reason="audio-reactive layers are not in this build")
@pytest.mark.parametrize("style", ["bars", "line"])
def test_waveforms_are_written_as_their_sampled_layers(lavfi, style):
    tone = lavfi.file("tone_440_1s.wav", ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=1"])
    s = rf.Scene(64, 32, fps=10, duration=1.0)
    s.add_audio(tone)
    s.add_waveform(None, style=style, bands=8, x=0, y=0, width=64, height=32)
    s.add_spectrum(None, bands=4, x=0, y=0, width=32, height=16)
    doc, back = round_trip(s)
    assert all(d["kind"] == "solid" for d in doc["layers"])  # the visualiser's solids, values per frame
    same(s, back, [0, 5, 9])
