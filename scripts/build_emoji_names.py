"""Build pipeline/data/emoji_names.tsv: the words of other languages that name an emoji the lookup
reads as classes, from Unicode CLDR's emoji annotations (names and keywords in ~160 locales).

The lookup (pipeline/words/lexicon.py) reads only the committed output: "kat" (Dutch),
"kikker", "fiets", "katt" (Swedish), "tembo" (Swahili) each name one emoji, which the lookup
already reads as classes. CLDR ships as the npm package `cldr-annotations-full` (Unicode
License v3). Regenerate:

    npm pack cldr-annotations-full@48.2.0 && tar xzf cldr-annotations-full-48.2.0.tgz
    .venv/bin/python scripts/build_emoji_names.py package

A word stands for the emoji it is the spoken name of ("kat" is 🐈 in Dutch), by most locales
where it names several (a dog and a poodle are one thing). A word that tags more than ten emoji of
other things somewhere is a topic and names nothing ("dier", animal in Dutch, is a door's name
elsewhere). A keyword that is no spoken name anywhere names a thing only when every emoji it tags
is that one thing: "manzana" tags the red and the green apple, "tembo" the elephant, "犬" the dog
and the poodle; "pet" tags cats, dogs and rabbits and names none of them. Japanese kana names and
keywords count in romaji too ("neko", "inu", "usagi"), Cyrillic ones in Latin letters ("koshka",
"sobaka"; scripts/latin_spellings.py), and one Chinese or
Japanese character is a whole word ("猫"). Names typed without their accents are names too
("arbol", "pajaro"), where no word of any locale and no English word is spelled so.
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

from latin_spellings import cyrillic_latin, is_cyrillic, is_kana, romaji  # noqa: E402

from pipeline.words import configure  # noqa: E402
from pipeline.words.forms import is_english  # noqa: E402
from pipeline.words.lexicon import key, without_accents  # noqa: E402
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
    for locale in list(out):  # the same names in the Latin letters people type them in
        out[f"{locale}-Latn"] = {e: (_in_latin(spoken), _in_latin(words)) for e, (spoken, words) in out[locale].items()}
    return out


def _in_latin(words: list[str]) -> list[str]:
    """The kana and Cyrillic words of a list, in the Latin letters people type them in."""
    out: list[str] = []
    for word in words:
        if is_kana(word):
            out += romaji(word)
        elif is_cyrillic(word):
            out += cyrillic_latin(word)
    return out


def _whole_word(word: str) -> bool:
    """Whether a name is long enough to be a word: two letters, or one Chinese or Japanese character."""
    return len(word) >= 2 or unicodedata.name(word, "").startswith(("CJK UNIFIED IDEOGRAPH", "HIRAGANA", "KATAKANA"))


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


def _named_thing(
    word: str, votes: dict[str, Counter[str]], tagged: dict[str, Counter[str]], readable: dict[str, frozenset[int]]
) -> list[str]:
    """The emoji of the one thing a word names: by its spoken names, else by keywords that tag that
    thing alone; [] when it names none, or is a topic (tags many emoji of other things)."""
    tags = tagged.get(word, Counter())
    if word not in votes and is_english(word):
        return []  # an English word WordNet knows ("accident", "ace") is no other language's keyword here
    named = votes.get(word) or tags  # a keyword only, where the word is nobody's spoken name
    found = _most_named({e: n for e, n in named.items() if readable[e]}, readable)
    if not found:
        return []
    thing = frozenset().union(*(readable[e] for e in found))
    others = [e for e in tags if readable[e] and not readable[e] <= thing]
    limit = MAX_TOPIC_EMOJI if word in votes else 0
    return found if len(others) <= limit else []


def _long_enough_keyword(word: str) -> bool:
    """Whether a keyword that is nobody's spoken name is long enough to trust: four Latin letters
    ("roo" tags bread somewhere, and is an English chat word), or any Chinese or Japanese word."""
    return len(word) >= 4 or not word.isascii()


def build(package: Path) -> str:
    """The table's text."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)  # word → emoji → locales naming it so
    tagged: dict[str, Counter[str]] = defaultdict(Counter)  # word → emoji → locales tagging it so
    for per_emoji in _annotations(package).values():
        for emoji, (spoken, words) in per_emoji.items():
            for name in spoken:
                votes[key(name)][emoji] += 1
            for word in words:
                tagged[key(word)][emoji] += 1
    readable = {e: _classes_of(e) for found in (*votes.values(), *tagged.values()) for e in found}
    rows: list[tuple[str, str]] = []
    for word in sorted(votes.keys() | tagged.keys()):
        found = _named_thing(word, votes, tagged, readable)
        if found and _whole_word(word) and (word in votes or _long_enough_keyword(word)):
            rows.append((word, " ".join(sorted(found, key=lambda e: (len(e), e)))))
    rows += _unaccented(rows, votes.keys() | tagged.keys())
    licence = (package / "LICENSE").read_text("utf-8").strip().splitlines()
    header = [
        "# Words of other languages naming an emoji the lookup reads as classes; from Unicode CLDR 48's",
        "# emoji annotations (npm cldr-annotations-full 48.2.0); built by scripts/build_emoji_names.py.",
        "# Its licence:",
        *(f"# {line}".rstrip() for line in licence),
    ]
    return "\n".join([*header, *(f"{word}\t{emoji}" for word, emoji in sorted(rows))]) + "\n"


def _unaccented(rows: list[tuple[str, str]], cldr_words: set[str]) -> list[tuple[str, str]]:
    """The names as people type them without accents ("arbol", "pajaro"), where that spelling is no
    word of any locale ("kot" is a cat left out as unclear, not the axe "kót"), no English word
    ("picnic" is no Spanish basket), and every name spelled so without accents names the same emoji."""
    bare: dict[str, set[str]] = defaultdict(set)
    for word, emoji in rows:
        if without_accents(word) != word:
            bare[without_accents(word)].add(emoji)
    return [
        (word, emoji.pop())
        for word, emoji in bare.items()
        if word not in cldr_words and not is_english(word) and len(emoji) == 1
    ]


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
