"""Beats and bar lines heard by a small network: a temporal convolutional network over band levels, their rise,
harmonic change and chroma (after Davies and Böck 2019), trained by `scripts/train_beat_network.py` on
public-domain scores and run here with numpy alone.

It gives, per tonal frame (TONAL_HOP samples), the probability of a beat and of a bar line there. A
hand-made pulse (onsets plus chord changes) cannot tell a jig's dotted-quarter beat from its 8th notes
or a bar line from the beat after it; a network that has heard hundreds of scores' beats and bars
learns which of those cues a listener follows.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.music.features import FRAME_HOP, FRAME_NFFT, Features
from pipeline.music.harmony import TONAL_HOP, TONAL_NFFT, Harmony

WEIGHTS = Path(__file__).resolve().parents[1] / "data" / "beat_network.npz"
_STEP = TONAL_HOP // FRAME_HOP  # band frames per tonal frame
# Band frame j is centred on j*FRAME_HOP + FRAME_NFFT/2, tonal frame k on k*TONAL_HOP + TONAL_NFFT/2.
_ALIGN = (TONAL_NFFT - FRAME_NFFT) // (2 * FRAME_HOP)
N_INPUTS = 40 + 40 + 1 + 1 + 12


def network_input(feats: Features, found: Harmony) -> np.ndarray:
    """(n tonal frames, N_INPUTS) float32: band levels, their rise, the onset and harmonic change, chroma.

    Every part is relative to the clip itself (levels under its loudest band, rises in dB), so a
    quieter recording or another codec gives the same input.
    """
    n = len(found.change)
    first = np.clip(_STEP * np.arange(n) + _ALIGN, 0, len(feats.band_db) - 1)
    second = np.clip(first + 1, 0, len(feats.band_db) - 1)
    level = np.maximum(feats.band_db[first], feats.band_db[second]).astype(np.float32)
    rise = np.maximum(np.diff(level, axis=0, prepend=level[:1]), 0.0)
    onset = np.maximum(feats.onset_envelope[first], feats.onset_envelope[second])
    return np.concatenate(
        [
            level / 80.0 + 1.0,  # the band levels floor 80 dB under the loudest band: 0..1
            rise / 10.0,
            (onset / 5.0)[:, None],
            (found.change / 5.0)[:, None],
            found.chroma,
        ],
        axis=1,
    ).astype(np.float32)


def frame_times(n: int, sample_rate: int) -> np.ndarray:
    """Seconds at the centre of each of n tonal frames: where the network places a beat it hears there."""
    out: np.ndarray = (np.arange(n) * TONAL_HOP + TONAL_NFFT / 2) / sample_rate
    return out


def frames_at(times: np.ndarray, sample_rate: int) -> np.ndarray:
    """The tonal frame centred nearest each time (the inverse of `frame_times`): where training marks a beat."""
    out: np.ndarray = np.rint((np.asarray(times) * sample_rate - TONAL_NFFT / 2) / TONAL_HOP).astype(np.int64)
    return out


@dataclass(frozen=True)
class BeatNetwork:
    """The trained weights: a front convolution, dilated residual blocks, and a head of two outputs."""

    front: tuple[np.ndarray, np.ndarray]  # (out, in, k) weights and (out,) bias
    blocks: tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int], ...]  # dilated conv, 1x1 conv, dilation
    head: tuple[np.ndarray, np.ndarray]

    def activations(self, inputs: np.ndarray) -> np.ndarray:
        """(n, 2) probabilities of a beat and of a bar line at each frame of `inputs` (n, N_INPUTS)."""
        h = _elu(_conv(inputs.T.astype(np.float32), *self.front, dilation=1))
        for weight, bias, mix, mix_bias, dilation in self.blocks:
            inner = _elu(_conv(h, weight, bias, dilation))
            h = h + _conv(inner, mix, mix_bias, dilation=1)
        logits = _conv(h, *self.head, dilation=1)
        out: np.ndarray = (1.0 / (1.0 + np.exp(-logits))).T
        return out


def _conv(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, dilation: int) -> np.ndarray:
    """A 'same' 1-D convolution of (channels, n) with (out, in, k) weights, zero-padded: one matrix product."""
    out_channels, in_channels, k = weight.shape
    n = x.shape[1]
    out: np.ndarray
    if k == 1:
        out = weight[:, :, 0] @ x + bias[:, None]
        return out
    reach = (k // 2) * dilation
    padded = np.pad(x, ((0, 0), (reach, reach)))
    taps = np.concatenate([padded[:, tap * dilation : tap * dilation + n] for tap in range(k)], axis=0)
    out = weight.transpose(0, 2, 1).reshape(out_channels, k * in_channels) @ taps + bias[:, None]
    return out


def _elu(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.where(x > 0, x, np.expm1(np.minimum(x, 0.0)))
    return out


def read_weights(path: Path) -> BeatNetwork:
    """The network stored by the training script (numpy's npz: arrays named by layer)."""
    with np.load(path) as stored:
        arrays = {name: stored[name].astype(np.float32) for name in stored.files}
    blocks = []
    index = 0
    while f"block{index}.conv.weight" in arrays:
        blocks.append(
            (
                arrays[f"block{index}.conv.weight"],
                arrays[f"block{index}.conv.bias"],
                arrays[f"block{index}.mix.weight"],
                arrays[f"block{index}.mix.bias"],
                int(arrays[f"block{index}.dilation"]),
            )
        )
        index += 1
    return BeatNetwork(
        front=(arrays["front.weight"], arrays["front.bias"]),
        blocks=tuple(blocks),
        head=(arrays["head.weight"], arrays["head.bias"]),
    )


@dataclass(frozen=True)
class Heard:
    """What the network hears, per band frame of `Features` (FRAME_HOP samples): 0..1 each."""

    beat: np.ndarray  # (m,) how likely a beat is there
    bar: np.ndarray  # (m,) how likely a bar line is there


def listen(feats: Features, found: Harmony) -> Heard | None:
    """The network's beats and bar lines on the clip's band frames, or None without the network."""
    network = bundled()
    if network is None:
        return None
    heard = network.activations(network_input(feats, found))
    times = feats.frame_time(np.arange(len(feats.onset_envelope)))
    at = frame_times(len(heard), feats.sample_rate)
    return Heard(beat=np.interp(times, at, heard[:, 0]), bar=np.interp(times, at, heard[:, 1]))


@functools.cache
def bundled() -> BeatNetwork | None:
    """The network shipped with the project, or None where its weights are missing."""
    return read_weights(WEIGHTS) if WEIGHTS.is_file() else None
