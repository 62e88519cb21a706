"""The render workers as the job log sees them: who runs where, how fast, doing what.

Each worker registers when it starts, beats while it lives and says when it stops; its
measured speed (seconds per frame of its own generator) is what queue wait estimates
are made of, and what `ganterp workers` shows operators.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from storage.clock import utcnow
from storage.db import session_factory
from storage.models import WorkerRecord

SPEED_SMOOTHING = 0.3  # weight of the newest job in a worker's running speed estimate


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker says about itself when it starts."""

    worker_id: str
    host: str
    model: str
    device: str


class WorkerRegistry:
    """The `workers` table: registration, beats, speed, and who counts as alive."""

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._sessions = session_factory(engine)
        self.clock = clock

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def started(self, info: WorkerInfo, seconds_per_frame: float | None) -> None:
        """Register (or re-register) a worker that is ready to render."""
        now = self.clock()
        with self._transaction() as session:
            row = session.get(WorkerRecord, info.worker_id) or WorkerRecord(worker_id=info.worker_id, jobs_done=0)
            row.host, row.model, row.device = info.host, info.model, info.device
            row.state, row.current_job_id, row.seconds_per_frame = "idle", None, seconds_per_frame
            row.started_at = row.heartbeat_at = now
            session.add(row)

    def beat(self, worker_id: str, state: str, job_id: int | None) -> None:
        """The worker is alive and doing `state` (idle, rendering) on `job_id`."""
        with self._transaction() as session:
            row = session.get(WorkerRecord, worker_id)
            if row is not None:
                row.state, row.current_job_id, row.heartbeat_at = state, job_id, self.clock()

    def finished_job(self, worker_id: str, seconds_per_frame: float) -> None:
        """Fold one job's measured speed into the worker's running estimate."""
        with self._transaction() as session:
            row = session.get(WorkerRecord, worker_id)
            if row is None:
                return
            old = row.seconds_per_frame
            row.seconds_per_frame = (
                seconds_per_frame if old is None else old + SPEED_SMOOTHING * (seconds_per_frame - old)
            )
            row.jobs_done += 1
            row.state, row.current_job_id, row.heartbeat_at = "idle", None, self.clock()

    def stopped(self, worker_id: str) -> None:
        """The worker stopped cleanly."""
        with self._transaction() as session:
            row = session.get(WorkerRecord, worker_id)
            if row is not None:
                row.state, row.current_job_id, row.heartbeat_at = "stopped", None, self.clock()

    def mirror(
        self,
        info: WorkerInfo,
        *,
        state: str,
        job_id: int | None,
        seconds_per_frame: float | None,
        jobs_done: int,
        started_at: dt.datetime,
        heartbeat_at: dt.datetime,
    ) -> None:
        """Record a worker as another registry (the job engine's) reports it, for `ganterp workers` and estimates."""
        with self._transaction() as session:
            row = session.get(WorkerRecord, info.worker_id) or WorkerRecord(worker_id=info.worker_id)
            row.host, row.model, row.device = info.host, info.model, info.device
            row.state, row.current_job_id, row.seconds_per_frame = state, job_id, seconds_per_frame
            row.jobs_done, row.started_at, row.heartbeat_at = jobs_done, started_at, heartbeat_at
            session.add(row)

    def all(self) -> list[WorkerRecord]:
        """Every worker ever registered, the most recently alive first."""
        with self._sessions() as session:
            return list(session.scalars(select(WorkerRecord).order_by(WorkerRecord.heartbeat_at.desc())).all())

    def alive(self, within_s: float) -> list[WorkerRecord]:
        """Workers that beat within `within_s` seconds and did not say they stopped."""
        cutoff = self.clock() - dt.timedelta(seconds=within_s)
        return [w for w in self.all() if w.state != "stopped" and w.heartbeat_at >= cutoff]


def fleet_speed(workers: list[WorkerRecord]) -> float | None:
    """The typical seconds per frame of these workers (None when none has measured itself)."""
    speeds = [w.seconds_per_frame for w in workers if w.seconds_per_frame]
    return statistics.median(speeds) if speeds else None
