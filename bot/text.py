"""What every chat front end does to its text before a person reads it, and the one refusal they share.

Each front end keeps its own words (bot/discord/text.py, bot/x/replies.py); the rules both
follow live here: a message fits the platform's length and never shows a path of this machine.
"""

from __future__ import annotations

import re

from pipeline.errors import UserError

# An absolute path on its own (not the path part of a link): a last guard, since no message should hold one.
_SERVER_PATH = re.compile(r"(?<![\w:/.~-])/(?:[\w.@+-]+/)+[\w.@+-]*")


def without_paths(text: str) -> str:
    """`text` with any absolute file path replaced by "a file" (messages never show this machine's paths)."""
    return _SERVER_PATH.sub("a file", text)


def fit(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class NoClip(UserError):
    """A request that points at no clip; each front end says in its own words where a clip may be."""
