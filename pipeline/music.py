"""Music analysis beyond the paper: onsets, tempo, beats, other 1-D signals, the automatic threshold,
cuts snapped to the music's events, and the pulse and motion curves of the music style.

`pipeline.analysis` stays the paper's method; this module only reuses its pieces (the smoothing,
the exact inflection scan, the alphas). Pure numpy. Times are seconds; `columns` are the paper's
128-sample steps at 44.1 kHz, so an analysis from here plugs into the same plan as the paper's.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import scipy.fft
import scipy.ndimage

from pipeline import analysis as paper
from pipeline.analysis import HOP, Analysis, InflectionKind, InflectionSearch
from pipeline.errors import InvalidOption

FRAME_HOP = 2 * HOP  # 256 samples, 5.8 ms: fine enough to place a cut within a video frame
FRAME_NFFT = 1024  # 23 ms: enough frequency detail to see a new note in a held chord
N_BANDS = 40  # log-spaced bands from 40 Hz to 16 kHz; 16 kHz is where a 128 kb/s MP3 stops
_BAND_EDGES_HZ = (40.0, 16_000.0)
_DB_RANGE = 80.0  # quieter than this below the clip's loudest band is treated as silence
_CHUNK_FRAMES = 8192  # bounds the memory of the short-time spectra for long clips
ONSET_FLOOR_DB = 1.5  # mean rise per band for an onset
_LAG = 2  # frames between the spectra compared for onsets (11.6 ms)

MIN_TEMPO_BPM, MAX_TEMPO_BPM = 40.0, 240.0
MIN_GAP_S = 1.0  # no two cuts (nor a cut and the clip's ends) closer than this
LONGEST_S = 12.0  # a longer segment is split unless the audio is static there
SHORTEST_TARGET_S, LONGEST_TARGET_S = 2.0, 8.0  # the automatic threshold aims between these


class Signal(StrEnum):
    """The 1-D signal whose inflection points become cuts."""

    TV = "tv"  # the paper's: mean absolute change of the linear power spectrum
    FLUX = "flux"  # mean absolute change of the log band spectrum: timbre and harmony, as heard
    ONSET = "onset"  # rises only (onset strength): notes and hits
    RMS = "rms"  # loudness in dB: cuts at swells and lulls


class Snap(StrEnum):
    """What each cut moves to."""

    ONSETS = "onsets"
    BEATS = "beats"
    NONE = "none"


@dataclass(frozen=True)
class Features:
    """Per-frame measurements of one clip (frames are FRAME_HOP samples at the analysis rate)."""

    sample_rate: int
    n_samples: int
    onset_envelope: np.ndarray  # (m,) positive log-spectral flux: mean rise per band in dB
    flux: np.ndarray  # (m,) absolute log-spectral flux, weighted by power (dB per frame)
    loudness_db: np.ndarray  # (m,) frame level in dB below the clip's loudest frame (≤ 0)
    band_db: np.ndarray  # (m, N_BANDS) float32 band levels in dB below the clip's loudest band, floored

    @property
    def frame_rate(self) -> float:
        """Frames per second."""
        return self.sample_rate / FRAME_HOP

    def frame_time(self, frame: np.ndarray | int) -> np.ndarray:
        """Time in seconds at which the onset that peaks in this frame starts."""
        # The positive flux of frame t peaks when a new sound fills about half of its window:
        # the onset is then near the window's centre, measured on synthesised notes (tests).
        centre = FRAME_NFFT / 2 - 0.75 * FRAME_HOP  # less a little: the two-frame lag peaks late
        return (np.asarray(frame, dtype=np.float64) * FRAME_HOP + centre) / self.sample_rate


@dataclass(frozen=True)
class Rhythm:
    """Onsets, tempo and beats of one clip."""

    onsets: np.ndarray  # (k,) seconds
    onset_strength: np.ndarray  # (k,) peak onset strength: 1 = the clip's strong onsets (90th percentile)
    percussive: np.ndarray  # (k,) 0..1, how much of the onset is broadband (a hit) rather than a tone
    tempo_bpm: float | None  # None when the clip has no steady pulse (speech, glides)
    beats: np.ndarray  # (b,) seconds; empty without a tempo
    pulse_clarity: float  # 0..1: autocorrelation at the beat period; how steady the pulse is


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


# ----------------------------------------------------------------------------- features


def _band_matrix(sample_rate: int) -> np.ndarray:
    """(bins, bands) triangular weights of log-spaced bands: each band sums its bins' power."""
    freqs = np.fft.rfftfreq(FRAME_NFFT, 1 / sample_rate)
    edges = np.geomspace(*_BAND_EDGES_HZ, N_BANDS + 2)
    weights = np.zeros((len(freqs), N_BANDS))
    for band in range(N_BANDS):
        low, mid, high = edges[band : band + 3]
        rising = (freqs - low) / (mid - low)
        falling = (high - freqs) / (high - mid)
        weights[:, band] = np.clip(np.minimum(rising, falling), 0, None)
    # Low bands are narrower than one bin: give each at least its nearest bin.
    empty = weights.sum(axis=0) == 0
    for empty_band in np.flatnonzero(empty).tolist():
        weights[np.argmin(np.abs(freqs - edges[empty_band + 1])), empty_band] = 1.0
    return weights


def features(samples: np.ndarray, sample_rate: int) -> Features:
    """Short-time band spectra of the clip, reduced to the per-frame curves the music style uses."""
    x = np.asarray(samples, dtype=np.float32)
    n_frames = max(1, (len(x) - FRAME_NFFT) // FRAME_HOP + 1)
    if len(x) < FRAME_NFFT:
        x = np.concatenate([x, np.zeros(FRAME_NFFT - len(x), np.float32)])
    window = np.hanning(FRAME_NFFT).astype(np.float32)
    bands = _band_matrix(sample_rate).astype(np.float32)
    power = np.empty((n_frames, N_BANDS), np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(x, FRAME_NFFT)[::FRAME_HOP]
    for first in range(0, n_frames, _CHUNK_FRAMES):
        spectrum = scipy.fft.rfft(frames[first : first + _CHUNK_FRAMES] * window, axis=1)  # float32 in, complex64 out
        power[first : first + len(spectrum)] = (spectrum.real**2 + spectrum.imag**2) @ bands
    # Decibels relative to the clip's own loudest band, floored: the level of the recording and
    # the faint noise a codec adds below the floor change nothing.
    db = 10 * np.log10(power + np.float32(1e-12))
    db = np.maximum(db - db.max(initial=-120.0), np.float32(-_DB_RANGE))
    linear = 10 ** (db / np.float32(10))  # floored power, relative to the loudest band
    # SuperFlux (Böck & Widmer 2013): compare with the loudest neighbouring band two frames back,
    # so vibrato, chorus and a codec's wobble are not heard as new notes.
    earlier = np.concatenate([np.repeat(db[:1], _LAG, axis=0), db[:-_LAG]])[: len(db)]
    widened = earlier.copy()
    widened[:, 1:] = np.maximum(widened[:, 1:], earlier[:, :-1])
    widened[:, :-1] = np.maximum(widened[:, :-1], earlier[:, 1:])
    onset = np.maximum(db - widened, 0.0).mean(axis=1)
    level = 10 * np.log10(linear.mean(axis=1) + 1e-12)
    return Features(
        sample_rate=sample_rate,
        n_samples=len(samples),
        onset_envelope=onset,
        flux=_weighted_flux(db, linear),
        loudness_db=level - level.max(initial=0.0),
        band_db=db,
    )


def _weighted_flux(db: np.ndarray, linear: np.ndarray) -> np.ndarray:
    """Per frame, the change in dB of each band weighted by the band's share of the power.

    Bands near the floor hold only leakage and codec noise, whose level jumps from frame to frame;
    weighting by power makes a held tone read as still and a moving one as changing.
    """
    out = np.zeros(len(db))
    if len(db) > 1:
        weight = np.maximum(linear[1:], linear[:-1])
        change = np.abs(db[1:] - db[:-1])
        out[1:] = (weight * change).sum(axis=1) / np.maximum(weight.sum(axis=1), 1e-12)
    return out


def _robust_peak(values: np.ndarray) -> float:
    """A scale for 'a strong value' that one glitch cannot move (unlike the maximum)."""
    if len(values) == 0:
        return 0.0
    return float(np.quantile(values, 0.995))


# ----------------------------------------------------------------------------- onsets, tempo, beats


def _moving(values: np.ndarray, before: int, after: int, reducer: str) -> np.ndarray:
    """Moving max or mean over [t - before, t + after], edges padded with the edge values."""
    size, origin = before + after + 1, (before - after) // 2
    if reducer == "max":
        out: np.ndarray = scipy.ndimage.maximum_filter1d(values, size, mode="nearest", origin=origin)
    else:
        out = scipy.ndimage.uniform_filter1d(np.asarray(values, dtype=np.float64), size, mode="nearest", origin=origin)
    return out


def pick_onsets(feats: Features) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frames, strengths, percussive shares) of onset peaks: local maxima clearly above their surroundings."""
    env = feats.onset_envelope
    fps = feats.frame_rate
    near = max(1, round(0.03 * fps))  # a peak is the largest within ±30 ms
    local_max = env == _moving(env, near, near, "max")
    background = _moving(env, round(0.1 * fps), round(0.1 * fps), "mean")
    audible = _moving(feats.loudness_db, near, near, "max") > -50.0  # nothing counts in near-silence
    # In dB of rise per band: a struck note rises by several dB across many bands at once, a bowed
    # or sung one by about one; vibrato, glides and codec noise stay well under the floor.
    candidates = np.flatnonzero(local_max & (env > background + ONSET_FLOOR_DB / 2) & (env > ONSET_FLOOR_DB) & audible)
    # At most one onset per 50 ms: the larger peak wins a close pair.
    wait = round(0.05 * fps)
    kept: list[int] = []
    for frame in candidates:
        if kept and frame - kept[-1] < wait:
            if env[frame] > env[kept[-1]]:
                kept[-1] = int(frame)
            continue
        kept.append(int(frame))
    frames = np.asarray(kept, dtype=np.int64)
    strength = env[frames]
    # 1 = as strong as the clip's strong onsets, so the weights mean the same in a loud or soft clip.
    scale = float(np.quantile(strength, 0.9)) if len(strength) else 1.0
    return frames, strength / scale, percussiveness(feats, frames)


def percussiveness(feats: Features, frames: np.ndarray) -> np.ndarray:
    """Per onset, 0..1: how much of its sound is percussive (flat across bands, short) rather than tonal.

    Median filtering as in harmonic/percussive separation (FitzGerald 2010), only at the onsets: the
    harmonic part of a band is its median over ±0.2 s, the percussive part the median over ±4 bands.
    """
    if len(frames) == 0:
        return np.empty(0)
    power = 10 ** (feats.band_db.astype(np.float64) / 10)
    half = round(0.2 * feats.frame_rate)
    out = np.empty(len(frames))
    for index, frame in enumerate(frames.tolist()):
        attack = power[min(frame + 1, len(power) - 1)]
        # Every third frame of the ±0.2 s is plenty for a median, and three times faster.
        harmonic = np.median(power[max(0, frame - half) : frame + half + 1 : 3], axis=0)
        spread = np.lib.stride_tricks.sliding_window_view(np.pad(attack, 4, mode="edge"), 9)
        percussive = np.median(spread, axis=1)
        out[index] = percussive.sum() / max((percussive + harmonic).sum(), 1e-12)
    return out


def estimate_tempo(envelope: np.ndarray, frame_rate: float) -> tuple[float | None, float]:
    """(tempo in bpm or None, pulse clarity 0..1) from the autocorrelation of the onset envelope."""
    x = envelope - envelope.mean()
    n = len(x)
    min_lag = int(frame_rate * 60 / MAX_TEMPO_BPM)
    max_lag = min(int(frame_rate * 60 / MIN_TEMPO_BPM), n // 2)
    if max_lag <= min_lag + 2 or not np.any(x):
        return None, 0.0
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(x, size)
    acf = np.fft.irfft(spectrum * np.conj(spectrum), size)[: max_lag + 2]
    acf = acf / acf[0] * n / (n - np.arange(len(acf)))  # unbiased: long lags sum fewer products
    lags = np.arange(min_lag, max_lag + 1)
    bpm = 60 * frame_rate / lags
    # A prior around 120 bpm, one octave wide, picks between a tempo and its double or half.
    prior = np.exp(-0.5 * (np.log2(bpm / 120.0)) ** 2)
    best = int(lags[np.argmax(acf[lags] * prior)])
    clarity = float(np.clip(acf[best], 0.0, 1.0))
    # Parabolic interpolation between lags for a tempo finer than one frame of lag.
    a, b, c = acf[best - 1], acf[best], acf[best + 1]
    shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) < 0 else 0.0
    return 60 * frame_rate / (best + float(np.clip(shift, -0.5, 0.5))), clarity


def track_beats(envelope: np.ndarray, frame_rate: float, tempo_bpm: float, tightness: float = 100.0) -> np.ndarray:
    """Beat frames by dynamic programming (Ellis 2007): onsets near a steady period, one chain."""
    period = 60.0 * frame_rate / tempo_bpm
    n = len(envelope)
    if n < 2 * period:
        return np.empty(0, dtype=np.int64)
    width = max(1.0, period / 32)
    taps = np.arange(-round(4 * width), round(4 * width) + 1)
    local = np.convolve(envelope, np.exp(-0.5 * (taps / width) ** 2), mode="same")
    local = local / (local.std() or 1.0)
    offsets = np.arange(-round(2 * period), -round(period / 2) + 1)  # where the previous beat may be
    penalty = -tightness * np.log(-offsets / period) ** 2
    score = local.copy()
    back = np.full(n, -1, dtype=np.int64)
    # Frames in one block only look back at least period/2 frames, i.e. before the block: a block
    # is computed at once instead of one frame at a time.
    step = max(1, round(period / 2))
    for first in range(0, n, step):
        t = np.arange(first, min(first + step, n))
        prev = t[:, None] + offsets[None, :]
        valid = prev >= 0
        candidate = np.where(valid, score[np.maximum(prev, 0)] + penalty, -np.inf)
        best = np.argmax(candidate, axis=1)
        best_value = candidate[np.arange(len(t)), best]
        has = np.isfinite(best_value)
        score[t] = local[t] + np.where(has, np.maximum(best_value, 0.0), 0.0)
        back[t] = np.where(has & (best_value > 0), prev[np.arange(len(t)), best], -1)
    # The last beat: the last strong local maximum of the score.
    peaks = np.flatnonzero((score[1:-1] >= score[:-2]) & (score[1:-1] > score[2:])) + 1
    if len(peaks) == 0:
        return np.empty(0, dtype=np.int64)
    strong = peaks[score[peaks] >= 0.5 * np.median(score[peaks])]
    beat = int(strong[-1])
    beats = [beat]
    while back[beat] >= 0:
        beat = int(back[beat])
        beats.append(beat)
    frames = np.asarray(beats[::-1], dtype=np.int64)
    # Beats in silence at either end (the chain runs on with nothing under it) are dropped.
    level = np.sqrt(np.mean(local**2))
    heard = _moving(local, round(period / 4), round(period / 4), "max")[frames] > 0.1 * level
    if not heard.any():
        return np.empty(0, dtype=np.int64)
    first, last = np.flatnonzero(heard)[[0, -1]]
    return frames[first : last + 1]


def rhythm(feats: Features) -> Rhythm:
    """Onsets, tempo and beats of the clip."""
    frames, strength, percussive = pick_onsets(feats)
    tempo, clarity = estimate_tempo(feats.onset_envelope, feats.frame_rate)
    # Below this clarity the "tempo" of speech or a glide is noise, and beats would be made up;
    # and a pulse needs notes: at least one every two seconds.
    seconds = feats.n_samples / feats.sample_rate
    if tempo is None or clarity < 0.25 or len(frames) < max(8.0, 0.5 * seconds):
        tempo, beats = None, np.empty(0)
    else:
        beats = feats.frame_time(track_beats(feats.onset_envelope, feats.frame_rate, tempo))
    return Rhythm(
        onsets=feats.frame_time(frames),
        onset_strength=strength,
        percussive=percussive,
        tempo_bpm=tempo,
        beats=beats,
        pulse_clarity=clarity,
    )


# ----------------------------------------------------------------------------- signals


def signal_tv(samples: np.ndarray, kind: Signal, feats: Features) -> np.ndarray:
    """The chosen signal per neighbouring pair of paper columns, (n_columns - 1,), about 0..1."""
    if kind is Signal.TV:
        return paper.tv_distances(samples)
    n_columns = paper.n_columns_for(feats.n_samples)
    # Each paper column takes the frame whose window is centred nearest to its own centre.
    centre = np.arange(n_columns - 1) * HOP + paper.NFFT / 2
    frame = np.clip(np.rint((centre - FRAME_NFFT / 2) / FRAME_HOP), 0, len(feats.flux) - 1).astype(np.int64)
    if kind is Signal.FLUX:
        values = feats.flux
    elif kind is Signal.ONSET:
        values = feats.onset_envelope
    else:  # loudness, from 60 dB below the loudest frame (0) to the loudest (1)
        values = np.clip(1 + feats.loudness_db / 60.0, 0.0, 1.0)
    peak = _robust_peak(values) if kind is not Signal.RMS else 1.0
    out: np.ndarray = values[frame] / peak if peak > 0 else values[frame]
    return out


# ----------------------------------------------------------------------------- choosing the cuts


@dataclass(frozen=True)
class CutRules:
    """What a good set of cuts looks like for one clip."""

    target_s: float  # the mean segment length to aim for
    min_gap_s: float = MIN_GAP_S
    longest_s: float = LONGEST_S


def target_length(rhythm_: Rhythm, duration_s: float) -> float:
    """The mean segment length that suits the music: a phrase, shorter when the music is busy.

    A phrase at the clip's tempo (120 bpm when it has none): two bars for 8th notes, one bar when
    the notes are denser, four when they are sparse (held chords, a glide), then kept within 2-8 s.
    """
    beat_s = 60.0 / rhythm_.tempo_bpm if rhythm_.tempo_bpm else 0.5
    onsets_per_beat = len(rhythm_.onsets) / max(duration_s, 1e-9) * beat_s
    bars = 4.0 / (1.0 + onsets_per_beat / 2.0)
    # Whole phrases of 1, 2 or 4 bars: the same music as another codec finds a few onsets more or
    # less, and a target that moved with them would flip between two equally good counts.
    phrase = min((1.0, 2.0, 4.0), key=lambda whole: abs(math.log(whole / bars)))
    return float(np.clip(phrase * 4 * beat_s, SHORTEST_TARGET_S, LONGEST_TARGET_S))


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
    changing = _moving(feats.flux, half, half, "mean") >= 0.05
    noted = _moving(feats.onset_envelope, half, half, "max") > ONSET_FLOOR_DB
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

    def __init__(self, search: InflectionSearch, rhythm_: Rhythm, settings: MusicSettings, feats: Features) -> None:
        self.search, self.settings, self.cps = search, settings, feats.sample_rate / HOP
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
        return moved


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
        costs[index] = abs(math.log(mean / rules.target_s)) + 2.0 * overshoot

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
        found = local.points(local.threshold_for_segments(wanted))
        extra_points += (found[1:-1] + begin).tolist()
        # Weaker than any cut of the whole clip's scan, in their own order of clarity.
        extra_strength += (_search_strengths(local, found)[1:-1] - 10.0).tolist()
    if not extra_points:
        return points, strength
    merged = np.concatenate([points, extra_points])
    merged_strength = np.concatenate([strength, extra_strength])
    order = np.argsort(merged, kind="stable")
    return merged[order].astype(np.int64), merged_strength[order]


def _absolute(settings: MusicSettings) -> float:
    return paper.ABSOLUTE_THRESHOLD if settings.paper_filter else math.inf


def analyse_music(samples: np.ndarray, sample_rate: int, settings: MusicSettings) -> tuple[Analysis, MusicAnalysis]:
    """Cuts from the chosen signal, at a threshold fixed, asked for by count, or picked from the music."""
    if settings.threshold is not None and not 0 <= settings.threshold <= 1:
        raise InvalidOption("--threshold", settings.threshold, "between 0 and 1")
    feats = features(samples, sample_rate)
    found = rhythm(feats)
    tv = signal_tv(samples, settings.signal, feats)
    smoothed = paper.smooth(tv)
    search = InflectionSearch.build(smoothed, settings.kind, absolute_threshold=_absolute(settings))
    duration_s = len(samples) / sample_rate
    cutter = _Cutter(search, found, settings, feats)
    cutter.signal_peak = float(np.max(smoothed, initial=0.0))
    if settings.threshold is None and settings.segments is None and not settings.paper_filter:
        cutter.forced = np.ceil(reentries(feats, found) * cutter.cps - 1e-9).astype(np.int64)
    notes: list[str] = []
    if settings.snap is Snap.BEATS and len(found.beats) == 0:
        notes.append("the clip has no steady beat, so the cuts stay where the signal turns.")
    target: float | None = None
    if settings.threshold is not None:
        threshold = settings.threshold
        points = cutter.finish(search.points(threshold))
    elif settings.segments is not None:
        threshold, points = _threshold_for_count(cutter, settings.segments)
        if len(points) - 1 != settings.segments:
            notes.append(count_note(settings.segments, len(points) - 1, duration_s))
    else:
        target = settings.segment_seconds or target_length(found, duration_s)
        rules = CutRules(target)
        if settings.segment_seconds is not None:
            rules = CutRules(target, min_gap_s=target / 2, longest_s=1.5 * target)
        threshold = choose_threshold(cutter, rules, duration_s)
        raw = search.points(threshold)
        filled, strength = _fill_long_segments(cutter, smoothed, raw, rules)
        points = cutter.finish(filled, strength, gap_s=rules.min_gap_s)
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
        raw_points=search.points(threshold),
        notes=tuple(notes),
        loudness=loudness_curve(feats),
        frame_rate=feats.frame_rate,
    )
    return analysis, music


def loudness_curve(feats: Features) -> np.ndarray:
    """(m,) 0..1 per frame: 0 at 60 dB below the loudest frame or quieter, 1 at the loudest."""
    out: np.ndarray = np.clip(1 + feats.loudness_db / 60.0, 0.0, 1.0)
    return out


def _threshold_for_count(cutter: _Cutter, wanted: int) -> tuple[float, np.ndarray]:
    """The threshold (and its cuts) whose final count is nearest to `wanted`; ties: the larger δ."""
    if wanted < 1:
        raise InvalidOption("--segments", wanted, "at least 1")
    best: tuple[int, float, np.ndarray] | None = None
    for threshold in _candidates(cutter.search):
        points = cutter.finish(cutter.search.points(float(threshold)))
        gap = abs(len(points) - 1 - wanted)
        if best is None or gap < best[0]:
            best = (gap, max(float(threshold), 0.0), points)
        if gap == 0:
            break
    assert best is not None
    return best[1], best[2]


def count_note(wanted: int, got: int, duration_s: float) -> str:
    """One sentence on why the asked-for number of segments could not be made."""
    return (
        f"asked for {wanted} segments, made {got}: the closest this {duration_s:.1f} s clip allows, because cuts "
        f"fall only where its smoothed signal turns, at least {paper.ROLLING_LENGTH * HOP / 44_100:.2f} s apart."
    )


# ----------------------------------------------------------------------------- motion between the cuts

PULSE_DECAY_S = 0.2  # a kick fades to a third in this time: felt on the beat, gone before the next
DRIFT_LOOP_S = 24.0  # seconds of full-loudness music for the drift to come round once


def pulse_curve(found: Rhythm, times: np.ndarray) -> np.ndarray:
    """0..1 at each time: a kick on each percussive onset, decaying exponentially."""
    weight = np.minimum(found.onset_strength, 1.0) * np.clip((found.percussive - 0.5) / 0.4, 0.0, 1.0)
    keep = weight > 0.05
    onsets, weight = found.onsets[keep], weight[keep]
    curve = np.zeros(len(times))
    if len(onsets) == 0:
        return curve
    # Each time feels the most recent kicks; beyond five decays a kick is under 1%.
    first = np.searchsorted(onsets, times - 5 * PULSE_DECAY_S, side="left")
    last = np.searchsorted(onsets, times, side="right")
    for index in range(len(times)):
        lo, hi = first[index], last[index]
        if hi > lo:
            ages = times[index] - onsets[lo:hi]
            curve[index] = np.max(weight[lo:hi] * np.exp(-ages / PULSE_DECAY_S))
    return curve


def drift_phase(loudness: np.ndarray, frame_rate: float, times: np.ndarray) -> np.ndarray:
    """Radians at each time: the drift's angle, advancing with the loudness so far (silence holds still)."""
    if len(loudness) == 0:
        return np.zeros(len(times))
    travelled = np.concatenate([[0.0], np.cumsum(loudness)]) / frame_rate  # loud-seconds up to each frame
    frames = np.clip(times * frame_rate, 0, len(loudness))
    return np.asarray(2 * np.pi * np.interp(frames, np.arange(len(travelled)), travelled) / DRIFT_LOOP_S)


# ----------------------------------------------------------------------------- styles


class Style(StrEnum):
    """A preset of every analysis and motion option."""

    MUSIC = "music"  # cuts that suit and follow the music, with pulse and drift
    PAPER = "paper"  # the released code's analysis, exactly


@dataclass(frozen=True)
class StyleDefaults:
    """What a style sets when the user leaves an option out."""

    threshold: float | None  # None: picked from the music
    signal: Signal
    snap: Snap
    pulse: float
    motion: float


STYLES = {
    Style.MUSIC: StyleDefaults(threshold=None, signal=Signal.RMS, snap=Snap.ONSETS, pulse=0.3, motion=0.3),
    Style.PAPER: StyleDefaults(
        threshold=paper.DEFAULT_THRESHOLD, signal=Signal.TV, snap=Snap.NONE, pulse=0.0, motion=0.0
    ),
}
