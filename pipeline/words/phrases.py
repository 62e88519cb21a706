"""A phrase's head and its modifiers: "big cab" is a cab, "orange cat" a cat, "sunny beach" the
shore and the sandbar a beach and sunshine share; two things side by side ("dog cat") stay two."""

from __future__ import annotations

from pipeline.words import relations
from pipeline.words.forms import find
from pipeline.words.tables import Entry, Method
from pipeline.words.text import STOPWORDS

THING_METHODS = frozenset({Method.ID, Method.EXACT, Method.SYNONYM, Method.KIND_OF})


def is_thing(piece: str) -> bool | None:
    """Whether a known piece names things by itself (a class, its synonym or kinds); None when unknown."""
    entry = find(piece)
    if entry is None:
        return None
    return entry.method in THING_METHODS


def modifies(word: str) -> bool:
    """Whether a word before a thing only says something about it: no thing of its own ("red",
    "cute", "baby"), or a thing that is a colour too ("orange cat")."""
    return not is_thing(word) or relations.is_colour(word)


def thing_tail(words: str) -> Entry | None:
    """The thing a run of words names by its longest known ending, where every word before that
    ending modifies it (function words aside): "big cab", "two gar", "little theater curtain".
    None for a single word, or for two things ("dog cat")."""
    tokens = words.split()
    for start in range(1, len(tokens)):
        tail = " ".join(tokens[start:])
        if tokens[start] in STOPWORDS or is_thing(tail) is not True:
            continue
        if not all(modifies(t) for t in tokens[:start] if t not in STOPWORDS):
            return None
        entry = find(tail)
        assert entry is not None
        return Entry(entry.method, entry.group, entry.other_groups, tail, entry.curated)
    return None


def narrowed(phrase: str, head: Entry) -> tuple[int, ...]:
    """The head's classes that its modifiers' classes share, where they share some: a "sunny beach"
    is the shore and the sandbar, not the breakwater; else all the head's ("red car")."""
    group = head.group
    for token in phrase[: -len(head.via)].split():
        modifier = find(token) if token not in STOPWORDS else None
        shared = tuple(c for c in group if modifier is not None and c in modifier.group)
        group = shared or group
    return group
