"""The threshold "playground" as a picture: spectrogram, the signal with the cuts, onsets and beats, and alphas."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never a window
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from pipeline.analysis import Analysis, spectrogram
from pipeline.classes import class_name
from pipeline.files import replacing
from pipeline.music import MusicAnalysis

_MAX_PLOT_COLUMNS = 4000
_SIGNAL_NAMES = {
    "tv": "TV distance (the paper's)",
    "flux": "spectral flux",
    "onset": "onset strength",
    "rms": "loudness",
}


def plot_analysis(
    analysis: Analysis,
    samples: np.ndarray,
    class_ids: np.ndarray,
    path: Path,
    *,
    music: MusicAnalysis | None = None,
    channel: str = "left",
) -> None:
    """Write a PNG: spectrogram, the signal with cuts (labelled by class), onsets and beats, and alphas."""
    duration = analysis.n_samples / analysis.sample_rate
    # Wider for long clips, so that every cut keeps room for its label.
    width = float(np.clip(duration / 3, 14, 40))
    fig, axes = plt.subplots(
        4, 1, figsize=(width, 11), sharex=True, constrained_layout=True, height_ratios=[3, 1.3, 3, 1.5]
    )
    ax_spec, ax_labels, ax_signal, ax_alpha = axes
    _draw_spectrogram(ax_spec, fig, analysis, samples, channel)
    _draw_labels(ax_labels, analysis, class_ids)
    _draw_signal(ax_signal, analysis, music)
    times = analysis.column_time(np.arange(analysis.n_columns))
    ax_alpha.plot(times, analysis.alphas, color="C2")
    ax_alpha.set_ylabel("alpha")
    ax_alpha.set_xlabel("time (s)")
    for ax in (ax_spec, ax_signal, ax_alpha):
        for cut in analysis.inflection_times[1:-1]:
            ax.axvline(cut, color="C3", linewidth=0.7, alpha=0.8)
    ax_alpha.set_xlim(0, duration)
    try:
        with replacing(path) as partial:
            fig.savefig(partial, dpi=110, format="png")  # the hidden name's suffix is not .png
    finally:
        plt.close(fig)


def _draw_labels(ax: Axes, analysis: Analysis, class_ids: np.ndarray) -> None:
    """Class names standing upright at their cuts, in a strip of their own: they never cover the data."""
    cuts = analysis.inflection_times
    n = len(cuts)
    size = float(np.clip(900 / max(n, 1), 5, 8))
    for cut, class_id in zip(cuts, class_ids, strict=False):
        name = class_name(int(class_id))
        name = name if len(name) <= 22 else name[:21] + "…"
        ax.text(cut, 0.02, f"{class_id} {name}", rotation=90, fontsize=size, va="bottom", ha="center")
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(f"{n - 1} segments: the class each cut brings", fontsize=9, loc="left")


def _draw_signal(ax: Axes, analysis: Analysis, music: MusicAnalysis | None) -> None:
    times = analysis.column_time(np.arange(analysis.n_columns))
    signal = music.signal.value if music is not None else "tv"
    name = _SIGNAL_NAMES.get(signal, signal)
    step = max(1, len(analysis.tv) // 20_000)  # the raw signal of a long clip, thinned for drawing
    ax.plot(times[:-1:step], analysis.tv[::step], color="0.75", linewidth=0.5, label=name)
    ax.plot(times, analysis.smoothed, color="C0", label="smoothed")
    ax.plot(analysis.inflection_times, analysis.smoothed[analysis.inflection_points], "o", color="C3", label="cuts")
    chosen = "cuts chosen on phrases" if np.isnan(analysis.threshold) else f"threshold {analysis.threshold:.4g}"
    title = f"{name}: {chosen}, kind {analysis.kind.value}"
    if music is not None:
        found = music.rhythm
        top = float(max(analysis.smoothed.max(initial=0.0), analysis.tv.max(initial=0.0))) or 1.0
        # Onsets and beats as ticks under the signal, where they meet the cuts' lines.
        rows = (
            (found.onsets, -0.04, "C1", "onsets"),
            (found.beats, -0.1, "C4", "beats"),
            (found.downbeats, -0.16, "C2", "bar lines"),
        )
        for events, row, colour, label in rows:
            if len(events):
                ax.plot(events, np.full(len(events), row * top), "|", color=colour, markersize=7, label=label)
        # The phrase and section starts found: dashed lines through the signal, where cuts prefer to fall.
        for index, start in enumerate(music.phrase_starts.tolist()):
            ax.axvline(start, color="C2", linestyle="--", linewidth=0.8, label="phrase starts" if index == 0 else None)
        tempo = f", {found.tempo_bpm:.0f} bpm" if found.tempo_bpm else ", no steady beat"
        snapped = f", cuts snapped to {music.snap.value}" if music.snap.value != "none" else ""
        target = f", aiming at {music.target_s:.1f} s segments" if music.target_s else ""
        title += f"{tempo}{snapped}{target}"
    ax.set_ylabel(signal)
    ax.set_title(title, fontsize=9, loc="left")
    ax.legend(loc="upper right", fontsize=7, ncols=5)


def _draw_spectrogram(ax: Axes, fig: Figure, analysis: Analysis, samples: np.ndarray, channel: str) -> None:
    # Long clips are drawn from every k-th column: the picture cannot show more anyway.
    step = max(1, analysis.n_columns // _MAX_PLOT_COLUMNS)
    picked = [spectrogram(samples, c, c + 1)[:, 0] for c in range(0, analysis.n_columns, step)]
    power_db = 10 * np.log10(np.stack(picked, axis=1) + 1e-20)
    extent = (0.0, analysis.n_columns / analysis.columns_per_second, 0.0, analysis.sample_rate / 2000)
    image = ax.imshow(
        power_db,
        origin="lower",
        aspect="auto",
        extent=extent,
        cmap="magma",
        vmin=np.percentile(power_db, 5),
        vmax=power_db.max(),
    )
    fig.colorbar(image, ax=ax, pad=0.005, fraction=0.02, label="power (dB)")
    ax.set_ylabel("frequency (kHz)")
    ax.set_title(f"spectrogram of the {channel} channel (the one the cuts follow)", fontsize=9, loc="left")
