"""Words of other languages read through the English word they translate ("Schmetterling" →
butterfly, "bãi biển" → beach) or the emoji they name: "perro", "Hund", "kat", "собака", "犬",
"tembo" are each an animal's emoji, which the lookup already reads as classes.

pipeline/data/foreign_words.tsv holds picture words of 31 languages and of chat English, each with
the English word it means, written and checked by scripts/foreign_words.py (docs/foreign-words.md
says how); pipeline/data/foreign_homographs.tsv those spelled like a rare English word.

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
from typing import TypeVar

from pipeline import data

_Entry = TypeVar("_Entry")


def key(name: str) -> str:
    """A name as a lookup key: NFKC, case-folded, underscores as spaces."""
    return unicodedata.normalize("NFKC", name).strip(":").replace("_", " ").casefold().strip()


@functools.cache
def names() -> dict[str, tuple[str, ...]]:
    """Every other-language word → the emoji it names, single emoji first."""
    return {word: tuple(emoji.split()) for word, emoji in data.rows("emoji_names.tsv")}


@functools.cache
def translations() -> dict[str, tuple[str, str]]:
    """Every other-language picture word → (the English word it means, its languages' codes): those
    spelled like no English word, and those spelled like one English speakers rarely write ("baum",
    "plage": foreign_homographs.tsv, built by scripts/foreign_homographs.py)."""
    rows = (*data.rows("foreign_homographs.tsv"), *data.rows("foreign_words.tsv"))
    return {word: (english, languages) for word, english, languages in rows}


def english_for(word: str) -> tuple[str, str] | None:
    """The English word a word of another language means, with its languages' codes; found typed
    without accents and in hiragana as emoji names are. None when the table does not hold it, or
    holds it only without its accents while CLDR names it as typed (Vietnamese "rùa", a turtle, is
    no Thai "rua", a ship)."""
    table, typed = translations(), key(word)
    if typed not in table and typed in names():
        return None
    return _as_typed(table, word)


# Latin letters: CLDR's shorter names are as often another language's small word or chat's ("ja" is
# yes, "ur" your, "et" and) as one language's name for a house, a watch or a dog.
SHORTEST_CLDR_NAME = 3


def may_be_a_cldr_name(word: str) -> bool:
    """Whether a word typed alone or in a phrase may be read by the thing CLDR names by it: a word of
    another script, or of at least `SHORTEST_CLDR_NAME` Latin letters."""
    return len(word) >= SHORTEST_CLDR_NAME or not word.isascii()


def emoji_for(word: str) -> tuple[str, ...]:
    """The emoji a word of another language names, single emoji first; () when none. A word typed
    without its accents is found too (the table holds "arbol" for árbol; "ёж" is found as "еж"), and
    one typed in hiragana as in katakana ("ねこ", "ネコ")."""
    return _as_typed(names(), word) or ()


def _as_typed(table: dict[str, _Entry], word: str) -> _Entry | None:
    """A table's entry for a word as typed, without its accents, or in katakana for hiragana."""
    word = key(word)
    return table.get(word) or table.get(without_accents(word)) or table.get(in_katakana(word))


def without_accents(word: str) -> str:
    """The word with the accents of its Latin and Cyrillic letters taken off ("árbol" → "arbol", "ёж"
    → "еж"); other scripts' marks stay (a kana's voicing mark changes the word)."""
    out: list[str] = []
    for char in unicodedata.normalize("NFD", word):
        if unicodedata.category(char) == "Mn" and out and _latin_or_cyrillic(out[-1]):
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


def in_katakana(word: str) -> str:
    """The word's hiragana as katakana (the same sounds; CLDR names animals in katakana)."""
    return "".join(chr(ord(c) + _KANA_OFFSET) if "ぁ" <= c <= "ゖ" else c for c in word)


_KANA_OFFSET = ord("ァ") - ord("ぁ")


def _latin_or_cyrillic(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("LATIN", "CYRILLIC"))
