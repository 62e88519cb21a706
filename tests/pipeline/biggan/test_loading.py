"""Reading a weights folder: broken ones named in one sentence, spectral norm folded, the file never written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

from pipeline.biggan.loading import fold_spectral_norm, load_biggan, read_weights
from pipeline.biggan.weights import CONFIG_FILE, WEIGHTS_FILE, resolve_weights
from pipeline.errors import WeightsInvalid


def test_broken_weights_folders_are_named(tiny_weights: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(WeightsInvalid, match=r"must contain config\.json and pytorch_model\.bin"):
        resolve_weights("biggan-deep-128", weights_dir=empty, cache_dir=tmp_path)
    garbage = tmp_path / "garbage"
    shutil.copytree(tiny_weights, garbage)
    (garbage / WEIGHTS_FILE).write_bytes(b"not a checkpoint")
    with pytest.raises(WeightsInvalid, match="cannot be loaded"):
        load_biggan(garbage)
    wrong_shape = tmp_path / "wrong"
    shutil.copytree(tiny_weights, wrong_shape)
    config = (wrong_shape / CONFIG_FILE).read_text().replace('"channel_width": 4', '"channel_width": 8')
    (wrong_shape / CONFIG_FILE).write_text(config)
    with pytest.raises(WeightsInvalid):
        load_biggan(wrong_shape)
    partial = tmp_path / "partial"
    shutil.copytree(tiny_weights, partial)
    state = torch.load(partial / WEIGHTS_FILE, weights_only=True)
    del state["embeddings.weight"]
    torch.save(state, partial / WEIGHTS_FILE)
    with pytest.raises(WeightsInvalid, match=r"missing, e\.g\. embeddings\.weight"):
        load_biggan(partial)


def test_old_files_with_a_stored_weight_instead_of_weight_v_fold_the_same(tiny_weights: Path) -> None:
    state = torch.load(tiny_weights / WEIGHTS_FILE, weights_only=True)
    folded = fold_spectral_norm(state)
    old = {key: value for key, value in state.items() if not key.endswith("weight_v")}
    for key in [k for k in state if k.endswith("weight_orig")]:
        old[key.removesuffix("_orig")] = folded[key.removesuffix("_orig")]  # what torch < 1.0 stored
    for key, value in fold_spectral_norm(old).items():
        torch.testing.assert_close(value, folded[key], rtol=1e-5, atol=1e-7)
    neither = {key: value for key, value in state.items() if not key.endswith("weight_v")}
    assert set(fold_spectral_norm(neither)) == set(folded), "one power step stands in for a missing v"


def test_reading_weights_never_writes_the_file(tiny_weights: Path, tmp_path: Path) -> None:
    """Spectral norm is folded in place into the mapped file's pages: the mapping must be private."""
    import hashlib
    import mmap

    copy = tmp_path / "weights"
    shutil.copytree(tiny_weights, copy)
    before = hashlib.sha256((copy / WEIGHTS_FILE).read_bytes()).hexdigest()
    read_weights(copy)
    with torch.serialization.set_default_mmap_options(mmap.MAP_SHARED):  # someone else's global choice
        read_weights(copy)
    assert hashlib.sha256((copy / WEIGHTS_FILE).read_bytes()).hexdigest() == before
