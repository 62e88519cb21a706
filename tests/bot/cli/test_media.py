"""render, preview and analyze as a newcomer meets them: one segment is one segment, a drawn seed is printed."""

from __future__ import annotations

import re

from tests.bot.cli.conftest import Ganterp
from tests.conftest import ClipMaker


def test_one_segment_is_one_segment(make_clip: ClipMaker, ganterp: Ganterp) -> None:
    code, out, err = ganterp("analyze", str(make_clip(2.0)), "--segments", "1", "--seed", "4")
    assert code == 0, err
    assert out.startswith("1 segment, seed 4"), out


def test_a_drawn_seed_says_how_to_get_the_same_classes_again(make_clip: ClipMaker, ganterp: Ganterp) -> None:
    clip = str(make_clip(3.0))
    code, out, _ = ganterp("analyze", clip, "--classes", "dog, cat")
    assert code == 0
    seed = re.search(r"seed (\d+),", out)
    assert seed is not None and f"add --seed {seed[1]} to get these classes again" in out
    classes = re.findall(r"s\s+(\d+) ", out)
    code, again, _ = ganterp("analyze", clip, "--classes", "dog, cat", "--seed", seed[1])
    assert code == 0 and re.findall(r"s\s+(\d+) ", again) == classes, "the printed seed repeats the classes"
    assert "drawn at random" not in again, "a seed that was given is not called random"
