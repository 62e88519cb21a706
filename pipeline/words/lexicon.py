"""Words of other languages read through the emoji they name: "perro", "Hund", "kat", "собака",
"犬", "tembo" are each an animal's emoji, which the lookup already reads as classes.

Unicode CLDR's emoji annotations give each emoji's name and keywords in ~160 locales: a
verifiable offline dictionary of exactly the things people type (animals, food, plants,
vehicles, weather, places). pipeline/data/emoji_names.tsv holds the words that name emoji
the lookup reads as classes (built by scripts/build_emoji_names.py; a word naming emoji of
different classes is left out). Only whole names count: "cara de caballo" (horse face) is read
whole, never as "caballo" or "cara".
"""

from __future__ import annotations

import functools
import unicodedata
from importlib import resources


def key(name: str) -> str:
    """A name as a lookup key: NFKC, case-folded, underscores as spaces."""
    return unicodedata.normalize("NFKC", name).strip(":").replace("_", " ").casefold().strip()


@functools.cache
def names() -> dict[str, tuple[str, ...]]:
    """Every other-language word → the emoji it names, single emoji first."""
    text = resources.files("pipeline.data").joinpath("emoji_names.tsv").read_text("utf-8")
    out: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            word, emoji = line.split("\t")
            out[word] = tuple(emoji.split())
    return out


def emoji_for(word: str) -> tuple[str, ...]:
    """The emoji a word of another language names, single emoji first; () when none."""
    return names().get(key(word), ())
