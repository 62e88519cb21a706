"""Beat trackers side by side on the music set: ours (pipeline.music) and, where installed, librosa's
dynamic-programming tracker. Tempo verdicts, mir_eval beat F-measure (70 ms) and CPU time per clip.

    python -m bench.beat_trackers [--set DIR]

librosa is not a dependency of ganterp: install it into a scratch environment to compare
(`pip install librosa mir_eval music21`, then run this with PYTHONPATH at the checkout). madmom's
networks (CC BY-NC-SA models) and Beat This (checkpoints fetched from a hub at run time) were weighed
and not run: see docs/music-phrases.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import time
from collections.abc import Callable
from pathlib import Path

import mir_eval
import numpy as np
from scipy.io import wavfile

from pipeline import music as M
from pipeline.music.harmony import harmony

Tracker = Callable[[np.ndarray, int], tuple[float | None, np.ndarray]]


def ours(samples: np.ndarray, rate: int) -> tuple[float | None, np.ndarray]:
    """pipeline.music: the beat network's activation, its tempo (or double or half), dynamic-programming beats."""
    found = M.rhythm(M.features(samples, rate), harmony(samples, rate))
    return found.tempo_bpm, found.beats


def librosa_tracker(samples: np.ndarray, rate: int) -> tuple[float | None, np.ndarray]:
    """librosa.beat.beat_track at its default 22.05 kHz."""
    import librosa  # type: ignore[import-not-found]

    y = librosa.resample(samples.astype(np.float32), orig_sr=rate, target_sr=22_050)
    tempo, beats = librosa.beat.beat_track(y=y, sr=22_050, units="time")
    return float(np.atleast_1d(tempo)[0]), np.asarray(beats)


def _verdict(found: float | None, truth: float) -> str:
    if found is None:
        return "none"
    for label, factor in (("ok", 1.0), ("x2", 2.0), ("x½", 0.5)):
        if abs(found / (truth * factor) - 1) <= 0.04:
            return label
    return "wrong"


def main() -> None:
    """Print one row per clip and tracker, and the means."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="/tmp/ganterp-music-set")
    folder = Path(parser.parse_args().set)
    trackers: dict[str, Tracker] = {"ours": ours}
    if importlib.util.find_spec("librosa") is not None:
        trackers["librosa"] = librosa_tracker
    scores: dict[str, list[float]] = {name: [] for name in trackers}
    verdicts: dict[str, list[str]] = {name: [] for name in trackers}
    for record in sorted(folder.glob("*.json")):
        truth = json.loads(record.read_text())
        if not truth["beats"]:
            continue
        rate, data = wavfile.read(folder / truth["wav"])
        samples = data.astype(np.float32).mean(axis=1) / 32768
        cells = [truth["split"], truth["name"]]
        for name, tracker in trackers.items():
            started = time.process_time()
            tempo, beats = tracker(samples, rate)
            seconds = time.process_time() - started
            reference = mir_eval.beat.trim_beats(np.asarray(truth["beats"]))
            f = mir_eval.beat.f_measure(reference, mir_eval.beat.trim_beats(beats)) if len(beats) else 0.0
            verdict = _verdict(tempo, truth["tempo_bpm"])
            scores[name].append(f)
            verdicts[name].append(verdict)
            cells.append(f"{name} {tempo or 0:.0f}/{truth['tempo_bpm']:.0f} {verdict} F {f:.2f} {seconds:.2f} s")
        print(" | ".join(cells))
    for name in trackers:
        right = sum(v in ("ok", "x2", "x½") for v in verdicts[name])
        total = len(verdicts[name])
        print(f"{name}: tempo right (ok, double or half) {right} of {total}, mean beat F {np.mean(scores[name]):.2f}")


if __name__ == "__main__":
    main()
