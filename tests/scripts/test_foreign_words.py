"""How scripts/foreign_words.py decides what a word of the translators' lists means."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from foreign_words import _unaccented, meaning_of_most_languages


def test_a_word_means_what_more_languages_say_and_nothing_on_a_tie() -> None:
    # "kafe": a cafe in four languages, coffee (other classes) in one.
    agreed = meaning_of_most_languages({"cafe": {"id", "ja", "ru", "tr"}, "coffee": {"uk"}})
    assert agreed == {"cafe": {"id", "ja", "ru", "tr"}}
    # "paka": a cat in Swahili, a sweatshirt in Japanese: one each.
    assert meaning_of_most_languages({"cat": {"sw"}, "sweatshirt": {"ja"}}) is None
    # Two English words for the same classes are one meaning.
    assert meaning_of_most_languages({"puppy": {"es"}, "pup": {"pt"}}) == {"puppy": {"es"}, "pup": {"pt"}}


def test_a_spelling_without_accents_is_never_one_another_word_is_typed_as() -> None:
    kept = {"míč": ("ball", "cs"), "bãi biển": ("beach", "vi")}
    wanted = {"ball": frozenset({1}), "beach": frozenset({2})}
    assert _unaccented(kept, taken={"mic"}, wanted=wanted) == {"bai bien": ("beach", "vi")}
