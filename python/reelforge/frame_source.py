"""Property values computed from the whole scene at compile time (e.g. audio features).

A :class:`FrameSource` is accepted wherever a layer property or an audio clip's ``gain_db``
takes a per-frame array: ``Scene.compile()`` asks it for one value per frame of *that* scene
(``frame_values(scene)``), so the values always match the scene's frame rate and length. Sources
combine with numbers: ``1 + 0.5 * rf.audio.feature("music.wav", "rms")`` is a source too.
"""

from __future__ import annotations

import operator
from typing import Any, Callable

import numpy as np

from .errors import SceneError

__all__ = ["FrameSource"]


class FrameSource:
    """Base class: values per frame of a scene, evaluated by ``Scene.compile()``.

    Subclasses implement :meth:`frame_values`. Calling a source with an array of times (seconds)
    also works (``source(t)``), so APIs that take callables of time accept it: the values of the
    frames at those times (``floor(t * fps)``) of the scene given by :meth:`bind`, or of the
    source's own scene where it has one.
    """

    _bound: Any = None

    def frame_values(self, scene: Any) -> np.ndarray:
        """float64 array of shape ``(scene.frame_count,)``. Raises SceneError if it cannot."""
        raise NotImplementedError

    def bind(self, scene: Any) -> "FrameSource":
        """Use ``scene``'s frame rate and length when called as a function of time; returns self."""
        self._bound = scene
        return self

    def __call__(self, t: np.ndarray) -> np.ndarray:
        scene = self._bound
        if scene is None:
            raise SceneError(f"{self!r} called as a function of time needs a scene: use source.bind(scene)")
        v = self.frame_values(scene)
        idx = np.floor(np.asarray(t, dtype=np.float64) * float(scene.fps) + 1e-6).astype(np.int64)
        return v[np.clip(idx, 0, len(v) - 1)]

    def _op(self, other: Any, fn: Callable[[Any, Any], Any], name: str) -> "FrameSource":
        return _Combined(self, other, fn, name)

    def __add__(self, o: Any) -> "FrameSource":
        return self._op(o, operator.add, "+")

    def __radd__(self, o: Any) -> "FrameSource":
        return _Combined(o, self, operator.add, "+")

    def __sub__(self, o: Any) -> "FrameSource":
        return self._op(o, operator.sub, "-")

    def __rsub__(self, o: Any) -> "FrameSource":
        return _Combined(o, self, operator.sub, "-")

    def __mul__(self, o: Any) -> "FrameSource":
        return self._op(o, operator.mul, "*")

    def __rmul__(self, o: Any) -> "FrameSource":
        return _Combined(o, self, operator.mul, "*")

    def __truediv__(self, o: Any) -> "FrameSource":
        return self._op(o, operator.truediv, "/")

    def __neg__(self) -> "FrameSource":
        return _Combined(0.0, self, operator.sub, "-")


class _Combined(FrameSource):
    """``a op b`` where either side is a FrameSource or a number."""

    def __init__(self, a: Any, b: Any, fn: Callable[[Any, Any], Any], name: str) -> None:
        for side in (a, b):
            if not isinstance(side, FrameSource) and (isinstance(side, bool) or not isinstance(side, (int, float))):
                raise SceneError(f"a frame source combines with numbers or other sources, not {side!r}")
        self.a, self.b, self.fn, self.name = a, b, fn, name
        self._bound = a._bound if isinstance(a, FrameSource) else b._bound

    def frame_values(self, scene: Any) -> np.ndarray:
        va = self.a.frame_values(scene) if isinstance(self.a, FrameSource) else float(self.a)
        vb = self.b.frame_values(scene) if isinstance(self.b, FrameSource) else float(self.b)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.asarray(self.fn(va, vb), dtype=np.float64)
        values: np.ndarray = np.broadcast_to(out, (int(scene.frame_count),)).copy()
        return values

    def __repr__(self) -> str:
        return f"({self.a!r} {self.name} {self.b!r})"
