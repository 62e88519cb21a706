"""Chat forms of known words: diminutives ("doggo", "choccy", "bunnie"), clipped words ("croc",
"guac", "shroom") and chat spellings ("ducc", "birb", "catz").

Each rule is a habit of chat English, not a list of words: a diminutive ending after a doubled
consonant or a known stem, a final consonant written as it is said, a word cut to its first or
last syllables. A form counts only where it is a word the lookup already reads, so a rule can
only lead to a known word, never invent one; a clipped word must name one word alone.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from pipeline.words.tables import Method, curated_words, load_index

# Endings chat adds to a word to make it small or fond: "doggo", "piggies", "bunnie", "brewski".
_DIMINUTIVES = ("ies", "ie", "ey", "y", "os", "o", "ers", "er", "ums", "ski", "s", "z")
# Spellings of how a word ends when said: "ducc" is a duck, "birb" a bird, "catz" cats, "kitteh" a kitty.
_SAID = (("cc", "ck"), ("kk", "ck"), ("b", "d"), ("z", "s"), ("eh", "y"), ("ie", "y"), ("y", "ie"))
MIN_STEM = 3  # letters a stem or a clipped word keeps at least
MIN_CLIPPED_SHARE = 0.4  # a clipped word keeps at least this share of the word it stands for
MIN_DROPPED = 2  # ...and drops at least this many letters ("maz" is a slip of "maze", not a clipping)


def forms(word: str) -> Iterator[tuple[str, bool]]:
    """The words a chat form may stand for, likeliest first (spellings, stems, then clippings), each
    with whether it is only a guess (a plain ending cut off, or a clipping), which the caller holds
    to a higher standard: "cloudy" and "dreamy" are adjectives, not a chat cloud or dream."""
    if " " in word or not word.isalpha() or len(word) < MIN_STEM:
        return
    seen = {word}
    for form, guess in (*((f, False) for f in _said(word)), *_stems(word)):
        if form not in seen:
            seen.add(form)
            yield form, guess
    for stem in (word, *_doubled_stems(word)):
        clipped = _unclipped(stem)
        if clipped is not None and clipped not in seen:
            seen.add(clipped)
            yield clipped, True


def _said(word: str) -> list[str]:
    return [word[: -len(end)] + fix for end, fix in _SAID if word.endswith(end) and len(word) - len(end) >= 2]


def _stems(word: str) -> list[tuple[str, bool]]:
    """The word less a diminutive ending, with a doubled consonant undone ("doggo" → dog), each with
    whether it is only a guess (no doubled consonant marks the ending as chat's)."""
    out = []
    for ending in _DIMINUTIVES:
        stem = word[: -len(ending)]
        if not word.endswith(ending) or len(stem) < MIN_STEM:
            continue
        doubled = _ends_doubled(stem)
        if doubled:
            out.append((stem[:-1], False))
        if ending in ("o", "os") and not doubled:
            continue  # a plain "-o" is as often the word's own ("lambo" is no lamb)
        # Only the doubling undone marks chat's ending; a word's own double letter does not: "chilly"
        # is cold, not a chat "chill".
        out += [(stem, True), (stem + "y", True), (stem + "e", True)]
    return out


def _doubled_stems(word: str) -> list[str]:
    """Stems of a diminutive after a doubled consonant ("choccy" → choc, "brekkie" → brek): only
    these are clipped further, as a plain "-o" or "-y" is as often part of the word ("lambo")."""
    stems = (word[: -len(ending)] for ending in ("ies", "ie", "y", "o", "os") if word.endswith(ending))
    return [stem[:-1] for stem in stems if _ends_doubled(stem)]


def _ends_doubled(stem: str) -> bool:
    """Whether a stem longer than the shortest ends in a doubled consonant ("dogg", "chocc")."""
    return len(stem) > MIN_STEM and stem[-1] == stem[-2] and stem[-1] not in "aeiou"


def _unclipped(stem: str) -> str | None:
    """The one known word the stem is the start or the end of ("croc" → crocodile, "shroom" →
    mushroom); None when none, or several ("bat" starts too many words to stand for one)."""
    if len(stem) < MIN_STEM:
        return None
    by_start, by_end = _known_words_by_edge()
    starts = [w for w in by_start.get(stem[:MIN_STEM], ()) if w.startswith(stem) and _dropped(w, stem)]
    ends = [w for w in by_end.get(stem[-MIN_STEM:], ()) if w.endswith(stem) and _dropped(w, stem)]
    found = [w for w in (*starts, *ends) if len(stem) >= MIN_CLIPPED_SHARE * len(w)]
    if len(found) == 1 and found[0] in ends and stem[0] in "aeiou":
        # A word's end is clipped at a syllable's start, a consonant ("gator", "shroom", "roo"):
        # "outa" ends "barracouta" and "asa" ends "lhasa" mid-syllable, as letters only.
        return None
    return found[0] if len(found) == 1 else None


def _dropped(word: str, clipped: str) -> bool:
    return len(word) - len(clipped) >= MIN_DROPPED


@functools.cache
def _known_words_by_edge() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """One-word words the lookup reads as classes (by the index, or as things by the curated and
    reviewed tables), by their first and by their last `MIN_STEM` letters."""
    index, curated = load_index(), curated_words()
    words = {w for w in index.words if " " not in w and w.isalpha()}
    # Things by name, not the places and scenes pictured by related classes: "shroom" clips mushroom,
    # not washroom.
    named = (Method.UNKNOWN, Method.RELATED)
    words |= {w for w, e in curated.items() if " " not in w and w.isalpha() and e.method not in named}
    by_start: dict[str, list[str]] = {}
    by_end: dict[str, list[str]] = {}
    for word in sorted(words):
        by_start.setdefault(word[:MIN_STEM], []).append(word)
        by_end.setdefault(word[-MIN_STEM:], []).append(word)
    return by_start, by_end
