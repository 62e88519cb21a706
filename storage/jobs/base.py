"""What every part of the job log shares: its sessions, its clock, its folders and its limits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from storage.clock import utcnow
from storage.db import session_factory
from storage.lease import DispatcherLeases
from storage.workers import WorkerRegistry


@dataclass(frozen=True)
class QueueLimits:
    """Operator limits on the queue."""

    per_requester: int = 3
    total: int = 200
    cooldown_s: float = 0.0
    max_attempts: int = 3


class JobLogBase:
    """The job log on one database and data folder; each concern of it is a mixin on this base."""

    def __init__(
        self,
        engine: Engine,
        data_dir: Path,
        limits: QueueLimits | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        alive_within_s: float = 120.0,
    ) -> None:
        self._sessions = session_factory(engine)
        self.workers = WorkerRegistry(engine, clock)
        self.leases = DispatcherLeases(engine, clock)
        self.alive_within_s = alive_within_s  # a worker silent longer than this no longer counts
        self.data_dir = data_dir
        self.audio_dir = data_dir / "audio"
        self.output_dir = data_dir / "outputs"
        self.audio_dir.mkdir(parents=True, exist_ok=True)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self.limits = limits or QueueLimits()
        self.clock = clock

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session
