"""Where the music turns: phrase starts (after a breath or a held note), section changes (novelty on a
self-similarity matrix of beat-synchronous chroma and timbre), and the cuts chosen among them.

Candidates are the bar lines (the beats, or the onsets, when the clip has none) and every note that
follows a breath or a long note. Each is scored by Foote's checkerboard novelty at that point (how
unlike the bars before are the bars after), by how clearly it is marked (the depth of the breath,
how much longer the note before it was than the clip's usual note), and by whether it falls on the
clip's phrase grid (every 4 or 8 bars, at the phase where novelty is highest). Dynamic programming
then picks the cuts: the most clearly marked points, with segments near the target length. It
weighs all cuts together, so a codec that shifts one score a little moves at most the cut near it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.ndimage

from pipeline.music.features import Features
from pipeline.music.harmony import Harmony
from pipeline.music.rhythm import Rhythm

BREATH_DB = 6.0  # a dip of this many dB before a note starts to count as a breath
_KERNEL_BEATS = 8  # half-width of the checkerboard: two bars of 4
_LENGTH_WEIGHT = 1.0 / (2 * 0.4**2)  # a segment 1.5x or 0.67x the target costs about half a clear cut
_CLEAR_BREATH = 10.0  # added to a clear breath's score, as to the music coming back after silence: always a cut
_COUNT_WEIGHT = 3.0  # per squared segment more or fewer than the clip's length in targets, past half a one


@dataclass(frozen=True)
class Boundaries:
    """Candidate cut points and how much each reads as a phrase or section start."""

    times: np.ndarray  # (c,) seconds, ascending
    score: np.ndarray  # (c,) 0.. (1 = a clear turn)
    marked: np.ndarray  # (c,) 0..1: a breath or a held note before it
    novelty: np.ndarray  # (c,) 0..1: how unlike the music before and after


def breath_marks(onsets: np.ndarray, feats: Features) -> np.ndarray:
    """Per onset, 0..1: how clearly a breath (a dip in loudness) or a held note comes before it."""
    breath, held = _breaths_and_held_notes(onsets, feats)
    out: np.ndarray = np.maximum(breath, held)
    return out


def _breaths_and_held_notes(onsets: np.ndarray, feats: Features) -> tuple[np.ndarray, np.ndarray]:
    """Per onset, 0..1 each: how clearly a breath comes before it, and how clearly a held note."""
    if len(onsets) == 0:
        return np.empty(0), np.empty(0)
    fps = feats.frame_rate
    # A breath lasts: the level must stay down for 0.12 s, not dip between two legato notes.
    level = scipy.ndimage.maximum_filter1d(feats.loudness_db, max(1, round(0.12 * fps)), mode="nearest")
    frames = np.clip(np.rint(onsets * fps).astype(np.int64), 0, len(level) - 1)
    before, after = round(0.35 * fps), round(0.25 * fps)
    dip = np.zeros(len(onsets))
    for index, frame in enumerate(frames.tolist()):
        ahead = level[frame : frame + after + 1]
        behind = level[max(0, frame - before) : max(1, frame - round(0.02 * fps))]
        if len(ahead) and len(behind):
            dip[index] = float(ahead.max() - behind.min())
    # Against the clip's usual dip before a note: drums and staccato dip before every hit.
    usual_dip = float(np.median(dip)) if len(dip) > 4 else 0.0
    breath = np.clip((dip - max(usual_dip, 0.0) - BREATH_DB) / 12.0, 0.0, 1.0)
    gaps = np.diff(onsets, prepend=onsets[0] - 1.0)
    usual = float(np.median(gaps)) if len(gaps) > 2 else 1.0
    # A held note (a fermata, a long note at a cadence) marks less than a breath: dotted rhythms
    # and syncopations hold notes too.
    held = 0.6 * np.clip((gaps / max(usual, 0.05) - 2.5) / 2.0, 0.0, 1.0) * (gaps > 0.6)
    return breath, held


def beat_features(grid: np.ndarray, feats: Features, found: Harmony) -> np.ndarray:
    """(len(grid) - 1, 12 + 20) mean chroma and timbre (band levels) between neighbouring grid times."""

    def means(values: np.ndarray, rate: float) -> np.ndarray:
        edges = np.clip(np.rint(grid * rate).astype(np.int64), 0, len(values))
        cumulative = np.concatenate([np.zeros((1, values.shape[1])), np.cumsum(values, axis=0, dtype=np.float64)])
        out: np.ndarray = (cumulative[edges[1:]] - cumulative[edges[:-1]]) / np.maximum(edges[1:] - edges[:-1], 1)[
            :, None
        ]
        return out

    chroma = means(found.chroma.astype(np.float64), found.frame_rate)
    bands = feats.band_db.astype(np.float64)
    timbre = means(bands.reshape(len(bands), 20, -1).mean(axis=2), feats.frame_rate)
    timbre = (timbre - timbre.mean(axis=0)) / (timbre.std() or 1.0)
    chroma = chroma / np.maximum(np.linalg.norm(chroma, axis=1, keepdims=True), 1e-9)
    timbre = timbre / np.maximum(np.linalg.norm(timbre, axis=1, keepdims=True), 1e-9)
    out: np.ndarray = np.hstack([chroma, 0.7 * timbre])
    return out


def foote_novelty(vectors: np.ndarray, half: int = _KERNEL_BEATS) -> np.ndarray:
    """Per boundary between rows (len + 1 values), Foote's checkerboard novelty on the cosine self-similarity."""
    n = len(vectors)
    out = np.zeros(n + 1)
    if n < 4:
        return out
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    similar = unit @ unit.T
    taper = np.exp(-0.5 * ((np.arange(half) + 0.5) / (0.5 * half)) ** 2)
    for boundary in range(1, n):
        a = np.arange(max(0, boundary - half), boundary)
        b = np.arange(boundary, min(n, boundary + half))
        wa, wb = taper[boundary - 1 - a], taper[b - boundary]
        within = (wa[:, None] * wa[None, :] * similar[np.ix_(a, a)]).sum() / (wa.sum() ** 2)
        within += (wb[:, None] * wb[None, :] * similar[np.ix_(b, b)]).sum() / (wb.sum() ** 2)
        across = (wa[:, None] * wb[None, :] * similar[np.ix_(a, b)]).sum() / (wa.sum() * wb.sum())
        out[boundary] = max(0.0, within / 2 - across)
    return out


def boundaries(found: Rhythm, feats: Features, harm: Harmony) -> Boundaries:
    """Candidate cut points (bar lines, else beats, else onsets, and every marked phrase start), scored."""
    duration = feats.n_samples / feats.sample_rate
    breath, held = _breaths_and_held_notes(found.onsets, feats)
    marks = np.maximum(breath, held)
    grid = found.beats if len(found.beats) >= 8 else np.empty(0)
    if len(grid):
        edges = np.concatenate([[0.0], grid, [duration]])
        beat_novelty = foote_novelty(beat_features(edges, feats, harm))[1:-1]  # at each beat
        on_beat = _snap_to_onsets(grid, found.onsets, found.onset_strength, 0.1)
        lines = found.downbeats if len(found.downbeats) >= 4 else grid
        index = np.clip(np.searchsorted(grid, lines - 1e-6), 0, len(grid) - 1)
        times, novelty = on_beat[index], beat_novelty[index]
    else:
        times, novelty = found.onsets.copy(), np.zeros(len(found.onsets))
    peak = float(np.quantile(novelty, 0.95)) if len(novelty) else 0.0
    novelty = np.clip(novelty / peak, 0.0, 1.5) if peak > 0 else novelty
    base = 0.6 * novelty + 0.5 * _accents(times, found, feats) + 0.5 * _fills(times, found, feats)
    bars_known = len(found.downbeats) >= 4
    bonus = _phrase_grid(base) if bars_known else np.zeros(len(times))
    line_marks = np.zeros(len(times))
    if bars_known:
        # Where the bars are known, a held note alone (no breath) marks nothing: a dotted rhythm or a
        # pickup after a long note is no phrase start of its own, and whether a note reads as held
        # hangs on the weak notes around it that one codec hears and another does not (it moved a
        # bar line's score by 0.4-0.7 between codecs). Only a breath (the player stops) marks its
        # very note, a chorale's pickup.
        marks = np.where((held >= 0.25) & (breath < 0.25), 0.0, marks)
    marked_times, marked_values = _first_of_each_breath(found.onsets[marks >= 0.25], marks[marks >= 0.25])
    # A marked phrase start replaces the bar line next to it: the phrase starts on its note (a pickup).
    all_times = np.concatenate([times, marked_times])
    all_marks = np.concatenate([line_marks, marked_values])
    all_novelty = np.concatenate([novelty, _at(marked_times, times, novelty)])
    all_base = np.concatenate([base, _at(marked_times, times, base)])
    all_bonus = np.concatenate([bonus, _at(marked_times, times, bonus)])
    on_note = np.concatenate([np.zeros(len(times), bool), np.ones(len(marked_times), bool)])
    order = np.argsort(all_times, kind="stable")
    columns = [a[order] for a in (all_times, all_marks, all_novelty, all_base, all_bonus)]
    on_note = on_note[order]
    keep = np.ones(len(all_times), dtype=bool)
    for i in np.flatnonzero(on_note).tolist():
        keep[(np.abs(columns[0] - columns[0][i]) < 0.6) & ~on_note] = False
    all_times, all_marks, all_novelty, all_base, all_bonus = (c[keep] for c in columns)
    # A clear breath (the player stops: 15-18 dB below the clip's usual dip before a note) is a phrase
    # start a musician never cuts past: it outweighs any segment length or count.
    clear = np.where(on_note[keep], np.clip((all_marks - 0.75) / 0.25, 0.0, 1.0), 0.0)
    score = all_base + 1.5 * all_marks + 0.6 * all_bonus + _CLEAR_BREATH * clear
    return Boundaries(times=all_times, score=score, marked=all_marks, novelty=all_novelty)


def _first_of_each_breath(times: np.ndarray, marks: np.ndarray, within: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    """The first of the marked notes that follow each other within `within` s, with the clearest mark among them.

    One breath marks every note that starts soon after it (a choir's voices come in 0.1 s apart, and
    each sees the same dip behind it); the phrase starts on the first. Two marked notes with equal
    scores were a tie that a codec's rounding broke one way or the other.
    """
    if len(times) < 2:
        return times, marks
    first = np.concatenate([[True], np.diff(times) > within])
    group = np.cumsum(first) - 1
    clearest = np.zeros(int(group[-1]) + 1)
    np.maximum.at(clearest, group, marks)
    return times[first], clearest


def _accents(times: np.ndarray, found: Rhythm, feats: Features) -> np.ndarray:
    """Per candidate, 0..1: how much harder its attack is than the other candidates' (a crash, a tutti).

    Measured on the onset envelope's peak within 50 ms, not on the onset detected there: whether a
    weak note is detected at all, and so whether a bar line has an accent of 0 or 0.3, is what a
    codec changes (a minuet's bar lines read 0.32 as WAV and 0.00 as MP3, and the cuts moved a bar).
    """
    if len(times) < 4 or len(found.onsets) == 0:
        return np.zeros(len(times))
    fps, envelope = feats.frame_rate, feats.onset_envelope
    near = max(1, round(0.05 * fps))
    frames = np.clip(np.rint(times * fps).astype(np.int64), 0, len(envelope) - 1)
    strength = scipy.ndimage.maximum_filter1d(envelope, 2 * near + 1, mode="nearest")[frames]
    spread = float(np.std(strength)) or 1.0
    out: np.ndarray = np.clip((strength - float(np.median(strength))) / (2 * spread), 0.0, 1.0)
    return out


def _fills(times: np.ndarray, found: Rhythm, feats: Features) -> np.ndarray:
    """Per candidate, 0..1: how much busier the second before it is than usual (a drum fill, a run).

    Busy in attack strength (the onset envelope's mean), not in notes counted: a snare fill over a
    piano's running 16ths adds no note the detector counts apart, and the count of weak notes is what
    a codec changes (a fill of 1.0 in one encoding read 0.37 in another).
    """
    if len(times) < 4 or len(found.onsets) == 0:
        return np.zeros(len(times))
    fps = feats.frame_rate
    cumulative = np.concatenate([[0.0], np.cumsum(feats.onset_envelope, dtype=np.float64)])
    ends = np.clip(np.rint((times - 0.02) * fps).astype(np.int64), 0, len(feats.onset_envelope))
    starts = np.clip(np.rint((times - 1.0) * fps).astype(np.int64), 0, len(feats.onset_envelope))
    busy = (cumulative[ends] - cumulative[starts]) / np.maximum(ends - starts, 1)
    usual = float(np.median(busy)) or 1.0
    out: np.ndarray = np.clip((busy / usual - 1.3) / 1.0, 0.0, 1.0)
    return out


def _at(times: np.ndarray, grid: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The value at the grid point nearest each time."""
    if len(grid) == 0:
        return np.zeros(len(times))
    out: np.ndarray = values[np.abs(times[:, None] - grid[None, :]).argmin(axis=1)]
    return out


def _snap_to_onsets(times: np.ndarray, onsets: np.ndarray, strength: np.ndarray, within: float) -> np.ndarray:
    """Each time moved to the strongest onset within `within` seconds: a cut lands on the note itself,
    and on the same note in every codec (a beat's time moves by a few ms with the codec, a note does not)."""
    if len(onsets) == 0:
        return times.copy()
    out = times.copy()
    low = np.searchsorted(onsets, times - within)
    high = np.searchsorted(onsets, times + within, side="right")
    for index, (a, b) in enumerate(zip(low.tolist(), high.tolist(), strict=True)):
        if b > a:
            near = np.arange(a, b)
            weight = strength[near] * np.exp(-np.abs(onsets[near] - times[index]) / within)
            out[index] = onsets[near[int(np.argmax(weight))]]
    return out


def _phrase_grid(bar_novelty: np.ndarray) -> np.ndarray:
    """Per bar, 0..1 on the phrase grid (every 4 bars at the phase where the turns are clearest), else 0.

    How much the grid counts grows with how far its phase stands out from the runner-up phase, from
    nothing at 5% to all at 25%: a grid that stood out by a fixed 20% or not at all came and went
    with a codec's rounding, and the phase between two near-equal ones with it.
    """
    out = np.zeros(len(bar_novelty))
    if len(bar_novelty) < 8:
        return out
    means = np.array([float(bar_novelty[phase::4].mean()) for phase in range(4)])
    phase = int(np.argmax(means))
    runner_up = float(np.sort(means)[-2])
    margin = means[phase] / runner_up - 1.0 if runner_up > 0 else 1.0
    out[phase::4] = float(np.clip((margin - 0.05) / 0.2, 0.0, 1.0))
    return out


def choose_cuts(found: Boundaries, duration: float, target: float, min_gap: float, longest: float) -> np.ndarray:
    """The cut times that best trade clear turns against segments near the target length (dynamic programming).

    The number of segments is part of the choice: a count more than half a segment away from the
    clip's length in targets costs (`_COUNT_WEIGHT` per squared segment past that half), so the count
    follows the tempo and metre (the same in every codec) and the scores, which a codec's rounding
    moves a little, decide where the cuts go, not how many there are. Within half a segment (a clip
    of 5.6 targets: 5 or 6) the music's turns still choose, as a musician counts its phrases.
    """
    inside = (found.times >= min_gap) & (found.times <= duration - min_gap)
    times = np.concatenate([[0.0], found.times[inside], [duration]])
    score = np.concatenate([[0.0], found.score[inside], [0.0]])
    n = len(times)
    ideal = duration / target
    most = min(n - 1, math.ceil(2 * ideal) + 2)  # segments
    # best[j, k]: the best total with a cut at times[j] ending the k-th segment.
    best = np.full((n, most + 1), -np.inf)
    back = np.zeros((n, most + 1), dtype=np.int64)
    best[0, 0] = 0.0
    for j in range(1, n):
        lengths = times[j] - times[:j]
        cost = _LENGTH_WEIGHT * np.log(np.maximum(lengths, 1e-3) / target) ** 2
        cost += np.maximum(lengths - longest, 0.0)  # a second over the longest costs a clear cut
        cost = np.where(lengths >= min_gap, cost, np.inf)
        total = best[:j, :-1] - cost[:, None]  # (i, k - 1)
        i = np.argmax(total, axis=0)
        best[j, 1:] = total[i, np.arange(most)] + score[j]
        back[j, 1:] = i
    counts = np.arange(most + 1)
    final = best[-1] - _COUNT_WEIGHT * np.maximum(np.abs(counts - ideal) - 0.5, 0.0) ** 2
    if not np.isfinite(final).any():
        return np.array([0.0, duration])
    k = int(np.argmax(final))
    chosen = [n - 1]
    while k > 0:
        chosen.append(int(back[chosen[-1], k]))
        k -= 1
    out: np.ndarray = times[np.asarray(chosen[::-1])]
    return out
