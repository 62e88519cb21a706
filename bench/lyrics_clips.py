"""Clips with known words for --lyrics: espeak-ng speech or "singing" (each word held on a note of a
melody) over the synthesised music of tests/synth.py, mixed at a chosen speech-to-music ratio.

Each clip comes with the words spoken and when each phrase starts, so word accuracy and whether a
word's class lands in the segment where it is heard can be measured. Needs espeak-ng.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
from scipy import signal
from scipy.io import wavfile

from tests.synth import RATE, drum_groove, piano_piece, render_notes

# A melody for the sung clips, as espeak-ng pitch values (0-99, its default voice sits near 50).
MELODY = (40, 48, 55, 60, 55, 48, 52, 62, 70, 62, 52, 45)


@dataclass(frozen=True)
class Phrase:
    """Words said starting at a time."""

    start_s: float
    text: str


@dataclass(frozen=True)
class KnownClip:
    """A clip written to `path`, its phrases, and how it was made."""

    path: str
    phrases: tuple[Phrase, ...]
    seconds: float
    snr_db: float | None  # speech over music; None: no music
    sung: bool

    @property
    def words(self) -> list[str]:
        """Every word spoken, in order, lower-cased without punctuation."""
        return [w.strip(".,!?;:").lower() for p in self.phrases for w in p.text.split()]


def has_espeak() -> bool:
    """Whether espeak-ng is installed."""
    return shutil.which("espeak-ng") is not None


def speak(text: str, folder: Path, *, sung: bool = False, speed: int = 135, voice: str = "en-us") -> np.ndarray:
    """espeak-ng saying (or, sung, holding each word on the next note of MELODY) `text`, at 44.1 kHz."""
    raw = folder / f".speech-{abs(hash((text, sung, speed, voice)))}.wav"
    if sung:
        words = text.split()
        notes = [MELODY[i % len(MELODY)] for i in range(len(words))]
        held = [f'<prosody pitch="{n}" rate="x-slow">{escape(w)}</prosody>' for w, n in zip(words, notes, strict=True)]
        ssml = "<speak>" + " ".join(held) + "</speak>"
        command = ["espeak-ng", "-m", "-v", voice, "-s", str(speed), "-w", str(raw), ssml]
    else:
        command = ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text]
    subprocess.run(command, check=True, capture_output=True)
    rate, data = wavfile.read(raw)
    raw.unlink()
    samples = data.astype(np.float64) / 32768.0
    divisor = np.gcd(rate, RATE)
    return np.asarray(signal.resample_poly(samples, RATE // divisor, rate // divisor))


def music(seconds: float, seed: int = 0) -> np.ndarray:
    """A piano piece over a drum groove, peak 0.7."""
    notes = piano_piece(seconds, 96, seed=seed) + drum_groove(seconds, 96, seed=seed)
    return render_notes(notes, seconds, seed=seed).astype(np.float64)


def _rms(samples: np.ndarray) -> float:
    voiced = samples[np.abs(samples) > 1e-4]
    return float(np.sqrt(np.mean(voiced**2))) if len(voiced) else 0.0


def make_clip(
    path: Path, phrases: tuple[Phrase, ...], seconds: float, *, snr_db: float | None, sung: bool = False, seed: int = 0
) -> KnownClip:
    """Speech (or singing) placed at each phrase's start over music at `snr_db`, as a 16-bit WAV."""
    voice = np.zeros(int(seconds * RATE))
    for phrase in phrases:
        said = speak(phrase.text, path.parent, sung=sung)
        first = int(phrase.start_s * RATE)
        voice[first : first + len(said)] += said[: len(voice) - first]
    mixed = voice / max(np.abs(voice).max(), 1e-9) * 0.5
    if snr_db is not None:
        bed = music(seconds, seed)
        bed *= _rms(mixed) / max(_rms(bed), 1e-9) / 10 ** (snr_db / 20)
        mixed = mixed + bed
    mixed = mixed / max(np.abs(mixed).max(), 1e-9) * 0.9
    wavfile.write(path, RATE, np.clip(mixed * 32767, -32768, 32767).astype(np.int16))
    return KnownClip(str(path), phrases, seconds, snr_db, sung)


def write_manifest(clip: KnownClip, path: Path) -> None:
    """The clip's phrases and making as JSON beside it."""
    record = asdict(clip) | {"path": Path(clip.path).name}
    path.write_text(json.dumps(record, indent=2) + "\n")


def read_manifest(path: Path) -> KnownClip:
    """A clip described by write_manifest, its path beside the manifest."""
    record = json.loads(path.read_text())
    phrases = tuple(Phrase(p["start_s"], p["text"]) for p in record["phrases"])
    return KnownClip(str(path.parent / record["path"]), phrases, record["seconds"], record["snr_db"], record["sung"])
