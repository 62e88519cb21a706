"""Short phrases of other languages, read as the English phrase they say: "el caballo blanco" is a
white horse, "une voiture rouge" a red car, "le chat" a cat, "el mar" the sea.

A picture noun of another language is read alone already (lexicon.py). In a phrase its neighbours
were read as words of their own: an article or a describing word became an unknown word or another
thing ("blanco" names the polar bear's emoji in CLDR, "rouge" is English make-up), and a noun spelled
like an English word ("chat", "mar") was English. Here the words around the noun say which language
the phrase is in, and each word is put into English by that language's table:
pipeline/data/foreign_phrase_words.tsv (function words, describing words, and picture nouns spelled
like an English word, from scripts/foreign_phrase_words.py). A describing word after its noun, as in
the Romance languages, is put before it, as English says it. The English phrase is then read as any
typed phrase is.
"""

from __future__ import annotations

import functools
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, replace

from pipeline import data
from pipeline.words import lexicon
from pipeline.words.forms import find, is_english
from pipeline.words.tables import Method
from pipeline.words.text import MAX_WORD_CHARS

# Function words kept in the English phrase (as their gloss): the phrase reader knows what they do
# ("fish in the sea" is a fish). Others say nothing of a picture, and after a noun, as many
# languages put them, would only stand in the reader's way ("ang aso ko", the dog my).
_KEPT_GLOSSES = frozenset(
    {"the", "a", "an", "in", "on", "at", "with", "under", "over", "near", "from", "by", "into", "two", "three"}
)
# Conjunctions: a phrase joined by one holds two things ("perro y gato"), read one by one.
_JOINING_GLOSSES = frozenset({"and", "or"})
# Languages whose "of" comes after the noun it says something of (Japanese "sakura no ki", a cherry
# tree); in the others it comes before ("helado de fresa", ice cream of strawberry).
_HEAD_LAST = frozenset({"ja", "zh", "ko", "hi", "tr", "hu", "fi"})
_CHAT_ENGLISH = "en"  # the translations' code for chat English
MAX_PHRASE_WORDS = 6  # longer text is a sentence, not a phrase these rules can order
_LONGEST_NAME = 4  # words: the longest name of several words the tables hold ("perro caliente")
# Scripts written without spaces between words (and Korean, whose particles join the word before
# them): a run of them is split into the tables' words.
_UNSPACED_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "THAI", "HANGUL")
_LONGEST_PIECE = 8  # characters: the longest word a run of them is split into
_OWN_BESIDE_AN_ENGLISH_WORD = 2  # words: "mic" (Romanian small) alone makes no "mic drop" Romanian


@dataclass(frozen=True)
class _Word:
    """One word of a phrase in one language: what kind of word it is, and its English."""

    kind: str  # "function", "describing", "noun" (a word of the table), or "picture" (read alone)
    english: str
    own: bool  # the language's own word (its table or its translations), not only a CLDR name
    also_english: bool  # a word English has too ("mar", "chat", "el"), which shows no language
    cognate: bool = False  # an English word for the same thing, in any language ("Auto", "vino", "Park")


@dataclass(frozen=True)
class ForeignPhrase:
    """A phrase of another language: the language and the English it says."""

    language: str
    english: str
    parts: tuple[tuple[str, str], ...]  # its runs between conjunctions, as typed and in English ("perro", "dog")


@functools.cache
def phrase_words() -> dict[str, dict[str, tuple[str, str]]]:
    """Form → language → (kind, English), for the forms as written and without their accents."""
    table: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    rows = data.rows("foreign_phrase_words.tsv")
    for form, kind, english, language in rows:
        table[form][language] = (kind, english)
    for form, kind, english, language in rows:
        bare = lexicon.without_accents(form)
        table[bare].setdefault(language, (kind, english))
    return dict(table)


def in_english(text: str) -> ForeignPhrase | None:
    """The English a phrase of another language says, or None when it is not one: every word must
    belong to one language and one must name a thing. That it is no English phrase must show: a word
    English does not have ("gato", "une"), or, where all its words are English-looking, the
    language's function words around its nouns ("el mar", "le chat"); so "drum kit" (a Russian
    whale) and "pan flute" (Spanish bread) stay English."""
    if len(text) > MAX_WORD_CHARS:
        return None  # a sentence or a paste, never split letter by letter
    words = _units(text.split())
    if not 2 <= len(words) <= MAX_PHRASE_WORDS:
        return None
    readings = []
    for language in _languages_of(words):
        read = [_word(word, language) for word in words]
        found = [w for w in read if w is not None]
        if len(found) == len(words) and not any(map(_names_a_thing, found)):
            found = _describing_as_things(words, found, language)  # "esas naranjas": those oranges, no orange ones
        if len(found) == len(words) and any(_names_a_thing(w) for w in found) and _shows(found):
            readings.append((_fit(found), language, found))
    if not readings:
        return None
    # The language the phrase reads best in: "hai con gà" is Vietnamese for two chickens, not a German
    # shark with a Spanish "con".
    _, language, found = max(readings, key=lambda reading: reading[0])
    return _phrase(language, words, found)


def _describing_as_things(words: list[str], found: list[_Word], language: str) -> list[_Word]:
    """A phrase's describing words read as the things CLDR names by them, where nothing else is one."""
    return [
        (w.kind == "describing" and _thing_named(word, language)) or w for word, w in zip(words, found, strict=True)
    ]


def _thing_named(word: str, language: str) -> _Word | None:
    """The thing CLDR names by a word or by its singular."""
    return next(filter(None, map(_picture_by_cldr, [word, *_singulars(word, language)])), None)


def _names_a_thing(word: _Word) -> bool:
    return word.kind in ("noun", "picture")


def _fit(found: list[_Word]) -> tuple[int, int]:
    """How well a phrase reads in a language: how many of its words are the language's own, then its
    things and the describing words beside one."""
    beside = sum(
        1
        for i, w in enumerate(found)
        if w.kind == "describing" and any(_names_a_thing(n) for n in found[max(0, i - 1) : i + 2])
    )
    return sum(w.own for w in found), sum(map(_names_a_thing, found)) + beside


def _units(tokens: list[str]) -> list[str]:
    """The phrase's words, a name of several words that the tables hold taken whole ("perro caliente
    grande" is a big hot dog, not a hot big dog), and a run of Chinese, Japanese or Thai, or a Korean
    word with its particle, split into the words it is made of ("黒い猫": 黒い, 猫; "고양이가")."""
    tokens = [piece for token in tokens for piece in _pieces(token)]
    units, start = [], 0
    while start < len(tokens):
        for end in range(min(len(tokens), start + _LONGEST_NAME), start, -1):
            name = " ".join(tokens[start:end])
            if end == start + 1 or lexicon.english_for(name) or lexicon.emoji_for(name):
                units.append(name)
                start = end
                break
    return units


def _pieces(token: str) -> list[str]:
    """A token's words: itself, or the words it is written of without spaces or with hyphens."""
    if _unspaced(token) and not _a_word(token):
        split = _split_unspaced(token) or [token]
        if not _korean(token) or (len(split) == 2 and _a_particle(split[1])):
            return split  # a Korean word only loses its particle ("고양이가"), never splits further
    # A prefix or suffix joined by a hyphen is a word of its own: Hebrew "ha-sus" (the horse),
    # Persian "gorbe-ye" (the cat of), Indonesian "kucing-kucing" (cats).
    return _hyphen_pieces(token)


def _korean(word: str) -> bool:
    return unicodedata.name(word[0], "").startswith("HANGUL")


def _a_particle(piece: str) -> bool:
    return any(kind == "function" for kind, _ in _entries(piece).values())


def _hyphen_pieces(token: str) -> list[str]:
    """A hyphenated token's pieces, where the tables hold no word spelled so whole."""
    pieces = token.split("-")
    if len(pieces) == 1 or not all(pieces) or _a_word(token):
        return [token]
    return pieces[:1] if len(set(pieces)) == 1 else pieces


def _unspaced(word: str) -> bool:
    """Whether a word is written in a script without spaces between words (Chinese, Japanese, Thai),
    or in Korean's."""
    return all(unicodedata.name(char, "").startswith(_UNSPACED_SCRIPTS) for char in word)


def _split_unspaced(word: str) -> list[str] | None:
    """The fewest of the tables' words a run of Chinese, Japanese or Thai is made of, or None when
    some of it is none of them."""
    fewest: list[list[str] | None] = [[], *([None] * len(word))]
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - _LONGEST_PIECE), end):
            before, piece, best = fewest[start], word[start:end], fewest[end]
            if before is not None and (best is None or len(before) + 1 < len(best)) and _a_word(piece):
                fewest[end] = [*before, piece]
    return fewest[-1]


def _a_word(piece: str) -> bool:
    """Whether the tables hold a piece of a run as a word of some language."""
    return bool(_entries(piece) or lexicon.english_for(piece) or lexicon.emoji_for(piece))


def _shows(found: list[_Word]) -> bool:
    """Whether a phrase's words show its language (see in_english): with an English word for the
    same thing in it, two words of the language's own that English lacks, one of them no small word."""
    unlike_english = [w for w in found if not w.also_english]
    if any(w.cognate for w in found):  # "ein schnelles Auto"; "raccoon boi", "mic drop" stay English
        own = [w for w in unlike_english if w.own]
        return len(own) >= _OWN_BESIDE_AN_ENGLISH_WORD and any(w.kind != "function" for w in unlike_english)
    if unlike_english:
        return True
    return all(w.own for w in found) and any(w.kind == "function" for w in found)


def _languages_of(words: list[str]) -> list[str]:
    """The languages a phrase may be in: those of its words in the table, most shared first."""
    counts: dict[str, int] = defaultdict(int)
    for word in words:
        for language in _entries(word):
            counts[language] += 1
        translated = lexicon.english_for(word)
        for language in translated[1].split(",") if translated else ():
            counts[language] += 1
    counts.pop(_CHAT_ENGLISH, None)  # chat's words ("earl grey") are English, read as English is
    return sorted(counts, key=lambda language: (-counts[language], language))


def _entries(word: str) -> dict[str, tuple[str, str]]:
    key = lexicon.key(word)
    table = phrase_words()
    return table.get(key) or table.get(lexicon.without_accents(key)) or {}


def _word(word: str, language: str) -> _Word | None:
    """A word read in one language: the table's entry, a translation of that language, or a word
    CLDR names an emoji by (its language unknown, so any, but never an English word: "drum"); None
    when it is none of them."""
    found = _word_as_written(word, language)
    if found is not None:
        return found
    # A plural or a case form of a noun ("naranjas", "ulver", "tulpen") is that noun in a phrase.
    for singular in _singulars(word, language):
        found = _word_as_written(singular, language)
        if found is not None and _names_a_thing(found):
            return replace(found, also_english=is_english(word))
    return None


def _word_as_written(word: str, language: str) -> _Word | None:
    also_english = all(map(is_english, word.split()))  # a name of English words ("james bond") too
    entry = _entries(word).get(language)
    if entry is not None:
        return _Word(entry[0], entry[1], True, also_english)
    translated = lexicon.english_for(word)
    if translated is not None and language in translated[1].split(","):
        return _Word("picture", translated[0], True, also_english)
    if not also_english and lexicon.may_be_a_cldr_name(word):
        return _picture_by_cldr(word)
    if also_english and _reads_as_a_thing(word):
        return _Word("picture", word, False, True, cognate=True)
    return None


def _reads_as_a_thing(word: str) -> bool:
    """Whether an English word names classes by the tables ("auto", "vino"): by name, WordNet or the
    curated table, not by the model's guess, which costs an embedding per word of every English
    phrase asked about ("red sports car" took 28 ms, 12 of them here) and a cognate never needs."""
    entry = find(word)
    return entry is not None and entry.method is not Method.UNKNOWN and bool(entry.group)


def _picture_by_cldr(word: str) -> _Word | None:
    """The thing CLDR names by a word in some language (which, it does not say)."""
    from pipeline.words.reading import read_emoji  # the reading module reads phrases through this one

    for emoji in lexicon.emoji_for(word):
        reading = read_emoji(emoji)
        if reading.group:
            return _Word("picture", reading.via, False, False)
    return None


# Endings of plurals and of the case forms nouns take after numbers and prepositions, per language,
# with what replaces them: a word is tried without each ending that fits (longest first).
_NOUN_ENDINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "es": (("es", ""), ("s", "")),
    "pt": (("ões", "ão"), ("es", ""), ("s", "")),
    "fr": (("aux", "al"), ("x", ""), ("s", "")),
    "it": (("i", "o"), ("i", "e"), ("e", "a")),
    "ro": (("uri", ""), ("i", ""), ("e", "ă"), ("e", "")),
    "de": (("en", ""), ("n", ""), ("er", ""), ("e", ""), ("s", "")),
    "nl": (("en", ""), ("s", "")),
    "sv": (("arna", ""), ("erna", ""), ("ar", ""), ("er", ""), ("or", "a"), ("na", "")),
    "da": (("erne", ""), ("ene", ""), ("er", ""), ("e", "")),
    "nb": (("ene", ""), ("er", ""), ("e", "")),
    "pl": (("ów", ""), ("y", ""), ("i", ""), ("e", ""), ("a", "")),
    "cs": (("ů", ""), ("y", ""), ("i", ""), ("e", ""), ("a", "")),
    "ru": (("ov", ""), ("ej", ""), ("ya", ""), ("y", ""), ("i", ""), ("a", ""), ("ы", ""), ("и", ""), ("а", "")),
    "uk": (("iv", ""), ("ya", ""), ("y", ""), ("i", ""), ("a", ""), ("и", ""), ("і", ""), ("а", "")),
    "el": (("ia", "i"), ("es", "a"), ("oi", "os")),
    "he": (("im", ""), ("m", ""), ("ot", "a")),
    "ar": (("at", "a"), ("at", "")),
    "fi": (("t", ""),),
    "hu": (("ok", ""), ("ek", ""), ("ak", ""), ("k", "")),
    "tr": (("lar", ""), ("ler", "")),
    "tl": (("mga", ""),),
    "fa": (("ha", ""), ("an", "")),
    "hi": (("en", ""), ("on", "")),
}
_SHORTEST_STEM = 3  # letters left after an ending comes off ("ost" is no plural of "o")


def _singulars(word: str, language: str) -> list[str]:
    """The word without each plural or case ending of its language that it has."""
    return [
        word[: -len(ending)] + base
        for ending, base in _NOUN_ENDINGS.get(language, ())
        if word.endswith(ending) and len(word) - len(ending) >= _SHORTEST_STEM
    ]


def _phrase(language: str, words: list[str], found: list[_Word]) -> ForeignPhrase:
    """The phrase's runs between conjunctions, each as typed and in English."""
    parts: list[tuple[str, str]] = []
    typed: list[str] = []
    run: list[_Word] = []
    end = ("", _Word("function", "and", True, True))  # closes the last run as a conjunction would
    for word, read in [*zip(words, found, strict=True), end]:
        if read.kind == "function" and read.english in _JOINING_GLOSSES:
            if typed:
                parts.append((" ".join(typed), _said(run, language)))
            typed, run = [], []
        else:
            typed.append(word)
            run.append(read)
    return ForeignPhrase(language, " ".join(said for _, said in parts), tuple(parts))


def _of_joined(run: list[_Word], language: str) -> list[_Word]:
    """A run with each "A of B" said as English says it, "B A", where A is a thing (B its kind, what
    it holds or what it is like: "ratón del ordenador", "taza de café", Persian "anar-e sorkh"); in
    the languages that put the head last ("sakura no ki", "gou de wei ba") the "of" only goes."""
    out = list(run)
    for index in range(len(out) - 2, 0, -1):
        before, word, after = out[index - 1], out[index], out[index + 1]
        if word.kind != "function" or word.english != "of" or not _names_a_thing(before):
            continue
        if language in _HEAD_LAST:
            del out[index]
        elif _names_a_thing(after) or after.kind == "describing":
            out[index - 1 : index + 2] = [after, before]
    return out


def _said(run: list[_Word], language: str) -> str:
    """A run's English: its describing words before their noun, a noun said "of" another as English
    joins them ("helado de fresa": strawberry ice cream), its small words that say nothing of a
    picture left out."""
    run = _of_joined(run, language)
    english: list[_Word] = []
    for index, word in enumerate(run):
        follows_a_noun = bool(english) and _names_a_thing(english[-1])
        before_a_noun = index + 1 < len(run) and _names_a_thing(run[index + 1])
        if word.kind == "describing" and follows_a_noun and not before_a_noun:
            english.insert(len(english) - 1, word)  # "gato negro" → black cat, just before its noun
        else:
            english.append(word)
    return " ".join(w.english for w in english if w.kind != "function" or w.english in _KEPT_GLOSSES)
