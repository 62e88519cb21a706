"""A set of real compositions nobody here wrote, rendered as a player would, with every note, beat, bar
line and phrase start known: what `bench.music_follow --set` measures the music style on.

    .venv/bin/python -m bench.music_set DIR        # renders the set into DIR (about a minute)

Public-domain scores from music21's corpus (it ships inside the music21 wheel): Bach chorales, whose
fermatas mark where the singers breathe (the phrase ends), on organ, strings, choir, brass, piano and
woodwinds; dance tunes from Ryan's Mammoth Collection on fiddle, flute and guitar, whose 4-bar phrases
are the tradition's; a rag with drums (fills before each 4-bar phrase); string quartets by Beethoven,
Mozart and Haydn; Schubert, Handel, Chopin, Corelli, Monteverdi and Schoenberg (no pulse). Each is
rendered through fluidsynth with a General MIDI soundfont at its own tempo, with a slow rubato
(a few percent), a ritardando into each fermata, the fermata held, and a breath after it.

The set is split once, before any tuning, into a dev part (tuned on) and a held-out part (only
measured): the `split` of each piece below. Needs the bench extra (music21), fluidsynth and
fluid-soundfont-gm (or timgm6mb-soundfont).
"""

from __future__ import annotations

import contextlib
import json
import math
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy.io import wavfile

from bench.clips import soundfont

RATE = 44_100
MAX_SCORE_S = 45.0  # long movements are cut after this much music: the set stays quick to measure
SUSTAINED_PROGRAMS = (
    set(range(16, 24)) | set(range(40, 80)) | set(range(88, 96))
)  # organs, strings, voices, winds, pads


@dataclass(frozen=True)
class Piece:
    """One rendering of a score: instruments, tempo and how freely it is played."""

    name: str
    path: str  # in music21's corpus
    programs: tuple[int, ...]  # General MIDI program per part (cycled)
    beat_bpm: float  # beats (the time signature's beat) per minute
    split: str  # "dev" (tuned on) or "held-out" (only measured)
    phrases: str = "none"  # "fermatas", "bars:N" (every N bars from the first full bar), or "none"
    rubato: float = 0.03  # depth of the slow tempo wander
    drums: bool = False
    pulsed: bool = True  # a listener taps a steady beat (not Schoenberg's op. 19)
    seed: int = 0
    accent: int = 12  # velocity added to the notes on a bar line


PIECES = (
    Piece("chorale bwv66.6 organ", "bach/bwv66.6", (19,), 80, "dev", "fermatas", seed=1),
    Piece("chorale bwv269 strings", "bach/bwv269", (48, 48, 48, 48), 72, "held-out", "fermatas", seed=2),
    Piece("chorale bwv347 choir", "bach/bwv347", (52,), 76, "dev", "fermatas", seed=3),
    Piece("chorale bwv153.1 quartet", "bach/bwv153.1", (40, 41, 42, 42), 84, "held-out", "fermatas", seed=4),
    Piece("chorale bwv86.6 reed organ", "bach/bwv86.6", (20,), 88, "held-out", "fermatas", seed=5),
    Piece("chorale bwv267 piano", "bach/bwv267", (0,), 92, "dev", "fermatas", seed=6),
    Piece("chorale bwv281 brass", "bach/bwv281", (56, 60, 57, 58), 70, "dev", "fermatas", seed=7),
    Piece("chorale bwv40.8 winds", "bach/bwv40.8", (73, 68, 71, 70), 78, "held-out", "fermatas", seed=8),
    Piece("reel fiddle+guitar", "ryansMammoth/AcaciaReel", (110, 25), 112, "dev", "bars:4", seed=9),
    Piece("jig flute", "ryansMammoth/BlackSheepJig", (73,), 116, "held-out", "bars:4", seed=10),
    Piece(
        "hornpipe fiddle+drums", "ryansMammoth/AcrobatsHornpipe", (110,), 104, "held-out", "bars:4", drums=True, seed=11
    ),
    Piece("strathspey guitar", "ryansMammoth/42dHighlandRegimentStrathspey", (25,), 80, "dev", "bars:4", seed=12),
    Piece("rag piano+drums", "joplin/maple_leaf_rag", (0,), 100, "dev", "bars:4", drums=True, rubato=0.01, seed=13),
    Piece("beethoven op18/1 quartet", "beethoven/opus18no1/movement1", (40, 40, 41, 42), 152, "held-out", seed=14),
    Piece("mozart k155 quartet", "mozart/k155/movement1", (40, 40, 41, 42), 126, "dev", seed=15),
    Piece("haydn op74/1 strings", "haydn/opus74no1/movement1", (48, 48, 48, 48), 132, "held-out", seed=16),
    Piece("schubert lindenbaum", "schubert/Lindenbaum", (68, 0, 0), 66, "held-out", seed=17),
    Piece("handel lascia oboe+strings", "handel/rinaldo/Lascia_chio_pianga", (68, 48, 48), 60, "dev", seed=18),
    Piece("chopin mazurka piano", "chopin/mazurka06-2", (0,), 132, "dev", rubato=0.07, seed=19),
    Piece("corelli grave organ", "corelli/opus3no1/1grave", (19, 19, 19, 19), 56, "held-out", seed=20),
    Piece("monteverdi madrigal choir", "monteverdi/madrigal.3.1", (52,), 72, "dev", seed=21),
    Piece("schoenberg op19/2 piano", "schoenberg/opus19/movement2", (0,), 60, "held-out", pulsed=False, seed=22),
    # Added after the first round, to the dev split only: more of the kinds of music whose beat the
    # tracker missed (compound metre, where the beat is a dotted quarter over running 8th notes; fast
    # triple metre, whose bar can pass for the beat; string quartets), from pieces in neither split.
    Piece("jig fiddle", "ryansMammoth/BattleTheCashJig", (110,), 112, "dev", "bars:4", seed=23),
    Piece("jig whistle+guitar", "ryansMammoth/CherishTheLadiesJig", (78, 25), 120, "dev", "bars:4", seed=24),
    Piece("slip jig accordion", "ryansMammoth/BarneysGoatJig", (21,), 108, "dev", "bars:4", seed=25),
    Piece("mozart k458 hunt quartet", "mozart/k458/movement1", (40, 40, 41, 42), 100, "dev", seed=26),
    Piece("haydn op1/1 presto quartet", "haydn/opus1no1/movement1", (40, 40, 41, 42), 116, "dev", seed=27),
    Piece(
        "schumann op41/1 scherzo strings", "schumann_robert/opus41no1/movement2", (48, 48, 48, 48), 132, "dev", seed=28
    ),
    Piece("haydn op1/1 menuetto quartet", "haydn/opus1no1/movement2", (40, 40, 41, 42), 160, "dev", seed=29),
    Piece("mozart k458 menuetto strings", "mozart/k458/movement2", (48, 48, 48, 48), 150, "dev", seed=30),
)


@dataclass(frozen=True)
class Truth:
    """What is known of one rendered clip (times in seconds)."""

    name: str
    split: str
    wav: str
    onsets: list[float]
    beats: list[float]
    downbeats: list[float]
    phrases: list[float] | None  # interior phrase starts, where the score marks them
    tempo_bpm: float | None  # mean beats per minute, None when unpulsed
    sustained: bool  # every instrument holds its notes (organ, strings, voices, winds)
    seconds: float


@dataclass(frozen=True)
class _Note:
    start_q: float
    end_q: float
    pitch: int
    part: int
    fermata: bool


def _score_notes(score: object) -> list[_Note]:
    from music21 import expressions

    notes: list[_Note] = []
    for part_index, part in enumerate(score.parts):  # type: ignore[attr-defined]
        for element in part.stripTies().flatten().notes:
            start = float(element.offset)
            end = start + float(element.quarterLength)
            if end <= start:
                continue  # grace notes
            fermata = any(isinstance(e, expressions.Fermata) for e in element.expressions)
            for pitch in element.pitches:
                notes.append(_Note(start, end, int(pitch.midi), part_index, fermata))
    return notes


def _bars(score: object) -> tuple[list[float], float, float]:
    """(downbeat offsets in quarters, bar length, beat length) from the first part's measures."""
    part = score.parts[0]  # type: ignore[attr-defined]
    signature = part.recurse().getElementsByClass("TimeSignature").first()
    bar_q = float(signature.barDuration.quarterLength) if signature else 4.0
    beat_q = float(signature.beatDuration.quarterLength) if signature else 1.0
    downbeats: list[float] = []
    previous_short = False
    for index, measure in enumerate(part.getElementsByClass("Measure")):
        length = float(measure.duration.quarterLength)
        short = length < bar_q - 1e-6
        pickup = short and (index == 0 or previous_short)
        if not pickup:
            downbeats.append(float(measure.offset))
        previous_short = short and not pickup
    return downbeats, bar_q, beat_q


class _TimeMap:
    """Score quarters to seconds: a tempo that wanders, slows into fermatas, holds them and breathes after."""

    def __init__(self, quarter_s: float, rubato: float, bar_q: float, stops: list[float], seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.step = 1 / 48
        end_q = (max(stops) if stops else 0.0) + 10_000 * self.step
        grid = np.arange(0, end_q + self.step, self.step)
        phases = rng.uniform(0, 2 * math.pi, 2)
        wander = 0.6 * np.sin(2 * math.pi * grid / (8 * bar_q) + phases[0]) + 0.4 * np.sin(
            2 * math.pi * grid / (3 * bar_q) + phases[1]
        )
        seconds_per_q = quarter_s / (1 + rubato * wander)
        self.extra: list[tuple[float, float, float]] = []  # (quarter, hold s, breath s)
        for stop in stops:  # slow by up to 30% over the two quarters before a fermata's end
            ramp = np.clip(1 - (stop - grid) / 2.0, 0, 1) * (grid < stop)
            seconds_per_q *= 1 + 0.3 * ramp
            self.extra.append((stop, 0.9 * quarter_s, float(rng.uniform(0.2, 0.4))))
        self.cumulative = np.concatenate([[0.0], np.cumsum(seconds_per_q) * self.step])
        self.grid = np.concatenate([grid, [grid[-1] + self.step]])

    def __call__(self, q: float, releasing: bool = False) -> float:
        """Seconds at quarter q; a note `releasing` at a fermata sounds through the hold, not the breath."""
        t = float(np.interp(q, self.grid, self.cumulative))
        for stop, hold, breath in self.extra:
            if q > stop + 1e-6 or (q >= stop - 1e-6 and not releasing):
                t += hold + breath
            elif releasing and abs(q - stop) < 1e-6:
                t += hold
        return t


def _vlq(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _write_midi(events: Iterable[tuple[float, int, int, int, float]], programs: dict[int, int], path: Path) -> None:
    """Format-0 MIDI of (start s, channel, key, velocity, length s), 1 tick = 1/960 s."""
    messages: list[tuple[int, int, bytes]] = []
    for start, channel, key, velocity, length in events:
        on, off = round(start * 960), round((start + max(length, 0.03)) * 960)
        messages.append((on, 1, bytes([0x90 | channel, key, velocity])))
        messages.append((off, 0, bytes([0x80 | channel, key, 0])))
    track = b"\x00\xff\x51\x03" + (500_000).to_bytes(3, "big")
    for channel, program in programs.items():
        track += b"\x00" + bytes([0xC0 | channel, program])
    last = 0
    for tick, _, message in sorted(messages):
        track += _vlq(tick - last) + message
        last = tick
    track += b"\x00\xff\x2f\x00"
    header = (
        b"MThd" + (6).to_bytes(4, "big") + (0).to_bytes(2, "big") + (1).to_bytes(2, "big") + (480).to_bytes(2, "big")
    )
    path.write_bytes(header + b"MTrk" + len(track).to_bytes(4, "big") + track)


def _drums(
    downbeats_q: list[float], bar_q: float, beat_q: float, end_q: float, phrase_bars: int
) -> list[tuple[float, int, float]]:
    """(quarter, key, velocity 0..1): kick, snare and hat, a snare fill before each phrase, a crash on it."""
    hits: list[tuple[float, int, float]] = []
    for index, bar in enumerate(downbeats_q):
        if bar >= end_q:
            break
        beats = max(1, round(bar_q / beat_q))
        fill = (index + 1) % phrase_bars == 0
        for k in range(beats):
            at = bar + k * beat_q
            hits.append((at, 36 if k % 2 == 0 else 38, 0.9 if k == 0 else 0.7))
            hits.append((at + beat_q / 2, 42, 0.45))
            hits.append((at, 42, 0.5))
        if fill:
            last = bar + (beats - 1) * beat_q
            hits += [(last + j * beat_q / 4, 38, 0.6 + 0.1 * j) for j in range(4)]
        if index % phrase_bars == 0:
            hits.append((bar, 49, 0.8))
    return hits


def render(piece: Piece, folder: Path, font: Path | None = None) -> Truth:
    """Render one piece to DIR/<name>.wav and return what is known of it (`font`: the first one installed)."""
    from music21 import corpus

    score = corpus.parse(piece.path)
    if piece.path.startswith("ryansMammoth"):
        # A tune whose repeats music21 cannot expand is played once through.
        with contextlib.suppress(Exception):
            score = score.expandRepeats()
    notes = _score_notes(score)
    downbeats_q, bar_q, beat_q = _bars(score)
    quarter_s = 60.0 / piece.beat_bpm * (1 / beat_q)  # seconds per quarter
    stops = sorted({n.end_q for n in notes if n.fermata}) if piece.phrases == "fermatas" else []
    last_q = max(n.end_q for n in notes)
    stops = [s for s in stops if s < last_q - 1e-6]
    when = _TimeMap(quarter_s, piece.rubato, bar_q, stops, piece.seed)
    rng = np.random.default_rng(piece.seed)
    keep_q = max((q for q in np.arange(0, last_q, beat_q) if when(float(q)) <= MAX_SCORE_S), default=last_q)
    end_q = min(last_q, float(keep_q) if when(last_q) > MAX_SCORE_S + 5 else last_q)
    notes = [n for n in notes if n.start_q < end_q]
    downbeats_q = [d for d in downbeats_q if d < end_q]
    programs = {}
    events = []
    downbeat_set = {round(d * 48) for d in downbeats_q}
    for note in notes:
        channel = note.part if note.part < 9 else note.part + 1
        programs[channel] = piece.programs[note.part % len(piece.programs)]
        accent = piece.accent if round(note.start_q * 48) in downbeat_set else 0
        velocity = int(np.clip(72 + accent + rng.normal(0, 6), 30, 120))
        start = when(note.start_q)
        end = when(min(note.end_q, end_q), releasing=True) - 0.02
        events.append((start, channel, note.pitch, velocity, end - start))
    phrase_bars = int(piece.phrases.split(":")[1]) if piece.phrases.startswith("bars:") else 4
    if piece.drums:
        for q, key, level in _drums(downbeats_q, bar_q, beat_q, end_q, phrase_bars):
            events.append((when(q), 9, key, int(level * 110), 0.1))
    # Beats: the grid of the time signature's beat, anchored at each bar line.
    beats_q = sorted({round(d + k * beat_q, 6) for d in downbeats_q for k in range(max(1, round(bar_q / beat_q)))})
    first_note_q = min(n.start_q for n in notes)
    if downbeats_q and downbeats_q[0] > first_note_q:  # the pickup's beats
        beats_q = [
            downbeats_q[0] - k * beat_q for k in range(1, 8) if downbeats_q[0] - k * beat_q >= first_note_q - 1e-6
        ][::-1] + beats_q
    beats_q = [b for b in beats_q if b < end_q]
    onsets = sorted({round(when(n.start_q), 4) for n in notes})
    if piece.phrases == "fermatas":
        starts_q = [min((n.start_q for n in notes if n.start_q >= stop - 1e-6), default=math.inf) for stop in stops]
        phrases: list[float] | None = [when(q) for q in starts_q if q < end_q]
    elif piece.phrases.startswith("bars:"):
        phrases = [when(d) for i, d in enumerate(downbeats_q) if i % phrase_bars == 0 and i > 0]
    else:
        phrases = None
    seconds = max(e[0] + e[4] for e in events) + 1.5
    wav = folder / f"{slug(piece.name)}.wav"
    _synthesise(events, programs, wav, seconds, font)
    tempo = 60.0 / float(np.median(np.diff([when(b) for b in beats_q]))) if piece.pulsed and len(beats_q) > 2 else None
    sustained = all(p in SUSTAINED_PROGRAMS for p in piece.programs) and not piece.drums
    return Truth(
        name=piece.name,
        split=piece.split,
        wav=wav.name,
        onsets=onsets,
        beats=[round(when(b), 4) for b in beats_q] if piece.pulsed else [],
        downbeats=[round(when(d), 4) for d in downbeats_q] if piece.pulsed else [],
        phrases=phrases,
        tempo_bpm=tempo,
        sustained=sustained,
        seconds=seconds,
    )


def _synthesise(
    events: list[tuple[float, int, int, int, float]],
    programs: dict[int, int],
    wav: Path,
    seconds: float,
    font: Path | None = None,
) -> None:
    font = font or soundfont()
    if font is None:
        raise SystemExit(
            "the set needs fluidsynth and a General MIDI soundfont (apt-get install fluidsynth fluid-soundfont-gm)"
        )
    midi = wav.with_suffix(".mid")
    programs = {**programs, 9: 0}
    _write_midi(events, programs, midi)
    raw = wav.with_suffix(".raw.wav")
    subprocess.run(
        ["fluidsynth", "-ni", "-q", "-g", "0.6", "-r", str(RATE), "-F", str(raw), str(font), str(midi)],
        check=True,
        capture_output=True,
        timeout=300,  # a score fluidsynth chokes on (thousands of held notes) is given up, not waited for
    )
    _, data = wavfile.read(raw)
    stereo = data.astype(np.float64)
    stereo = np.pad(stereo, ((0, max(0, int(seconds * RATE) - len(stereo))), (0, 0)))[: int(seconds * RATE)]
    peak = np.abs(stereo).max() or 1.0
    wavfile.write(wav, RATE, (stereo / peak * 0.8 * 32767).astype(np.int16))
    raw.unlink()
    midi.unlink()


def slug(name: str) -> str:
    """The file name (without suffix) of a piece's rendering."""
    return "".join(c if c.isalnum() else "-" for c in name.lower())


def build(folder: Path, pieces: Iterable[Piece] = PIECES) -> list[Truth]:
    """Render every piece into `folder` (reusing a render whose truth file is there) and return the truths."""
    folder.mkdir(parents=True, exist_ok=True)
    truths = []
    for piece in pieces:
        record = folder / f"{slug(piece.name)}.json"
        if record.is_file() and (folder / f"{slug(piece.name)}.wav").is_file():
            truths.append(Truth(**json.loads(record.read_text())))
            continue
        truth = render(piece, folder)
        record.write_text(json.dumps(asdict(truth)))
        truths.append(truth)
    return truths


def main() -> None:
    """Render the set into the folder given."""
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "music-set")
    for truth in build(folder):
        print(
            f"{truth.split:8} {truth.name:30} {truth.seconds:5.1f} s, {len(truth.onsets)} onsets, "
            f"{len(truth.beats)} beats, {len(truth.downbeats)} bars, "
            f"{'-' if truth.phrases is None else len(truth.phrases)} phrases, tempo {truth.tempo_bpm or 0:.0f}"
        )


if __name__ == "__main__":
    main()
