"""From the words heard in a clip to a class per segment: the most picture-able word heard in each.

A word is worth showing when it names a thing a person can see. Each heard word (and each run of
two or three that names a class, "teddy bear") is looked up as a typed word would be, and scored:

    score = how directly it names a class (a class name or synonym over a guess from a broader sense)
          × how much it is a noun (WordNet's corpus counts of its noun senses; "a ___" before it
            raises that, "I ___" or "to ___" lowers it: "I saw" is no tool)
          × how sure the recogniser was of the word
          × the lookup's confidence, where the lookup gives one.

Each segment gets the class of its best-scoring word; a segment without one keeps its random
class. A word may be heard, and shown, again. On public accounts a word reaching only blocked or
unsafe classes is never used, nor shown.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.analysis import Analysis, segment_alphas
from pipeline.classes import class_name
from pipeline.errors import PipelineError
from pipeline.words.heard import HeardWord
from pipeline.words.lookup import STOPWORDS, LookupOptions, Match, Method, base_forms, curated_words, load_index, lookup
from pipeline.words.safety import unsafe_for_random

# How directly each way of reaching a class names the thing heard.
METHOD_WEIGHT = {
    Method.EXACT: 1.0,
    Method.SYNONYM: 0.9,
    Method.KIND_OF: 0.8,
    Method.BROADER: 0.5,
    Method.IN_NAME: 0.35,
    Method.RELATED: 0.3,
}
MIN_SCORE = 0.08  # below this a word is more likely a verb or a guess than a thing seen
COMMON_NOUN_TAGS = 30  # a noun tagged this often in WordNet's corpus counts as fully a noun
MIN_WORD_LETTERS = 3
MAX_PHRASE_WORDS = 3
MAX_PHRASE_GAP_S = 0.6  # words further apart than this are not one name
MAX_CUT_SHIFT_S = 0.5  # a cut this close to the start of its segment's word moves onto it
MIN_SEGMENT_S = 0.25  # nor may a move leave a segment shorter than this
# Words before a noun, and words before a verb: "the saw" is a tool, "I saw" is not.
BEFORE_NOUN = frozenset(
    {"a", "an", "the", "my", "your", "his", "her", "our", "their", "this", "that", "these", "those", "every",
     "each", "no", "some", "big", "little", "old", "new", "red", "blue", "green", "black", "white", "golden"}
)  # fmt: skip
BEFORE_VERB = frozenset(
    {"i", "you", "we", "they", "he", "she", "it", "who", "to", "will", "can", "would", "could", "should", "must",
     "might", "don't", "didn't", "can't", "won't", "gonna", "wanna", "let's", "i'll", "we'll", "you'll", "i'm"}
)  # fmt: skip
NOUN_CONTEXT = 1.3
CLASS_NAME_NOUN = 0.8
_NAME_METHODS = frozenset({Method.EXACT, Method.SYNONYM, Method.KIND_OF})  # a run of words must name a class
VERB_CONTEXT = 0.35


@dataclass(frozen=True)
class HeardClass:
    """A class from a word heard: the word, when it was heard, the class, and its score."""

    word: str
    start_s: float
    end_s: float
    class_id: int
    score: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, as the sidecar's segments carry it."""
        return {
            "word": self.word,
            "time": round(self.start_s, 3),
            "class_id": self.class_id,
            "class_name": class_name(self.class_id),
            "score": round(self.score, 3),
        }


def heard_classes(
    words: Sequence[HeardWord], seed: int, *, blocked: frozenset[int] = frozenset(), safe_only: bool = False
) -> list[HeardClass]:
    """Every heard word or phrase that names a class, scored; none reaching only blocked (or, with
    `safe_only`, unsafe) classes."""
    options = LookupOptions(max_words=1, fix_spelling=False, blocked=blocked, steer_safe=True)
    unsafe = unsafe_for_random() if safe_only else {}
    positions: dict[str, int] = {}  # each distinct word its place, so the seed picks the same kind for a repeat
    found: list[HeardClass] = []
    index = 0
    while index < len(words):
        best = None
        for length in range(min(MAX_PHRASE_WORDS, len(words) - index), 0, -1):
            run = words[index : index + length]
            if length > 1 and not _one_name(run):
                continue
            best = _candidate(run, words[index - 1] if index else None, seed, options, unsafe, positions)
            if best is not None:
                break
        if best is not None:
            found.append(best)
            index += len(best.word.split())
        else:
            index += 1
    return found


def per_segment(found: Sequence[HeardClass], cut_times: Sequence[float], first: int = 0) -> list[HeardClass | None]:
    """The best word heard in each segment [cut i, cut i+1), from segment `first` on (earlier ones: None)."""
    chosen: list[HeardClass | None] = [None] * max(0, len(cut_times) - 1)
    for heard in found:
        middle = (heard.start_s + heard.end_s) / 2
        segment = _segment_at(cut_times, middle)
        if segment is None or segment < first:
            continue
        current = chosen[segment]
        if current is None or heard.score > current.score:
            chosen[segment] = heard
    return chosen


def cuts_on_words(analysis: Analysis, chosen: Sequence[HeardClass | None]) -> Analysis:
    """The analysis with each cut that is close to the start of its segment's word moved onto it, so the
    thing is shown whole as it is named; the alphas follow the cuts. The clip's first and last cut stay."""
    points = analysis.inflection_points.copy()
    rate = analysis.columns_per_second
    gap = max(1, round(MIN_SEGMENT_S * rate))
    for index, heard in enumerate(chosen):
        if heard is None or index == 0 or index >= len(points) - 1:
            continue
        column = round(heard.start_s * rate)
        close = abs(column - points[index]) <= MAX_CUT_SHIFT_S * rate
        if close and points[index - 1] + gap <= column <= points[index + 1] - gap:
            points[index] = column
    if np.array_equal(points, analysis.inflection_points):
        return analysis
    alphas, segment_of_column = segment_alphas(analysis.smoothed, points)
    return dataclasses.replace(analysis, inflection_points=points, alphas=alphas, segment_of_column=segment_of_column)


def _segment_at(cut_times: Sequence[float], time_s: float) -> int | None:
    for segment in range(len(cut_times) - 1):
        last = segment == len(cut_times) - 2
        if cut_times[segment] <= time_s and (time_s < cut_times[segment + 1] or last):
            return segment
    return None


def _one_name(run: Sequence[HeardWord]) -> bool:
    """Whether consecutive words may be one name: close in time, none a function word, no comma between."""
    gaps_ok = all(b.start_s - a.end_s <= MAX_PHRASE_GAP_S for a, b in itertools.pairwise(run))
    no_breaks = all(not w.text.rstrip().endswith((",", ".", "!", "?", ";")) for w in run[:-1])
    return gaps_ok and no_breaks and all(w.word not in STOPWORDS for w in run)


def _candidate(
    run: Sequence[HeardWord],
    before: HeardWord | None,
    seed: int,
    options: LookupOptions,
    unsafe: dict[int, str],
    positions: dict[str, int],
) -> HeardClass | None:
    text = " ".join(w.word for w in run)
    if not _worth_looking_up(text) or (len(run) > 1 and not _listed(text)):
        return None
    match = _lookup(text, seed, options)
    if match is None or match.method not in METHOD_WEIGHT or (len(run) > 1 and match.method not in _NAME_METHODS):
        return None
    position = positions.setdefault(text, len(positions))
    class_id = dataclasses.replace(match, position=position).class_for(seed)
    if class_id is None or class_id in unsafe:
        return None
    score = (
        METHOD_WEIGHT[match.method]
        * max(noun_likelihood(text, before.word if before is not None else ""), _name_floor(match))
        * min(w.probability for w in run)
        * _confidence(match)
    )
    if score < MIN_SCORE:
        return None
    return HeardClass(text, run[0].start_s, run[-1].end_s, class_id, score)


def _worth_looking_up(text: str) -> bool:
    return len(text.replace(" ", "")) >= MIN_WORD_LETTERS and text not in STOPWORDS


def _listed(phrase: str) -> bool:
    """Whether a run of words is itself a known name: checked before the full lookup, whose spelling
    guesses on every unknown pair of words would cost seconds over a song's lyrics."""
    index, curated = load_index(), curated_words()
    return any(form in index.words or form in curated for form in base_forms(phrase))


@functools.lru_cache(maxsize=8192)
def _lookup(text: str, seed: int, options: LookupOptions) -> Match | None:
    try:
        matches = lookup(text, seed, options)
    except PipelineError:
        return None
    # A run that the lookup splits into several words is not one name.
    return matches[0] if len(matches) == 1 and matches[0].class_id is not None else None


def noun_likelihood(word: str, before: str = "") -> float:
    """0..1: how likely the word, after `before`, names a thing: WordNet's noun counts, and the word before it."""
    if word in curated_words():
        prior = 1.0  # a person listed it as a thing to show
    else:
        index = load_index()
        tags = max((index.tags(form) for form in base_forms(word)), default=0)
        prior = 0.4 + 0.6 * min(1.0, math.log1p(tags) / math.log1p(COMMON_NOUN_TAGS))
    if before in BEFORE_NOUN:
        prior *= NOUN_CONTEXT
    elif before in BEFORE_VERB:
        prior *= VERB_CONTEXT
    return min(1.0, prior)


def _name_floor(match: Match) -> float:
    """A class's own name is a thing to see however rarely WordNet's corpus met it ("teddy bear")."""
    if match.method is not Method.EXACT:
        return 0.0
    # A name of several words ("golden retriever") is more particular than any one word beside it.
    return 1.0 if " " in match.query.strip() else CLASS_NAME_NOUN


def _confidence(match: Match) -> float:
    """The lookup's own confidence in the match (a meaning model's, where one is present), else 1."""
    value = getattr(match, "confidence", None)
    return float(value) if isinstance(value, int | float) and 0 <= value <= 1 else 1.0
