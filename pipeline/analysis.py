"""The GANterpretations analysis: spectrogram → TV distances → smoothing → inflection points → alphas.

Pure numpy. Every length here is in spectrogram columns at 44.1 kHz (one column
per 128 samples), as in the released code; `pipeline.media.audio` resamples to that
rate so the cuts fall at the same seconds for any input.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from pipeline.errors import InvalidOption

NFFT = 256
HOP = 128  # matplotlib specgram's default overlap of 128 samples
SMOOTHING_COLUMNS = 256
ROLLING_LENGTH = 200
ABSOLUTE_THRESHOLD = 0.08
DEFAULT_THRESHOLD = 0.035  # the released command line's default
_SPECGRAM_FS = 2.0  # matplotlib's default Fs; a constant factor the max-normalisation removes
_CHUNK_COLUMNS = 4096  # bounds memory for long clips: the spectrogram is never held whole


class InflectionKind(StrEnum):
    """Which extrema of the smoothed TV signal count as inflection points."""

    MIN = "min"
    MAX = "max"
    BOTH = "both"


@dataclass(frozen=True)
class Analysis:
    """Everything the method derives from one clip; columns are 128-sample steps at `sample_rate`."""

    sample_rate: int
    n_samples: int
    tv: np.ndarray  # (n_columns - 1,) TV distances divided by their maximum
    smoothed: np.ndarray  # (n_columns,) running mean with the released code's front padding
    inflection_points: np.ndarray  # (p,) int column indices, first 0 and last n_columns - 1
    alphas: np.ndarray  # (n_columns,) interpolation weight inside each segment, in [0, 1]
    segment_of_column: np.ndarray  # (n_columns,) index of the segment each column belongs to
    threshold: float
    kind: InflectionKind

    @property
    def n_columns(self) -> int:
        """Number of spectrogram columns."""
        return len(self.smoothed)

    @property
    def columns_per_second(self) -> float:
        """Spectrogram columns per second of audio (344.53 at 44.1 kHz)."""
        return self.sample_rate / HOP

    def column_time(self, column: np.ndarray | int) -> np.ndarray:
        """Time in seconds of a column, as the released code's one-frame-per-column video shows it."""
        return np.asarray(column, dtype=np.float64) / self.columns_per_second

    @property
    def inflection_times(self) -> np.ndarray:
        """Seconds at which each inflection point falls."""
        return self.column_time(self.inflection_points)


def n_columns_for(n_samples: int) -> int:
    """How many columns matplotlib's specgram gives for `n_samples` (short input is zero-padded)."""
    return max(1, (n_samples - NFFT) // HOP + 1)


def spectrogram(samples: np.ndarray, first: int = 0, stop: int | None = None) -> np.ndarray:
    """Columns [first, stop) of matplotlib `specgram`'s default PSD: (129, stop - first) float64."""
    stop = n_columns_for(len(samples)) if stop is None else stop
    # Only the samples these columns need are converted, so a chunk costs its own size, not the clip's.
    x = np.asarray(samples[first * HOP : (stop - 1) * HOP + NFFT], dtype=np.float64)
    if len(x) < NFFT:  # matplotlib zero-pads input shorter than one window
        x = np.concatenate([x, np.zeros(NFFT - len(x))])
    frames = np.lib.stride_tricks.sliding_window_view(x, NFFT)
    window = np.hanning(NFFT)
    spectrum = np.fft.rfft(frames[::HOP] * window, axis=1)  # (cols, 129)
    psd = spectrum.real**2 + spectrum.imag**2
    psd[:, 1:-1] *= 2.0  # one-sided: fold negative frequencies, not DC or Nyquist
    psd /= _SPECGRAM_FS * (window**2).sum()
    return psd.T


def tv_distances(samples: np.ndarray) -> np.ndarray:
    """Mean absolute difference between neighbouring spectrogram columns, divided by the maximum."""
    n_columns = n_columns_for(len(samples))
    tv = np.empty(max(0, n_columns - 1))
    for first in range(0, n_columns - 1, _CHUNK_COLUMNS):
        stop = min(first + _CHUNK_COLUMNS + 1, n_columns)  # one column of overlap for the difference
        spec = spectrogram(samples, first, stop)
        tv[first : stop - 1] = np.abs(np.diff(spec, axis=1)).mean(axis=0)
    peak = tv.max(initial=0.0)
    return tv / peak if peak > 0 else tv  # silence: all zeros, one segment


def smooth(tv: np.ndarray, width: int = SMOOTHING_COLUMNS) -> np.ndarray:
    """Running mean over `width` values ('valid'), then `width` copies of its first value in front."""
    if len(tv) < width:
        raise InvalidOption("audio length", f"{len(tv)} TV values", f"at least {width} for smoothing")
    # np.convolve 'valid', as the released code, so rounding (and so ties) match it too.
    running = np.convolve(tv, np.ones(width) / width, mode="valid")
    return np.concatenate([np.full(width, running[0]), running])


@dataclass(frozen=True)
class InflectionSearch:
    """The released code's inflection scan, precomputed so any threshold costs only the jumps.

    The scan visits start positions i = 0, 1, 2, …; the candidate column is
    c = i + L + 1, compared with the mean of the L values at i.. (prev) and of
    the L values after c (next, shorter near the end). A *hit* (c on the same
    side of both means, a local extremum, more than δ from both) makes the scan
    jump by L whether the kind filter keeps it or not; a miss advances by one.
    Whether i is a hit depends only on i and δ, so each start position gets its
    *critical δ* (the smaller distance to the two means) once, and a scan for any
    δ only walks from hit to hit.
    """

    starts: np.ndarray  # (k,) start positions that are hits for small enough δ, ascending
    critical: np.ndarray  # (k,) a start is a hit when δ < critical
    kept: np.ndarray  # (k,) bool: the kind filter keeps the point (else it is skipped)
    n_columns: int
    rolling_length: int

    @classmethod
    def build(
        cls,
        smoothed: np.ndarray,
        kind: InflectionKind = InflectionKind.MIN,
        rolling_length: int = ROLLING_LENGTH,
        absolute_threshold: float = ABSOLUTE_THRESHOLD,
    ) -> InflectionSearch:
        """Precompute hits and critical thresholds of `smoothed` for every start position."""
        arr = np.asarray(smoothed, dtype=np.float64)
        starts = _extremum_starts(arr, rolling_length)
        critical = np.empty(len(starts))
        kept = np.empty(len(starts), dtype=bool)
        for row, i in enumerate(starts):
            # Exactly the released code's arithmetic (np.mean of slices), so that the
            # columns found are the same to the last bit, not merely close.
            critical[row], kept[row] = _exact_hit(arr, int(i), rolling_length, kind, absolute_threshold)
        return cls(starts, critical, kept, len(arr), rolling_length)

    def points(self, threshold: float) -> np.ndarray:
        """Inflection columns for threshold δ: 0, the kept hits of the scan, and the last column."""
        hit = self.critical > threshold
        hit_starts, hit_kept = self.starts[hit], self.kept[hit]
        found = [0]
        position, k = 0, 0
        while True:
            k = int(np.searchsorted(hit_starts, position, side="left"))
            if k == len(hit_starts):
                break
            start = int(hit_starts[k])
            if hit_kept[k]:
                found.append(start + self.rolling_length + 1)
            position = start + self.rolling_length
        found.append(self.n_columns - 1)
        return np.asarray(found, dtype=np.int64)

    def threshold_for_segments(self, wanted: int) -> float:
        """The threshold whose scan gives the segment count nearest to `wanted` (ties: the largest δ)."""
        if wanted < 1:
            raise InvalidOption("--segments", wanted, "at least 1")
        # The count only changes where δ crosses a critical value, so those are the only
        # thresholds worth trying (thinned for very long clips).
        levels = np.unique(self.critical[self.critical > 0])
        if len(levels) > 600:
            levels = np.unique(np.quantile(levels, np.linspace(0, 1, 600), method="nearest"))
        candidates = [1.0, *np.nextafter(levels, -np.inf)[::-1]]
        best, best_gap = 1.0, None
        for threshold in candidates:
            gap = abs(len(self.points(threshold)) - 1 - wanted)
            if best_gap is None or gap < best_gap:
                best, best_gap = float(threshold), gap
            if gap == 0:
                break
        return max(best, 0.0)


def _extremum_starts(arr: np.ndarray, rolling_length: int) -> np.ndarray:
    """Start positions whose candidate column is a local extremum with a non-empty next window."""
    n, length = len(arr), rolling_length
    last_start = n - length - 2  # the scan runs while i < n - L - 1
    if last_start < 0:
        return np.empty(0, dtype=np.int64)
    starts = np.arange(last_start + 1)
    column = starts + length + 1
    has_next = column + 1 < n  # the released code's next window is empty (NaN) at the last column
    starts, column = starts[has_next], column[has_next]
    value = arr[column]
    extremum = np.sign(value - arr[column - 1]) == np.sign(value - arr[column + 1])
    found: np.ndarray = starts[extremum]
    return found


def _exact_hit(
    arr: np.ndarray, start: int, length: int, kind: InflectionKind, absolute_threshold: float
) -> tuple[float, bool]:
    """(critical δ, kept by the kind filter) for one start position, as the released code computes it."""
    column = start + length + 1
    value = arr[column]
    prev_mean = np.mean(arr[start : start + length])
    next_mean = np.mean(arr[column + 1 : column + length + 1])
    if np.sign(value - prev_mean) != np.sign(value - next_mean):
        return -np.inf, False  # never a hit
    critical = min(abs(value - prev_mean), abs(value - next_mean))
    previous = arr[column - 1]
    if kind is InflectionKind.MIN:
        kept = not (value > previous or value > absolute_threshold)
    elif kind is InflectionKind.MAX:
        kept = not value < previous
    else:
        kept = True
    return float(critical), kept


def segment_alphas(smoothed: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column (alpha, segment index): the normalised cumulative sum inside each segment.

    The last column belongs to the last segment with alpha 1. A segment whose
    signal sums to zero (silence) gets a linear ramp instead of a division by zero.
    """
    n = len(smoothed)
    alphas = np.ones(n)
    segments = np.full(n, max(len(points) - 2, 0), dtype=np.int64)
    for index, (begin, end) in enumerate(itertools.pairwise(points)):
        part = smoothed[begin:end]
        total = part.sum()
        if total > 0:
            alphas[begin:end] = np.cumsum(part) / total
        else:
            alphas[begin:end] = np.arange(1, end - begin + 1) / (end - begin)
        segments[begin:end] = index
    return alphas, segments


def analyse(
    samples: np.ndarray,
    sample_rate: int,
    *,
    threshold: float | None = DEFAULT_THRESHOLD,
    segments: int | None = None,
    kind: InflectionKind = InflectionKind.MIN,
) -> Analysis:
    """Run the method on one channel of audio; `segments` picks the threshold by search."""
    if threshold is not None and not 0 <= threshold <= 1:
        raise InvalidOption("--threshold", threshold, "between 0 and 1")
    tv = tv_distances(samples)
    smoothed = smooth(tv)
    search = InflectionSearch.build(smoothed, kind)
    if segments is not None:
        threshold = search.threshold_for_segments(segments)
    assert threshold is not None
    points = search.points(threshold)
    alphas, segment_of_column = segment_alphas(smoothed, points)
    return Analysis(
        sample_rate=sample_rate,
        n_samples=len(samples),
        tv=tv,
        smoothed=smoothed,
        inflection_points=points,
        alphas=alphas,
        segment_of_column=segment_of_column,
        threshold=float(threshold),
        kind=kind,
    )
