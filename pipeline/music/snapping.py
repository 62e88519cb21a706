"""Moving cuts onto the music's events (onsets, beats, phrase starts) and keeping them a gap apart."""

from __future__ import annotations

import bisect

import numpy as np

from pipeline.analysis import HOP, InflectionSearch
from pipeline.music.features import FRAME_HOP, FRAME_NFFT, Features
from pipeline.music.phrases import Boundaries
from pipeline.music.rhythm import ONSET_FLOOR_DB, Rhythm, moving
from pipeline.music.settings import MusicSettings, Snap


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


def search_strengths(search: InflectionSearch, points: np.ndarray) -> np.ndarray:
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


class Cutter:
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
        phrases = settings.snap is Snap.PHRASES and _dense_enough(self.candidates, settings.segments)
        if settings.snap is Snap.ONSETS or (settings.snap is Snap.PHRASES and not phrases):
            self.events, self.weights = rhythm_.onsets, rhythm_.onset_strength.copy()
            if len(rhythm_.beats):
                # An onset on a beat is where a cut feels right, and it is the same one in every codec.
                on_beat = np.abs(rhythm_.onsets[:, None] - rhythm_.beats[None, :]).min(axis=1) < 0.03
                self.weights[on_beat] *= 1.5
            self.window = (0.25, 0.5)  # the trailing running mean reaches its low just before the event
        elif phrases and self.candidates is not None:
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
        strength = search_strengths(self.search, points) if strength is None else strength
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


def _dense_enough(candidates: Boundaries | None, segments: int | None) -> bool:
    """Whether cuts can move onto the phrase candidates: there are some, and for an asked-for count
    at least two per segment (sparser, two cuts would land on one bar line and the count be lost;
    the cuts then move onto notes, as with `--snap onsets`)."""
    if candidates is None or len(candidates.times) == 0:
        return False
    return segments is None or len(candidates.times) >= 2 * segments
