"""Nearest neighbours in meaning: a word against the classes (names and WordNet definitions) and
against the words the lookup already knows.

Class vectors and word vectors are computed once per model and kept in the cache folder (see
`configure`), so a process loads them in milliseconds; one lookup embeds one short text.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline import data
from pipeline.classes import all_classes
from pipeline.words.model import ModelSource, encode, load_encoder, model_source

log = logging.getLogger(__name__)

_EMBED_CACHE = 4096  # distinct texts whose vectors a process keeps


@dataclass(frozen=True)
class Neighbour:
    """A vocabulary word or class near a text in meaning, with its cosine similarity."""

    key: str | int  # the word, or the class id
    score: float


@functools.cache
def class_glosses() -> dict[int, tuple[str, str]]:
    """Class id → (its broader sense, its WordNet definition), from pipeline/data/class_glosses.tsv."""
    return {int(class_id): (broader, gloss) for class_id, broader, gloss in data.rows("class_glosses.tsv")}


def class_texts() -> tuple[list[str], list[str]]:
    """Per class: its names alone, and its first name with its broader sense and definition."""
    glosses = class_glosses()
    names, described = [], []
    for cls in all_classes():
        broader, gloss = glosses[cls.id]
        names.append(", ".join(cls.names))
        described.append(f"{cls.names[0]}, a {broader}: {gloss}")
    return names, described


class Meaning:
    """One loaded model with the class vectors; word tables are added per vocabulary."""

    def __init__(self, source: ModelSource, encoder: Any) -> None:
        self.source, self.encoder = source, encoder
        self._lock = threading.Lock()
        self._tables: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
        names, described = class_texts()
        self.class_name_vectors = self._vectors("class-names", names)
        self.class_text_vectors = self._vectors("class-texts", described)
        self.embed = functools.lru_cache(maxsize=_EMBED_CACHE)(self._embed)

    def _embed(self, text: str) -> np.ndarray:
        with self._lock:  # the encoder is not safe to share between threads
            return np.asarray(encode(self.encoder, [text])[0], dtype=np.float32)

    def _vectors(self, kind: str, texts: list[str]) -> np.ndarray:
        """Vectors of many texts, from the cache folder when computed before."""
        digest = hashlib.sha256("\n".join([self.source.name, str(self.source.folder), *texts]).encode()).hexdigest()
        path = None if self.source.cache is None else self.source.cache / "words-vectors" / f"{kind}-{digest[:20]}.npy"
        if path is not None and path.is_file():
            cached = np.asarray(np.load(path), dtype=np.float16)
            if cached.shape[0] == len(texts):
                return cached
        log.info("words model %s: computing %d %s vectors once", self.source.name, len(texts), kind)
        vectors = encode(self.encoder, texts).astype(np.float16)
        if path is not None:
            _save_atomically(path, vectors)
        return vectors

    def class_scores(self, text: str) -> np.ndarray:
        """Cosine similarity of the text to each of the 1000 classes (the better of name and definition)."""
        vector = self.embed(text)
        return np.asarray(np.maximum(self.class_name_vectors @ vector, self.class_text_vectors @ vector), np.float32)

    def definition_scores(self, text: str) -> np.ndarray:
        """Cosine similarity of the text to each class's definition alone (no name to match letters with)."""
        return np.asarray(self.class_text_vectors @ self.embed(text), np.float32)

    def nearest_words(self, text: str, vocabulary: tuple[str, ...], k: int = 5) -> list[Neighbour]:
        """The k vocabulary words nearest the text in meaning, nearest first (the text itself left out)."""
        words, vectors = self._table(vocabulary)
        scores = vectors @ self.embed(text)
        order = np.argsort(-scores)[: k + 1]
        return [Neighbour(words[i], float(scores[i])) for i in order if words[i] != text][:k]

    def _table(self, vocabulary: tuple[str, ...]) -> tuple[tuple[str, ...], np.ndarray]:
        key = hashlib.sha256("\n".join(vocabulary).encode()).hexdigest()
        if key not in self._tables:
            self._tables[key] = (vocabulary, self._vectors("words", list(vocabulary)))
        return self._tables[key]


def _save_atomically(path: Path, vectors: np.ndarray) -> None:
    """Write the vectors so that a reader (another process) never sees half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{threading.get_ident()}.tmp.npy")
        np.save(temporary, vectors)
        temporary.replace(path)
    except OSError as error:  # a read-only cache only costs the next process the computation
        log.warning("words model: could not cache vectors (%s)", type(error).__name__)


@functools.cache
def shared_meaning() -> Meaning | None:
    """The process's one meaning model (loaded on first use), or None when it is off or not installed."""
    source = model_source()
    if source is None:
        return None
    if importlib.util.find_spec("sentence_transformers") is None:
        return None  # not installed: words are read by WordNet and the curated table alone
    encoder = load_encoder(source)
    log.info("words model %s loaded", source.name)
    return Meaning(source, encoder)
