"""Build pipeline/data/wordnet_index.tsv: every WordNet noun resolved to BigGAN classes.

The lookup in pipeline/lookup.py reads only the committed output; this script
is the one place that reads WordNet 3.0 itself. Debian's `wordnet-base` package
holds the data files it parses (data.noun, index.noun, noun.exc). Regenerate:

    sudo apt-get install wordnet-base
    .venv/bin/python scripts/build_wordnet_index.py /usr/share/wordnet

For every noun lemma the senses are tried in WordNet's order of frequency and
the best way any sense reaches the 1000 classes is kept: the sense is a class
(exact), classes are kinds of it, a class name contains the word, a broader
sense a few steps up has classes below it, or a class word appears in the
sense's definition. A short hand-written table adds synonyms and related
scenes that WordNet's noun tree cannot reach ("rocket ship", "ocean").

Output lines (tab-separated, after '#' comments holding WordNet's licence):
    G  group  class ids (space-separated)           a set of classes to choose from
    W  lemma  method  group  alternative groups  via   how a word resolves
    U  lemmas (space-separated)                     one-word nouns that reach no class: not typos
    X  inflected form  base forms                   WordNet's noun exceptions
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "pipeline" / "data"
OUTPUT = DATA_DIR / "wordnet_index.tsv"

# How far up the tree a word may look for a broader sense with classes below it,
# and how many classes that sense may hold: beyond these the result means nothing
# ("kitten" → young mammal → animal: 398 classes is not an answer).
MAX_STEPS_UP = 3
MAX_BROADER_CLASSES = 130
# A sense with more classes below it than this is a top of the tree (entity, object…).
MAX_KIND_CLASSES = 600
MAX_ALTERNATIVE_GROUPS = 4
# Only senses of things may borrow classes from a broader sense or their definition, and only
# from the same lexicographer file: "hope" → attribute → "bubble", or "baby" → person →
# "groom", reads as nonsense. WordNet's files: 05 animal, 06 artifact, 13 food, 17 object, 20 plant.
CONCRETE_FILES = frozenset({5, 6, 13, 17, 20})
# ...and only a word's two most frequent senses: rare ones borrow strangely ("god" → idol → creation).
MAX_BORROWING_SENSE = 2
# A word that only names the head of a class ("puppy" in "mud puppy") is a weaker
# clue than a broader sense; a word that qualifies one ("beer" in "beer bottle") is stronger.
RANK = {"exact": 0, "synonym": 0, "kind_of": 1, "in_name": 2, "broader": 3, "in_name_head": 4, "related": 5}

# Words people use that WordNet spells differently or only reaches through
# scenes, not kinds. Values are class names (checked against the class table).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "rocket ship": ("space shuttle",),
    "spaceship": ("space shuttle",),
    "rocket": ("space shuttle", "missile", "projectile"),
    "shuttle": ("space shuttle",),
    "teddy": ("teddy bear",),
    "tv": ("television",),
    "cellphone": ("cellular telephone",),
    "burger": ("cheeseburger",),
    "hamburger": ("cheeseburger",),
    "ice-cream": ("ice cream",),
}
RELATED: dict[str, tuple[str, ...]] = {
    "kitty": ("tabby", "tiger cat", "Persian cat", "Siamese cat", "Egyptian cat"),
    "bunny": ("wood rabbit", "Angora", "hare"),
    "ocean": ("seashore", "coral reef", "sandbar", "promontory"),
    "sea": ("seashore", "coral reef", "sandbar", "promontory"),
    "beach": ("seashore", "sandbar"),
    "wave": ("seashore", "sandbar"),
    "waves": ("seashore", "sandbar"),
    "lake": ("lakeside",),
    "river": ("lakeside", "valley", "dam"),
    "water": ("lakeside", "seashore", "water bottle", "water tower"),
    "mountain": ("alp", "volcano", "cliff", "valley"),
    "mountains": ("alp", "volcano", "cliff", "valley"),
    "hill": ("alp", "valley", "promontory"),
    "forest": ("valley", "alp"),
    "nature": ("valley", "lakeside", "alp", "geyser"),
    "sky": ("balloon", "parachute", "airliner"),
    "cloud": ("alp", "balloon", "parachute"),
    "clouds": ("alp", "balloon", "parachute"),
    "space": ("space shuttle", "planetarium", "radio telescope"),
    "universe": ("planetarium", "radio telescope", "space shuttle"),
    "star": ("planetarium", "radio telescope"),
    "stars": ("planetarium", "radio telescope"),
    "moon": ("planetarium", "radio telescope", "space shuttle"),
    "sun": ("volcano", "seashore", "sundial"),
    "planet": ("planetarium", "radio telescope"),
    "fire": ("volcano", "fire engine", "torch", "matchstick"),
    "flame": ("volcano", "torch", "matchstick", "candle"),
    "lava": ("volcano",),
    "snow": ("alp", "ski", "snowplow", "snowmobile", "dogsled"),
    "winter": ("alp", "ski", "snowplow", "snowmobile", "dogsled"),
    "ice": ("alp", "ski", "snowmobile"),
    "rain": ("umbrella",),
    "storm": ("umbrella", "seashore"),
    "night": ("planetarium", "radio telescope", "candle"),
    "city": ("palace", "library", "cinema", "streetcar", "traffic light"),
    "street": ("streetcar", "traffic light", "street sign", "cab"),
    "music": ("grand piano", "acoustic guitar", "electric guitar", "violin", "drum", "cello"),
    "song": ("grand piano", "acoustic guitar", "violin", "microphone"),
    "party": ("balloon", "pinwheel", "wine bottle"),
    "love": ("daisy", "rose hip"),
    "heart": ("daisy",),
    "sadness": ("umbrella", "candle"),
    "happiness": ("balloon", "daisy", "pinwheel"),
    "joy": ("balloon", "daisy", "pinwheel"),
    "dream": ("four-poster", "quilt", "balloon"),
    "sleep": ("four-poster", "quilt", "cradle"),
    "time": ("analog clock", "digital clock", "hourglass", "sundial", "wall clock"),
    "war": ("tank", "missile", "cannon", "warplane", "aircraft carrier"),
    "peace": ("daisy",),
    "food": ("pizza", "cheeseburger", "hotdog", "burrito", "bagel", "carbonara"),
    "dessert": ("ice cream", "trifle", "chocolate sauce"),
    "flower": ("daisy", "yellow lady's slipper"),
    "flowers": ("daisy", "yellow lady's slipper"),
    "tree": ("valley", "alp"),
    "garden": ("daisy", "pot", "greenhouse"),
    "desert": ("Arabian camel",),
    "sand": ("sandbar", "seashore"),
    "island": ("sandbar", "seashore", "promontory"),
    "cave": ("cliff dwelling", "cliff"),
    "house": ("boathouse", "greenhouse", "mobile home", "palace"),
    "home": ("mobile home", "four-poster", "studio couch", "rocking chair"),
    "church": ("church", "altar", "bell cote"),
    "school": ("school bus", "library", "mortarboard"),
    "money": ("wallet", "cash machine", "safe"),
    "road": ("traffic light", "street sign", "sports car", "cab"),
    "train": ("passenger car", "steam locomotive", "electric locomotive", "bullet train"),
    "plane": ("airliner", "warplane", "airship"),
    "airplane": ("airliner", "warplane"),
    "boat": ("canoe", "speedboat", "lifeboat", "yawl", "catamaran"),
    "sunset": ("seashore", "lakeside", "sandbar"),
    "sunrise": ("seashore", "lakeside", "alp"),
    "dance": ("stage", "theater curtain", "maraca"),
    "concert": ("stage", "electric guitar", "microphone"),
    "ghost": ("mask", "cloak", "jack-o'-lantern"),
    "halloween": ("jack-o'-lantern", "mask"),
    "christmas": ("Christmas stocking", "candle"),
    "birthday": ("balloon", "candle"),
    "wedding": ("groom", "gown"),
}


@dataclass
class Synset:
    """One noun synset as read from data.noun."""

    offset: int
    lexfile: int
    lemmas: list[str]
    hypernyms: list[int]
    gloss: str
    classes_below: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Resolution:
    """How one sense of a word reaches classes."""

    method: str
    classes: frozenset[int]
    via: str


def read_synsets(wordnet: Path) -> dict[int, Synset]:
    """Parse data.noun into synsets keyed by byte offset."""
    synsets: dict[int, Synset] = {}
    for line in (wordnet / "data.noun").read_text("latin-1").splitlines():
        if line.startswith(" "):
            continue  # the licence header
        head, _, gloss = line.partition(" | ")
        fields = head.split()
        n_words = int(fields[3], 16)
        lemmas = [_readable(w) for w in fields[4 : 4 + 2 * n_words : 2]]
        pos = 4 + 2 * n_words
        n_pointers = int(fields[pos])
        pointers = [fields[pos + 1 + 4 * i : pos + 5 + 4 * i] for i in range(n_pointers)]
        hypernyms = [int(p[1]) for p in pointers if p[0] in ("@", "@i") and p[2] == "n"]
        synsets[int(fields[0])] = Synset(int(fields[0]), int(fields[1]), lemmas, hypernyms, gloss.strip())
    return synsets


def read_senses(wordnet: Path) -> dict[str, list[int]]:
    """Parse index.noun: lemma → synset offsets, most frequent sense first."""
    senses: dict[str, list[int]] = {}
    for line in (wordnet / "index.noun").read_text("latin-1").splitlines():
        if line.startswith(" "):
            continue
        fields = line.split()
        n_senses = int(fields[2])
        senses[_readable(fields[0])] = [int(f) for f in fields[-n_senses:]]
    return senses


def read_exceptions(wordnet: Path) -> dict[str, list[str]]:
    """Parse noun.exc: irregular plural → base forms."""
    exceptions: dict[str, list[str]] = {}
    for line in (wordnet / "noun.exc").read_text("latin-1").splitlines():
        inflected, *bases = line.split()
        exceptions[_readable(inflected)] = [_readable(b) for b in bases]
    return exceptions


def read_classes() -> list[tuple[int, int, list[str]]]:
    """The committed class table: (class id, synset offset, lower-cased names)."""
    rows = []
    for line in (DATA_DIR / "imagenet_classes.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            cid, wnid, names = line.split("\t")
            rows.append((int(cid), int(wnid[1:]), [n.strip().lower() for n in names.split(", ")]))
    return rows


def _readable(word: str) -> str:
    return re.sub(r"\(.*\)$", "", word).replace("_", " ").lower()


def mark_classes_below(synsets: dict[int, Synset], class_of: dict[int, int]) -> None:
    """Give every synset the set of classes that are it or kinds of it."""
    for offset, class_id in class_of.items():
        stack, seen = [offset], set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            synsets[current].classes_below.add(class_id)
            stack.extend(synsets[current].hypernyms)


class Resolver:
    """Resolves WordNet senses and lemmas to classes."""

    def __init__(
        self, synsets: dict[int, Synset], senses: dict[str, list[int]], classes: list[tuple[int, int, list[str]]]
    ):
        self.synsets, self.senses = synsets, senses
        self.class_of = {offset: cid for cid, offset, _ in classes}
        self.ids_by_name: dict[str, list[int]] = {}
        self.ids_by_word: dict[str, set[int]] = {}
        self.modifiers: set[str] = set()
        for cid, _, names in classes:
            for name in names:
                self.ids_by_name.setdefault(name, []).append(cid)
                words = re.split(r"[\s-]+", name)
                self.modifiers.update(words[:-1])
                for word in words:
                    self.ids_by_word.setdefault(word, set()).add(cid)

    def sense(self, offset: int, may_borrow: bool = True) -> Resolution | None:
        """The closest way one sense reaches classes, without looking at its definition."""
        synset = self.synsets[offset]
        if offset in self.class_of:
            return Resolution("exact", frozenset({self.class_of[offset]}), "")
        if 0 < len(synset.classes_below) <= MAX_KIND_CLASSES:
            return Resolution("kind_of", frozenset(synset.classes_below), "")
        return self._broader(synset) if may_borrow else None

    def _broader(self, synset: Synset) -> Resolution | None:
        if synset.lexfile not in CONCRETE_FILES:
            return None
        level = synset.hypernyms
        for _ in range(MAX_STEPS_UP):
            level = [o for o in level if self.synsets[o].lexfile == synset.lexfile]
            covering = [self.synsets[o] for o in level if self.synsets[o].classes_below]
            if covering:
                best = min(covering, key=lambda s: len(s.classes_below))
                if len(best.classes_below) <= MAX_BROADER_CLASSES:
                    return Resolution("broader", frozenset(best.classes_below), best.lemmas[0])
                return None  # the nearest broader sense is already too broad
            level = [h for o in level for h in self.synsets[o].hypernyms]
        return None

    def from_gloss(self, offset: int, word: str) -> Resolution | None:
        """A class or kind named in the sense's definition ("kitten: young domestic cat")."""
        if self.synsets[offset].lexfile not in CONCRETE_FILES:
            return None
        words = re.findall(r"[a-z][a-z'-]*", self.synsets[offset].gloss.split(";")[0].lower())
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                phrase = " ".join(words[start : start + size])
                if phrase == word or phrase not in self.senses or len(phrase) < 3:
                    continue
                first = self.senses[phrase][0]
                found = self.sense(first) if self.synsets[first].lexfile in CONCRETE_FILES else None
                if found and found.method in ("exact", "kind_of") and len(found.classes) <= MAX_BROADER_CLASSES:
                    return Resolution("related", found.classes, phrase)
        return None

    def lemma(self, word: str) -> list[Resolution]:
        """Every distinct resolution of a word, the best first."""
        found: list[tuple[int, int, Resolution]] = []
        if word in self.ids_by_name:
            found.append((0, -1, Resolution("exact", frozenset(self.ids_by_name[word][:1]), "")))
        for index, offset in enumerate(self.senses.get(word, [])):
            resolution = self.sense(offset, may_borrow=index < MAX_BORROWING_SENSE)
            if resolution:
                found.append((RANK[resolution.method], index, resolution))
        if word in self.ids_by_word and word not in self.ids_by_name:
            rank = RANK["in_name"] if word in self.modifiers else RANK["in_name_head"]
            found.append((rank, 0, Resolution("in_name", frozenset(self.ids_by_word[word]), "")))
        if not found:
            for index, offset in enumerate(self.senses.get(word, [])[:MAX_BORROWING_SENSE]):
                resolution = self.from_gloss(offset, word)
                if resolution:
                    found.append((RANK["related"], index, resolution))
        found.sort(key=lambda item: (item[0], item[1]))
        # A sense that is a class, under a name the class table does not list, is a synonym.
        named = [r if r.method != "exact" or word in self.ids_by_name else Resolution("synonym", r.classes, "")
                 for _, _, r in found]  # fmt: skip
        return _distinct(named)

    def listed(self, table: dict[str, tuple[str, ...]], method: str) -> dict[str, Resolution]:
        """Resolutions from a hand-written table of class names."""
        out = {}
        for word, names in table.items():
            ids = frozenset(self.ids_by_name[n.lower()][0] for n in names)
            out[word] = Resolution(method, ids, "")
        return out


def _distinct(resolutions: Iterable[Resolution]) -> list[Resolution]:
    out: list[Resolution] = []
    for resolution in resolutions:
        if all(resolution.classes != r.classes for r in out):
            out.append(resolution)
    return out


def build(wordnet: Path) -> str:
    """Return the text of the index."""
    synsets, senses, exceptions, classes = (
        read_synsets(wordnet), read_senses(wordnet), read_exceptions(wordnet), read_classes()
    )  # fmt: skip
    resolver = Resolver(synsets, senses, classes)
    mark_classes_below(synsets, resolver.class_of)
    words = set(senses) | set(resolver.ids_by_name) | set(resolver.ids_by_word)
    table = {w: resolver.lemma(w) for w in sorted(words)}
    for word, extra in {**resolver.listed(SYNONYMS, "synonym"), **resolver.listed(RELATED, "related")}.items():
        exact = [r for r in table.get(word, []) if r.method == "exact"]
        table[word] = _distinct([*exact, extra, *table.get(word, [])])
    table = {w: r for w, r in table.items() if r}

    groups: dict[frozenset[int], int] = {}
    lines = [_licence_header()]
    word_lines = []
    for word, resolutions in table.items():
        ids = [groups.setdefault(r.classes, len(groups)) for r in resolutions[: 1 + MAX_ALTERNATIVE_GROUPS]]
        first = resolutions[0]
        alternatives = " ".join(map(str, ids[1:]))
        word_lines.append(f"W\t{word}\t{first.method}\t{ids[0]}\t{alternatives}\t{first.via}")
    lines += [f"G\t{gid}\t{' '.join(map(str, sorted(ids)))}" for ids, gid in groups.items()]
    lines += word_lines
    unresolved = sorted(w for w in senses if w not in table and " " not in w)
    lines += [f"U\t{' '.join(unresolved[i : i + 100])}" for i in range(0, len(unresolved), 100)]
    lines += [
        f"X\t{inflected}\t{' '.join(bases)}"
        for inflected, bases in sorted(exceptions.items())
        if inflected not in table and any(b in table for b in bases)
    ]
    return "\n".join(lines) + "\n"


def _licence_header() -> str:
    licence = (DATA_DIR / "WORDNET_LICENSE").read_text("utf-8").strip().splitlines()
    intro = [
        "Nouns of WordNet 3.0 resolved to the 1000 BigGAN classes; built by scripts/build_wordnet_index.py.",
        "Derived from WordNet 3.0; its licence (also in WORDNET_LICENSE):",
    ]
    return "\n".join(f"# {line}".rstrip() for line in [*intro, *licence])


def main(argv: list[str]) -> int:
    """Write the index from the WordNet folder given on the command line."""
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    text = build(Path(argv[0]))
    temporary = OUTPUT.with_suffix(".tmp")
    temporary.write_text(text, "utf-8")
    temporary.replace(OUTPUT)
    print(f"wrote {OUTPUT} ({len(text) / 2**20:.2f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
