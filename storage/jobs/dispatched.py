"""The dispatcher's side of the job log (scale-out): jobs handed to the job engine and mirrored back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from storage.jobs.base import JobLogBase
from storage.jobs.order import next_in_order
from storage.models import Job, JobStatus

log = logging.getLogger(__name__)


class Dispatched(JobLogBase):
    """Jobs the engine carries: taken out in fair order, followed, put back."""

    def claim_for_engine(self, engine_key: Callable[[int], str]) -> Job | None:
        """Take the next job in fair order out of the queue for the job engine; None when nothing waits.

        The job counts as running from here (limits and round robin treat it as started), and
        `engine_key(job_id)` names the engine's job, so a second hand-over of the same job is the
        same engine job and cannot render it twice. The attempt is counted when a worker takes it.
        """
        with self._transaction() as session:
            job = next_in_order(session)
            if job is None:
                return None
            now = self.clock()
            job.status, job.worker_id, job.engine_key = JobStatus.RUNNING.value, None, engine_key(job.id)
            job.dispatched_at = job.started_at = job.heartbeat_at = now
            job.stage, job.progress, job.eta_s = "waiting for a renderer", 0.0, None
        log.debug("job %d handed to the engine as %s", job.id, job.engine_key)
        return job

    def in_engine(self) -> list[Job]:
        """Running jobs the job engine carries (queued there or rendering), oldest first."""
        query = select(Job).where(Job.status == JobStatus.RUNNING.value, Job.engine_key.is_not(None))
        with self._sessions() as session:
            return list(session.scalars(query.order_by(Job.id)).all())

    def requeue_from_engine(self, job_id: int, attempts: int) -> bool:
        """Put a job the engine carried back in the queue (its video could not be kept), its attempts counted.

        It leaves the engine's count (`in_engine`), so its worker slot goes to the next job in fair order.
        """
        with self._transaction() as session:
            job = session.get(Job, job_id)
            if job is None or job.status != JobStatus.RUNNING.value or job.engine_key is None:
                return False
            job.status, job.engine_key, job.worker_id, job.stage = JobStatus.QUEUED.value, None, None, "requeued"
            job.attempts, job.progress, job.eta_s = attempts, 0.0, None
        log.info("job %d back in the queue", job_id)
        return True

    def mirror_engine(self, job_id: int, **values: Any) -> bool:
        """Copy what the engine says of a running job (worker, attempt, stage, progress, eta, start) and beat.

        Returns False when the job is no longer running here (finished or cancelled meanwhile).
        """
        with self._transaction() as session:
            job = session.get(Job, job_id)
            if job is None or job.status != JobStatus.RUNNING.value:
                return False
            for name, value in values.items():
                setattr(job, name, value)
            job.heartbeat_at = self.clock()
            return True
