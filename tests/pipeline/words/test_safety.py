"""The safe-for-random pool: weapons and sensitive classes left out of random picks, with reasons."""

from __future__ import annotations

import pytest

from pipeline.classes import N_CLASSES, all_classes, resolve_class
from pipeline.render import RenderOptions, _random_pool
from pipeline.words.safety import EmptyPool, is_safe_for_random, random_pool, unsafe_for_random
from tests.paths import ROOT

WEAPONS = ("assault rifle", "revolver", "rifle", "cannon", "missile", "projectile", "guillotine")


def test_every_excluded_class_has_its_name_and_a_reason() -> None:
    rows = [
        line.split("\t")
        for line in (ROOT / "pipeline/data/unsafe_for_random.tsv").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert len(rows) == len(unsafe_for_random()) >= 20
    for class_id, name, reason in rows:
        assert name in all_classes()[int(class_id)].names and len(reason) > 5


def test_weapons_are_left_out_and_everyday_classes_kept() -> None:
    assert not any(is_safe_for_random(c) for c in (413, 763, 764, 471, 657, 744, 583))
    assert all(resolve_class(name) not in random_pool() for name in WEAPONS if name != "missile")
    assert {207, 980, 107, 889} <= set(random_pool())


def test_the_pool_is_all_classes_less_the_unsafe_less_a_servers_blocks() -> None:
    assert random_pool(safe=False) == tuple(range(N_CLASSES))
    assert len(random_pool()) == N_CLASSES - len(unsafe_for_random())
    assert set(random_pool(exclude=[207, 208])) == set(random_pool()) - {207, 208}
    with pytest.raises(EmptyPool, match="no class is left to pick at random"):
        random_pool(safe=False, exclude=range(N_CLASSES))


def test_render_options_carry_the_random_pool_and_keep_all_classes_by_default() -> None:
    assert _random_pool(RenderOptions()) is None  # the CLI: all 1000, the same draw as before
    safe = RenderOptions(safe_random=True, exclude_random=(207,))
    assert _random_pool(safe) == random_pool(exclude=[207])
    assert RenderOptions.from_dict(safe.as_dict()) == safe
    assert RenderOptions.from_dict({"classes": [1]}).exclude_random == ()  # old job records still load
