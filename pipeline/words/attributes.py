"""What a class looks like by its WordNet definition: colours, sizes, coats and patterns ("a large
breed having a smooth white coat with black or brown spots"), so a phrase's describing words can
pick the kinds they describe: a "spotted dog" is the dalmatian, a "hairy spider" the tarantula, a
"little blue bird" the indigo bunting.
"""

from __future__ import annotations

import functools
import re

from pipeline.words.meaning import class_glosses

# Words of one size said several ways: a "tiny" bird is a small one, a "huge" whale a large one.
_SIZES = {
    **dict.fromkeys(("small", "little", "tiny", "toy", "miniature", "mini", "dwarf", "smol"), "small"),
    **dict.fromkeys(("large", "big", "giant", "huge", "massive", "enormous", "heavy"), "large"),
}
_SPELLINGS = {"gray": "grey", "colour": "color"}
# Word endings that make a describing word of a thing ("hairy", "spotted", "greyish", "striped").
_ENDINGS = ("ish", "ed", "y", "s")


def attribute(word: str) -> str:
    """A describing word as it is matched against definitions, cut to a stem both share: "spotted"
    and "spots" → spot, "hairy" and "hair" → hair, "greyish" → grey, "striped" and "stripes" →
    strip, "tiny" and "small" → small."""
    word = _SPELLINGS.get(word, word)
    if word in _SIZES:
        return _SIZES[word]
    for ending in _ENDINGS:
        stem = word.removesuffix(ending)
        if stem != word and len(stem) >= 3 and not (ending == "y" and stem[-1] in "aeiou"):  # grey stays
            word = stem
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2]:
        word = word[:-1]
    return _SPELLINGS.get(word, word)


@functools.cache
def _described(class_id: int) -> frozenset[str]:
    """The attributes a class's definition names."""
    _, gloss = class_glosses()[class_id]
    return frozenset(attribute(token) for token in re.findall(r"[a-z]+", gloss.lower()))


def described_by(word: str, classes: tuple[int, ...]) -> tuple[int, ...]:
    """The classes whose definitions name a describing word; () when none does."""
    wanted = attribute(word)
    return tuple(c for c in classes if wanted in _described(c))
