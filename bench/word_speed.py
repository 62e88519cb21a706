"""The words model against issue 20's speed goals: load ≤ 2 s, lookup ≤ 20 ms a word, ≤ 300 MB more memory.

Usage: python bench/word_speed.py [runs]

Each load is timed in a fresh process, from before the first import to one embedded word: the
bundled model as it loads now (numpy, pipeline/words/encoder.py) and as it loaded before
(sentence-transformers, the loader named models still use), with their ratio. Then, in one process
each: the class and word vectors computed from nothing (what a first request paid before they were
prepared ahead), loaded from the cache, the resident memory the model and its vectors add, one
embedding with either loader, and lookups that reach the model with nothing cached but the model
(each word's median of `runs` repeats, default 5).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LOAD_GOAL_S, LOOKUP_GOAL_MS, MEMORY_GOAL_MB = 2.0, 20.0, 300.0
# Words the lookup reads by meaning or asks the model to confirm or suggest for, and known ones beside them.
WORDS = ["catto", "doggo", "blizzard", "octopus", "laboratory", "helicopter", "kitty cat", "qzxvw", "dog", "ocean"]

LOAD_SNIPPET = """
import json, sys, time
started = time.perf_counter()
from pipeline.words.model import ModelSource, load_encoder, model_source
bundled = model_source()
source = bundled if sys.argv[1] == "numpy" else ModelSource(bundled.name, bundled.folder, None)
load_encoder(source).encode(["dog"])
print(json.dumps({"seconds": time.perf_counter() - started}))
"""

VECTORS_SNIPPET = """
import json, sys, time
from pathlib import Path
from pipeline.words import configure
from pipeline.words.lookup import _meaning_vocabulary, load_index, curated_words
configure("bundled", Path(sys.argv[1]))
load_index(); curated_words(); vocabulary = _meaning_vocabulary()

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

before = rss_mb()
started = time.perf_counter()
from pipeline.words import reader
reader.warm(vocabulary)
print(json.dumps({"seconds": time.perf_counter() - started, "added_mb": rss_mb() - before, "words": len(vocabulary)}))
"""

EMBED_SNIPPET = """
import json, statistics, sys, time
from pipeline.words.model import ModelSource, load_encoder, model_source
bundled = model_source()
source = bundled if sys.argv[1] == "numpy" else ModelSource(bundled.name, bundled.folder, None)
encoder = load_encoder(source)
words = sys.argv[3:]
encoder.encode(words)
times = []
for _ in range(int(sys.argv[2])):
    for word in words:
        started = time.perf_counter()
        encoder.encode([word])
        times.append((time.perf_counter() - started) * 1000)
print(json.dumps({"ms": statistics.median(times)}))
"""

LOOKUP_SNIPPET = """
import json, sys
from pathlib import Path
from bench.word_meaning import lookup_medians_ms
from pipeline.words import configure
configure("bundled", Path(sys.argv[1]))
print(json.dumps(lookup_medians_ms(sys.argv[3:], int(sys.argv[2]))))
"""


def run(snippet: str, *args: str) -> dict[str, float]:
    """The JSON a snippet prints, run in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", snippet, *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=1800
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def row(name: str, value: float, unit: str, goal: float | None = None, note: str = "") -> bool:
    """Print one measurement, with its goal and whether it is met; True when met (or none is set)."""
    met = goal is None or value <= goal
    wanted = f"goal ≤ {goal:g} {unit}   {'ok' if met else 'MISSED'}" if goal is not None else ""
    print(f"{name:<40} {value:9.2f} {unit:<3} {wanted}{note}")
    return met


def main(argv: list[str]) -> int:
    """Print each measurement beside its goal; exit 1 when one is missed."""
    runs = int(argv[0]) if argv else 5
    load = {
        kind: statistics.median(run(LOAD_SNIPPET, kind)["seconds"] for _ in range(runs)) for kind in ("numpy", "st")
    }
    met = row("import + load + one word, numpy", load["numpy"], "s", LOAD_GOAL_S)
    row("the same with sentence-transformers", load["st"], "s", note=f"({load['st'] / load['numpy']:.1f}× numpy)")
    with tempfile.TemporaryDirectory() as cache:
        computed = run(VECTORS_SNIPPET, cache)
        cached = run(VECTORS_SNIPPET, cache)
        lookups = run(LOOKUP_SNIPPET, cache, str(runs), *WORDS)
    row("class + word vectors, computed", computed["seconds"], "s", note=f"({int(computed['words'])} words)")
    row("class + word vectors, from the cache", cached["seconds"], "s")
    met &= row("memory the model and vectors add", cached["added_mb"], "MB", MEMORY_GOAL_MB)
    embed = {kind: run(EMBED_SNIPPET, kind, str(runs), *WORDS)["ms"] for kind in ("numpy", "st")}
    row("one embedding, numpy (median)", embed["numpy"], "ms")
    row("one embedding, sentence-transformers", embed["st"], "ms", note=f"({embed['st'] / embed['numpy']:.1f}× numpy)")
    worst = max(lookups, key=lookups.__getitem__)
    met &= row("one lookup, cold (mean)", statistics.fmean(lookups.values()), "ms", LOOKUP_GOAL_MS)
    met &= row(f"slowest lookup ({worst})", lookups[worst], "ms", LOOKUP_GOAL_MS)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
