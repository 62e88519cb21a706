"""Train the beat and bar-line network (`pipeline/data/beat_network.npz`) on public-domain scores.

    .venv/bin/python scripts/train_beat_network.py render DIR   # about 15 minutes on 2 cores
    .venv/bin/python scripts/train_beat_network.py train DIR    # about 10 minutes; writes the weights

Why our own: madmom's trained models are CC BY-NC-SA (non-commercial) and Beat This's checkpoints
come from a model hub at run time. This one learns from scores in music21's corpus (public domain,
shipped inside the music21 wheel), rendered as `bench.music_set` renders its clips, but with other
soundfonts (TimGM6mb and MuseScore General, never FluidR3, which the bench's set is played on),
random instruments, tempos, rubato and accents, and none of the bench's pieces: what the bench
measures stays unseen, in its scores and in its sound.

Needs the bench extra (music21, torch), fluidsynth, timgm6mb-soundfont and
musescore-general-soundfont-small.
"""

from __future__ import annotations

import json
import math
import sys
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
from torch import nn

from bench.music_set import PIECES, RATE, Piece, Truth, render, slug
from pipeline.media.audio import decode_audio
from pipeline.music.beat_network import N_INPUTS, frames_at, network_input
from pipeline.music.features import features
from pipeline.music.harmony import harmony

FONTS = (Path("/usr/share/sounds/sf2/TimGM6mb.sf2"), Path("/usr/share/sounds/sf3/MuseScore_General.sf3"))
# How many scores of each corpus collection, and the beat tempos they are played at.
COLLECTIONS = {
    "bach": (90, (60, 100)),
    "ryansMammoth": (130, (80, 130)),
    "palestrina": (12, (50, 80)),
    "monteverdi": (12, (55, 90)),
    "trecento": (8, (60, 120)),
    "beethoven": (26, (56, 170)),
    "mozart": (16, (56, 170)),
    "haydn": (9, (56, 170)),
    "schumann_robert": (7, (56, 160)),
    "schumann_clara": (5, (56, 160)),
    "verdi": (1, (60, 120)),
    "weber": (1, (60, 120)),
    "cpebach": (1, (60, 140)),
    "johnson_j_r": (1, (70, 120)),
    "liliuokalani": (1, (60, 110)),
    "beach": (1, (60, 110)),
}  # (O'Neill's and Aird's collections are books of many tunes in one file, which the renderer cannot play)
ROUNDS = (0, 1)  # each round picks its own scores and plays them its own way: some scores twice, differently
HELD = (
    list(range(16, 21)) + list(range(40, 50)) + [52, 53, 54] + list(range(56, 62)) + list(range(64, 76)) + [89, 91]
)  # organs, strings, voices, brass, reeds, flutes, pads
STRUCK = [0, 1, 2, 4, 6, 11, 12, 24, 25, 26, 46, 105, 106, 107, 108]  # pianos, mallets, guitars, harp, banjo, plucks
LEADS = [110, 40, 73, 78, 21, 22, 71, 65, 0, 24, 25, 46, 105, 68]  # a tune's melody: fiddle, flutes, accordion...


def training_pieces(seed: int = 0) -> list[tuple[Piece, Path]]:
    """Scores from the corpus, none the bench plays, each with its instruments, tempo, feel and soundfont.

    Bach's chorale analyses are left out too: they are harmonisations the bench's chorales may share.
    """
    from music21 import corpus

    rng = np.random.default_rng(seed)
    paths = [str(p) for p in corpus.getCorePaths()]
    root = paths[0][: paths[0].find("/corpus/") + len("/corpus/")]
    benched = {piece.path for piece in PIECES}
    chosen: list[tuple[Piece, Path]] = []
    for collection, (count, (slow, fast)) in COLLECTIONS.items():
        names = sorted(
            p[len(root) :].rsplit(".", 1)[0]
            for p in paths
            if p[len(root) :].startswith(collection + "/")
            and not p.endswith((".txt", ".json"))
            and "choraleAnalyses" not in p
        )
        names = [n for n in names if n not in benched and not any(n.startswith(b + "/") for b in benched)]
        for name in rng.permutation(names)[:count]:
            dance = collection in {"ryansMammoth", "oneills1850", "airdsAirs"}
            if dance:
                programs: tuple[int, ...] = (int(rng.choice(LEADS)),)
                if rng.random() < 0.4:
                    programs += (int(rng.choice(STRUCK)),)
            else:
                family = HELD if rng.random() < 0.6 else STRUCK
                programs = (
                    tuple(int(rng.choice(family)) for _ in range(4))
                    if rng.random() < 0.5
                    else (int(rng.choice(family)),)
                )
            piece = Piece(
                name=f"train{seed} {name}",
                path=str(name),
                programs=programs,
                beat_bpm=float(math.exp(rng.uniform(math.log(slow), math.log(fast)))),
                split="train",
                phrases="fermatas" if collection == "bach" else ("bars:4" if dance else "none"),
                rubato=float(rng.uniform(0.0, 0.07)),
                drums=dance and rng.random() < 0.3,
                seed=int(rng.integers(1 << 30)),
                accent=int(rng.integers(0, 13)),
            )
            chosen.append((piece, FONTS[int(rng.integers(len(FONTS)))]))
    return chosen


def _render_one(job: tuple[Piece, Path, Path]) -> str:
    piece, font, folder = job
    record = folder / f"{slug(piece.name)}.json"
    if record.is_file():
        return f"kept {piece.name}"
    try:
        truth = render(piece, folder, font)
    except Exception as error:  # a score music21 cannot parse or play is skipped, not fatal
        return f"skipped {piece.name}: {type(error).__name__}: {error}"[:200]
    if len(truth.beats) < 8:
        (folder / truth.wav).unlink(missing_ok=True)
        return f"skipped {piece.name}: too few beats"
    record.write_text(json.dumps(asdict(truth)))
    return f"rendered {piece.name}: {truth.seconds:.0f} s, {len(truth.beats)} beats, {truth.tempo_bpm or 0:.0f} bpm"


def render_all(folder: Path, workers: int = 2) -> None:
    """Render every training piece into `folder` (a piece already there is kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    jobs, files = [], set()
    for seed in ROUNDS:
        for piece, font in training_pieces(seed):
            # Two scores whose names differ only in punctuation ("bwv248.53-5", "bwv248.53.5") would
            # share one file: the first keeps it.
            if slug(piece.name) not in files:
                files.add(slug(piece.name))
                jobs.append((piece, font, folder))
    with ProcessPoolExecutor(workers) as pool:
        for line in pool.map(_render_one, jobs):
            print(line, flush=True)


def read_truths(folder: Path) -> list[Truth]:
    """The rendered pieces' truths."""
    return [Truth(**json.loads(p.read_text())) for p in sorted(folder.glob("*.json"))]


def _clip_arrays(truth: Truth, folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """(inputs (n, N_INPUTS), targets (n, 2)) of one rendered clip, heard through its codec."""
    samples = decode_audio(_heard_through_codec(truth, folder)).samples
    found = harmony(samples, RATE)
    inputs = network_input(features(samples, RATE), found)
    return inputs, targets_for(len(inputs), truth.beats, truth.downbeats)


def targets_for(n: int, beats: list[float], downbeats: list[float]) -> np.ndarray:
    """(n, 2) float32: 1 on the tonal frame centred on each beat (and bar line), 0.5 on its neighbours."""
    targets = np.zeros((n, 2), np.float32)
    for column, times in enumerate((beats, downbeats)):
        frames = frames_at(np.asarray(times), RATE)
        for offset, value in ((-1, 0.5), (1, 0.5), (0, 1.0)):
            at = np.clip(frames + offset, 0, n - 1)
            targets[at, column] = np.maximum(targets[at, column], value)
    return targets


def _heard_through_codec(truth: Truth, folder: Path) -> Path:
    """The clip as WAV, MP3, Ogg or AAC (a quarter each, by its name): the network must hear them alike."""
    from bench.music_phrases import CODECS
    from tests.conftest import transcode

    choice = zlib.crc32(truth.name.encode()) % (len(CODECS) + 1)
    wav = folder / truth.wav
    if choice == len(CODECS):
        return wav
    codec, args = list(CODECS.items())[choice]
    encoded = wav.with_suffix("." + codec)
    if not encoded.is_file():
        transcode(wav, encoded, "-loglevel", "error", *args)
    return encoded


def _prepare(job: tuple[Truth, Path]) -> tuple[str, np.ndarray, np.ndarray]:
    truth, folder = job
    inputs, targets = _clip_arrays(truth, folder)
    return truth.name, inputs, targets


CHANNELS = 32
DILATIONS = (1, 2, 4, 8, 16, 32, 64, 128)  # kernel 5: each frame hears about 12 s either side
WEIGHTS_OUT = Path(__file__).resolve().parents[1] / "pipeline" / "data" / "beat_network.npz"
POSITIVE_WEIGHT = 4.0  # beats fill a few frames in a hundred: missing one costs more than a false one
Clip = tuple[str, np.ndarray, np.ndarray]


class Network(nn.Module):
    """The layers `pipeline.music.beat_network.BeatNetwork` runs with numpy."""

    def __init__(self) -> None:
        super().__init__()
        self.front = nn.Conv1d(N_INPUTS, CHANNELS, 3, padding=1)
        self.convs = nn.ModuleList(nn.Conv1d(CHANNELS, CHANNELS, 5, dilation=d, padding=2 * d) for d in DILATIONS)
        self.mixes = nn.ModuleList(nn.Conv1d(CHANNELS, CHANNELS, 1) for _ in DILATIONS)
        self.head = nn.Conv1d(CHANNELS, 2, 1)
        self.drop = nn.Dropout(0.1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, N_INPUTS, frames) → (batch, 2, frames) logits of a beat and a bar line."""
        h = nn.functional.elu(self.front(x))
        for conv, mix in zip(self.convs, self.mixes, strict=True):
            h = h + mix(self.drop(nn.functional.elu(conv(h))))
        out: torch.Tensor = self.head(h)
        return out


def train(folder: Path, epochs: int = 60, seed: int = 0) -> None:
    """Fit the network on the rendered pieces (a tenth kept aside to pick the epoch) and write its weights."""
    with ProcessPoolExecutor(2) as pool:
        clips = list(pool.map(_prepare, [(t, folder) for t in read_truths(folder)]))
    rng = np.random.default_rng(seed)
    aside = {int(i) for i in rng.permutation(len(clips))[: max(1, len(clips) // 10)]}
    fit = [clip for i, clip in enumerate(clips) if i not in aside]
    check = [clip for i, clip in enumerate(clips) if i in aside]
    print(f"{len(fit)} clips to fit, {len(check)} aside", flush=True)
    torch.manual_seed(seed)
    torch.set_num_threads(2)
    model = Network()
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, epochs)
    best = (math.inf, {k: v.clone() for k, v in model.state_dict().items()})
    for epoch in range(epochs):
        model.train()
        losses = []
        for inputs, targets in _batches(fit, rng, crop=1500, size=8):
            loss = _loss(model, torch.from_numpy(inputs), torch.from_numpy(targets))
            optimiser.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimiser.step()
            losses.append(float(loss))
        schedule.step()
        model.eval()
        with torch.no_grad():
            held = float(
                np.mean(
                    [float(_loss(model, torch.from_numpy(x)[None], torch.from_numpy(y)[None])) for _, x, y in check]
                )
            )
        if held < best[0]:
            best = (held, {k: v.clone() for k, v in model.state_dict().items()})
        print(f"epoch {epoch:3d}: fit {np.mean(losses):.4f}, aside {held:.4f}", flush=True)
    model.load_state_dict(best[1])
    _export(model, WEIGHTS_OUT)
    print(f"wrote {WEIGHTS_OUT} (aside loss {best[0]:.4f})")


def _loss(model: Network, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of (batch, frames, 2) targets."""
    logits = model(inputs.transpose(1, 2)).transpose(1, 2)
    return nn.functional.binary_cross_entropy_with_logits(logits, targets, pos_weight=torch.full((2,), POSITIVE_WEIGHT))


def _batches(clips: list[Clip], rng: np.random.Generator, crop: int, size: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """A random crop of every clip once, in batches; a short clip is padded with silence (no beats)."""
    out = []
    order = rng.permutation(len(clips))
    for first in range(0, len(order), size):
        inputs, targets = [], []
        for index in order[first : first + size]:
            _, x, y = clips[int(index)]
            start = int(rng.integers(0, max(1, len(x) - crop)))
            x, y = x[start : start + crop], y[start : start + crop]
            inputs.append(np.pad(x, ((0, crop - len(x)), (0, 0))))
            targets.append(np.pad(y, ((0, crop - len(y)), (0, 0))))
        out.append((np.stack(inputs), np.stack(targets)))
    return out


def _export(model: Network, path: Path) -> None:
    """The weights as named float32 arrays, in the layout `beat_network.read_weights` reads."""
    state = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    arrays = {name: state[name] for name in ("front.weight", "front.bias", "head.weight", "head.bias")}
    for index, dilation in enumerate(DILATIONS):
        for part, layer in (("conv", "convs"), ("mix", "mixes")):
            arrays[f"block{index}.{part}.weight"] = state[f"{layer}.{index}.weight"]
            arrays[f"block{index}.{part}.bias"] = state[f"{layer}.{index}.bias"]
        arrays[f"block{index}.dilation"] = np.asarray(dilation)
    np.savez_compressed(path, allow_pickle=False, **arrays)


def main() -> None:
    """render DIR | train DIR."""
    command, folder = sys.argv[1], Path(sys.argv[2])
    if command == "render":
        render_all(folder)
    elif command == "train":
        train(folder)
    else:
        raise SystemExit(f"unknown command {command!r}: render DIR | train DIR")


if __name__ == "__main__":
    main()
