"""The analysis done once per job: what `submit_file` prepared is kept for a worker of the same process.

Submitting decodes and analyses the clip (bad input is refused before it is queued). In `ganterp bot`
the embedded worker runs in the same process, so it takes that work from here instead of doing it
again. It is redone where it must be:
- a worker in another process (`ganterp worker`) or on another machine has only the clip: the engine's
  payload is untrusted input, so an analysis carried in it could not be believed;
- a --lyrics job is planned from the words heard, and only the worker listens;
- an entry gone from this bounded store (many jobs queued, a restart).
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from pathlib import Path

from pipeline.render import PreparedRender, RenderOptions

MAX_JOBS = 32  # jobs whose analysis is kept (oldest dropped first)
MAX_SAMPLE_BYTES = 256 * 2**20  # decoded audio kept in all; a longer queue's jobs are analysed again


class PreparedJobs:
    """Prepared renders by stored clip, bounded in count and bytes; safe across threads."""

    def __init__(self, max_jobs: int = MAX_JOBS, max_bytes: int = MAX_SAMPLE_BYTES) -> None:
        self._kept: OrderedDict[Path, PreparedRender] = OrderedDict()
        self._max_jobs, self._max_bytes = max_jobs, max_bytes
        self._lock = threading.Lock()
        self._taker = False  # whether a worker of this process takes from here: else nothing is kept

    def expect_a_taker(self) -> None:
        """An embedded worker runs in this process: keep what is prepared for it from now on."""
        self._taker = True

    def keep(self, stored: Path, prepared: PreparedRender) -> None:
        """Keep what was prepared from a clip, now stored at `stored` (the job log's own copy)."""
        if not self._taker or prepared.options.lyrics:  # nobody here takes it, or only the worker hears the words
            return
        # Named as the worker would name it: by its sender's name, else by the stored copy's.
        name = prepared.name if prepared.name != prepared.source.name else stored.name
        audio = dataclasses.replace(prepared.audio, source=stored)
        moved = dataclasses.replace(prepared, source=stored, audio=audio, name=name)
        with self._lock:
            self._kept[stored] = moved
            while len(self._kept) > self._max_jobs or self._bytes() > self._max_bytes:
                self._kept.popitem(last=False)

    def take(self, stored: Path, options: RenderOptions, name: str | None) -> PreparedRender | None:
        """The render prepared for this clip with exactly these options and name (once), or None."""
        with self._lock:
            prepared = self._kept.pop(stored, None)
        if prepared is None or prepared.options != options or prepared.name != (name or stored.name):
            return None
        return prepared

    def _bytes(self) -> int:
        return sum(prepared.audio.samples.nbytes for prepared in self._kept.values())


PREPARED = PreparedJobs()  # the process's own: submit_file keeps, an embedded worker (if any) takes
