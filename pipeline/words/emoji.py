"""Emoji in requests: find them in text, and read each as the words it stands for.

Discord and X users type 🐶 🎃 🌊 🚀 🔥. An emoji is read through a small curated table
(pipeline/data/emoji_words.tsv) where its Unicode name misleads, else through its Unicode
name ("DOG FACE" → "dog", "WATER WAVE" → "water wave"); pipeline/words/lookup.py then looks the
words up like any others. Emoji people add for tone (😂 ❤️ 👍) are marked as decoration.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline import data

ZWJ = "\u200d"
KEYCAP = "\u20e3"
# Characters that change how an emoji looks but not what it shows: text/emoji presentation,
# skin tones, and the tag characters of subdivision flags.
_MODIFIERS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")
_REGIONAL = range(0x1F1E6, 0x1F200)  # flag letters
_PICTOGRAPHS = range(0x1F300, 0x1FB00)  # pictographs, emoticons, transport, supplemental symbols
# Emoji outside those blocks (Unicode's emoji list); the other symbols around them (arrows, card
# suits, box drawing, ° ©) are punctuation to the lookup, as before.
_OTHER_EMOJI = frozenset(
    "‼⁉™ℹ↔↕↖↗↘↙↩↪⌚⌛⌨⏏⏩⏪⏫⏬⏭⏮⏯⏰⏱⏲⏳⏸⏹⏺Ⓜ▪▫▶◀◻◼◽◾☀☁☂☃☄☎☑☔☕☘☝☠☢☣☦☪☮☯☸☹☺♀♂♈♉♊♋♌♍♎♏♐♑♒♓"
    "♟♠♣♥♦♨♻♾♿⚒⚓⚔⚕⚖⚗⚙⚛⚜⚠⚡⚧⚪⚫⚰⚱⚽⚾⛄⛅⛈⛎⛏⛑⛓⛔⛩⛪⛰⛱⛲⛳⛴⛵⛷⛸⛹⛺⛽✂✅✈✉✊✋✌✍✏✒✔✖✝✡✨✳✴❄❇❌❎"
    "❓❔❕❗❣❤➕➖➗➡➰➿⤴⤵⬅⬆⬇⬛⬜⭐⭕〰〽㊗㊙🀄🃏🅰🅱🅾🅿🆎🆑🆒🆓🆔🆕🆖🆗🆘🆙🆚🈁🈂🈚🈯🈲🈳🈴🈵🈶🈷🈸🈹🈺🉐🉑"
)
DECORATION = "-"  # in the curated table: dropped like punctuation
NOTHING = "?"  # in the curated table: names nothing BigGAN draws, so the emoji is unknown
# Words of Unicode names that say how an emoji is drawn, not what it shows: "DOG FACE" is a
# dog, "BLACK SUN WITH RAYS" the sun; a name of nothing else ("HEAVY CHECK MARK") names nothing.
_DRAWING_WORDS = frozenset({"face", "sign", "symbol", "mark", "button", "emoji", "black", "white", "heavy"})
# Emoji for feelings and gestures carry tone, not a subject to draw: the smileys' blocks, and
# names of hearts and hands. (An animal face, 🦄 "UNICORN FACE", names a thing: not tone.)
_TONE_BLOCKS = (
    (0x1F600, 0x1F64F), (0x1F910, 0x1F93F), (0x1F970, 0x1F97F), (0x1F9D0, 0x1F9D0), (0x1FAE0, 0x1FAEF),
    (0x2639, 0x263A),
)  # fmt: skip
_TONE_WORDS = frozenset({"heart", "hearts", "hand", "hands", "finger", "fingers", "thumbs", "fist"})


@dataclass(frozen=True)
class EmojiReading:
    """What an emoji stands for: words to look up, and whether it is there for tone."""

    emoji: str
    words: str  # lower-case words to look up; "" when it names nothing to draw
    name: str  # its Unicode name, lower-cased, for messages
    # Decoration (😂 ❤️ 👍, flags) is dropped from a request like punctuation; any other emoji
    # that reaches no class is unknown.
    decoration: bool = False
    curated: bool = False  # the words come from the curated table, not the Unicode name


def is_emoji_start(text: str, index: int) -> bool:
    """Whether an emoji begins at text[index]: a pictographic symbol, a flag letter or a keycap."""
    char = text[index]
    if char in "0123456789#*":
        rest = _MODIFIERS.sub("", text[index + 1 : index + 4])
        return rest.startswith(KEYCAP)
    if ord(char) in _PICTOGRAPHS:
        # An unassigned code point there is an emoji newer than Python's Unicode data.
        return unicodedata.category(char) in ("So", "Cn")
    return char in _OTHER_EMOJI or ord(char) in _REGIONAL


def emoji_end(text: str, start: int) -> int:
    """The end of the emoji that begins at text[start], with its modifiers and ZWJ-joined parts."""
    index = start + 1
    if ord(text[start]) in _REGIONAL and index < len(text) and ord(text[index]) in _REGIONAL:
        return index + 1  # a flag is two regional letters
    while index < len(text):
        char = text[index]
        if _MODIFIERS.match(char) or char == KEYCAP:
            index += 1
        elif char == ZWJ and index + 1 < len(text) and is_emoji_start(text, index + 1):
            index += 2
        else:
            break
    return index


def split_emoji(text: str) -> Iterator[tuple[bool, str]]:
    """Runs of text and single emoji, in order: (is emoji, piece)."""
    start = index = 0
    while index < len(text):
        if is_emoji_start(text, index):
            if start < index:
                yield False, text[start:index]
            end = emoji_end(text, index)
            yield True, text[index:end]
            start = index = end
        else:
            index += 1
    if start < len(text):
        yield False, text[start:]


def bare(emoji: str) -> str:
    """The emoji without skin tone or presentation selectors: the key of the curated table."""
    return _MODIFIERS.sub("", emoji)


def is_emoji(text: str) -> bool:
    """Whether the text is exactly one emoji."""
    return bool(text) and is_emoji_start(text, 0) and emoji_end(text, 0) == len(text)


@functools.cache
def curated() -> dict[str, str]:
    """The curated table: bare emoji → words ("-" for decoration)."""
    table: dict[str, str] = {}
    for emoji, words, _reason in data.rows("emoji_words.tsv"):
        table[bare(emoji)] = words
    return table


def read_emoji(emoji: str) -> EmojiReading:
    """The words an emoji stands for: the curated table first, else its Unicode name."""
    key = bare(emoji)
    name = unicode_name(key)
    words = curated().get(key)
    if words == DECORATION:
        return EmojiReading(emoji, "", name, decoration=True)
    if words == NOTHING:
        return EmojiReading(emoji, "", name)
    if words is not None:
        return EmojiReading(emoji, words, name, curated=True)
    if key[:1] in "0123456789#*" or ord(key[0]) in _REGIONAL:
        # Keycaps and flags name digits and places, nothing BigGAN draws; people add them for tone.
        return EmojiReading(emoji, "", name, decoration=True)
    if not name:
        return EmojiReading(emoji, "", name)  # newer than Python's Unicode data: unknown
    if any(low <= ord(key[0]) <= high for low, high in _TONE_BLOCKS) or _TONE_WORDS & set(name.split()):
        return EmojiReading(emoji, "", name, decoration=True)  # 😠 is a mood, not a volcano
    return EmojiReading(emoji, name_words(name), name)


def unicode_name(emoji: str) -> str:
    """The lower-cased name of an emoji: CLDR's for a ZWJ sequence of things (🐻‍❄️ "polar bear") or
    one newer than Python's Unicode data (🪼 "jellyfish"), else the Unicode name of its first part
    ("" when it has none)."""
    newer = english_names().get(emoji)
    if newer is not None:
        return newer
    first = emoji.split(ZWJ)[0]
    if first and ord(first[0]) in _REGIONAL:
        return "flag"  # two regional letters; their names spell a country code, not a thing
    return unicodedata.name(first[:1], "").lower() if first else ""


@functools.cache
def english_names() -> dict[str, str]:
    """Bare emoji → CLDR's English name, where Python's own cannot say (scripts/build_emoji_english.py)."""
    return {row[0]: row[1] for row in data.rows("emoji_english.tsv")}


def name_words(name: str) -> str:
    """The words of a Unicode name that say what it shows: "dog face" → "dog", "black sun with rays" → "sun"."""
    head = name.split(" with ")[0].split(" without ")[0]
    words = [w for w in head.replace("-", " ").split() if w not in _DRAWING_WORDS]
    return " ".join(words)
