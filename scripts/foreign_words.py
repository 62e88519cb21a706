"""Build pipeline/data/foreign_words.tsv: picture words of other languages, each with the English
word it means, so the lookup reads "Schmetterling", "bãi biển", "xiongmao" or "кошка" as the classes
of butterfly, beach, giant panda and cat.

CLDR's emoji names (scripts/build_emoji_names.py) cover the things that have an emoji; people also
type the many animals, dishes, tools and landscapes that have none, and their plurals and pet forms
("perritos", "Kätzchen"). Translators (helper agents given docs/foreign-words.md's instructions,
who never saw the project's test tables) wrote the everyday picture words of 19 languages, each as
typed in chat (native script and the Latin spelling people use) with its English word, into
IN_DIR/out_LANG.tsv; a sixth wrote chat English so ("danger noodle", "brekkie": out_en.tsv).
This script checks and joins them:

    .venv/bin/python scripts/foreign_words.py IN_DIR

- a word spelled like an English word is left out: the lookup reads English first ("pain" is no
  French bread, "gift" no German poison), and a word WordNet knows reads as English or not at all;
- the English word must read as classes here; a word whose languages' English words read as
  different classes is left out ("burro": donkey in Spanish, butter in Italian);
- a word the lookup reads as the same classes without the table is left out (CLDR's "perro", chat's
  "mic"): the table adds readings, it does not relabel them;
- a translation that is itself translated is left out (no reading runs in a circle);
- a word is also kept as typed without its accents ("bai bien", "eichhornchen", "eichhoernchen"),
  unless that spelling is another word's or English.

It prints how often the translators agree with CLDR where both name a word: a check of the
translations made offline. Output lines: word, English word, the languages' codes (comma-separated).
"""

from __future__ import annotations

import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.words import configure  # noqa: E402
from pipeline.words.forms import is_english  # noqa: E402
from pipeline.words.lexicon import emoji_for, key, without_accents  # noqa: E402
from pipeline.words.reading import read, read_emoji  # noqa: E402
from pipeline.words.tables import load_index  # noqa: E402

OUTPUT = ROOT / "pipeline" / "data" / "foreign_words.tsv"
HEADER = """# Picture words of other languages and the English word each means: written by translators
# (docs/foreign-words.md), checked and joined by scripts/foreign_words.py. The lookup reads a word
# here through its English word's classes, after English and before the emoji names of CLDR.
# Columns: word (NFKC, case-folded), English word, the languages' ISO 639-1 codes."""


def build(in_dir: Path) -> None:
    configure("bundled", Path(tempfile.gettempdir()) / "ganterp-foreign-words")
    OUTPUT.write_text(HEADER + "\n", "utf-8")  # translations are read without the table itself
    meanings = _meanings(in_dir)
    kept: dict[str, tuple[str, str]] = {}
    already: dict[str, tuple[str, str]] = {}
    dropped: dict[str, int] = defaultdict(int)
    for word, by_english in sorted(meanings.items()):
        reason = _why_left_out(word, by_english)
        if reason:
            dropped[reason] += 1
            continue
        english = max(by_english, key=lambda e: (len(by_english[e]), e))
        translation = (english, ",".join(sorted({code for codes in by_english.values() for code in codes})))
        # The table adds readings, it does not relabel them: CLDR's "perro", chat's "mic".
        read_so_already = set(read(word).group) == set(read(english).group)
        (already if read_so_already else kept)[word] = translation
    dropped["read so already"] = len(already)
    _compare_with_cldr(kept | already)
    kept |= _unaccented(kept)
    circular = [word for word, (english, _) in kept.items() if english in kept]
    for word in circular:
        del kept[word]
    dropped["translation translated again"] = len(circular)
    lines = [f"{word}\t{english}\t{codes}" for word, (english, codes) in kept.items()]
    OUTPUT.write_text(HEADER + "\n" + "\n".join(lines) + "\n", "utf-8")
    print(f"{len(meanings)} words read, {len(kept)} kept; left out: {dict(dropped)}")


def _meanings(in_dir: Path) -> dict[str, dict[str, set[str]]]:
    """Word → English word → the languages that give it that meaning."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in sorted(in_dir.glob("out_*.tsv")):
        code = path.stem.removeprefix("out_")
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            fields = [field.strip() for field in line.split("\t")]
            if len(fields) != 2 or not all(fields):
                raise SystemExit(f"{path.name}:{number}: expected a word and its English word")
            out[key(fields[0])][fields[1].lower()].add(code)
    return out


def _why_left_out(word: str, by_english: dict[str, set[str]]) -> str:
    if word in load_index().common or word in by_english or is_english(word):
        return "an English word"  # read as English, or an honest unknown ("glockenspiel" is no chime)
    classes = {frozenset(read(english).group) for english in by_english}
    if frozenset() in classes:
        return "English word without classes"
    if len(classes) > 1:
        return "meanings differ"
    return ""


def _unaccented(kept: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The words as typed without their accents ("bai bien", "eichhornchen", "eichhoernchen"), where
    no word of the table or of English is spelled so and every word spelled so means the same."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for word, meaning in kept.items():
        for spelling in {without_accents(word), _umlauts_spelled_out(word)} - {word}:
            found[spelling].add(meaning)
    out = {}
    for spelling, meanings in found.items():
        if spelling in kept or spelling in load_index().common or is_english(spelling):
            continue
        if len({frozenset(read(english).group) for english, _ in meanings}) == 1:
            english = min(english for english, _ in meanings)
            out[spelling] = (english, ",".join(sorted({c for _, codes in meanings for c in codes.split(",")})))
    return out


def _umlauts_spelled_out(word: str) -> str:
    """German's way to type without umlauts: "ä" as "ae", "ö" as "oe", "ü" as "ue", "ß" as "ss"."""
    return word.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")


def _compare_with_cldr(kept: dict[str, tuple[str, str]]) -> None:
    """How often a word CLDR also names reads as classes that share one with the translators' (a
    check of the translations made offline)."""
    both = agree = 0
    for word, (english, _) in kept.items():
        emoji = emoji_for(word)
        cldr = set(read_emoji(emoji[0]).group) if emoji else set()
        if cldr:
            both += 1
            agree += bool(cldr & set(read(english).group))
    print(f"CLDR names {both} of the words; their classes overlap the translators' for {agree}")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    build(Path(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
