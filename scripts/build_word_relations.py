"""Build pipeline/data/word_relations.tsv: words that reach no class themselves but stand, by a
WordNet relation of their commonest sense, for a word the lookup reads well.

- a player is derived from the thing played: "cellist" → cello, "drummer" → drum (only people
  derived from artifacts, so "banker" is no bank);
- a synonym of its commonest sense is such a word: "snowfall" is snow;
- and, with no target, the things that are colours too ("orange cat" is an orange cat), and the
  names of several words that reach no class though a word in them does ("hush puppy" is no puppy).

Tried and left out, as they lowered the score on tests/data/meaning_tuning.tsv: kinds of a
curated scene or mood ("breeze" a kind of wind gave an electric fan), adjectives like a curated
mood ("blissful" like happy gave a golden retriever), adjectives pertaining to a noun. A target
stands for its commonest sense only ("gun" is the weapon, so an accelerator is none).

Targets are the curated table's words (not the reviewed ones; any method but "names nothing")
and the index's class names, synonyms and kinds. Reads Debian's `wordnet-base` like
scripts/build_wordnet_index.py, and the committed index and curated table. Regenerate:

    sudo apt-get install wordnet-base
    .venv/bin/python scripts/build_word_relations.py /usr/share/wordnet

Output lines (tab-separated, after '#' comments holding WordNet's licence):
    word  target word ("-": none)  relation (player_of, synonym, kind_of, adjective_of, colour, compound)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from build_wordnet_index import CONCRETE_FILES, LIVING_FILES, _licence_header, _readable  # noqa: E402

from pipeline.words.forms import find  # noqa: E402
from pipeline.words.tables import Entry, Method, load_index, word_table  # noqa: E402

OUTPUT = ROOT / "pipeline" / "data" / "word_relations.tsv"
_STRONG = frozenset({Method.EXACT, Method.SYNONYM, Method.KIND_OF})
# The derivation pointers of a player to the instrument: only people (noun.person, file 18)
# derived from an artifact (file 06), so "drummer" → drum, never "banker" → bank.
_PERSON, _ARTIFACT = 18, 6
# A scene, a weather, a happening or a thing may be read as the broader sense it is a kind of:
# WordNet's files 06 artifact, 11 event, 15 location, 17 object, 19 phenomenon. A person (18), a
# feeling (12) or an act (04) is not what its broader sense pictures ("rapper" is no performer's
# picture, "nostalgia" no feeling's), nor a food (13) another food ("mayonnaise" is a dressing,
# which pictured a Band-Aid; "aioli" a sauce, chocolate sauce; "potato chip" a snack, a hotdog),
# unless it is a drink.
_SCENE_FILES = frozenset({6, 11, 15, 17, 19})
_BEVERAGE = 7881800  # WordNet's "beverage, drink": a drink is pictured by its broader drink's vessels
_NARROW = 12  # at most this many classes for a broader sense to picture its kinds
_COMMUNICATION = 10  # WordNet's file of music, dance and art forms, among much else
# WordNet's files of quantities and states: no picture of their own ("blue funk" is no funk music).
_NOT_PICTURED = frozenset({23, 26})
# ...and those where a curated word's other name means the curated picture: artifacts, attributes,
# foods, weather and times; not works ("malarkey" is no jazz, "tripping" no swing music).
_PICTURED_UNDER_ANOTHER_NAME = frozenset({6, 7, 13, 19, 28})
_COMPOUND_DEPTH = 6  # how far up a name's broader senses its last word may be ("brass band" → band)


@dataclass
class Synset:
    """One synset of data.noun, with its pointers."""

    lexfile: int
    lemmas: list[str]
    pointers: list[tuple[str, int, str]] = field(default_factory=list)  # (symbol, offset, part of speech)


def read_data(path: Path) -> dict[int, Synset]:
    """Parse a WordNet data file into synsets keyed by offset."""
    synsets = {}
    for line in path.read_text("latin-1").splitlines():
        if line.startswith(" "):
            continue
        fields = line.partition(" | ")[0].split()
        n_words = int(fields[3], 16)
        lemmas = [_readable(w).split("(")[0] for w in fields[4 : 4 + 2 * n_words : 2]]
        pos = 4 + 2 * n_words
        count = int(fields[pos])
        pointers = [fields[pos + 1 + 4 * i : pos + 5 + 4 * i] for i in range(count)]
        synsets[int(fields[0])] = Synset(int(fields[1]), lemmas, [(p[0], int(p[1]), p[2]) for p in pointers])
    return synsets


def read_index(path: Path) -> dict[str, list[int]]:
    """Parse an index file: lemma → its synsets, commonest sense first."""
    senses = {}
    for line in path.read_text("latin-1").splitlines():
        if not line.startswith(" "):
            fields = line.split()
            senses[_readable(fields[0])] = [int(f) for f in fields[-int(fields[2]) :]]
    return senses


def _curated_table() -> dict[str, Entry]:
    """The curated words only. Not the reviewed ones: a reviewed row says what people accept for
    that one word, not for every word below it ("machine", judged as a few machines, would make a
    stapler a dishwasher); and so the table does not change with each round of reviews."""
    return word_table("curated_words.tsv")


def targets() -> set[str]:
    """The words a relation may lead to: what the lookup reads as classes for sure."""
    index, curated = load_index(), _curated_table()
    strong = {w for w in index.words if (e := index.entry(w)) is not None and e.method in _STRONG}
    return strong | {w for w, e in curated.items() if e.method is not Method.UNKNOWN}


def _shared_start(a: str, b: str) -> int:
    """How many letters two words share from their start."""
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


class Relations:
    """WordNet's nouns, and the words a noun may stand for."""

    def __init__(self, wordnet: Path) -> None:
        self.nouns, self.noun_senses = read_data(wordnet / "data.noun"), read_index(wordnet / "index.noun")
        self.targets = targets()
        # A target stands for its commonest sense only ("field" is land, not a field of study;
        # "gun" is the weapon, so an accelerator is none).
        self.noun_target = {s[0]: w for w, s in self.noun_senses.items() if w in self.targets}

    def of_noun(self, word: str) -> tuple[str, str] | None:
        """The target a noun stands for: the thing its player plays, a synonym of its commonest sense,
        or the broader sense that sense is a kind of ("bonfire" is a fire, "drizzle" rain)."""
        first = self.nouns[self.noun_senses[word][0]]
        played = [
            self.noun_target[offset]
            for symbol, offset, pos in first.pointers
            if symbol == "+"
            and pos == "n"
            and offset in self.noun_target
            and first.lexfile == _PERSON
            and self.nouns[offset].lexfile == _ARTIFACT
        ]
        if played:
            # The word is made from the thing's name: a "harpist" plays the harp, not the mouth organ
            # (which WordNet also calls a harp).
            named = [target for target in played if _shared_start(word, target) >= 3]
            return (named or played)[0], "player_of"
        synonym = self.noun_target.get(self.noun_senses[word][0])
        if synonym is not None and synonym != word and self.pictured_as(synonym, self.noun_senses[word][0]):
            return synonym, "synonym"  # "snowfall" is snow
        for symbol, offset, _ in first.pointers:
            target = self.noun_target.get(offset) if symbol in ("@", "@i") else None
            if target is not None and not self.pictured_as(target, offset):
                continue
            scene = first.lexfile in _SCENE_FILES or self.a_drink(self.noun_senses[word][0])
            if target is not None and scene and self.narrow(target):
                return target, "kind_of"
        if first.lexfile == _COMMUNICATION:
            return self.genre_of(first)
        return None

    def a_drink(self, sense: int) -> bool:
        """Whether a sense is a kind of beverage, whose broader drink's pictures (a cup, a teapot, an
        espresso) are how it is served ("cuppa" is tea, "cappuccino" coffee)."""
        frontier, seen = {sense}, set()
        while frontier:
            if _BEVERAGE in frontier:
                return True
            seen |= frontier
            frontier = self._broader(frontier) - seen
        return False

    def pictured_as(self, target: str, sense: int) -> bool:
        """Whether the target, as the lookup pictures it, is this sense of it. A word the index reads
        is read as classes, so it stands only for a thing ("maize" is corn, a "handbag" a purse): a
        proverb is no saw, a hitman no torpedo, an accountant no joystick ("controller"). A curated
        word's commonest sense may be another thing than the curated one ("pop", curated as music, is
        first a dad; "grunge" first dirt; "samba" first a tree): it stands for a sense it is the
        first name of ("vocalist" is a singer), never a state or a number, or under another name for
        a thing, a look, a food, weather or a time ("dawn" is sunrise, "gym shoe" a sneaker)."""
        synset = self.nouns[sense]
        if target not in _curated_table():
            return synset.lexfile in CONCRETE_FILES  # "pugilist" is no boxer: the lookup's boxer is a dog
        if synset.lemmas[0] == target:
            return synset.lexfile not in _NOT_PICTURED
        return synset.lexfile in _PICTURED_UNDER_ANOTHER_NAME

    def genre_of(self, first: Synset) -> tuple[str, str] | None:
        """A kind of music, dance or art two steps below a curated word ("techno" → popular music →
        music): the curated word's pictures (instruments, a stage) picture the genre."""
        curated = _curated_table()
        for symbol, offset, _ in first.pointers:
            if symbol != "@":
                continue
            for up_symbol, up, _ in (("@", offset, "n"), *self.nouns[offset].pointers):
                target = self.noun_target.get(up) if up_symbol == "@" else None
                if target is not None and target in curated and self.narrow(target):
                    return target, "kind_of"
        return None

    def narrow(self, target: str) -> bool:
        """Whether a broader sense pictures a kind of it: a few classes, not a whole category
        ("stapler" is a machine and "tongs" a device, which picture anything)."""
        entry = _curated_table().get(target) or load_index().entry(target)
        return entry is not None and len({c for g in (entry.group, *entry.other_groups) for c in g}) <= _NARROW

    def colours(self, wordnet: Path) -> list[str]:
        """Things that are colours too ("orange", "salmon"): before a thing they say its colour."""
        adjectives, senses = read_data(wordnet / "data.adj"), read_index(wordnet / "index.adj")
        chromatic = {o for o, s in adjectives.items() if "chromatic" in s.lemmas}
        index = load_index()
        return [
            f"{word}\t-\tcolour"
            for word, offsets in sorted(senses.items())
            if (entry := index.entry(word)) is not None
            and entry.method in _STRONG
            and any(sym == "&" and o in chromatic for s in offsets for sym, o, _ in adjectives[s].pointers)
        ]

    def adjectives(self, wordnet: Path) -> list[str]:
        """Adjectives made from a curated scene or mood ("wintry" from winter, "joyful" from joy): they
        name its picture, by WordNet's derivation and pertainym pointers of their commonest sense.
        Only curated targets: a class's name makes a poor adjective ("starry" is no starfish)."""
        adjectives, senses = read_data(wordnet / "data.adj"), read_index(wordnet / "index.adj")
        index, curated = load_index(), _curated_table()
        out = []
        for word, offsets in sorted(senses.items()):
            if word in curated or index.entry(word) is not None or word in self.noun_senses or not word.isalpha():
                continue
            for symbol, offset, pos in adjectives[offsets[0]].pointers:
                target = self.noun_target.get(offset) if symbol in ("+", "\\") and pos == "n" else None
                if target is not None and target in curated and self.pictured_as(target, offset):
                    out.append(f"{word}\t{target}\tadjective_of")
                    break
        return out

    def compounds(self, related: set[str], wordnet: Path) -> list[str]:
        """Names of two words or more that reach no class, stand for no word the lookup reads, and
        mean something else than their last word says ("hush puppy" is bread, "whipped cream" no
        cream): one thing, never read by its parts. Left out, as they may well mean what their words
        say: names whose senses are kinds of their last word or of its siblings ("brass band" is a
        band, a "sea otter" beside the otter), unless that word reads no class and the name is an
        animal, a food or a plant ("pot roast", "barn swallow": a pot or a barn is another thing);
        names starting with an adjective ("black cat", "little dog" and "rainy day" are, to WordNet,
        a fisher, a constellation and hard times), and "A of B"."""
        index, curated = load_index(), _curated_table()
        adjectives = read_index(wordnet / "index.adj")
        out = []
        for word in sorted(self.noun_senses):
            parts = word.split()
            if len(parts) < 2 or "of" in parts or parts[0] in adjectives or word in related:
                continue
            if word in curated or index.entry(word) is not None:
                continue
            if self._kind_of_last_word(word) and (_reads_classes(parts[-1]) or not self._living(word)):
                continue  # a "brass band" is read as a band, an "apple orchard" by its apples
            if any(map(_reads_classes, parts)):
                out.append(f"{word}\t-\tcompound")
        return out

    def _living(self, word: str) -> bool:
        """Whether a name's commonest sense is an animal, a food or a plant: then a picture of the
        words before its last one is another thing ("banana split", "barn swallow", "beach plum")."""
        return self.nouns[self.noun_senses[word][0]].lexfile in LIVING_FILES

    def _kind_of_last_word(self, word: str) -> bool:
        """Whether a sense of a name is, a few steps up, a sense of its last word or a sibling of one:
        a "brass band" is a band, a "sea otter" is beside the otter under the musteline mammals."""
        last = word.split()[-1]
        heads = {o for form in {last, last.removesuffix("s")} for o in self.noun_senses.get(form, [])}
        near = heads | self._broader(heads)
        frontier, seen = set(self.noun_senses[word]), set()
        for _ in range(_COMPOUND_DEPTH):
            if frontier & near:
                return True
            seen |= frontier
            frontier = self._broader(frontier) - seen
        return False

    def _broader(self, senses: set[int]) -> set[int]:
        """The senses one step above these (their hypernyms and instance hypernyms)."""
        return {o for s in senses for symbol, o, _ in self.nouns[s].pointers if symbol in ("@", "@i")}

    def rows(self) -> list[str]:
        """Every word reaching no class by itself, with the target it stands for."""
        index, curated = load_index(), _curated_table()
        out = {}
        for word in sorted(self.noun_senses):
            if word in curated or index.entry(word) is not None or not word.replace(" ", "").isalpha():
                continue
            found = self.of_noun(word)
            if found is not None:
                out[word] = f"{word}\t{found[0]}\t{found[1]}"
        return list(out.values())


def _reads_classes(word: str) -> bool:
    """Whether the lookup reads a word (or its singular: `find` tries both) as classes."""
    return (entry := find(word)) is not None and bool(entry.group)


def main(argv: list[str]) -> int:
    """Write the table from WordNet's folder."""
    if len(argv) != 1 or not (Path(argv[0]) / "data.adj").is_file():
        print("usage: build_word_relations.py <WordNet 3.0 dict folder, e.g. /usr/share/wordnet>", file=sys.stderr)
        return 2
    header = _licence_header().replace(
        "Nouns of WordNet 3.0 resolved to the 1000 BigGAN classes; built by scripts/build_wordnet_index.py.",
        "Words standing for a word the lookup reads, by WordNet 3.0; built by scripts/build_word_relations.py.",
    )
    relations = Relations(Path(argv[0]))
    rows = relations.rows() + relations.adjectives(Path(argv[0])) + relations.colours(Path(argv[0]))
    rows += relations.compounds({row.split("\t", 1)[0] for row in rows}, Path(argv[0]))
    OUTPUT.write_text("\n".join([header, *rows]) + "\n", "utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(rows)} words")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
