"""The bundled words model's forward pass in numpy: a BERT encoder, mean pooling, unit length.

all-MiniLM-L6-v2 is six small BERT layers (384 wide). Reading its safetensors with numpy and
tokenising with the `tokenizers` library gives the vectors sentence-transformers gives (cosine
above 0.9999, tests/pipeline/words/test_encoder.py) without importing torch, transformers and
sentence-transformers, which took seconds before the first word could be read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import load_file
from threadpoolctl import ThreadpoolController
from tokenizers import Tokenizer

# The pooling and layers this forward pass implements; any other model goes through sentence-transformers.
_SUPPORTED_MODULES = [
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
]
_MASKED = np.float32(-1e9)  # what a padding token adds to an attention score: nothing left after softmax
# Up to this many texts are encoded on one BLAS thread: their products are too small to share out,
# and waking a second thread cost ten times the work on a busy machine (a word took 140 ms, not 14).
_ONE_THREAD_TEXTS = 8


class UnsupportedModel(ValueError):
    """The folder holds a model this forward pass does not implement."""


@dataclass(frozen=True)
class _Layer:
    query: tuple[np.ndarray, np.ndarray]
    key: tuple[np.ndarray, np.ndarray]
    value: tuple[np.ndarray, np.ndarray]
    attention_out: tuple[np.ndarray, np.ndarray]
    attention_norm: tuple[np.ndarray, np.ndarray]
    intermediate: tuple[np.ndarray, np.ndarray]
    output: tuple[np.ndarray, np.ndarray]
    output_norm: tuple[np.ndarray, np.ndarray]


class BertEncoder:
    """A sentence-transformers BERT model with mean pooling, run in numpy on the CPU."""

    def __init__(self, folder: Path) -> None:
        config = _supported_config(folder)
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        max_length = int(json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length)
        self.tokenizer.no_padding()
        self.threads = ThreadpoolController()
        weights = load_file(str(folder / "model.safetensors"))
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""

        def pair(name: str) -> tuple[np.ndarray, np.ndarray]:
            """A linear layer's weight (transposed, for x @ w) and bias, or a norm's weight and bias."""
            weight = weights[f"{prefix}{name}.weight"].astype(np.float32)
            return (weight.T.copy() if weight.ndim == 2 else weight), weights[f"{prefix}{name}.bias"].astype(np.float32)

        self.word_embeddings = weights[f"{prefix}embeddings.word_embeddings.weight"].astype(np.float32)
        self.position_embeddings = weights[f"{prefix}embeddings.position_embeddings.weight"].astype(np.float32)
        self.type_embedding = weights[f"{prefix}embeddings.token_type_embeddings.weight"][0].astype(np.float32)
        self.embedding_norm = pair("embeddings.LayerNorm")
        self.layers = [
            _Layer(
                *(
                    pair(f"encoder.layer.{i}.{name}")
                    for name in (
                        "attention.self.query",
                        "attention.self.key",
                        "attention.self.value",
                        "attention.output.dense",
                        "attention.output.LayerNorm",
                        "intermediate.dense",
                        "output.dense",
                        "output.LayerNorm",
                    )
                )
            )
            for i in range(int(config["num_hidden_layers"]))
        ]

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Unit-length float32 embeddings of the texts, one row each."""
        if not texts:
            return np.zeros((0, self.word_embeddings.shape[1]), np.float32)
        if len(texts) <= _ONE_THREAD_TEXTS:
            with self.threads.limit(limits=1, user_api="blas"):
                return self._batch(texts)
        return np.concatenate(
            [self._batch(texts[start : start + batch_size]) for start in range(0, len(texts), batch_size)]
        )

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), length), np.int64)
        mask = np.zeros((len(texts), length), np.float32)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        hidden = self.word_embeddings[ids] + self.position_embeddings[:length] + self.type_embedding
        hidden = self._norm(hidden, self.embedding_norm)
        bias = (1 - mask)[:, None, None, :] * _MASKED  # padding is attended by nothing
        for layer in self.layers:
            hidden = self._layer(hidden, bias, layer)
        pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return np.asarray(pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12), np.float32)

    def _layer(self, hidden: np.ndarray, bias: np.ndarray, layer: _Layer) -> np.ndarray:
        batch, length, width = hidden.shape
        size = width // self.heads

        def heads(projection: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
            return _linear(hidden, projection).reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

        query, key, value = heads(layer.query), heads(layer.key), heads(layer.value)
        scores = query @ key.transpose(0, 1, 3, 2) / np.float32(np.sqrt(size)) + bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        attended = (scores / scores.sum(axis=-1, keepdims=True)) @ value
        attended = attended.transpose(0, 2, 1, 3).reshape(batch, length, width)
        hidden = self._norm(_linear(attended, layer.attention_out) + hidden, layer.attention_norm)
        expanded = _gelu(_linear(hidden, layer.intermediate))
        return self._norm(_linear(expanded, layer.output) + hidden, layer.output_norm)

    def _norm(self, x: np.ndarray, weights: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        return np.asarray((x - mean) / np.sqrt(variance + self.eps) * weights[0] + weights[1], np.float32)


def _supported_config(folder: Path) -> dict[str, Any]:
    """The model's BERT config, or UnsupportedModel when the folder is not a mean-pooled BERT model."""
    try:
        modules = [m["type"] for m in json.loads((folder / "modules.json").read_text())]
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        config: dict[str, Any] = json.loads((folder / "config.json").read_text())
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UnsupportedModel(f"not a sentence-transformers folder ({type(error).__name__})") from error
    mean_only = pooling.get("pooling_mode_mean_tokens") and not any(
        value for key, value in pooling.items() if key.startswith("pooling_mode_") and key != "pooling_mode_mean_tokens"
    )
    usual = config.get("hidden_act") == "gelu" and config.get("position_embedding_type", "absolute") == "absolute"
    if modules != _SUPPORTED_MODULES or not mean_only or config.get("model_type") != "bert" or not usual:
        raise UnsupportedModel("only mean-pooled BERT models are read without sentence-transformers")
    if not (folder / "model.safetensors").is_file() or not (folder / "tokenizer.json").is_file():
        raise UnsupportedModel("the model needs model.safetensors and tokenizer.json")
    return config


def _linear(x: np.ndarray, weights: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    # One 2-D product: numpy runs a stack of matrices as many small products, several times slower.
    flat = x.reshape(-1, x.shape[-1]) @ weights[0] + weights[1]
    return np.asarray(flat.reshape(*x.shape[:-1], flat.shape[-1]), np.float32)


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x·Φ(x), with erf to within 1.5e-7 (Abramowitz and Stegun 7.1.26): numpy has no erf."""
    z = np.abs(x) / np.float32(np.sqrt(2))
    t = 1 / (1 + np.float32(0.3275911) * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = np.sign(x) * (1 - poly * np.exp(-z * z))
    return np.asarray(0.5 * x * (1 + erf), np.float32)
