"""Words that reach no class themselves but stand, by a WordNet relation, for a word the lookup
reads well: "snowfall" is snow, "cellist" plays the cello.

The table pipeline/data/word_relations.tsv is built offline from WordNet 3.0 by
scripts/build_word_relations.py (which says which relations it follows and why others are left).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from pipeline import data

# How each relation is said in a label: "who plays the cello".
_SAID = {
    "synonym": "another name for {}",
    "player_of": "who plays the {}",
    "kind_of": "a kind of {}",
    "adjective_of": "made from {}",
}
# A relation that guesses (a kind of a broader sense): the meaning model must find the word near
# the target's classes before the lookup follows it. An adjective made from a curated scene or mood
# needs no such check: its classes picture the mood, far from the word in the model's space.
_INFERRED = frozenset({"kind_of"})
# Relations that say something of the word itself, with no word it stands for.
_NO_TARGET = frozenset({"colour", "compound"})


@dataclass(frozen=True)
class Relation:
    """A word the lookup reads that another word stands for, and how."""

    target: str
    relation: str

    @property
    def inferred(self) -> bool:
        """Whether the relation is a guess the meaning model must confirm."""
        return self.relation in _INFERRED

    def describe(self) -> str:
        """The relation in words: "who plays the cello"."""
        return _SAID.get(self.relation, "{}").format(self.target)


@functools.cache
def relations() -> dict[str, Relation]:
    """Every related word → the word it stands for."""
    return {word: Relation(target, relation) for word, target, relation in data.rows("word_relations.tsv")}


def related(word: str) -> Relation | None:
    """The word a word stands for by WordNet, or None."""
    found = relations().get(word)
    return None if found is None or found.relation in _NO_TARGET else found


def is_compound(word: str) -> bool:
    """Whether a name of several words is one thing that reaches no class although a word in it
    does ("hush puppy", "water bear"): it is never read by its parts."""
    return _relation_of(word) == "compound"


def is_colour(word: str) -> bool:
    """Whether a word that names a thing is a colour too ("orange", "salmon"), so before another
    thing it says that thing's colour ("orange cat") rather than naming a second thing."""
    return _relation_of(word) == "colour"


def _relation_of(word: str) -> str | None:
    found = relations().get(word)
    return None if found is None else found.relation
