"""Autocomplete: class names, or a word inside one, that start with what a person has typed."""

from __future__ import annotations

import bisect
import functools

from pipeline.classes import all_classes, class_name
from pipeline.words.text import NUMBER, normalise, number_class


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
    if NUMBER.fullmatch(key):
        class_id = number_class(key)
        return [] if class_id is None else [(class_id, class_name(class_id))]
    start = bisect.bisect_left(keys, key)
    out: dict[int, str] = {}
    for position in range(start, len(keys)):
        if not keys[position].startswith(key) or len(out) >= limit:
            break
        class_id, name = values[position]
        out.setdefault(class_id, name)
    return list(out.items())
