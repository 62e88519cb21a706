"""Build pipeline/data/reviewed_words.tsv: common English words judged one by one, with the classes a
person who typed each would accept (or none), for the words the lookup reads by a guess.

WordNet, the curated table and the meaning model read a word by rules; a rule reads a sibling as
the thing ("rat" → hamster, "pigeon" → any bird, "hatchback" → a Model T) or a common word as
another language's ("get" → the Swedish goat). The commonest words people type deserve a judgement
each, as the curated table gives its 250 words. Two steps:

    pip install wordfreq          # its English frequencies choose the words (not a runtime need)
    .venv/bin/python scripts/reviewed_words.py candidates OUT_DIR CLDR_PACKAGE
        writes OUT_DIR/batch_K.tsv, each word with every class a seed can now pick for it (the bundled
        meaning model on), in two rounds (docs/reviewed-words.md gives the judges' instructions):
        1-6, common words: every one-word WordNet noun whose commonest sense is a thing with a Zipf
           frequency >= 3.3 (its other senses >= 4.0), and every English emoji name (CLDR_PACKAGE:
           the unpacked npm package cldr-annotations-full, as for scripts/build_emoji_names.py);
        7-10, music and scenes: nouns one of whose two commonest senses is defined by music words
           (Zipf >= 2.5; two-word names whose rarer word is >= 3.3), and places, landforms, weather
           and times (>= 3.0; two-word ones >= 4.0) left out of round one;
        11-14, two-word names of things (WordNet's thing files, both words >= 3.9): the 1,600 whose
           rarer word is commonest, left out of the rounds before, not read as a class's synonym;
        neither a word read by a class's own name nor a curated one.
    .venv/bin/python scripts/reviewed_words.py rarer OUT_DIR
        round four, batches 15-18: the one-word things of round one's kind one step rarer
        (Zipf 2.6-3.3: "omelet", "dishwasher", "sailboat"), with what the lookup picks now
    .venv/bin/python scripts/reviewed_words.py adjectives OUT_DIR
        round five, batches 19-22: adjectives of scenes, weather, moods, food and living things (those
        WordNet derives from or relates to a noun of such a file, Zipf >= 2.8: "frosty", "festive",
        "juicy"), and the rarer scene nouns (Zipf 2.5-3.0), with what the lookup picks now
    .venv/bin/python scripts/reviewed_words.py merge OUT_DIR
        reads OUT_DIR/out_K.tsv (word, ok|none|set, method, classes, reason; one line per batch row),
        checks every class name, and writes the table: a `set` row as judged, a `none` row as "-" where
        the lookup guessed by a look-alike (an honest unknown instead), `ok` rows not at all; the rows
        of earlier rounds stay unless a word is judged again

The lookup reads this table beside the curated one; a curated row wins, and the benchmark's words
(tests/data/chat_words.tsv) keep the readings judged there.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUTPUT = ROOT / "pipeline" / "data" / "reviewed_words.tsv"
WORDNET = Path("/usr/share/wordnet")
# The project's benchmark words were judged before (issue 20's goal is >= 98% on them): a reviewer
# who reads one of them otherwise ("dolphin": an orca is no dolphin to one, the largest dolphin to
# the benchmark) does not overrule it.
BENCHMARK = ROOT / "tests" / "data" / "chat_words.tsv"
# A "none" makes an honest unknown only of a look-alike: a broader sense's sibling ("rat" → a
# hamster), a word inside a class name ("prairie" → prairie chicken), a spelling fix. A scene read
# by its definition or a relation, a kind WordNet names, a reading by meaning or from another
# language stay: the judges read scenes more narrowly than the people who wrote the project's
# word tables ("dawn": a valley at dawn), and a kind by WordNet is a fact. An English word read
# as another language's is a look-alike too ("kit" is no Russian whale).
LOOK_ALIKE_METHODS = frozenset({"broader", "in_name", "spelling"})
COMMON_BATCHES, MUSIC_AND_SCENE_BATCHES, NAME_BATCHES = 6, 4, 4
NAMES_TO_JUDGE, NAME_WORD_ZIPF = 1600, 3.9
# Zipf frequency (log10 of uses per billion words) a word needs, by its commonest sense's WordNet file:
THING_FILES = frozenset({5, 6, 13, 17, 19, 20})  # animal, artifact, food, object, phenomenon, plant
OTHER_FILES = frozenset({4, 10, 11, 12, 14, 15, 18, 27, 28})  # act, communication, event, feeling…
SCENE_FILES = frozenset({15, 17, 19, 28})  # location, object (landforms, waters), phenomenon, time
THING_ZIPF, OTHER_ZIPF, EMOJI_NAME_ZIPF, EMOJI_PHRASE_ZIPF = 3.3, 4.0, 3.0, 2.8
RARER_THING_ZIPF, RARER_BATCHES, FIRST_RARER_BATCH = 2.6, 4, 15
# Adjectives pictured through a noun of these files: feeling, location, object, phenomenon, time,
# food, plant, animal ("festive", "frosty", "juicy", "furry").
ADJECTIVE_NOUN_FILES = frozenset({12, 15, 17, 19, 28, 13, 20, 5})
ADJECTIVE_ZIPF, RARER_SCENE_ZIPF, ADJECTIVE_BATCHES, FIRST_ADJECTIVE_BATCH = 2.8, 2.5, 4, 19
MUSIC_ZIPF, MUSIC_PAIR_ZIPF, SCENE_ZIPF, SCENE_PAIR_ZIPF = 2.5, 3.3, 3.0, 4.0
MUSIC_WORDS = re.compile(
    r"\b(music|musical|song|songs|singer|singing|dance|dancing|band|orchestra|concert|instrument|melody"
    r"|rhythm|jazz|rock|opera|choir|guitar|drum|piano|violin|rap|hip-hop|disco|techno|festival)\b"
)
Frequency = Callable[[str, str], float]  # wordfreq's zipf_frequency(word, language)
HEADER = """# Common English words judged one by one: the classes a person who typed each would accept, or "-"
# where no class shows it (an honest unknown instead of a guess). Built by scripts/reviewed_words.py
# from judgements of every class the lookup could pick for each word (docs/reviewed-words.md); read
# beside curated_words.tsv, whose rows win. Columns as there: word, method, classes, reason."""


def candidates(out_dir: Path, cldr: Path) -> None:
    """Write both rounds' batches: words the lookup reads by a guess, with what it picks now."""
    from wordfreq import zipf_frequency  # a build-time tool only

    from pipeline.words import configure

    configure("bundled", Path(tempfile.gettempdir()) / "ganterp-review-words")
    common = sorted(set(_common_nouns(zipf_frequency)) | set(_emoji_names(cldr, zipf_frequency)))
    first = _to_judge(common)
    second = _to_judge(w for w in _music_and_scene_words(zipf_frequency) if w not in set(common))
    judged = {row.split("\t")[0] for row in first + second}
    third = _to_judge(w for w in _thing_names(zipf_frequency) if w not in judged)
    names = sorted(third, key=lambda row: -_rarer_word(row.split("\t")[0], zipf_frequency))[:NAMES_TO_JUDGE]
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_batches(out_dir, first, COMMON_BATCHES, 1)
    _write_batches(out_dir, second, MUSIC_AND_SCENE_BATCHES, COMMON_BATCHES + 1)
    _write_batches(out_dir, sorted(names), NAME_BATCHES, COMMON_BATCHES + MUSIC_AND_SCENE_BATCHES + 1)
    print(f"{len(first)} + {len(second)} + {len(names)} words in batches under {out_dir}")


def rarer(out_dir: Path) -> None:
    """Write round four's batches: things one step rarer than round one's."""
    from wordfreq import zipf_frequency  # a build-time tool only

    from pipeline.words import configure

    configure("bundled", Path(tempfile.gettempdir()) / "ganterp-review-words")
    rows = _to_judge(_common_nouns(zipf_frequency, floor=RARER_THING_ZIPF, below=THING_ZIPF))
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_batches(out_dir, rows, RARER_BATCHES, FIRST_RARER_BATCH)
    print(f"{len(rows)} words in batches under {out_dir}")


def adjectives(out_dir: Path) -> None:
    """Write round five's batches: adjectives of scenes and things, and the rarer scene nouns."""
    from wordfreq import zipf_frequency  # a build-time tool only

    from pipeline.words import configure

    configure("bundled", Path(tempfile.gettempdir()) / "ganterp-review-words")
    judged = set(_music_and_scene_words(zipf_frequency))  # round two's
    scenes = _music_and_scene_words(zipf_frequency, scene_floor=RARER_SCENE_ZIPF)
    rarer_scenes = [w for w in scenes if " " not in w and w not in judged]
    rows = _to_judge(sorted(set(_scene_adjectives(zipf_frequency)) | set(rarer_scenes)))
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_batches(out_dir, rows, ADJECTIVE_BATCHES, FIRST_ADJECTIVE_BATCH)
    print(f"{len(rows)} words in batches under {out_dir}")


def _scene_adjectives(zipf_frequency: Frequency) -> list[str]:
    """One-word adjectives WordNet derives from, or relates to, a noun of a scene, feeling, food or
    living thing (pertainym, derivation or attribute pointers)."""
    from build_word_relations import read_data

    nouns, adjectives = read_data(WORDNET / "data.noun"), read_data(WORDNET / "data.adj")
    out: set[str] = set()
    for synset in adjectives.values():
        if any(
            pos == "n" and symbol in ("\\", "+", "=") and nouns[offset].lexfile in ADJECTIVE_NOUN_FILES
            for symbol, offset, pos in synset.pointers
        ):
            out |= {
                w for w in synset.lemmas if w.isalpha() and len(w) >= 3 and zipf_frequency(w, "en") >= ADJECTIVE_ZIPF
            }
    return sorted(out)


def _rarer_word(name: str, zipf_frequency: Frequency) -> float:
    return min(zipf_frequency(token, "en") for token in name.split())


def _thing_names(zipf_frequency: Frequency) -> list[str]:
    """Two-word WordNet names of things ("baseball cap", "cutting board") whose words are common,
    read by a guess from their last word (a class's synonym is left out: it is the thing)."""
    from build_wordnet_index import read_senses, read_synsets

    from pipeline.words.reading import read
    from pipeline.words.tables import Method

    synsets, senses, proper = read_synsets(WORDNET), read_senses(WORDNET), _proper_lemmas()
    out = []
    for word, offsets in senses.items():
        tokens = word.split()
        if len(tokens) != 2 or not all(t.isalpha() and len(t) >= 2 for t in tokens) or (word, offsets[0]) in proper:
            continue
        thing = synsets[offsets[0]].lexfile in THING_FILES - {19}  # things, not weather
        if thing and _rarer_word(word, zipf_frequency) >= NAME_WORD_ZIPF and read(word).method is not Method.SYNONYM:
            out.append(word)
    return sorted(out)


def _to_judge(words: Iterable[str]) -> list[str]:
    """Batch rows of the words the lookup reads by a guess: each with every class a seed may pick."""
    from pipeline.classes import class_name
    from pipeline.words.lookup import lookup
    from pipeline.words.reading import read
    from pipeline.words.results import NoWords
    from pipeline.words.tables import Method, curated_words

    rows = []
    for word in words:
        if word in curated_words() or read(word).method in (Method.EXACT, Method.ID):
            continue
        try:
            picks = sorted({c for match in lookup(word, 0) for c in match.choices} or {-1})
        except NoWords:
            continue  # a function word ("over") names nothing to judge
        names = ["UNKNOWN" if c < 0 else f"{class_name(c)} [{c}]" for c in picks]
        shown = "; ".join(names) if len(names) <= 10 else f"{len(names)} classes, e.g. " + "; ".join(names[:6])
        rows.append(f"{word}\t{shown}")
    return rows


def _write_batches(out_dir: Path, rows: list[str], batches: int, first: int) -> None:
    size = -(-len(rows) // batches)
    for k in range(batches):
        part = rows[k * size : (k + 1) * size]
        text = "word\tthe lookup now picks one of\n" + "\n".join(part) + "\n"
        (out_dir / f"batch_{first + k}.tsv").write_text(text, "utf-8")


def _common_nouns(zipf_frequency: Frequency, floor: float = 0.0, below: float = 99.0) -> list[str]:
    """One-word WordNet nouns, lower case (no names of places or people), common enough by their
    commonest sense's file; a plural whose singular is listed is left to the singular. With a floor,
    only things whose frequency lies in [floor, below)."""
    from build_wordnet_index import read_senses, read_synsets

    synsets, senses, proper = read_synsets(WORDNET), read_senses(WORDNET), _proper_lemmas()
    out = []
    for word, offsets in senses.items():
        first = synsets[offsets[0]].lexfile
        if not word.isalpha() or len(word) < 3 or (word, offsets[0]) in proper:
            continue
        need = THING_ZIPF if first in THING_FILES else OTHER_ZIPF if first in OTHER_FILES else None
        if floor:
            need = floor if first in THING_FILES else None
        if need is not None and need <= zipf_frequency(word, "en") < below:
            out.append(word)
    listed = set(out)
    return [w for w in out if not (w.endswith("s") and (w[:-1] in listed or w[:-2] in listed))]


def _music_and_scene_words(zipf_frequency: Frequency, scene_floor: float = SCENE_ZIPF) -> list[str]:
    """Nouns of music culture (defined by music words) and of scenes, of one or two words."""
    from build_wordnet_index import read_senses, read_synsets

    synsets, senses, proper = read_synsets(WORDNET), read_senses(WORDNET), _proper_lemmas()
    out = []
    for word, offsets in senses.items():
        tokens = word.split()
        if len(tokens) > 2 or not all(t.isalpha() for t in tokens) or len(word) < 3 or (word, offsets[0]) in proper:
            continue
        rarest = min(zipf_frequency(t, "en") for t in tokens)
        musical = any(MUSIC_WORDS.search(synsets[o].gloss.lower()) for o in offsets[:2])
        # A scene's file; a time of two words is a term ("solar year"), not a scene.
        scene = synsets[offsets[0]].lexfile in (SCENE_FILES if len(tokens) == 1 else SCENE_FILES - {28})
        single, pair = (MUSIC_ZIPF, MUSIC_PAIR_ZIPF) if musical else (scene_floor, SCENE_PAIR_ZIPF)
        if (musical or scene) and rarest >= (single if len(tokens) == 1 else pair):
            out.append(word)
    return sorted(out)


def _proper_lemmas() -> set[tuple[str, int]]:
    """(lemma, synset) pairs WordNet writes with a capital: names of places, people, brands."""
    out = set()
    for line in (WORDNET / "data.noun").read_text("latin-1").splitlines():
        if not line.startswith(" "):
            fields = line.split()
            lemmas = fields[4 : 4 + 2 * int(fields[3], 16) : 2]
            out |= {(lemma.lower().replace("_", " "), int(fields[0])) for lemma in lemmas if lemma[0].isupper()}
    return out


def _emoji_names(cldr: Path, zipf_frequency: Frequency) -> list[str]:
    """English emoji names and keywords from CLDR that are common words or phrases WordNet knows."""
    import json

    from pipeline.words.tables import load_index

    path = cldr / "annotations" / "en" / "annotations.json"
    data = json.loads(path.read_text("utf-8"))["annotations"]["annotations"]
    index = load_index()
    out = set()
    for value in data.values():
        for name in (n.lower().strip() for n in value.get("default", []) + value.get("tts", [])):
            phrase = " " in name
            if len(name) < 3 or not name.replace(" ", "").isalpha() or name not in index.words:
                continue
            if zipf_frequency(name, "en") >= (EMOJI_PHRASE_ZIPF if phrase else EMOJI_NAME_ZIPF):
                out.add(name)
    return sorted(out)


def merge(out_dir: Path) -> None:
    """Check the judgements and write the table."""
    earlier = _table_rows()
    OUTPUT.write_text(HEADER + "\n", "utf-8")  # the lookup's own readings first, without the table
    from pipeline.words import configure
    from pipeline.words.tables import word_table

    configure("bundled", Path(tempfile.gettempdir()) / "ganterp-review-words")
    curated = word_table("curated_words.tsv")
    benchmark = {line.split("\t")[0] for line in BENCHMARK.read_text("utf-8").splitlines() if not line.startswith("#")}
    rows, counts = [], {"ok": 0, "none": 0, "set": 0}
    answers = _answers(out_dir)
    # A word judged again replaces its row; an "ok" judged the picks its row gave, which stays.
    judged_now = {answer[0] for answer in answers if answer[1] != "ok"}
    rows += [row for word, row in earlier if word not in judged_now]
    for word, verdict, method, classes, reason in answers:
        counts[verdict] += 1
        if word not in curated and word not in benchmark:
            rows += _row(word, verdict, method, classes, reason)
    OUTPUT.write_text(HEADER + "\n" + "\n".join(sorted(set(rows))) + "\n", "utf-8")
    print(f"judged {counts}; wrote {len(set(rows))} rows to {OUTPUT.relative_to(ROOT)}")


def _table_rows() -> list[tuple[str, str]]:
    """The table's rows as written by earlier rounds, each with its word."""
    lines = OUTPUT.read_text("utf-8").splitlines() if OUTPUT.exists() else []
    return [(line.split("\t")[0], line) for line in lines if line and not line.startswith("#")]


def _answers(out_dir: Path) -> list[list[str]]:
    """Every judgement, each batch answered row for row."""
    out = []
    for batch_file in sorted(out_dir.glob("batch_*.tsv"), key=lambda p: int(p.stem.split("_")[1])):
        answer_file = out_dir / batch_file.name.replace("batch_", "out_")
        batch = [line.split("\t")[0] for line in batch_file.read_text("utf-8").splitlines()[1:] if line]
        answers = [line.split("\t")[:5] for line in answer_file.read_text("utf-8").splitlines() if line]
        if [a[0] for a in answers] != batch:
            raise SystemExit(f"{answer_file.name} does not answer {batch_file.name} row for row")
        out += answers
    return out


def _row(word: str, verdict: str, method: str, classes: str, reason: str) -> list[str]:
    """The table's row for one judgement, if it changes the lookup."""
    from pipeline.words.forms import is_english
    from pipeline.words.reading import read
    from pipeline.words.tables import parse_classes

    if verdict == "set":
        parse_classes(classes)  # a KeyError names a misspelt class
        return [f"{word}\t{method or 'related'}\t{classes}\t{reason}"]
    method_now = read(word).method.value
    if verdict == "none" and (method_now in LOOK_ALIKE_METHODS or (method_now == "translation" and is_english(word))):
        return [f"{word}\tunknown\t-\t{reason}"]
    return []  # "ok"; or a "none" where the lookup reads a scene or another language, or knows nothing


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "candidates":
        candidates(Path(argv[1]), Path(argv[2]))
        return 0
    if len(argv) == 2 and argv[0] == "rarer":
        rarer(Path(argv[1]))
        return 0
    if len(argv) == 2 and argv[0] == "adjectives":
        adjectives(Path(argv[1]))
        return 0
    if len(argv) == 2 and argv[0] == "merge":
        merge(Path(argv[1]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
