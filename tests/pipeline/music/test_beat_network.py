"""The beat and bar-line network: its numpy forward pass, its weights, and what it hears."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline import music as M
from pipeline.music import beat_network
from pipeline.music.harmony import harmony
from tests.synth import RATE, Note, piano_piece, render_notes


def _torch_forward(network: beat_network.BeatNetwork, inputs: np.ndarray) -> np.ndarray:
    """The same layers with torch's own convolutions: what the training script's module computes."""
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional

    def conv(h: object, weight: np.ndarray, bias: np.ndarray, dilation: int) -> object:
        reach = (weight.shape[2] // 2) * dilation
        return functional.conv1d(h, torch.from_numpy(weight), torch.from_numpy(bias), padding=reach, dilation=dilation)

    h = functional.elu(conv(torch.from_numpy(inputs.T)[None], *network.front, 1))
    for weight, bias, mix, mix_bias, dilation in network.blocks:
        h = h + conv(functional.elu(conv(h, weight, bias, dilation)), mix, mix_bias, 1)
    out: np.ndarray = torch.sigmoid(conv(h, *network.head, 1))[0].T.numpy()
    return out


def test_the_numpy_forward_pass_is_torch_s() -> None:
    network = beat_network.bundled()
    assert network is not None
    inputs = np.random.default_rng(0).random((3000, beat_network.N_INPUTS)).astype(np.float32)
    assert np.abs(network.activations(inputs) - _torch_forward(network, inputs)).max() < 1e-4


def test_the_shipped_weights_fit_the_inputs() -> None:
    network = beat_network.bundled()
    assert network is not None
    assert network.front[0].shape[1] == beat_network.N_INPUTS
    assert network.head[0].shape[0] == 2
    # The dilations double: the network hears several seconds either side of each frame.
    assert [block[4] for block in network.blocks] == [2**i for i in range(len(network.blocks))]


def test_it_hears_the_beats_of_a_piece_it_never_heard() -> None:
    notes = piano_piece(24.0, bpm=104.0, seed=3)
    samples = render_notes(notes, 24.0)
    feats, found = M.features(samples, RATE), harmony(samples, RATE)
    heard = beat_network.listen(feats, found)
    assert heard is not None
    beat_s = 60.0 / 104.0
    beats = np.arange(0.0, 23.0, beat_s)
    times = feats.frame_time(np.arange(len(heard.beat)))
    on = np.interp(beats, times, heard.beat)
    between = np.interp(beats + beat_s / 2, times, heard.beat)
    assert np.median(on) > 0.5 > np.median(between) * 2


def test_without_weights_the_beats_come_from_the_pulse(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    samples = render_notes(piano_piece(20.0, bpm=96.0, seed=1), 20.0)
    feats, found = M.features(samples, RATE), harmony(samples, RATE)
    monkeypatch.setattr(beat_network, "WEIGHTS", tmp_path / "missing.npz")
    beat_network.bundled.cache_clear()
    try:
        assert beat_network.listen(feats, found) is None
        tempo = M.rhythm(feats, found).tempo_bpm
    finally:
        beat_network.bundled.cache_clear()
    assert tempo is not None and abs(tempo / 96.0 - 1) < 0.04


def _activation(period_s: float, heights: list[float], seconds: float = 30.0, fps: float = 172.0) -> np.ndarray:
    """Peaks every `period_s`, their heights cycling through `heights`, 20 ms wide."""
    times = np.arange(int(seconds * fps)) / fps
    out = np.zeros(len(times))
    for index, at in enumerate(np.arange(0.5, seconds - 0.5, period_s)):
        out = np.maximum(out, heights[index % len(heights)] * np.exp(-0.5 * ((times - at) / 0.02) ** 2))
    return out


@pytest.mark.parametrize(
    ("period_s", "heights", "tapped_bpm"),
    [
        # A fast piece whose every other beat is weaker: the autocorrelation takes pairs (80), a listener each beat.
        (0.375, [0.9, 0.5], 160.0),
        # A slow hymn's 8th notes heard faintly: the autocorrelation takes them (120), a listener the beat.
        (0.5, [0.9, 0.25], 60.0),
        # A reel's 8th notes heard as strongly as that: its half notes, not 224 bpm.
        (0.268, [0.9, 0.6], 112.0),
    ],
)
def test_the_tempo_is_the_level_whose_beats_meet_the_peaks_heard(
    period_s: float, heights: list[float], tapped_bpm: float
) -> None:
    from pipeline.music.rhythm import heard_tempo

    beat = _activation(period_s, heights)
    tempo = heard_tempo(beat, 172.0)
    assert tempo is not None and abs(tempo / tapped_bpm - 1) < 0.04


def _jig(seconds: float, bpm: float, seed: int) -> list[Note]:
    """A 6/8 tune: a dotted-quarter beat of three 8th notes, every other bar in long-short pairs
    (a quarter and an 8th), nothing louder on the beat. The pulse of onsets and chord changes leans on
    the short notes here and puts every beat on the off-beat (beat F 0.00, measured)."""
    rng = np.random.default_rng(seed)
    eighth = 60.0 / bpm / 3
    scale = [0, 2, 4, 5, 7, 9, 11, 12]
    notes = []
    for k in range(int(seconds / eighth)):
        bar, place = divmod(k, 6)
        paired = bar % 2 == 0
        if paired and place % 3 == 1:
            continue  # the long note of the pair holds through it
        length = 2 * eighth if paired and place % 3 == 0 else eighth
        pitch = 60 + [0, 5, 7, 0][(bar // 2) % 4] + scale[int(rng.integers(0, len(scale)))]
        notes.append(Note(k * eighth, pitch, 0.9 * length, float(rng.uniform(0.6, 0.8))))
    return notes


@pytest.mark.parametrize(("bpm", "seed"), [(116.0, 1), (104.0, 2)])
def test_the_beats_of_a_jig_are_its_dotted_quarters_not_its_off_beats(bpm: float, seed: int) -> None:
    samples = render_notes(_jig(30.0, bpm, seed), 30.0)
    found = M.rhythm(M.features(samples, RATE), harmony(samples, RATE))
    truth = np.arange(0.0, 29.5, 60.0 / bpm)
    inner = found.beats[(found.beats > 5.0) & (found.beats < 25.0)]
    assert found.tempo_bpm is not None and abs(found.tempo_bpm / bpm - 1) < 0.04
    assert len(inner) > 0 and np.mean(np.abs(inner[:, None] - truth[None, :]).min(axis=1) < 0.07) >= 0.9
