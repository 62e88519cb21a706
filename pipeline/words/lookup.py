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

import bisect
import difflib
import functools
import hashlib
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

from pipeline.classes import N_CLASSES, all_classes, class_name
from pipeline.errors import PipelineError
from pipeline.words import emoji as E
from pipeline.words import lexicon, relations
from pipeline.words import reader as meaning
from pipeline.words.safety import unsafe_for_random

DEFAULT_MAX_WORDS = 50
MAX_ALTERNATIVES = 5
MAX_PHRASE_WORDS = 4  # the longest class names and WordNet lemmas people type
MAX_WORD_CHARS = 60  # longer is not a word; guessing its spelling would only cost time
# A request's text may hold this many characters per word it may ask for (6,000 for 50 words:
# Discord's longest option): room for names, separators and function words, yet a bound on the
# work whatever is pasted, checked before anything else is done with the text.
MAX_CHARS_PER_WORD = 2 * MAX_WORD_CHARS
MIN_TWO_EDIT_CHARS = 7  # two edits in a shorter word change a third of it: another word, not a typo
# Below this length a one-edit fix is made only for the slips of a typist (a letter left out,
# doubled or two swapped): a changed letter or an extra one there is as often another language's
# word ("gato", "Hund", "chien") as a typo.
MIN_ANY_EDIT_CHARS = 6
# A two-edit fix is made only when its word is this many times as common as the next
# candidate (tag counts, a class name or curated word counting as very common).
TWO_EDIT_MARGIN = 3
_FAMOUS = 100  # what a class name or curated word counts for, against WordNet's tag counts
NO_CLASS = "-"  # a curated word that names no class: unknown, never guessed at ("rhino")


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
    MEANING = "meaning"  # the words model read it as a known word (pipeline/words/)
    TRANSLATION = "translation"  # a word of another language, read through the emoji it names
    UNKNOWN = "unknown"
    BLOCKED = "blocked"  # every class the word reaches is blocked by the caller


# How an emoji's Unicode name may reach classes: directly only. Its words are a name, not a
# typo, and guesses from broader senses read oddly for pictures (⚓ → mechanical devices).
_EMOJI_NAME_METHODS = frozenset({Method.ID, Method.EXACT, Method.SYNONYM, Method.KIND_OF})

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
# Why a class was chosen, as `ganterp classes` shows it: a name, WordNet, the curated table,
# a spelling fix or the meaning model (pipeline/words/).
_WORDNET_METHODS = frozenset({Method.SYNONYM, Method.KIND_OF, Method.IN_NAME, Method.BROADER, Method.RELATED})
# WordNet's guesses that the meaning model must confirm: a broader sense or a related word
# ("octopus" → chambered nautilus, "laboratory" → bakery are look-alikes). A word inside a class
# name is not asked: the model scores "book" → book jacket low although people accept it.
_WEAK_METHODS = frozenset({Method.BROADER, Method.RELATED})


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
        super().__init__("; ".join(_why_unknown(m) for m in matches) + ".")


class BlockedWords(UnknownWords):
    """Every refused word reaches only classes the caller blocks (a server's block list)."""


def _why_unknown(match: Match) -> str:
    if match.method is Method.BLOCKED:
        names = ", ".join(class_name(c) for c in match.blocked[:3]) + (", …" if len(match.blocked) > 3 else "")
        return f"{_quoted(match.query)} reaches only classes that are blocked here ({names})"
    if _NUMBER.fullmatch(normalise(match.query)) and not E.is_emoji(match.query):
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


def _seed_base(seed: int | random.Random) -> int:
    """64 bits that stand for the seed: an int seed and random.Random(seed) give the same ones."""
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    return rng.getrandbits(64)


def _pick(base: int, position: int, n_choices: int) -> int:
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
        return self.choices[_pick(_seed_base(seed), self.position, len(self.choices))]

    def preview(self, seed: int | None = None) -> str:
        """What the word will render as, truthfully: "dog → Chihuahua" for a known seed, else
        "dog → one of 118 kinds of dog, picked by the seed" (or why it is unknown or blocked)."""
        if self.class_id is None:
            return _why_unknown(self)
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


@dataclass(frozen=True)
class _Entry:
    method: Method
    group: tuple[int, ...]
    other_groups: tuple[tuple[int, ...], ...]
    via: str
    curated: bool = False  # from curated_words.tsv: a person's choice, not WordNet's


@dataclass(frozen=True)
class WordIndex:
    """The committed WordNet index: word → resolution, kept as raw text until asked."""

    groups: tuple[str, ...]  # class ids, space-separated
    words: dict[str, str]  # lemma → "method\tgroup\tother groups\tvia\ttags"
    exceptions: dict[str, tuple[str, ...]]  # irregular plural → base forms
    unresolved: frozenset[str]  # real words that reach no class, so never "fixed" into another word

    def entry(self, word: str) -> _Entry | None:
        """The parsed resolution of a known lemma."""
        raw = self.words.get(word)
        if raw is None:
            return None
        method, group, others, via, _tags = raw.split("\t")
        return _Entry(Method(method), self._group(group), tuple(self._group(g) for g in others.split()), via)

    def tags(self, word: str) -> int:
        """How often WordNet's corpus tagged the word's noun senses: how common the word is."""
        raw = self.words.get(word)
        return int(raw.rpartition("\t")[2]) if raw else 0

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


@functools.cache
def curated_words() -> dict[str, _Entry]:
    """The hand-curated words (pipeline/data/curated_words.tsv): word → its classes."""
    text = resources.files("pipeline.data").joinpath("curated_words.tsv").read_text("utf-8")
    names = _ids_by_lower_name()
    out: dict[str, _Entry] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            word, method, classes, _reason = line.split("\t")
            if classes == NO_CLASS:
                out[word] = _Entry(Method.UNKNOWN, (), (), "", curated=True)
                continue
            ids: list[int] = []
            for item in (i.strip() for i in classes.split(",")):
                first, _, last = item.partition("-")
                if first.isdigit() and (not last or last.isdigit()):
                    ids += range(int(first), int(last or first) + 1)
                else:
                    ids.append(names[item.lower()])  # a KeyError here names a misspelt class
            out[word] = _Entry(Method(method), tuple(dict.fromkeys(ids)), (), "", curated=True)
    return out


@functools.cache
def _ids_by_lower_name() -> dict[str, int]:
    """Lower-cased class name → the class whose name it is (its first name wins a shared name)."""
    out: dict[str, int] = {}
    for rank in range(max(len(c.names) for c in all_classes())):
        for cls in all_classes():
            if rank < len(cls.names):
                out.setdefault(cls.names[rank].lower(), cls.id)
    return out


# ----------------------------------------------------------------------------- splitting

_SEPARATORS = re.compile(r"[,;/|+\n]")
_AND = re.compile(r"&|\band\b", re.IGNORECASE)  # splits a part unless the whole part is a known name
_LEADING_ARTICLE = re.compile(r"^(?:a|an|the|some|my)\s+")
_NUMBER = re.compile(r"-?[0-9]+")  # ASCII digits only: "²" and "①" are digits to str.isdigit but not to int()
# Words that carry grammar, not a subject: dropped between words ("cat in a hat" is a cat and a
# hat), never looked up alone, and never matched inside class names ("the" is no hen-of-the-woods).
# Nouns that double as function words (can, will, may) are left out.
STOPWORDS = frozenset(
    {
        "a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "to", "for", "from", "with", "without",
        "by", "into", "onto", "over", "under", "about", "as", "than", "i", "me", "my", "mine", "you", "your", "yours",
        "he", "him", "his", "she", "her", "hers", "it", "its", "we", "us", "our", "ours", "they", "them", "their",
        "theirs", "this", "that", "these", "those", "is", "are", "was", "were", "be", "been", "being", "am", "some",
        "any", "very", "so", "too",
    }
)  # fmt: skip


def _is_id(word: str) -> bool:
    return word.isascii() and word.isdigit()


_ID_DIGITS = len(str(N_CLASSES - 1))


def _class_id(word: str) -> int | None:
    """The class a number names, or None; never int() on a long run of digits, which Python
    refuses past 4,300 of them (and which could be no class id anyway)."""
    if not _is_id(word):
        return None
    digits = word.lstrip("0") or "0"  # "007" is class 7, as before
    return int(digits) if len(digits) <= _ID_DIGITS and int(digits) < N_CLASSES else None


def clean(text: str) -> str:
    """Text as a person sees it: NFKC outside emoji ("ｄｏｇ" is dog, "１２３" is 123) and invisible
    format characters (zero-width spaces, direction marks) dropped, except the joiners inside emoji."""
    pieces = []
    for is_emoji, piece in E.split_emoji(text):
        if not is_emoji:
            piece = "".join(c for c in piece if unicodedata.category(c) != "Cf")
            piece = unicodedata.normalize("NFKC", piece)
        pieces.append(piece)
    return "".join(pieces)


def _words_only(text: str) -> str:
    """Letters, digits, spaces, ' and - kept, the rest spaces; a combining mark stays with the
    letter it follows (Devanagari and other scripts write vowels as marks), not with an emoji."""
    out: list[str] = []
    for char in text:
        kept = char.isalnum() or char.isspace() or char in "'-"
        attached = _is_mark(char) and bool(out) and (out[-1].isalnum() or _is_mark(out[-1]))
        out.append(char if kept or attached else " ")
    return "".join(out)


def _is_mark(char: str) -> bool:
    return unicodedata.category(char)[0] == "M"


def normalise(word: str) -> str:
    """Lower-case, drop emoji and punctuation around words, drop a leading article."""
    text = _words_only(clean(word).lower()).split()
    # A minus before digits stays: "-1" is not class 1.
    text = [part if _NUMBER.fullmatch(part) else part.strip("'-") for part in text]
    return _LEADING_ARTICLE.sub("", " ".join(p for p in text if p)).strip()


def split_words(text: str) -> list[str]:
    """Separate a request into words, phrases and emoji: commas, "and" and the like, else known phrases.

    Emoji stand alone ("🐶🌊" is two words); a run of the same emoji counts once, decoration
    (😂 ❤️ 👍) is dropped, and an emoji beside a word that means the same is dropped ("dog🐶").
    """
    return [unit.text for unit in _units(text)]


@dataclass(frozen=True)
class _Unit:
    text: str  # a normalised word or phrase, or one emoji as typed
    chunk: int  # which comma-separated part of the request it came from
    reading: _Reading | None = None  # what an emoji reads as


def _chunks(text: str) -> list[str]:
    """The parts of a request between commas and the like, and "and" where it joins two things,
    not where it belongs to a name ("black and gold garden spider", "rock and roll")."""
    chunks: list[str] = []
    for part in _SEPARATORS.split(clean(text)):
        joined = _AND.sub(" and ", part)  # "rock & roll" is the name "rock and roll"
        whole = normalise(joined)
        chunks += [joined] if " and " in f" {whole} " and _known(whole) else _AND.split(part)
    return [chunk for chunk in chunks if _has_words(normalise(chunk)) or _has_emoji(chunk)]


def _has_words(words: str) -> bool:
    return any(token not in STOPWORDS for token in words.split())


def _units(text: str, max_words: int | None = None) -> list[_Unit]:
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
                reading = _read(piece)
                if not reading.decoration:
                    units.append(_Unit(piece, number, reading))
            else:
                for word in _pieces(normalise(piece)):
                    units.append(_Unit(word, number))
                    words += 1
                    if max_words is not None and words > max_words:
                        raise TooManyWords(max_words, words, at_least=True)
    return _drop_echoes(units)


def _has_emoji(text: str) -> bool:
    return any(is_emoji for is_emoji, _ in E.split_emoji(text))


def _drop_echoes(units: list[_Unit]) -> list[_Unit]:
    """Drop an emoji that sits beside a word meaning the same ("🐶dog", "dog 🐶🐶"): it decorates the word."""
    keep = []
    for index, unit in enumerate(units):
        if unit.reading is not None and unit.reading.group:
            beside = [u for u in units[max(0, index - 1) : index + 2] if u.chunk == unit.chunk and u.reading is None]
            if any(set(_read(n.text).group) == set(unit.reading.group) for n in beside):
                continue
        keep.append(unit)
    return keep


def _pieces(words: str) -> Iterator[str]:
    """The words and phrases of a run of text: the whole run when it is known; else its longest
    known phrases less function words ("golden retriever ocean" is two, "cat in a hat" too),
    unless one of those is unknown and the whole run reads as a misspelt name ("golden retreiver")
    or ends in a known phrase ("big red dog" → dog, "walk in the park" → park).

    A run longer than a word can be is never read whole (see _read), so it is never searched
    whole (the spelling search costs the square of its length) and its phrases come one at a
    time, for the caller to stop at its word cap."""
    if not _has_words(words):
        return iter(())
    if _known(words):
        return iter((words,))
    pieces = (piece for piece in _segment(words.split()) if piece not in STOPWORDS)
    if len(words) > MAX_WORD_CHARS:
        return pieces
    if _thing_tail(words) is not None:
        return iter((words,))  # "big cab" is a cab, "baby shoe shop" a shoe shop: the head wins
    found = list(pieces)
    unknown = len(found) > 1 and not all(_known(piece) for piece in found)
    if unknown and (_spelling_fix(words) is not None or _known_tail(words) is not None):
        return iter((words,))
    if _modified_head(words, found):
        return iter((words,))  # "red sports car" is one sports car, not red wine and a car
    return iter(found)


_THING_METHODS = frozenset({Method.ID, Method.EXACT, Method.SYNONYM, Method.KIND_OF})


def _modified_head(words: str, pieces: list[str]) -> bool:
    """Whether a run of words is one thing named by its last piece, every earlier piece a single
    word that is no thing of its own ("red", "cute", "hot", "baby"): the head noun and its modifiers.
    Two things side by side ("dog cat", "golden retriever ocean") stay two."""
    if len(pieces) < 2 or " ".join(pieces) != words or _is_thing(pieces[-1]) is None:
        return False
    return all(
        " " not in piece and (not _is_thing(piece) or relations.is_colour(piece)) and not _NUMBER.fullmatch(piece)
        for piece in pieces[:-1]
    )


def _thing_tail(words: str) -> _Entry | None:
    """The thing a run of words names by its longest known ending, where every word before that
    ending modifies it (no thing of its own, or a colour; function words aside): "big cab",
    "two gar", "little theater curtain". None for a single word or two things ("dog cat")."""
    tokens = words.split()
    for start in range(1, len(tokens)):
        tail = " ".join(tokens[start:])
        if tokens[start] in STOPWORDS or _is_thing(tail) is not True:
            continue
        before = [t for t in tokens[:start] if t not in STOPWORDS]
        if all(not _is_thing(t) or relations.is_colour(t) for t in before):
            entry = _find(tail)
            assert entry is not None
            return _Entry(entry.method, entry.group, entry.other_groups, tail, entry.curated)
        return None
    return None


def _is_thing(piece: str) -> bool | None:
    """Whether a known piece names things by itself (a class, its synonym or kinds); None when unknown."""
    entry = _find(piece)
    if entry is None:
        return None
    return entry.method in _THING_METHODS


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
    curated, index = curated_words(), load_index()
    if _NUMBER.fullmatch(phrase) or (phrase in STOPWORDS):
        return _is_id(phrase)
    return any(form in curated or form in index.words for form in base_forms(phrase))


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


@dataclass(frozen=True)
class _Reading:
    """How a word or emoji reads, before the seed chooses: its classes, or why it has none."""

    method: Method
    group: tuple[int, ...] = ()
    other_groups: tuple[tuple[int, ...], ...] = ()
    via: str = ""
    label: str = ""
    suggestions: tuple[str, ...] = ()
    decoration: bool = False
    fixed: str = ""  # the spelling fix made, which a front end without fix_spelling refuses instead
    curated: bool = False  # from the curated table
    confidence: float = 1.0


def lookup(text: str, seed: int | random.Random = 0, options: LookupOptions = LookupOptions()) -> list[Match]:
    """Resolve every word of a request; unknown words are kept, marked unknown."""
    _check_length(text, options)
    units = _units(text, options.max_words)
    if not units:
        raise NoWords(text)
    if len(units) > options.max_words:
        raise TooManyWords(options.max_words, len(units))
    base = _seed_base(seed)
    return [_choose(unit.text, unit.reading or _read(unit.text), base, i, options) for i, unit in enumerate(units)]


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
    return _choose(query, _read(query), _seed_base(rng), 0, options)


def _check_length(text: str, options: LookupOptions) -> None:
    """Refuse text longer than the allowed words can need, before any work is done on it."""
    max_chars = max(1, options.max_words) * MAX_CHARS_PER_WORD
    if len(text) > max_chars:
        raise TextTooLong(max_chars, len(text))


@functools.lru_cache(maxsize=4096)
def _read(query: str) -> _Reading:
    """How a word or emoji reads; cached, as a request may read a word twice (emoji beside it)."""
    if E.is_emoji(query):
        return _read_emoji(query)
    word = normalise(query)
    if _NUMBER.fullmatch(word):
        class_id = _class_id(word)
        return _Reading(Method.UNKNOWN) if class_id is None else _Reading(Method.ID, (class_id,))
    if not _has_words(word):
        return _Reading(Method.UNKNOWN)  # "the" alone names nothing
    found = _find(word)
    if found is not None and found.method is Method.UNKNOWN:
        return _Reading(Method.UNKNOWN)  # curated as naming no class
    if found is not None and not _weak_and_unconfirmed(found, word):
        return _reading(found, word)
    by_relation = _by_relation(word)
    if by_relation is not None:
        return by_relation
    translated = _other_language(word)
    if translated is not None and not _a_typo_of_the_same(word, translated):
        return translated
    if len(word) > MAX_WORD_CHARS:
        return _Reading(Method.UNKNOWN)
    stem = _ing_stem(word)
    if stem is not None:
        return _reading(stem, word)
    thing = _thing_tail(word)
    if thing is not None:  # before any spelling fix of the whole: "big cab" is no big cat
        return _reading(_Entry(Method.BROADER, _narrowed(word, thing), thing.other_groups, thing.via), word)
    guess = _spelling_guess(word)
    if guess is not None and guess[1]:
        fixed = guess[0]
        entry = _find(fixed)
        assert entry is not None
        if not _weak_and_unconfirmed(entry, fixed):
            return _Reading(Method.SPELLING, entry.group, entry.other_groups, fixed, _label(entry, fixed), fixed=fixed)
    head = _known_tail(word)
    if head is not None:
        return _reading(_Entry(Method.BROADER, _narrowed(word, head), head.other_groups, head.via), word)
    by_meaning = _by_meaning(word)
    if by_meaning is not None:
        return by_meaning
    # A fix too unsure to make ("gato" → gate) is still worth offering, if it is a word people use.
    offer = (guess[0],) if guess is not None and _fame(guess[0]) else ()
    return _Reading(Method.UNKNOWN, suggestions=_suggestions(word, offer))


def _read_emoji(emoji: str) -> _Reading:
    """An emoji reads as its words: curated ones like any word (but never respelt); its whole Unicode
    name (less words like "face") only where it names classes directly or is a curated word."""
    reading = E.read_emoji(emoji)
    if reading.decoration:
        return _Reading(Method.UNKNOWN, via=reading.name, decoration=True)
    words = normalise(reading.words)
    found = None
    number = _class_id(words)  # a keycap: "7️⃣" reads "7"
    if number is not None:
        found = _Entry(Method.ID, (number,), (), "")
    elif reading.curated:
        found = _find(words) or _known_tail(words)
    elif words:
        # The whole name only: its last word alone misleads ("rice ball" is no ping-pong ball).
        found = _find(words)
    trusted = found is not None and (reading.curated or found.curated or found.method in _EMOJI_NAME_METHODS)
    if found is not None and trusted and found.method not in (Method.UNKNOWN, Method.SPELLING):
        # The emoji's words are what it was read as; the label is theirs ("🌊 → classes for wave").
        curated = reading.curated or found.curated
        return _Reading(found.method, found.group, found.other_groups, words, _label(found, words), curated=curated)
    return _Reading(Method.UNKNOWN, via=reading.name)


def _reading(entry: _Entry, word: str) -> _Reading:
    return _Reading(
        entry.method, entry.group, entry.other_groups, entry.via, _label(entry, word), curated=entry.curated
    )


def _label(entry: _Entry, word: str) -> str:
    """A plural noun phrase for a group: "kinds of dog", "classes for ocean"."""
    noun = entry.via or word
    if entry.method in (Method.KIND_OF, Method.BROADER) or (entry.method is Method.RELATED and entry.via):
        return f"kinds of {noun}"
    if entry.method is Method.IN_NAME:
        return f"classes named with {noun}"
    return f"classes for {word}"


def _find(word: str) -> _Entry | None:
    """A curated word or an index entry for the word or one of its singulars."""
    curated, index = curated_words(), load_index()
    for form in base_forms(word):
        entry = curated.get(form) or index.entry(form)
        if entry is not None:
            # Say which singular was found when the user wrote a plural.
            via = entry.via or (form if form != word else "")
            return _Entry(entry.method, entry.group, entry.other_groups, via, entry.curated)
    return None


def _narrowed(phrase: str, head: _Entry) -> tuple[int, ...]:
    """The head's classes that its modifiers' classes share, where they share some: a "sunny beach"
    is the shore and the sandbar, not the breakwater; else all the head's ("red car")."""
    group = head.group
    for token in phrase[: -len(head.via)].split():
        modifier = _find(token) if token not in STOPWORDS else None
        shared = tuple(c for c in group if modifier is not None and c in modifier.group)
        group = shared or group
    return group


def _known_tail(word: str) -> _Entry | None:
    """The longest known ending of a phrase nobody listed ("big red dog" → dog), as broader; an
    ending never starts with a function word ("walk in the park" → park, not "the park")."""
    tokens = word.split()
    for start in range(1, len(tokens)):
        if tokens[start] in STOPWORDS:
            continue
        tail = " ".join(tokens[start:])
        entry = _find(tail)
        if entry is not None and entry.method is not Method.UNKNOWN:
            return _Entry(entry.method, entry.group, entry.other_groups, tail, entry.curated)
    return None


_ING_STEM_METHODS = frozenset({Method.EXACT, Method.SYNONYM})


def _ing_stem(word: str) -> _Entry | None:
    """A sport or pastime named by its thing ("skiing" → ski, "snorkeling" → snorkel), only where
    the thing is a class by name or synonym: "boxing" is no crate, "bowling" no mixing bowl."""
    if " " in word or not word.endswith("ing") or len(word) < 6:
        return None
    root = word[:-3]
    stems = [root, root + "e"] + ([root[:-1]] if root[-1] == root[-2] else [])
    for stem in stems:
        entry = _find(stem)
        if entry is not None and entry.method in _ING_STEM_METHODS:
            return _Entry(entry.method, entry.group, entry.other_groups, stem, entry.curated)
    return None


def _choose(query: str, reading: _Reading, base: int, position: int, options: LookupOptions) -> Match:
    """The seed's pick among a reading's classes, after leaving out blocked (and, while others remain, unsafe) ones."""
    if reading.method is Method.UNKNOWN:
        return Match(query, None, Method.UNKNOWN, via=reading.via, suggestions=reading.suggestions, position=position)
    if reading.fixed and not options.fix_spelling:
        suggestions = (reading.fixed, *(n for n in _suggest(normalise(query)) if n != reading.fixed))
        return Match(query, None, Method.UNKNOWN, suggestions=suggestions[:3], position=position)
    choices = tuple(c for c in reading.group if c not in options.blocked)
    if not choices:
        return Match(query, None, Method.BLOCKED, via=reading.via, position=position, blocked=reading.group)
    if options.steer_safe:
        unsafe = unsafe_for_random()
        choices = tuple(c for c in choices if c not in unsafe) or choices
    chosen = choices[_pick(base, position, len(choices))] if len(choices) > 1 else choices[0]
    others = [c for group in (reading.group, *reading.other_groups) for c in group if c != chosen]
    alternatives = tuple(c for c in dict.fromkeys(others) if c not in options.blocked)[:MAX_ALTERNATIVES]
    return Match(
        query, chosen, reading.method, alternatives, reading.via, choices, (), position, reading.label,
        reason=_reason(reading), confidence=reading.confidence,
    )  # fmt: skip


def _reason(reading: _Reading) -> str:
    """Why the reading's classes were chosen, in a word."""
    if reading.curated:
        return "curated"
    if reading.method in _WORDNET_METHODS:
        return "WordNet"
    if reading.method in (Method.SPELLING, Method.MEANING, Method.TRANSLATION):
        return reading.method.value
    return "exact"


# ----------------------------------------------------------------------------- meaning (pipeline/words/)


def _weak_and_unconfirmed(entry: _Entry, word: str) -> bool:
    """Whether a WordNet guess is weak (not a name or kind) and the meaning model finds its classes far
    from the word: a look-alike where nothing fits ("helicopter" → airliner). Curated rows are facts."""
    return not entry.curated and entry.method in _WEAK_METHODS and not meaning.confirms(word, entry.group)


def _by_meaning(word: str) -> _Reading | None:
    """The word read by the meaning model as a known word whose classes agree ("catto" → cat)."""
    if not meaning.available():
        return None
    guess = meaning.guess(word, _meaning_vocabulary(), _strong_classes)
    real = any(form in load_index().unresolved for form in base_forms(word))
    if guess is None or (not real and _run_together(word, "") and _distance(word, guess.via) > 2):
        return None  # "dogcat" is two things, not a wildcat; "pinapple" is still a pineapple
    entry = _find(guess.via)
    assert entry is not None
    label = _label(entry, guess.via) if entry.method is not Method.EXACT else f"classes for {guess.via}"
    return _Reading(Method.MEANING, entry.group, entry.other_groups, guess.via, label, confidence=guess.confidence)


def _by_relation(word: str) -> _Reading | None:
    """A word WordNet relates to a word the lookup reads ("snowfall" → snow, "cellist" → cello)."""
    for form in base_forms(word):
        relation = relations.related(form)
        entry = _find(relation.target) if relation is not None else None
        if relation is not None and entry is not None and entry.method is not Method.UNKNOWN:
            label = f"classes for {relation.target} ({relation.describe()})"
            return _Reading(Method.RELATED, entry.group, entry.other_groups, relation.target, label)
    return None


def _other_language(word: str) -> _Reading | None:
    """A word of another language read through the emoji it names ("perro" → 🐕 → dog)."""
    for emoji in lexicon.emoji_for(word):
        reading = _read_emoji(emoji)
        if reading.group:
            label = f"classes for {reading.via}"
            return _Reading(Method.TRANSLATION, reading.group, reading.other_groups, reading.via, label, curated=False)
    return None


def _a_typo_of_the_same(word: str, translated: _Reading) -> bool:
    """Whether a sure spelling fix reads the word as the same classes ("elefant" is German and a
    typo of elephant): then it stays a typo, which front ends that cannot show fixes refuse."""
    guess = _spelling_guess(word)
    entry = _find(guess[0]) if guess is not None and guess[1] else None
    return entry is not None and set(entry.group) == set(translated.group)


def _strong_classes(word: str) -> tuple[int, ...]:
    entry = _find(word)
    return entry.group if entry is not None and entry.method is not Method.UNKNOWN else ()


@functools.cache
def _meaning_vocabulary() -> tuple[str, ...]:
    """The known words a text may be read as by meaning: class names, synonyms and kinds in the
    index, and curated words (weak WordNet guesses would only add their own mistakes)."""
    index, curated = load_index(), curated_words()
    strong = {Method.EXACT, Method.SYNONYM, Method.KIND_OF}
    named = {w for w in index.words if index.entry(w).method in strong}  # type: ignore[union-attr]
    return tuple(sorted(named | {w for w, e in curated.items() if e.method is not Method.UNKNOWN}))


def _suggestions(word: str, offer: tuple[str, ...]) -> tuple[str, ...]:
    """Up to three suggestions for an unknown word: for a real word, classes near it in meaning
    ("blizzard" is no pizza); for a non-word, the unsure fix and names spelled like it."""
    real = any(form in load_index().unresolved or form in load_index().words for form in base_forms(word))
    near = meaning.suggest(word) if real or " " in word else None
    if near is not None:
        return near
    return tuple(dict.fromkeys((*offer, *_suggest(word))))[:3]


# ----------------------------------------------------------------------------- spelling

_LETTERS = "abcdefghijklmnopqrstuvwxyz -'"
_LETTER_INDEX = {char: i for i, char in enumerate(_LETTERS)}
SUGGESTION_EDITS = 4  # how far a "did you mean" may be; difflib ranks what is left
_SUGGESTION_CUTOFF = 0.6  # difflib's similarity a suggestion needs
_SUGGESTION_POOL = 25  # the names with most letters in common that difflib compares
_METHOD_RANK = {m: i for i, m in enumerate(Method)}


def _spelling_fix(word: str) -> str | None:
    """The spelling fix the lookup makes on its own, or None (see `_spelling_guess`)."""
    guess = _spelling_guess(word)
    return guess[0] if guess is not None and guess[1] else None


def _spelling_guess(word: str) -> tuple[str, bool] | None:
    """The likeliest known word the word misspells, and whether it is sure enough to fix silently.

    One edit away: class names, curated and common words first; two edits away: only the one
    that clearly beats the others. None for real words, short ones, and no near word. A guess is
    sure only for a typist's slip: two edits in a word of seven letters or more, the first letter
    kept, not two known words run together ("dogcat"), and in a short word only a letter left out,
    doubled or swapped ("banan", "tigre"), not changed ("gato" → gate) or added ("chien" → chen).
    """
    index = load_index()
    if not 4 <= len(word) <= MAX_WORD_CHARS or any(form in index.unresolved for form in base_forms(word)):
        return None  # short words have too many neighbours to guess from; real words are not typos
    near = [c for c in _one_edit(word) if _guessable(c)]
    if near:
        best = min(near, key=lambda c: (-_fame(c), _METHOD_RANK[_method_of(c)], c))
        return best, _keeps_start(word, best) and not _run_together(word, best) and _a_slip(word, best)
    if len(word) < MIN_TWO_EDIT_CHARS - 2:
        return None
    far = sorted(_two_edits(word), key=lambda c: (-_fame(c), c))
    if far and (len(far) == 1 or _fame(far[0]) >= TWO_EDIT_MARGIN * max(1, _fame(far[1]))):
        sure = len(word) >= MIN_TWO_EDIT_CHARS and _keeps_start(word, far[0]) and not _run_together(word, far[0])
        return far[0], sure
    return None


def _guessable(word: str) -> bool:
    """A word a spelling fix may land on: known and naming classes (not curated as naming none)."""
    entry = curated_words().get(word)
    return entry.method is not Method.UNKNOWN if entry is not None else word in load_index().words


def _keeps_start(word: str, fixed: str) -> bool:
    return word[:1] == fixed[:1]


def _run_together(word: str, fixed: str) -> bool:
    """Whether the word is two known words of three letters or more written as one ("dogcat"),
    other than the fix's own words ("firetruck" is fire truck)."""
    if " " in word or fixed.replace(" ", "").replace("-", "") == word:
        return False
    return any(_known(word[:i]) and _known(word[i:]) for i in range(3, len(word) - 2))


def _a_slip(word: str, fixed: str) -> bool:
    """Whether one edit is a typist's slip, as any edit is in a word of six letters or more; in a
    shorter one: a letter left out ("banan"), doubled ("tigger") or two swapped ("tigre")."""
    if len(word) >= MIN_ANY_EDIT_CHARS or len(fixed) > len(word):
        return True
    if len(fixed) == len(word):
        return sorted(word) == sorted(fixed)  # swapped, not changed
    extra = next((i for i, (a, b) in enumerate(zip(word, fixed, strict=False)) if a != b), len(fixed))
    return (extra > 0 and word[extra - 1] == word[extra]) or (extra + 1 < len(word) and word[extra + 1] == word[extra])


def _fame(word: str) -> int:
    """How likely a person meant this word: class names and curated words first, then WordNet's tag counts."""
    return (_FAMOUS if word in _class_names() or word in curated_words() else 0) + load_index().tags(word)


def _method_of(word: str) -> Method:
    entry = curated_words().get(word) or load_index().entry(word)
    assert entry is not None
    return entry.method


def _one_edit(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + swaps + replaces + inserts) - {word}


@functools.cache
def _two_edit_vocabulary() -> _LetterTable:
    """Words worth guessing two edits away: class names, curated words, words WordNet's corpus tagged."""
    index, curated, names = load_index(), curated_words(), _class_names()
    words = {w for w in (*index.words, *curated) if (w in names or w in curated or index.tags(w)) and _guessable(w)}
    return _LetterTable(tuple(sorted(words)))


@functools.cache
def _suggestion_table() -> _LetterTable:
    return _LetterTable(tuple(sorted(_class_names())))


def warm() -> None:
    """Load the index, build the spelling tables and load the words model now, so a bot's first unknown
    word is as quick as the rest."""
    load_index()
    curated_words()
    _two_edit_vocabulary()
    _suggestion_table()
    lexicon.names()
    meaning.warm(_meaning_vocabulary())


class _LetterTable:
    """Words grouped by length with the set of their letters as bits, to find quickly the few that
    can be near a word: n edits change a word's length by at most n and its letter counts (so its
    letter set) by at most 2n. Plain Python: numpy's import alone cost more than the whole search."""

    def __init__(self, words: tuple[str, ...]) -> None:
        self.words = words
        self.by_length: dict[int, list[tuple[int, str, dict[str, int]]]] = {}
        for word in words:
            self.by_length.setdefault(len(word), []).append((_letter_bits(word), word, _letter_counts(word)))

    def near(self, word: str, edits: int) -> list[str]:
        """The words that may be within `edits` edits of the word (a superset: check the distance)."""
        return [other for other, _ in self.near_with_shared(word, edits)]

    def near_with_shared(self, word: str, edits: int) -> list[tuple[str, int]]:
        """`near`, each word with how many letters it shares with the word (counted with repeats)."""
        bits, counts, out = _letter_bits(word), _letter_counts(word), []
        for length in range(len(word) - edits, len(word) + edits + 1):
            for other_bits, other, other_counts in self.by_length.get(length, ()):
                if (other_bits ^ bits).bit_count() <= 2 * edits:
                    shared = sum(min(n, other_counts.get(char, 0)) for char, n in counts.items())
                    if len(word) + len(other) - 2 * shared <= 2 * edits:
                        out.append((other, shared))
        return out


def _letter_bits(word: str) -> int:
    bits = 0
    for char in word:
        bits |= 1 << _LETTER_INDEX.get(char, len(_LETTERS))
    return bits


def _letter_counts(word: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for char in word:
        counts[char] = counts.get(char, 0) + 1
    return counts


def _two_edits(word: str) -> set[str]:
    """Known words exactly two edits away."""
    return {c for c in _two_edit_vocabulary().near(word, 2) if _distance(word, c) == 2}


def _suggest(word: str) -> tuple[str, ...]:
    """Up to three class names spelled like the word, for "did you mean"."""
    if len(word) > MAX_WORD_CHARS:
        return ()
    # Shared letters bound difflib's ratio from above, so only the likeliest few are compared in full.
    near = _suggestion_table().near_with_shared(word, SUGGESTION_EDITS)
    bounded = sorted((-2 * shared / (len(word) + len(other)), other) for other, shared in near)
    likely = [other for bound, other in bounded[:_SUGGESTION_POOL] if -bound >= _SUGGESTION_CUTOFF]
    return tuple(difflib.get_close_matches(word, likely, n=3, cutoff=_SUGGESTION_CUTOFF))


def _distance(a: str, b: str) -> int:
    """Edit distance with adjacent swaps (optimal string alignment)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


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
    if _NUMBER.fullmatch(key):
        class_id = _class_id(key)
        return [] if class_id is None else [(class_id, class_name(class_id))]
    start = bisect.bisect_left(keys, key)
    out: dict[int, str] = {}
    for position in range(start, len(keys)):
        if not keys[position].startswith(key) or len(out) >= limit:
            break
        class_id, name = values[position]
        out.setdefault(class_id, name)
    return list(out.items())
