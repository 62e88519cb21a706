"""Housekeeping for a long-running process that owns the job log: old clips and videos go, on a timer.

`GANTERP_RETENTION_HOURS` promises that files do not stay for ever; a bot that runs for weeks
must keep that promise while it runs, not only when it starts.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from bot.crashes import remove_old_crash_logs
from storage.jobs import JobStore

log = logging.getLogger(__name__)

EVERY_S = 3600.0


def keep_tidy(store: JobStore, retention: dt.timedelta, stop: threading.Event, every_s: float = EVERY_S) -> None:
    """Clean up now, then every `every_s` seconds until `stop` is set; a failed round waits for the next."""
    while True:
        try:
            jobs, strays = store.cleanup(retention), store.remove_strays(retention)
            crashes = remove_old_crash_logs(store.data_dir, retention)
            if jobs or strays or crashes:
                log.info(
                    "housekeeping: removed the files of %d old jobs, %d stray files and %d crash reports",
                    jobs,
                    strays,
                    crashes,
                )
        except Exception as exc:  # a full disk or a locked database: the next round tries again
            log.warning("housekeeping failed (%s); trying again in %.0f s", exc, every_s)
        if stop.wait(every_s):
            return


def start_housekeeping(
    store: JobStore, retention: dt.timedelta, stop: threading.Event, every_s: float = EVERY_S
) -> threading.Thread:
    """Run `keep_tidy` on a daemon thread that ends with `stop`."""
    arguments = (store, retention, stop, every_s)
    thread = threading.Thread(target=keep_tidy, args=arguments, name="housekeeping", daemon=True)
    thread.start()
    return thread
