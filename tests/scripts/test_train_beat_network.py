"""The beat network's training script: what it learns from, and the weights it writes."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

torch = pytest.importorskip("torch")
pytest.importorskip("music21")

import train_beat_network as script  # noqa: E402

from bench.music_set import PIECES  # noqa: E402
from pipeline.music.beat_network import N_INPUTS, read_weights  # noqa: E402


def test_the_written_weights_compute_what_the_trained_module_does(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = script.Network().eval()
    path = tmp_path / "beats.npz"
    script._export(model, path)
    inputs = np.random.default_rng(1).random((700, N_INPUTS)).astype(np.float32)
    with torch.no_grad():
        expected = torch.sigmoid(model(torch.from_numpy(inputs.T)[None]))[0].T.numpy()
    assert np.abs(read_weights(path).activations(inputs) - expected).max() < 1e-5


def test_it_never_learns_from_a_score_the_bench_measures() -> None:
    benched = {piece.path for piece in PIECES}
    for seed in script.ROUNDS:
        chosen = script.training_pieces(seed)
        assert len(chosen) > 250
        paths = {piece.path for piece, _ in chosen}
        assert not paths & benched
        assert not any("choraleAnalyses" in path for path in paths)
        # ...nor hears the soundfont the bench's set is played on.
        assert all("FluidR3" not in str(font) for _, font in chosen)


def test_targets_mark_each_beat_and_bar_line_on_its_frame() -> None:
    inputs = np.zeros((400, N_INPUTS), np.float32)
    targets = script.targets_for(len(inputs), beats=[1.0, 2.0], downbeats=[1.0])
    frames = np.flatnonzero(targets[:, 0] == 1.0)
    assert len(frames) == 2 and np.flatnonzero(targets[:, 1] == 1.0).tolist() == frames[:1].tolist()
    # Half a frame either side: a beat between two frames is not a miss on either.
    assert targets[frames[0] - 1, 0] == targets[frames[0] + 1, 0] == 0.5
    assert targets[:, 0].sum() == 2 * 2.0
