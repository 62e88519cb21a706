"""Words of other languages read through the emoji they name: "perro", "Hund", "chien", "собака",
"犬" are 🐕, which the lookup already reads as dog.

The `emoji` package (BSD) ships each emoji's name in 13 languages from Unicode's CLDR
(Arabic, Chinese, French, German, Indonesian, Italian, Japanese, Korean, Persian, Portuguese,
Russian, Spanish, Turkish): a verifiable offline dictionary of exactly the things people type
(animals, food, plants, vehicles, weather, places). Only whole names count: "cara de caballo"
(horse face) is read whole, never as "caballo" or "cara".
"""

from __future__ import annotations

import functools
import importlib.util
import unicodedata

LANGUAGES = ("es", "fr", "de", "it", "pt", "ru", "zh", "ja", "ko", "tr", "id", "fa", "ar")


def _key(name: str) -> str:
    """A name as a lookup key: NFKC, case-folded, underscores as spaces."""
    return unicodedata.normalize("NFKC", name).strip(":").replace("_", " ").casefold().strip()


@functools.cache
def names() -> dict[str, tuple[str, ...]]:
    """Every other-language emoji name → the emoji it names (several where languages share a name:
    French "coche" is ✔, Spanish "coche" 🚗; the lookup takes the first that reads as classes)."""
    if importlib.util.find_spec("emoji") is None:
        return {}
    import emoji

    emoji.config.load_language(list(LANGUAGES))
    out: dict[str, tuple[str, ...]] = {}
    # Single emoji before sequences (skin tones, ZWJ), so "perro" is 🐕, not a dog with a detail.
    for char, data in sorted(emoji.EMOJI_DATA.items(), key=lambda item: (len(item[0]), item[0])):
        for language in LANGUAGES:
            name = data.get(language)
            if isinstance(name, str) and name:
                key = _key(name)
                if char not in out.get(key, ()):
                    out[key] = (*out.get(key, ()), char)
    return out


def emoji_for(word: str) -> tuple[str, ...]:
    """The emoji a word of another language names, single emoji first; () when none."""
    return names().get(_key(word), ())
