"""A request's text as words: cleaned like a person reads it, normalised, ids and function words told apart."""

from __future__ import annotations

import re
import unicodedata

from pipeline.classes import N_CLASSES
from pipeline.words import emoji as E

MAX_WORD_CHARS = 60  # longer is not a word; guessing its spelling would only cost time
_LEADING_ARTICLE = re.compile(r"^(?:a|an|the|some|my)\s+")
NUMBER = re.compile(r"-?[0-9]+")  # ASCII digits only: "²" and "①" are digits to str.isdigit but not to int()
# Words that carry grammar, not a subject: dropped between words ("cat in a hat" is a cat and a
# hat), never looked up alone, and never matched inside class names ("the" is no hen-of-the-woods).
# Nouns that double as function words (can, will, may) are left out.
STOPWORDS = frozenset(
    {
        "a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "to", "for", "from", "with", "without",
        "by", "into", "onto", "over", "under", "about", "as", "than", "i", "me", "my", "mine", "you", "your", "yours",
        "he", "him", "his", "she", "her", "hers", "it", "its", "we", "us", "our", "ours", "they", "them", "their",
        "theirs", "this", "that", "these", "those", "is", "are", "was", "were", "be", "been", "being", "am", "some",
        "any", "very", "so", "too",
    }
)  # fmt: skip


def is_id(word: str) -> bool:
    return word.isascii() and word.isdigit()


_ID_DIGITS = len(str(N_CLASSES - 1))


def number_class(word: str) -> int | None:
    """The class a number names, or None; never int() on a long run of digits, which Python
    refuses past 4,300 of them (and which could be no class id anyway)."""
    if not is_id(word):
        return None
    digits = word.lstrip("0") or "0"  # "007" is class 7, as before
    return int(digits) if len(digits) <= _ID_DIGITS and int(digits) < N_CLASSES else None


def clean(text: str) -> str:
    """Text as a person sees it: NFKC outside emoji ("ｄｏｇ" is dog, "１２３" is 123) and invisible
    format characters (zero-width spaces, direction marks) dropped, except the joiners inside emoji."""
    pieces = []
    for is_emoji, piece in E.split_emoji(text):
        if not is_emoji:
            piece = "".join(c for c in piece if unicodedata.category(c) != "Cf")
            piece = unicodedata.normalize("NFKC", piece)
        pieces.append(piece)
    return "".join(pieces)


def _words_only(text: str) -> str:
    """Letters, digits, spaces, ' and - kept, the rest spaces; a combining mark stays with the
    letter it follows (Devanagari and other scripts write vowels as marks), not with an emoji."""
    out: list[str] = []
    for char in text:
        kept = char.isalnum() or char.isspace() or char in "'-"
        attached = _is_mark(char) and bool(out) and (out[-1].isalnum() or _is_mark(out[-1]))
        out.append(char if kept or attached else " ")
    return "".join(out)


def _is_mark(char: str) -> bool:
    return unicodedata.category(char)[0] == "M"


def normalise(word: str) -> str:
    """Lower-case, drop emoji and punctuation around words, drop a leading article."""
    text = _words_only(clean(word).lower()).split()
    # A minus before digits stays: "-1" is not class 1.
    text = [part if NUMBER.fullmatch(part) else part.strip("'-") for part in text]
    return _LEADING_ARTICLE.sub("", " ".join(p for p in text if p)).strip()


def has_words(words: str) -> bool:
    """Whether the words hold any that is not a function word."""
    return any(token not in STOPWORDS for token in words.split())


def has_emoji(text: str) -> bool:
    """Whether the text holds an emoji."""
    return any(is_emoji for is_emoji, _ in E.split_emoji(text))
