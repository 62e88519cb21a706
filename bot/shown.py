"""What a rendered video shows, read from its sidecar: the one list of classes every caption names.

A video of n scenes shows n + 1 classes: each scene morphs from its class into the next one's,
and the last scene into a class no scene starts with. A caption that lists the scenes alone
leaves that last class out, and members read that their word was dropped; so the Discord and X
captions both take their classes from here (the CLI prints each scene with the class it becomes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.classes import class_name


@dataclass(frozen=True)
class ShownClass:
    """One class of a video, in order, and when the picture is that class alone."""

    class_id: int
    name: str
    asked: bool  # the requester's class (False: random fill)
    at_s: float | None = None  # None: the description has no times
    heard_word: str | None = None  # the word heard in the clip that chose this class (--lyrics)
    heard_at: float | None = None  # when that word was heard, in seconds


def shown_classes(described: Mapping[str, Any]) -> tuple[ShownClass, ...]:
    """Every class a rendered video shows, in order: each scene's, then the one the last scene morphs into."""
    segments = list(described.get("segments") or [])
    classes = list(described.get("classes") or [])
    # The picture is class i alone where scene i starts; the last class where the last scene ends.
    times = [float(s["start"]) for s in segments] + [float(segments[-1]["end"])] if segments else []
    return tuple(
        ShownClass(
            class_id=int(c["class_id"]),
            name=str(c.get("class_name") or class_name(int(c["class_id"]))),
            asked=bool(c.get("asked", True)),  # a description that does not say marks nothing random
            at_s=times[i] if i < len(times) else None,
            heard_word=str(c["heard_word"]) if c.get("heard_word") and c.get("heard_at") is not None else None,
            heard_at=float(c["heard_at"]) if c.get("heard_word") and c.get("heard_at") is not None else None,
        )
        for i, c in enumerate(classes)
    )
