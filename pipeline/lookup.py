"""From a user's words to BigGAN classes: names, synonyms, kinds, broader senses, spelling fixes.

Everything WordNet knows is precomputed into the committed pipeline/data/wordnet_index.tsv
(see scripts/build_wordnet_index.py); this module only normalises, splits, looks up and
chooses, so it runs offline in well under a millisecond per word.
"""

from __future__ import annotations

import bisect
import functools
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

from pipeline.classes import N_CLASSES, all_classes, class_name, suggest_names
from pipeline.errors import PipelineError

DEFAULT_MAX_WORDS = 50
MAX_ALTERNATIVES = 5
MAX_PHRASE_WORDS = 4  # the longest class names and WordNet lemmas people type
MAX_WORD_CHARS = 60  # longer is not a word; guessing its spelling would only cost time


class Method(StrEnum):
    """How a word reached its class."""

    ID = "id"
    EXACT = "exact"  # the word is one of the class's names
    SYNONYM = "synonym"  # another name for the class
    KIND_OF = "kind_of"  # the class is a kind of the word ("dog" → a breed)
    IN_NAME = "in_name"  # the word is part of class names ("beer" → beer bottle)
    BROADER = "broader"  # a broader sense of the word has classes ("puppy" → dog)
    RELATED = "related"  # named in the word's definition or a scene it suggests ("ocean" → seashore)
    SPELLING = "spelling"  # a spelling fix of the word resolved
    UNKNOWN = "unknown"


_EXPLAIN = {
    Method.ID: "class id",
    Method.EXACT: "class name",
    Method.SYNONYM: "synonym",
    Method.KIND_OF: "a kind of {via}",
    Method.IN_NAME: "in the class name",
    Method.BROADER: "broader: {via}",
    Method.RELATED: "related: {via}",
    Method.SPELLING: "spelling: {via}",
}


class TooManyWords(PipelineError):
    """A request names more words than allowed."""

    def __init__(self, max_words: int, got: int) -> None:
        self.max_words, self.got = max_words, got
        super().__init__(f"at most {max_words} classes can be asked for at once (got {got}).")


class NoWords(PipelineError):
    """A request holds nothing to look up (empty, or only emoji and punctuation)."""

    def __init__(self, text: str) -> None:
        self.text = text
        where = f" in {text!r}" if text.strip() else ""
        super().__init__(f'no words to look up{where}; give words, class names or ids 0-999, e.g. "dog, ocean, 207".')


class UnknownWords(PipelineError):
    """Some words match no class; each carries its suggestions."""

    def __init__(self, matches: tuple[Match, ...]) -> None:
        self.matches = matches
        super().__init__("; ".join(_why_unknown(m) for m in matches) + ".")


def _why_unknown(match: Match) -> str:
    if normalise(match.query).isdigit():
        return f"{match.query!r} is not a BigGAN class id (0-999)"
    hint = f" (did you mean: {', '.join(match.suggestions)}?)" if match.suggestions else ""
    return f"{match.query!r} matches no BigGAN class{hint}"


@dataclass(frozen=True)
class Match:
    """The class chosen for one word, how it was found, and other candidates."""

    query: str
    class_id: int | None
    method: Method
    alternatives: tuple[int, ...] = ()
    via: str = ""  # the word that led there: a broader sense, a corrected spelling
    n_choices: int = 1  # how many classes the chosen one was drawn from
    suggestions: tuple[str, ...] = ()

    @property
    def class_name(self) -> str | None:
        """The chosen class's display name, None when unknown."""
        return None if self.class_id is None else class_name(self.class_id)

    def explain(self) -> str:
        """A short phrase saying how the class was found."""
        if self.method is Method.UNKNOWN:
            return "unknown" + (f"; did you mean: {', '.join(self.suggestions)}?" if self.suggestions else "")
        template = _EXPLAIN[self.method] if self.via else _EXPLAIN[self.method].replace(": {via}", " word")
        text = template.format(via=self.via or self.query)
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
            "alternatives": list(self.alternatives),
            "suggestions": list(self.suggestions),
        }


@dataclass(frozen=True)
class _Entry:
    method: Method
    group: tuple[int, ...]
    other_groups: tuple[tuple[int, ...], ...]
    via: str


@dataclass(frozen=True)
class WordIndex:
    """The committed WordNet index: word → resolution, kept as raw text until asked."""

    groups: tuple[str, ...]  # class ids, space-separated
    words: dict[str, str]  # lemma → "method\tgroup\tother groups\tvia"
    exceptions: dict[str, tuple[str, ...]]  # irregular plural → base forms
    unresolved: frozenset[str]  # real nouns that reach no class, so never "fixed" into another word

    def entry(self, word: str) -> _Entry | None:
        """The parsed resolution of a known lemma."""
        raw = self.words.get(word)
        if raw is None:
            return None
        method, group, others, via = raw.split("\t")
        return _Entry(Method(method), self._group(group), tuple(self._group(g) for g in others.split()), via)

    def _group(self, index: str) -> tuple[int, ...]:
        return tuple(map(int, self.groups[int(index)].split()))


@functools.cache
def load_index() -> WordIndex:
    """Read the committed index once per process."""
    text = resources.files("pipeline.data").joinpath("wordnet_index.tsv").read_text("utf-8")
    groups: list[str] = []
    words: dict[str, str] = {}
    exceptions: dict[str, tuple[str, ...]] = {}
    unresolved: set[str] = set()
    for line in text.splitlines():
        kind, _, rest = line.partition("\t")
        if kind == "W":
            word, _, resolution = rest.partition("\t")
            words[word] = resolution
        elif kind == "G":
            groups.append(rest.partition("\t")[2])
        elif kind == "X":
            inflected, _, bases = rest.partition("\t")
            exceptions[inflected] = tuple(bases.split())
        elif kind == "U":
            unresolved.update(rest.split())
    return WordIndex(tuple(groups), words, exceptions, frozenset(unresolved))


# ----------------------------------------------------------------------------- splitting

_SEPARATORS = re.compile(r"[,;/|&+\n]|\band\b", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^\w\s'-]|_")  # emoji and punctuation become spaces
_LEADING_ARTICLE = re.compile(r"^(?:a|an|the|some|my)\s+")


def normalise(word: str) -> str:
    """Lower-case, drop emoji and punctuation around words, drop a leading article."""
    text = " ".join(_NOT_WORD.sub(" ", word.lower()).split())
    text = " ".join(part.strip("'-") for part in text.split())
    return _LEADING_ARTICLE.sub("", text).strip()


def split_words(text: str) -> list[str]:
    """Separate a request into words or phrases: commas, "and" and the like, else known phrases."""
    chunks = [normalise(chunk) for chunk in _SEPARATORS.split(text)]
    chunks = [chunk for chunk in chunks if chunk]
    if len(chunks) > 1 or (chunks and _known(chunks[0])):
        return chunks
    return list(_segment(chunks[0].split())) if chunks else []


def _segment(tokens: list[str]) -> Iterator[str]:
    """Greedy longest known phrases, so "golden retriever ocean" gives two words."""
    start = 0
    while start < len(tokens):
        for end in range(min(len(tokens), start + MAX_PHRASE_WORDS), start, -1):
            phrase = " ".join(tokens[start:end])
            if end == start + 1 or _known(phrase):
                yield phrase
                start = end
                break


def _known(phrase: str) -> bool:
    return phrase.isdigit() or any(load_index().words.get(form) for form in base_forms(phrase))


# ----------------------------------------------------------------------------- word forms


# WordNet's detachment rules for nouns, in its order.
_DETACH = (("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y"))


def base_forms(phrase: str) -> list[str]:
    """The phrase and its possible singulars (the last word inflected), as the index may know them."""
    index = load_index()
    head, _, last = phrase.rpartition(" ")
    prefix = f"{head} " if head else ""
    forms = [phrase, *index.exceptions.get(phrase, ())]
    forms += [prefix + base for base in index.exceptions.get(last, ())]
    forms += [prefix + last[: -len(end)] + base for end, base in _DETACH if last.endswith(end)]
    if last.endswith("s") and not last.endswith("ss"):
        forms.append(prefix + last[:-1])
    return list(dict.fromkeys(forms))


# ----------------------------------------------------------------------------- lookup


@dataclass(frozen=True)
class LookupOptions:
    """What a front end allows: how many words, and whether typos are fixed or refused."""

    max_words: int = DEFAULT_MAX_WORDS
    fix_spelling: bool = True


def lookup(text: str, seed: int | random.Random = 0, options: LookupOptions = LookupOptions()) -> list[Match]:
    """Resolve every word of a request; unknown words are kept, marked unknown."""
    words = split_words(text)
    if not words:
        raise NoWords(text)
    if len(words) > options.max_words:
        raise TooManyWords(options.max_words, len(words))
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    return [lookup_word(word, rng, options) for word in words]


def resolve_words(text: str, seed: int | random.Random = 0, options: LookupOptions = LookupOptions()) -> list[int]:
    """Class ids for a request, in order; raises UnknownWords naming every word that matched nothing."""
    matches = lookup(text, seed, options)
    unknown = tuple(m for m in matches if m.class_id is None)
    if unknown:
        raise UnknownWords(unknown)
    return [m.class_id for m in matches if m.class_id is not None]


def lookup_word(query: str, rng: random.Random, options: LookupOptions = LookupOptions()) -> Match:
    """Resolve one word or phrase: id, index (with plural forms), spelling fix, its last words.

    Without `fix_spelling` a misspelt word is unknown, its fix the first suggestion: for
    front ends that cannot show the user what was corrected.
    """
    word = normalise(query)
    if word.isdigit():
        return _by_id(query, int(word))
    found = _from_index(word)
    if found is not None:
        return _choose(query, found, rng)
    if len(word) > MAX_WORD_CHARS:
        return Match(query, None, Method.UNKNOWN)
    fixed = _spelling_fix(word)
    if fixed is not None and not options.fix_spelling:
        suggestions = (fixed, *(n for n in suggest_names(word) if n != fixed))
        return Match(query, None, Method.UNKNOWN, suggestions=suggestions[:3])
    if fixed is not None:
        entry = load_index().entry(fixed)
        assert entry is not None
        return _choose(query, _Entry(Method.SPELLING, entry.group, entry.other_groups, fixed), rng)
    head = _known_tail(word)
    if head is not None:
        return _choose(query, _Entry(Method.BROADER, head.group, head.other_groups, head.via), rng)
    return Match(query, None, Method.UNKNOWN, suggestions=suggest_names(word))


def _by_id(query: str, class_id: int) -> Match:
    if class_id < N_CLASSES:
        return Match(query, class_id, Method.ID)
    return Match(query, None, Method.UNKNOWN)


def _from_index(word: str) -> _Entry | None:
    index = load_index()
    for form in base_forms(word):
        entry = index.entry(form)
        if entry is not None:
            # Say which singular was found when the user wrote a plural.
            via = entry.via or (form if form != word else "")
            return _Entry(entry.method, entry.group, entry.other_groups, via)
    return None


def _known_tail(word: str) -> _Entry | None:
    """The longest known ending of a phrase nobody listed ("big red dog" → dog), as broader."""
    tokens = word.split()
    for start in range(1, len(tokens)):
        tail = " ".join(tokens[start:])
        entry = _from_index(tail)
        if entry is not None:
            return _Entry(entry.method, entry.group, entry.other_groups, tail)
    return None


def _choose(query: str, entry: _Entry, rng: random.Random) -> Match:
    # A name or synonym means one class; a kind or a broader word leaves the choice to the seed.
    exact = entry.method in (Method.EXACT, Method.SYNONYM) and len(entry.group) == 1
    chosen = entry.group[0] if exact else rng.choice(entry.group)
    others = [c for group in (entry.group, *entry.other_groups) for c in group if c != chosen]
    alternatives = tuple(dict.fromkeys(others))[:MAX_ALTERNATIVES]
    return Match(query, chosen, entry.method, alternatives, entry.via, len(entry.group))


# ----------------------------------------------------------------------------- spelling

_LETTERS = "abcdefghijklmnopqrstuvwxyz -'"
_METHOD_RANK = {m: i for i, m in enumerate(Method)}


def _spelling_fix(word: str) -> str | None:
    """The known word one edit away, preferring class names and closer methods."""
    index = load_index()
    if len(word) < 4 or any(form in index.unresolved for form in base_forms(word)):
        return None  # short words have too many neighbours to guess from; real words are not typos
    candidates = [c for c in _one_edit(word) if c in index.words]
    if not candidates:
        return None
    names = _class_names()

    def preference(candidate: str) -> tuple[int, int, str]:
        entry = index.entry(candidate)
        assert entry is not None
        return (candidate not in names, _METHOD_RANK[entry.method], candidate)

    return min(candidates, key=preference)


def _one_edit(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + swaps + replaces + inserts) - {word}


@functools.cache
def _class_names() -> frozenset[str]:
    return frozenset(name.lower() for cls in all_classes() for name in cls.names)


# ----------------------------------------------------------------------------- autocomplete


@functools.cache
def _completion_keys() -> tuple[list[str], list[tuple[int, str]]]:
    """Every class name, and every ending of one that starts at a word, sorted for bisect."""
    rows = []
    for cls in all_classes():
        for rank, name in enumerate(cls.names):
            words = name.lower().split()
            for start in range(len(words)):
                # Where two keys are equal, a whole name sorts before a name's ending, a first name first.
                rows.append((" ".join(words[start:]), start > 0, rank, cls.id, name))
    rows.sort()
    return [r[0] for r in rows], [(r[3], r[4]) for r in rows]


def complete(prefix: str, limit: int = 25) -> list[tuple[int, str]]:
    """Up to `limit` (class id, name) pairs whose name or a word in it starts with the prefix."""
    key = normalise(prefix)
    keys, values = _completion_keys()
    if key.isdigit():
        return [(int(key), class_name(int(key)))] if int(key) < N_CLASSES else []
    start = bisect.bisect_left(keys, key)
    out: dict[int, str] = {}
    for position in range(start, len(keys)):
        if not keys[position].startswith(key) or len(out) >= limit:
            break
        class_id, name = values[position]
        out.setdefault(class_id, name)
    return list(out.items())
