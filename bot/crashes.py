"""Crash reports of one-shot commands: the traceback in a file under the data folder, kept no longer
than the other files there (GANTERP_RETENTION_HOURS), rather than piling up in /tmp for ever."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
import traceback
from pathlib import Path

CRASH_FOLDER = "crashes"
PREFIX, SUFFIX = "crash-", ".log"


def save_crash_log(data_dir: Path, retention: dt.timedelta) -> Path:
    """Write the traceback being handled to a new file in the data folder's crash folder; returns its path.

    Reports older than `retention` go first, so a command that keeps crashing (with no bot running
    the housekeeping) still keeps the folder to what the retention promises.
    """
    folder = data_dir / CRASH_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    remove_old_crash_logs(data_dir, retention)
    # Created readable by its owner only: a traceback may show what a command was given.
    with tempfile.NamedTemporaryFile("w", dir=folder, prefix=PREFIX, suffix=SUFFIX, delete=False) as handle:
        traceback.print_exc(file=handle)
    return Path(handle.name)


def remove_old_crash_logs(data_dir: Path, retention: dt.timedelta, now: float | None = None) -> int:
    """Delete crash reports older than `retention`; returns how many."""
    folder = data_dir / CRASH_FOLDER
    cutoff = (time.time() if now is None else now) - retention.total_seconds()
    removed = 0
    for path in folder.glob(f"{PREFIX}*{SUFFIX}") if folder.is_dir() else ():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another process removed it first
            continue
    return removed
