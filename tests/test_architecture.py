"""The one-way arrows of DESIGN.md, checked by reading every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(("package", "forbidden"), [("pipeline", {"bot", "storage"}), ("storage", {"bot", "pipeline"})])
def test_packages_import_only_downstream(package: str, forbidden: set[str]) -> None:
    for module in (ROOT / package).rglob("*.py"):
        assert not imported_roots(module) & forbidden, f"{module.relative_to(ROOT)} imports {forbidden}"


def test_only_the_generator_imports_torch() -> None:
    users = {
        str(module.relative_to(ROOT))
        for package in ("pipeline", "bot", "storage")
        for module in (ROOT / package).rglob("*.py")
        if imported_roots(module) & {"torch", "pytorch_pretrained_biggan"}
    }
    assert users == {"pipeline/generator.py"}
