"""Build pipeline/data/emoji_names.tsv: the words of other languages that name an emoji the lookup
reads as classes, from Unicode CLDR's emoji annotations (names and keywords in ~160 locales).

The lookup (pipeline/words/lexicon.py) reads only the committed output: "kat" (Dutch),
"kikker", "fiets", "katt" (Swedish), "tembo" (Swahili) each name one emoji, which the lookup
already reads as classes. CLDR ships as the npm package `cldr-annotations-full` (Unicode
License v3). Regenerate:

    npm pack cldr-annotations-full@48.2.0 && tar xzf cldr-annotations-full-48.2.0.tgz
    .venv/bin/python scripts/build_emoji_names.py package

A word stands for the emoji it is the spoken name of ("kat" is 🐈 in Dutch), by most locales
where it names several (a dog and a poodle are one thing). Keywords are not names (some
locales keep English keywords untranslated), but a word that tags more than ten emoji of
other things somewhere is a topic and names nothing ("dier", animal in Dutch, is a door's name elsewhere).
Emoji the lookup reads as no class are left aside; English words are kept, as the lookup
reads English first and another language only where English reads nothing sure ("cane").

Output lines (tab-separated, after '#' comments holding the licence): word, emoji (space-separated).
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.words import configure  # noqa: E402
from pipeline.words.lexicon import key  # noqa: E402
from pipeline.words.reading import read  # noqa: E402

OUTPUT = ROOT / "pipeline" / "data" / "emoji_names.tsv"
# A word that tags more than this many emoji of other things is a topic ("animal", "food"), which
# names nothing even where it is an emoji's name in another language.
MAX_TOPIC_EMOJI = 10


def _annotations(package: Path) -> dict[str, dict[str, tuple[list[str], list[str]]]]:
    """Locale → emoji → (spoken names, keywords), English and the root locale left out."""
    out = {}
    for folder in sorted((package / "annotations").iterdir()):
        if folder.name.split("-")[0] in ("en", "und"):
            continue
        data = json.loads((folder / "annotations.json").read_text("utf-8"))["annotations"].get("annotations", {})
        out[folder.name] = {e: (v.get("tts", []), v.get("default", [])) for e, v in data.items()}
    return out


def _classes_of(emoji: str) -> frozenset[int]:
    """The classes the lookup reads an emoji as (its group and the others), empty when none."""
    reading = read(emoji)
    return frozenset(c for group in (reading.group, *reading.other_groups) for c in group)


def _most_named(named: dict[str, int], readable: dict[str, frozenset[int]]) -> list[str]:
    """The emoji a word names in most locales, with those of the same thing (a dog and a poodle are
    one): "moto" is the motorcycle in five languages and fire in Swahili, so the motorcycle.
    None when no thing is named by more locales than all the others together."""
    if not named:
        return []
    widest = sorted(named, key=lambda e: (-named[e], -len(readable[e])))[0]
    same = [e for e in named if readable[e] <= readable[widest] or readable[widest] <= readable[e]]
    if 2 * sum(named[e] for e in same) <= sum(named.values()):
        return []
    return same


def build(package: Path) -> str:
    """The table's text."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)  # word → emoji → locales naming it so
    tags: dict[str, set[str]] = defaultdict(set)
    for per_emoji in _annotations(package).values():
        for emoji, (spoken, words) in per_emoji.items():
            for name in spoken:
                votes[key(name)][emoji] += 1
            for word in words:
                tags[key(word)].add(emoji)
    readable = {e: _classes_of(e) for found in (*votes.values(), *tags.values()) for e in found}
    rows = []
    for word, named in sorted(votes.items()):
        found = _most_named({e: n for e, n in named.items() if readable[e]}, readable)
        if len(word) < 2 or not found:
            continue
        thing = frozenset().union(*(readable[e] for e in found))
        others = [e for e in tags.get(word, ()) if readable[e] and not readable[e] <= thing]
        if len(others) <= MAX_TOPIC_EMOJI:  # else a topic somewhere ("dier": animal in Dutch, a door elsewhere)
            rows.append(f"{word}\t{' '.join(sorted(found, key=lambda e: (len(e), e)))}")
    licence = (package / "LICENSE").read_text("utf-8").strip().splitlines()
    header = [
        "# Words of other languages naming an emoji the lookup reads as classes; from Unicode CLDR 48's",
        "# emoji annotations (npm cldr-annotations-full 48.2.0); built by scripts/build_emoji_names.py.",
        "# Its licence:",
        *(f"# {line}".rstrip() for line in licence),
    ]
    return "\n".join([*header, *rows]) + "\n"


def main(argv: list[str]) -> int:
    """Write the table from an unpacked cldr-annotations-full package folder."""
    if len(argv) != 1 or not (Path(argv[0]) / "annotations").is_dir():
        print("usage: build_emoji_names.py <unpacked cldr-annotations-full package folder>", file=sys.stderr)
        return 2
    configure("off")  # the emoji's own readings, by WordNet and the curated tables alone
    text = build(Path(argv[0]))
    OUTPUT.write_text(unicodedata.normalize("NFC", text), "utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {text.count(chr(10))} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
