"""Build pipeline/data/wordnet_index.tsv: every WordNet noun resolved to BigGAN classes.

The lookup in pipeline/words/lookup.py reads only the committed output; this script
is the one place that reads WordNet 3.0 itself. Debian's `wordnet-base` package
holds the data files it parses (data.noun, index.noun, noun.exc, cntlist.rev). Regenerate:

    sudo apt-get install wordnet-base
    .venv/bin/python scripts/build_wordnet_index.py /usr/share/wordnet

Each noun lemma gets every way one of its senses reaches the 1000 classes: the
sense is a class (exact), classes are kinds of it, its immediate broader sense has
a few classes below it, a class named in its definition, or a class whose name
holds the word and whose definition uses it. Senses are weighed by how often
they were tagged in WordNet's corpus (cntlist.rev), so the sense people mean wins
("plane" → airliner, not the carpenter's plane), and a rare sense never answers
for a word whose common sense reaches nothing ("wind" is air, not a wind
instrument). Words WordNet cannot reach, or reaches wrongly, are curated by hand in
pipeline/data/curated_words.tsv, which the lookup reads beside this index.

Output lines (tab-separated, after '#' comments holding WordNet's licence):
    G  group  class ids (space-separated)                  a set of classes to choose from
    W  lemma  method  group  alternative groups  via  tags  how a word resolves; tags: its
                                                            senses' tag count (how common)
    U  lemmas (space-separated)                            one-word words that reach no class: not typos
                                                            (irregular forms of any part of speech too)
    X  inflected form  base forms                          WordNet's noun exceptions
    T  lemmas (space-separated)                            nouns whose commonest (tagged) sense is an
                                                            animal, a food or a plant
    C  lemmas (space-separated)                            common English words of any part of
                                                            speech (tagged >= 10 times): English,
                                                            never another language's word
    D  lemmas (space-separated)                            the nouns of T whose commonest sense is a food
    K  words (space-separated)                             past participles of the kinds of cooking
                                                            food by heat or keeping it ("fried", "canned")
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "pipeline" / "data"
OUTPUT = DATA_DIR / "wordnet_index.tsv"

# A sense with more classes below it than this is a top of the tree (entity, object…).
MAX_KIND_CLASSES = 600
# A broader sense lends its classes only from one step up, and only when it is a small
# corner of the tree: "puppy" → dog (189 kinds in WordNet) or "jacket" → coat reads well;
# "tree" → vascular plant → daisy, or "pasta" → dish → hot dog, does not.
MAX_BROADER_CLASSES = 130
MAX_BROADER_SYNSETS = 200
MAX_ALTERNATIVE_GROUPS = 4
# A word whose senses of any part of speech were tagged this often in WordNet's corpus is common
# English: "get" (732 tags), "bad" (62) or "law" (96) is never Swedish goat, German bath or a lion
# in another language's emoji names; "cane" (6) or "pan" (7) may still be Italian or Spanish.
MIN_COMMON_TAGS = 10
# An abstract sense (outside the files below) has its classes as kinds only where they are at
# least this share of its kinds in WordNet: then they are what the word means, not a stray corner.
MIN_ABSTRACT_COVERAGE = 0.01
# Only senses of things may borrow classes from a broader sense or their definition, and only
# from the same lexicographer file: "hope" → attribute → "bubble", or "baby" → person →
# "groom", reads as nonsense. WordNet's files: 05 animal, 06 artifact, 13 food, 17 object, 20 plant.
CONCRETE_FILES = frozenset({5, 6, 13, 17, 20})
LIVING_FILES = frozenset({5, 13, 20})  # the animals, foods and plants among them
FOOD_FILE = 13
# ...and only a word's two most frequent senses: rare ones borrow strangely ("god" → idol → creation).
MAX_BORROWING_SENSE = 2
# How much each way of reaching classes is trusted, times (tag count + 1) of its sense.
# A class name the user typed is a fact, so it outweighs a guess from a commoner sense
# ("mouse" → computer mouse, not rodents in general), unless that commoner sense has
# classes of its own ("plane" → airliner: 21 tags against the carpenter's plane's 0).
WEIGHT = {"exact": 1.0, "synonym": 1.0, "kind_of": 1.0, "broader": 0.5, "related": 0.3, "in_name": 0.3}
EXACT_NAME_BOOST = 10
# A guess (not a class name) from a sense tagged a quarter as often as the word's commonest
# sense is a rare reading: "spring" is a season (25 tags), not a geyser (3).
DOMINANCE = 4


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


def read_senses(wordnet: Path, part: str = "noun") -> dict[str, list[int]]:
    """Parse index.noun (or another part of speech's index): lemma → synset offsets, most frequent
    sense first."""
    senses: dict[str, list[int]] = {}
    for line in (wordnet / f"index.{part}").read_text("latin-1").splitlines():
        if line.startswith(" "):
            continue
        fields = line.split()
        n_senses = int(fields[2])
        senses[_readable(fields[0])] = [int(f) for f in fields[-n_senses:]]
    return senses


def read_exceptions(wordnet: Path) -> dict[str, list[str]]:
    """Parse noun.exc: irregular plural → base forms."""
    return dict(_exception_lines(wordnet, ("noun",)))


_PARTS = ("noun", "verb", "adj", "adv")


def _exception_lines(wordnet: Path, parts: tuple[str, ...] = _PARTS) -> Iterator[tuple[str, list[str]]]:
    """The irregular forms of WordNet's exception files (noun.exc, verb.exc…), each with its base forms."""
    for part in parts:
        for line in (wordnet / f"{part}.exc").read_text("latin-1").splitlines():
            inflected, *bases = line.split()
            yield _readable(inflected), [_readable(b) for b in bases]


def read_other_lemmas(wordnet: Path) -> set[str]:
    """Lemmas of adjectives, verbs and adverbs (index.adj, index.verb, index.adv)."""
    lemmas: set[str] = set()
    for name in ("index.adj", "index.verb", "index.adv"):
        for line in (wordnet / name).read_text("latin-1").splitlines():
            if not line.startswith(" "):
                lemmas.add(_readable(line.split(" ", 1)[0]))
    return lemmas


def read_irregular_forms(wordnet: Path) -> set[str]:
    """Irregular forms of every part of speech ("went", "mice", "cilia", "better"): real words,
    which the detachment rules of pipeline/words/forms.py cannot undo."""
    return {inflected for inflected, _ in _exception_lines(wordnet)}


# A verb form is read as one after a thing when its lemma was tagged as a verb at least this often.
MIN_VERB_TAGS = 3


def read_tag_counts(wordnet: Path, senses: dict[str, list[int]]) -> dict[tuple[str, int], int]:
    """Parse cntlist.rev: (lemma, synset offset) → how often that noun sense was tagged in WordNet's corpus."""
    counts: dict[tuple[str, int], int] = {}
    for lemma, lex_sense, number, count in _tagged_senses(wordnet):
        offsets = senses.get(lemma, [])
        # Sense keys of nouns start with 1; a sense number counts index.noun's offsets from 1.
        if lex_sense.startswith("1:") and number <= len(offsets):
            counts[(lemma, offsets[number - 1])] = count
    return counts


def read_common_words(wordnet: Path) -> list[str]:
    """One-word lemmas of any part of speech tagged at least MIN_COMMON_TAGS times (cntlist.rev), and
    their irregular forms."""
    totals: dict[str, int] = {}
    for lemma, _lex_sense, _number, count in _tagged_senses(wordnet):
        totals[lemma] = totals.get(lemma, 0) + count
    common = {w for w, n in totals.items() if n >= MIN_COMMON_TAGS and " " not in w}
    # Their irregular forms are as common: "took" and "spun" are English, no Thai chicken or a spoon.
    for form, bases in _exception_lines(wordnet):
        if " " not in form and common.intersection(bases):
            common.add(form)
    return sorted(common)


def _tagged_senses(wordnet: Path) -> Iterator[tuple[str, str, int, int]]:
    """cntlist.rev's lines: (lemma, lexical sense, sense number, times tagged in WordNet's corpus)."""
    for line in (wordnet / "cntlist.rev").read_text("latin-1").splitlines():
        key, number, count = line.split()
        lemma, _, lex_sense = key.partition("%")
        yield _readable(lemma), lex_sense, int(number), int(count)


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


def count_kinds(synsets: dict[int, Synset]) -> dict[int, int]:
    """How many synsets lie below each synset: how large a corner of the tree it is."""
    below: dict[int, list[int]] = {}
    for offset, synset in synsets.items():
        for hypernym in synset.hypernyms:
            below.setdefault(hypernym, []).append(offset)
    sizes: dict[int, int] = {}
    for offset in synsets:
        stack, seen = list(below.get(offset, [])), set()
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(below.get(current, []))
        sizes[offset] = len(seen)
    return sizes


@dataclass(frozen=True)
class Candidate:
    """One way a word reaches classes, and how much it is trusted."""

    score: float
    order: int  # the sense's place in WordNet's order (ties)
    resolution: Resolution


class Resolver:
    """Resolves WordNet senses and lemmas to classes."""

    def __init__(
        self,
        synsets: dict[int, Synset],
        senses: dict[str, list[int]],
        classes: list[tuple[int, int, list[str]]],
        counts: dict[tuple[str, int], int],
    ):
        self.synsets, self.senses, self.counts = synsets, senses, counts
        self.class_of = {offset: cid for cid, offset, _ in classes}
        mark_classes_below(synsets, self.class_of)
        self.kinds = count_kinds(synsets)
        self.ids_by_name: dict[str, list[int]] = {}
        self.ids_by_word: dict[str, set[int]] = {}
        for cid, _, names in classes:
            for name in names:
                self.ids_by_name.setdefault(name, []).append(cid)
                for word in re.split(r"[\s-]+", name):
                    self.ids_by_word.setdefault(word, set()).add(cid)
        # A class whose first name it is comes first: "harp" is the harp, not the harmonica's third name.
        rank = {(cid, name): i for cid, _, names in classes for i, name in enumerate(names)}
        for name, ids in self.ids_by_name.items():
            ids.sort(key=lambda cid: (rank[(cid, name)], cid))
        self.gloss_of_class = {cid: self.synsets[offset].gloss.lower() for cid, offset, _ in classes}

    def sense(self, offset: int, may_borrow: bool = True) -> Resolution | None:
        """The closest way one sense reaches classes, without looking at its definition."""
        synset = self.synsets[offset]
        if offset in self.class_of:
            return Resolution("exact", frozenset({self.class_of[offset]}), "")
        if 0 < len(synset.classes_below) <= MAX_KIND_CLASSES and self._covered(synset):
            return Resolution("kind_of", frozenset(synset.classes_below), "")
        return self._broader(synset) if may_borrow else None

    def _covered(self, synset: Synset) -> bool:
        """Whether an abstract sense's classes are a real part of its kinds: "animal" (398 classes of
        4016 kinds) is, "relation" (5 drinks among 5145 kinds) or "person" (3 of 10296) is not."""
        if synset.lexfile in CONCRETE_FILES:
            return True
        return len(synset.classes_below) >= MIN_ABSTRACT_COVERAGE * max(1, self.kinds[synset.offset])

    def _broader(self, synset: Synset) -> Resolution | None:
        if synset.lexfile not in CONCRETE_FILES:
            return None
        covering = [
            self.synsets[o]
            for o in synset.hypernyms
            if self.synsets[o].lexfile == synset.lexfile and self.synsets[o].classes_below
        ]
        if not covering:
            return None
        best = min(covering, key=lambda s: len(s.classes_below))
        if len(best.classes_below) > MAX_BROADER_CLASSES or self.kinds[best.offset] > MAX_BROADER_SYNSETS:
            return None  # the broader sense is already a large part of the tree
        if not _names_any(synset.gloss, [*best.lemmas, *(lemma.split()[-1] for lemma in best.lemmas)]):
            # Only a broader sense the definition itself names (or its head noun) is what the word is like:
            # "puppy: a young dog", "jacket: a short coat", "grizzly: ...bear"; the giraffe's definition does
            # not name its broader sense "ruminant", whose classes are cattle and antelopes.
            return None
        return Resolution("broader", frozenset(best.classes_below), best.lemmas[0])

    def from_gloss(self, offset: int, word: str) -> Resolution | None:
        """The class or kind a sense's definition names as its genus ("kitten: young domestic cat",
        "grizzly: powerful brownish-yellow bear of the uplands"): the noun before the first
        function word, and the words before it, never a word further on ("hotel: a building where
        travelers can pay" is not a can)."""
        if self.synsets[offset].lexfile not in CONCRETE_FILES:
            return None
        head = _GENUS_END.split(self.synsets[offset].gloss.split(";")[0].lower(), maxsplit=1)[0]
        words = re.findall(r"[a-z][a-z'-]*", head)
        for size in (3, 2, 1):
            phrase = " ".join(words[-size:])
            if len(words) < size or phrase == word or phrase not in self.senses or len(phrase) < 3:
                continue
            first = self.senses[phrase][0]
            # The named thing must be of the same file and a small corner of the tree, as for a broader
            # sense: "tree: a tall perennial woody plant" names "plant", which is no answer.
            if self.synsets[first].lexfile != self.synsets[offset].lexfile or self.kinds[first] > MAX_BROADER_SYNSETS:
                continue
            found = self.sense(first)
            if found and found.method in ("exact", "kind_of") and len(found.classes) <= MAX_BROADER_CLASSES:
                return Resolution("related", found.classes, phrase)
        return None

    def in_name(self, word: str) -> frozenset[int]:
        """Classes whose name holds the word and whose definition uses it: "beer" → beer bottle,
        but not "band" → Band Aid or "field" → field glasses, where the word means something else."""
        pattern = re.compile(rf"\b{re.escape(word)}(?:e?s)?\b")
        return frozenset(cid for cid in self.ids_by_word.get(word, ()) if pattern.search(self.gloss_of_class[cid]))

    def tags(self, word: str) -> int:
        """How often the word's noun senses were tagged: a measure of how common the word is."""
        return sum(self.counts.get((word, offset), 0) for offset in self.senses.get(word, []))

    def lemma(self, word: str) -> list[Resolution]:
        """Every distinct resolution of a word, the most trusted first."""
        offsets = self.senses.get(word, [])
        counts = [self.counts.get((word, offset), 0) for offset in offsets]
        commonest = max(counts, default=0)
        found: list[Candidate] = []
        for index, offset in enumerate(offsets):
            resolution = self.sense(offset, may_borrow=index < MAX_BORROWING_SENSE)
            if resolution:
                found.append(self._candidate(resolution, counts[index], index, commonest))
        if word in self.ids_by_name and not any(c.resolution.method == "exact" for c in found):
            exact = Resolution("exact", frozenset(self.ids_by_name[word][:1]), "")
            found.append(self._candidate(exact, 0, -1, commonest))
        named = self.in_name(word) if word not in self.ids_by_name else frozenset()
        if named:
            # The definitions use the word, so it means what the word's commonest sense means.
            found.append(self._candidate(Resolution("in_name", named, ""), commonest, len(offsets), commonest))
        if not found:
            for index, offset in enumerate(offsets[:MAX_BORROWING_SENSE]):
                resolution = self.from_gloss(offset, word)
                if resolution:
                    found.append(self._candidate(resolution, counts[index], index, commonest))
        kept = [c for c in found if c.score > 0]
        kept.sort(key=lambda c: (-c.score, c.order))
        # A sense that is a class, under a name the class table does not list, is a synonym.
        return _distinct(
            c.resolution
            if c.resolution.method != "exact" or word in self.ids_by_name
            else Resolution("synonym", c.resolution.classes, "")
            for c in kept
        )

    @staticmethod
    def _candidate(resolution: Resolution, count: int, order: int, commonest: int) -> Candidate:
        exact = resolution.method == "exact"
        if not exact and (count + 1) * DOMINANCE < commonest + 1:
            return Candidate(0.0, order, resolution)  # a rare reading of a word that means something else
        score = WEIGHT[resolution.method] * (count + 1) * (EXACT_NAME_BOOST if exact else 1)
        return Candidate(score, order, resolution)


# Where a definition's genus ends: the noun before a preposition, relative word, participle or comma.
_GENUS_END = re.compile(
    r"[,(:]|\b(?:of|that|which|who|whose|where|when|with|without|for|used|in|on|from|having|by|to|and|or|as|"
    r"consisting|made|especially|usually|typically|often|either|\w{3,}ed)\b"
)


def _names_any(gloss: str, lemmas: Iterable[str]) -> bool:
    """Whether a definition (without its quoted examples) uses one of the lemmas, or its plural."""
    text = gloss.split('"')[0].lower()
    return any(re.search(rf"\b{re.escape(lemma)}(?:e?s)?\b", text) for lemma in lemmas)


def _distinct(resolutions: Iterable[Resolution]) -> list[Resolution]:
    out: list[Resolution] = []
    for resolution in resolutions:
        if all(resolution.classes != r.classes for r in out):
            out.append(resolution)
    return out


def build(wordnet: Path) -> str:
    """Return the text of the index."""
    synsets, senses, exceptions, classes = (
        read_synsets(wordnet),
        read_senses(wordnet),
        read_exceptions(wordnet),
        read_classes(),
    )
    resolver = Resolver(synsets, senses, classes, read_tag_counts(wordnet, senses))
    words = set(senses) | set(resolver.ids_by_name) | set(resolver.ids_by_word)
    table = {w: resolver.lemma(w) for w in sorted(words)}
    table = {w: r for w, r in table.items() if r}

    groups: dict[frozenset[int], int] = {}
    lines = [_licence_header()]
    word_lines = []
    for word, resolutions in table.items():
        ids = [groups.setdefault(r.classes, len(groups)) for r in resolutions[: 1 + MAX_ALTERNATIVE_GROUPS]]
        first = resolutions[0]
        alternatives = " ".join(map(str, ids[1:]))
        word_lines.append(f"W\t{word}\t{first.method}\t{ids[0]}\t{alternatives}\t{first.via}\t{resolver.tags(word)}")
    lines += [f"G\t{gid}\t{' '.join(map(str, sorted(ids)))}" for ids, gid in groups.items()]
    lines += word_lines
    # Real words that reach no class are never "fixed" into one: nouns, and adjectives, verbs and
    # adverbs people type ("happy" is not a typo of "nappy", nor "sing" of "swing").
    real = set(senses) | read_other_lemmas(wordnet) | read_irregular_forms(wordnet)
    unresolved = sorted(w for w in real if w not in table and " " not in w)
    lines += [f"U\t{' '.join(unresolved[i : i + 100])}" for i in range(0, len(unresolved), 100)]
    things = living_nouns(sorted(w for w in senses if " " not in w), synsets, senses, resolver.counts)
    lines += [f"T\t{' '.join(things[i : i + 100])}" for i in range(0, len(things), 100)]
    foods = living_nouns(things, synsets, senses, resolver.counts, files=frozenset({FOOD_FILE}))
    lines += [f"D\t{' '.join(foods[i : i + 100])}" for i in range(0, len(foods), 100)]
    lines += [
        f"X\t{inflected}\t{' '.join(bases)}"
        for inflected, bases in sorted(exceptions.items())
        if inflected not in table and any(b in table for b in bases)
    ]
    common = read_common_words(wordnet)
    lines += [f"C\t{' '.join(common[i : i + 100])}" for i in range(0, len(common), 100)]
    # A verb form that is a noun people use stays a noun: tagged so in the corpus ("ground", "saw"),
    # or a class's name ("moped", "stole"); "flies" is a noun lemma only for a theatre's loft.
    nouns_in_use = {w for w, offsets in senses.items() if any(resolver.counts.get((w, o), 0) for o in offsets)}
    finite = finite_verb_forms(wordnet, nouns_in_use | set(resolver.ids_by_name))
    lines += [f"F\t{' '.join(finite[i : i + 100])}" for i in range(0, len(finite), 100)]
    lines.append(f"K\t{' '.join(cooking_words(wordnet))}")
    return "\n".join(lines) + "\n"


# The verb "cook" in its senses of making food by heat, and how far below them a kind of cooking lies.
_COOK_SENSES = (1664190, 322847)
_COOKING_DEPTH = 2
# Verbs WordNet files under cooking whose everyday sense is another ("a kept dog", "a fired cook",
# "a dressed cat"). WordNet's sense order cannot tell them: its first sense of "fry" is to electrocute.
_NOT_COOKING = frozenset({"keep", "fire", "dress", "zap", "nuke", "juggle"})


def cooking_words(wordnet: Path) -> list[str]:
    """The past participles of the kinds of cooking food by heat or keeping it ("fried", "grilled",
    "pickled"): before an animal they make a dish of it, not the animal."""
    lemmas, hyponyms = _lemmas_and_pointers(wordnet / "data.verb", "~")
    cooking, frontier = set(), list(_COOK_SENSES)
    for _ in range(_COOKING_DEPTH):
        frontier = [o for offset in frontier for o in hyponyms[offset]]
        cooking.update(frontier)
    verbs = {lemma for o in cooking for lemma in lemmas[o] if " " not in lemma} - _NOT_COOKING
    irregular: dict[str, list[str]] = {}
    for form, bases in _exception_lines(wordnet, ("verb",)):
        for base in bases:
            irregular.setdefault(base, []).append(form)
    # Participles only: the verb itself is as often another word before a noun ("brown bear").
    participles = {form for verb in verbs for form in (*_past_participles(verb), *irregular.get(verb, ()))}
    return sorted(participles | _cooked_adjectives(wordnet))


# WordNet's head adjectives "cooked" and "preserved", whose similar adjectives say how food was made.
_COOKED_HEADS = (615757, 1071423)


def _cooked_adjectives(wordnet: Path) -> set[str]:
    """The adjectives like "cooked" and "preserved" ("roast", "smoked", "seared") whose commonest sense
    is that: "medium", "aged" and "frozen" say other things of a live animal first."""
    lemmas, similar = _lemmas_and_pointers(wordnet / "data.adj", "&")
    first_sense = {word: offsets[0] for word, offsets in read_senses(wordnet, "adj").items()}
    cluster = {o for head in _COOKED_HEADS for o in (head, *similar[head])}
    return {w for o in cluster for w in lemmas[o] if " " not in w and first_sense.get(w) in cluster}


def _lemmas_and_pointers(data_file: Path, symbol: str) -> tuple[dict[int, list[str]], dict[int, list[int]]]:
    """A data file's synsets by offset: their lemmas, and the synsets one kind of pointer leads to
    ("~" a verb's kinds, "&" an adjective's similar ones)."""
    lemmas: dict[int, list[str]] = {}
    pointed: dict[int, list[int]] = {}
    for line in data_file.read_text("latin-1").splitlines():
        if line.startswith(" "):
            continue  # the licence header
        fields = line.partition(" | ")[0].split()
        n_words = int(fields[3], 16)
        lemmas[int(fields[0])] = [_readable(w) for w in fields[4 : 4 + 2 * n_words : 2]]
        pos = 4 + 2 * n_words
        pointers = [fields[pos + 1 + 4 * i : pos + 5 + 4 * i] for i in range(int(fields[pos]))]
        pointed[int(fields[0])] = [int(p[1]) for p in pointers if p[0] == symbol]
    return lemmas, pointed


def _past_participles(verb: str) -> set[str]:
    if verb.endswith("e"):
        return {verb + "d"}
    if verb.endswith("y") and verb[-2:-1] not in ("a", "e", "i", "o", "u"):
        return {verb[:-1] + "ied"}
    return {verb + "ed", verb + verb[-1] + "ed"}


def finite_verb_forms(wordnet: Path, noun_lemmas: set[str]) -> list[str]:
    """The -s and past forms of the words WordNet's corpus tagged more often as verbs than as nouns
    (at least MIN_VERB_TAGS times): "flies", "loves", "chased", "flew". After a thing they say what
    it does ("bird flies high", "my cat loves fish"), where "fly" or "love" alone is a noun. A form
    that is a noun people use (`noun_lemmas`) is left out ("moped", "stole", "ground")."""
    nouns: dict[str, int] = {}
    verbs: dict[str, int] = {}
    for lemma, lex_sense, _number, count in _tagged_senses(wordnet):
        if " " not in lemma and lex_sense[:2] in ("1:", "2:"):
            tally = nouns if lex_sense.startswith("1:") else verbs
            tally[lemma] = tally.get(lemma, 0) + count
    mostly_verbs = {v for v, n in verbs.items() if n >= MIN_VERB_TAGS and n > nouns.get(v, 0)}
    forms = {form for verb in mostly_verbs for form in _regular_finite_forms(verb)}
    for line in (wordnet / "verb.exc").read_text("latin-1").splitlines():
        inflected, *bases = line.split()
        if any(b in mostly_verbs for b in bases) and inflected.isalpha():
            forms.add(inflected)  # "flew", "ran", "sang"
    return sorted(forms - mostly_verbs - noun_lemmas)


def _regular_finite_forms(verb: str) -> set[str]:
    """ "fly" → flies, flied; "chase" → chases, chased; "jump" → jumps, jumped; "hop" → hops, hopped."""
    if verb.endswith("y") and verb[-2:-1] not in ("a", "e", "i", "o", "u"):
        return {verb[:-1] + "ies", verb[:-1] + "ied"}
    if verb.endswith(("s", "x", "z", "ch", "sh")):
        return {verb + "es", verb + "ed"}
    if verb.endswith("e"):
        return {verb + "s", verb + "d"}
    doubled = verb + verb[-1] + "ed" if len(verb) <= 4 and verb[-2:-1] in ("a", "e", "i", "o", "u") else ""
    return {verb + "s", verb + "ed"} | ({doubled} if doubled else set())


def living_nouns(
    words: Iterable[str],
    synsets: dict[int, Synset],
    senses: dict[str, list[int]],
    tags: dict[tuple[str, int], int],
    files: frozenset[int] = LIVING_FILES,
) -> list[str]:
    """The nouns whose commonest sense is an animal, a food or a plant: "rat", "dog", "mango". The
    commonest is the first sense tagged in WordNet's corpus, or for a word never tagged ("octopus",
    "cactus") the first sense WordNet lists. A picture of another creature or dish is a different
    thing, where one of another artifact may still do ("drum kit" → a drum)."""
    out = []
    for word in words:
        offsets = senses.get(word, [])
        if not offsets or synsets[offsets[0]].lexfile not in files:
            continue
        tagged = [tags.get((word, offset), 0) for offset in offsets]
        if tagged[0] > 0 or not any(tagged):
            out.append(word)
    return out


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
