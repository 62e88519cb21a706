"""Motion between the cuts: a kick of the latent on percussive onsets, and a drift that moves with the loudness."""

from __future__ import annotations

import numpy as np

from pipeline.music.rhythm import Rhythm

PULSE_DECAY_S = 0.2  # a kick fades to a third in this time: felt on the beat, gone before the next
DRIFT_LOOP_S = 24.0  # seconds of full-loudness music for the drift to come round once


def pulse_curve(found: Rhythm, times: np.ndarray) -> np.ndarray:
    """0..1 at each time: a kick on each percussive onset, decaying exponentially."""
    weight = np.minimum(found.onset_strength, 1.0) * np.clip((found.percussive - 0.5) / 0.4, 0.0, 1.0)
    keep = weight > 0.05
    onsets, weight = found.onsets[keep], weight[keep]
    curve = np.zeros(len(times))
    if len(onsets) == 0:
        return curve
    # Each time feels the most recent kicks; beyond five decays a kick is under 1%.
    first = np.searchsorted(onsets, times - 5 * PULSE_DECAY_S, side="left")
    last = np.searchsorted(onsets, times, side="right")
    for index in range(len(times)):
        lo, hi = first[index], last[index]
        if hi > lo:
            ages = times[index] - onsets[lo:hi]
            curve[index] = np.max(weight[lo:hi] * np.exp(-ages / PULSE_DECAY_S))
    return curve


def drift_phase(loudness: np.ndarray, frame_rate: float, times: np.ndarray) -> np.ndarray:
    """Radians at each time: the drift's angle, advancing with the loudness so far (silence holds still)."""
    if len(loudness) == 0:
        return np.zeros(len(times))
    travelled = np.concatenate([[0.0], np.cumsum(loudness)]) / frame_rate  # loud-seconds up to each frame
    frames = np.clip(times * frame_rate, 0, len(loudness))
    return np.asarray(2 * np.pi * np.interp(frames, np.arange(len(travelled)), travelled) / DRIFT_LOOP_S)
