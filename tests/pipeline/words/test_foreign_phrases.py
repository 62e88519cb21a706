"""Short phrases of other languages read as the English phrase they say (pipeline/words/foreign_phrases.py)."""

from __future__ import annotations

import pytest

from pipeline.words import foreign_phrases
from pipeline.words.lookup import Method, lookup, split_words
from pipeline.words.reading import read
from tests.pipeline.words.test_lookup import DOGS, DOMESTIC_CATS, SETS


def choices(text: str) -> set[int]:
    return {c for match in lookup(text, 0) for c in match.choices}


@pytest.mark.parametrize(
    ("phrase", "english"),
    [
        ("el caballo blanco", "the white horse"),  # the describing word goes before its noun
        ("une voiture rouge", "a red car"),
        ("une pomme rouge", "a apple"),  # CLDR's name of 🍎, taken whole
        ("der große Bär", "the big bear"),  # already before it: stays
        ("mi perro pequeño", "small dog"),  # a possessive says nothing of the picture
        ("un pez en el mar", "a fish in the sea"),
    ],
)
def test_a_phrase_of_another_language_says_its_english(phrase: str, english: str) -> None:
    found = foreign_phrases.in_english(phrase)
    assert found is not None and found.english == english


def test_a_noun_spelled_like_english_is_read_in_the_language_its_neighbours_show() -> None:
    # Alone, "chat" and "mar" are English words; after an article of their language they are a cat and the sea.
    assert choices("le chat") <= DOMESTIC_CATS and choices("le chat")
    assert choices("el mar") and choices("el mar") <= SETS["@sea"]
    assert not read("mar").group


def test_a_describing_word_is_no_thing_of_its_own() -> None:
    # "blanco" names the polar bear's emoji in CLDR and "rouge" is English make-up: beside a noun of
    # their language they say its colour, as "white horse" and "black cat" do in English.
    assert choices("el caballo blanco") == choices("white horse")
    assert choices("le chat noir") <= DOMESTIC_CATS  # CLDR's name of 🐈‍⬛, taken whole
    assert choices("gato pequeño") <= DOMESTIC_CATS
    assert choices("großer Bär") == choices("big bear")


def test_the_reading_says_which_language_it_read() -> None:
    reading = read("el caballo blanco")
    assert reading.method is Method.TRANSLATION
    assert "Spanish" in reading.label and "white horse" in reading.label


def test_two_things_joined_in_another_language_stay_two() -> None:
    assert split_words("perro y gato") == ["perro", "gato"]
    assert choices("perro y gato") == DOGS | DOMESTIC_CATS


@pytest.mark.parametrize(
    "text",
    ["red car", "chat room", "die hard", "pain killer", "sole food", "big dog", "mic drop", "james bond car"],
)
def test_english_stays_english(text: str) -> None:
    assert foreign_phrases.in_english(text) is None


def test_a_word_of_no_language_leaves_the_phrase_to_the_english_reader() -> None:
    assert foreign_phrases.in_english("el zzyzx") is None
    assert foreign_phrases.in_english("perro") is None  # one word is read alone, as before


def test_chinese_and_japanese_written_without_spaces_are_split_into_their_words() -> None:
    assert foreign_phrases.in_english("黒い猫") == foreign_phrases.in_english("黒い 猫")
    found = foreign_phrases.in_english("黑色的猫")
    assert found is not None and found.english == "black cat"
    assert choices("黒い猫") and choices("黒い猫") <= DOMESTIC_CATS
    assert foreign_phrases.in_english("黒い猫zz") is None  # a piece no table holds: not split


def test_a_name_of_several_words_is_taken_whole() -> None:
    found = foreign_phrases.in_english("perro caliente grande")
    assert found is not None and found.english == "big hot dog"


@pytest.mark.parametrize(
    ("phrase", "english"),
    [
        ("un helado de fresa", "a strawberry ice cream"),  # the head comes first, its kind after "de"
        ("el ratón del ordenador", "the computer mouse"),
        ("anar-e sorkh", "red pomegranate"),  # Persian's "-e" joins a noun and what it is like
    ],
)
def test_a_noun_said_of_another_is_joined_as_english_joins_them(phrase: str, english: str) -> None:
    found = foreign_phrases.in_english(phrase)
    assert found is not None and found.english == english


def test_a_phrase_is_read_in_the_language_most_of_its_words_belong_to() -> None:
    # "karhu ja susi" is a Finnish bear and wolf: "susi" alone is Polish and Czech for dry, and "ja"
    # names a house somewhere in CLDR, but only Finnish reads every word.
    found = foreign_phrases.in_english("karhu ja susi")
    assert found is not None and found.language == "fi"
    assert [english for _, english in found.parts] == ["bear", "wolf"]


def test_plurals_and_hyphenated_prefixes_are_the_nouns_they_are_made_of() -> None:
    assert foreign_phrases.in_english("tri medvedya") is not None  # Russian: three bears
    assert foreign_phrases.in_english("shnei tukim") is not None  # Hebrew: two parrots
    found = foreign_phrases.in_english("esas naranjas")  # Spanish "naranja" is orange the colour too
    assert found is not None and found.english != "those orange"


def test_a_paste_is_never_split_letter_by_letter() -> None:
    assert foreign_phrases.in_english("猫" * 3000) is None


def test_a_korean_word_loses_its_particle_and_nothing_more() -> None:
    found = foreign_phrases.in_english("큰 고양이가")  # a big cat (subject particle 가)
    assert found is not None and found.english == "big cat"
    assert foreign_phrases._pieces("고양이가") == ["고양이", "가"]
    assert foreign_phrases._pieces("검은") == ["검은"]  # a word of the table stays whole


def test_an_english_word_for_the_same_thing_is_read_among_the_languages_words() -> None:
    # "Auto" and "vino" are English words for the same things; two words of the language's own
    # around them show the phrase is German or Spanish ("mic drop", with Romanian "mic", small, not).
    found = foreign_phrases.in_english("ein schnelles auto")
    assert found is not None and found.english == "a fast auto"
    found = foreign_phrases.in_english("una botella de vino")
    assert found is not None and found.english == "a vino bottle"


def test_a_word_alone_keeps_its_noun_where_another_language_describes_with_it() -> None:
    # Indonesian "anjing" is a dog and German "Maus" a mouse, though the tables hold "anjing" as
    # Chinese pinyin for quiet and "maus" as Portuguese for bad: alone, no language shows.
    assert choices("anjing") <= DOGS and choices("anjing")
    assert choices("maus") and "mouse" in read("maus").via
