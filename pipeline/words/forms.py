"""WordNet's word forms: a phrase's possible singulars, the table entry they reach, and whether a
word is English in any part of speech and form."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.words import lexicon
from pipeline.words.relations import is_compound
from pipeline.words.tables import Entry, curated_words, load_index
from pipeline.words.text import NUMBER, STOPWORDS, is_id

# WordNet's detachment rules for nouns, in its order.
_DETACH = (("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y"))
# ...and for verbs and superlatives ("slapping", "benched", "tried", "greenest"), to tell a real
# word from a typo. Not the comparative's "-er": undone, it finds nouns ("spoder" is no Spode);
# WordNet lists "bigger" and the like among its irregular forms, which the index counts as words.
_VERB_DETACH = (
    ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", ""), ("s", ""),
    ("est", ""), ("est", "e"),
)  # fmt: skip


def base_forms(phrase: str) -> list[str]:
    """The phrase and its possible singulars (the last word inflected), as the index may know them."""
    index = load_index()
    head, _, last = phrase.rpartition(" ")
    prefix = f"{head} " if head else ""
    forms = [phrase, *index.exceptions.get(phrase, ())]
    forms += [prefix + base for base in index.exceptions.get(last, ())]
    forms += [prefix + last[: -len(end)] + base for end, base in _DETACH if last.endswith(end)]
    if last.endswith("s") and not last.endswith("ss"):
        forms.append(prefix + last[:-1])
    if last.endswith("ies"):  # last: the plural of "-ey" as often typed ("monkies", "donkies")
        forms.append(prefix + last[:-3] + "ey")
    return list(dict.fromkeys(forms))


def find(word: str) -> Entry | None:
    """A curated word or an index entry for the word or one of its singulars."""
    curated, index = curated_words(), load_index()
    for form in base_forms(word):
        entry = curated.get(form) or index.entry(form)
        if entry is not None:
            # Say which singular was found when the user wrote a plural.
            via = entry.via or (form if form != word else "")
            return Entry(entry.method, entry.group, entry.other_groups, via, entry.curated)
    return None


def known(phrase: str) -> bool:
    """Whether the tables name a word or phrase: English ones, and other languages' phrases, which
    are read whole ("algodón de azúcar" is candy floss, not three unknown words)."""
    curated, index = curated_words(), load_index()
    if NUMBER.fullmatch(phrase) or (phrase in STOPWORDS):
        return is_id(phrase)
    if any(form in curated or form in index.words or is_compound(form) for form in base_forms(phrase)):
        return True
    return " " in phrase and _other_language_phrase(phrase)


def _other_language_phrase(phrase: str) -> bool:
    """Whether a phrase of several words is one the translations or CLDR's names hold. A phrase made
    only of common English words reads as English first ("sort hat" is Danish for a black hat), unless
    it is chat English's own ("cow juice"); a rare one does not make it English ("xe may", a
    Vietnamese motorbike, is no xenon)."""
    translation = lexicon.english_for(phrase)
    if translation is not None and "en" in translation[1].split(","):
        return True
    common = load_index().common
    if all(word in STOPWORDS or word in common for word in phrase.split()):
        return False
    return translation is not None or bool(lexicon.emoji_for(phrase))


def is_english(word: str) -> bool:
    """Whether WordNet knows the word, in any part of speech and inflected or not ("slapping",
    "benched", "cilia", "went"), or the curated tables hold it: a real word, never a typo of another."""
    curated, index = curated_words(), load_index()
    return any(form in index.words or form in index.unresolved or form in curated for form in _lemmas(word))


def _lemmas(word: str) -> list[str]:
    """The word's possible dictionary forms: its singulars, and its stems as a verb or a superlative,
    a doubled last consonant undone ("stopped" → stop)."""
    forms = base_forms(word)
    for end, base in _VERB_DETACH:
        stem = word[: -len(end)]
        if word.endswith(end) and len(stem) >= 2:
            forms.append(stem + base)
            if not base and len(stem) > 2 and stem[-1] == stem[-2]:
                forms.append(stem[:-1])
    return forms


MAX_PHRASE_WORDS = 4  # the longest class names and WordNet lemmas people type


def known_pieces(words: str) -> Iterator[str]:
    """A run's greedy longest known phrases, so "golden retriever ocean" gives two words."""
    tokens = words.split()
    start = 0
    while start < len(tokens):
        for end in range(min(len(tokens), start + MAX_PHRASE_WORDS), start, -1):
            phrase = " ".join(tokens[start:end])
            if end == start + 1 or known(phrase):
                yield phrase
                start = end
                break
