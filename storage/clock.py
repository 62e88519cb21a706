"""The one clock: every time stored or compared is timezone-aware UTC from here."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """Now, in UTC, aware of its timezone (SQLite keeps it through models.UTCDateTime)."""
    return dt.datetime.now(dt.UTC)
