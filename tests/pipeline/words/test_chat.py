"""Chat forms of known words (pipeline/words/chat.py): diminutives, clippings and chat spellings
lead only to words the lookup reads, and never take an English adjective for a chat word."""

from __future__ import annotations

import random

import pytest

from pipeline.classes import resolve_class
from pipeline.words import chat
from pipeline.words.lookup import lookup, lookup_word
from tests.pipeline.words.test_lookup import DOGS, DOMESTIC_CATS, FISH, SETS


def test_a_doubled_consonant_marks_a_diminutive_and_is_undone() -> None:
    assert ("dog", False) in list(chat.forms("doggo"))
    assert ("pig", False) in list(chat.forms("piggies"))


def test_a_plain_o_is_the_words_own_and_a_plain_y_only_a_guess() -> None:
    assert "lamb" not in {form for form, _ in chat.forms("lambo")}
    assert ("horse", True) in list(chat.forms("horsey"))
    assert ("chill", True) in list(chat.forms("chilly"))  # the word's own double "l": no chat doubling


def test_a_clipped_word_must_stand_for_one_word_alone() -> None:
    assert ("guacamole", True) in list(chat.forms("guac"))
    assert ("mushroom", True) in list(chat.forms("shroom"))
    assert not any(guessed and form.startswith("croc") for form, guessed in chat.forms("croc"))  # crocodile, crocus…


def test_a_word_is_clipped_at_a_syllable_and_by_more_than_a_letter() -> None:
    # "outa" ends "barracouta" and "asa" "lhasa", mid-syllable; "maz" is "maze" less a letter, a slip.
    for word, whole in (("outa", "barracouta"), ("asa", "lhasa"), ("maz", "maze")):
        assert whole not in {form for form, _ in chat.forms(word)}, word
    assert ("alligator", True) in list(chat.forms("gator"))  # the end, from a consonant


def test_a_common_english_word_is_no_chat_form() -> None:
    assert lookup_word("bad", random.Random(0)).method.value == "unknown"  # no clipped badger


def test_an_english_word_is_no_guessed_chat_form_of_another() -> None:
    # "trainers" (shoes, or people who train) is no fond "-ers" form of a train: WordNet knows it.
    assert "said in chat" not in lookup_word("trainers", random.Random(0)).label
    assert "said in chat" not in lookup_word("petty", random.Random(0)).label  # no fond "pet", though doubled


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("ducc", {resolve_class("drake"), resolve_class("red-breasted merganser")}),
        ("birb", SETS["@birds"]),
        ("catz", DOMESTIC_CATS),
        ("bunnie", SETS["@rabbits"]),
        ("guac", {resolve_class("guacamole")}),
        ("shroom", {resolve_class("mushroom")}),
        ("froggy", SETS["@frogs"]),
        ("catto", DOMESTIC_CATS),
        ("fishies", FISH),
    ],
)
def test_chat_forms_reach_the_word_they_stand_for(word: str, expected: set[int]) -> None:
    match = lookup_word(word, random.Random(0))
    assert match.class_id is not None and set(match.choices) <= expected, match


@pytest.mark.parametrize("word", ["cloudy", "dreamy", "chilly"])
def test_an_adjective_is_no_chat_form_of_a_scene(word: str) -> None:
    # "-y" after no doubled consonant is only a guess: it must lead to a thing, and a cloud or a
    # dream is a curated scene, pictured by the adjective's own reading or not at all.
    match = lookup_word(word, random.Random(0))
    assert "said in chat" not in match.label, match


def test_dogs_in_chat_are_dogs() -> None:
    assert set(lookup_word("doggos", random.Random(0)).choices) <= DOGS


@pytest.mark.parametrize(
    ("text", "expected"),
    [("sleepy catto", DOMESTIC_CATS), ("cute lil froggy", SETS["@frogs"]), ("angery birb", SETS["@birds"])],
)
def test_a_chat_head_with_words_about_it_is_one_thing(text: str, expected: set[int]) -> None:
    # Were split into words: "sleepy" gave a cradle, "angery" a punching bag beside the cat or bird.
    matches = lookup(text, 0)
    assert len(matches) == 1 and set(matches[0].choices) <= expected, matches


def test_a_word_the_tables_read_is_no_chat_head() -> None:
    # "bunny" is a rabbit by WordNet; cut to a chat stem it was a bun, a bagel.
    assert set(lookup("cute bunny", 0)[0].choices) <= SETS["@rabbits"]
