"""Spelling: the fix the lookup makes on its own for a typist's slip, and "did you mean" suggestions."""

from __future__ import annotations

import difflib
import functools

from pipeline.words.forms import is_english, known
from pipeline.words.tables import Method, class_names, curated_words, load_index
from pipeline.words.text import MAX_WORD_CHARS

MIN_TWO_EDIT_CHARS = 7  # two edits in a shorter word change a third of it: another word, not a typo
# Below this length a one-edit fix is made only for the slips of a typist (a letter left out,
# doubled or two swapped): a changed letter or an extra one there is as often another language's
# word ("gato", "Hund", "chien") as a typo.
MIN_ANY_EDIT_CHARS = 6
# A two-edit fix is made only when its word is this many times as common as the next
# candidate (tag counts, a class name or curated word counting as very common).
TWO_EDIT_MARGIN = 3

_LETTERS = "abcdefghijklmnopqrstuvwxyz -'"
_LETTER_INDEX = {char: i for i, char in enumerate(_LETTERS)}
SUGGESTION_EDITS = 4  # how far a "did you mean" may be; difflib ranks what is left
_SUGGESTION_CUTOFF = 0.6  # difflib's similarity a suggestion needs
_SUGGESTION_POOL = 25  # the names with most letters in common that difflib compares
_METHOD_RANK = {m: i for i, m in enumerate(Method)}
_FAMOUS = 100  # what a class name or curated word counts for, against WordNet's tag counts


def fix(word: str) -> str | None:
    """The spelling fix the lookup makes on its own, or None (see `guess`)."""
    found = guess(word)
    return found[0] if found is not None and found[1] else None


def guess(word: str) -> tuple[str, bool] | None:
    """The likeliest known word the word misspells, and whether it is sure enough to fix silently.

    One edit away: class names, curated and common words first; two edits away: only the one
    that clearly beats the others. None for real words, short ones, and no near word. A guess is
    sure only for a typist's slip: two edits in a word of seven letters or more, the first letter
    kept, not two known words run together ("dogcat"), and in a short word only a letter left out,
    doubled or swapped ("banan", "tigre"), not changed ("gato" → gate) or added ("chien" → chen).
    A plural nothing is near is guessed through its singular ("elefants" → elephant).
    """
    if not 4 <= len(word) <= MAX_WORD_CHARS or is_english(word):
        return None  # short words have too many neighbours to guess from; real words are not typos
    found = _guess_one(word)
    if found is None:
        # A misspelt plural is the misspelt singular plus an ending ("elefants", "strawberies"); the
        # tables hold singulars, so the ending would otherwise cost an edit of its own.
        found = next(filter(None, map(_guess_one, _singulars(word))), None)
    return found


def _singulars(word: str) -> list[str]:
    if word.endswith("ss") or not word.endswith("s"):
        return []
    stems = [word[:-3] + "y"] if word.endswith("ies") else []
    return [*stems, word[:-1]]


def _guess_one(word: str) -> tuple[str, bool] | None:
    if len(word) < 4:
        return None
    near = [c for c in _one_edit(word) if _guessable(c) and not _respells_a_word(word, c)]
    if near:
        best = min(near, key=lambda c: (-fame(c), _METHOD_RANK[_method_of(c)], c))
        return best, _keeps_start(word, best) and not run_together(word, best) and _a_slip(word, best)
    if len(word) < MIN_TWO_EDIT_CHARS - 2:
        return None
    far = [c for c in _two_edits(word) if not _respells_a_word(word, c)]
    # A typist's two slips rarely touch the first letter: "leapord" is the leopard, not a seaport.
    far = sorted([c for c in far if _keeps_start(word, c)] or far, key=lambda c: (-fame(c), c))
    if far and (len(far) == 1 or fame(far[0]) >= TWO_EDIT_MARGIN * max(1, fame(far[1]))):
        sure = len(word) >= MIN_TWO_EDIT_CHARS and _keeps_start(word, far[0]) and not run_together(word, far[0])
        return far[0], sure
    return None


def _respells_a_word(phrase: str, fixed: str) -> bool:
    """Whether a fix of a phrase changes one of its words that is a real word: "mountain lake" is
    no misspelt "mountain bike", though one letter apart."""
    if " " not in phrase:
        return False
    return any(is_english(token) for token in set(phrase.split()) - set(fixed.split()))


def _guessable(word: str) -> bool:
    """A word a spelling fix may land on: known and naming classes (not curated as naming none)."""
    entry = curated_words().get(word)
    return entry.method is not Method.UNKNOWN if entry is not None else word in load_index().words


def _keeps_start(word: str, fixed: str) -> bool:
    return word[:1] == fixed[:1]


def run_together(word: str, fixed: str) -> bool:
    """Whether the word is two known words of three letters or more written as one ("dogcat"),
    other than the fix's own words ("firetruck" is fire truck)."""
    if " " in word or fixed.replace(" ", "").replace("-", "") == word:
        return False
    return any(known(word[:i]) and known(word[i:]) for i in range(3, len(word) - 2))


def _a_slip(word: str, fixed: str) -> bool:
    """Whether one edit is a typist's slip, as any edit is in a word of six letters or more; in a
    shorter one: a letter left out ("banan"), doubled ("tigger") or two swapped ("tigre")."""
    if len(word) >= MIN_ANY_EDIT_CHARS or len(fixed) > len(word):
        return True
    if len(fixed) == len(word):
        return sorted(word) == sorted(fixed)  # swapped, not changed
    extra = next((i for i, (a, b) in enumerate(zip(word, fixed, strict=False)) if a != b), len(fixed))
    return (extra > 0 and word[extra - 1] == word[extra]) or (extra + 1 < len(word) and word[extra + 1] == word[extra])


def fame(word: str) -> int:
    """How likely a person meant this word: class names and curated words first, then WordNet's tag counts."""
    return (_FAMOUS if word in class_names() or word in curated_words() else 0) + load_index().tags(word)


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
    index, curated, names = load_index(), curated_words(), class_names()
    words = {w for w in (*index.words, *curated) if (w in names or w in curated or index.tags(w)) and _guessable(w)}
    return _LetterTable(tuple(sorted(words)))


@functools.cache
def _suggestion_table() -> _LetterTable:
    return _LetterTable(tuple(sorted(class_names())))


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
    return {c for c in _two_edit_vocabulary().near(word, 2) if distance(word, c) == 2}


def suggest(word: str) -> tuple[str, ...]:
    """Up to three class names spelled like the word, for "did you mean"."""
    if len(word) > MAX_WORD_CHARS:
        return ()
    # Shared letters bound difflib's ratio from above, so only the likeliest few are compared in full.
    near = _suggestion_table().near_with_shared(word, SUGGESTION_EDITS)
    bounded = sorted((-2 * shared / (len(word) + len(other)), other) for other, shared in near)
    likely = [other for bound, other in bounded[:_SUGGESTION_POOL] if -bound >= _SUGGESTION_CUTOFF]
    return tuple(difflib.get_close_matches(word, likely, n=3, cutoff=_SUGGESTION_CUTOFF))


def distance(a: str, b: str) -> int:
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


def warm() -> None:
    """Build the spelling tables now, so the first unknown word is as quick as the rest."""
    _two_edit_vocabulary()
    _suggestion_table()
