"""The tables the pipeline reads, committed beside this file: tab-separated, "#" lines are comments."""

from __future__ import annotations

from importlib import resources


def rows(name: str) -> list[list[str]]:
    """The fields of every row of one table here, its comments and blank lines left out."""
    text = resources.files(__name__).joinpath(name).read_text("utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
