"""Which classes may be picked at random: all 1000, less weapons and other classes nobody should
see unasked (pipeline/data/unsafe_for_random.tsv, a reason per row), less a server's blocked ones.

Random fill, `/ganterp random`, daily posts and X draw from `random_pool(safe=True, ...)`; the CLI
keeps all 1000 unless asked. A class a user names is never filtered here: the lookup honours it
unless it is blocked (pipeline/words/lookup.py, LookupOptions.blocked).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from pipeline import data
from pipeline.classes import N_CLASSES, all_classes
from pipeline.errors import PipelineError


class EmptyPool(PipelineError):
    """Every class is left out of random picks, so none can be drawn."""

    def __init__(self, excluded: int) -> None:
        self.excluded = excluded
        super().__init__(f"no class is left to pick at random ({excluded} of {N_CLASSES} are left out).")


@functools.cache
def unsafe_for_random() -> dict[int, str]:
    """Class id → why it is left out of random picks by default."""
    reasons: dict[int, str] = {}
    for class_id, name, reason in data.rows("unsafe_for_random.tsv"):
        # The name guards against a wrong id: it must be one of that class's names.
        assert name in all_classes()[int(class_id)].names, (class_id, name)
        reasons[int(class_id)] = reason
    return reasons


def is_safe_for_random(class_id: int) -> bool:
    """Whether a class may be picked without anyone asking for it."""
    return class_id not in unsafe_for_random()


def random_pool(*, safe: bool = True, exclude: Iterable[int] = ()) -> tuple[int, ...]:
    """The class ids random picks draw from, ascending: all 1000, less the unsafe ones when `safe`,
    less `exclude` (a server's blocked classes); raises EmptyPool when nothing is left."""
    left_out = set(exclude) | (set(unsafe_for_random()) if safe else set())
    pool = tuple(c for c in range(N_CLASSES) if c not in left_out)
    if not pool:
        raise EmptyPool(len(left_out))
    return pool
