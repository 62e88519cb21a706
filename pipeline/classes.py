"""The 1000 BigGAN (ImageNet-1k) classes, and turning a user's list into class ids.

This module resolves class ids and exact class names (any of a class's WordNet
lemma names, case-insensitive); spelling suggestions come from difflib. Everyday
words (plurals, synonyms, kinds, typos: "kittens", "dog", "jellyfsh") go through
pipeline/words/lookup.py, which builds on this table.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass

from pipeline import data
from pipeline.errors import UnknownClass

N_CLASSES = 1000


@dataclass(frozen=True)
class ImageNetClass:
    """One class: its id (0-999), WordNet noun synset id and lemma names."""

    id: int
    wnid: str
    names: tuple[str, ...]

    @property
    def name(self) -> str:
        """The class's first (most common) name."""
        return self.names[0]


@functools.cache
def all_classes() -> tuple[ImageNetClass, ...]:
    """The 1000 classes in id order, read from the committed table."""
    classes = tuple(
        ImageNetClass(int(cid), wnid, tuple(n.strip() for n in names.split(", ")))
        for cid, wnid, names in data.rows("imagenet_classes.tsv")
    )
    assert len(classes) == N_CLASSES and all(c.id == i for i, c in enumerate(classes))
    return classes


def class_name(class_id: int) -> str:
    """The display name of a class id."""
    return all_classes()[class_id].name


@functools.cache
def _ids_by_name() -> dict[str, tuple[int, ...]]:
    """Lower-cased name → class ids having it; a class whose first name it is comes first."""
    ranked: dict[str, list[tuple[int, int]]] = {}
    for cls in all_classes():
        for rank, name in enumerate(cls.names):
            ranked.setdefault(name.lower(), []).append((rank, cls.id))
    return {name: tuple(cid for _, cid in sorted(pairs)) for name, pairs in ranked.items()}


def resolve_class(token: str) -> int:
    """A class id for one token: an id in 0..999 or an exact class name."""
    word = token.strip()
    if word.isdigit():
        if int(word) < N_CLASSES:
            return int(word)
        raise UnknownClass(word)
    ids = _ids_by_name().get(" ".join(word.lower().split()))
    if ids:
        return ids[0]
    raise UnknownClass(word, suggest_names(word))


def suggest_names(word: str, limit: int = 3) -> tuple[str, ...]:
    """Class names spelled most like `word`."""
    matches = difflib.get_close_matches(word.lower(), _ids_by_name().keys(), n=limit, cutoff=0.6)
    return tuple(matches)


def parse_class_list(text: str) -> list[int]:
    """Comma-separated ids or names → class ids, in order, repeats kept."""
    return [resolve_class(token) for token in text.split(",") if token.strip()]
