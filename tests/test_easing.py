"""Tests for reelforge.easing and reelforge.animation (pure numpy, no compiled module needed)."""

import math

import numpy as np
import pytest

from reelforge import animation, easing

U = np.linspace(0.0, 1.0, 1001)


# ---------------------------------------------------------------- references
def bezier_dense_reference(x1, y1, x2, y2, u, n=200_001):
    """y at x=u from the parametric Bézier B(t)=3(1-t)^2 t P1 + 3(1-t) t^2 P2 + t^3, dense t."""
    t = np.linspace(0.0, 1.0, n)
    bx = 3 * (1 - t) ** 2 * t * x1 + 3 * (1 - t) * t**2 * x2 + t**3
    by = 3 * (1 - t) ** 2 * t * y1 + 3 * (1 - t) * t**2 * y2 + t**3
    return np.interp(u, bx, by)  # bx is monotone for x1, x2 in [0, 1]


def bezier_bisect_reference(x1, y1, x2, y2, u):
    """Brute force: scalar bisection on x(t) = u, 100 iterations, then y(t)."""
    def bx(t):
        return 3 * (1 - t) ** 2 * t * x1 + 3 * (1 - t) * t**2 * x2 + t**3

    out = []
    for ui in u:
        lo, hi = 0.0, 1.0
        for _ in range(100):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if bx(mid) < ui else (lo, mid)
        t = (lo + hi) / 2
        out.append(3 * (1 - t) ** 2 * t * y1 + 3 * (1 - t) * t**2 * y2 + t**3)
    return np.array(out)


def spring_rk4(k, c, m, t_end, dt=1e-4):
    """RK4 integration of m x'' + c x' + k (x - 1) = 0, x(0)=0, x'(0)=0; returns (ts, xs)."""
    def f(s):
        return np.array([s[1], (-c * s[1] - k * (s[0] - 1.0)) / m])

    n = int(round(t_end / dt))
    s = np.zeros(2)
    xs = [0.0]
    for _ in range(n):
        a = f(s)
        b = f(s + dt / 2 * a)
        cc = f(s + dt / 2 * b)
        d = f(s + dt * cc)
        s = s + dt / 6 * (a + 2 * b + 2 * cc + d)
        xs.append(s[0])
    return np.linspace(0.0, n * dt, n + 1), np.array(xs)


# ---------------------------------------------------------------- easing
@pytest.mark.parametrize("e, pts", [
    (easing.ease_in, (0.42, 0.0, 1.0, 1.0)),
    (easing.ease_out, (0.0, 0.0, 0.58, 1.0)),
    (easing.ease_in_out, (0.42, 0.0, 0.58, 1.0)),
])
def test_named_css_curves(e, pts):
    got = e(U)
    assert got.dtype == np.float64 and got.shape == U.shape
    np.testing.assert_allclose(got, bezier_dense_reference(*pts, U), atol=1e-4)
    assert got[0] == 0.0 and got[-1] == 1.0
    assert (e.x1, e.y1, e.x2, e.y2) == pts


@pytest.mark.parametrize("pts", [
    (0.25, 0.1, 0.25, 1.0),      # CSS "ease"
    (0.68, -0.55, 0.265, 1.55),  # overshoot both ways
    (1.0, 0.0, 0.0, 1.0),        # x'(0.5) = 0: Newton stalls, bisection fallback
    (0.0, 1.0, 1.0, 0.0),
    (0.0, 0.0, 1.0, 1.0),
    (0.9, 2.0, 0.1, -1.0),
])
def test_cubic_bezier_matches_bruteforce(pts):
    u = np.concatenate([U, np.random.default_rng(0).random(300)])
    e = easing.cubic_bezier(*pts)
    np.testing.assert_allclose(e(u), bezier_bisect_reference(*pts, u), atol=1e-4)
    np.testing.assert_allclose(e(u), bezier_dense_reference(*pts, u), atol=1e-4)


def test_cubic_bezier_shapes_and_clipping():
    e = easing.ease_in_out
    assert e(np.float64(0.5)).shape == ()
    assert e(np.full((3, 4), 0.25)).shape == (3, 4)
    np.testing.assert_array_equal(e(np.array([-1.0, 2.0])), [0.0, 1.0])


@pytest.mark.parametrize("bad, name", [
    ((-0.1, 0, 1, 1), "x1"), ((1.1, 0, 1, 1), "x1"), ((0, 0, 1.5, 1), "x2"),
    ((0, 0, -0.01, 1), "x2"), ((0, float("nan"), 1, 1), "y1"), ((0, 0, 1, "a"), "y2"),
])
def test_cubic_bezier_validation(bad, name):
    with pytest.raises(ValueError, match=name):
        easing.cubic_bezier(*bad)


def test_linear_and_step():
    np.testing.assert_array_equal(easing.linear(U), U)
    s = easing.step(U)
    assert np.all(s[:-1] == 0.0) and s[-1] == 1.0
    np.testing.assert_array_equal(easing.step(np.array([0.0, 0.999999, 1.0])), [0.0, 0.0, 1.0])


@pytest.mark.parametrize("k, c, m, dur", [
    (100.0, 10.0, 1.0, 1.5),    # underdamped (Remotion default)
    (100.0, 20.0, 1.0, 1.0),    # critically damped
    (100.0, 60.0, 1.0, 2.0),    # overdamped
    (200.0, 5.0, 2.0, 3.0),     # underdamped, mass != 1
    (50.0, 40.0, 0.5, 1.0),     # overdamped, mass != 1
])
def test_spring_matches_rk4(k, c, m, dur):
    ts, xs = spring_rk4(k, c, m, dur)
    u = ts / dur
    got = easing.spring(k, c, m)(u[:-1], duration=dur)
    np.testing.assert_allclose(got, xs[:-1], atol=1e-3)
    assert easing.spring(k, c, m)(np.array([0.0, 1.0]), duration=dur).tolist() == [0.0, 1.0]


def test_spring_overshoots_and_uses_duration():
    s = easing.spring()  # underdamped
    assert s(U, duration=1.0).max() > 1.05
    # same u, different duration -> different physical time -> different value
    assert not np.isclose(s(np.array([0.5]), duration=0.2)[0], s(np.array([0.5]), duration=1.0)[0])


@pytest.mark.parametrize("kw, name", [
    ({"stiffness": 0}, "stiffness"), ({"damping": -1}, "damping"),
    ({"mass": 0.0}, "mass"), ({"mass": float("inf")}, "mass"),
])
def test_spring_validation(kw, name):
    with pytest.raises(ValueError, match=name):
        easing.spring(**kw)


def test_get():
    assert easing.get("linear") is easing.linear
    assert easing.get("ease-in") is easing.ease_in
    assert easing.get("EASE_IN_OUT") is easing.ease_in_out
    assert easing.get("ease_out") is easing.ease_out
    assert easing.get("step") is easing.step
    sp = easing.spring()
    assert easing.get(sp) is sp
    with pytest.raises(ValueError) as ei:
        easing.get("bouncy")
    msg = str(ei.value)
    assert "bouncy" in msg and all(n in msg for n in ("linear", "step", "ease_in", "ease_out", "ease_in_out"))


# ---------------------------------------------------------------- keyframes
def test_keyframes_linear_hold_before_after():
    times = np.array([-1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
    got = animation.sample_keyframes([(0.0, 10.0), (1.0, 20.0), (2.0, 0.0)], times)
    np.testing.assert_allclose(got, [10, 10, 15, 20, 10, 0, 0])
    assert got.dtype == np.float64


def test_keyframes_single_and_empty_times():
    np.testing.assert_array_equal(animation.sample_keyframes([(1.0, 5.0)], np.array([0.0, 1.0, 9.0])), [5, 5, 5])
    assert animation.sample_keyframes([(0, 1), (1, 2)], np.array([])).shape == (0,)


def test_keyframes_per_keyframe_easing():
    kfs = [(0.0, 0.0, "ease-in"), (2.0, 100.0, "step"), (3.0, 50.0), (5.0, 0.0, "linear")]
    times = np.linspace(-0.5, 6.0, 131)
    got = animation.sample_keyframes(kfs, times, easing="ease_out")
    exp = np.empty_like(times)
    for i, t in enumerate(times):
        if t < 0:
            exp[i] = 0.0
        elif t < 2:
            exp[i] = 100.0 * bezier_dense_reference(0.42, 0, 1, 1, t / 2.0)
        elif t < 3:
            exp[i] = 100.0  # step holds until the next keyframe
        elif t < 5:
            exp[i] = 50.0 + (0.0 - 50.0) * bezier_dense_reference(0, 0, 0.58, 1, (t - 3) / 2.0)
        else:
            exp[i] = 0.0
    np.testing.assert_allclose(got, exp, atol=1e-4 * 100)


def test_keyframes_spring_uses_segment_duration():
    sp = easing.spring(100, 10, 1)
    times = np.linspace(1.0, 3.0, 41)
    got = animation.sample_keyframes([(1.0, 0.0, sp), (3.0, 10.0)], times)
    np.testing.assert_allclose(got, 10.0 * sp((times - 1.0) / 2.0, duration=2.0))
    ts, xs = spring_rk4(100, 10, 1, 2.0)
    np.testing.assert_allclose(got[:-1], 10.0 * np.interp(times[:-1] - 1.0, ts, xs), atol=1e-2)
    assert got[-1] == 10.0


@pytest.mark.parametrize("kfs, parts", [
    ([], ["logo' property 'x'", "non-empty"]),
    ([(0.0, 1.0), (2.0, 2.0), (1.0, 3.0)],
     ["layer 'logo' property 'x': keyframes out of order at index 2 (t=1.0 after t=2.0)"]),
    ([(0.0, 1.0), (0.0, 2.0)], ["keyframes out of order at index 1", "duplicate t=0.0"]),
    ([(0.0, 1.0), (float("nan"), 2.0)], ["keyframe 1 time", "finite"]),
    ([(0.0, float("inf"))], ["keyframe 0 value", "finite"]),
    ([(0.0, "red")], ["keyframe 0 value", "real number", "str"]),
    ([("0", 1.0)], ["keyframe 0 time", "real number"]),
    ([(0.0,)], ["keyframe 0 must be a (t, value)"]),
    ([(0.0, 1.0, "wobble")], ["keyframe 0 easing", "wobble", "ease_in_out"]),
])
def test_keyframes_errors(kfs, parts):
    with pytest.raises(ValueError) as ei:
        animation.sample_keyframes(kfs, np.array([0.0, 1.0]), what="layer 'logo' property 'x'")
    msg = str(ei.value)
    assert msg.startswith("layer 'logo' property 'x': ")
    for p in parts:
        assert p in msg


def test_keyframes_bad_default_easing_and_times():
    with pytest.raises(ValueError, match=r"^opacity: default easing: unknown easing 'nope'"):
        animation.sample_keyframes([(0, 1)], np.array([0.0]), easing="nope", what="opacity")
    with pytest.raises(ValueError, match=r"^opacity: frame times .*index 1"):
        animation.sample_keyframes([(0, 1)], np.array([0.0, np.nan]), what="opacity")
    with pytest.raises(ValueError, match=r"^opacity: frame times must be a 1-D"):
        animation.sample_keyframes([(0, 1)], np.zeros((2, 2)), what="opacity")


# ---------------------------------------------------------------- callables
T = np.linspace(0.0, 2.0, 9)


def test_callable_vector():
    calls = []

    def f(t):
        calls.append(np.ndim(t))
        return np.sin(t) * 2.0

    np.testing.assert_allclose(animation.evaluate_callable(f, T), 2 * np.sin(T))
    assert calls == [1]  # called once, vectorised


def test_callable_scalar_only():
    np.testing.assert_allclose(animation.evaluate_callable(math.sin, T), np.sin(T))  # TypeError on arrays
    got = animation.evaluate_callable(lambda t: 1.0 if t > 1.0 else 0.0, T)   # ValueError on arrays
    np.testing.assert_array_equal(got, (T > 1.0).astype(float))
    np.testing.assert_array_equal(animation.evaluate_callable(lambda t: 3, T), np.full(9, 3.0))  # scalar


@pytest.mark.parametrize("fn, parts", [
    (lambda t: np.zeros(len(t) + 1), ["shape (10,)", "expected (9,)"]),
    (lambda t: np.zeros((len(t), 2)), ["shape (9, 2)", "expected (9,)"]),
    (lambda t: np.where(t > 1.0, np.nan, t), ["non-finite", "index 5", "(9,)"]),
    (lambda t: math.inf if t > 0.2 else 0.0, ["non-finite", "index 1", "(9,)"]),
    (lambda t: np.array(["a"] * len(t)), ["non-numeric", "(9,)"]),
    (lambda t: "x" if t > 1.5 else 0.0, ["index 7", "(9,)"]),
])
def test_callable_errors(fn, parts):
    with pytest.raises(ValueError) as ei:
        animation.evaluate_callable(fn, T, what="layer 'a' property 'y'")
    msg = str(ei.value)
    assert msg.startswith("layer 'a' property 'y': ")
    for p in parts:
        assert p in msg


def test_as_frame_array():
    np.testing.assert_array_equal(animation.as_frame_array(2, T, what="w"), np.full(9, 2.0))
    np.testing.assert_array_equal(animation.as_frame_array(np.float32(0.5), T, what="w"), np.full(9, 0.5))
    per = np.arange(9)
    got = animation.as_frame_array(per, T, what="w")
    assert got.dtype == np.float64 and got is not per
    np.testing.assert_array_equal(got, per)
    np.testing.assert_allclose(animation.as_frame_array(np.cos, T, what="w"), np.cos(T))
    with pytest.raises(ValueError, match=r"^w: per-frame array has shape \(8,\), expected \(9,\)"):
        animation.as_frame_array(np.zeros(8), T, what="w")
    with pytest.raises(ValueError, match=r"^w: .*index 3"):
        animation.as_frame_array(np.where(np.arange(9) == 3, np.inf, 0.0), T, what="w")
    with pytest.raises(ValueError, match=r"^w: constant .*non-finite"):
        animation.as_frame_array(float("nan"), T, what="w")
    with pytest.raises(ValueError, match=r"^w: expected a real number"):
        animation.as_frame_array("1.0", T, what="w")
    with pytest.raises(ValueError, match=r"^w: expected a real number"):
        animation.as_frame_array([1.0] * 9, T, what="w")
