"""Choosing the cuts: the automatic threshold, snapping to onsets or beats, and the fix-ups
(re-entries after silence, no segment too long, no two cuts too close)."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from pipeline import analysis as paper
from pipeline.analysis import HOP, Analysis, InflectionKind, InflectionSearch
from pipeline.errors import InvalidOption
from pipeline.music.features import FRAME_HOP, FRAME_NFFT, Features, features, loudness_curve
from pipeline.music.harmony import harmony
from pipeline.music.phrases import Boundaries, boundaries, choose_cuts
from pipeline.music.rhythm import ONSET_FLOOR_DB, Rhythm, moving, rhythm
from pipeline.music.signals import Signal, signal_tv

MIN_GAP_S = 1.0  # no two cuts (nor a cut and the clip's ends) closer than this
LONGEST_S = 12.0  # a longer segment is split unless the audio is static there
SHORTEST_TARGET_S, LONGEST_TARGET_S = 2.0, 8.0  # the automatic threshold aims between these
TARGET_SLACK = math.log(1.2)  # about twice how far a codec moves the target (its onset count, by up to 20%)


class Snap(StrEnum):
    """What each cut moves to."""

    ONSETS = "onsets"
    BEATS = "beats"
    PHRASES = "phrases"  # phrase and section starts, then bar lines (chosen together, not moved one by one)
    NONE = "none"


@dataclass(frozen=True)
class MusicAnalysis:
    """The music style's view of a clip: its rhythm, the signal used and how the threshold was picked."""

    rhythm: Rhythm
    signal: Signal
    snap: Snap
    target_s: float | None  # the mean segment length the automatic threshold aimed at
    raw_points: np.ndarray  # (p,) columns the inflection scan found, before the fix-ups and snapping
    notes: tuple[str, ...] = field(default=())  # sentences for the user: what could not be done as asked
    loudness: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (m,) 0..1 per frame, for motion
    frame_rate: float = 0.0
    phrase_starts: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (q,) seconds: the clear turns found


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
    """The segment length cuts on phrases aim at: four bars (eight beats without bars), within 3-8 s.

    Only the tempo and the metre set it: they are the same in every codec, where the onset count
    behind `target_length` moves by a tenth, and a target that moves flips a phrase between one
    segment and two.
    """
    if rhythm_.tempo_bpm is None:
        return target_length(rhythm_, duration_s)
    beats = 4 * (rhythm_.beats_per_bar or 0) or 8
    return float(np.clip(beats * 60.0 / rhythm_.tempo_bpm, 3.0, LONGEST_TARGET_S))


def snap_points(
    points: np.ndarray, columns_per_second: float, events: np.ndarray, weights: np.ndarray, window: tuple[float, float]
) -> np.ndarray:
    """Move each interior point to the best event within (before, after) seconds of it: strong and near."""
    if len(events) == 0 or len(points) <= 2:
        return points
    before, after = window
    times = points[1:-1] / columns_per_second
    low = np.searchsorted(events, times - before, side="left")
    high = np.searchsorted(events, times + after, side="right")
    width = int((high - low).max(initial=0))
    if width == 0:
        return points
    # (points, width) table of the events in each window; out-of-window slots score -1.
    index = low[:, None] + np.arange(width)[None, :]
    inside = index < high[:, None]
    index = np.minimum(index, len(events) - 1)
    distance = np.abs(events[index] - times[:, None])
    # The strongest event wins unless it is much further: accents are where a cut feels right,
    # and their strength, unlike the exact low of the signal, is the same in every codec.
    score = np.where(inside, weights[index] * np.exp(-distance / 0.5), -1.0)
    best = index[np.arange(len(times)), np.argmax(score, axis=1)]
    has = inside.any(axis=1)
    moved = points.copy()
    # Up to the column under the event's time, so the first frame of the new segment is at or after it.
    snapped = np.ceil(events[best] * columns_per_second - 1e-9).astype(np.int64)
    moved[1:-1] = np.where(has, np.clip(snapped, 1, points[-1] - 1), points[1:-1])
    return np.unique(moved)


def enforce_gap(points: np.ndarray, strength: np.ndarray, min_gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Drop the weaker of any two cuts closer than `min_gap` columns (the ends are fixed and strongest)."""
    if len(points) <= 2:
        return points, strength
    columns = points.tolist()
    kept = [columns[0], columns[-1]]  # sorted columns of the cuts kept so far
    chosen = {0, len(columns) - 1}
    for index in (np.argsort(-strength[1:-1], kind="stable") + 1).tolist():
        column = columns[index]
        position = bisect.bisect_left(kept, column)
        if column - kept[position - 1] >= min_gap and kept[position] - column >= min_gap:
            kept.insert(position, column)
            chosen.add(index)
    order = np.asarray(sorted(chosen))
    return points[order], strength[order]


def _search_strengths(search: InflectionSearch, points: np.ndarray) -> np.ndarray:
    """Each point's critical threshold (how clear an inflection it is); the ends count as the clearest."""
    columns = search.starts + search.rolling_length + 1  # ascending, as the starts
    strength = np.zeros(len(points))
    if len(columns):
        position = np.minimum(np.searchsorted(columns, points), len(columns) - 1)
        strength = np.where(columns[position] == points, search.critical[position], 0.0)
    strength[0] = strength[-1] = np.inf
    return strength


def reentries(feats: Features, found: Rhythm, quiet_s: float = 0.5) -> np.ndarray:
    """Onsets (seconds) that end at least `quiet_s` of near-silence: the music coming back in.

    The running means of the paper's scan see a wide silence as flat, with no turn to cut on,
    yet the moment the music returns is the clearest cut a video can have.
    """
    if len(found.onsets) == 0:
        return np.empty(0)
    fps = feats.frame_rate
    span, lead = max(1, round(quiet_s * fps)), round(0.03 * fps)  # the attack's lead-in is not silence
    centre = (FRAME_NFFT / 2 - 0.75 * FRAME_HOP) / FRAME_HOP  # as in Features.frame_time
    frames = np.rint(found.onsets * fps - centre).astype(np.int64)
    quiet = np.zeros(len(frames), dtype=bool)
    for index, frame in enumerate(frames.tolist()):
        before = feats.loudness_db[max(0, frame - lead - span) : max(0, frame - lead)]
        quiet[index] = len(before) == span and float(before.max()) < -45.0
    out: np.ndarray = found.onsets[quiet]
    return out


def still_frames(feats: Features) -> np.ndarray:
    """(m,) bool: frames where the audio holds still, silent or a held sound with no new note near."""
    half = round(0.5 * feats.frame_rate)
    silent = feats.loudness_db < -50.0
    changing = moving(feats.flux, half, half, "mean") >= 0.05
    noted = moving(feats.onset_envelope, half, half, "max") > ONSET_FLOOR_DB
    out: np.ndarray = silent | ~(changing | noted)
    return out


@dataclass(frozen=True)
class MusicSettings:
    """How the music style finds its cuts (each a user option, `None` = chosen from the music)."""

    signal: Signal = Signal.RMS
    kind: InflectionKind = InflectionKind.MIN
    snap: Snap = Snap.ONSETS
    threshold: float | None = None  # a fixed δ, as the paper
    segments: int | None = None  # this many segments, as near as the clip allows
    segment_seconds: float | None = None  # segments of about this length over the whole clip
    paper_filter: bool = False  # the released code's absolute threshold for kind min (0.08)


class _Cutter:
    """Turns the scan's points into the final cuts: snapped to events, fixed up, at least a gap apart."""

    def __init__(
        self,
        search: InflectionSearch,
        rhythm_: Rhythm,
        settings: MusicSettings,
        feats: Features,
        candidates: Boundaries | None = None,
    ) -> None:
        self.search, self.settings, self.cps = search, settings, feats.sample_rate / HOP
        self.candidates = candidates
        self.signal_peak = 1.0
        self.forced = np.empty(0, dtype=np.int64)  # columns that are cuts at any threshold
        # Cumulative count of still frames, so any stretch's share of stillness costs two lookups.
        self._still = np.concatenate([[0], np.cumsum(still_frames(feats))])
        self._frames_per_column = HOP / FRAME_HOP
        if settings.snap is Snap.ONSETS:
            self.events, self.weights = rhythm_.onsets, rhythm_.onset_strength.copy()
            if len(rhythm_.beats):
                # An onset on a beat is where a cut feels right, and it is the same one in every codec.
                on_beat = np.abs(rhythm_.onsets[:, None] - rhythm_.beats[None, :]).min(axis=1) < 0.03
                self.weights[on_beat] *= 1.5
            self.window = (0.25, 0.5)  # the trailing running mean reaches its low just before the event
        elif settings.snap is Snap.PHRASES and self.candidates is not None and len(self.candidates.times):
            # A count or a threshold asked for: each cut moves to the clearest turn near it.
            self.events, self.weights = self.candidates.times, 1.0 + self.candidates.score
            self.window = (0.5, 0.75)
        elif settings.snap is Snap.BEATS and len(rhythm_.beats):
            beat = 60.0 / (rhythm_.tempo_bpm or 120.0)
            self.events, self.weights = rhythm_.beats, np.ones(len(rhythm_.beats))
            self.window = (0.5 * beat, 0.5 * beat)
        else:
            self.events, self.weights, self.window = np.empty(0), np.empty(0), (0.0, 0.0)

    def static(self, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Per segment [begin, end) in columns: whether its audio holds still for 80% of it or more."""
        limit = len(self._still) - 1
        a = np.clip(np.asarray(begin * self._frames_per_column, dtype=np.int64), 0, limit)
        b = np.clip(np.asarray(end * self._frames_per_column, dtype=np.int64), 0, limit)
        share = (self._still[b] - self._still[a]) / np.maximum(b - a, 1)
        out: np.ndarray = share >= 0.8
        return out

    def finish(self, points: np.ndarray, strength: np.ndarray | None = None, gap_s: float = 0.0) -> np.ndarray:
        """Snap the interior points, then keep the clearest of any that come closer than `gap_s`."""
        return self.finish_with_strength(points, strength, gap_s)[0]

    def finish_with_strength(
        self, points: np.ndarray, strength: np.ndarray | None = None, gap_s: float = 0.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """As `finish`, with each final cut's strength (how clear a cut it is; the ends infinite)."""
        strength = _search_strengths(self.search, points) if strength is None else strength
        if len(self.forced):
            # Re-entries after silence are cuts whatever the threshold: clearer than any turn of
            # the signal, weaker only than the clip's two ends.
            points = np.concatenate([points, self.forced])
            strength = np.concatenate([strength, np.full(len(self.forced), 1e6)])
            order = np.argsort(points, kind="stable")
            points, strength = points[order], strength[order]
            points, first = np.unique(points, return_index=True)
            strength = strength[first]
        moved = snap_points(points, self.cps, self.events, self.weights, self.window)
        # A moved point keeps the strength of the point it came from (the nearest one).
        strength = strength[np.abs(points[None, :] - moved[:, None]).argmin(axis=1)]
        strength[0] = strength[-1] = np.inf
        if gap_s > 0:
            moved, strength = enforce_gap(moved, strength, round(gap_s * self.cps))
        return moved, strength


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


def choose_threshold(cutter: _Cutter, rules: CutRules, duration_s: float) -> float:
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


def _fill_long_segments(
    cutter: _Cutter, smoothed: np.ndarray, points: np.ndarray, rules: CutRules
) -> tuple[np.ndarray, np.ndarray]:
    """Points and strengths with extra cuts inside segments over the longest allowed, unless static there."""
    strength = _search_strengths(cutter.search, points)
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
            clarity, chosen = _search_strengths(local, found), np.arange(1, len(found) - 1)
        else:
            # An asked-for count: every turn that is not rounding, then the ones that split evenly.
            found = local.points(1e-4 * cutter.signal_peak)
            clarity = _search_strengths(local, found)
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


def _absolute(settings: MusicSettings) -> float:
    return paper.ABSOLUTE_THRESHOLD if settings.paper_filter else math.inf


def analyse_music(samples: np.ndarray, sample_rate: int, settings: MusicSettings) -> tuple[Analysis, MusicAnalysis]:
    """Cuts from the chosen signal, at a threshold fixed, asked for by count, or picked from the music."""
    if settings.threshold is not None and not 0 <= settings.threshold <= 1:
        raise InvalidOption("--threshold", settings.threshold, "between 0 and 1")
    feats = features(samples, sample_rate)
    harm = harmony(samples, sample_rate)
    found = rhythm(feats, harm)
    tv = signal_tv(samples, settings.signal, feats)
    smoothed = paper.smooth(tv)
    search = InflectionSearch.build(smoothed, settings.kind, absolute_threshold=_absolute(settings))
    duration_s = len(samples) / sample_rate
    candidates = boundaries(found, feats, harm) if settings.snap is Snap.PHRASES else None
    cutter = _Cutter(search, found, settings, feats, candidates)
    cutter.signal_peak = float(np.max(smoothed, initial=0.0))
    returns = np.empty(0)
    if settings.threshold is None and settings.segments is None and not settings.paper_filter:
        returns = reentries(feats, found)
        cutter.forced = np.ceil(returns * cutter.cps - 1e-9).astype(np.int64)
    notes: list[str] = []
    if settings.snap is Snap.BEATS and len(found.beats) == 0:
        notes.append("the clip has no steady beat, so the cuts stay where the signal turns.")
    target: float | None = None
    automatic = settings.threshold is None and settings.segments is None and settings.segment_seconds is None
    if candidates is not None and automatic and not settings.paper_filter:
        target = phrase_length(found, duration_s)
        threshold = math.nan  # no threshold: the cuts are chosen among the music's turns
        points = _phrase_points(candidates, returns, duration_s, target, cutter.cps, search.n_columns)
    elif settings.threshold is not None:
        threshold = settings.threshold
        # A fixed δ, but the music style's cuts all the same: snapped, and never a flicker apart.
        points = cutter.finish(search.points(threshold), gap_s=MIN_GAP_S)
    else:
        if settings.segments is not None:
            if settings.segments < 1:
                raise InvalidOption("--segments", settings.segments, "at least 1")
            # N segments are N of about duration/N each: the same fix-ups as --segment-seconds
            # (no overlong segment, no two cuts close), so they spread over the whole clip.
            each = duration_s / settings.segments
            # Anything longer than that is split, then the shortest neighbours merge down to N.
            rules = CutRules(each, min_gap_s=min(MIN_GAP_S, each / 2), longest_s=each, count=settings.segments)
        elif settings.segment_seconds is not None:
            target = settings.segment_seconds
            rules = CutRules(target, min_gap_s=target / 2, longest_s=1.5 * target)
        else:
            target = target_length(found, duration_s)
            rules = CutRules(target, shortest_mean_s=SHORTEST_TARGET_S, slack=TARGET_SLACK)
        threshold = choose_threshold(cutter, rules, duration_s)
        raw = search.points(threshold)
        filled, strength = _fill_long_segments(cutter, smoothed, raw, rules)
        points, strength = cutter.finish_with_strength(filled, strength, gap_s=rules.min_gap_s)
        if rules.count is not None:
            points = merge_down(points, strength, rules.count)
        if rules.count is not None and len(points) - 1 != rules.count:
            notes.append(count_note(rules.count, len(points) - 1, duration_s))
    alphas, segment_of_column = paper.segment_alphas(smoothed, points)
    analysis = Analysis(
        sample_rate=sample_rate,
        n_samples=len(samples),
        tv=tv,
        smoothed=smoothed,
        inflection_points=points,
        alphas=alphas,
        segment_of_column=segment_of_column,
        threshold=float(threshold),
        kind=settings.kind,
    )
    music = MusicAnalysis(
        rhythm=found,
        signal=settings.signal,
        snap=settings.snap,
        target_s=target,
        raw_points=points if math.isnan(threshold) else search.points(threshold),
        notes=tuple(notes),
        loudness=loudness_curve(feats),
        frame_rate=feats.frame_rate,
        phrase_starts=np.empty(0) if candidates is None else candidates.times[candidates.score >= 1.0],
    )
    return analysis, music


def _phrase_points(
    candidates: Boundaries, returns: np.ndarray, duration_s: float, target: float, cps: float, n_columns: int
) -> np.ndarray:
    """Columns of the cuts chosen among the music's turns; the music coming back after silence always one."""
    if len(returns):
        # As clear as a cut can be: the dynamic programming keeps them unless two are closer than the gap.
        times = np.concatenate([candidates.times, returns])
        order = np.argsort(times, kind="stable")
        score = np.concatenate([candidates.score, np.full(len(returns), 10.0)])[order]
        zeros = np.zeros(len(times))
        candidates = Boundaries(times=times[order], score=score, marked=zeros, novelty=zeros)
    cut_times = choose_cuts(candidates, duration_s, target, MIN_GAP_S, LONGEST_S)
    columns = np.ceil(cut_times[1:-1] * cps - 1e-9).astype(np.int64)
    inner = np.clip(columns, 1, max(n_columns - 2, 1))
    return np.unique(np.concatenate([[0], inner, [n_columns - 1]])).astype(np.int64)


def count_note(wanted: int, got: int, duration_s: float) -> str:
    """One sentence on why the asked-for number of segments could not be made."""
    return (
        f"asked for {wanted} segments, made {got}: the closest this {duration_s:.1f} s clip allows, because cuts "
        f"fall only where its smoothed signal turns, at least {paper.ROLLING_LENGTH * HOP / 44_100:.2f} s apart."
    )
