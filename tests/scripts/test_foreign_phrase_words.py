"""How scripts/foreign_phrase_words.py checks the translators' rows."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from foreign_phrase_words import check


def test_rows_are_kept_only_when_their_english_does_what_their_kind_says() -> None:
    rejected: Counter[str] = Counter()
    rows = [
        ["Blanco", "describing", "white"],
        ["perruno", "describing", "dog"],  # a dog is a thing, not a look
        ["mar", "noun", "sea"],
        ["red", "noun", "qwertyuiop"],  # an English word that reads no class
        ["el", "function", "the"],
        ["el", "function", "he"],  # given twice: the first row stands
        ["a lo", "function", "to the"],  # two words: the lookup splits at spaces
        ["roto", "broken"],
    ]
    kept = check("es", rows, rejected)
    assert kept == [
        ("blanco", "describing", "white", "es"),
        ("mar", "noun", "sea", "es"),
        ("el", "function", "the", "es"),
    ]
    assert sum(rejected.values()) == 5
