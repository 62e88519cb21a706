"""Speed of the word → class lookup against its goals: load < 0.5 s, lookup < 5 ms, autocomplete < 2 ms.

Usage: python bench/class_lookup.py

The index load is timed in fresh processes (import of the module included), so
nothing is cached; lookups and completions are timed after loading, over a mix of
names, kinds, plurals, phrases, typos, ids and unknown words.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time

LOAD_GOAL_S, LOOKUP_GOAL_MS, COMPLETE_GOAL_MS = 0.5, 5.0, 2.0
WORDS = [
    "dog", "violin", "kittens", "geese", "puppy", "golden retriever", "rocket ship", "ice cream", "ocean",
    "jellyfsh", "volcanoe", "207", "beer", "big red dog", "xyzzyq", "automobile", "butterflies", "moon",
]  # fmt: skip
PREFIXES = ["g", "go", "gol", "s", "sp", "space", "re", "ret", "jel", "ca", "b", "207", "zz", "t", "te"]
LOAD_SNIPPET = (
    "import time; t = time.perf_counter(); from pipeline.lookup import load_index; load_index(); "
    "print(time.perf_counter() - t)"
)


def load_seconds(runs: int = 5) -> float:
    """Median seconds to import the module and load the index in a fresh interpreter."""
    times = [float(subprocess.check_output([sys.executable, "-c", LOAD_SNIPPET], text=True)) for _ in range(runs)]
    return statistics.median(times)


def mean_ms(call: object, items: list[str], repeat: int) -> float:
    """Mean milliseconds of one call over the items, repeated."""
    assert callable(call)
    started = time.perf_counter()
    for _ in range(repeat):
        for item in items:
            call(item)
    return (time.perf_counter() - started) * 1000 / (repeat * len(items))


def main() -> int:
    """Print each measurement beside its goal; exit 1 when one is missed."""
    from pipeline.lookup import complete, load_index, lookup_word

    load_s = load_seconds()
    load_index()
    rng = random.Random(0)
    lookup_ms = mean_ms(lambda w: lookup_word(w, rng), WORDS, repeat=200)
    complete_ms = mean_ms(lambda p: complete(p, limit=25), PREFIXES, repeat=500)
    rows = [
        ("index load (fresh process)", load_s * 1000, LOAD_GOAL_S * 1000),
        ("one lookup (mean)", lookup_ms, LOOKUP_GOAL_MS),
        ("autocomplete top 25 (mean)", complete_ms, COMPLETE_GOAL_MS),
    ]
    for name, got, goal in rows:
        print(f"{name:<28} {got:9.3f} ms   goal < {goal:g} ms   {'ok' if got < goal else 'MISSED'}")
    return 0 if all(got < goal for _, got, goal in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
