"""The 1-D signals whose inflection points can become cuts: the paper's TV distance and three others."""

from __future__ import annotations

from enum import StrEnum

import numpy as np

from pipeline import analysis as paper
from pipeline.analysis import HOP
from pipeline.music.features import FRAME_HOP, FRAME_NFFT, Features, _robust_peak


class Signal(StrEnum):
    """The 1-D signal whose inflection points become cuts."""

    TV = "tv"  # the paper's: mean absolute change of the linear power spectrum
    FLUX = "flux"  # mean absolute change of the log band spectrum: timbre and harmony, as heard
    ONSET = "onset"  # rises only (onset strength): notes and hits
    RMS = "rms"  # loudness in dB: cuts at swells and lulls


def signal_tv(samples: np.ndarray, kind: Signal, feats: Features) -> np.ndarray:
    """The chosen signal per neighbouring pair of paper columns, (n_columns - 1,), about 0..1."""
    if kind is Signal.TV:
        return paper.tv_distances(samples)
    n_columns = paper.n_columns_for(feats.n_samples)
    # Each paper column takes the frame whose window is centred nearest to its own centre.
    centre = np.arange(n_columns - 1) * HOP + paper.NFFT / 2
    frame = np.clip(np.rint((centre - FRAME_NFFT / 2) / FRAME_HOP), 0, len(feats.flux) - 1).astype(np.int64)
    if kind is Signal.FLUX:
        values = feats.flux
    elif kind is Signal.ONSET:
        values = feats.onset_envelope
    else:  # loudness, from 60 dB below the loudest frame (0) to the loudest (1)
        values = np.clip(1 + feats.loudness_db / 60.0, 0.0, 1.0)
    peak = _robust_peak(values) if kind is not Signal.RMS else 1.0
    out: np.ndarray = values[frame] / peak if peak > 0 else values[frame]
    return out
