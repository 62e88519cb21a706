"""Reading one setting's text: numbers, flags and choices, each refused with one sentence that names it."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from pipeline.errors import UserError

Getter = Callable[[str], str | None]  # an environment variable's text, None when unset


class SettingsError(UserError, ValueError):
    """A setting is malformed; the message names it."""


def path(raw: str | None) -> Path | None:
    """A folder or file setting, `~` expanded (None when unset)."""
    return Path(raw).expanduser() if raw else None


def text(raw: str | None) -> str | None:
    """A text setting with its spaces trimmed (None when unset or blank)."""
    return (raw or "").strip() or None


def choice(raw: str | None, name: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (the first when unset)."""
    if not raw:
        return choices[0]
    if raw not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)} (got {raw!r}).")
    return raw


def flag(raw: str | None, name: str, *, default: bool) -> bool:
    """true/false, yes/no, on/off or 1/0 (`default` when unset)."""
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false (got {raw!r}).")


def whole(raw: str | None, name: str) -> int | None:
    """A whole number (None when unset)."""
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number (got {raw!r}).") from None


def number(raw: str | None, name: str) -> float | None:
    """A number (None when unset)."""
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number (got {raw!r}).") from None


def positive(raw: str | None, name: str, most: float = math.inf) -> float | None:
    """A finite number above 0 and at most `most` (None when unset)."""
    value = number(raw, name)
    if value is not None and not (math.isfinite(value) and 0 < value <= most):
        limit = f" of at most {most:g}" if math.isfinite(most) else ""
        raise SettingsError(f"{name} must be a positive number{limit} (got {raw!r}).")
    return value


def positive_whole(raw: str | None, name: str) -> int | None:
    """A whole number of at least 1 (None when unset)."""
    value = whole(raw, name)
    if value is not None and value < 1:
        raise SettingsError(f"{name} must be a whole number of at least 1 (got {raw!r}).")
    return value
