"""The committed word tables: WordNet's index (pipeline/data/wordnet_index.tsv, built by
scripts/build_wordnet_index.py) and the curated words (pipeline/data/curated_words.tsv), read once."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources

from pipeline import data
from pipeline.classes import all_classes

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


@dataclass(frozen=True)
class Entry:
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
    common: frozenset[str] = frozenset()  # common English words of any part of speech ("get", "bad")
    things: frozenset[str] = frozenset()  # nouns for an animal, a food or a plant ("rat", "mango")
    finite_verbs: frozenset[str] = frozenset()  # "flies", "loves", "flew": what a thing does
    cooking: frozenset[str] = frozenset()  # "fried", "roast", "smoked": how food was made
    foods: frozenset[str] = frozenset()  # nouns for a food ("pork", "bacon", "mango")

    def entry(self, word: str) -> Entry | None:
        """The parsed resolution of a known lemma."""
        raw = self.words.get(word)
        if raw is None:
            return None
        method, group, others, via, _tags = raw.split("\t")
        return Entry(Method(method), self._group(group), tuple(self._group(g) for g in others.split()), via)

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
    common: set[str] = set()
    things: set[str] = set()
    finite_verbs: set[str] = set()
    cooking: set[str] = set()
    foods: set[str] = set()
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
        elif kind == "C":
            common.update(rest.split())
        elif kind == "T":
            things.update(rest.split())
        elif kind == "F":
            finite_verbs.update(rest.split())
        elif kind == "K":
            cooking.update(rest.split())
        elif kind == "D":
            foods.update(rest.split())
    sets = (unresolved, common, things, finite_verbs, cooking, foods)
    return WordIndex(tuple(groups), words, exceptions, *map(frozenset, sets))


@functools.cache
def curated_words() -> dict[str, Entry]:
    """The words people judged: word → its classes. The curated table (pipeline/data/curated_words.tsv,
    words WordNet misses or misreads) wins over the reviewed one (reviewed_words.tsv: common words
    judged one by one, scripts/reviewed_words.py)."""
    return {**word_table("reviewed_words.tsv"), **word_table("curated_words.tsv")}


def word_table(name: str) -> dict[str, Entry]:
    """One judged table of pipeline/data (word, method, classes or "-", reason): word → its entry."""
    out: dict[str, Entry] = {}
    for word, method, classes, _reason in data.rows(name):
        if classes == NO_CLASS:
            out[word] = Entry(Method.UNKNOWN, (), (), "", curated=True)
        else:
            out[word] = Entry(Method(method), parse_classes(classes), (), "", curated=True)
    return out


def parse_classes(classes: str) -> tuple[int, ...]:
    """A table's class list: names as in imagenet_classes.tsv or ids and id ranges ("151-268"),
    comma-separated. A KeyError names a misspelt class."""
    names = _ids_by_lower_name()
    ids: list[int] = []
    for item in (i.strip() for i in classes.split(",")):
        first, _, last = item.partition("-")
        if first.isdigit() and (not last or last.isdigit()):
            ids += range(int(first), int(last or first) + 1)
        else:
            ids.append(names[item.lower()])
    return tuple(dict.fromkeys(ids))


@functools.cache
def _ids_by_lower_name() -> dict[str, int]:
    """Lower-cased class name → the class whose name it is (its first name wins a shared name)."""
    out: dict[str, int] = {}
    for rank in range(max(len(c.names) for c in all_classes())):
        for cls in all_classes():
            if rank < len(cls.names):
                out.setdefault(cls.names[rank].lower(), cls.id)
    return out


@functools.cache
def class_names() -> frozenset[str]:
    return frozenset(name.lower() for cls in all_classes() for name in cls.names)
