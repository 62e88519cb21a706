"""Words of other scripts in the Latin letters people type them in, for the emoji names build:
Japanese speakers type "neko", "inu" and "usagi" as often as ネコ, イヌ and うさぎ, Russian
speakers "koshka" and "sobaka" for кошка and собака, and CLDR gives their own script only.

Kana: modified Hepburn as people type it, long vowels written out ("koohii") or dropped
("kohi"), the syllabic n as "n", a small tsu doubling the next consonant ("kitte").
Cyrillic: the common chat transliteration (х as "kh" and as "h", ж "zh", ш "sh", я "ya").
"""

from __future__ import annotations

_BASE = {
    "ア": "a", "イ": "i", "ウ": "u", "エ": "e", "オ": "o",
    "カ": "ka", "キ": "ki", "ク": "ku", "ケ": "ke", "コ": "ko",
    "ガ": "ga", "ギ": "gi", "グ": "gu", "ゲ": "ge", "ゴ": "go",
    "サ": "sa", "シ": "shi", "ス": "su", "セ": "se", "ソ": "so",
    "ザ": "za", "ジ": "ji", "ズ": "zu", "ゼ": "ze", "ゾ": "zo",
    "タ": "ta", "チ": "chi", "ツ": "tsu", "テ": "te", "ト": "to",
    "ダ": "da", "ヂ": "ji", "ヅ": "zu", "デ": "de", "ド": "do",
    "ナ": "na", "ニ": "ni", "ヌ": "nu", "ネ": "ne", "ノ": "no",
    "ハ": "ha", "ヒ": "hi", "フ": "fu", "ヘ": "he", "ホ": "ho",
    "バ": "ba", "ビ": "bi", "ブ": "bu", "ベ": "be", "ボ": "bo",
    "パ": "pa", "ピ": "pi", "プ": "pu", "ペ": "pe", "ポ": "po",
    "マ": "ma", "ミ": "mi", "ム": "mu", "メ": "me", "モ": "mo",
    "ヤ": "ya", "ユ": "yu", "ヨ": "yo",
    "ラ": "ra", "リ": "ri", "ル": "ru", "レ": "re", "ロ": "ro",
    "ワ": "wa", "ヰ": "i", "ヱ": "e", "ヲ": "o", "ン": "n", "ヴ": "vu",
}  # fmt: skip
_SMALL_Y = {"ャ": "a", "ュ": "u", "ョ": "o"}
_SMALL_VOWEL = {"ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o"}
_SOKUON, _LONG = "ッ", "ー"
_HIRAGANA = range(0x3041, 0x3097)  # shifted by 0x60 to the katakana of the same sound


def is_kana(text: str) -> bool:
    """Whether the text is hiragana and katakana only (with the long-vowel mark)."""
    return bool(text) and all(_katakana(char) in _BASE or _katakana(char) in _MARKS for char in text)


def romaji(text: str) -> tuple[str, ...]:
    """The ways people write a kana word in Latin letters: long vowels doubled, and dropped."""
    syllables = _syllables("".join(_katakana(char) for char in text))
    if syllables is None:
        return ()
    doubled = "".join(sound for sound, _ in syllables)
    dropped = "".join(sound for sound, long in syllables if not long)
    return tuple(dict.fromkeys((doubled, dropped)))


_MARKS = {*_SMALL_Y, *_SMALL_VOWEL, _SOKUON, _LONG}


def _katakana(char: str) -> str:
    return chr(ord(char) + 0x60) if ord(char) in _HIRAGANA else char


def _syllables(kana: str) -> list[tuple[str, bool]] | None:
    """Each syllable's romaji, and whether it only lengthens the vowel before (small kana are folded
    into the syllable before them); None when the text holds anything but kana."""
    out: list[tuple[str, bool]] = []
    double_next = False
    for char in kana:
        last = out[-1][0] if out else ""
        if char == _SOKUON:
            double_next = True
            continue
        if char in _SMALL_Y and len(last) > 1 and last.endswith("i"):
            stem = last[:-1]
            joined = stem + (_SMALL_Y[char] if stem.endswith(("sh", "ch", "j")) else "y" + _SMALL_Y[char])
            out[-1] = (joined, False)
        elif char in _SMALL_VOWEL and last:
            # フィ "fi", ティ "ti", ウィ "wi": the small vowel replaces the vowel of the kana before.
            stem = "w" if last in ("u", "o") else last.rstrip("aeiou")
            out[-1] = (stem + _SMALL_VOWEL[char], False)
        elif char == _LONG and last:
            out.append((last[-1], True))
        elif char in _BASE:
            sound = _BASE[char]
            if double_next and sound[0] not in "aeioun":
                sound = ("t" if sound.startswith("ch") else sound[0]) + sound
            out.append((sound, False))
        else:
            return None
        double_next = False
    return out or None


_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u", "ј": "j", "љ": "lj", "њ": "nj",
    "ћ": "c", "ђ": "dj", "џ": "dz", "ѓ": "gj", "ќ": "kj", "ѕ": "dz",
}  # fmt: skip


def is_cyrillic(text: str) -> bool:
    """Whether the text is Cyrillic letters (and spaces) only."""
    return bool(text.strip()) and all(char == " " or char in _CYRILLIC for char in text.casefold())


def cyrillic_latin(text: str) -> tuple[str, ...]:
    """The ways people write a Cyrillic word in Latin letters: х as "kh", and as "h"."""
    latin = "".join(_CYRILLIC.get(char, char) for char in text.casefold())
    return tuple(dict.fromkeys((latin, latin.replace("kh", "h"))))
