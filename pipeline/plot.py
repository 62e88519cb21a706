"""The threshold "playground" as a picture: spectrogram, TV distances with the cuts, and alphas."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never a window
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from pipeline.analysis import Analysis, spectrogram
from pipeline.classes import class_name

_MAX_PLOT_COLUMNS = 4000


def plot_analysis(analysis: Analysis, samples: np.ndarray, class_ids: np.ndarray, path: Path) -> None:
    """Write a PNG with the three figures of the author's post, cuts labelled with their classes."""
    times = analysis.column_time(np.arange(analysis.n_columns))
    cuts = analysis.inflection_times
    fig, (ax_spec, ax_tv, ax_alpha) = plt.subplots(3, 1, figsize=(14, 9), sharex=True, constrained_layout=True)
    _draw_spectrogram(ax_spec, analysis, samples)
    ax_tv.plot(times[:-1], analysis.tv, color="0.75", linewidth=0.5, label="TV distance (normalised)")
    ax_tv.plot(times, analysis.smoothed, color="C0", label="smoothed")
    ax_tv.plot(cuts, analysis.smoothed[analysis.inflection_points], "o", color="C3", label="inflection points")
    for cut, value, class_id in zip(cuts, analysis.smoothed[analysis.inflection_points], class_ids, strict=False):
        ax_tv.annotate(
            f"{class_id} {class_name(int(class_id))}", (cut, value), rotation=60, fontsize=7,
            xytext=(2, 6), textcoords="offset points",
        )  # fmt: skip
    ax_tv.set_ylabel("TV")
    ax_tv.set_title(f"threshold {analysis.threshold:.4g}, kind {analysis.kind.value}: {len(cuts) - 1} segments")
    ax_tv.legend(loc="upper right", fontsize=8)
    ax_alpha.plot(times, analysis.alphas, color="C2")
    for cut in cuts:
        ax_alpha.axvline(cut, color="C3", linewidth=0.5)
    ax_alpha.set_ylabel("alpha")
    ax_alpha.set_xlabel("time (s)")
    partial = path.with_name(f".{path.name}.partial.png")
    try:
        fig.savefig(partial, dpi=110)
        partial.replace(path)
    finally:
        plt.close(fig)
        partial.unlink(missing_ok=True)


def _draw_spectrogram(ax: Axes, analysis: Analysis, samples: np.ndarray) -> None:
    # Long clips are drawn from every k-th column: the picture cannot show more anyway.
    step = max(1, analysis.n_columns // _MAX_PLOT_COLUMNS)
    picked = [spectrogram(samples, c, c + 1)[:, 0] for c in range(0, analysis.n_columns, step)]
    power_db = 10 * np.log10(np.stack(picked, axis=1) + 1e-20)
    extent = (0.0, analysis.n_columns / analysis.columns_per_second, 0.0, analysis.sample_rate / 2000)
    ax.imshow(power_db, origin="lower", aspect="auto", extent=extent, cmap="magma",
              vmin=np.percentile(power_db, 5), vmax=power_db.max())  # fmt: skip
    ax.set_ylabel("frequency (kHz)")
    ax.set_title("spectrogram (left channel unless --channel)")
