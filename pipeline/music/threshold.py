"""The automatic threshold of the music style: the segment length that suits the music, the threshold
whose cuts come nearest to it, and the fix-ups of an asked-for count (long segments split, short merged)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipeline.analysis import InflectionSearch
from pipeline.music.rhythm import Rhythm
from pipeline.music.settings import LONGEST_S, MIN_GAP_S
from pipeline.music.snapping import Cutter, search_strengths

SHORTEST_TARGET_S, LONGEST_TARGET_S = 2.0, 8.0  # the automatic threshold aims between these
TARGET_SLACK = math.log(1.2)  # about twice how far a codec moves the target (its onset count, by up to 20%)


@dataclass(frozen=True)
class CutRules:
    """What a good set of cuts looks like for one clip."""

    target_s: float  # the mean segment length to aim for
    shortest_mean_s: float = 0.0  # a mean below this costs as much as a segment too long
    slack: float = 0.0  # log ratio to the target within which a mean costs nothing
    min_gap_s: float = MIN_GAP_S
    longest_s: float = LONGEST_S
    count: int | None = None  # exactly this many segments asked for (--segments)


def target_length(rhythm_: Rhythm, duration_s: float) -> float:
    """The mean segment length that suits the music: a phrase, shorter when the music is busy.

    A phrase at the clip's tempo (120 bpm when it has none): two bars for 8th notes, towards one bar
    as the notes get denser, towards four as they get sparse (held chords, a glide), then kept
    within 2-8 s. The phrase is continuous in the density, not rounded to whole bars: another codec
    finds some weak onsets more or fewer (a tenth of them, in a busy mix), and a rounded phrase
    turned that into twice or half the target, so one recording cut twice as often as an MP3.
    """
    beat_s = 60.0 / rhythm_.tempo_bpm if rhythm_.tempo_bpm else 0.5
    onsets_per_beat = len(rhythm_.onsets) / max(duration_s, 1e-9) * beat_s
    bars = float(np.clip(4.0 / (1.0 + onsets_per_beat / 2.0), 1.0, 4.0))
    return float(np.clip(bars * 4 * beat_s, SHORTEST_TARGET_S, LONGEST_TARGET_S))


def phrase_length(rhythm_: Rhythm, duration_s: float) -> float:
    """The segment length cuts on phrases aim at: four bars of 4 or of 3 (eight beats without bars), within 3-8 s.

    Only the tempo and the metre set it: they are the same in every codec, where the onset count
    behind `target_length` moves by a tenth, and a target that moves flips a phrase between one
    segment and two. Eight bars of 2 make the same phrase as four of 4: a bar of 2 or 4 is the
    choice a codec's rounding can flip, and it must not halve the target.
    """
    if rhythm_.tempo_bpm is None:
        return target_length(rhythm_, duration_s)
    beats = {None: 8, 3: 12}.get(rhythm_.beats_per_bar, 16)
    return float(np.clip(beats * 60.0 / rhythm_.tempo_bpm, 3.0, LONGEST_TARGET_S))


def _count_plateaus(counts: np.ndarray) -> list[tuple[int, int]]:
    """[first, last] index ranges of equal neighbouring counts."""
    edges = np.flatnonzero(np.diff(counts) != 0) + 1
    starts = np.concatenate([[0], edges])
    ends = np.concatenate([edges - 1, [len(counts) - 1]])
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _candidates(search: InflectionSearch, floor: float = 0.0) -> np.ndarray:
    """Thresholds just below each level (above `floor`) at which the scan's result can change, highest first."""
    levels = np.unique(search.critical[search.critical > floor])
    if len(levels) > 400:  # long clips: enough levels to find a count, few enough to stay fast
        levels = np.unique(np.quantile(levels, np.linspace(0, 1, 400), method="nearest"))
    return np.concatenate([[1.0], np.nextafter(levels, -np.inf)[::-1]])


def choose_threshold(cutter: Cutter, rules: CutRules, duration_s: float) -> float:
    """The threshold whose cuts best fit the rules, from the middle of the widest run giving their count.

    Every threshold at which the scan's result changes is tried. Cost: how far the mean segment is
    from the target (in log terms), plus how far segments overshoot the longest allowed. Among the
    thresholds that give the best count, the one in the middle (geometrically) of that run is
    returned, so that a slightly different signal (another codec) lands on the same count.
    """
    # Turns shallower than this are rounding in a held sound, not music.
    candidates = _candidates(cutter.search, floor=1e-4 * cutter.signal_peak)
    # Snapping and the gap only ever merge cuts, so a threshold whose raw cuts are already far too
    # few (or absurdly many) cannot win: it is skipped, which keeps long clips fast. Lower
    # thresholds give more cuts, so once they are absurdly many the rest are not even scanned.
    raw: list[np.ndarray] = []
    for threshold in candidates:
        raw.append(cutter.search.points(float(threshold)))
        if duration_s / max(len(raw[-1]) - 1, 1) < rules.target_s / 4:
            break
    candidates = candidates[: len(raw)]
    raw_mean = duration_s / np.maximum(np.array([len(points) - 1 for points in raw]), 1)
    worth = (raw_mean <= 3 * rules.target_s) & (raw_mean >= rules.target_s / 4)
    if not worth.any():
        worth[:] = True
    counts = np.full(len(candidates), -1, dtype=np.int64)  # skipped: a run of their own, never chosen
    costs = np.full(len(candidates), np.inf)
    for index in np.flatnonzero(worth).tolist():
        cuts = cutter.finish(raw[index], gap_s=rules.min_gap_s)
        lengths = np.diff(cuts) / cutter.cps
        counts[index] = len(lengths)
        # A long still stretch (silence, a drone) is no fault, and the target is for the music.
        moving = ~cutter.static(cuts[:-1], cuts[1:])
        overshoot = (np.maximum(lengths - rules.longest_s, 0.0) * moving).sum() / max(duration_s, 1e-9)
        mean = lengths[moving].mean() if moving.any() else lengths.mean()
        # The target is a preference, the shortest mean a limit: cuts every second or so read as flicker.
        hurried = max(math.log(rules.shortest_mean_s / lengths.mean()), 0.0) if rules.shortest_mean_s else 0.0
        # Within TARGET_SLACK of the target every mean is as good: the target comes from an onset
        # count that codecs move by a tenth, so among counts near it the clearest (widest run) wins.
        near = max(abs(math.log(mean / rules.target_s)) - rules.slack, 0.0)
        costs[index] = near + 2.0 * overshoot + 2.0 * hurried

    def bounds(run: tuple[int, int]) -> tuple[float, float]:
        first, last = run
        high = float(candidates[first]) if first > 0 else 1.0
        low = float(candidates[last + 1]) if last + 1 < len(candidates) else 0.0
        return high, low

    def score(run: tuple[int, int]) -> float:
        # A count that holds over a wider range of thresholds is one the music clearly makes.
        high, low = bounds(run)
        width = math.log(high / low) if low > 0 else 1.0
        return float(costs[run[0] : run[1] + 1].min()) - 0.05 * min(width, 3.0)

    best = min(_count_plateaus(counts), key=score)
    first, last = best
    high, low = bounds(best)
    if low <= 0:
        return float(candidates[last])
    middle = math.sqrt(high * low)  # any δ in (low, high] gives this count; the middle is the safest
    again = cutter.finish(cutter.search.points(middle), gap_s=rules.min_gap_s)
    return middle if len(again) - 1 == counts[first] else float(candidates[first])


def fill_long_segments(
    cutter: Cutter, smoothed: np.ndarray, points: np.ndarray, rules: CutRules
) -> tuple[np.ndarray, np.ndarray]:
    """Points and strengths with extra cuts inside segments over the longest allowed, unless static there."""
    strength = search_strengths(cutter.search, points)
    extra_points, extra_strength = [], []
    length = cutter.search.rolling_length
    for begin, end in zip(points[:-1].tolist(), points[1:].tolist(), strict=True):
        seconds = (end - begin) / cutter.cps
        if seconds <= rules.longest_s or cutter.static(np.asarray(begin), np.asarray(end)):
            continue
        part = smoothed[begin : end + 1]
        if len(part) < 2 * length + 4:
            continue
        # Past the paper's method anyway: its absolute threshold would leave a loud stretch uncut.
        local = InflectionSearch.build(part, cutter.settings.kind, absolute_threshold=math.inf)
        wanted = max(2, math.ceil(seconds / rules.target_s))
        if rules.count is None:
            found = local.points(local.threshold_for_segments(wanted))
            clarity, chosen = search_strengths(local, found), np.arange(1, len(found) - 1)
        else:
            # An asked-for count: every turn that is not rounding, then the ones that split evenly.
            found = local.points(1e-4 * cutter.signal_peak)
            clarity = search_strengths(local, found)
            chosen = _spread(found, clarity, wanted)
        extra_points += (found[chosen] + begin).tolist()
        # Weaker than any cut of the whole clip's scan, in their own order of clarity.
        extra_strength += (clarity[chosen] - 10.0).tolist()
    if not extra_points:
        return points, strength
    merged = np.concatenate([points, extra_points])
    merged_strength = np.concatenate([strength, extra_strength])
    order = np.argsort(merged, kind="stable")
    return merged[order].astype(np.int64), merged_strength[order]


def merge_down(points: np.ndarray, strength: np.ndarray, wanted: int) -> np.ndarray:
    """Drop interior cuts until `wanted` segments are left: each time the one between the shortest pair.

    Merging the shortest neighbours keeps the segments even; of two equally short pairs, the
    less clear cut goes.
    """
    points, strength = points.copy(), strength.copy()
    while len(points) - 1 > max(wanted, 1):
        merged = points[2:] - points[:-2]  # (interior,) length of the segment each interior cut's removal makes
        drop = 1 + int(np.lexsort((strength[1:-1], merged))[0])
        points, strength = np.delete(points, drop), np.delete(strength, drop)
    return points


def _spread(points: np.ndarray, clarity: np.ndarray, wanted: int) -> np.ndarray:
    """Indices of up to `wanted - 1` interior points that split [first, last] evenly: the clearest turn
    in the middle half of the longest piece, again and again.

    The clearest turns of a long stretch often sit together (a fade at one end); taking them by
    clarity alone left most of the stretch as one segment.
    """
    chosen: list[int] = []
    pieces = [(0, len(points) - 1)]  # index ranges [a, b] of points, ends included
    while len(chosen) < wanted - 1 and pieces:
        pieces.sort(key=lambda piece: points[piece[1]] - points[piece[0]])
        a, b = pieces.pop()
        quarter = (points[b] - points[a]) / 4
        if b - a < 2:
            continue  # no turn inside: this piece stays whole
        inside = [i for i in range(a + 1, b) if points[a] + quarter <= points[i] <= points[b] - quarter]
        middle = (points[a] + points[b]) / 2
        # Without a turn in the middle half, the turn nearest the middle.
        best = (
            max(inside, key=lambda i: clarity[i])
            if inside
            else min(range(a + 1, b), key=lambda i: abs(points[i] - middle))
        )
        chosen.append(best)
        pieces += [(a, best), (best, b)]
    return np.asarray(sorted(chosen), dtype=np.int64)
