"""A phrase's head and its modifiers: "big cab" is a cab, "orange cat" a cat, "sunny beach" the
shore and the sandbar a beach and sunshine share; two things side by side ("dog cat") stay two."""

from __future__ import annotations

from pipeline.words import reader as meaning
from pipeline.words import relations
from pipeline.words.attributes import described_by
from pipeline.words.forms import MAX_PHRASE_WORDS, base_forms, find
from pipeline.words.tables import Entry, Method, load_index
from pipeline.words.text import STOPWORDS

THING_METHODS = frozenset({Method.ID, Method.EXACT, Method.SYNONYM, Method.KIND_OF})


def is_thing(piece: str) -> bool | None:
    """Whether a known piece names things by itself (a class, its synonym or kinds); None when unknown."""
    entry = find(piece)
    if entry is None:
        return None
    return entry.method in THING_METHODS


def is_living(piece: str) -> bool:
    """Whether a piece names an animal, a food or a plant (its commonest sense, by WordNet)."""
    things = load_index().things
    return any(form in things for form in base_forms(piece))


def is_food(piece: str) -> bool:
    """Whether a piece names a food (its commonest sense, by WordNet: "pork", "bacon")."""
    foods = load_index().foods
    return any(form in foods for form in base_forms(piece))


def modifies(word: str) -> bool:
    """Whether a word before a thing only says something about it: no thing of its own ("red",
    "cute", "baby"), or a thing that is a colour too ("orange cat") or how food was cooked ("roast")."""
    return not is_thing(word) or relations.is_colour(word) or word in load_index().cooking


def only_describe(words: list[str]) -> bool:
    """Whether the words before a head only say something about it, function words aside ("a big
    red", "cute lil"): none is a thing of its own."""
    return all(modifies(word) for word in words if word not in STOPWORDS)


def thing_tail(words: str) -> Entry | None:
    """The thing a run of words names by its longest known ending, where every word before that
    ending modifies it (function words aside): "big cab", "two gar", "little theater curtain".
    None for a single word, or for two things ("dog cat")."""
    tokens = words.split()
    for start in range(1, len(tokens)):
        tail = " ".join(tokens[start:])
        if tokens[start] in STOPWORDS or is_thing(tail) is not True:
            continue
        if not only_describe(tokens[:start]):
            return None
        entry = find(tail)
        assert entry is not None
        return Entry(entry.method, entry.group, entry.other_groups, tail, entry.curated)
    return None


def held(phrase: str) -> Entry | None:
    """A holder and the thing it holds ("glass of wine", "bowl of soup", "basket of apples"), one
    picture: the holder's classes nearest the whole phrase (the soup bowl, not the mixing bowl) with
    the classes of what it holds. None unless both name things ("cup of tea": tea is only related
    to its pictures, so the cup and the tea are read as two, as before) and the holder's classes are
    near the phrase in meaning (a "bar of soap" is no space bar)."""
    holder, _, contents = phrase.partition(" of ")
    contents = " ".join(t for t in contents.split() if t not in _ARTICLES)
    if not contents or " " in holder or not is_thing(holder) or not is_thing(contents):
        return None
    holder_entry, thing = find(holder), find(contents)
    assert holder_entry is not None and thing is not None
    holding, score = meaning.nearest_of(phrase, holder_entry.group, holder)
    if meaning.available() and score < meaning.MIN_CONFIRMATION:
        return None
    return Entry(Method.RELATED, tuple(dict.fromkeys((*holding, *thing.group))), (), holder)


_ARTICLES = frozenset({"a", "an", "the", "some"})

# Words that tie a phrase's subject to a place or to what it meets: "bee on a flower", "dog in the snow".
_TIES = frozenset(
    {
        "in", "on", "at", "over", "under", "with", "by", "near", "from", "into", "onto", "through", "across",
        "along", "beside", "behind", "above", "below", "inside", "outside", "around", "among", "underneath",
        "beneath", "atop", "upon", "against", "during", "between", "toward", "towards", "past",
    }
)  # fmt: skip


def subject_and_rest(phrase: str) -> tuple[str, str] | None:
    """A phrase that says where its subject is or what it does, split there: ("bee", "a flower") for
    "bee on a flower", ("cat", "a mouse") for "cat chasing a mouse", ("", "the sea") for "under the
    sea". The tie is the first preposition, a verb in -ing after the subject that names no thing
    ("playing", "grazing"; not "building" or "painting"), or an -s or past form of a word used mostly
    as a verb ("flies", "loves", "chased"). None for a phrase with no tie."""
    tokens = phrase.split()
    for index, token in enumerate(tokens):
        verb = index > 0 and (_verb_before(tokens[index:]) or _says_what_it_does(tokens[index - 1], tokens[index:]))
        if token in _TIES or verb:
            rest = tokens[index + 1 :]
            while rest and rest[0] in STOPWORDS:
                rest = rest[1:]
            return " ".join(tokens[:index]), " ".join(rest)
    return None


def _says_what_it_does(before: str, tokens: list[str]) -> bool:
    """Whether a word after a thing is a verb saying what it does ("bird flies high", "my cat loves
    fish", "dog chased a ball"): an -s or past form of a word used mostly as a verb, after a word the
    lookup knows as a noun, and no word of a name ("big ground beetle", "old chain saw")."""
    if tokens[0] not in load_index().finite_verbs or before in STOPWORDS or find(before) is None:
        return False
    if find(f"{before} {tokens[0]}") is not None:
        return False  # "chain saw", "fruit flies"
    return not _starts_a_name(tokens)


def _verb_before(tokens: list[str]) -> bool:
    """Whether a word in -ing is a verb with what follows as its object or place ("chasing a mouse",
    "flying south", "falling"), not a word of a name ("rocking chair", "swimming trunks") or a
    modifier of the next thing ("fire breathing dragon")."""
    token, following = tokens[0], tokens[1:2]
    if len(token) <= 4 or not token.endswith("ing") or is_thing(token) is True:
        return False
    if _starts_a_name(tokens):
        return False
    return not following or following[0] in STOPWORDS or is_thing(following[0]) is not True


def _starts_a_name(tokens: list[str]) -> bool:
    """Whether the first word and one or more after it make a known name ("rocking chair", "chain saw")."""
    return any(find(" ".join(tokens[:end])) is not None for end in range(2, min(len(tokens), MAX_PHRASE_WORDS) + 1))


def narrowed(phrase: str, head: Entry) -> tuple[int, ...]:
    """The head's classes that its modifiers' classes share, where they share some: a "sunny beach"
    is the shore and the sandbar, not the breakwater; then those whose definitions name what a
    modifier says of them, where some do: a "spotted dog" is the dalmatian ("white coat with black
    or brown spots"); else all the head's ("red car")."""
    group, before = head.group, phrase[: -len(head.via)].split()
    for token in before:
        modifier = find(token) if token not in STOPWORDS else None
        shared = tuple(c for c in group if modifier is not None and c in modifier.group)
        group = shared or group
    for token in before:
        if token not in STOPWORDS and modifies(token):
            group = described_by(token, group) or group
    return group


def pictured(phrase: str, head: Entry) -> Entry:
    """What a phrase pictures, its head or the thing that modifies it, by meaning: a "sax player"
    is pictured by the sax, a "polar bear cub" by the polar bear, a "glass of wine" by the wine;
    then only the classes nearest the whole phrase ("steam train": the steam locomotive).
    Without a model, the head with the classes its modifiers share (`narrowed`)."""
    narrow = Entry(head.method, narrowed(phrase, head), head.other_groups, head.via, head.curated)
    if not meaning.available():
        return narrow
    # A head that is a class's own name is that class ("orange tench" is a tench): only a head
    # read by a guess (a kind, a related word) may give way to the thing that modifies it.
    named = head.method in (Method.ID, Method.EXACT, Method.SYNONYM)
    others = () if named else (*_modifying_things(phrase, head.via), *_modifying_scenes(phrase, head))
    best, best_score = narrow, -1.0
    for candidate in (narrow, *others):
        group, score = meaning.nearest_of(phrase, candidate.group, candidate.via)
        if score > best_score + _MODIFIER_MARGIN * (candidate is not narrow):
            best = Entry(candidate.method, group, candidate.other_groups, candidate.via, candidate.curated)
            best_score = score
    return best


# A modifier pictures the phrase only when its classes are this much nearer it than the head's.
_MODIFIER_MARGIN = 0.05


def _modifying_things(phrase: str, tail: str) -> list[Entry]:
    """The things named before the phrase's head, longest first ("polar bear" in "polar bear cub")."""
    tokens = phrase[: len(phrase) - len(tail)].split()
    out = []
    for length in range(len(tokens), 0, -1):
        for start in range(len(tokens) - length + 1):
            span = tokens[start : start + length]
            if span[0] in STOPWORDS or span[-1] in STOPWORDS:
                continue
            text = " ".join(span)
            if not relations.is_colour(text):
                out += _thing_named(text)
    # "A of B": what comes after "of" is what the phrase holds ("glass of wine"), so it is a candidate too.
    if " of " in f" {phrase} ":
        out += _thing_named(phrase.split(" of ", 1)[1])
    return out


def _modifying_scenes(phrase: str, head: Entry) -> list[Entry]:
    """The scenes or moods named before a scene that share none of its classes: a "snowy forest" may
    be pictured by snow (a forest's toadstools show none), a "spooky house" by what is spooky; a
    "rock band" stays a band by meaning."""
    if head.method is not Method.RELATED:
        return []
    out = []
    for token in phrase[: len(phrase) - len(head.via)].split():
        entry = find(token) if token not in STOPWORDS else None
        if entry is not None and entry.method is Method.RELATED and not set(entry.group) & set(head.group):
            out.append(Entry(entry.method, entry.group, entry.other_groups, token, entry.curated))
    return out


def _thing_named(text: str) -> list[Entry]:
    """The thing a text names by itself, as an entry read via that text; [] when it names none."""
    entry = find(text) if is_thing(text) else None
    return [] if entry is None else [Entry(entry.method, entry.group, entry.other_groups, text, entry.curated)]
