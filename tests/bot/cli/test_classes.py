"""`ganterp classes`: the seed that picks a kind is named, and matches what analyze shows with that seed."""

from __future__ import annotations

import re

import pytest

from tests.bot.cli.conftest import Ganterp
from tests.conftest import ClipMaker


@pytest.mark.parametrize("seed", ["0", "5", "1234"])
def test_classes_says_the_seed_picks_the_kind_and_matches_analyze_with_that_seed(
    seed: str, make_clip: ClipMaker, ganterp: Ganterp
) -> None:
    code, out, err = ganterp("classes", "dog", "--seed", seed)
    assert code == 0 and len(out.splitlines()) == 1, "stdout stays one line per word"
    assert f"seed {seed} picked one" in err and f"unless given --seed {seed}" in err
    shown = re.search(r"→\s+(\d+) ", out)
    assert shown is not None
    clip = str(make_clip(2.0))
    code, analyzed, _ = ganterp("analyze", clip, "--classes", "dog", "--segments", "1", "--seed", seed)
    assert code == 0 and re.search(rf"0\.00 s\s+{shown[1]} ", analyzed), (out, analyzed)


def test_classes_of_words_with_one_kind_need_no_seed_note(ganterp: Ganterp) -> None:
    code, out, err = ganterp("classes", "jellyfish, 207")
    assert code == 0 and "seed" not in out + err
