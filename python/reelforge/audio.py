"""Audio analysis for audio-reactive animation: per-frame levels and band energies.

:func:`analyze` turns a :class:`~reelforge.Scene`'s mixed audio (or any audio file) into one value
per video frame, ready to drive layer properties::

    feats = rf.audio.analyze(scene)                      # the scene's own mix
    logo.set("scale", 1 + 0.3 * feats.band(1))           # bass pulse, 1.0 .. 1.3
    logo.set("opacity", feats.level())                   # loudness, 0 .. 1

    feats = rf.audio.analyze("music.mp3", fps=30)        # a file on its own (placed at t = 0)

The work happens in C++ (``_core.analyze_audio``, src/audio/analysis.cpp) without the GIL,
streaming through the same mixer the exporter uses, so memory does not grow with the length of
the audio and the features describe exactly what the exported file contains.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from . import _checks
from . import _core
from ._types import FpsLike, PathLike
from .errors import MediaError, SceneError
from .scene import Scene, _check_path, parse_fps

#: Level floor in dB (silence reads this, never -inf).
FLOOR_DB = -120.0
#: Sample rate of the mix the features are computed on (Hz).
SAMPLE_RATE = 48000


@dataclass(frozen=True, eq=False)
class AudioFeatures:
    """Per-frame audio features (from :func:`analyze`). Every array has one row per video frame.

    Frame ``i`` covers the 48 kHz samples ``[floor(i*48000/fps), floor((i+1)*48000/fps))`` of the
    stereo mix (after clip gains, fades and the mixer's soft limiter).

    Attributes:
        fps: frame rate (``Fraction``).
        frame_count: number of frames (``len(features)``).
        rms_db: float64 ``(frame_count,)``: RMS level in dBFS over the frame's samples of both
            channels (``10*log10(mean(x**2))``; a full-scale sine reads -3.01), floor -120.
        peak: float64 ``(frame_count,)``: largest ``|x|`` in the frame, either channel, linear 0..1.
        bands: float64 ``(frame_count, n_bands)``: energy per frequency band in dB, floor -120.
            The mono mix ``(L + R) / 2`` over a Hann window of ``fft_size`` samples (the smallest
            power of two holding a whole frame) centred on the frame, real FFT (libavutil av_tx);
            the spectrum is scaled so that a sine of amplitude ``A`` inside a band reads
            ``10*log10(A**2 / 2)`` there, the same figure as its ``rms_db``.
        band_edges: float64 ``(n_bands + 1,)``: band limits in Hz, log-spaced from fmin to fmax
            (band ``b`` is ``[band_edges[b], band_edges[b + 1])``).
        fft_size: the analysis window ``N`` in samples.
    """

    fps: Fraction
    frame_count: int
    rms_db: np.ndarray
    peak: np.ndarray
    bands: np.ndarray
    band_edges: np.ndarray
    fft_size: int
    sample_rate: int = SAMPLE_RATE

    def __len__(self) -> int:
        return self.frame_count

    def __repr__(self) -> str:
        return (f"<AudioFeatures {self.frame_count} frames @ {self.fps} fps, {self.n_bands} bands "
                f"{self.band_edges[0]:g}-{self.band_edges[-1]:g} Hz, N={self.fft_size}>")

    @property
    def n_bands(self) -> int:
        """Number of frequency bands."""
        return int(self.bands.shape[1])

    @property
    def band_centers(self) -> np.ndarray:
        """Geometric centre of each band in Hz, ``(n_bands,)``."""
        centers: np.ndarray = np.sqrt(self.band_edges[:-1] * self.band_edges[1:])
        return centers

    def band_index(self, freq_hz: float) -> int:
        """Index of the band holding ``freq_hz``. Raises SceneError outside ``[fmin, fmax)``."""
        f = _checks.number(freq_hz, "freq_hz", unit="Hz")
        if not self.band_edges[0] <= f < self.band_edges[-1]:
            raise SceneError(f"{f:g} Hz is outside the analysed range "
                             f"{self.band_edges[0]:g}-{self.band_edges[-1]:g} Hz")
        return int(np.searchsorted(self.band_edges, f, side="right") - 1)

    def times(self) -> np.ndarray:
        """Presentation time of every frame in seconds, ``(frame_count,)`` (``i / fps``)."""
        return np.arange(self.frame_count, dtype=np.float64) * (self.fps.denominator / self.fps.numerator)

    def band(self, i: int, range_db: float = 60.0) -> np.ndarray:
        """Band ``i``'s energy normalised to 0..1 over the clip, for use as a property source.

        ``v = clip((dB - floor) / (top - floor), 0, 1)`` with ``top`` = the band's loudest frame in
        the whole clip and ``floor = top - range_db`` (so 1 is the band's own peak and anything
        ``range_db`` or more below it is 0). A band that is silent throughout (top at the -120 dB
        floor) gives all zeros. Negative ``i`` counts from the top band. Returns a new float64
        array of shape ``(frame_count,)``. Raises IndexError for a band that does not exist and
        SceneError for ``range_db <= 0``.
        """
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
            raise TypeError(f"band index must be an int, got {i!r}")
        n = self.n_bands
        if not -n <= i < n:
            raise IndexError(f"band {i} does not exist: the analysis has {n} bands (0..{n - 1})")
        return _normalise(self.bands[:, int(i)], range_db)

    def level(self, range_db: float = 60.0) -> np.ndarray:
        """``rms_db`` normalised to 0..1 the same way as :meth:`band`."""
        return _normalise(self.rms_db, range_db)


def _normalise(db: np.ndarray, range_db: float) -> np.ndarray:
    r = _checks.number(range_db, "range_db", unit="dB")
    if not r > 0:
        raise SceneError(f"range_db must be a positive number of dB, got {range_db!r}")
    if db.size == 0:
        return np.zeros(0)
    top = float(db.max())
    if top <= FLOOR_DB:
        return np.zeros(db.shape)
    # (dB - floor) / (top - floor) with floor = top - r, written so the loudest frame is exactly 1.
    return np.clip(1.0 - (top - db) / r, 0.0, 1.0)


_as_fps = parse_fps


def analyze(source: "Scene | PathLike", fps: FpsLike | None = None, *, bands: int = 8, fmin: float = 40.0, fmax: float = 16000.0) -> AudioFeatures:
    """Per-frame audio features of ``source``; see :class:`AudioFeatures` for what each holds.

    Args:
        source: a :class:`~reelforge.Scene` (its mixed audio timeline: all clips with their gains,
            fades and the limiter; ``frame_count`` and ``fps`` come from the scene), or the path
            of any audio file FFmpeg reads (placed at t = 0 in a scene of the file's probed
            duration: ``frame_count = round(duration * fps)``).
        fps: frames per second; required for a path; for a Scene it must be None or equal to
            ``scene.fps``.
        bands: number of log-spaced frequency bands (>= 1).
        fmin, fmax: lower edge of the first and upper edge of the last band in Hz,
            ``0 < fmin < fmax <= 24000``.

    A file whose container declares no duration is decoded once to measure it (so the features
    cover what an export of it plays).

    Raises SceneError (a ValueError) for bad arguments, SceneTypeError (also a TypeError) for
    arguments of the wrong type, MediaNotFoundError for a missing file, MediaError for a file
    without an audio stream or samples.
    """
    bands = _checks.integer(bands, "bands", minimum=1, maximum=1024)
    lo = _checks.number(fmin, "fmin", unit="Hz")
    hi = _checks.number(fmax, "fmax", unit="Hz")
    if not 0 < lo < hi:
        raise SceneError(f"need 0 < fmin < fmax (Hz), got fmin={fmin!r} fmax={fmax!r}")
    if hi > SAMPLE_RATE / 2:
        raise SceneError(f"fmax={fmax!r} Hz is above the Nyquist frequency of the {SAMPLE_RATE} Hz mix "
                         f"({SAMPLE_RATE // 2} Hz)")

    if isinstance(source, Scene):
        scene = source
        if fps is not None and _as_fps(fps) != scene.fps:
            raise SceneError(f"fps={fps!r} does not match the scene's fps ({scene.fps}); "
                             f"leave fps=None to use the scene's")
        tl = scene.compile()
    elif isinstance(source, (str, os.PathLike)):
        if fps is None:
            raise SceneError(f"analyze({os.fspath(source)!r}): a file needs fps= (frames per second of the "
                             f"animation the features will drive)")
        f = _as_fps(fps)
        path = _check_path(source, "analyze")
        info = _core.probe(path)
        if not info.has_audio:
            raise MediaError(f"analyze: {path!r} has no audio stream")
        # A container may declare no duration (streamed MKV/NUT, raw ADTS...); the export plays
        # such a file to its end, so measure that end the same way: by decoding it.
        duration = info.duration if info.duration > 0 else _core.decoded_audio_seconds(path)
        if not duration > 0:
            raise MediaError(f"analyze: {path!r} contains no audio samples")
        if round(Fraction(duration) * f) < 1:
            raise MediaError(f"analyze: {path!r} lasts {duration:.4f} s, less than one frame at {f} fps")
        scene = Scene(16, 16, fps=f, duration=duration)
        scene.add_audio(path)
        tl = scene.compile()
    else:
        raise SceneError(f"analyze: source must be a Scene or a path to an audio file, got {type(source).__name__}")

    d = _core.analyze_audio(tl, int(bands), lo, hi)
    return AudioFeatures(fps=scene.fps, frame_count=scene.frame_count, rms_db=d["rms_db"], peak=d["peak"],
                         bands=d["bands"], band_edges=d["band_edges"], fft_size=int(d["fft_size"]),
                         sample_rate=int(d["sample_rate"]))


from .audio_reactive import AudioFeature, feature  # noqa: E402  (features as property sources)
from .loudness import LoudnessReport, loudness  # noqa: E402  (BS.1770 / EBU R128 measurement)

# feature / loudness are documented in their own modules (reelforge.audio_reactive, reelforge.loudness).
__all__ = ["analyze", "AudioFeatures", "FLOOR_DB", "SAMPLE_RATE"]
