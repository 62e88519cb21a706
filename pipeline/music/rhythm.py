"""Onsets, tempo and beats: where the music's events are."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.ndimage

from pipeline.music.beat_network import Heard, listen
from pipeline.music.features import Features
from pipeline.music.harmony import Harmony, change_peaks

ONSET_FLOOR_DB = 1.5  # mean rise per band for an onset
MIN_TEMPO_BPM, MAX_TEMPO_BPM = 40.0, 240.0


@dataclass(frozen=True)
class Rhythm:
    """Onsets, tempo and beats of one clip."""

    onsets: np.ndarray  # (k,) seconds
    onset_strength: np.ndarray  # (k,) peak onset strength: 1 = the clip's strong onsets (90th percentile)
    percussive: np.ndarray  # (k,) 0..1, how much of the onset is broadband (a hit) rather than a tone
    tempo_bpm: float | None  # None when the clip has no steady pulse (speech, glides)
    beats: np.ndarray  # (b,) seconds; empty without a tempo
    pulse_clarity: float  # 0..1: autocorrelation at the beat period; how steady the pulse is
    downbeats: np.ndarray = field(default_factory=lambda: np.empty(0))  # (d,) seconds: the bar lines found
    beats_per_bar: int | None = None  # None without a clear metre


def moving(values: np.ndarray, before: int, after: int, reducer: str) -> np.ndarray:
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
    local_max = env == moving(env, near, near, "max")
    background = moving(env, round(0.1 * fps), round(0.1 * fps), "mean")
    audible = moving(feats.loudness_db, near, near, "max") > -50.0  # nothing counts in near-silence
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
    attack = power[np.minimum(frames + 1, len(power) - 1)]  # (k, bands)
    # Every third frame of the ±0.2 s (from its first frame inside the clip) is plenty for a median;
    # frames past the clip's ends are left out of it (NaN). All onsets at once, in one array.
    around = np.maximum(frames - half, 0)[:, None] + np.arange(0, 2 * half + 1, 3)[None, :]
    inside = (around <= (frames + half)[:, None]) & (around < len(power))
    window = np.where(inside[:, :, None], power[np.clip(around, 0, len(power) - 1)], np.nan)
    harmonic = np.nanmedian(window, axis=1)
    spread = np.lib.stride_tricks.sliding_window_view(np.pad(attack, ((0, 0), (4, 4)), mode="edge"), 9, axis=1)
    percussive = np.median(spread, axis=2)
    out: np.ndarray = percussive.sum(axis=1) / np.maximum((percussive + harmonic).sum(axis=1), 1e-12)
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
    # A beat's multiples are the bar: a true period also correlates at twice or three times itself,
    # a period of three 8th notes in 4/4 (a reel's fiddle line) does not.
    longest = len(acf) - 1
    multiples = np.maximum(acf[np.minimum(2 * lags, longest)], acf[np.minimum(3 * lags, longest)])
    multiples = np.where(3 * lags <= longest, multiples, acf[lags])
    best = int(lags[np.argmax((acf[lags] + 0.5 * np.maximum(multiples, 0.0)) * prior)])
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
    heard = moving(local, round(period / 4), round(period / 4), "max")[frames] > 0.1 * level
    if not heard.any():
        return np.empty(0, dtype=np.int64)
    first, last = np.flatnonzero(heard)[[0, -1]]
    return frames[first : last + 1]


def heard_tempo(beat: np.ndarray, frame_rate: float) -> float | None:
    """The tempo, its double or its half: whichever's tracked beats agree best with the beats heard.

    The autocorrelation of a beat activation peaks at the beat, but also at the bar (a minuet's
    bar of three, a slow hymn's half bar); the network's peaks say which level a listener taps.
    Agreement is the F-measure of the tracked beats against the heard peaks: the mean activation
    at the tracked beats (a double tempo puts half its beats between peaks) against the share of
    the peaks' weight that a tracked beat meets (half a tempo leaves every other peak alone).
    """
    tempo, _ = estimate_tempo(beat, frame_rate)
    if tempo is None:
        return None
    candidates = [tempo * k for k in (1.0, 2.0, 0.5) if MIN_TEMPO_BPM <= tempo * k <= TAPPED_TEMPO_BPM or k == 1.0]
    # The heard peaks are the same for every candidate: found once.
    near = max(1, round(0.035 * frame_rate))
    widened = scipy.ndimage.maximum_filter1d(beat, 2 * near + 1, mode="nearest")
    peaks = np.flatnonzero((beat == widened) & (beat > HEARD_PEAK))
    scores = [_agreement(track_beats(beat, frame_rate, c), beat, widened, peaks, 2 * near) for c in candidates]
    return candidates[int(np.argmax(scores))]


def _agreement(frames: np.ndarray, beat: np.ndarray, widened: np.ndarray, peaks: np.ndarray, within: int) -> float:
    """F-measure of tracked beat `frames` against the heard `peaks` (weighted by their height)."""
    if len(frames) < 2 or len(peaks) == 0:
        return 0.0
    precision = float(widened[frames].mean())
    met = np.abs(peaks[:, None] - frames[None, :]).min(axis=1) <= within
    recall = float(beat[peaks][met].sum() / beat[peaks].sum())
    return 2 * precision * recall / max(precision + recall, 1e-12)


HEARD_PEAK = 0.2  # a beat activation peak lower than this is no beat heard
# Listeners tap a fast reel's half notes, not its 8th notes: a doubled tempo above this is not taken
# (the autocorrelation's own tempo may still be faster).
TAPPED_TEMPO_BPM = 200.0
HEARD_BAR_WEIGHT = 2.0  # standard deviations of the network's bar-line activation, against the four hand-made cues
METRE_CLARITY = 0.3  # below this mean contrast (standard deviations summed over the cues) no metre is clear
# What it costs the bar count to restart (in the same units): cheap where the music held still
# (a fermata), dear elsewhere, where a restart would only chase one loud beat.
PAUSED_RESTART, STEADY_RESTART = 5.0, 20.0
BEND_FROM, BEND_FULL = 0.03, 0.06  # mean stray of the beat lengths before a pause: a steady player's, a ritardando's
UNHEARD_BEAT = 0.35  # a tracked beat whose network activation is under this share of the usual one was not heard
PULSE_CLARITY = 0.25  # on the onset envelope alone
# On onsets and harmonic change together: a chorale's pulse is its chords. Held strings and winds
# measure 0.03-0.08 here and a codec moves that by a fifth; a floor among them made one recording
# pulsed and its MP3 not (and every cut with it). A glide has no notes, so no pulse at all.
PULSE_CLARITY_WITH_HARMONY = 0.02


def pulse_envelope(feats: Features, found: Harmony) -> np.ndarray:
    """Onset strength and harmonic change together, each scaled by its own strong values, per frame.

    Held music has no attacks to tap along to; its pulse is in the chord changes, which land on
    beats as reliably as a drummer's hits.
    """
    onset = feats.onset_envelope / (float(np.quantile(feats.onset_envelope, 0.99)) or 1.0)
    times = feats.frame_time(np.arange(len(onset)))
    change = np.interp(times, found.frame_time(np.arange(len(found.change))), found.change)
    out: np.ndarray = onset + change / (float(np.quantile(change, 0.99)) or 1.0)
    return out


def merge_onsets(
    onsets: np.ndarray, strength: np.ndarray, extra: np.ndarray, extra_strength: np.ndarray, within: float = 0.05
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(times, strengths, which are new) of the onsets with the extra ones that none is near."""
    if len(extra) == 0:
        return onsets, strength, np.zeros(len(onsets), dtype=bool)
    if len(onsets):
        gap = np.abs(extra[:, None] - onsets[None, :]).min(axis=1)
        extra, extra_strength = extra[gap > within], extra_strength[gap > within]
    times = np.concatenate([onsets, extra])
    order = np.argsort(times, kind="stable")
    new = np.concatenate([np.zeros(len(onsets), bool), np.ones(len(extra), bool)])
    return times[order], np.concatenate([strength, extra_strength])[order], new[order]


def downbeats(
    beats: np.ndarray,
    found: Harmony,
    envelope: np.ndarray,
    feats: Features,
    heard: Heard | None = None,
    onsets: np.ndarray | None = None,
) -> tuple[np.ndarray, int | None]:
    """(bar lines, beats per bar): the metre and phase at whose beats the music changes and leans most.

    Chords change on the bar line more than inside it, the bass moves there, and players lean on
    its first beat (louder just after it); where the beat network is there (`heard`), its bar-line
    activation is one more cue. The metre is the one whose every n-th beat carries most of these
    over the whole clip; the bar lines then follow the cues beat by beat, and the count restarts
    cheaply only where the music paused (a beat the network did not hear or, without it, one with
    no note among the `onsets`: a fermata's held chord).
    """
    if len(beats) < 8:
        return np.empty(0), None
    heard_bars, heard_beats = (None, None) if heard is None else (heard.bar, heard.beat)
    cue = _bar_cue(beats, found, envelope, feats, heard_bars)
    metre, clarity = _metre(cue)
    if clarity < METRE_CLARITY:
        return np.empty(0), None
    paused = _paused_beats(beats, np.empty(0) if onsets is None else onsets, heard_beats, feats.frame_rate)
    positions = _bar_positions(cue, metre, restart_cost(beats, paused))
    out: np.ndarray = beats[positions == 0]
    return out, metre


def _bar_cue(
    beats: np.ndarray, found: Harmony, envelope: np.ndarray, feats: Features, heard_bars: np.ndarray | None
) -> np.ndarray:
    """Per beat, how much it reads as a bar line, in standard deviations summed over the cues."""
    fps = feats.frame_rate
    frames = np.clip(np.rint(beats * fps).astype(np.int64), 0, len(envelope) - 1)
    near = max(1, round(0.04 * fps))
    accent = scipy.ndimage.maximum_filter1d(envelope, 2 * near + 1, mode="nearest")[frames]
    low = feats.band_db[:, :10].astype(np.float64)  # under about 150 Hz: the bass and the kick
    rise = np.maximum(np.diff(low, axis=0, prepend=low[:1]), 0.0).mean(axis=1)
    bass = scipy.ndimage.maximum_filter1d(rise, 2 * near + 1, mode="nearest")[frames]
    level = level_after(frames, feats)
    cue = _standard(_chord_change_at(beats, found)) + 0.5 * _standard(accent) + 0.5 * _standard(bass)
    cue += _standard(level)
    if heard_bars is not None:
        # The network has heard hundreds of scores' bar lines: its word weighs as much as the rest together.
        cue += HEARD_BAR_WEIGHT * _standard(
            scipy.ndimage.maximum_filter1d(heard_bars, 2 * near + 1, mode="nearest")[frames]
        )
    return cue


def _metre(cue: np.ndarray) -> tuple[int, float]:
    """(beats per bar, clarity): the metre whose every n-th beat, at its best phase, stands out most.

    Counted straight through the clip, with no restart: a count free to restart anywhere fits any
    metre to the strong beats (a 3/4 minuet scored higher as 4/4 with a restart every other bar).
    4 and 2 share their downbeats, so a 2 must beat the 4 clearly, or another codec's rounding flips
    between them (and every other bar line with them); 3 too, since a short clip's beats can fall
    into threes by chance. 4 is the commonest metre.
    """
    best = (4, -np.inf)
    for metre, preference in ((2, 0.85), (3, 0.85), (4, 1.0)):
        contrast = max(_contrast(cue, metre, phase) for phase in range(metre))
        if contrast * preference > best[1]:
            best = (metre, contrast * preference)
    return best


def _contrast(cue: np.ndarray, metre: int, phase: int) -> float:
    """How much more the beats at `phase` of every `metre` carry than the others (mean difference)."""
    on = np.zeros(len(cue), dtype=bool)
    on[phase::metre] = True
    return float(cue[on].mean() - cue[~on].mean()) if 0 < on.sum() < len(cue) else -np.inf


def _paused_beats(beats: np.ndarray, onsets: np.ndarray, heard_beats: np.ndarray | None, fps: float) -> np.ndarray:
    """Per beat, whether the music paused just before it: the beat before was not heard, or no note
    started in it (a fermata's held chord, a breath), so the tracker counted a beat that is no beat.

    With the beat network, its beat activation says so (under a third of the clip's usual value at a
    beat); without it, the onsets do.
    """
    if len(beats) < 2:
        return np.zeros(len(beats), dtype=bool)
    if heard_beats is not None:
        frames = np.clip(np.rint(beats * fps).astype(np.int64), 0, len(heard_beats) - 1)
        heard = scipy.ndimage.maximum_filter1d(heard_beats, 2 * max(1, round(0.04 * fps)) + 1, mode="nearest")[frames]
        unheard = heard < UNHEARD_BEAT * float(np.median(heard))
        return np.concatenate([[False], unheard[:-1]])
    period = float(np.median(np.diff(beats)))
    # The beat before: from just before it (a note a little early is on it) to just before this one.
    starts, ends = beats[:-1] - 0.15 * period, beats[1:] - 0.15 * period
    silent = np.searchsorted(onsets, ends) - np.searchsorted(onsets, starts) == 0
    out: np.ndarray = np.concatenate([[False], silent])
    return out


def restart_cost(beats: np.ndarray, paused: np.ndarray) -> np.ndarray:
    """Per beat, what it costs the bar count to restart there: cheap after a pause only as far as the
    tempo bent before it. A player slows into a fermata and the tracker stretches its beats over the
    hold, counting a beat that is none; a rest in time leaves the beats even and the count going (a
    Haydn presto's rests had restarted it, and every bar line after them sat a beat off).
    """
    paused_cost = PAUSED_RESTART + (STEADY_RESTART - PAUSED_RESTART) * (1.0 - _tempo_bend(beats))
    out: np.ndarray = np.where(paused, paused_cost, STEADY_RESTART)
    return out


def _tempo_bend(beats: np.ndarray) -> np.ndarray:
    """Per beat, 0..1: how far the four beat lengths before it stray from the clip's usual one.

    Nothing up to 3% on average (a steady player's wander), all from 6% (a ritardando, a hold the
    tracker stretched its beats over); graded between, so that a codec's few milliseconds move it a little.
    """
    lengths = np.diff(beats)
    stray = np.abs(lengths / float(np.median(lengths)) - 1.0)
    cumulative = np.concatenate([[0.0], np.cumsum(stray)])
    ends = np.arange(len(beats))
    starts = np.maximum(ends - 4, 0)
    mean = (cumulative[ends] - cumulative[starts]) / np.maximum(ends - starts, 1)
    out: np.ndarray = np.clip((mean - BEND_FROM) / (BEND_FULL - BEND_FROM), 0.0, 1.0)
    return out


def level_after(frames: np.ndarray, feats: Features) -> np.ndarray:
    """Per frame, the mean level (dB) over the 0.1 s after it: how hard a beat is played.

    The mean, not one frame 30 ms in: a codec's noise moved one frame's level enough to flip the bar
    count (and every bar line after it) where the cues were close (a Mozart quartet's AAC).
    """
    out: np.ndarray = moving(feats.loudness_db, 0, round(0.1 * feats.frame_rate), "mean")[frames]
    return out


def _bar_positions(cue: np.ndarray, metre: int, restart_cost: np.ndarray) -> np.ndarray:
    """Per beat, its place in the bar (0 = the bar line): the most likely path (Viterbi).

    The count runs on beat by beat, but may restart at a cost per beat (`restart_cost`): a held
    fermata or a breath makes the beat tracker count an extra beat there, and the bar must not stay
    a beat off after it.
    """
    n = len(cue)
    gain = np.where(np.arange(metre)[None, :] == 0, cue[:, None], -cue[:, None] / max(metre - 1, 1))
    score = gain[0].copy()
    back = np.zeros((n, metre), dtype=np.int64)
    following = (np.arange(metre) - 1) % metre  # the state each state follows without a restart
    for i in range(1, n):
        steady = score[following]
        restart = score.max() - restart_cost[i]
        back[i] = np.where(steady >= restart, following, int(score.argmax()))
        score = np.maximum(steady, restart) + gain[i]
    path = np.zeros(n, dtype=np.int64)
    path[-1] = int(score.argmax())
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def _chord_change_at(beats: np.ndarray, found: Harmony) -> np.ndarray:
    """Per beat, how different the chroma of the beat after it is from the beat before (0..1)."""
    frames = np.clip(np.rint(beats * found.frame_rate).astype(np.int64), 0, len(found.chroma) - 1)
    cumulative = np.concatenate([np.zeros((1, 12)), np.cumsum(found.chroma, axis=0)])
    edges = np.concatenate(
        [[max(0, 2 * frames[0] - frames[1])], frames, [min(len(found.chroma), 2 * frames[-1] - frames[-2])]]
    )
    edges = np.clip(edges, 0, len(found.chroma))
    means = (cumulative[edges[1:]] - cumulative[edges[:-1]]) / np.maximum(edges[1:] - edges[:-1], 1)[:, None]
    before, after = means[:-1], means[1:]
    norm = np.linalg.norm(before, axis=1) * np.linalg.norm(after, axis=1)
    out: np.ndarray = 1 - (before * after).sum(axis=1) / np.maximum(norm, 1e-12)
    return out


def _standard(values: np.ndarray) -> np.ndarray:
    out: np.ndarray = (values - values.mean()) / (values.std() or 1.0)
    return out


def rhythm(feats: Features, found: Harmony | None = None) -> Rhythm:
    """Onsets, tempo, beats and (with the harmony) soft onsets and bar lines of the clip."""
    frames, strength, percussive = pick_onsets(feats)
    onsets = feats.frame_time(frames)
    envelope, clarity_floor = feats.onset_envelope, PULSE_CLARITY
    if found is not None:
        # Note and chord changes with no attack (organ, strings, voices) join the onsets.
        extra, extra_strength = change_peaks(found)
        onsets, strength, new = merge_onsets(onsets, strength, extra, extra_strength)
        tonal = np.zeros(len(onsets))
        tonal[~new] = percussive
        percussive = tonal
        envelope, clarity_floor = pulse_envelope(feats, found), PULSE_CLARITY_WITH_HARMONY
    tempo, clarity = estimate_tempo(envelope, feats.frame_rate)
    heard = listen(feats, found) if found is not None else None
    if heard is not None:
        # Whether there is a pulse at all stays the pulse envelope's say (speech and glides have
        # none); its tempo and beats are the network's, which hears a jig's dotted-quarter beat
        # where the envelope leans on the 8th notes.
        tempo = heard_tempo(heard.beat, feats.frame_rate)
        envelope = heard.beat
    # Below this clarity the "tempo" of speech or a glide is noise, and beats would be made up;
    # and a pulse needs notes: at least one every two seconds.
    seconds = feats.n_samples / feats.sample_rate
    bars, metre = np.empty(0), None
    if tempo is None or clarity < clarity_floor or len(onsets) < max(8.0, 0.5 * seconds):
        tempo, beats = None, np.empty(0)
    else:
        beats = feats.frame_time(track_beats(envelope, feats.frame_rate, tempo))
        if found is not None:
            bars, metre = downbeats(beats, found, envelope, feats, heard, onsets)
    return Rhythm(
        onsets=onsets,
        onset_strength=strength,
        percussive=percussive,
        tempo_bpm=tempo,
        beats=beats,
        pulse_clarity=clarity,
        downbeats=bars,
        beats_per_bar=metre,
    )
