"""The music style's cuts: the analysis of a clip, then the cuts chosen on its phrases, or at a
threshold fixed, asked for by count, or picked from the music, snapped and fixed up."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from pipeline import analysis as paper
from pipeline.analysis import HOP, Analysis, InflectionSearch
from pipeline.errors import InvalidOption
from pipeline.music.features import Features, features, loudness_curve
from pipeline.music.harmony import harmony
from pipeline.music.phrases import Boundaries, boundaries, choose_cuts
from pipeline.music.rhythm import Rhythm, rhythm
from pipeline.music.settings import LONGEST_S, MIN_GAP_S, MusicSettings, Snap
from pipeline.music.signals import Signal, signal_tv
from pipeline.music.snapping import Cutter, reentries, still_frames
from pipeline.music.threshold import (
    SHORTEST_TARGET_S,
    TARGET_SLACK,
    CutRules,
    choose_threshold,
    fill_long_segments,
    merge_down,
    phrase_length,
    target_length,
)


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
    candidates = _where_music_moves(boundaries(found, feats, harm), feats) if settings.snap is Snap.PHRASES else None
    cutter = Cutter(search, found, settings, feats, candidates)
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
    # Without candidates (no note at all: a glide, a drone) the signal's turns are all there is.
    if candidates is not None and len(candidates.times) and automatic and not settings.paper_filter:
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
        filled, strength = fill_long_segments(cutter, smoothed, raw, rules)
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


def _where_music_moves(candidates: Boundaries, feats: Features) -> Boundaries:
    """The candidates outside stretches where the audio holds still (silence, a drone, a held chord).

    The beat tracker counts on through a drone, and a bar line there is no turn: a cut on it would
    split a shot where nothing changes, which the other snaps never do either.
    """
    still = still_frames(feats)
    frames = np.clip(np.rint(candidates.times * feats.frame_rate).astype(np.int64), 0, len(still) - 1)
    keep = ~still[frames]
    return Boundaries(
        times=candidates.times[keep],
        score=candidates.score[keep],
        marked=candidates.marked[keep],
        novelty=candidates.novelty[keep],
    )


def count_note(wanted: int, got: int, duration_s: float) -> str:
    """One sentence on why the asked-for number of segments could not be made."""
    return (
        f"asked for {wanted} segments, made {got}: the closest this {duration_s:.1f} s clip allows, because cuts "
        f"fall only where its smoothed signal turns, at least {paper.ROLLING_LENGTH * HOP / 44_100:.2f} s apart."
    )
