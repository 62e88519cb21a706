"""Clips for the benchmarks: numpy-synthesised music, General MIDI music through fluidsynth, and speech.

fluidsynth (with Debian's small `timgm6mb-soundfont`) and espeak-ng are optional: clips that need a
missing tool are skipped with a note. MIDI files are written here by hand (format 0, a few events).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.io import wavfile

from tests.synth import RATE, Note, drum_groove, onset_times, pad, piano_piece, render_notes

SOUNDFONTS = (Path("/usr/share/sounds/sf2/TimGM6mb.sf2"), Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"))
_DRUM_KEYS = {"kick": 36, "snare": 38, "hat": 42}
_PROGRAMS = {"piano": 0, "pluck": 33}  # acoustic grand; finger bass


@dataclass(frozen=True)
class Clip:
    """A WAV on disk and, where known, the times its notes start."""

    name: str
    path: Path
    onsets: np.ndarray | None  # seconds; None for speech and glides


def _vlq(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def write_midi(notes: Sequence[Note], path: Path, programs: dict[str, int] | None = None) -> Path:
    """A format-0 MIDI file at 120 bpm (tick = 1/960 s) with one channel per instrument."""
    programs = programs or _PROGRAMS
    ticks_per_beat, per_second = 480, 960
    channels = {"piano": 0, "pluck": 1, "kick": 9, "snare": 9, "hat": 9}
    events: list[tuple[int, int, bytes]] = []  # (tick, order, message); note-offs sort first
    for note in notes:
        channel = channels[note.instrument]
        key = _DRUM_KEYS.get(note.instrument, note.pitch)
        velocity = max(1, min(127, int(note.velocity * 127)))
        on, off = round(note.time_s * per_second), round((note.time_s + note.duration_s) * per_second)
        events.append((on, 1, bytes([0x90 | channel, key, velocity])))
        events.append((off, 0, bytes([0x80 | channel, key, 0])))
    head = b"\x00\xff\x51\x03" + (500_000).to_bytes(3, "big")  # 120 bpm: 480 ticks = 0.5 s
    for instrument, channel in (("piano", 0), ("pluck", 1)):
        head += b"\x00" + bytes([0xC0 | channel, programs.get(instrument, 0)])
    body, last = b"", 0
    for tick, _, message in sorted(events):
        body += _vlq(tick - last) + message
        last = tick
    track = head + body + b"\x00\xff\x2f\x00"
    header = b"MThd" + (6).to_bytes(4, "big") + (0).to_bytes(2, "big") + (1).to_bytes(2, "big")
    path.write_bytes(header + ticks_per_beat.to_bytes(2, "big") + b"MTrk" + len(track).to_bytes(4, "big") + track)
    return path


def soundfont() -> Path | None:
    """The first General MIDI soundfont installed, if fluidsynth is there too."""
    if shutil.which("fluidsynth") is None:
        return None
    return next((sf for sf in SOUNDFONTS if sf.is_file()), None)


def fluidsynth_wav(notes: Sequence[Note], path: Path, seconds: float, programs: dict[str, int] | None = None) -> Path:
    """Render notes with fluidsynth to a mono 44.1 kHz WAV of exactly `seconds`."""
    font = soundfont()
    assert font is not None
    midi = write_midi(notes, path.with_suffix(".mid"), programs)
    raw = path.with_suffix(".raw.wav")
    subprocess.run(
        ["fluidsynth", "-ni", "-q", "-g", "0.8", "-r", str(RATE), "-F", str(raw), str(font), str(midi)],
        check=True,
        capture_output=True,
    )
    _, data = wavfile.read(raw)
    mono = data.astype(np.float64).mean(axis=1) if data.ndim == 2 else data.astype(np.float64)
    mono = np.pad(mono, (0, max(0, int(seconds * RATE) - len(mono))))[: int(seconds * RATE)]
    return _write(path, mono / (np.abs(mono).max() or 1.0) * 0.8)


def _write(path: Path, mono: np.ndarray) -> Path:
    wavfile.write(path, RATE, (np.clip(mono, -1, 1) * 32767).astype(np.int16))
    return path


def speech_wav(path: Path) -> Path | None:
    """About 8.5 s of espeak-ng speech, or None without espeak-ng."""
    if shutil.which("espeak-ng") is None:
        return None
    text = (
        "Music videos from a neural network. The sound draws a path through the space of pictures, "
        "and every change in the sound becomes a change in the picture."
    )
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(raw), text], check=True, capture_output=True)
    rate, data = wavfile.read(raw)
    resampled = np.interp(np.arange(0, len(data), rate / RATE), np.arange(len(data)), data.astype(np.float64))
    return _write(path, resampled / np.abs(resampled).max() * 0.8)


def make_clips(folder: Path) -> tuple[list[Clip], list[str]]:
    """Every benchmark clip that the installed tools can make, and notes about those skipped."""
    clips: list[Clip] = []
    skipped: list[str] = []
    synthesised = {
        "numpy piano 40 s": (piano_piece(40, 96, seed=1), 40.0),
        "numpy piano+rests 40 s": (piano_piece(40, 96, seed=1, rest_every=3), 40.0),
        "numpy groove 60 s": (drum_groove(60, 120, seed=2), 60.0),
    }
    for name, (notes, seconds) in synthesised.items():
        path = _write(folder / f"{_slug(name)}.wav", render_notes(notes, seconds, seed=3).astype(np.float64))
        clips.append(Clip(name, path, onset_times(notes)))
    clips.append(Clip("numpy glide 30 s", _write(folder / "glide.wav", pad(30.0, seed=4).astype(np.float64)), None))
    if soundfont() is None:
        skipped.append("fluidsynth clips (apt-get install fluidsynth timgm6mb-soundfont)")
    else:
        pieces = {
            "GM piano 40 s": (piano_piece(40, 96, seed=5), 40.0, None),
            "GM piano 12 s": (piano_piece(12, 96, seed=5), 12.0, None),
            "GM piano+rests 40 s": (piano_piece(40, 96, seed=5, rest_every=3), 40.0, None),
            "GM band 60 s": (drum_groove(60, 120, seed=6) + _chords(60, 120), 60.0, None),
            "GM guitar 30 s": (piano_piece(30, 72, seed=7), 30.0, {"piano": 24}),
            "GM strings 30 s": (_slow_chords(30), 30.0, {"piano": 49}),
            "GM piano 120 s": (piano_piece(120, 110, seed=8), 120.0, None),
        }
        for name, (notes, seconds, programs) in pieces.items():
            path = fluidsynth_wav(notes, folder / f"{_slug(name)}.wav", seconds, programs)
            clips.append(Clip(name, path, onset_times(notes) if name != "GM strings 30 s" else None))
    speech = speech_wav(folder / "speech.wav")
    if speech is None:
        skipped.append("speech (apt-get install espeak-ng)")
    else:
        clips.append(Clip("speech", speech, None))
    return clips, skipped


def _chords(seconds: float, bpm: float) -> list[Note]:
    """Piano chords on the first and third beat of each bar, for the band clip."""
    beat = 60 / bpm
    notes = []
    for b in range(0, int(seconds / beat), 2):
        root = 52 + [0, 5, 3, 7][(b // 16) % 4]
        notes += [Note(b * beat, root + i, beat * 1.8, 0.55) for i in (0, 4, 7)]
    return notes


def _slow_chords(seconds: float) -> list[Note]:
    """Held string chords changing every 5 s: few, soft onsets."""
    notes = []
    for k, t in enumerate(np.arange(0, seconds - 1, 5.0)):
        root = 55 + [0, -3, 5, 2, -5, 0][k % 6]
        notes += [Note(float(t), root + i, 4.9, 0.6) for i in (0, 4, 7, 12)]
    return notes


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower())
