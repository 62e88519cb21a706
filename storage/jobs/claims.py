"""A job's life in the job log: claimed, progressing, ended; taken back from a silent worker; cancelled.

Every write runs in its own short transaction; on SQLite those take the write lock up front
(storage.db), so a claim is one atomic "pick and mark running" and two workers never take the
same job. A worker's writes are fenced by its claim (`Claim`: who took the job, in which
attempt): once a job was taken back from a worker (its lease ran out while it was paused or cut
off), that worker's progress, heartbeat and end state change nothing, so a job cannot be
finished twice. Front ends write without a claim. A job moves only forward: a delivered job
never becomes rendered again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from storage.jobs.base import JobLogBase
from storage.jobs.errors import JobNotFound
from storage.jobs.order import next_in_order
from storage.models import Job, JobStatus

log = logging.getLogger(__name__)

# The states each change may start from.
_TO_RENDERED = (JobStatus.RUNNING,)
_TO_DELIVERED = (JobStatus.RENDERED,)
_TO_FAILED = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.RENDERED)
_TO_CANCELLED = (JobStatus.QUEUED, JobStatus.RUNNING)


@dataclass(frozen=True)
class Claim:
    """Which worker holds a running job, and in which attempt: what its writes are checked against."""

    worker_id: str
    attempt: int


NO_CLAIM = Claim("", -1)  # a job a worker never claimed (or already ended): none of its writes land


class Claims(JobLogBase):
    """Claiming, progress and every state change of a job."""

    def claim_next(self, worker_id: str) -> Job | None:
        """Mark the next job running for `worker_id` and return it; None when nothing waits."""
        with self._transaction() as session:
            job = next_in_order(session)
            if job is None:
                return None
            now = self.clock()
            job.status, job.worker_id, job.attempts = JobStatus.RUNNING.value, worker_id, job.attempts + 1
            job.started_at = job.heartbeat_at = now
            job.stage, job.progress, job.eta_s = "starting", 0.0, None
        log.debug("job %d running on %s (attempt %d)", job.id, worker_id, job.attempts)
        return job

    def report_progress(
        self, job_id: int, stage: str, progress: float, eta_s: float | None, claim: Claim | None = None
    ) -> bool:
        """Record progress and a heartbeat; returns True when the job should stop (cancelled, or no longer held)."""
        with self._transaction() as session:
            job = session.get(Job, job_id)
            if job is None or not _held(job, claim):
                return True
            job.stage, job.progress, job.eta_s, job.heartbeat_at = stage, progress, eta_s, self.clock()
            return job.cancel_requested

    def heartbeat(self, job_id: int, claim: Claim | None = None) -> None:
        """Say the worker of a running job is alive (nothing, once the job was taken back from it)."""
        with self._transaction() as session:
            job = session.get(Job, job_id)
            if job is not None and _held(job, claim):
                session.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=self.clock()))

    def mark_rendered(self, job_id: int, output: Path, size_bytes: int, seed: int, claim: Claim | None = None) -> bool:
        """The video exists; the front end still has to post it. False when the job was not this caller's to end."""
        return self._set_status(
            job_id,
            JobStatus.RENDERED,
            _TO_RENDERED,
            claim,
            rendered_at=self.clock(),
            output_path=str(output),
            output_bytes=size_bytes,
            seed=seed,
            progress=1.0,
            stage="rendered",
            eta_s=0.0,
        )

    def mark_delivered(self, job_id: int) -> bool:
        """The front end posted the video."""
        return self._set_status(job_id, JobStatus.DELIVERED, _TO_DELIVERED, None, delivered_at=self.clock())

    def mark_failed(self, job_id: int, user_error: str, operator_error: str, claim: Claim | None = None) -> bool:
        """The job cannot be done; `user_error` is what the requester is told."""
        return self._set_status(
            job_id,
            JobStatus.FAILED,
            _TO_FAILED,
            claim,
            failed_at=self.clock(),
            user_error=user_error,
            operator_error=operator_error,
        )

    def mark_cancelled(self, job_id: int, claim: Claim | None = None) -> bool:
        """A job stopped because it was cancelled."""
        return self._set_status(job_id, JobStatus.CANCELLED, _TO_CANCELLED, claim, cancelled_at=self.clock())

    def release(self, job_id: int, claim: Claim | None = None) -> bool:
        """Put a running job back in the queue as it was (the worker could not start it; no attempt counted)."""
        with self._transaction() as session:
            job = session.get(Job, job_id)
            if job is None or not _held(job, claim):
                return False
            job.status, job.worker_id, job.stage = JobStatus.QUEUED.value, None, "waiting for the renderer"
            job.attempts = max(0, job.attempts - 1)
            job.progress, job.eta_s = 0.0, None
        log.info("job %d back in the queue", job_id)
        return True

    def _set_status(
        self, job_id: int, status: JobStatus, allowed_from: Sequence[JobStatus], claim: Claim | None, **values: Any
    ) -> bool:
        """Move a job to `status` if it is in one of `allowed_from` (and still under `claim`, if given); else False."""
        with self._transaction() as session:
            job = session.get(Job, job_id)
            if job is None:
                raise JobNotFound(job_id)
            was = job.status
            if (claim is not None and not _held(job, claim)) or JobStatus(was) not in allowed_from:
                log.warning("job %d stays %s: it cannot become %s from here", job_id, was, status.value)
                return False
            job.status = status.value
            for name, value in values.items():
                setattr(job, name, value)
        log.info("job %d %s (was %s)", job_id, status.value, was)
        return True

    def recover_stale(self, lease_s: float, worker_is_dead: Callable[[str], bool] | None = None) -> list[int]:
        """Requeue running jobs whose worker crashed, or fail them after max attempts.

        A worker counts as crashed when its heartbeat is older than `lease_s`, or at once
        when `worker_is_dead` says so (a worker on this machine whose process is gone).
        """
        cutoff = self.clock() - dt.timedelta(seconds=lease_s)
        recovered: list[tuple[int, str | None, str]] = []
        with self._transaction() as session:
            running = session.scalars(select(Job).where(Job.status == JobStatus.RUNNING.value)).all()
            for job in running:
                silent = job.heartbeat_at is None or job.heartbeat_at < cutoff
                if not (silent or (worker_is_dead is not None and worker_is_dead(job.worker_id or ""))):
                    continue
                recovered.append((job.id, job.worker_id, _recovered(job, self.clock(), self.limits.max_attempts)))
        for job_id, worker_id, outcome in recovered:
            log.warning("job %d was interrupted (its worker %s went silent): %s", job_id, worker_id, outcome)
        return [job_id for job_id, _, _ in recovered]

    def cancel(self, job_id: int, requester_id: str | None = None) -> JobStatus:
        """Cancel a job: a queued one never starts, a running one stops within a batch."""
        with self._transaction() as session:
            job = session.get(Job, job_id)
            if job is None or (requester_id is not None and job.requester_id != requester_id):
                raise JobNotFound(job_id)
            if job.status == JobStatus.QUEUED.value:
                job.status, job.cancelled_at, job.cancel_requested = JobStatus.CANCELLED.value, self.clock(), True
            elif job.status == JobStatus.RUNNING.value:
                job.cancel_requested = True
            status = JobStatus(job.status)
        log.info("job %d: cancel asked (%s)", job_id, status.value)
        return status


def _held(job: Job, claim: Claim | None) -> bool:
    """Whether a job is running and, if a claim is given, still under it."""
    if job.status != JobStatus.RUNNING.value:
        return False
    return claim is None or (job.worker_id, job.attempts) == (claim.worker_id, claim.attempt)


def _recovered(job: Job, now: dt.datetime, max_attempts: int) -> str:
    """Take a running job back from its silent worker: cancelled, failed after max attempts, else queued again."""
    if job.cancel_requested:
        job.status, job.cancelled_at = JobStatus.CANCELLED.value, now
        return "cancelled, as asked"
    if job.attempts >= max_attempts:
        job.status, job.failed_at = JobStatus.FAILED.value, now
        job.user_error = f"the render stopped {job.attempts} times; please try a shorter clip."
        job.operator_error = f"worker {job.worker_id} stopped heartbeating {job.attempts} times"
        return f"failed after {job.attempts} attempts"
    job.status, job.worker_id, job.stage = JobStatus.QUEUED.value, None, "requeued"
    return "queued again"
