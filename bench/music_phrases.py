"""How the music style follows real compositions: per clip of the `bench.music_set` set, cuts on
notes, on bar lines and on phrase boundaries (each against random cuts), tempo, beat and downbeat
F-measures, onset F-measure, codec stability and time.

    .venv/bin/python -m bench.music_phrases [--set DIR] [--split dev|held-out|all] [--snap …] [--no-codecs]

Measures (mir_eval where it has one): a cut is *on a note* within 50 ms of a note start, *on a bar
line* within 70 ms of a downbeat (mir_eval's beat window), *on a phrase* within 0.25 s of a phrase
start. *Bar off*: phrase starts whose nearest cut is about a bar early or late (within 0.25 s of
one bar from it). The random baseline is the same measure for 2000 uniform cuts. Tempo: `ok` within
4%, `x2`/`x½` a clean double or half, `wrong`, or `none`. Codecs: the segment count as MP3 128 kb/s,
Ogg and AAC less the WAV's, and the share of the WAV's cuts within a 30 fps frame of a cut there.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import mir_eval
import numpy as np

from bench.music_set import Truth, build
from pipeline import music as M
from pipeline.media.audio import decode_audio
from pipeline.music.harmony import harmony
from pipeline.music.phrases import boundaries
from tests.conftest import transcode

NOTE_S, BAR_S, PHRASE_S, FRAME_S = 0.05, 0.07, 0.25, 1 / 30
CODECS = {
    "mp3": ["-c:a", "libmp3lame", "-b:a", "128k"],
    "ogg": ["-c:a", "libvorbis", "-q:a", "4"],
    "m4a": ["-c:a", "aac", "-b:a", "128k"],
}
T = TypeVar("T")


def near_share(times: np.ndarray, truth: list[float] | np.ndarray, window: float) -> float:
    """Share of `times` within `window` seconds of a true time."""
    reference = np.asarray(truth, dtype=np.float64)
    if len(times) == 0 or len(reference) == 0:
        return float("nan")
    return float(np.mean(np.abs(times[:, None] - reference[None, :]).min(axis=1) <= window))


def _off(times: np.ndarray, truth: list[float], window: float) -> np.ndarray:
    """The times farther than `window` seconds from every truth time."""
    if not len(truth) or not len(times):
        return times
    out: np.ndarray = times[np.abs(times[:, None] - np.asarray(truth)[None, :]).min(axis=1) > window]
    return out


def tempo_verdict(found: float | None, truth: float | None) -> str:
    """ok (within 4%), x2 or x½ (a clean double or half), wrong or none."""
    if truth is None:
        return "none" if found is None else "(none)"
    if found is None:
        return "none"
    for label, factor in (("ok", 1.0), ("x2", 2.0), ("x½", 0.5), ("x3/2", 1.5), ("x2/3", 2 / 3)):
        if abs(found / (truth * factor) - 1) <= 0.04:
            return label if label in ("ok", "x2", "x½") else "wrong"
    return "wrong"


def bar_off(cuts: np.ndarray, phrases: list[float], downbeats: list[float]) -> int:
    """Phrase starts whose nearest cut is about one bar early or late."""
    if len(cuts) == 0 or len(downbeats) < 2:
        return 0
    bar = float(np.median(np.diff(downbeats)))
    off = 0
    for start in phrases:
        gap = float(np.min(np.abs(cuts - start)))
        if gap > PHRASE_S and abs(gap - bar) <= PHRASE_S:
            off += 1
    return off


@dataclass
class Row:
    """One clip's numbers."""

    truth: Truth
    cells: dict[str, str]
    numbers: dict[str, float]


def measure(truth: Truth, folder: Path, settings: M.MusicSettings, codecs: bool) -> Row:
    """Every measure for one clip."""
    samples = decode_audio(folder / truth.wav).samples
    started = time.perf_counter()
    analysis, music = M.analyse_music(samples, 44_100, settings)
    seconds = time.perf_counter() - started
    times = analysis.inflection_times
    cuts = times[1:-1]
    rng = np.random.default_rng(0)
    random_cuts = rng.uniform(1.0, truth.seconds - 1.0, 2000)
    found = music.rhythm
    numbers: dict[str, float] = {
        "note": near_share(cuts, truth.onsets, NOTE_S),
        "note random": near_share(random_cuts, truth.onsets, NOTE_S),
        "bar": near_share(cuts, truth.downbeats, BAR_S),
        "bar random": near_share(random_cuts, truth.downbeats, BAR_S),
        "phrase": near_share(cuts, truth.phrases or [], PHRASE_S),
        # The order: a phrase's start first, then bar lines between; a chorale's phrase starts
        # on its pickup, off the bar line, so the bar lines are counted apart among the other cuts.
        "bar between": near_share(_off(cuts, truth.phrases or [], PHRASE_S), truth.downbeats, BAR_S),
        "phrase random": near_share(random_cuts, truth.phrases or [], PHRASE_S),
        "onset F": mir_eval.onset.f_measure(np.asarray(truth.onsets), found.onsets, window=NOTE_S)[0],
        "time": seconds,
    }
    beats = np.asarray(truth.beats)
    downbeats_found = getattr(found, "downbeats", np.empty(0))
    if len(beats):
        numbers["beat F"] = mir_eval.beat.f_measure(
            mir_eval.beat.trim_beats(beats), mir_eval.beat.trim_beats(found.beats)
        )
        numbers["downbeat F"] = mir_eval.beat.f_measure(
            mir_eval.beat.trim_beats(np.asarray(truth.downbeats)), mir_eval.beat.trim_beats(downbeats_found)
        )
    cells = {
        "split": truth.split,
        "clip": truth.name,
        "cuts": str(len(cuts)),
        "on note": _pct(numbers["note"]) + f" ({_pct(numbers['note random'])})",
        "on bar": _pct(numbers["bar"]) + f" ({_pct(numbers['bar random'])})",
        "on phrase": _pct(numbers["phrase"]) + f" ({_pct(numbers['phrase random'])})" if truth.phrases else "-",
        "bar off": f"{bar_off(cuts, truth.phrases, truth.downbeats)}/{len(truth.phrases)}" if truth.phrases else "-",
        "tempo": f"{found.tempo_bpm or 0:.0f}/{truth.tempo_bpm or 0:.0f} "
        + tempo_verdict(found.tempo_bpm, truth.tempo_bpm),
        "beat F": f"{numbers['beat F']:.2f}" if "beat F" in numbers else "-",
        "bar F": f"{numbers['downbeat F']:.2f}" if "downbeat F" in numbers else "-",
        "onset F": f"{numbers['onset F']:.2f}",
    }
    if codecs:
        for codec, (difference, share) in codec_agreement(cuts, folder / truth.wav, settings).items():
            numbers[f"{codec} count"], numbers[f"{codec} frame"] = difference, share
            cells[codec] = f"{difference:+d} {share:.0%}"
    cells["time s"] = f"{seconds:.2f}"
    return Row(truth, cells, numbers)


def codec_agreement(cuts: np.ndarray, wav: Path, settings: M.MusicSettings) -> dict[str, tuple[int, float]]:
    """Per codec: the cut count there less the WAV's, and the share of the WAV's `cuts` within a
    frame of a cut there (each encoding is made once, beside the WAV)."""
    out = {}
    for codec, args in CODECS.items():
        encoded = wav.with_suffix(f".{codec}")
        if not encoded.is_file():
            transcode(wav, encoded, "-loglevel", "error", *args)
        other, _ = M.analyse_music(decode_audio(encoded).samples, 44_100, settings)
        theirs = other.inflection_times[1:-1]
        within = (
            np.abs(cuts[:, None] - theirs[None, :]).min(axis=1) <= FRAME_S if len(theirs) else np.zeros(len(cuts), bool)
        )
        out[codec] = (len(theirs) - len(cuts), float(np.mean(within)) if len(cuts) else 1.0)
    return out


def _pct(value: float) -> str:
    return "-" if np.isnan(value) else f"{value:.0%}"


def summary(rows: list[Row], codecs: bool) -> list[str]:
    """The goals' numbers over a group of clips."""

    def mean(key: str, keep: list[Row]) -> str:
        values = [r.numbers[key] for r in keep if key in r.numbers and not np.isnan(r.numbers[key])]
        return f"{np.mean(values):.0%}" if values else "-"

    phrased = [r for r in rows if r.truth.phrases]
    sustained = [r for r in rows if r.truth.sustained]
    struck = [r for r in rows if not r.truth.sustained]
    pulsed = [r for r in rows if r.truth.tempo_bpm]
    verdicts = [r.cells["tempo"].split()[-1] for r in pulsed]
    off = sum(int(r.cells["bar off"].split("/")[0]) for r in phrased)
    starts = sum(len(r.truth.phrases or []) for r in phrased)
    beat_f = np.mean([r.numbers["beat F"] for r in pulsed])
    bar_f = np.mean([r.numbers["downbeat F"] for r in pulsed])
    onset_soft = np.mean([r.numbers["onset F"] for r in sustained])
    onset_hard = np.mean([r.numbers["onset F"] for r in struck])
    lines = [
        f"cuts on a note: struck/plucked/drums {mean('note', struck)} (random {mean('note random', struck)}), "
        f"sustained {mean('note', sustained)} (random {mean('note random', sustained)})",
        f"cuts on a phrase start (clips with known phrases): {mean('phrase', phrased)} "
        f"(random {mean('phrase random', phrased)}); a bar off: {off} of {starts} phrase starts",
        f"cuts on a bar line: {mean('bar', pulsed)} (random {mean('bar random', pulsed)}); "
        f"of the cuts not on a phrase start: {mean('bar between', pulsed)}",
        f"tempo: {verdicts.count('ok')} ok, {verdicts.count('x2')} double, {verdicts.count('x½')} half, "
        f"{verdicts.count('wrong')} wrong, {verdicts.count('none')} none, of {len(pulsed)} pulsed clips; "
        f"beat F {beat_f:.2f}, downbeat F {bar_f:.2f}",
        f"onset F: sustained {onset_soft:.2f}, others {onset_hard:.2f}",
    ]
    if codecs:
        counts = [r.numbers[f"{c} count"] for r in rows for c in CODECS]
        frames = [r.numbers[f"{c} frame"] for r in rows for c in CODECS]
        lines.append(
            f"codecs: same count {np.mean(np.equal(counts, 0)):.0%}, within ±1 {np.mean(np.abs(counts) <= 1):.0%}, "
            f"cuts within a frame {np.mean(frames):.0%} (of {len(counts)} encodings)"
        )
    return lines


def ten_minutes(truths: list[Truth], folder: Path) -> str:
    """Analysis time of 10 minutes of the set's clips one after another, and where it goes."""
    parts = [decode_audio(folder / t.wav).samples for t in truths]
    whole = np.concatenate(parts * (int(600 * 44_100 / sum(map(len, parts))) + 1))[: 600 * 44_100]
    clock: dict[str, float] = {}

    def timed(name: str, work: Callable[[], T]) -> T:
        started = time.perf_counter()
        out = work()
        clock[name] = time.perf_counter() - started
        return out

    feats = timed("band spectra", lambda: M.features(whole, 44_100))
    harm = timed("semitone spectra", lambda: harmony(whole, 44_100))
    found = timed("onsets, tempo, beats, bars", lambda: M.rhythm(feats, harm))
    timed("phrase candidates", lambda: boundaries(found, feats, harm))
    timed("whole analysis", lambda: M.analyse_music(whole, 44_100, M.MusicSettings()))
    return "10-minute clip: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in clock.items())


def report(folder: Path, split: str, settings: M.MusicSettings, codecs: bool = True, only: str = "") -> list[str]:
    """The per-clip table and the goals' numbers per split, as lines to print."""
    truths = [t for t in build(folder) if split in ("all", t.split) and only in t.name]
    rows = [measure(truth, folder, settings, codecs) for truth in truths]
    columns = list(rows[0].cells)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(row.cells[c] for c in columns) + " |" for row in rows]
    for part in ("dev", "held-out"):
        group = [r for r in rows if r.truth.split == part]
        if group:
            lines += ["", f"{part} ({len(group)} clips):", *("  " + line for line in summary(group, codecs))]
    return lines


def main() -> None:
    """Render (or reuse) the set and print the table and the goals' numbers per split."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="/tmp/ganterp-music-set", help="folder of the rendered set (made if missing)")
    parser.add_argument("--split", choices=["dev", "held-out", "all"], default="all")
    parser.add_argument(
        "--snap", choices=[s.value for s in M.Snap], default=None, help="what cuts move to (default: the music style's)"
    )
    parser.add_argument("--no-codecs", action="store_true", help="skip the MP3/Ogg/AAC comparison")
    parser.add_argument("--only", default="", help="clips whose name holds this")
    parser.add_argument("--ten-minutes", action="store_true", help="only time the analysis of a 10-minute clip")
    args = parser.parse_args()
    folder = Path(args.set)
    if args.ten_minutes:
        truths = [t for t in build(folder) if args.split in ("all", t.split) and args.only in t.name]
        print(ten_minutes(truths, folder))
        return
    settings = M.MusicSettings(snap=M.Snap(args.snap)) if args.snap else M.MusicSettings()
    for line in report(folder, args.split, settings, not args.no_codecs, args.only):
        print(line)


if __name__ == "__main__":
    main()
