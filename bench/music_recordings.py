"""The music style on real recordings: the same music as WAV, MP3, Ogg and AAC should give the same
video, and the tempo and metre found are printed for a listener to judge.

The rendered set (`bench.music_set`) knows every note, beat and bar line, but its instruments are a
soundfont's. These are real players in real rooms: librosa's example recordings (public domain or
Creative Commons; none was used to tune anything). With librosa installed and a network, they are
fetched with `librosa.ex`; on a machine without one, put the audio files in the folder by hand (the
librosa/data repository's `audio/*.hq.ogg`).

    .venv/bin/python -m bench.music_recordings [--folder DIR] [--snap …]

Per recording: its first minute is decoded to WAV and analysed; each encoding of that WAV is analysed
too, and its cut count less the WAV's and the share of the WAV's cuts within a 30 fps frame of one
there are printed (the goal: the same count on 90%, ±1 on all, within a frame on 90%). No beat or
bar is annotated in these recordings, so nothing here scores beats: the tempo a player's own notes
name, where there is one (the trumpet loop's pack says 90 bpm), is printed beside the one found.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.music_phrases import CODECS, codec_agreement
from pipeline import music as M
from pipeline.media.audio import decode_audio
from tests.conftest import transcode

SECONDS = 60  # of each recording: enough for several phrases, and a bench run of about a minute


@dataclass(frozen=True)
class Recording:
    """One of librosa's example recordings: its key for `librosa.ex`, a part of its file name, and what is known."""

    key: str
    stem_part: str
    what: str
    tempo_bpm: float | None = None


RECORDINGS = (
    Recording("brahms", "Hungarian_Dance", "Brahms, Hungarian Dance no. 5, US Army Strings (public domain)"),
    Recording("pistachio", "pistachio", "Pistachio Ice Cream Ragtime, piano, Lena Orsa (CC BY-NC)"),
    Recording("sweetwaltz", "sweet-waltz", "Sweet waltz, Setuniman (CC BY-NC)"),
    Recording("fishin", "Lets_Go_Fishin", "Let's Go Fishin', Karissa Hobbs, a band with voice (CC BY)"),
    Recording("nutcracker", "Sugar_Plum", "Dance of the Sugar Plum Fairy, Kevin MacLeod (CC BY)"),
    Recording("vibeace", "Vibe_Ace", "Vibe Ace, Kevin MacLeod, jazz (CC BY)"),
    Recording("choice", "Choice", "Choice, Admiral Bob, drums and bass only (CC BY-NC)"),
    Recording("trumpet", "trumpet", "solo trumpet loop, Mihai Sorohan (CC BY)", tempo_bpm=90.0),
)


def find_or_fetch(recording: Recording, folder: Path) -> Path | None:
    """The recording's file in `folder`, else fetched with librosa (None when neither can be had)."""
    found = sorted(p for p in folder.glob(f"*{recording.stem_part}*") if p.suffix in (".ogg", ".wav", ".flac", ".mp3"))
    if found:
        return found[0]
    try:
        import librosa  # type: ignore[import-not-found]  # optional, only to download the recordings
    except ImportError:
        return None
    try:
        return Path(librosa.ex(recording.key, hq=True))
    except Exception:  # no network: the folder is the only source
        return None


def measure(
    recording: Recording, source: Path, work: Path, settings: M.MusicSettings
) -> tuple[str, list[int], list[float]]:
    """One table row, and per codec the count difference and the share of cuts within a frame."""
    wav = work / f"{recording.key}.wav"
    if not wav.is_file():
        transcode(source, wav, "-loglevel", "error", "-t", str(SECONDS), "-ar", "44100")
    samples = decode_audio(wav).samples
    started = time.perf_counter()
    analysis, music = M.analyse_music(samples, 44_100, settings)
    seconds = time.perf_counter() - started
    cuts = analysis.inflection_times[1:-1]
    agreement = codec_agreement(cuts, wav, settings)
    found = music.rhythm
    tempo = f"{found.tempo_bpm:.0f}" if found.tempo_bpm else "none"
    known = f"{recording.tempo_bpm:.0f}" if recording.tempo_bpm else "-"
    cells = [
        recording.what,
        f"{len(samples) / 44_100:.0f}",
        f"{tempo} ({known})",
        str(found.beats_per_bar or "-"),
        str(len(cuts)),
        *(f"{difference:+d} {share:.0%}" for difference, share in agreement.values()),
        f"{seconds:.2f}",
    ]
    return "| " + " | ".join(cells) + " |", [d for d, _ in agreement.values()], [s for _, s in agreement.values()]


def main() -> None:
    """Print the table and the codec totals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default="/tmp/ganterp-recordings", help="the recordings (fetched here if missing)")
    parser.add_argument("--snap", choices=[s.value for s in M.Snap], default=None, help="default: the music style's")
    args = parser.parse_args()
    folder = Path(args.folder)
    work = folder / "encoded"
    work.mkdir(parents=True, exist_ok=True)
    settings = M.MusicSettings(snap=M.Snap(args.snap)) if args.snap else M.MusicSettings()
    print("| recording | s | tempo (known) | beats per bar | cuts | " + " | ".join(CODECS) + " | time s |")
    print("|---" * (6 + len(CODECS)) + "|")
    counts: list[int] = []
    shares: list[float] = []
    for recording in RECORDINGS:
        source = find_or_fetch(recording, folder)
        if source is None:
            print(f"| {recording.what} | (not in {folder}, and librosa could not fetch it) |")
            continue
        row, differences, within = measure(recording, source, work, settings)
        print(row)
        counts += differences
        shares += within
    if counts:
        print(
            f"\ncodecs: same count {np.mean(np.equal(counts, 0)):.0%}, within ±1 {np.mean(np.abs(counts) <= 1):.0%}, "
            f"cuts within a frame {np.mean(shares):.0%} (of {len(counts)} encodings)"
        )


if __name__ == "__main__":
    main()
