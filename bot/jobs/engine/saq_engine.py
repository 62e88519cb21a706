"""SAQ on Redis as ganterp's job engine, behind the two faces the rest of the code knows.

- `RemoteQueue` is `bot.jobs.worker.RenderQueue` for a worker on another machine: the same `Worker`
  loop claims, reports and finishes jobs through SAQ's queue (dequeue, update, finish, retry),
  the way SAQ's own worker does, and never opens the job log.
- `SaqEngine` is `bot.jobs.dispatch.JobEngine` for the dispatcher: it hands out jobs keyed by their id
  (SAQ refuses a second copy of a key it still carries), reads their state, aborts, sweeps.

Files travel through the same Redis under keys that expire (the clip to the worker, the MP4 and
its sidecar, the preview sheet back), or through an S3-compatible bucket (`bot.jobs.engine.files`).
Liveness is SAQ's: every job carries a heartbeat (the lease), a worker touches it at every progress
report and every 10 s, and `Queue.sweep` (run by idle workers and by the dispatcher, at most every
few seconds across all of them) puts a silent job back in the queue, or ends it once its attempts
are spent.

The remote worker's face is `bot.jobs.engine.remote_queue`, the plumbing `bot.jobs.engine.saq_base`, the
dashboard `bot.jobs.engine.dashboard`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from saq.job import Job as SaqJob
from saq.job import Status

from bot.jobs.dispatch import EngineJob, EngineWorker, FileTooLarge
from bot.jobs.engine.files import FileCarrier, RedisFiles
from bot.jobs.engine.payload import job_id_of
from bot.jobs.engine.saq_base import (
    FUNCTION,
    SWEEP_ABORT_WAIT_S,
    SWEEP_EVERY_S,
    disconnect,
    engine_job,
    epoch_time,
    open_queue,
    reconciled_key,
    redis_run_id,
    redis_set,
)
from storage.models import Job
from storage.workers import WorkerInfo

log = logging.getLogger(__name__)


class SaqEngine:
    """The job engine as the dispatcher sees it (bot.jobs.dispatch.JobEngine), on one SAQ queue in Redis."""

    def __init__(
        self,
        url: str,
        name: str = "ganterp",
        *,
        max_file_bytes: int = 100 * 2**20,
        file_ttl_s: int = 86_400,
        lease_s: float = 45.0,
        max_attempts: int = 3,
        files: FileCarrier | None = None,
    ) -> None:
        self._loop, self.queue = open_queue(url, name, "saq-dispatcher")
        self.max_file_bytes, self.file_ttl_s = max_file_bytes, file_ttl_s
        self.lease_s, self.max_attempts = lease_s, max_attempts
        self.files = files or RedisFiles(self._loop, self.queue, file_ttl_s)

    def key_for(self, job_id: int) -> str:
        """The engine job's key for a job of the log: one key per job, whatever the attempt."""
        return f"job-{job_id}"

    def hand_out(self, job: Job, clip: bytes) -> None:
        """Upload the clip and enqueue the job; nothing happens if the engine already carries it."""
        if len(clip) > self.max_file_bytes:
            raise FileTooLarge("clip", len(clip), self.max_file_bytes)
        carried = self.files.put_clip(job.id, clip)
        self._loop.run(self._hand_out(job, carried))

    async def _hand_out(self, job: Job, carried: dict[str, Any]) -> None:
        engine_job = SaqJob(
            function=FUNCTION,
            key=self.key_for(job.id),
            kwargs=_payload(job) | carried,
            timeout=0,  # no wall-clock limit: the heartbeat is what tells a dead worker from a long render
            heartbeat=max(1, round(self.lease_s)),
            retries=self.max_attempts,
            ttl=self.file_ttl_s,  # an ended job (and its result) waits this long for the dispatcher
            attempts=job.attempts,  # attempts made before (a job the engine lost keeps its count)
        )
        await self.queue.enqueue(engine_job)

    def jobs(self, keys: Sequence[str]) -> list[EngineJob | None]:
        """The engine's view of these jobs (None: it does not know the key)."""
        if not keys:
            return []
        return [engine_job(job) for job in self._loop.run(self.queue.jobs(keys))]

    def abort(self, key: str) -> None:
        """Cancel a job: a queued one ends at once, a running one when its worker next reports."""
        self._loop.run(self._abort(key))

    async def _abort(self, key: str) -> None:
        job = await self.queue.job(key)
        if job is not None and job.status in (Status.QUEUED, Status.ACTIVE):
            await self.queue.abort(job, "cancelled")

    def output(self, job_id: int) -> bytes | None:
        """The rendered MP4 a worker sent back (None: none, or it expired)."""
        return self.files.output(job_id)

    def take_preview(self, job_id: int) -> bytes | None:
        """The preview sheet a worker sent, once (None when there is none new)."""
        return self.files.take_preview(job_id)

    def forget(self, job_id: int) -> None:
        """Drop an ended job from the engine, and its files, once the job log has its end."""
        self.files.forget(job_id)
        self._loop.run(self._forget(job_id))

    async def _forget(self, job_id: int) -> None:
        engine_id = self.queue.job_id(self.key_for(job_id))
        async with self.queue.redis.pipeline(transaction=True) as pipe:
            pipe.delete(engine_id)
            pipe.lrem(self.queue.namespace("active"), 0, engine_id)
            pipe.lrem(self.queue.namespace("queued"), 0, engine_id)
            pipe.zrem(self.queue.namespace("incomplete"), engine_id)
            await pipe.execute()

    def generation(self) -> str:
        """Which run of Redis this is (its run_id): any restart, from an older snapshot or from none, changes it."""
        return self._loop.run(redis_run_id(self.queue.redis))

    def carried_ids(self) -> set[int]:
        """The job log ids of every engine job and job file Redis holds for this queue, whatever their state."""
        return self._loop.run(self._carried_ids())

    async def _carried_ids(self) -> set[int]:
        ids: set[int] = set()
        job_prefix = self.queue.job_id("")
        async for key in self.queue.redis.scan_iter(match=f"{job_prefix}job-*", count=1000):
            job_id = job_id_of(key.decode().removeprefix(job_prefix))
            ids.update([job_id] if job_id is not None else [])
        file_prefix = self.queue.namespace("ganterp:")
        async for key in self.queue.redis.scan_iter(match=f"{file_prefix}*", count=1000):
            number = key.decode().rsplit(":", 1)[-1]
            ids.update([int(number)] if number.isdigit() else [])
        return ids

    def mark_reconciled(self, generation: str) -> None:
        """Tell the workers the engine matches the job log in this run of Redis: they may take jobs again."""
        self._loop.run(redis_set(self.queue.redis, reconciled_key(self.queue), generation.encode(), ttl_s=None))

    def workers(self) -> list[EngineWorker]:
        """The remote workers that beat within their time to live."""
        info = self._loop.run(self.queue.info())
        workers = []
        for entry in info["workers"].values():
            meta = entry.get("metadata") or {}
            try:
                workers.append(_engine_worker(meta))
            except (KeyError, TypeError, ValueError):
                log.warning("a worker registered with unreadable details: %r", meta)
        return workers

    def sweep(self) -> list[str]:
        """Requeue (or end, after the last attempt) jobs whose worker stopped heartbeating."""
        return self._loop.run(self.queue.sweep(lock=SWEEP_EVERY_S, abort=SWEEP_ABORT_WAIT_S))

    def counts(self) -> dict[str, int]:
        """Jobs waiting in the engine and jobs being rendered."""
        info = self._loop.run(self.queue.info())
        return {"queued": info["queued"], "active": info["active"], "workers": len(info["workers"])}

    def close(self) -> None:
        """Disconnect from Redis (and the bucket)."""
        try:
            self.files.close()
        finally:
            disconnect(self._loop, self.queue)


def _payload(job: Job) -> dict[str, Any]:
    """What a remote worker needs to render a job (checked there: bot.jobs.engine.payload); caps are each side's own."""
    return {
        "job_id": job.id,
        "platform": job.platform,
        "requester_id": job.requester_id,
        "requester_name": job.requester_name,
        "source_name": job.source_name,
        "n_frames": job.n_frames,
        "options": job.options,
        "classes": list(job.classes),
        "seed": job.seed,
    }


def _engine_worker(meta: dict[str, Any]) -> EngineWorker:
    started = epoch_time(int(meta["started_ms"])) or dt.datetime.now(dt.UTC)
    beat = epoch_time(int(meta["beat_ms"])) or started
    job_id = meta.get("job_id")
    speed = meta.get("seconds_per_frame")
    return EngineWorker(
        info=WorkerInfo(str(meta["worker_id"]), str(meta["host"]), str(meta["model"]), str(meta["device"])),
        state=str(meta["state"]),
        job_id=int(job_id) if job_id is not None else None,
        seconds_per_frame=float(speed) if speed else None,
        jobs_done=int(meta.get("jobs_done", 0)),
        started_at=started,
        heartbeat_at=beat,
    )
