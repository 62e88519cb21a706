"""Reading a word by meaning, for the lookup: a known word or a set of classes it means, how sure,
whether a weak WordNet guess holds up, and suggestions that are neighbours in meaning.

Embeddings alone match spelling as much as meaning ("perro" is near "biro", "bunbun" near
"bun"), so a neighbour counts only when two readings agree: the known word nearest the text
must mean classes that are themselves near the text. Thresholds were set on
tests/data/meaning_tuning.tsv and checked on meaning_holdout.tsv and meaning_holdout2.tsv (never tuned on).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pipeline.classes import class_name
from pipeline.words.meaning import Meaning, shared_meaning

# A known word nearer than this may stand for the text...
MIN_WORD_SCORE = 0.60
# ...when the definition of one of its classes is at least this near the text too (both agree).
MIN_AGREEMENT = 0.43
# A weak WordNet guess (a broader sense, a related word, a word in a class name) stands when one
# of its classes is at least this near the word in meaning: "puppy" → dog stands, "octopus" →
# chambered nautilus does not.
MIN_CONFIRMATION = 0.42
# A known word with more classes than this is too broad to stand for a text ("octopus" is near
# "creature", which is every animal).
MAX_GUESS_CLASSES = 150
# ...and one with more than this many stands only through those of its classes that agree.
MAX_UNNARROWED_GUESS = 12
# A phrase's head keeps the classes its other words bring nearer, by at least this much over the
# head alone, and within this margin of the one brought nearest ("steam train").
MIN_NARROWING_GAIN, NARROWING_MARGIN = 0.08, 0.04
# Suggestions: classes at least this near, at most this many.
MIN_SUGGESTION_SCORE = 0.45
MAX_SUGGESTIONS = 3
# Confidence: a logistic curve of the agreement score, fitted on the tuning words (hit or miss).
_CONFIDENCE_SLOPE, _CONFIDENCE_MIDPOINT = 12.0, 0.43


@dataclass(frozen=True)
class MeaningGuess:
    """What a word means by the model: a known word's classes, and how sure that is (0..1)."""

    via: str
    classes: tuple[int, ...]
    score: float
    confidence: float


def available() -> bool:
    """Whether a meaning model is configured and installed (loading it on first call)."""
    return shared_meaning() is not None


def warm(vocabulary: tuple[str, ...]) -> None:
    """Load the model and the vocabulary's vectors now (a bot's start), not at its first unknown word."""
    meaning = shared_meaning()
    if meaning is not None:
        meaning.nearest_words("warm", vocabulary, k=1)


def confidence(score: float) -> float:
    """A calibrated 0..1 confidence for an agreement score."""
    return 1 / (1 + math.exp(-_CONFIDENCE_SLOPE * (score - _CONFIDENCE_MIDPOINT)))


def guess(text: str, vocabulary: tuple[str, ...], classes_of: Callable[[str], tuple[int, ...]]) -> MeaningGuess | None:
    """The known word the text means, where the word's classes agree, else None."""
    meaning = shared_meaning()
    if meaning is None or not _readable(text):
        return None
    # The nearest word only: the next ones are as often look-alikes in spelling ("bunbun" → bunting).
    nearest = meaning.nearest_words(text, vocabulary, k=1)
    if not nearest or nearest[0].score < MIN_WORD_SCORE:
        return None
    word = str(nearest[0].key)
    classes = classes_of(word)
    if not classes or len(classes) > MAX_GUESS_CLASSES:
        return None
    # Against definitions only: a class name shares letters with the text as the word does ("boxing", "boxer").
    scores = meaning.definition_scores(text)[list(classes)]
    agreement = float(np.max(scores))
    if agreement < MIN_AGREEMENT:
        return None
    if len(classes) > MAX_UNNARROWED_GUESS:
        # A broad word stands for the text only through the classes that agree: "usb" is near
        # "device", but is no abacus or accordion.
        classes = tuple(c for c, score in zip(classes, scores.tolist(), strict=True) if score >= MIN_AGREEMENT)
    return MeaningGuess(word, classes, agreement, confidence(agreement))


def confirmation(text: str, classes: tuple[int, ...]) -> float | None:
    """How near in meaning the nearest of the classes is to the text (None: no model)."""
    meaning = shared_meaning()
    if meaning is None or not classes or not _readable(text):
        return None
    return float(np.max(meaning.class_scores(text)[list(classes)]))


def confirms(text: str, classes: tuple[int, ...]) -> bool:
    """Whether a weak guess holds up by meaning (always, without a model)."""
    score = confirmation(text, classes)
    return score is None or score >= MIN_CONFIRMATION


def nearest_of(text: str, classes: tuple[int, ...], head: str) -> tuple[tuple[int, ...], float]:
    """The classes the words around a head point to, and how near the text the nearest is: among
    the trains, "steam train" rises most toward the steam locomotive over "train" alone. All of
    them where the words add little (a "black cat" is any cat); (classes, 0.0) without a model."""
    meaning = shared_meaning()
    if meaning is None or not classes or not _readable(text):
        return classes, 0.0
    index = list(classes)
    scores = meaning.class_scores(text)[index]
    gain = scores - meaning.class_scores(head)[index]
    best, top = float(scores.max()), float(gain.max())
    if len(classes) == 1 or top < MIN_NARROWING_GAIN:
        return classes, best
    return tuple(c for c, g in zip(classes, gain.tolist(), strict=True) if g >= top - NARROWING_MARGIN), best


def suggest(text: str) -> tuple[str, ...] | None:
    """Class names nearest the text in meaning, nearest first (None: no model to ask)."""
    meaning = shared_meaning()
    if meaning is None:
        return None
    if not _readable(text):
        return ()
    return tuple(class_name(c) for c in _nearest_classes(meaning, text))


def _nearest_classes(meaning: Meaning, text: str) -> list[int]:
    scores = meaning.class_scores(text)
    order = np.argsort(-scores)[:MAX_SUGGESTIONS]
    return [int(c) for c in order if scores[c] >= MIN_SUGGESTION_SCORE]


def _readable(text: str) -> bool:
    """Whether the model can read the text: letters, not only emoji or symbols."""
    return any(char.isalpha() for char in text)
