"""Splitting a request into words, phrases and emoji: separators, "and", known phrases, a head noun
with its modifiers, and emoji that only decorate or echo a word."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.words import emoji as E
from pipeline.words import foreign_phrases, spelling
from pipeline.words.forms import is_english, known, known_pieces
from pipeline.words.phrases import held, is_thing, modifies, subject_and_rest, thing_tail
from pipeline.words.reading import (
    Reading,
    chat_head,
    cooked_animal,
    known_tail,
    read,
    read_said,
    the_one_thing_named,
    typed_apart,
)
from pipeline.words.results import TooManyWords
from pipeline.words.tables import Method
from pipeline.words.text import MAX_WORD_CHARS, NUMBER, STOPWORDS, clean, has_emoji, has_words, normalise

_SEPARATORS = re.compile(r"[,;/|+\n]")
_AND = re.compile(r"&|\band\b", re.IGNORECASE)  # splits a part unless the whole part is a known name


def split_words(text: str) -> list[str]:
    """Separate a request into words, phrases and emoji: commas, "and" and the like, else known phrases.

    Emoji stand alone ("🐶🌊" is two words); a run of the same emoji counts once, decoration
    (😂 ❤️ 👍) is dropped, and an emoji beside a word that means the same is dropped ("dog🐶").
    """
    return [unit.text for unit in request_units(text)]


@dataclass(frozen=True)
class _Unit:
    text: str  # a normalised word or phrase, or one emoji as typed
    chunk: int  # which comma-separated part of the request it came from
    reading: Reading | None = None  # what an emoji, or a thing a phrase of another language joins, reads as


def _chunks(text: str) -> list[str]:
    """The parts of a request between commas and the like, and "and" where it joins two things,
    not where it belongs to a name ("black and gold garden spider", "rock and roll")."""
    chunks: list[str] = []
    for part in _SEPARATORS.split(clean(text)):
        joined = _AND.sub(" and ", part)  # "rock & roll" is the name "rock and roll"
        whole = normalise(joined)
        chunks += [joined] if " and " in f" {whole} " and known(whole) else _AND.split(part)
    return [chunk for chunk in chunks if has_words(normalise(chunk)) or has_emoji(chunk)]


def request_units(text: str, max_words: int | None = None) -> list[_Unit]:
    """The words, phrases and emoji of a request; past `max_words` words it stops reading (and
    searching) at once: every word found so far stays a word whatever follows."""
    units: list[_Unit] = []
    words = 0  # an emoji may yet be dropped as an echo of a word beside it, a word never is
    for number, chunk in enumerate(_chunks(text)):
        for is_emoji, piece in E.split_emoji(chunk):
            if is_emoji:
                previous = units[-1] if units and units[-1].chunk == number else None
                if previous and previous.reading and E.bare(previous.text) == E.bare(piece):
                    continue  # "🔥🔥🔥" is one fire
                reading = read(piece)
                if not reading.decoration:
                    units.append(_Unit(piece, number, reading))
            else:
                for word, said in _words(normalise(piece)):
                    units.append(_Unit(word, number, said))
                    words += 1
                    if max_words is not None and words > max_words:
                        raise TooManyWords(max_words, words, at_least=True)
    return _drop_echoes(units)


def _words(text: str) -> Iterator[tuple[str, Reading | None]]:
    """The words and phrases of a run of text, each with its reading where the splitting knows it: the
    things a phrase of another language joins ("perro y gato"), read in that language ("karhu ja susi"
    is a Finnish bear and wolf, though "susi" alone is Polish for dry). A run written without spaces
    is not split at a conjunction the search finds in it: that cost a held-out phrase."""
    foreign = foreign_phrases.in_english(text) if has_words(text) else None
    if foreign is None:
        yield from ((word, None) for word in _pieces(text))
        return
    if len(foreign.parts) == 1 or " " not in text:
        yield text, None  # one phrase: "el caballo blanco" is a white horse, not a horse and a polar bear
        return
    for typed, english in foreign.parts:
        said = read_said(typed, english, foreign.language)
        yield typed, (said if said.group else None)


def _drop_echoes(units: list[_Unit]) -> list[_Unit]:
    """Drop an emoji that sits beside a word meaning the same ("🐶dog", "dog 🐶🐶"): it decorates the word."""
    keep = []
    for index, unit in enumerate(units):
        if unit.reading is not None and unit.reading.group and E.is_emoji(unit.text):
            beside = [u for u in units[max(0, index - 1) : index + 2] if u.chunk == unit.chunk and u.reading is None]
            if any(set(read(n.text).group) == set(unit.reading.group) for n in beside):
                continue
        keep.append(unit)
    return keep


def _pieces(words: str) -> Iterator[str]:
    """The words and phrases of a run of text: the whole run when it is known; else its longest
    known phrases less function words ("golden retriever ocean" is two, "cat in a hat" too),
    unless one of those is unknown and the whole run reads as a misspelt name ("golden retreiver")
    or ends in a known phrase ("big red dog" → dog, "walk in the park" → park).

    A run longer than a word can be is never read whole (see read), so it is never searched
    whole (the spelling search costs the square of its length) and its phrases come one at a
    time, for the caller to stop at its word cap."""
    if not has_words(words):
        return iter(())
    if known(words):
        return iter((words,))
    pieces = (piece for piece in known_pieces(words) if piece not in STOPWORDS)
    if len(words) > MAX_WORD_CHARS:
        return pieces
    if typed_apart(words) is not None:
        return iter((words,))  # "jelly fish" is one jellyfish
    if thing_tail(words) is not None or chat_head(words) is not None:
        return iter((words,))  # "big cab" is a cab, "baby shoe shop" a shoe shop, "sleepy catto" a cat: the head wins
    if cooked_animal(words) is not None:
        return iter((words,))  # "roast pork" is one dish, not a roast and pork
    if subject_and_rest(words) is not None and read(words).group:
        return iter((words,))  # "bee on a flower" is one bee, "kids on a swing" one swing
    found = list(pieces)
    unknown = len(found) > 1 and not all(known(piece) for piece in found)
    if unknown and (spelling.fix(words) is not None or known_tail(words) is not None or _read_whole(words, found)):
        return iter((words,))
    # "tiger roar": one thing among words naming nothing. Only runs with a real word are asked
    # (gibberish is not searched twice: the word cap must stop the searching first).
    if any(is_english(piece) for piece in found) and the_one_thing_named(words) is not None:
        return iter((words,))
    if _modified_head(words, found) or _kind_before_head(words, found) or held(words) is not None:
        return iter((words,))  # "red sports car" is one sports car, not red wine and a car; "glass of wine" one glass
    return iter(found)


def _read_whole(words: str, pieces: list[str]) -> bool:
    """Whether a run with an unknown piece reads whole by meaning, as a word it holds: "ice cream
    cone" is ice cream though "cone" alone reads as nothing; "mosh pit" is no thrush. Only runs
    with a known piece are asked (gibberish is not searched twice)."""
    if not any(known(piece) for piece in pieces):
        return False
    reading = read(words)
    return reading.method is Method.MEANING and bool(set(reading.via.split()) & set(words.split()))


def _kind_before_head(words: str, pieces: list[str]) -> bool:
    """Whether a run names one thing by a kind of its head before it: every earlier piece's classes
    are among the last piece's ("golden retriever puppy" is a golden retriever, "polar bear cub" a
    polar bear). Two things side by side share no class ("dog cat", "golden retriever ocean")."""
    if len(pieces) < 2 or " ".join(pieces) != words or not all(known(piece) for piece in pieces):
        return False  # unknown pieces are not read here: the word cap must stop the searching first
    head = read(pieces[-1])
    within = {c for group in (head.group, *head.other_groups) for c in group}
    earlier = [read(piece).group for piece in pieces[:-1]]
    return bool(within) and all(group and set(group) <= within for group in earlier)


def _modified_head(words: str, pieces: list[str]) -> bool:
    """Whether a run of words is one thing named by its last piece, every earlier piece a single
    word that is no thing of its own ("red", "cute", "hot", "baby") or a colour: the head noun and its modifiers.
    Two things side by side ("dog cat", "golden retriever ocean") stay two."""
    if len(pieces) < 2 or " ".join(pieces) != words or is_thing(pieces[-1]) is None:
        return False
    return all(" " not in piece and modifies(piece) and not NUMBER.fullmatch(piece) for piece in pieces[:-1])
