"""Build pipeline/data/foreign_homographs.tsv: picture words of other languages that are spelled like
a rare English word, so the lookup reads German "Baum", French "plage", Spanish "pelota" or Japanese
"yama" as a tree, a beach, a ball and a mountain instead of as unknown.

scripts/foreign_words.py leaves out every word spelled like an English word, as English is read
first ("pain" is no French bread, "gift" no German poison). That also loses the words whose English
reading is a surname, a technical term or an old word nobody types ("baum", "plage", "bier"). Here
wordfreq's frequencies tell the two apart:

    pip install wordfreq          # a build-time tool only (its data is CC BY-SA 4.0)
    .venv/bin/python scripts/foreign_homographs.py scripts/foreign_homographs

The input folder holds what helpers wrote (docs/foreign-words.md, "Words spelled like English"):
- out_LANG.tsv, `word<TAB>english`: the picture words among LANG's frequent words that are spelled
  like an English word, the candidates listed by `candidates` below;
- roman_LANG.tsv, `romanised<TAB>native<TAB>english`: the Latin spellings people type for picture
  words of languages with another script (Japanese romaji, pinyin, Korean, Russian, Hindi, Arabic).

A row is kept when:
- the word is rare in English and common in its language: English Zipf frequency at most 3 (once in
  a million words) and at least 1.5 lower than the language's, for which a romanised word counts
  as often as its native spelling ("cane" stays a walking stick, "sole" a shoe's sole, "baum" is a
  tree); a romanised word spelled like no English word needs no such check;
- its English word reads as classes, and the word itself reads as none today, or only by a guess
  the lookup makes after this table (a spelling fix, the model's nearest word: "agua" was an agama).
  The table adds readings, it relabels none; a word whose English reading has classes keeps it, as
  `find` runs first;
- the main table (foreign_words.tsv) does not hold the word already;
- languages giving the word English words of different classes agree by majority ("burro": butter
  in Italian, a donkey in Spanish, is left out on a tie).
"""

from __future__ import annotations

import math
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from foreign_words import meaning_of_most_languages  # noqa: E402

from pipeline.words import configure, lexicon  # noqa: E402
from pipeline.words.forms import is_english  # noqa: E402
from pipeline.words.lexicon import key  # noqa: E402
from pipeline.words.reading import read  # noqa: E402
from pipeline.words.tables import Method  # noqa: E402

OUTPUT = ROOT / "pipeline" / "data" / "foreign_homographs.tsv"
HEADER = """# Picture words of other languages spelled like a rare English word ("baum", "plage", "yama"), each
# with the English word it means: written by helpers, kept by scripts/foreign_homographs.py where
# English speakers rarely write the word and its language's speakers often do (wordfreq).
# Columns: word (NFKC, case-folded), English word, the languages' ISO 639-1 codes."""

# Rare in English: at most once in a million words (Zipf 3), and 1.5 (30 times) rarer than in its language.
MAX_ENGLISH_ZIPF = 3.0
MIN_ZIPF_MARGIN = 1.5
# The languages written in Latin letters whose frequent words were checked (wordfreq has no Tagalog or Swahili).
CANDIDATE_LANGUAGES = (
    "es", "pt", "it", "fr", "de", "nl", "sv", "pl", "tr", "id", "cs", "ro", "hu", "fi", "da", "nb", "ms", "vi",
)  # fmt: skip
# Languages whose wordfreq lists need a tokenizer for zipf_frequency: looked up in the list directly.
_UNSPACED = frozenset({"ja", "zh", "ko"})


def build(in_dir: Path) -> None:
    configure("bundled", Path(tempfile.gettempdir()) / "ganterp-foreign-homographs")
    _write({})  # words are read as they are without this table
    meanings: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    dropped: dict[str, int] = defaultdict(int)
    for word, english, code, native in _rows(in_dir):
        reason = _why_left_out(word, english, code, native)
        if reason:
            dropped[reason] += 1
            continue
        meanings[word][english].add(code)
    table = {}
    for word, by_english in sorted(meanings.items()):
        agreed = meaning_of_most_languages(by_english)
        if agreed is None:
            dropped["meanings differ"] += 1
            continue
        english = max(agreed, key=lambda e: (len(agreed[e]), e))
        table[word] = (english, ",".join(sorted({c for codes in agreed.values() for c in codes})))
    wanted = {word: read(english).group for word, (english, _) in table.items()}
    while True:  # a word the lookup still reads otherwise (a curated unknown, a phrase) leaves
        _write(table)
        misread = {word for word in table if read(word).group != wanted[word]}
        if not misread:
            break
        dropped["misread with the table"] += len(misread)
        table = {word: row for word, row in table.items() if word not in misread}
    print(f"{len(table)} words kept; left out: {dict(dropped)}")


def _write(table: dict[str, tuple[str, str]]) -> None:
    """Write the table and forget every reading made with the one before."""
    lines = [f"{word}\t{english}\t{codes}\n" for word, (english, codes) in sorted(table.items())]
    OUTPUT.write_text(HEADER + "\n" + "".join(lines), "utf-8")
    lexicon.translations.cache_clear()
    read.cache_clear()


def _rows(in_dir: Path) -> list[tuple[str, str, str, str]]:
    """(word, English word, language, the spelling its frequency is read by) for every input row."""
    out = []
    for path in sorted(in_dir.glob("*_*.tsv")):
        kind, code = path.stem.split("_", 1)
        width = {"out": 2, "roman": 3}[kind]
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            fields = [field.strip() for field in line.split("\t")]
            if len(fields) != width or not all(fields):
                raise SystemExit(f"{path.name}:{number}: expected {width} fields")
            word, english = key(fields[0]), fields[-1].lower()
            out.append((word, english, code, fields[1] if kind == "roman" else word))
    return out


def _why_left_out(word: str, english: str, code: str, native: str) -> str:
    if lexicon.english_for(word) is not None:
        return "in the main table"
    if is_english(word) and not _rare_in_english(word, native, code):
        return "an English word"
    if not read(english).group:
        return "English word without classes"
    found = read(word)
    if found.group and found.method not in _GUESSES:
        return "read already"
    return ""


# Readings the lookup makes after this table is asked: a guess by the word's letters or by the
# model's nearest word ("agua", water, was the model's agama) gives way to a helper's translation.
_GUESSES = frozenset({Method.MEANING, Method.SPELLING})


def _rare_in_english(word: str, native: str, code: str) -> bool:
    from wordfreq import zipf_frequency  # a build-time tool only

    english = float(zipf_frequency(word, "en"))
    return english <= MAX_ENGLISH_ZIPF and _zipf(native, code) - english >= MIN_ZIPF_MARGIN


def _zipf(word: str, code: str) -> float:
    """A word's Zipf frequency in its language; Japanese, Chinese and Korean without their tokenizers."""
    from wordfreq import get_frequency_dict, zipf_frequency

    if code not in _UNSPACED:
        return float(zipf_frequency(word, code))
    frequency = float(get_frequency_dict(code).get(word, 0.0))
    return math.log10(frequency) + 9 if frequency > 0 else 0.0


def candidates(out_dir: Path, codes: list[str], top: int = 50_000) -> None:
    """Write out_dir/cand_LANG.txt: LANG's frequent words spelled like a rare English word, which
    the main table cannot hold, for helpers to pick the picture words from."""
    from wordfreq import top_n_list

    configure("bundled", Path(tempfile.gettempdir()) / "ganterp-foreign-homographs")
    for code in codes:
        words = [
            w for w in top_n_list(code, top)
            if w.isalpha() and len(w) > 2 and is_english(w) and lexicon.english_for(w) is None
            and _rare_in_english(w, w, code)
        ]  # fmt: skip
        (out_dir / f"cand_{code}.txt").write_text("".join(f"{w}\n" for w in words), "utf-8")
        print(f"{code}: {len(words)} candidates")


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "candidates":
        candidates(Path(argv[1]), argv[2:] or list(CANDIDATE_LANGUAGES))
        return 0
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    build(Path(argv[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
