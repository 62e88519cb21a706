"""Logging for the `ganterp` commands: one handler on stderr, timestamps, and no secret ever printed.

Libraries log what they see: oauthlib's debug lines carry the access token, a failed
database connection may echo its URL. Every line, tracebacks included, passes through
a formatter that replaces each secret of the configuration with "***", and the signature
of any presigned URL (a bucket's files in scale-out mode: SAQ, botocore and urllib3 log them
at DEBUG), which is a key to that object until it expires.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.settings import Settings

LONG_RUNNING_LEVEL = "INFO"  # the bot, the worker and the dispatcher log one line per state change
DEFAULT_LEVEL = "WARNING"  # one-shot commands print their own results
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that narrate their routine at INFO (alembic lists its plugins at every start).
# The signing part of a presigned URL (AWS signature v4 and v2, and their lower-case echoes).
_URL_SIGNATURE = re.compile(r"((?:X-Amz-)?Signature=)[^&\s'\"]+", re.IGNORECASE)
QUIET_LIBRARIES = ("alembic", "apscheduler", "urllib3", "tweepy", "oauthlib", "requests_oauthlib")


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then hides every secret value in the whole text."""

    def __init__(self, secrets: Sequence[str], fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        self._secrets = tuple(sorted(secrets, key=len, reverse=True))  # longest first: no half-hidden secrets

    def format(self, record: logging.LogRecord) -> str:
        """The record as text, with secrets replaced."""
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        """`text` with every secret replaced by ***."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _URL_SIGNATURE.sub(r"\1***", text)


def configure_logging(settings: Settings, default_level: str = DEFAULT_LEVEL) -> None:
    """Send every log line to stderr at the configured level (or the command's default), secrets hidden.

    Idempotent: a second call replaces the handler of the first. It stays until the process ends
    (the program's last lines are redacted too); in-process callers use configured_logging.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "ganterp", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(settings.secret_values()))
    handler.ganterp = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    level = settings.log_level or default_level
    root.setLevel(level)
    for name in QUIET_LIBRARIES:  # their warnings still show; their chatter only when asked for (DEBUG)
        logging.getLogger(name).setLevel(level if level == "DEBUG" else "WARNING")


@dataclass(frozen=True)
class LoggingState:
    """The root logger's handlers and level and the quietened libraries' levels: what configure_logging changes."""

    handlers: tuple[logging.Handler, ...]
    level: int
    library_levels: tuple[tuple[str, int], ...]

    @classmethod
    def capture(cls) -> LoggingState:
        """The state now."""
        root = logging.getLogger()
        levels = tuple((name, logging.getLogger(name).level) for name in QUIET_LIBRARIES)
        return cls(tuple(root.handlers), root.level, levels)

    def restore(self) -> None:
        """Put the state back: a handler configure_logging added since is removed and closed, one it replaced
        is back (handlers others added meanwhile are theirs to remove)."""
        root = logging.getLogger()
        for handler in list(root.handlers):
            if getattr(handler, "ganterp", False) and handler not in self.handlers:
                root.removeHandler(handler)
                handler.close()
        for handler in self.handlers:
            if handler not in root.handlers:
                root.addHandler(handler)
        root.setLevel(self.level)
        for name, level in self.library_levels:
            logging.getLogger(name).setLevel(level)


@contextlib.contextmanager
def configured_logging(settings: Settings, default_level: str = DEFAULT_LEVEL) -> Iterator[None]:
    """configure_logging for the length of a block, and the logging as it was afterwards (in-process callers)."""
    before = LoggingState.capture()
    configure_logging(settings, default_level)
    try:
        yield
    finally:
        before.restore()
