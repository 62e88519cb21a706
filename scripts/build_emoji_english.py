"""Build pipeline/data/emoji_english.tsv: the English names of the emoji Python's Unicode data cannot
name, from Unicode CLDR's annotations, so the lookup reads them like the others.

Python 3.11 knows Unicode 14.0; people type the emoji of 15.0 to 17.0 too (🪼 jellyfish, 🪿 goose,
🪈 flute, 🪇 maracas, 🫍 orca, 🪊 trombone), which it reads as unknown. And a ZWJ sequence was read
by its first emoji only: 🐻‍❄️ as any bear, where CLDR names it a polar bear, 🐦‍⬛ a black bird, 🐦‍🔥
a phoenix. CLDR ships as two npm packages (Unicode License v3); regenerate:

    npm pack cldr-annotations-full@48.2.0 cldr-annotations-derived-full@48.2.0
    mkdir full derived && tar xzf cldr-annotations-full-48.2.0.tgz -C full
    tar xzf cldr-annotations-derived-full-48.2.0.tgz -C derived
    .venv/bin/python scripts/build_emoji_english.py full/package derived/package

Rows: every single emoji Python has no name for, and every ZWJ sequence of things (not of people,
whose sequences say who does what: 👩‍🚀 is read by its first part, as before), with its CLDR name.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.words.emoji import ZWJ, bare  # noqa: E402

OUTPUT = ROOT / "pipeline" / "data" / "emoji_english.tsv"
# First parts of ZWJ sequences of people (a person, a gesture, a sport's player, a family): their
# names say who does what ("woman astronaut"), read by the first part as before.
_PEOPLE = (
    (0x1F466, 0x1F487), (0x1F574, 0x1F57A), (0x1F3C3, 0x1F3CC), (0x1F645, 0x1F64F), (0x1F6A3, 0x1F6B6),
    (0x1F90C, 0x1F93F), (0x1F9B5, 0x1F9DF), (0x1FAC3, 0x1FAC5), (0x26F9, 0x26F9), (0x1F46A, 0x1F46F),
    (0x1F470, 0x1F478), (0x1F481, 0x1F482), (0x1F575, 0x1F575), (0x1F934, 0x1F937), (0x1F9CD, 0x1F9CF),
)  # fmt: skip


def build(full: Path, derived: Path) -> str:
    """The table's text."""
    names = {**_names(full / "annotations" / "en" / "annotations.json", "annotations")}
    names |= _names(derived / "annotationsDerived" / "en" / "annotations.json", "annotationsDerived")
    rows = sorted((emoji, name) for emoji, name in names.items() if _wanted(emoji))
    licence = (full / "LICENSE").read_text("utf-8").strip().splitlines()
    header = [
        "# English names of the emoji Python's Unicode data cannot name (newer than Unicode 14.0) and of",
        "# ZWJ sequences of things; from Unicode CLDR 48's annotations (npm cldr-annotations-full and",
        "# cldr-annotations-derived-full 48.2.0); built by scripts/build_emoji_english.py. Its licence:",
        *(f"# {line}".rstrip() for line in licence),
    ]
    return "\n".join([*header, *(f"{emoji}\t{name}" for emoji, name in rows)]) + "\n"


def _names(path: Path, section: str) -> dict[str, str]:
    """Emoji (without presentation selectors or skin tones) → its CLDR spoken name."""
    data = json.loads(path.read_text("utf-8"))[section]["annotations"]
    return {bare(emoji): entry["tts"][0] for emoji, entry in data.items() if entry.get("tts") and bare(emoji) == emoji}


def _wanted(emoji: str) -> bool:
    if ZWJ in emoji:
        first = ord(emoji[0])
        return not any(low <= first <= high for low, high in _PEOPLE)
    return len(emoji) == 1 and not unicodedata.name(emoji, "")


def main(argv: list[str]) -> int:
    """Write the table from the unpacked packages' folders."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    text = build(Path(argv[0]), Path(argv[1]))
    OUTPUT.write_text(unicodedata.normalize("NFC", text), "utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {text.count(chr(10))} lines")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
