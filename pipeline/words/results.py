"""What a lookup returns: a word's Match (its class, how it was found, what the seed chose among)
and the errors a request is refused with."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any

from pipeline.classes import class_name
from pipeline.errors import PipelineError
from pipeline.words import emoji as E
from pipeline.words.tables import Method
from pipeline.words.text import MAX_WORD_CHARS, NUMBER, normalise

_EXPLAIN = {
    Method.ID: "class id",
    Method.EXACT: "class name",
    Method.SYNONYM: "synonym",
    Method.KIND_OF: "a kind of {via}",
    Method.IN_NAME: "in the class name",
    Method.BROADER: "broader: {via}",
    Method.RELATED: "related: {via}",
    Method.SPELLING: "spelling: {via}",
    Method.MEANING: "meaning: {via}",
    Method.TRANSLATION: "other language: {via}",
}


class TooManyWords(PipelineError):
    """A request names more words than allowed."""

    def __init__(self, max_words: int, got: int, *, at_least: bool = False) -> None:
        self.max_words, self.got, self.at_least = max_words, got, at_least
        counted = f"at least {got}" if at_least else str(got)
        super().__init__(f"at most {max_words} classes can be asked for at once (got {counted}).")


class TextTooLong(PipelineError):
    """A request's text is longer than any request of the allowed number of words needs."""

    def __init__(self, max_chars: int, got: int) -> None:
        self.max_chars, self.got = max_chars, got
        super().__init__(f"a request can be at most {max_chars:,} characters long (got {got:,}); ask for fewer words.")


class NoWords(PipelineError):
    """A request holds nothing to look up (empty, or only punctuation and decoration emoji)."""

    def __init__(self, text: str) -> None:
        self.text = text
        where = f" in {text!r}" if text.strip() else ""
        super().__init__(f'no words to look up{where}; give words, class names or ids 0-999, e.g. "dog, ocean, 207".')


class UnknownWords(PipelineError):
    """Some words match no class (or only blocked ones); each carries its suggestions."""

    def __init__(self, matches: tuple[Match, ...]) -> None:
        self.matches = matches
        super().__init__("; ".join(why_unknown(m) for m in matches) + ".")


class BlockedWords(UnknownWords):
    """Every refused word reaches only classes the caller blocks (a server's block list)."""


def why_unknown(match: Match) -> str:
    if match.method is Method.BLOCKED:
        names = ", ".join(class_name(c) for c in match.blocked[:3]) + (", …" if len(match.blocked) > 3 else "")
        return f"{_quoted(match.query)} reaches only classes that are blocked here ({names})"
    if NUMBER.fullmatch(normalise(match.query)) and not E.is_emoji(match.query):
        return f"{_quoted(match.query)} is not a BigGAN class id (0-999)"
    what = f" ({match.via})" if E.is_emoji(match.query) and match.via else ""
    hint = f" (did you mean: {', '.join(match.suggestions)}?)" if match.suggestions else ""
    return f"{_quoted(match.query)}{what} matches no BigGAN class{hint}"


def _quoted(query: str) -> str:
    """A word as a message quotes it."""
    return repr(_cut(query))


def _cut(query: str) -> str:
    """A word as a message shows it: cut after a word's length, so a pasted page stays one line."""
    return query if len(query) <= MAX_WORD_CHARS else query[: MAX_WORD_CHARS - 1] + "…"


def seed_base(seed: int | random.Random) -> int:
    """64 bits that stand for the seed: an int seed and random.Random(seed) give the same ones."""
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    return rng.getrandbits(64)


def pick(base: int, position: int, n_choices: int) -> int:
    """Which of n choices the word at `position` gets: a hash, so no other word changes it."""
    digest = hashlib.blake2b(f"{base}:{position}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % n_choices


@dataclass(frozen=True)
class Match:
    """The class chosen for one word, how it was found, the classes the seed chose among, and other candidates."""

    query: str
    class_id: int | None
    method: Method
    alternatives: tuple[int, ...] = ()
    via: str = ""  # the word that led there: a broader sense, a corrected spelling, an emoji's words
    choices: tuple[int, ...] = ()  # the classes the seed picks from, in order; () when unknown or blocked
    suggestions: tuple[str, ...] = ()
    position: int = 0  # the word's place in its request: with the seed, it decides the pick
    label: str = ""  # what the choices are, as a plural noun phrase: "kinds of dog"
    blocked: tuple[int, ...] = ()  # for a blocked word: the classes it reached
    reason: str = ""  # why: "exact", "WordNet", "curated", "spelling" or "meaning"; "" when unknown
    confidence: float = 1.0  # how sure the reading is, 0..1 (a meaning guess's calibrated confidence)

    @property
    def short_query(self) -> str:
        """The word as a message shows it: cut when it is longer than a word can be."""
        return _cut(self.query)

    @property
    def class_name(self) -> str | None:
        """The chosen class's display name, None when unknown."""
        return None if self.class_id is None else class_name(self.class_id)

    @property
    def n_choices(self) -> int:
        """How many classes the chosen one was drawn from."""
        return max(1, len(self.choices))

    def class_for(self, seed: int) -> int | None:
        """The class this word becomes when its request is looked up with `seed` (what the render shows)."""
        if not self.choices:
            return None
        if len(self.choices) == 1:
            return self.choices[0]
        return self.choices[pick(seed_base(seed), self.position, len(self.choices))]

    def preview(self, seed: int | None = None) -> str:
        """What the word will render as, truthfully: "dog → Chihuahua" for a known seed, else
        "dog → one of 118 kinds of dog, picked by the seed" (or why it is unknown or blocked)."""
        if self.class_id is None:
            return why_unknown(self)
        if len(self.choices) > 1 and seed is None:
            return f"{self.query} → one of {len(self.choices)} {self.label}, picked by the seed"
        chosen = self.class_id if seed is None else self.class_for(seed)
        assert chosen is not None
        return f"{self.query} → {class_name(chosen)}"

    def explain(self) -> str:
        """A short phrase saying how the class was found."""
        if self.method is Method.UNKNOWN:
            return "unknown" + (f"; did you mean: {', '.join(self.suggestions)}?" if self.suggestions else "")
        if self.method is Method.BLOCKED:
            return "blocked here"
        template = _EXPLAIN[self.method] if self.via else _EXPLAIN[self.method].replace(": {via}", " word")
        if "{via}" not in template and self.via and self.via != normalise(self.query):
            template += ": {via}"  # the part of a phrase that was read: "tiger roar" → class name: tiger
        text = template.format(via=self.via or normalise(self.query))
        return text + (f"; 1 of {self.n_choices}" if self.n_choices > 1 else "")

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the match."""
        return {
            "query": self.query,
            "class_id": self.class_id,
            "class_name": self.class_name,
            "method": self.method.value,
            "via": self.via or None,
            "choices": self.n_choices,
            "choice_ids": list(self.choices),
            "group": self.label or None,
            "position": self.position,
            "alternatives": list(self.alternatives),
            "suggestions": list(self.suggestions),
            "reason": self.reason or None,
            "confidence": round(self.confidence, 2) if self.class_id is not None else None,
        }
