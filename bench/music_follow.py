"""How well the cuts follow the music: segments, alignment with note onsets, codec stability, speed.

    .venv/bin/python -m bench.music_follow [--quick] [--keep DIR] [--signal rms|tv|flux|onset] [--snap …] [--set DIR]

For every clip (numpy-synthesised, General MIDI through fluidsynth when installed, espeak-ng
speech): the paper style's segment count at its fixed δ, then the music style's segments (count,
mean, longest, shortest), the share of interior cuts within 50 ms of a real note onset (and of
random cuts, for scale), and the same clip as MP3 128 kb/s, Ogg and AAC against the WAV (count
difference, share of cuts within one 30 fps frame). Last, the analysis time of a 10-minute clip.
With `--set DIR`, then the same per clip of real compositions (`bench.music_set`, rendered into DIR
if missing): cuts on notes, on bar lines, on phrase starts, each against random cuts, tempo, beat
F-measure, codec stability and time, for the dev and the held-out split (`bench.music_phrases`).
Timings are medians of several runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.clips import Clip, make_clips
from bench.music_phrases import CODECS, report
from pipeline import analysis as A
from pipeline import music as M
from pipeline.media.audio import decode_audio
from tests.conftest import transcode, write_wav

FRAME_S = 1 / 30
NEAR_S = 0.05


def _nearest(times: np.ndarray, truth: np.ndarray) -> np.ndarray:
    if len(times) == 0 or len(truth) == 0:
        return np.full(len(times), np.inf)
    return np.asarray(np.abs(times[:, None] - truth[None, :]).min(axis=1))


def _median_time(function: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _row(clip: Clip, folder: Path, runs: int, settings: M.MusicSettings) -> dict[str, str]:
    samples = decode_audio(clip.path).samples
    paper = A.analyse(samples, 44_100)
    analysis, music = M.analyse_music(samples, 44_100, settings)
    times = analysis.inflection_times
    lengths = np.diff(times)
    row = {
        "clip": clip.name,
        "paper": str(len(paper.inflection_points) - 1),
        "segments": str(len(lengths)),
        "mean s": f"{lengths.mean():.1f}",
        "longest s": f"{lengths.max():.1f}",
        "shortest s": f"{lengths.min():.1f}",
        "tempo": f"{music.rhythm.tempo_bpm:.0f}" if music.rhythm.tempo_bpm else "-",
        "on onset": "-",
        "random": "-",
    }
    if clip.onsets is not None and len(times) > 2:
        row["on onset"] = f"{np.mean(_nearest(times[1:-1], clip.onsets) <= NEAR_S):.0%}"
        duration = len(samples) / 44_100
        random_cuts = np.random.default_rng(0).uniform(1.0, duration - 1.0, 1000)
        row["random"] = f"{np.mean(_nearest(random_cuts, clip.onsets) <= NEAR_S):.0%}"
    for codec, args in CODECS.items():
        encoded = transcode(clip.path, folder / f"{clip.path.stem}.{codec}", *args)
        other, _ = M.analyse_music(decode_audio(encoded).samples, 44_100, settings)
        within = _nearest(times[1:-1], other.inflection_times[1:-1]) <= FRAME_S
        share = f"{np.mean(within):.0%}" if len(within) else "-"
        row[codec] = f"{len(other.inflection_points) - len(analysis.inflection_points):+d} {share}"
    row["time s"] = f"{_median_time(lambda: M.analyse_music(samples, 44_100, settings), runs):.2f}"
    return row


def _ten_minutes(clips: list[Clip], folder: Path, runs: int) -> list[str]:
    """Analysis time of a 10-minute clip made of the longest clips, one after another."""
    longest = sorted(clips, key=lambda c: c.path.stat().st_size, reverse=True)[:3]
    parts = [decode_audio(c.path).samples for c in longest]
    whole = np.concatenate(parts * (int(600 * 44_100 / sum(map(len, parts))) + 1))[: 600 * 44_100]
    wav = write_wav(folder / "ten-minutes.wav", whole[:, None])
    samples = decode_audio(wav).samples
    paper_s = _median_time(lambda: A.analyse(samples, 44_100), runs)
    music_s = _median_time(lambda: M.analyse_music(samples, 44_100, M.MusicSettings()), runs)
    rhythm_s = _median_time(lambda: M.rhythm(M.features(samples, 44_100)), runs)
    analysis, _ = M.analyse_music(samples, 44_100, M.MusicSettings())
    lengths = np.diff(analysis.inflection_times)
    return [
        f"10-minute clip: paper analysis {paper_s:.2f} s, music style {music_s:.2f} s "
        f"(of which onsets, tempo and beats {rhythm_s:.2f} s); {len(lengths)} segments, "
        f"mean {lengths.mean():.1f} s, longest {lengths.max():.1f} s (median of {runs})"
    ]


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one timing run instead of five")
    parser.add_argument("--keep", help="keep the clips in this folder")
    parser.add_argument("--signal", choices=[s.value for s in M.Signal], default="rms", help="the signal cut on")
    parser.add_argument(
        "--snap", choices=[s.value for s in M.Snap], default=M.MusicSettings().snap.value, help="what cuts move to"
    )
    parser.add_argument(
        "--set", help="also the real compositions of bench.music_set in this folder (rendered if missing), per clip"
    )
    args = parser.parse_args()
    runs = 1 if args.quick else 5
    with tempfile.TemporaryDirectory(prefix="ganterp-bench-") as scratch:
        folder = Path(args.keep) if args.keep else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        clips, skipped = make_clips(folder)
        settings = M.MusicSettings(signal=M.Signal(args.signal), snap=M.Snap(args.snap))
        rows = [_row(clip, folder, runs, settings) for clip in clips]
        columns = list(rows[0])
        print("| " + " | ".join(columns) + " |")
        print("|" + "---|" * len(columns))
        for row in rows:
            print("| " + " | ".join(row[c] for c in columns) + " |")
        on_onset = [float(r["on onset"].rstrip("%")) for r in rows if r["on onset"] != "-"]
        codec_shares = [float(r[c].split()[1].rstrip("%")) for r in rows for c in CODECS if r[c].split()[1] != "-"]
        counts_ok = [abs(int(r[c].split()[0])) <= 1 for r in rows for c in CODECS]
        print()
        near_ms = NEAR_S * 1000
        print(f"cuts within {near_ms:.0f} ms of a note onset, mean over clips with notes: {np.mean(on_onset):.0f}%")
        print(f"codecs: count ±1 in {np.mean(counts_ok):.0%}, cuts within a frame {np.mean(codec_shares):.0f}%")
        for line in _ten_minutes(clips, folder, runs):
            print(line)
        for note in skipped:
            print(f"skipped: {note}")
    if args.set:
        # Per clip of real compositions: cuts on notes, bar lines and phrase starts against random
        # cuts, tempo, beat F-measure, codec stability and time, for the dev and held-out splits.
        print()
        for line in report(Path(args.set), "all", settings):
            print(line)


if __name__ == "__main__":
    main()
