"""Build pipeline/data/class_glosses.tsv: each BigGAN class's WordNet definition and broader sense.

The meaning layer (pipeline/words/meaning.py) embeds each class as its names, its broader
sense and its definition, so a word is compared with what a class is, not only with how it
is spelled ("savanna" is nearer "African elephant: … of Africa" than the bare name). Reads
Debian's `wordnet-base` like scripts/build_wordnet_index.py. Regenerate:

    sudo apt-get install wordnet-base
    .venv/bin/python scripts/build_class_glosses.py /usr/share/wordnet

Output lines (tab-separated, after '#' comments holding WordNet's licence):
    class id  broader sense's first lemma  definition (examples dropped)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_wordnet_index import DATA_DIR, _licence_header, read_classes, read_synsets

OUTPUT = DATA_DIR / "class_glosses.tsv"


def definition(gloss: str) -> str:
    """The definition part of a WordNet gloss, without its quoted examples."""
    return gloss.split('; "')[0].split(' "')[0].strip().rstrip(";").strip()


def build(wordnet: Path) -> str:
    """The glosses file's text."""
    synsets = read_synsets(wordnet)
    header = _licence_header().replace(
        "Nouns of WordNet 3.0 resolved to the 1000 BigGAN classes; built by scripts/build_wordnet_index.py.",
        "Definitions of the 1000 BigGAN classes from WordNet 3.0; built by scripts/build_class_glosses.py.",
    )
    lines = [header]
    for class_id, offset, _names in read_classes():
        synset = synsets[offset]
        broader = synsets[synset.hypernyms[0]].lemmas[0] if synset.hypernyms else ""
        lines.append(f"{class_id}\t{broader}\t{definition(synset.gloss)}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Write the glosses from the WordNet folder given on the command line."""
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    OUTPUT.write_text(build(Path(argv[0])), "utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
