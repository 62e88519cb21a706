"""Harmonic change: note and chord changes that have no attack (organ, strings, voices, pads), and chroma.

The 40 log bands of `features` are a fifth wide in the middle register: when an organ moves one voice
of a held chord by a step, the band's level hardly moves, so the onset envelope stays flat. Here a
longer window (93 ms) resolves semitones from 65 Hz up, and a new note shows as a band rising by
tens of dB. The same semitone bands, folded to 12 pitch classes, are the chroma that bars and
phrases are compared with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.fft
import scipy.ndimage

TONAL_NFFT = 4096  # 93 ms: two neighbouring semitones apart from about 65 Hz up
TONAL_HOP = 512  # 11.6 ms
_LOWEST_MIDI, _HIGHEST_MIDI = 36, 108  # C2 (65 Hz) to C8 (4.2 kHz): where pitches are
_LAG = 2  # frames between the spectra compared (23 ms)
_DB_RANGE = 70.0
_CHUNK = 256  # frames per FFT batch: 4 MB of windowed frames stay in the cache (3 times faster than 4096)
CHANGE_FLOOR_DB = 0.3  # mean rise over the semitone bands: a new note in a held chord gives 0.5 and more,
# a glide or a held tone's wobble under 0.15


@dataclass(frozen=True)
class Harmony:
    """Per tonal frame (TONAL_HOP samples): semitone-band change and chroma."""

    frame_rate: float
    change: np.ndarray  # (n,) mean rise in dB of the semitone bands against two frames back
    chroma: np.ndarray  # (n, 12) pitch-class energy, each frame summing to 1 (0 in silence)

    def frame_time(self, frame: np.ndarray | int) -> np.ndarray:
        """Seconds at which a change that peaks in this frame starts."""
        # A new note fills half of the 93 ms window a little before the two-frame rise peaks (measured).
        centre = TONAL_NFFT / 2 - TONAL_HOP / 4
        return (np.asarray(frame, dtype=np.float64) * TONAL_HOP + centre) / (self.frame_rate * TONAL_HOP)


def _semitone_edges(sample_rate: int) -> np.ndarray:
    """Bin indices where each semitone band starts (and the last ends), at least one bin each."""
    midi = np.arange(_LOWEST_MIDI, _HIGHEST_MIDI + 2) - 0.5
    hz = 440.0 * 2 ** ((midi - 69) / 12)
    bins = np.ceil(hz * TONAL_NFFT / sample_rate).astype(np.int64)
    for index in range(1, len(bins)):
        bins[index] = max(bins[index], bins[index - 1] + 1)
    return bins


def harmony(samples: np.ndarray, sample_rate: int) -> Harmony:
    """Semitone-band change and chroma of the clip."""
    x = np.asarray(samples, dtype=np.float32)
    if len(x) < TONAL_NFFT:
        x = np.concatenate([x, np.zeros(TONAL_NFFT - len(x), np.float32)])
    frames = np.lib.stride_tricks.sliding_window_view(x, TONAL_NFFT)[::TONAL_HOP]
    window = np.hanning(TONAL_NFFT).astype(np.float32)
    edges = _semitone_edges(sample_rate)
    bands = np.empty((len(frames), len(edges) - 1), np.float32)
    for first in range(0, len(frames), _CHUNK):
        spectrum = scipy.fft.rfft(frames[first : first + _CHUNK] * window, axis=1)
        power = spectrum.real**2 + spectrum.imag**2
        bands[first : first + len(power)] = np.add.reduceat(power[:, : edges[-1]], edges[:-1], axis=1)
    db = 10 * np.log10(bands + np.float32(1e-12))
    db = np.maximum(db - db.max(initial=-120.0), np.float32(-_DB_RANGE))
    # SuperFlux on semitones: against the loudest neighbouring semitone two frames back, so vibrato
    # (a quarter tone either way) is no new note.
    earlier = np.concatenate([np.repeat(db[:1], _LAG, axis=0), db[:-_LAG]])
    widened = scipy.ndimage.maximum_filter1d(earlier, 3, axis=1)
    change = np.maximum(db - widened, 0.0).mean(axis=1)
    linear = 10 ** (db / 10)
    pitch_class = (np.arange(db.shape[1]) + _LOWEST_MIDI) % 12
    chroma = np.zeros((len(db), 12), np.float32)
    for pc in range(12):
        chroma[:, pc] = linear[:, pitch_class == pc].sum(axis=1)
    chroma = np.sqrt(chroma)  # a loud bass note should not drown the rest of the chord
    total = chroma.sum(axis=1, keepdims=True)
    chroma = np.where(total > 1e-6, chroma / np.maximum(total, 1e-12), 0.0)
    return Harmony(frame_rate=sample_rate / TONAL_HOP, change=change.astype(np.float64), chroma=chroma)


def change_peaks(found: Harmony) -> tuple[np.ndarray, np.ndarray]:
    """(seconds, strength) of clear harmonic changes: peaks well above their ±0.25 s surroundings."""
    env = found.change
    if len(env) < 3:
        return np.empty(0), np.empty(0)
    fps = found.frame_rate
    near = max(1, round(0.05 * fps))
    local_max = env == scipy.ndimage.maximum_filter1d(env, 2 * near + 1, mode="nearest")
    background = scipy.ndimage.uniform_filter1d(env, 2 * round(0.25 * fps) + 1, mode="nearest")
    peaks = np.flatnonzero(local_max)
    if len(peaks) == 0:
        return np.empty(0), np.empty(0)
    strong = float(np.quantile(env[peaks], 0.9)) or 1.0
    keep = peaks[
        (env[peaks] > background[peaks] + 0.25 * strong) & (env[peaks] > 0.3 * strong) & (env[peaks] > CHANGE_FLOOR_DB)
    ]
    return found.frame_time(keep), env[keep] / strong
