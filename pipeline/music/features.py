"""Per-frame measurements of a clip (band levels, spectral flux, loudness) that every music signal is made of."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.fft

from pipeline.analysis import HOP

FRAME_HOP = 2 * HOP  # 256 samples, 5.8 ms: fine enough to place a cut within a video frame
FRAME_NFFT = 1024  # 23 ms: enough frequency detail to see a new note in a held chord
N_BANDS = 40  # log-spaced bands from 40 Hz to 16 kHz; 16 kHz is where a 128 kb/s MP3 stops
_BAND_EDGES_HZ = (40.0, 16_000.0)
_DB_RANGE = 80.0  # quieter than this below the clip's loudest band is treated as silence
_CHUNK_FRAMES = 8192  # bounds the memory of the short-time spectra for long clips
DC_OFFSET = 1e-3  # -60 dBFS: a mean further from 0 is a DC offset, removed before the spectra
_LAG = 2  # frames between the spectra compared for onsets (11.6 ms)


@dataclass(frozen=True)
class Features:
    """Per-frame measurements of one clip (frames are FRAME_HOP samples at the analysis rate)."""

    sample_rate: int
    n_samples: int
    onset_envelope: np.ndarray  # (m,) positive log-spectral flux: mean rise per band in dB
    flux: np.ndarray  # (m,) absolute log-spectral flux, weighted by power (dB per frame)
    loudness_db: np.ndarray  # (m,) frame level in dB below the clip's loudest frame (≤ 0)
    band_db: np.ndarray  # (m, N_BANDS) float32 band levels in dB below the clip's loudest band, floored

    @property
    def frame_rate(self) -> float:
        """Frames per second."""
        return self.sample_rate / FRAME_HOP

    def frame_time(self, frame: np.ndarray | int) -> np.ndarray:
        """Time in seconds at which the onset that peaks in this frame starts."""
        # The positive flux of frame t peaks when a new sound fills about half of its window:
        # the onset is then near the window's centre, measured on synthesised notes (tests).
        centre = FRAME_NFFT / 2 - 0.75 * FRAME_HOP  # less a little: the two-frame lag peaks late
        return (np.asarray(frame, dtype=np.float64) * FRAME_HOP + centre) / self.sample_rate


def _band_matrix(sample_rate: int) -> np.ndarray:
    """(bins, bands) triangular weights of log-spaced bands: each band sums its bins' power."""
    freqs = np.fft.rfftfreq(FRAME_NFFT, 1 / sample_rate)
    edges = np.geomspace(*_BAND_EDGES_HZ, N_BANDS + 2)
    weights = np.zeros((len(freqs), N_BANDS))
    for band in range(N_BANDS):
        low, mid, high = edges[band : band + 3]
        rising = (freqs - low) / (mid - low)
        falling = (high - freqs) / (high - mid)
        weights[:, band] = np.clip(np.minimum(rising, falling), 0, None)
    # Low bands are narrower than one bin: give each at least its nearest bin.
    empty = weights.sum(axis=0) == 0
    for empty_band in np.flatnonzero(empty).tolist():
        weights[np.argmin(np.abs(freqs - edges[empty_band + 1])), empty_band] = 1.0
    return weights


def features(samples: np.ndarray, sample_rate: int) -> Features:
    """Short-time band spectra of the clip, reduced to the per-frame curves the music style uses."""
    x = np.asarray(samples, dtype=np.float32)
    # Less the clip's mean: a DC offset (a cheap interface, a bad edit) leaks through the window
    # into the low bands and lifts the floor of every quiet stretch, which moved the cuts. An
    # offset under -60 dBFS is left alone: it moves nothing, and clean clips keep their analysis
    # to the bit. (Each frame less its own mean would also do, but it shifts the lowest band with
    # the codec.)
    offset = float(x.mean(dtype=np.float64)) if len(x) else 0.0
    if abs(offset) > DC_OFFSET:
        x = x - np.float32(offset)
    n_frames = max(1, (len(x) - FRAME_NFFT) // FRAME_HOP + 1)
    if len(x) < FRAME_NFFT:
        x = np.concatenate([x, np.zeros(FRAME_NFFT - len(x), np.float32)])
    window = np.hanning(FRAME_NFFT).astype(np.float32)
    bands = _band_matrix(sample_rate).astype(np.float32)
    power = np.empty((n_frames, N_BANDS), np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(x, FRAME_NFFT)[::FRAME_HOP]
    for first in range(0, n_frames, _CHUNK_FRAMES):
        spectrum = scipy.fft.rfft(frames[first : first + _CHUNK_FRAMES] * window, axis=1)  # float32 in, complex64 out
        power[first : first + len(spectrum)] = (spectrum.real**2 + spectrum.imag**2) @ bands
    # Decibels relative to the clip's own loudest band, floored: the level of the recording and
    # the faint noise a codec adds below the floor change nothing.
    db = 10 * np.log10(power + np.float32(1e-12))
    db = np.maximum(db - db.max(initial=-120.0), np.float32(-_DB_RANGE))
    linear = 10 ** (db / np.float32(10))  # floored power, relative to the loudest band
    # SuperFlux (Böck & Widmer 2013): compare with the loudest neighbouring band two frames back,
    # so vibrato, chorus and a codec's wobble are not heard as new notes.
    earlier = np.concatenate([np.repeat(db[:1], _LAG, axis=0), db[:-_LAG]])[: len(db)]
    widened = earlier.copy()
    widened[:, 1:] = np.maximum(widened[:, 1:], earlier[:, :-1])
    widened[:, :-1] = np.maximum(widened[:, :-1], earlier[:, 1:])
    onset = np.maximum(db - widened, 0.0).mean(axis=1)
    level = 10 * np.log10(linear.mean(axis=1) + 1e-12)
    return Features(
        sample_rate=sample_rate,
        n_samples=len(samples),
        onset_envelope=onset,
        flux=_weighted_flux(db, linear),
        loudness_db=level - level.max(initial=0.0),
        band_db=db,
    )


def _weighted_flux(db: np.ndarray, linear: np.ndarray) -> np.ndarray:
    """Per frame, the change in dB of each band weighted by the band's share of the power.

    Bands near the floor hold only leakage and codec noise, whose level jumps from frame to frame;
    weighting by power makes a held tone read as still and a moving one as changing.
    """
    out = np.zeros(len(db))
    if len(db) > 1:
        weight = np.maximum(linear[1:], linear[:-1])
        change = np.abs(db[1:] - db[:-1])
        out[1:] = (weight * change).sum(axis=1) / np.maximum(weight.sum(axis=1), 1e-12)
    return out


def _robust_peak(values: np.ndarray) -> float:
    """A scale for 'a strong value' that one glitch cannot move (unlike the maximum)."""
    if len(values) == 0:
        return 0.0
    return float(np.quantile(values, 0.995))


def loudness_curve(feats: Features) -> np.ndarray:
    """(m,) 0..1 per frame: 0 at 60 dB below the loudest frame or quieter, 1 at the loudest."""
    out: np.ndarray = np.clip(1 + feats.loudness_db / 60.0, 0.0, 1.0)
    return out
