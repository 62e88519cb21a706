"""How well --lyrics hears known words and puts their classes where they are heard.

    .venv/bin/python -m bench.lyrics [--quick] [--model bundled|base.en|FOLDER] [--keep DIR]

Clips: espeak-ng reading three phrases (each placed at a known second), alone and over the
synthesised music of tests/synth.py at 10, 5 and 0 dB speech-to-music; the same phrases "sung"
(each word held on a note of a melody, espeak-ng's pitch per word); and music without a voice.
For each condition it prints the word error rate against the text, the error of the phrase
start times (the first word heard against the first voiced sample), the share of phrases whose
segment shows the word the chooser picks from the true text (segment hits), the words invented on
music alone, and the time to hear a second of audio. Needs espeak-ng (apt-get install espeak-ng).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.lyrics_clips import KnownClip, Phrase, has_espeak, make_clip, music
from pipeline.media.audio import decode_audio
from pipeline.render import RenderOptions, prepare
from pipeline.words.heard import HeardWord, Hearing, ModelChoice, WhisperListener
from pipeline.words.lyrics import heard_classes
from tests.synth import RATE

TEXTS = (
    ("Look at the banana.", "A big volcano.", "My red umbrella."),
    ("The cat sat by the window.", "A train goes over the bridge.", "She plays the violin."),
    ("I saw a shark in the sea.", "We ate pizza on the beach.", "There is a candle on the table."),
    ("The dog barks at the mailbox.", "A tiger sleeps in the grass.", "He reads a book by the lighthouse."),
    ("A golden retriever on the sofa.", "The airship flies over the castle.", "Give me a cup of coffee."),
)
PHRASE_STARTS = (0.5, 4.5, 8.5)
CLIP_S = 12.0
SEGMENT_S = 4.0
CONDITIONS = (
    ("spoken", False, None),
    ("spoken", False, 10.0),
    ("spoken", False, 5.0),
    ("spoken", False, 0.0),
    ("sung", True, None),
    ("sung", True, 10.0),
    ("sung", True, 5.0),
)
VOICED = 0.02  # a sample above this (of a peak of 0.5) is the voice starting


@dataclass
class Tally:
    """Counts over the clips of one condition."""

    errors: int = 0
    reference_words: int = 0
    start_errors: list[float] = field(default_factory=list)
    hits: int = 0
    phrases: int = 0
    seconds: float = 0.0
    audio_s: float = 0.0

    def line(self, name: str) -> str:
        """One row of the table."""
        wer = self.errors / max(1, self.reference_words)
        start = statistics.mean(self.start_errors) if self.start_errors else float("nan")
        return (
            f"{name:<22} WER {wer * 100:5.1f}%   start error {start:5.2f} s   "
            f"segment hits {self.hits}/{self.phrases}   {self.seconds / max(self.audio_s, 1e-9):.3f} s per s of audio"
        )


def words_of(text: str) -> list[str]:
    """Lower-cased words without punctuation."""
    return [w for w in (t.strip(".,!?;:\"'").lower() for t in text.split()) if w]


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """Word-level Levenshtein distance."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp in enumerate(hypothesis, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp))
        previous = current
    return previous[-1]


def voice_onsets(clip: KnownClip, folder: Path) -> list[float]:
    """The first voiced sample of each phrase, from the voice alone (the same synthesis, no music)."""
    alone = make_clip(folder / "voice-only.wav", clip.phrases, clip.seconds, snr_db=None, sung=clip.sung)
    samples = decode_audio(Path(alone.path)).samples
    onsets = []
    for phrase in clip.phrases:
        first = int(phrase.start_s * RATE)
        voiced = np.flatnonzero(np.abs(samples[first : first + 3 * RATE]) > VOICED * np.abs(samples).max())
        onsets.append(phrase.start_s + (voiced[0] / RATE if len(voiced) else 0.0))
    return onsets


def oracle_word(phrase: Phrase, seed: int) -> str | None:
    """The word the chooser picks from the phrase's true words (what a perfect recogniser would give)."""
    said = [HeardWord(f" {w}", i * 0.3, i * 0.3 + 0.25, 1.0) for i, w in enumerate(words_of(phrase.text))]
    found = heard_classes(said, seed, safe_only=True)
    return max(found, key=lambda h: h.score).word if found else None


def measure(clip: KnownClip, listener: WhisperListener, tally: Tally, folder: Path, seed: int = 1) -> None:
    """Hear one clip and add its errors to the tally."""
    audio = decode_audio(Path(clip.path))
    started = time.perf_counter()
    hearing = listener.hear(audio.samples, audio.sample_rate)
    tally.seconds += time.perf_counter() - started
    tally.audio_s += audio.duration_s
    tally.errors += edit_distance(clip.words, [w.word for w in hearing.words])
    tally.reference_words += len(clip.words)
    for phrase, onset in zip(clip.phrases, voice_onsets(clip, folder), strict=True):
        after = [w for w in hearing.words if phrase.start_s - 0.5 <= w.start_s < phrase.start_s + 3.5]
        if after:
            tally.start_errors.append(abs(after[0].start_s - onset))
    options = RenderOptions(seed=seed, segment_seconds=SEGMENT_S, lyrics=True, safe_random=True)
    prepared = prepare(Path(clip.path), options, listener=_Replay(hearing))
    for phrase in clip.phrases:
        expected = oracle_word(phrase, seed)
        if expected is None:
            continue
        tally.phrases += 1
        end = phrase.start_s + 3.0
        shown = [s for s in prepared.plan.segments if s.start_s < end and s.end_s > phrase.start_s and s.heard]
        tally.hits += any(s.heard is not None and s.heard.word == expected for s in shown)


@dataclass(frozen=True)
class _Replay:
    """The hearing already made, handed to prepare (the clip is heard once per measurement)."""

    hearing: Hearing

    def hear(self, samples: np.ndarray, sample_rate: int) -> Hearing:
        return self.hearing


def invented_words(listener: WhisperListener, seeds: range) -> tuple[int, float]:
    """Words heard in music without a voice, over `seeds` clips, and the seconds of music."""
    words = 0
    for seed in seeds:
        hearing = listener.hear(music(CLIP_S, seed=seed).astype(np.float32), RATE)
        words += len(hearing.words)
    return words, CLIP_S * len(seeds)


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="two texts and four conditions")
    parser.add_argument("--model", default="bundled", help="bundled, a faster-whisper model name, or a folder")
    parser.add_argument("--keep", type=Path, help="keep the clips in this folder")
    args = parser.parse_args()
    if not has_espeak():
        raise SystemExit("bench.lyrics needs espeak-ng: apt-get install espeak-ng")
    listener = WhisperListener(ModelChoice(args.model, Path(tempfile.gettempdir()) / "ganterp-bench-cache"))
    started = time.perf_counter()
    listener.load()
    print(f"model {listener.name}: loaded in {time.perf_counter() - started:.1f} s")
    texts = TEXTS[:2] if args.quick else TEXTS
    conditions = CONDITIONS[::2] if args.quick else CONDITIONS
    with tempfile.TemporaryDirectory(prefix="ganterp-lyrics-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for kind, sung, snr in conditions:
            tally = Tally()
            for number, text in enumerate(texts):
                phrases = tuple(Phrase(start, line) for start, line in zip(PHRASE_STARTS, text, strict=True))
                name = f"{kind}-{'clean' if snr is None else f'{snr:g}dB'}-{number}.wav"
                clip = make_clip(folder / name, phrases, CLIP_S, snr_db=snr, sung=sung, seed=number)
                measure(clip, listener, tally, folder)
            print(tally.line(f"{kind}, {'no music' if snr is None else f'{snr:g} dB SNR'}"))
        invented, seconds = invented_words(listener, range(3 if args.quick else 6))
        print(f"music without a voice: {invented} words invented in {seconds:.0f} s")
    print(f"choosing among 1500 words heard (10 minutes of song): {choosing_s():.2f} s")


def choosing_s(n_words: int = 1500) -> float:
    """Seconds the chooser takes over a long song's words (each text's words, repeated, as a chorus would)."""
    vocabulary = [w for text in TEXTS for line in text for w in words_of(line)] + ["yeah", "tonight", "forever"]
    said = [HeardWord(f" {vocabulary[i * 7 % len(vocabulary)]}", i * 0.4, i * 0.4 + 0.3, 0.9) for i in range(n_words)]
    started = time.perf_counter()
    heard_classes(said, seed=1, safe_only=True)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
