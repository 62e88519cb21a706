"""The rooms of README.md's architecture section and their one-way arrows, checked by reading every import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.paths import ROOT


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def imported_names(path: Path, module: str) -> set[str]:
    """The names `from module import ...` takes from `module` in the file at `path`."""
    tree = ast.parse(path.read_text())
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == module and node.level == 0
        for alias in node.names
    }


def test_only_the_generator_imports_torch() -> None:
    users = {
        str(module.relative_to(ROOT))
        for package in ("pipeline", "bot", "storage")
        for module in (ROOT / package).rglob("*.py")
        if imported_roots(module) & {"torch", "pytorch_pretrained_biggan"}
    }
    biggan = ("network", "loading", "device", "graphs", "generator", "noise", "testing")
    assert users == {f"pipeline/biggan/{name}.py" for name in biggan}


def test_production_never_imports_the_test_models() -> None:
    """pipeline.biggan.testing writes random weights for tests and benchmarks: nothing outside them imports it."""
    users = {
        str(module.relative_to(ROOT))
        for package in ("pipeline", "bot", "storage", "scripts")
        for module in (ROOT / package).rglob("*.py")
        if "pipeline.biggan.testing" in imported_modules(module)
        or "testing" in imported_names(module, "pipeline.biggan")
    }
    assert users == set(), f"{sorted(users)} import pipeline.biggan.testing"


def test_only_the_engine_adapter_imports_the_job_engine() -> None:
    """DESIGN.md: the worker loop, the dispatcher and the front ends talk to the queue's face, never to Redis."""
    users = {
        str(module.relative_to(ROOT))
        for package in ("pipeline", "bot", "storage")
        for module in (ROOT / package).rglob("*.py")
        if imported_roots(module) & {"saq", "redis"}
    }
    assert users and all(user.startswith("bot/jobs/engine/") for user in users)


@pytest.mark.parametrize(
    ("library", "rooms"), [("discord", ("bot/discord/", "bot/runner.py")), ("tweepy", ("bot/x/",))]
)
def test_only_its_front_end_imports_a_chat_library(library: str, rooms: tuple[str, ...]) -> None:
    """discord.py lives in bot/discord (and the runner that starts it), tweepy in bot/x: one front end, one room."""
    users = {
        str(module.relative_to(ROOT))
        for package in ("pipeline", "bot", "storage")
        for module in (ROOT / package).rglob("*.py")
        if library in imported_roots(module)
    }
    assert users and all(user.startswith(rooms) for user in users)


# The rooms, each with the rooms it may import (besides itself). A module belongs to the room of
# its longest listed prefix; README.md's architecture section draws the same picture.
FOUNDATION_ROOM = "foundation"
ROOM_OF_PREFIX = {
    "pipeline.errors": FOUNDATION_ROOM,
    "pipeline.files": FOUNDATION_ROOM,
    "pipeline.data": FOUNDATION_ROOM,  # the committed tables and their one reader
    "storage.clock": FOUNDATION_ROOM,
    "pipeline.analysis": "pipeline.method",
    "pipeline.classes": "pipeline.method",
    "pipeline.links": "pipeline.links",
    "pipeline.media": "pipeline.media",
    "pipeline.biggan": "pipeline.biggan",
    "pipeline.music": "pipeline.music",
    "pipeline.words": "pipeline.words",
    "pipeline": "pipeline",
    "storage": "storage",
    "bot": "bot",
    "bot.jobs": "bot.jobs",
    "bot.jobs.engine": "bot.jobs.engine",
    "bot.discord": "bot.discord",
    "bot.x": "bot.x",
    "bot.runner": "bot.runner",
    "bot.cli": "bot.cli",
}
MAY_IMPORT = {
    FOUNDATION_ROOM: set(),
    "pipeline.method": {FOUNDATION_ROOM},
    "pipeline.links": {FOUNDATION_ROOM},
    "pipeline.media": {FOUNDATION_ROOM},
    "pipeline.biggan": {FOUNDATION_ROOM},
    "pipeline.music": {FOUNDATION_ROOM, "pipeline.method"},
    "pipeline.words": {FOUNDATION_ROOM, "pipeline.method"},
    "pipeline": {FOUNDATION_ROOM, "pipeline.method", "pipeline.media", "pipeline.music", "pipeline.words"},
    "storage": {FOUNDATION_ROOM},
}
PIPELINE_ROOMS = {room for room in MAY_IMPORT if room.startswith("pipeline")} | {FOUNDATION_ROOM}
BELOW_BOT = PIPELINE_ROOMS | {"pipeline.links", "pipeline.biggan", "storage"}
MAY_IMPORT |= {
    "bot": BELOW_BOT,  # settings, submit, text and outage helpers the rooms above share
    "bot.jobs": BELOW_BOT | {"bot"},
    "bot.jobs.engine": BELOW_BOT | {"bot", "bot.jobs"},
    "bot.discord": BELOW_BOT | {"bot"},  # a front end never imports another, nor the job runners
    "bot.x": BELOW_BOT | {"bot"},
    "bot.runner": BELOW_BOT | {"bot", "bot.jobs", "bot.jobs.engine", "bot.discord", "bot.x"},
    "bot.cli": BELOW_BOT | {"bot", "bot.jobs", "bot.jobs.engine", "bot.discord", "bot.x", "bot.runner"},
}


def room_of(module: str) -> str:
    """The room of a dotted module name: its longest prefix listed in ROOM_OF_PREFIX."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in ROOM_OF_PREFIX:
            return ROOM_OF_PREFIX[prefix]
    raise AssertionError(f"{module} is in no room")


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def our_imports(path: Path) -> set[str]:
    """The project modules `path` imports, `from a import b` counted as `a.b` where b is a module."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                as_module = f"{node.module}.{alias.name}"
                is_module = (ROOT / as_module.replace(".", "/")).with_suffix(".py").exists() or (
                    ROOT / as_module.replace(".", "/") / "__init__.py"
                ).exists()
                names.add(as_module if is_module else node.module)
    return {name for name in names if name.split(".")[0] in {"bot", "pipeline", "storage"}}


def test_every_room_imports_only_the_rooms_below_it() -> None:
    breaches = [
        f"{module_name(path)} ({room_of(module_name(path))}) imports {imported} ({room_of(imported)})"
        for package in ("pipeline", "bot", "storage")
        for path in (ROOT / package).rglob("*.py")
        for imported in our_imports(path)
        if room_of(imported) != room_of(module_name(path))
        and room_of(imported) not in MAY_IMPORT[room_of(module_name(path))]
    ]
    assert breaches == []


def test_the_rooms_form_no_cycle() -> None:
    """Rooms in an order where each imports only those before it: a topological sort of MAY_IMPORT."""
    placed: list[str] = []
    while len(placed) < len(MAY_IMPORT):
        ready = [room for room, below in MAY_IMPORT.items() if room not in placed and below <= set(placed)]
        assert ready, f"a cycle among {set(MAY_IMPORT) - set(placed)}"
        placed += sorted(ready)


def test_every_room_is_drawn_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Architecture") :]
    missing = [room for room in ROOM_OF_PREFIX if room != "bot" and f"{room.replace('.', '/')}" not in section]
    assert missing == []
