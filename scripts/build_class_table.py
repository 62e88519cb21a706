"""Build pipeline/data/imagenet_classes.tsv: the 1000 BigGAN / ImageNet-1k classes.

Class i is the i-th WordNet 3.0 noun synset of ImageNet-1k in sorted-wnid order
(class 0 = n01440764, tench). The synset ids and their WordNet lemma names are
read from two plain-text lists that the `timm` wheel ships, so regenerating
needs nothing but PyPI:

    pip download --no-deps -d /tmp/timm timm
    unzip -o /tmp/timm/timm-*.whl 'timm/data/_info/*' -d /tmp/timm
    python scripts/build_class_table.py /tmp/timm/timm/data/_info

The file is committed; nothing reads the network at run time.
"""

from __future__ import annotations

import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "pipeline" / "data" / "imagenet_classes.tsv"
HEADER = (
    "# The 1000 ImageNet-1k classes used by BigGAN: id, WordNet 3.0 noun synset, lemma names.\n"
    "# Names come from WordNet 3.0, Copyright 2006 by Princeton University (WordNet licence:\n"
    "# permission to use, copy, modify and distribute for any purpose, without fee, provided the\n"
    "# copyright notice appears in all copies). Regenerate with scripts/build_class_table.py.\n"
)


def build(info_dir: Path) -> str:
    """Return the TSV text for the class table from timm's synset lists."""
    wnids = (info_dir / "imagenet_synsets.txt").read_text().split()
    if len(wnids) != 1000 or wnids != sorted(wnids):
        raise SystemExit("imagenet_synsets.txt must hold the 1000 ImageNet-1k wnids in sorted order")
    lemmas: dict[str, str] = {}
    for line in (info_dir / "imagenet_synset_to_lemma.txt").read_text().splitlines():
        wnid, _, names = line.partition("\t")
        lemmas[wnid] = names.strip()
    rows = [f"{i}\t{wnid}\t{lemmas[wnid]}" for i, wnid in enumerate(wnids)]
    return HEADER + "\n".join(rows) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    OUTPUT.write_text(build(Path(sys.argv[1])))
    print(f"wrote {OUTPUT}")
