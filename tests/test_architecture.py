"""The one-way arrows of DESIGN.md, checked by reading every module's imports."""

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


# The foundation every room may use: the one user-facing error base and the one atomic write.
FOUNDATION = {"pipeline.errors", "pipeline.files"}


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


@pytest.mark.parametrize(("package", "forbidden"), [("pipeline", {"bot", "storage"}), ("storage", {"bot", "pipeline"})])
def test_packages_import_only_downstream(package: str, forbidden: set[str]) -> None:
    for module in (ROOT / package).rglob("*.py"):
        beyond_foundation = {name.split(".")[0] for name in imported_modules(module) - FOUNDATION}
        assert not beyond_foundation & forbidden, f"{module.relative_to(ROOT)} imports {forbidden}"


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
