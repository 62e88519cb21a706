"""The clip library `/ganterp random` draws from when given no clip; a fresh install makes its own.

The made clips are synthesised here (tones, chords and noise bursts with clear changes), so they
are free of anyone's rights and the bot works out of the box with no download.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from scipy.io import wavfile

RATE = 22_050
MEDIA_SUFFIXES = frozenset({".wav", ".mp3", ".ogg", ".oga", ".opus", ".flac", ".m4a", ".aac", ".mp4", ".webm"})
# (name, seconds, seed, base frequency): a few moods, each long enough for several cuts.
MADE_CLIPS = (("arpeggio", 12.0, 1, 220.0), ("pulse", 10.0, 2, 110.0), ("drift", 14.0, 3, 330.0))


def library(folder: Path) -> list[Path]:
    """The media files in `folder`, sorted; made first if the folder has none."""
    clips = _media(folder)
    if not clips:
        make_clips(folder)
        clips = _media(folder)
    return clips


def pick(folder: Path, rng: random.Random) -> Path:
    """One clip of the library."""
    return rng.choice(library(folder))


def make_clips(folder: Path) -> list[Path]:
    """Write the synthesised clips into `folder` (each under a temporary name, then renamed)."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for name, seconds, seed, base in MADE_CLIPS:
        target = folder / f"{name}.wav"
        partial = folder / f".{name}.wav.partial"
        samples = np.clip(synthesise(seconds, seed, base) * 32767, -32768, 32767).astype(np.int16)
        with partial.open("wb") as handle:
            wavfile.write(handle, RATE, samples)
        partial.replace(target)
        made.append(target)
    return made


def synthesise(seconds: float, seed: int, base: float) -> np.ndarray:
    """A mono clip in [-1, 1]: a note per beat from a seeded scale, chords per bar, noise on every third bar."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE  # (n,)
    beat = (t // 0.4).astype(int)
    bar = beat // 4
    scale = np.array([0, 2, 4, 7, 9, 12, 14, 16])
    notes = base * 2 ** (scale[rng.integers(0, len(scale), size=beat.max() + 1)] / 12)
    chord_roots = base / 2 * 2 ** (rng.choice([0, 5, 7, 9], size=bar.max() + 1) / 12)
    lead = 0.35 * np.sin(2 * np.pi * notes[beat] * t) * np.exp(-3.0 * (t % 0.4))
    pad = 0.2 * sum(np.sin(2 * np.pi * chord_roots[bar] * ratio * t) for ratio in (1.0, 1.25, 1.5))
    noise = (bar % 3 == 2) * rng.normal(0.0, 0.08, size=t.shape)
    signal = lead + pad + noise
    peak = max(1e-9, float(np.abs(signal).max()))
    out: np.ndarray = (signal / peak * 0.8).astype(np.float32)
    return out


def _media(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in MEDIA_SUFFIXES)
