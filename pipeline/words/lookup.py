"""From a user's words to BigGAN classes: names, synonyms, kinds, broader senses, spelling fixes, emoji.

Everything WordNet knows is precomputed into the committed pipeline/data/wordnet_index.tsv
(see scripts/build_wordnet_index.py); words WordNet misses or misreads are curated in
pipeline/data/curated_words.tsv, emoji in pipeline/data/emoji_words.tsv. This module only
normalises, splits, looks up and chooses, so it runs offline in well under a millisecond per word.

Where a word reaches several classes ("dog" → 118 breeds), the seed picks one. The pick
depends only on the seed and the word's place in the request, so `Match.class_for(seed)`
names the class a render with that seed shows, and `Match.preview()` can say "one of 118
kinds of dog, picked by the seed" while the seed is not known yet.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from pipeline.words import foreign_phrases, lexicon, relations, spelling
from pipeline.words import reader as meaning
from pipeline.words.complete import complete
from pipeline.words.forms import base_forms
from pipeline.words.reading import Reading, meaning_vocabulary, read
from pipeline.words.results import (
    BlockedWords,
    Match,
    NoWords,
    TextTooLong,
    TooManyWords,
    UnknownWords,
    pick,
    seed_base,
)
from pipeline.words.safety import unsafe_for_random
from pipeline.words.splitting import request_units, split_words
from pipeline.words.tables import Method, curated_words, load_index
from pipeline.words.text import MAX_WORD_CHARS, STOPWORDS, normalise

# The names callers import from here; each lives in the module of its concern.
__all__ = [
    "DEFAULT_MAX_WORDS",
    "MAX_CHARS_PER_WORD",
    "MAX_WORD_CHARS",
    "STOPWORDS",
    "BlockedWords",
    "LookupOptions",
    "Match",
    "Method",
    "NoWords",
    "TextTooLong",
    "TooManyWords",
    "UnknownWords",
    "base_forms",
    "complete",
    "curated_words",
    "load_index",
    "lookup",
    "lookup_word",
    "normalise",
    "resolve_words",
    "split_words",
    "warm",
]
# Private names a benchmark and the words tests reach for: the cached reading and the model's vocabulary.
_read = read
_meaning_vocabulary = meaning_vocabulary

DEFAULT_MAX_WORDS = 50
MAX_ALTERNATIVES = 5
# A request's text may hold this many characters per word it may ask for (6,000 for 50 words:
# Discord's longest option): room for names, separators and function words, yet a bound on the
# work whatever is pasted, checked before anything else is done with the text.
MAX_CHARS_PER_WORD = 2 * MAX_WORD_CHARS

# Why a class was chosen, as `ganterp classes` shows it: a name, WordNet, the curated table,
# a spelling fix or the meaning model (pipeline/words/).
_WORDNET_METHODS = frozenset({Method.SYNONYM, Method.KIND_OF, Method.IN_NAME, Method.BROADER, Method.RELATED})


@dataclass(frozen=True)
class LookupOptions:
    """What a front end allows: how many words, whether typos are fixed or refused, which classes are blocked.

    `blocked` (a server's block list) makes a word that reaches only blocked classes refused,
    and steers a word with several classes away from blocked ones. `steer_safe` steers such
    a word away from the classes left out of random picks (pipeline/words/safety.py) while it has
    others: "boat" is a boat, not the aircraft carrier; "gun" still gets a gun.
    """

    max_words: int = DEFAULT_MAX_WORDS
    fix_spelling: bool = True
    blocked: frozenset[int] = frozenset()
    steer_safe: bool = True


def lookup(text: str, seed: int | random.Random = 0, options: LookupOptions = LookupOptions()) -> list[Match]:
    """Resolve every word of a request; unknown words are kept, marked unknown."""
    _check_length(text, options)
    units = request_units(text, options.max_words)
    if not units:
        raise NoWords(text)
    if len(units) > options.max_words:
        raise TooManyWords(options.max_words, len(units))
    base = seed_base(seed)
    return [_choose(unit.text, unit.reading or read(unit.text), base, i, options) for i, unit in enumerate(units)]


def resolve_words(text: str, seed: int | random.Random = 0, options: LookupOptions = LookupOptions()) -> list[int]:
    """Class ids for a request, in order; raises UnknownWords (BlockedWords) naming every word that
    matched no class (only blocked classes)."""
    matches = lookup(text, seed, options)
    refused = tuple(m for m in matches if m.class_id is None)
    if refused and all(m.method is Method.BLOCKED for m in refused):
        raise BlockedWords(refused)
    if refused:
        raise UnknownWords(refused)
    return [m.class_id for m in matches if m.class_id is not None]


def lookup_word(query: str, rng: random.Random, options: LookupOptions = LookupOptions()) -> Match:
    """Resolve one word, phrase or emoji: id, curated word, index (with plural forms), spelling fix, its last words.

    Without `fix_spelling` a misspelt word is unknown, its fix the first suggestion: for
    front ends that cannot show the user what was corrected.
    """
    _check_length(query, options)
    return _choose(query, read(query), seed_base(rng), 0, options)


def _check_length(text: str, options: LookupOptions) -> None:
    """Refuse text longer than the allowed words can need, before any work is done on it."""
    max_chars = max(1, options.max_words) * MAX_CHARS_PER_WORD
    if len(text) > max_chars:
        raise TextTooLong(max_chars, len(text))


def _choose(query: str, reading: Reading, base: int, position: int, options: LookupOptions) -> Match:
    """The seed's pick among a reading's classes, after leaving out blocked (and, while others remain, unsafe) ones."""
    if reading.method is Method.UNKNOWN:
        return Match(query, None, Method.UNKNOWN, via=reading.via, suggestions=reading.suggestions, position=position)
    if reading.fixed and not options.fix_spelling:
        suggestions = (reading.fixed, *(n for n in spelling.suggest(normalise(query)) if n != reading.fixed))
        return Match(query, None, Method.UNKNOWN, suggestions=suggestions[:3], position=position)
    choices = tuple(c for c in reading.group if c not in options.blocked)
    if not choices:
        return Match(query, None, Method.BLOCKED, via=reading.via, position=position, blocked=reading.group)
    if options.steer_safe:
        unsafe = unsafe_for_random()
        choices = tuple(c for c in choices if c not in unsafe) or choices
    chosen = choices[pick(base, position, len(choices))] if len(choices) > 1 else choices[0]
    others = [c for group in (reading.group, *reading.other_groups) for c in group if c != chosen]
    alternatives = tuple(c for c in dict.fromkeys(others) if c not in options.blocked)[:MAX_ALTERNATIVES]
    return Match(
        query,
        chosen,
        reading.method,
        alternatives,
        via=reading.via,
        choices=choices,
        position=position,
        label=reading.label,
        reason=_reason(reading),
        confidence=reading.confidence,
    )


def _reason(reading: Reading) -> str:
    """Why the reading's classes were chosen, in a word."""
    if reading.curated:
        return "curated"
    if reading.method in _WORDNET_METHODS:
        return "WordNet"
    if reading.method in (Method.SPELLING, Method.MEANING, Method.TRANSLATION):
        return reading.method.value
    return "exact"


def warm() -> None:
    """Load the index, build the spelling tables and load the words model now, so a bot's first unknown
    word is as quick as the rest."""
    load_index()
    curated_words()
    spelling.warm()
    lexicon.names()
    lexicon.translations()
    foreign_phrases.phrase_words()
    relations.relations()
    meaning.warm(meaning_vocabulary())
