"""The job log as one embedded worker writes to it (bot.jobs.worker.RenderQueue): its writes carry its claims.

Each worker has its own, so two workers (threads or processes) on one job log are never taken for
each other, and front ends, which write to the JobStore itself, are never refused because of a
worker's claim.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from storage.jobs.claims import NO_CLAIM, Claim
from storage.jobs.spec import JobSpec

if TYPE_CHECKING:
    from storage.jobs.store import JobStore


class ClaimedQueue:
    """A JobStore seen by one worker: it claims jobs, and only its own claims' writes land."""

    def __init__(self, store: JobStore, worker_id: str) -> None:
        self.store, self.worker_id = store, worker_id
        self.output_dir = store.output_dir
        self.workers = store.workers
        self._claims: dict[int, Claim] = {}

    def recover_stale(self, lease_s: float, worker_is_dead: Callable[[str], bool] | None = None) -> list[int]:
        """Take back the jobs of silent or dead workers (JobStore.recover_stale)."""
        return self.store.recover_stale(lease_s, worker_is_dead)

    def claim_next(self, worker_id: str) -> JobSpec | None:
        """The next job, taken under this worker's claim."""
        job = self.store.claim_next(worker_id)
        if job is None:
            return None
        self._claims[job.id] = Claim(worker_id, job.attempts)
        return JobSpec.of(job)

    def report_progress(self, job_id: int, stage: str, progress: float, eta_s: float | None) -> bool:
        """Progress under the claim; True when the render should stop (cancelled, or no longer this worker's)."""
        return self.store.report_progress(job_id, stage, progress, eta_s, self._claims.get(job_id, NO_CLAIM))

    def heartbeat(self, job_id: int) -> None:
        """A heartbeat under the claim (nothing once the job was taken back)."""
        self.store.heartbeat(job_id, self._claims.get(job_id, NO_CLAIM))

    def save_preview(self, job_id: int, png: bytes) -> Path:
        """Keep the job's first look beside its video (JobStore.save_preview)."""
        return self.store.save_preview(job_id, png)

    def mark_rendered(self, job_id: int, output: Path, size_bytes: int, seed: int) -> bool:
        """The video exists, if the job is still this worker's."""
        return self.store.mark_rendered(job_id, output, size_bytes, seed, self._ending(job_id))

    def mark_failed(self, job_id: int, user_error: str, operator_error: str) -> bool:
        """The job failed, if it is still this worker's."""
        return self.store.mark_failed(job_id, user_error, operator_error, self._ending(job_id))

    def mark_cancelled(self, job_id: int) -> bool:
        """The job stopped, cancelled, if it is still this worker's."""
        return self.store.mark_cancelled(job_id, self._ending(job_id))

    def release(self, job_id: int) -> bool:
        """The job goes back to the queue uncounted, if it is still this worker's."""
        return self.store.release(job_id, self._ending(job_id))

    def _ending(self, job_id: int) -> Claim:
        return self._claims.pop(job_id, NO_CLAIM)
