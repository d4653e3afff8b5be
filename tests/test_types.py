"""The Literal aliases in reelforge._types list exactly what the runtime accepts."""
from typing import get_args

import reelforge as rf
from reelforge import _types, easing, exporter, quality, rescale, stills, testing, text


def test_literals_match_runtime_tables():
    assert set(get_args(_types.BlendMode)) == set(rf.BLEND_MODES)
    assert set(get_args(_types.PropertyName)) == set(rf.PROPERTIES)
    assert set(get_args(_types.EasingName)) == set(easing.NAMES)
    assert set(get_args(_types.VideoCodec)) == set(exporter.VIDEO_CODECS)
    assert set(get_args(_types.Preset)) == set(rf._core.presets())
    assert set(get_args(_types.Quality)) == set(quality.QUALITIES)
    assert set(get_args(_types.Resolution)) == set(rescale.RESOLUTIONS)
    assert set(get_args(_types.StillFormat)) == set(stills.STILL_FORMATS.values())
    assert set(get_args(_types.ToleranceProfile)) == set(testing.TOLERANCE_PROFILES)
    assert set(get_args(_types.TextAlign)) == set(text.ALIGNS)
    assert set(get_args(_types.TextAnchor)) == set(text.ANCHORS)
    from reelforge import audio_reactive
    assert set(get_args(_types.AudioFeatureName)) == set(audio_reactive.FEATURES)
    assert set(get_args(_types.VisualizerStyle)) == set(audio_reactive.STYLES)
    assert set(get_args(_types.TransitionDirection)) == set(rf.transitions.DIRECTIONS)
    assert set(get_args(_types.TransitionAudio)) == set(rf.transitions.AUDIO_MODES)


def test_shape_property_literal_matches_runtime():
    from reelforge import shapes
    assert set(get_args(_types.ShapePropertyName)) == set(shapes.SHAPE_PROPERTIES)
    # Plain layers reject the shape-only names that ShapeLayer.set accepts.
    assert not set(get_args(_types.ShapePropertyName)) - {"width", "height"} & set(rf.PROPERTIES)


def test_shape_layer_set_and_animate_take_the_shape_properties():
    import pytest
    s = rf.Scene(64, 64, fps=24, duration=1)
    shape = s.add_shape(rf.shapes.Rect(10, 10), stroke="#fff", stroke_width=2)
    assert shape.animate("stroke_end", [(0, 0.0), (1, 1.0)]) is shape
    assert shape.set("radius", 3) is shape and shape._props["radius"] == 3
    with pytest.raises(rf.SceneError, match="radius"):
        s.add_solid("#f00").set("radius", 3)  # type: ignore[arg-type]  # the runtime check under test
    with pytest.raises(rf.SceneError, match="no 'radius'"):
        s.add_shape(rf.shapes.Ellipse(10, 10)).set("radius", 3)
