"""Music synthesised in numpy from note lists, so tests know every note's time exactly.

Piano-like tones (inharmonic partials, each decaying at its own rate), plucks,
a drum kit and a slowly gliding pad. Seeded; no soundfont or synthesiser needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RATE = 44_100


@dataclass(frozen=True)
class Note:
    """One note: when it starts, its MIDI pitch (or drum name), length and loudness."""

    time_s: float
    pitch: int
    duration_s: float
    velocity: float = 0.8
    instrument: str = "piano"  # piano, pluck, kick, snare, hat


def _hz(pitch: float) -> float:
    return 440.0 * 2 ** ((pitch - 69) / 12)


def _tone(note: Note, rng: np.random.Generator) -> np.ndarray:
    """One note's samples, starting at its onset."""
    length = int((note.duration_s + 1.2) * RATE) if note.instrument == "piano" else int(0.6 * RATE)
    t = np.arange(length) / RATE
    if note.instrument in ("piano", "pluck"):
        f0 = _hz(note.pitch)
        out = np.zeros(length)
        partials = 10 if note.instrument == "piano" else 6
        for k in range(1, partials + 1):
            fk = f0 * k * np.sqrt(1 + 0.0004 * k * k)  # a stiff string's slightly sharp partials
            if fk > RATE / 2.2:
                break
            decay = (1.2 if note.instrument == "piano" else 5.0) * (1 + 0.6 * k) * (f0 / 262) ** 0.3
            out += np.sin(2 * np.pi * fk * t + rng.uniform(0, 6.3)) * np.exp(-decay * t) / k**1.1
        release = np.clip((note.duration_s + 0.15 - t) / 0.15, 0, 1) if note.instrument == "piano" else 1.0
        attack = np.clip(t / 0.002, 0, 1)
        return out * attack * release * note.velocity * 0.25
    if note.instrument == "kick":
        phase = 2 * np.pi * np.cumsum(45 + 90 * np.exp(-t * 30)) / RATE
        return np.sin(phase) * np.exp(-t * 9) * note.velocity * 0.9
    noise = rng.normal(0, 1, length)
    if note.instrument == "snare":
        body = np.sin(2 * np.pi * 185 * t) * np.exp(-t * 25)
        return (0.5 * noise * np.exp(-t * 18) + 0.5 * body) * note.velocity * 0.5
    if note.instrument == "hat":
        bright = np.diff(noise, prepend=0.0)  # a first difference tilts the noise towards the highs
        return bright * np.exp(-t * 60) * note.velocity * 0.15
    raise ValueError(note.instrument)


def render_notes(notes: Sequence[Note], seconds: float, seed: int = 0) -> np.ndarray:
    """Mix the notes into `seconds` of mono float32 at 44.1 kHz."""
    rng = np.random.default_rng(seed)
    out = np.zeros(int(seconds * RATE) + RATE * 2)
    for note in notes:
        tone = _tone(note, rng)
        first = round(note.time_s * RATE)
        out[first : first + len(tone)] += tone[: len(out) - first]
    out = out[: int(seconds * RATE)]
    peak = np.abs(out).max()
    return (out / peak * 0.7 if peak > 0 else out).astype(np.float32)


def piano_piece(seconds: float, bpm: float = 96.0, seed: int = 0, rest_every: int = 0) -> list[Note]:
    """Arpeggiated chords in phrases of four bars, 8th or 16th notes, a bass note per bar.

    `rest_every` > 0 leaves one bar of silence after every that many bars.
    """
    rng = np.random.default_rng(seed)
    beat = 60.0 / bpm
    bar = 4 * beat
    progressions = [[0, 5, 7, 0], [0, 9, 5, 7], [0, 4, 5, 7], [9, 5, 0, 7]]
    notes: list[Note] = []
    n_bars = int(seconds / bar) + 1
    for index in range(n_bars):
        if rest_every and index % (rest_every + 1) == rest_every:
            continue
        start = index * bar
        phrase = index // 4
        root = 48 + [0, 2, -3, 5][phrase % 4] + progressions[phrase % 4][index % 4]
        chord = [root, root + 4 if phrase % 2 == 0 else root + 3, root + 7, root + 12, root + 16]
        per_beat = 2 if phrase % 3 == 0 else 4
        step = beat / per_beat
        notes.append(Note(start, root - 12, bar * 0.9, 0.9))
        for k in range(4 * per_beat):
            pitch = chord[[0, 1, 2, 3, 4, 3, 2, 1][k % 8]] + 12 * int(rng.integers(0, 2))
            notes.append(Note(start + k * step, pitch, step * 0.95, float(rng.uniform(0.5, 0.9))))
    return [n for n in notes if n.time_s < seconds - 0.05]


def drum_groove(seconds: float, bpm: float = 120.0, seed: int = 0) -> list[Note]:
    """Kick, snare and hats with a bass pluck line and a fill every fourth bar."""
    rng = np.random.default_rng(seed)
    beat = 60.0 / bpm
    notes: list[Note] = []
    n_beats = int(seconds / beat)
    for b in range(n_beats):
        t = b * beat
        in_bar = b % 4
        fill = (b // 4) % 4 == 3 and in_bar == 3
        if in_bar in (0, 2):
            notes.append(Note(t, 0, 0.3, 0.9, "kick"))
        if in_bar in (1, 3):
            notes.append(Note(t, 0, 0.3, 0.8, "snare"))
        for half in range(2):
            notes.append(Note(t + half * beat / 2, 0, 0.05, 0.6, "hat"))
        if fill:
            for k in range(1, 4):
                notes.append(Note(t + k * beat / 4, 0, 0.2, 0.7, "snare"))
        section = b // 16
        root = 40 + [0, 5, 3, 7][section % 4]
        notes.append(Note(t, root + [0, 0, 7, 5][in_bar], beat * 0.8, 0.8, "pluck"))
        if section % 2 == 1 and rng.random() < 0.5:
            notes.append(Note(t + beat / 2, root + 12, beat * 0.4, 0.6, "pluck"))
    return [n for n in notes if n.time_s < seconds - 0.05]


def pad(seconds: float, seed: int = 0) -> np.ndarray:
    """A slowly wandering synth tone: gliding pitch and slow swells, no note onsets."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    knots = np.linspace(0, seconds, max(3, int(seconds / 6)))
    pitch = np.interp(t, knots, 50 + np.cumsum(rng.normal(0, 2.0, len(knots))))
    phase = 2 * np.pi * np.cumsum(_hz_array(pitch)) / RATE
    out = sum(np.sin(k * phase + k) / k for k in range(1, 7))
    swell = 0.6 + 0.4 * np.sin(2 * np.pi * t / 9.0)
    return (0.3 * out * swell).astype(np.float32)


def _hz_array(pitch: np.ndarray) -> np.ndarray:
    return np.asarray(440.0 * 2 ** ((pitch - 69) / 12))


def onset_times(notes: Sequence[Note]) -> np.ndarray:
    """Sorted distinct note start times (notes starting together count once)."""
    return np.unique(np.round([n.time_s for n in notes], 4))
