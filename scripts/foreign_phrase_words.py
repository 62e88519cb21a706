"""Build pipeline/data/foreign_phrase_words.tsv: the words around a picture noun in short phrases of
other languages, so the lookup reads "el caballo blanco", "une pomme rouge", "der große Bär" or
"kuroi neko" as the English phrase they say (pipeline/words/foreign_phrases.py).

Translators (helper agents given the instructions kept in docs/foreign-words.md, who never saw the
project's test tables) wrote, for 31 languages, one file each, scripts/foreign_phrase_words/out_LANG.tsv:

- `describing` words (colours, size, age, weather, looks and feel: about 70 meanings, every inflected
  form) with the English adjective;
- `function` words (articles, demonstratives, possessives, prepositions and their contractions,
  conjunctions, particles) with a one-word English gloss;
- `noun`s: picture nouns spelled like a common English word ("chat", "mar", "Boot"), which the lookup
  reads alone as English, and in a phrase of their language as that language.

This script checks and joins them:

    .venv/bin/python scripts/foreign_phrase_words.py scripts/foreign_phrase_words

- a form is one word (the lookup splits phrases at spaces), written as the lookup keys it;
- a describing word's English must describe, not name a thing ("golden" may, as a colour; "baby"
  may not), and a noun's English must read as classes here;
- a form given twice in one language keeps its first row (the translator's first sense).

Output lines: form, kind, English, the language's ISO 639-1 code (one row per language).
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.words import configure  # noqa: E402
from pipeline.words.lexicon import key  # noqa: E402
from pipeline.words.phrases import modifies  # noqa: E402
from pipeline.words.reading import read  # noqa: E402

OUTPUT = ROOT / "pipeline" / "data" / "foreign_phrase_words.tsv"
KINDS = ("describing", "function", "noun")
HEADER = """# The words around a picture noun in short phrases of other languages, with their English: written
# by translators (docs/foreign-words.md), checked and joined by scripts/foreign_phrase_words.py. The
# lookup reads a phrase whose words all belong to one language as the English it says
# (pipeline/words/foreign_phrases.py). Columns: form (as the lookup keys it), kind (describing,
# function, noun), English, the language's ISO 639-1 code."""


def check(language: str, rows: list[list[str]], rejected: Counter[str]) -> list[tuple[str, str, str, str]]:
    """One language's rows that pass the checks, first row of a form kept."""
    kept: dict[str, tuple[str, str, str, str]] = {}
    for fields in rows:
        if len(fields) != 3 or fields[1].strip() not in KINDS or not all(f.strip() for f in fields):
            rejected["malformed"] += 1
            continue
        form, kind, english = key(fields[0]), fields[1].strip(), fields[2].strip().lower()
        reason = _rejection(form, kind, english)
        if reason is not None:
            rejected[reason] += 1
        elif form in kept:
            rejected["given twice"] += 1
        else:
            kept[form] = (form, kind, english, language)
    return list(kept.values())


def _rejection(form: str, kind: str, english: str) -> str | None:
    """Why a row is left out, or None."""
    if " " in form or not form:
        return "not one word"
    if kind == "describing" and (" " in english or not modifies(english)):
        return "describing English names a thing"
    if kind == "noun" and not read(english).group:
        return "noun English reads no class"
    return None


def build(in_dir: Path) -> int:
    """Write the table from the translators' files; the number of rows."""
    configure("bundled", Path(tempfile.gettempdir()) / "ganterp-foreign-phrase-words")
    rejected: Counter[str] = Counter()
    rows: list[tuple[str, str, str, str]] = []
    for path in sorted(in_dir.glob("out_*.tsv")):
        language = path.stem.removeprefix("out_")
        lines = [line.split("\t") for line in path.read_text("utf-8").splitlines() if line.strip()]
        kept = check(language, lines, rejected)
        counts = Counter(kind for _, kind, _, _ in kept)
        print(f"{language}: {len(kept)} forms ({', '.join(f'{counts[k]} {k}' for k in KINDS)})")
        rows += kept
    print("left out:", dict(rejected))
    body = ["\t".join(row) for row in sorted(rows, key=lambda row: (row[3], row[0]))]
    OUTPUT.write_text("\n".join([HEADER, *body]) + "\n", "utf-8")
    return len(rows)


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: foreign_phrase_words.py <folder of out_LANG.tsv files>", file=sys.stderr)
        return 2
    written = build(Path(argv[0]))
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {written} forms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
