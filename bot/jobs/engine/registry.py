"""A remote worker's entry in SAQ's worker registry: SAQ's dashboard shows it, the dispatcher mirrors it."""

from __future__ import annotations

from typing import Any

from saq.queue.redis import RedisQueue

from bot.jobs.dispatch import EngineUnavailable
from bot.jobs.engine.saq_base import EventLoop, Reachability, now_ms, saq_worker_id
from storage.workers import SPEED_SMOOTHING, WorkerInfo


class EngineWorkerBoard:
    """bot.jobs.worker.WorkerBoard on SAQ's registry: the worker's details as metadata that lives `ttl_s`."""

    def __init__(self, loop: EventLoop, queue: RedisQueue, ttl_s: int, reachability: Reachability) -> None:
        self._loop, self._queue, self._ttl_s, self._reachability = loop, queue, ttl_s, reachability
        self._meta: dict[str, Any] = {}

    def started(self, info: WorkerInfo, seconds_per_frame: float | None) -> None:
        """Register this worker with the engine (the dispatcher counts it as a free slot)."""
        now = now_ms()
        self._meta = {
            "worker_id": info.worker_id,
            "host": info.host,
            "model": info.model,
            "device": info.device,
            "state": "idle",
            "job_id": None,
            "seconds_per_frame": seconds_per_frame,
            "jobs_done": 0,
            "started_ms": now,
            "beat_ms": now,
        }
        self._write()

    def beat(self, worker_id: str, state: str, job_id: int | None) -> None:
        """This worker is alive, idle or rendering `job_id`."""
        self._meta.update(state=state, job_id=job_id)
        self._write()

    def finished_job(self, worker_id: str, seconds_per_frame: float) -> None:
        """Fold one job's speed into this worker's running figure."""
        old = self._meta.get("seconds_per_frame")
        speed = seconds_per_frame if not old else old + SPEED_SMOOTHING * (seconds_per_frame - old)
        self._meta.update(seconds_per_frame=speed, jobs_done=int(self._meta.get("jobs_done", 0)) + 1)
        self._meta.update(state="idle", job_id=None)
        self._write()

    def stopped(self, worker_id: str) -> None:
        """This worker stops: the dispatcher stops counting it."""
        self._meta.update(state="stopped", job_id=None)
        self._write()

    def _write(self) -> None:
        if not self._meta:
            return
        self._meta["beat_ms"] = now_ms()
        saq_id = saq_worker_id(str(self._meta["worker_id"]))
        try:
            self._loop.run(self._queue.worker_info(saq_id, self._queue.name, dict(self._meta), ttl=self._ttl_s))
        except EngineUnavailable as exc:
            self._reachability.lost(exc)
