"""Small pieces of wording shared by the command line's outputs, and the one way it speaks on stderr."""

from __future__ import annotations

import sys

_HIDDEN: list[str] = []  # the secrets of the loaded settings: never printed


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and the noun in the number it needs: "1 segment", "3 segments", "0 jobs"."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def hide(secrets: tuple[str, ...]) -> None:
    """From now on, `say` shows each of `secrets` as ***."""
    _HIDDEN[:] = secrets


def say(message: str) -> None:
    """Print `message` on stderr with every secret hidden (a message for the person, not the output)."""
    for secret in _HIDDEN:
        message = message.replace(secret, "***")
    print(message, file=sys.stderr)
