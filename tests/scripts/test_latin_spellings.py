"""The Latin spellings the emoji names build adds for kana and Cyrillic words (scripts/latin_spellings.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from latin_spellings import cyrillic_latin, is_cyrillic, is_kana, romaji


@pytest.mark.parametrize(
    ("kana", "spelled"),
    [
        ("ネコ", ("neko",)),
        ("うさぎ", ("usagi",)),  # hiragana reads as katakana
        ("コーヒー", ("koohii", "kohi")),  # long vowels written out, and dropped
        ("きって", ("kitte",)),  # a small tsu doubles the next consonant
        ("マッチャ", ("matcha",)),  # ..."tch" before ch, and a small ya after chi
        ("ぎゅうにゅう", ("gyuunyuu",)),
        ("ウィスキー", ("wisukii", "wisuki")),  # a small vowel replaces the vowel before
        ("ツァ", ("tsa",)),
    ],
)
def test_kana_are_spelled_as_people_type_them(kana: str, spelled: tuple[str, ...]) -> None:
    assert is_kana(kana)
    assert romaji(kana) == spelled


def test_text_that_is_not_all_kana_has_no_romaji() -> None:
    assert not is_kana("猫")
    assert not is_kana("ネコ科")
    assert romaji("ネコ科") == ()


def test_cyrillic_is_spelled_with_both_ways_of_writing_kh() -> None:
    assert is_cyrillic("Собака") and not is_cyrillic("sobaka")
    assert cyrillic_latin("собака") == ("sobaka",)
    assert cyrillic_latin("хомяк") == ("khomyak", "homyak")
