"""How a word or emoji reads before the seed chooses: the table entry it reaches (or its singular,
its known ending, its -ing stem), a spelling fix, another language through emoji, or the meaning model."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from pipeline.words import chat, foreign_phrases, lexicon, relations, spelling
from pipeline.words import emoji as E
from pipeline.words import reader as meaning
from pipeline.words.attributes import described_by
from pipeline.words.forms import base_forms, find, is_english, known_pieces
from pipeline.words.phrases import (
    THING_METHODS,
    held,
    is_food,
    is_living,
    is_thing,
    modifies,
    only_describe,
    pictured,
    subject_and_rest,
    thing_tail,
)
from pipeline.words.tables import Entry, Method, curated_words, load_index
from pipeline.words.text import MAX_WORD_CHARS, NUMBER, STOPWORDS, has_words, normalise, number_class

# How an emoji's Unicode name may reach classes: directly, or by a broader sense of one class the
# model confirms. Its words are a name, not a typo, and unconfirmed guesses from broader senses read
# oddly for pictures (⚓ → mechanical devices).
_EMOJI_NAME_METHODS = frozenset({Method.ID, Method.EXACT, Method.SYNONYM, Method.KIND_OF})

# WordNet's guesses that the meaning model must confirm: a broader sense or a related word
# ("octopus" → chambered nautilus, "laboratory" → bakery are look-alikes). A word inside a class
# name is not asked: the model scores "book" → book jacket low although people accept it.
_WEAK_METHODS = frozenset({Method.BROADER, Method.RELATED})


@dataclass(frozen=True)
class Reading:
    """How a word or emoji reads, before the seed chooses: its classes, or why it has none."""

    method: Method
    group: tuple[int, ...] = ()
    other_groups: tuple[tuple[int, ...], ...] = ()
    via: str = ""
    label: str = ""
    suggestions: tuple[str, ...] = ()
    decoration: bool = False
    fixed: str = ""  # the spelling fix made, which a front end without fix_spelling refuses instead
    curated: bool = False  # from the curated table
    confidence: float = 1.0


@functools.lru_cache(maxsize=4096)
def read(query: str) -> Reading:
    """How a word or emoji reads; cached, as a request may read a word twice (emoji beside it)."""
    if E.is_emoji(query):
        return read_emoji(query)
    word = normalise(query)
    if NUMBER.fullmatch(word):
        class_id = number_class(word)
        return Reading(Method.UNKNOWN) if class_id is None else Reading(Method.ID, (class_id,))
    if not has_words(word):
        return Reading(Method.UNKNOWN)  # "the" alone names nothing
    found = find(word)
    if found is not None and found.method is Method.UNKNOWN:
        return Reading(Method.UNKNOWN)  # curated as naming no class
    if found is not None and not _weak_and_unconfirmed(found, word):
        return _reading(found, word)
    by_relation = _by_relation(word)
    if by_relation is not None:
        return by_relation
    translated = _other_language(word)
    if translated is not None and not _a_typo_of_the_same(word, translated):
        return translated
    phrase = _other_language_phrase(word)
    if phrase is not None:  # "el caballo blanco" is a white horse, "le chat" a cat
        return phrase
    if len(word) > MAX_WORD_CHARS:
        return Reading(Method.UNKNOWN)
    if any(relations.is_compound(form) for form in base_forms(word)):
        # One thing with no class ("hush puppies", "water bear"), never its parts (puppies, a bear).
        return Reading(Method.UNKNOWN, label="a name of its own, which no class shows")
    joined = typed_apart(word)
    if joined is not None:  # "jelly fish" is a jellyfish, "tooth brush" a toothbrush (no class), not a paintbrush
        whole = read(joined)
        label = f"{whole.label} (typed as {word})" if whole.label else ""
        return replace(whole, label=label, fixed=whole.fixed or joined)
    dish = cooked_animal(word)
    if dish is not None:  # "fried chicken" is no hen, "smoked salmon" no coho swimming
        return dish
    stem = _ing_stem(word)
    if stem is not None:
        return _reading(stem, word)
    subject = _subject_reading(word)
    if subject is not None:  # "cat chasing a mouse" is the cat, "kids on a swing" the swing
        return subject
    thing = thing_tail(word)
    if thing is not None:  # before any spelling fix of the whole: "big cab" is no big cat
        return _phrase_reading(word, thing)
    chatted = chat_head(word)
    if chatted is not None:  # "sleepy catto" is a cat, not a cradle and a cat
        return chatted
    head = _classless_head(word)
    if head is not None:  # "giant octopus", "ripe mango": no word around it makes it another thing
        label = f"{head}, which no class shows"
        return Reading(Method.UNKNOWN, label=label, suggestions=suggestions_for(word, ()))
    by_chat = _chat_form(word)
    if by_chat is not None:
        return by_chat
    guess = spelling.guess(word)
    if guess is not None and guess[1]:
        fixed = guess[0]
        entry = find(fixed)
        assert entry is not None
        if not _weak_and_unconfirmed(entry, fixed):
            return Reading(Method.SPELLING, entry.group, entry.other_groups, fixed, _label(entry, fixed), fixed=fixed)
    holding = held(word)
    if holding is not None:
        return _reading(holding, word)
    tail = known_tail(word)
    if tail is not None:
        return _phrase_reading(word, tail)
    by_meaning = _by_meaning(word)
    if by_meaning is not None and is_living(word) and len(by_meaning.group) > _MAX_KINDS_FOR_A_CREATURE:
        by_meaning = None  # a pigeon is no other bird, a watermelon no other fruit: a family is a guess
    if by_meaning is not None:
        return by_meaning
    alone = the_one_thing_named(word)
    if alone is not None:  # "tiger roar", "trumpet solo", "coffe plz": the words around name nothing
        return alone
    # A fix too unsure to make ("gato" → gate) is still worth offering, if it is a word people use.
    offer = (guess[0],) if guess is not None and spelling.fame(guess[0]) else ()
    return Reading(Method.UNKNOWN, suggestions=suggestions_for(word, offer))


def read_emoji(emoji: str) -> Reading:
    """An emoji reads as its words: curated ones like any word (but never respelt); its whole Unicode
    name (less words like "face") only where it names classes directly or is a curated word."""
    reading = E.read_emoji(emoji)
    if reading.decoration:
        return Reading(Method.UNKNOWN, via=reading.name, decoration=True)
    words = normalise(reading.words)
    found = None
    number = number_class(words)  # a keycap: "7️⃣" reads "7"
    if number is not None:
        found = Entry(Method.ID, (number,), (), "")
    elif reading.curated:
        found = find(words)
        tail = known_tail(words) if found is None else None
        if tail is not None:  # 🐠 "tropical fish": the reef fish, as the words typed would read
            found = pictured(words, tail)
    elif words:
        # The whole name only: its last word alone misleads ("rice ball" is no ping-pong ball).
        found = find(words)
    # A broader sense of one class the model confirms is the thing too ("HONEYBEE" → bee, "COW FACE"
    # → ox): the test a typed word's guess passes. A family of classes is a guess ("CHOPSTICKS" →
    # bowls, "BALLOT BOX" → crates), a related word no picture ("HELICOPTER" is no airliner).
    confirmed = (
        found is not None
        and found.method is Method.BROADER
        and len(found.group) == 1
        and not _weak_and_unconfirmed(found, words)
    )
    trusted = found is not None and (
        reading.curated or found.curated or found.method in _EMOJI_NAME_METHODS or confirmed
    )
    if found is not None and trusted and found.method not in (Method.UNKNOWN, Method.SPELLING):
        # The emoji's words are what it was read as; the label is theirs ("🌊 → classes for wave").
        curated = reading.curated or found.curated
        return Reading(found.method, found.group, found.other_groups, words, _label(found, words), curated=curated)
    return Reading(Method.UNKNOWN, via=reading.name)


def _subject_reading(phrase: str) -> Reading | None:
    """A phrase about where a thing is or what it does reads as that thing, its subject ("bee on a
    flower", "car stuck in traffic"); as the rest where the subject names nothing ("kids on a
    swing", "vibin at the beach"). None for a phrase without such a tie, or with nothing to read."""
    parts = subject_and_rest(phrase)
    if parts is None:
        return None
    for role, part in zip(("subject", "place or thing it meets"), parts, strict=True):
        found = _leading_reading(part) if part else None
        if found is not None:
            # The rest may narrow the subject: a "turtle swimming in the sea" is a sea turtle.
            group, _ = meaning.nearest_of(phrase, found.group, part)
            label = f"{found.label} (the {role}: {part})"
            return Reading(found.method, group, found.other_groups, found.via or part, label, curated=found.curated)
    return None


def is_classless_thing(piece: str) -> bool:
    """Whether a piece names an animal, a food or a plant that reads as no class: none reaches it,
    people judged its classes wrong ("rat": the other rodents are not a rat), or the model refuses
    WordNet's guess ("octopus" is no nautilus). A picture of some other creature is a different
    thing, where another artifact may still do ("drum kit" → a drum)."""
    return is_living(piece) and not read(piece).group


def _classless_head(phrase: str) -> str | None:
    """The last word of a phrase when it is a creature, food or plant no class shows and every word
    before it only says something about it ("giant octopus", "big wild turkey", "ripe mango"): the
    words around it do not make it some other creature the model finds near the whole phrase."""
    *before, head = phrase.split()
    if not before or not is_classless_thing(head):
        return None
    return head if only_describe(before) else None


def the_one_thing_named(phrase: str) -> Reading | None:
    """A run of words where one word or name reads as classes and every other word as nothing
    ("tiger roar", "elefant family"): that one thing, the others said in the label. None where
    two read as classes ("dog cat") or none does."""
    pieces = [piece for piece in known_pieces(phrase) if piece not in STOPWORDS]
    if not 1 < len(pieces) <= _MAX_PIECES:
        return None
    named = [(piece, found) for piece in pieces if (found := read(piece)).group]
    if len(named) != 1 or any(is_classless_thing(p) for p in pieces if p != named[0][0]):
        return None  # two things ("dog cat"), or the other is a thing no class shows ("pet rat")
    piece, found = named[0]
    others = ", ".join(p for p in pieces if p != piece)
    said = found.label or _label(Entry(found.method, found.group, (), found.via), piece)
    return Reading(
        found.method, found.group, found.other_groups, found.via or piece, f"{said} ({others}: read as nothing)",
        fixed=found.fixed, curated=found.curated,
    )  # fmt: skip


_MAX_PIECES = 4  # a longer run is a sentence, not a thing with a word or two around it
# A creature, food or plant WordNet knows is read by meaning as a few classes at most: "mare" is the
# sorrel; "pigeon" as any of 59 birds, "trout" as any fish, is a family where no class shows it.
_MAX_KINDS_FOR_A_CREATURE = 3


def _leading_reading(part: str) -> Reading | None:
    """What a part of a phrase reads as: all of it, else its longest start that names something
    while the words after it name nothing ("car stuck" is a car)."""
    tokens = part.split()
    for end in range(len(tokens), 0, -1):
        if any(is_thing(t) for t in tokens[end:]):
            break  # "dog cat" is not a dog with a word after it
        found = read(" ".join(tokens[:end]))
        if found.group:
            return found
    return None


def _phrase_reading(phrase: str, head: Entry) -> Reading:
    """A phrase read as what it pictures: its head, or the thing modifying it (pipeline/words/phrases.py)."""
    found = pictured(phrase, head)
    return _reading(Entry(Method.BROADER, found.group, found.other_groups, found.via), phrase)


def _reading(entry: Entry, word: str) -> Reading:
    return Reading(entry.method, entry.group, entry.other_groups, entry.via, _label(entry, word), curated=entry.curated)


def _label(entry: Entry, word: str) -> str:
    """A plural noun phrase for a group: "kinds of dog", "classes for ocean"."""
    noun = entry.via or word
    if entry.method in (Method.KIND_OF, Method.BROADER) or (entry.method is Method.RELATED and entry.via):
        return f"kinds of {noun}"
    if entry.method is Method.IN_NAME:
        return f"classes named with {noun}"
    return f"classes for {word}"


def typed_apart(words: str) -> str | None:
    """The words with their last two typed together, where those make one word the tables or WordNet
    know as a thing and every word before it only says something about it ("jelly fish", "big jelly
    fish", "tooth brush"); None otherwise. Chat splits compounds, and read apart they became another
    thing: a jelly fish was any fish, a tooth brush a paintbrush, head phones a telephone."""
    tokens = words.split()
    if len(tokens) < 2 or any(token in STOPWORDS for token in tokens[-2:]):
        return None
    joined = "".join(tokens[-2:])
    if find(joined) is None:
        unresolved = load_index().unresolved  # nouns WordNet knows that reach no class
        if not any(form in unresolved for form in base_forms(joined)) or _says_how_it_looks(*tokens[-2:]):
            return None
    if not only_describe(tokens[:-2]):
        return None  # "dog jelly fish" is two things
    return " ".join([*tokens[:-2], joined])


def _says_how_it_looks(modifier: str, head: str) -> bool:
    """Whether the first word says how some of the head's classes look, by their definitions: a "blue
    bird" is the indigo bunting or the jay, whatever bluebird WordNet knows that no class shows."""
    entry = find(head)
    return entry is not None and modifies(modifier) and bool(described_by(modifier, entry.group))


def cooked_animal(words: str) -> Reading | None:
    """An animal named with how it was cooked or kept ("fried chicken", "smoked salmon", "grilled
    fish"), or a meat before a dish ("chicken curry", "pork pie"), is food: the live animal is another
    picture. The dish where a class shows it ("chicken soup": consommé), else an honest unknown. None
    where no cooking word comes before the last word and no meat before a dish, or the rest is no
    animal or meat ("baked potato", "steamed broccoli")."""
    tokens = words.split()
    if len(tokens) < 2:
        return None
    cooking = load_index().cooking
    if any(token in cooking for token in tokens[:-1]):
        rest, dish = " ".join(token for token in tokens if token not in cooking), None
    elif is_food(tokens[-1]) and is_food(" ".join(tokens[:-1])):
        rest, dish = " ".join(tokens[:-1]), read(tokens[-1])  # a meat before a dish: "dog pizza" is two things
    else:
        return None
    food = read(rest)
    if food.group and not all(class_id in _ANIMALS for class_id in food.group):
        return None
    if not food.group and not is_food(rest):
        return None
    if dish is not None and dish.group:
        return replace(dish, label=f"{dish.label} ({words})" if dish.label else "")
    return Reading(Method.UNKNOWN, label=f"{words}, a dish no class shows")


# ImageNet's classes 0-397 are animals (the tench to the puffer); 398 on are things, foods and places.
_ANIMALS = range(398)


def known_tail(word: str) -> Entry | None:
    """The longest known ending of a phrase nobody listed ("big red dog" → dog), as broader; an
    ending never starts with a function word ("walk in the park" → park, not "the park"), nor is a
    guess the ending alone would not stand by ("fuzzy caterpillar" is no tracked vehicle)."""
    tokens = word.split()
    for start in range(1, len(tokens)):
        if tokens[start] in STOPWORDS:
            continue
        tail = " ".join(tokens[start:])
        entry = find(tail)
        if entry is None or entry.method is Method.UNKNOWN:
            continue
        if _weak_and_unconfirmed(entry, tail):
            alone = read(tail)  # how the ending reads by itself ("trunks" in chat), if at all
            if not alone.group:
                continue
            entry = Entry(alone.method, alone.group, alone.other_groups, alone.via, alone.curated)
        return Entry(entry.method, entry.group, entry.other_groups, tail, entry.curated)
    return None


_ING_STEM_METHODS = frozenset({Method.EXACT, Method.SYNONYM})


def _ing_stem(word: str) -> Entry | None:
    """A sport or pastime named by its thing ("skiing" → ski, "snorkeling" → snorkel), only where
    the thing is a class by name or synonym: "boxing" is no crate, "bowling" no mixing bowl."""
    if " " in word or not word.endswith("ing") or len(word) < 6:
        return None
    root = word[:-3]
    stems = [root, root + "e"] + ([root[:-1]] if root[-1] == root[-2] else [])
    for stem in stems:
        entry = find(stem)
        if entry is not None and entry.method in _ING_STEM_METHODS:
            return Entry(entry.method, entry.group, entry.other_groups, stem, entry.curated)
    return None


def _weak_and_unconfirmed(entry: Entry, word: str) -> bool:
    """Whether a WordNet guess is weak (not a name or kind) and the meaning model finds its classes far
    from the word: a look-alike where nothing fits ("helicopter" → airliner). Curated rows are facts."""
    if entry.curated or entry.method not in _WEAK_METHODS:
        return False
    # Asked of the singular it was found by too: the model reads "ponies" far from the horse it
    # reads "pony" near. Only forms the index knows, so a word costs one embedding more at most.
    index = load_index()
    forms = [word, *(form for form in base_forms(word)[1:] if form in index.words)][:2]
    return not any(meaning.confirms(form, entry.group) for form in forms)


def _by_meaning(word: str) -> Reading | None:
    """The word read by the meaning model as a known word whose classes agree ("catto" → cat)."""
    if not meaning.available():
        return None
    guess = meaning.guess(word, meaning_vocabulary(), _strong_classes)
    real = any(form in load_index().unresolved for form in base_forms(word))  # "snowfall" is no snow + fall
    if guess is None or (not real and spelling.run_together(word, "") and spelling.distance(word, guess.via) > 2):
        return None  # "dogcat" is two things, not a wildcat; "pinapple" is still a pineapple
    if is_english(word) and (_spelled_inside(word, guess.via) or _alike_in_letters(word, guess.via)):
        return None  # by letters, not meaning: a "sundae" is no sun, "stingy" no stingray
    if _narrower_by_words(word, guess.via):
        return None  # a "player" is no baseball player, a "bass player" still less
    if is_food(word) and all(class_id in _ANIMALS for class_id in guess.classes):
        return None  # the meat is no live animal: "pork" and "bacon" were a hog
    entry = find(guess.via)
    assert entry is not None
    label = _label(entry, guess.via) if entry.method is not Method.EXACT else f"classes for {guess.via}"
    other_groups = entry.other_groups
    if guess.classes != entry.group:  # a broad word, narrowed to the classes near the text
        label, other_groups = f"{label} nearest {word}", ()
    return Reading(Method.MEANING, guess.classes, other_groups, guess.via, label, confidence=guess.confidence)


def _narrower_by_words(word: str, guess: str) -> bool:
    """Whether a guess is a kind of a word typed, named by putting another word before it: the model
    reads "player" and "bass player" as the baseball player for the word they share, not for what
    they mean. A guess with a head of its own stands ("old steam engine" → steam locomotive)."""
    typed, (*modifiers, head) = set(word.split()), guess.split()
    return head in typed and any(m not in typed for m in modifiers)


def _spelled_inside(word: str, part: str) -> bool:
    """Whether a known word is the start or the end of a real word whose rest is neither a word nor
    an ending: "sun" in "sundae" is letters; "snow" in "snowfall" is part of a compound, "percussion"
    in "percussionist" and "dog" in "doge" (the meme) a word with an ending."""
    if " " in part or part == word or not (word.startswith(part) or word.endswith(part)):
        return False
    if word.startswith(part) and word[len(part) :] in _ENDINGS:
        return False
    rest = word[len(part) :] if word.startswith(part) else word[: -len(part)]
    return len(rest) < 3 or not is_english(rest)


def _alike_in_letters(word: str, guess: str) -> bool:
    """Whether a real word and a guess share a long start and no word or ending ties them: the model
    reads "stingy" as a stingray, "motor" as a motorcoach and "scores" as a scoreboard by their letters.
    A guess that holds the word ("butcher" → butcher shop) or adds an ending ("orbit" → orbiter) is
    read by meaning."""
    forms = base_forms(word)
    if any(form in guess.split() for form in forms):
        return False
    if word.startswith(guess):
        return False  # a compound's first word ("pillowcase") or the word without an ending: `_spelled_inside`
    if guess.startswith(word) and guess[len(word) :] in _ENDINGS:
        return False
    shared = next((i for i, (a, b) in enumerate(zip(word, guess, strict=False)) if a != b), min(len(word), len(guess)))
    return shared >= _ALIKE_START or shared >= max(3, _ALIKE_SHARE * len(word))


# A shared start this long, or this share of the word, is a likeness of letters ("slew", "sled").
_ALIKE_START, _ALIKE_SHARE = 5, 0.75

# Endings English puts on a word ("-ist", "-er", "-ette") and chat's ("-e", "-o", "-ie").
_ENDINGS = frozenset(
    {"e", "s", "es", "y", "ie", "o", "er", "or", "ist", "ian", "ism", "ing", "ed", "ette", "let", "ling", "ish", "ster"}
)


def _chat_form(word: str) -> Reading | None:
    """A chat form of a word the lookup reads ("doggo", "ducc", "guac"; pipeline/words/chat.py): a
    guessed form (a clipping, a plain ending cut off) only where it names a thing by name or kind,
    a weak WordNet guess only where the model confirms it, as for the word itself. A common English
    word is no chat form ("bad" is no clipped badger)."""
    if word in load_index().common:
        return None
    english = is_english(word)
    for form, guessed in chat.forms(word):
        entry = find(form)
        if entry is None or entry.method in (Method.UNKNOWN, Method.IN_NAME):
            continue
        if english and (guessed or entry.method not in THING_METHODS):
            continue  # "petty" is no chat pet; a guess must name a thing, for a word English lacks ("trainers")
        if guessed and entry.method not in THING_METHODS:
            continue  # "cloudy" is no chat cloud
        if _weak_and_unconfirmed(entry, form):
            continue
        label = f"classes for {form} (said in chat as {word})"
        return Reading(Method.RELATED, entry.group, entry.other_groups, form, label, curated=entry.curated)
    return None


def chat_head(words: str) -> Reading | None:
    """A phrase whose last word is a chat form of a thing ("sleepy catto", "cute lil froggy"), every
    word before it only saying something about it: the thing, as "cute puppy" is a puppy. Whether the
    words before it are real ("angery", "lil") does not matter; the head names the picture."""
    tokens = words.split()
    if len(tokens) < 2 or find(tokens[-1]) is not None:
        return None  # a word the tables read is read as itself ("cute bunny" is no bun)
    head = _chat_form(tokens[-1])
    entry = find(head.via) if head is not None else None
    if head is None or entry is None or entry.method not in THING_METHODS:
        return None
    return head if only_describe(tokens[:-1]) else None


def _by_relation(word: str) -> Reading | None:
    """A word WordNet relates to a word the lookup reads ("snowfall" → snow, "cellist" → cello)."""
    for form in base_forms(word):
        relation = relations.related(form)
        entry = find(relation.target) if relation is not None else None
        if relation is None or entry is None or entry.method is Method.UNKNOWN:
            continue
        if relation.inferred and not meaning.confirms(word, entry.group):
            continue  # a kind the model finds far from its broader sense's pictures ("white horse", a wave)
        label = f"classes for {relation.target} ({relation.describe()})"
        return Reading(Method.RELATED, entry.group, entry.other_groups, relation.target, label)
    return None


def _other_language(word: str) -> Reading | None:
    """A word of another language read through the English word it means ("mariposa" → butterfly)
    or the emoji it names ("tembo" → 🐘 → elephant); never a common English word ("get" is no
    Swedish goat, "bad" no German bath)."""
    if word in load_index().common:
        return None
    translated = lexicon.english_for(word)
    if translated is not None:
        english, languages = translated
        reading = read(english)
        if reading.group:
            label = f"classes for {english} ({_language_names(languages)} {word})"
            return Reading(Method.TRANSLATION, reading.group, reading.other_groups, english, label, curated=False)
    # An emoji's name in some language is asked only for a word with no translation: Hindi "anda"
    # is an egg, which no class shows, not the duck a Scandinavian emoji name spells alike.
    for emoji in lexicon.emoji_for(word) if translated is None and lexicon.may_be_a_cldr_name(word) else ():
        reading = read_emoji(emoji)
        if reading.group:
            label = f"classes for {reading.via}"
            return Reading(Method.TRANSLATION, reading.group, reading.other_groups, reading.via, label, curated=False)
    if translated is not None:
        # A thing no class shows ("tenedor", a fork): said so, not guessed by its letters (a tenor).
        english, languages = translated
        label = f"{english} ({_language_names(languages)} {word}), which no class shows"
        return Reading(Method.UNKNOWN, via=english, label=label, suggestions=suggestions_for(english, ()))
    return None


def _other_language_phrase(text: str) -> Reading | None:
    """A phrase of another language read as the English phrase it says (foreign_phrases.py)."""
    phrase = foreign_phrases.in_english(text)
    if phrase is None or len(phrase.parts) > 1:
        return None
    said = read_said(text, phrase.english, phrase.language)
    return said if said.group else None


def read_said(text: str, english: str, language: str) -> Reading:
    """A phrase of another language read as the English it says; unknown where that English is itself
    a phrase of another language (a reading that would never end)."""
    if foreign_phrases.in_english(english) is not None:
        return Reading(Method.UNKNOWN)
    reading = read(english)
    if not reading.group:
        return reading
    label = f"classes for {english} ({_language_names(language)} {text})"
    return replace(reading, method=Method.TRANSLATION, via=english, label=label, curated=False)


_LANGUAGE_NAMES = {
    "ar": "Arabic", "de": "German", "el": "Greek", "es": "Spanish", "fr": "French", "hi": "Hindi",
    "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean", "nl": "Dutch", "pl": "Polish",
    "pt": "Portuguese", "ru": "Russian", "sv": "Swedish", "tl": "Tagalog", "tr": "Turkish",
    "vi": "Vietnamese", "zh": "Chinese", "en": "chat", "cs": "Czech", "da": "Danish", "fa": "Persian",
    "fi": "Finnish", "he": "Hebrew", "hu": "Hungarian", "ms": "Malay", "nb": "Norwegian", "ro": "Romanian",
    "sw": "Swahili", "th": "Thai", "uk": "Ukrainian",
}  # fmt: skip


def _language_names(codes: str) -> str:
    """ "es,pt" → "Spanish/Portuguese": the languages a translated word belongs to."""
    return "/".join(_LANGUAGE_NAMES.get(code, code) for code in codes.split(","))


def _a_typo_of_the_same(word: str, translated: Reading) -> bool:
    """Whether a sure spelling fix reads the word as the same classes ("elefant" is German and a
    typo of elephant): then it stays a typo, which front ends that cannot show fixes refuse."""
    guess = spelling.guess(word)
    if guess is None or not guess[1]:
        return False
    entry = find(guess[0])
    if entry is None or _weak_and_unconfirmed(entry, guess[0]):
        return False  # a fix that would not stand ("renard" → reynard, which the model refuses)
    return set(entry.group) == set(translated.group)


def _strong_classes(word: str) -> tuple[int, ...]:
    entry = find(word)
    return entry.group if entry is not None and entry.method is not Method.UNKNOWN else ()


@functools.cache
def meaning_vocabulary() -> tuple[str, ...]:
    """The known words a text may be read as by meaning: class names, synonyms and kinds in the
    index, and curated words (weak WordNet guesses would only add their own mistakes)."""
    index, curated = load_index(), curated_words()
    strong = {Method.EXACT, Method.SYNONYM, Method.KIND_OF}
    named = {w for w in index.words if index.entry(w).method in strong}  # type: ignore[union-attr]
    return tuple(sorted(named | {w for w, e in curated.items() if e.method is not Method.UNKNOWN}))


def suggestions_for(word: str, offer: tuple[str, ...]) -> tuple[str, ...]:
    """Up to three suggestions for an unknown word: for a real word, classes near it in meaning
    ("blizzard" is no pizza); for a non-word, the unsure fix and names spelled like it."""
    real = is_english(word)
    near = meaning.suggest(word) if real or " " in word else None
    if near is not None:
        return near
    return tuple(dict.fromkeys((*offer, *spelling.suggest(word))))[:3]
