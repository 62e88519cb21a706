"""Build pipeline/data/foreign_words.tsv: picture words of other languages, each with the English
word it means, so the lookup reads "Schmetterling", "bãi biển", "xiongmao" or "кошка" as the classes
of butterfly, beach, giant panda and cat.

CLDR's emoji names (scripts/build_emoji_names.py) cover the things that have an emoji; people also
type the many animals, dishes, tools and landscapes that have none, and their plurals and pet forms
("perritos", "Kätzchen"). Translators (helper agents given docs/foreign-words.md's instructions,
who never saw the project's test tables) wrote the everyday picture words of 31 languages, each as
typed in chat (native script and the Latin spelling people use) with its English word, into
IN_DIR/out_LANG.tsv; another wrote chat English so ("danger noodle", "brekkie": out_en.tsv), and
another the names of products people type ("big mac", "stratocaster"), appended to out_en.tsv.
This script checks and joins them:

    .venv/bin/python scripts/foreign_words.py scripts/foreign_words

The first rounds' files were not kept: scripts/foreign_words/ holds, per language, the forms their
table kept (rebuilt from it at stop 36), and after them the rows a gap round added (translators
given, per language, the everyday meanings the table lacked: docs/foreign-words.md).

- a word spelled like an English word is left out: the lookup reads English first ("pain" is no
  French bread, "gift" no German poison), and a word WordNet knows reads as English or not at all;
- a word whose English word reads as no class is kept too: it reads as an honest unknown that says
  what it means ("tenedor" is a fork, which no class shows) where the lookup would otherwise guess
  by its letters (a tenor, a microphone);
- a word whose languages' English words read as different classes means what more of them say
  ("kafe": a cafe in four languages, coffee in one), and is left out on a tie ("burro": donkey in
  Spanish, butter in Italian);
- a word the bots read as the same classes without the table is left out (CLDR's "perro", chat's
  "mic"): the table adds readings, it does not relabel them. "Read" is the bots' own lookup of the
  form as typed (split into words and phrases first), and it is asked again with the table in place,
  its unaccented forms included, until nothing changes: a form left out may read otherwise once
  the table holds another word's unaccented spelling ("chó", a dog, would read as "cho", a market);
- a translation that is itself translated is left out (no reading runs in a circle);
- a word is also kept as typed without its accents ("bai bien", "eichhornchen", "eichhoernchen"),
  unless a translator wrote that spelling ("mic" is chat's microphone, no Czech míč) or it is English.

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

from pipeline.words import chat, complete, configure, lexicon, reading, splitting  # noqa: E402
from pipeline.words import spelling as spelling_fixes  # noqa: E402
from pipeline.words.forms import is_english  # noqa: E402
from pipeline.words.lexicon import emoji_for, key, without_accents  # noqa: E402
from pipeline.words.reading import read, read_emoji  # noqa: E402
from pipeline.words.splitting import request_units  # noqa: E402
from pipeline.words.tables import load_index  # noqa: E402

OUTPUT = ROOT / "pipeline" / "data" / "foreign_words.tsv"
HEADER = """# Picture words of other languages and the English word each means: written by translators
# (docs/foreign-words.md), checked and joined by scripts/foreign_words.py. The lookup reads a word
# here through its English word's classes, after English and before the emoji names of CLDR.
# Columns: word (NFKC, case-folded), English word, the languages' ISO 639-1 codes."""


def build(in_dir: Path) -> None:
    configure("bundled", Path(tempfile.gettempdir()) / "ganterp-foreign-words")
    _write({})  # translations are read without the table itself
    meanings = _meanings(in_dir)
    candidates: dict[str, tuple[str, str]] = {}
    dropped: dict[str, int] = defaultdict(int)
    for word, by_english in sorted(meanings.items()):
        reason = _why_left_out(word, by_english)
        if reason:
            dropped[reason] += 1
            continue
        agreed = meaning_of_most_languages(by_english)
        if agreed is None:
            dropped["meanings differ"] += 1
            continue
        english = max(agreed, key=lambda e: (len(agreed[e]), e))
        candidates[word] = (english, ",".join(sorted(_languages(agreed))))
    wanted = {english: frozenset(read(english).group) for english, _ in candidates.values()}
    already = {word for word, (english, _) in candidates.items() if _bots_reading(word) == wanted[english]}
    _compare_with_cldr(candidates)
    taken = _spellings_taken(candidates, set(meanings))
    table, misread = _settle({w: t for w, t in candidates.items() if w not in already}, candidates, wanted, taken)
    dropped["read so already"] = len(already - table.keys())
    dropped["misread with the table"] = len(misread)
    print(f"{len(meanings)} words read, {len(table)} forms kept; left out: {dict(dropped)}")
    if misread:
        print("misread with the table:", ", ".join(sorted(misread)[:40]))


def _settle(
    kept: dict[str, tuple[str, str]],
    candidates: dict[str, tuple[str, str]],
    wanted: dict[str, frozenset[int]],
    taken: set[str],
) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """Write the table (the kept forms and their unaccented spellings) and read every candidate as
    the bots would, until nothing changes: a form left out that now reads otherwise joins; a form of
    the table that reads otherwise even so (the bots split it) leaves for good. Forms only ever join,
    or leave for good, so this ends. Returns the table as written and the forms that left (those
    whose English word the table holds too among them)."""
    misread: set[str] = set()
    while True:
        table = {w: t for w, t in _with_unaccented(kept, taken, wanted).items() if w not in misread}
        _write(table)
        misread |= kept.keys() - table.keys()  # translated again: no reading runs in a circle
        left_out = candidates.keys() - table.keys() - misread
        joining = {w for w in left_out if _bots_reading(w) != wanted[candidates[w][0]]}
        leaving = {w for w, (english, _) in table.items() if _bots_reading(w) != wanted[english]}
        if not joining and not leaving:
            return table, misread
        print(f"pass: {len(joining)} forms now read otherwise, {len(leaving)} misread with the table")
        misread |= leaving
        kept = {w: t for w, t in candidates.items() if (w in kept or w in joining) and w not in misread}


def _bots_reading(word: str) -> frozenset[int] | None:
    """The classes the bots read for a form as typed: its words and phrases first, then each read;
    None when it is more than one thing."""
    units = request_units(word)
    if len(units) != 1:
        return None
    return frozenset((units[0].reading or read(units[0].text)).group)


def _with_unaccented(
    kept: dict[str, tuple[str, str]], taken: set[str], wanted: dict[str, frozenset[int]]
) -> dict[str, tuple[str, str]]:
    """The kept forms and their unaccented spellings, less any whose English word is itself in the
    table (no reading runs in a circle)."""
    table = kept | _unaccented(kept, taken, wanted)
    return {word: (english, codes) for word, (english, codes) in table.items() if english not in table}


def _write(table: dict[str, tuple[str, str]]) -> None:
    """Write the table and forget every reading made with the one before."""
    lines = [f"{word}\t{english}\t{codes}\n" for word, (english, codes) in sorted(table.items())]
    OUTPUT.write_text(HEADER + "\n" + "".join(lines), "utf-8")
    for module in (lexicon, reading, splitting, chat, complete, spelling_fixes):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", "") == module.__name__:
                value.cache_clear()


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
    return ""


def meaning_of_most_languages(by_english: dict[str, set[str]]) -> dict[str, set[str]] | None:
    """The English words of the meaning (the classes they read as) that more languages give a word
    than any other ("kafe": a cafe in four languages, coffee in one); None on a tie ("paka": a cat in
    Swahili, a sweatshirt in Japanese): the word means different things to different people."""
    by_classes: dict[frozenset[int], dict[str, set[str]]] = defaultdict(dict)
    for english, codes in by_english.items():
        by_classes[frozenset(read(english).group)][english] = codes
    ranked = sorted(by_classes.values(), key=lambda meaning: -len(_languages(meaning)))
    if len(ranked) > 1 and len(_languages(ranked[0])) == len(_languages(ranked[1])):
        return None
    return ranked[0]


def _languages(by_english: dict[str, set[str]]) -> set[str]:
    """The languages that give a word any of these English words."""
    return {code for codes in by_english.values() for code in codes}


def _unaccented(
    kept: dict[str, tuple[str, str]], taken: set[str], wanted: dict[str, frozenset[int]]
) -> dict[str, tuple[str, str]]:
    """The words as typed without their accents ("bai bien", "eichhornchen", "eichhoernchen"), where
    no spelling taken is spelled so and every word spelled so means the same (`wanted`: the classes
    of each English word, read once)."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for word, meaning in kept.items():
        for spelling in _spellings(word):
            found[spelling].add(meaning)
    out = {}
    for spelling, meanings in found.items():
        if spelling in taken:
            continue
        if len({wanted[english] for english, _ in meanings}) == 1:
            english = min(english for english, _ in meanings)
            out[spelling] = (english, ",".join(sorted({c for _, codes in meanings for c in codes.split(",")})))
    return out


def _spellings(word: str) -> set[str]:
    """A word's other spellings as typed on a keyboard without its accents."""
    return {without_accents(word), _umlauts_spelled_out(word)} - {word}


def _spellings_taken(candidates: dict[str, tuple[str, str]], written: set[str]) -> set[str]:
    """The unaccented spellings the table must not hold: a word a translator wrote, an English word,
    and a word the bots already read as classes without the table ("mic", chat's microphone, is no
    Czech míč: read so already, chat's own "mic" is no longer in the table to say so)."""
    spellings = {spelling for word in candidates for spelling in _spellings(word)}
    common = load_index().common
    return {
        spelling
        for spelling in spellings
        if spelling in written or spelling in common or is_english(spelling) or _bots_reading(spelling)
    }


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
