"""Music analysis beyond the paper: onsets, tempo, beats, other 1-D signals, the automatic threshold,
cuts snapped to the music's events, and the pulse and motion curves of the music style.

One room each: `features` (per-frame band levels, flux, loudness), `harmony` (semitone change,
chroma), `rhythm` (onsets, tempo, beats, bar lines), `phrases` (phrase and section starts, the cuts
chosen on them), `signals` (what the cuts follow), `settings` (the options), `snapping` (cuts moved
onto events), `threshold` (the automatic threshold and its fix-ups), `cuts` (the whole analysis),
`motion` (pulse and drift curves), `styles` (presets). `pipeline.analysis` stays the paper's method; this
package only reuses its pieces (the smoothing,
the exact inflection scan, the alphas). Pure numpy. Times are seconds; `columns` are the paper's
128-sample steps at 44.1 kHz, so an analysis from here plugs into the same plan as the paper's.
"""

from __future__ import annotations

from pipeline.music.cuts import MusicAnalysis, analyse_music, count_note
from pipeline.music.features import FRAME_HOP, Features, features, loudness_curve
from pipeline.music.motion import drift_phase, pulse_curve
from pipeline.music.rhythm import Rhythm, estimate_tempo, pick_onsets, rhythm, track_beats
from pipeline.music.settings import LONGEST_S, MIN_GAP_S, MusicSettings, Snap
from pipeline.music.signals import Signal, signal_tv
from pipeline.music.snapping import still_frames
from pipeline.music.styles import STYLES, Style, StyleDefaults

__all__ = [
    "FRAME_HOP",
    "LONGEST_S",
    "MIN_GAP_S",
    "STYLES",
    "Features",
    "MusicAnalysis",
    "MusicSettings",
    "Rhythm",
    "Signal",
    "Snap",
    "Style",
    "StyleDefaults",
    "analyse_music",
    "count_note",
    "drift_phase",
    "estimate_tempo",
    "features",
    "loudness_curve",
    "pick_onsets",
    "pulse_curve",
    "rhythm",
    "signal_tv",
    "still_frames",
    "track_beats",
]
