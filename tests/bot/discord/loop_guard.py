"""A watch on the Discord event loop: every database or file call made from one of the bot's coroutines.

The bot's coroutines run on the event loop's thread; a database query or a file read there stalls
the gateway's heartbeat for every server at once. The guard hooks SQLAlchemy (each statement) and
the few os/io calls every file access goes through, and records a call when a coroutine of
bot.discord is on the calling stack: a call sent to a thread (asyncio.to_thread) has none there.
"""

from __future__ import annotations

import builtins
import inspect
import io
import os
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

WATCHED_OS_CALLS = ("stat", "open", "mkdir", "unlink", "replace", "rename", "scandir", "listdir")
# Formatting a traceback for a log line reads source files: logging's business, not a request's; and simcord
# is the fake Discord, whose work stands for Discord's servers (it reads the system's MIME types, say).
_NOT_A_REQUEST = ("logging", "linecache", "traceback", "simcord")
_PROJECT = ("bot", "pipeline", "storage", "tests")


def bot_coroutine_on_stack(frame: FrameType | None) -> str | None:
    """The bot.discord coroutine the current call is made from, if any (None from a thread).

    A call made by a test's own code (a fake attachment that samples the disk as it is read) is
    the test's business: the innermost frame of this project's code decides whose call it is.
    """
    innermost = True
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if module.split(".")[0] in _NOT_A_REQUEST:
            return None
        if module.split(".")[0] in _PROJECT:
            if innermost and module.startswith("tests."):
                return None
            innermost = False
        if module.startswith("bot.discord") and frame.f_code.co_flags & inspect.CO_COROUTINE:
            return f"{module}.{frame.f_code.co_qualname}"
        frame = frame.f_back
    return None


class LoopGuard:
    """Records each database or file call made on the event loop by a bot.discord coroutine."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Hook SQLAlchemy's statements and the file calls for the rest of the test."""
        event.listen(Engine, "before_cursor_execute", self._on_statement)
        monkeypatch.setattr(builtins, "open", self._watched("open", builtins.open))
        monkeypatch.setattr(io, "open", self._watched("open", io.open))
        for name in WATCHED_OS_CALLS:
            monkeypatch.setattr(os, name, self._watched(f"os.{name}", getattr(os, name)))

    def uninstall(self) -> None:
        """Stop watching statements (monkeypatch undoes the rest)."""
        event.remove(Engine, "before_cursor_execute", self._on_statement)

    def _on_statement(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self._check(f"SQL {statement.split()[0]}", sys._getframe(1))

    def _watched(self, what: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self._check(what, sys._getframe(1))
            return real(*args, **kwargs)

        return call

    def _check(self, what: str, frame: FrameType) -> None:
        coroutine = bot_coroutine_on_stack(frame)
        if coroutine is not None:
            self.calls.append(f"{what} from {coroutine}")
