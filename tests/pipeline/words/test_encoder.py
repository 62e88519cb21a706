"""The bundled words model in numpy: the vectors sentence-transformers gives, without its imports."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline.words.encoder import BertEncoder, UnsupportedModel
from pipeline.words.model import ModelSource, WordsModelError, load_encoder, model_source
from tests.paths import ROOT

# Short and long, plural, emoji, accents, a typo, other scripts, a run past the 256-token cut, and nothing.
PHRASES = [
    "dog",
    "golden retrievers",
    "a red sports car on a wet road at night",
    "🐶 puppy",
    "Straße, café, naïve",
    "pinapple",
    "собака",
    "猫",
    "chambered nautilus, a cephalopod: pearly-shelled nautilus of the Indian and Pacific oceans",
    "ocean " * 300,
    "",
]


def bundled_folder() -> Path:
    source = model_source()
    if source is None or source.folder is None:
        pytest.skip("the bundled words model is not installed")
    return source.folder


def test_the_numpy_forward_pass_gives_sentence_transformers_vectors() -> None:
    from sentence_transformers import SentenceTransformer

    folder = bundled_folder()
    reference = SentenceTransformer(str(folder), device="cpu", local_files_only=True).encode(
        PHRASES, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    encoder = BertEncoder(folder)
    # In one padded batch, in small batches, and one at a time: padding must change nothing.
    for vectors in (
        encoder.encode(PHRASES),
        encoder.encode(PHRASES, batch_size=3),
        np.concatenate([encoder.encode([p]) for p in PHRASES]),
    ):
        assert vectors.dtype == np.float32 and vectors.shape == reference.shape
        cosines = np.sum(vectors * reference, axis=1)
        assert cosines.min() >= 0.9999, dict(zip(PHRASES, cosines.round(6), strict=True))
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)


def test_loading_the_bundled_model_imports_no_torch_transformers_or_sentence_transformers() -> None:
    script = (
        "import sys; from pipeline.words.model import load_encoder, model_source; "
        "load_encoder(model_source()).encode(['dog']); "
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))"
    )
    bundled_folder()
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert "Loading weights" not in done.stderr


def test_a_named_folder_still_loads_with_sentence_transformers(tmp_path: Path) -> None:
    folder = tmp_path / "my-model"
    shutil.copytree(bundled_folder(), folder)
    encoder = load_encoder(ModelSource(folder.name, folder, tmp_path))
    assert not isinstance(encoder, BertEncoder)
    numpy_vectors = BertEncoder(folder).encode(PHRASES[:4])
    assert np.sum(encoder.encode(PHRASES[:4]) * numpy_vectors, axis=1).min() >= 0.9999


def test_a_model_the_forward_pass_does_not_implement_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "cls-pooled"
    shutil.copytree(bundled_folder(), folder)
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.write_text(json.dumps(config | {"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}))
    with pytest.raises(UnsupportedModel, match="mean-pooled BERT"):
        BertEncoder(folder)
    with pytest.raises(WordsModelError, match=r"^the bundled words model could not be loaded \(UnsupportedModel\)\.$"):
        load_encoder(ModelSource("all-MiniLM-L6-v2", folder, tmp_path, bundled=True))
