"""Small pieces of wording shared by the command line's outputs."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and the noun in the number it needs: "1 segment", "3 segments", "0 jobs"."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
