"""Liveness for containers: long-running commands touch a file; `ganterp health` checks its age.

A thread beats while the process's interpreter runs threads: a process that is gone, stopped or
wedged holding the interpreter stops beating, and the HEALTHCHECK marks the container unhealthy.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

BEAT_S = 15.0
MAX_AGE_S = 90.0  # six beats missed


class Heartbeat:
    """Touches `path` every `every_s` seconds from a daemon thread until stopped."""

    def __init__(self, path: Path, every_s: float = BEAT_S) -> None:
        self.path = path
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        """Beat once now, then keep beating."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.beat()
        self._thread.start()
        return self

    def beat(self) -> None:
        """Touch the file (written whole: a reader never sees it half made)."""
        partial = self.path.with_name(f".{self.path.name}.partial")
        partial.write_text(f"{os.getpid()} {time.time():.0f}\n")
        partial.replace(self.path)

    def stop(self) -> None:
        """Stop beating and remove the file: a stopped process is not alive."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self._every_s)
        self.path.unlink(missing_ok=True)

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                self.beat()
            except OSError as exc:  # a full or read-only disk: said once per failure, the process goes on
                log.warning("heartbeat file %s cannot be written: %s", self.path, exc.strerror)


def heartbeat_age_s(path: Path, now: float | None = None) -> float | None:
    """Seconds since the last beat in `path`; None when there is none."""
    try:
        return max(0.0, (time.time() if now is None else now) - path.stat().st_mtime)
    except OSError:
        return None
