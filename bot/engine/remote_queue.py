"""The remote worker's face of the engine: `bot.worker.RenderQueue` over SAQ's queue, never the job log."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from saq.job import Job as SaqJob
from saq.job import Status

from bot.dispatch import EngineUnavailable, FileTooLarge, as_sentence
from bot.engine.files import BucketRefused, http_get, http_put, urls_in
from bot.engine.saq_base import (
    CALL_TIMEOUT_S,
    DEQUEUE_WAIT_S,
    REMOTE,
    SWEEP_ABORT_WAIT_S,
    SWEEP_EVERY_S,
    disconnect,
    file_key,
    now_ms,
    open_queue,
    redis_get,
    redis_set,
    saq_worker_id,
)
from bot.worker import MACHINE_FAULT_MESSAGE
from storage.models import Job, JobStatus
from storage.workers import SPEED_SMOOTHING, WorkerInfo

log = logging.getLogger(__name__)


SCRATCH_PREFIX = "ganterp-worker-"  # then the worker's process id: its scratch folder is ours to remove once it died


def remove_scratch_of_dead_workers(folder: Path | None = None) -> None:
    """Remove the scratch folders that workers killed on this machine (kill -9, out of memory) left behind."""
    for scratch in Path(folder or tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-*"):
        pid = scratch.name.removeprefix(SCRATCH_PREFIX).split("-", 1)[0]
        if pid.isdigit() and scratch.is_dir() and not _process_exists(int(pid)):
            shutil.rmtree(scratch, ignore_errors=True)
            log.info("removed the scratch folder of stopped worker process %s", pid)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


@dataclass
class _Taken:
    """A job this worker took from the engine: SAQ's copy, ours, and where its clip lies."""

    engine: SaqJob
    job: Job
    clip: Path
    max_file_bytes: int
    file_ttl_s: int
    claimed: float  # time.monotonic() when taken
    urls: dict[str, str] | None  # presigned URLs when the job's files travel through a bucket, else Redis keys


class RemoteQueue:
    """The render queue of a worker on another machine (bot.worker.RenderQueue), through the job engine.

    It needs only the engine's URL: no job log, no data folder, no bot token. Clips and videos live
    in a scratch folder of its own while a job runs.
    """

    def __init__(self, url: str, name: str = "ganterp", *, lease_s: float = 45.0) -> None:
        self._loop, self.queue = open_queue(url, name, "saq-worker")
        remove_scratch_of_dead_workers()
        self.output_dir = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
        self.worker_ttl_s = max(30, round(lease_s))
        self._taken: dict[int, _Taken] = {}
        self._ended: dict[int, Job] = {}  # the last job handed back, for the worker's get() after it ends
        self._ending: dict[int, _Taken] = {}  # jobs whose video is being uploaded: still heartbeated
        self._meta: dict[str, Any] = {}
        self._unreachable_since: float | None = None

    # --- taking a job

    def for_worker(self, worker_id: str) -> RemoteQueue:
        """Itself: a remote queue serves one worker, and the engine checks each end against its claim."""
        return self

    def recover_stale(self, lease_s: float, worker_is_dead: Callable[[str], bool] | None = None) -> list[int]:
        """Let the engine's sweep requeue jobs whose worker went silent (any worker can run it)."""
        try:
            swept = self._loop.run(self.queue.sweep(lock=SWEEP_EVERY_S, abort=SWEEP_ABORT_WAIT_S))
        except EngineUnavailable as exc:
            self._unreachable(exc)
            return []
        ids = [int(job_id.rsplit("-", 1)[1]) for job_id in swept if job_id.rsplit("-", 1)[-1].isdigit()]
        for job_id in ids:
            log.warning("job %d was interrupted (its worker stopped heartbeating); back in the engine's queue", job_id)
        return ids

    def claim_next(self, worker_id: str) -> Job | None:
        """Wait up to a second for the engine's next job and take it: ACTIVE, attempt counted, clip fetched."""
        try:
            engine = self._loop.run(self._claim(worker_id), timeout=DEQUEUE_WAIT_S + CALL_TIMEOUT_S)
            taken = self._with_clip(engine) if engine is not None else None
        except EngineUnavailable as exc:
            self._unreachable(exc)
            time.sleep(DEQUEUE_WAIT_S)  # the loop would spin otherwise: it waits in Redis when Redis is there
            return None
        self._reachable()
        if taken is None:
            return None
        self._ended.clear()
        self._taken[taken.job.id] = taken
        return taken.job

    async def _claim(self, worker_id: str) -> SaqJob | None:
        engine = await self.queue.dequeue(timeout=DEQUEUE_WAIT_S)
        if engine is None:
            return None
        engine.started, engine.worker_id = now_ms(), worker_id
        engine.attempts += 1
        engine.meta = {"stage": "starting"}
        await self.queue.update(engine, status=Status.ACTIVE)
        return engine

    def _with_clip(self, engine: SaqJob) -> _Taken | None:
        """Fetch a claimed job's clip (from Redis, or its presigned URL); a clip that is gone fails the job."""
        payload = engine.kwargs or {}
        job_id, urls = int(payload["job_id"]), urls_in(payload)
        max_bytes = int(payload.get("max_file_bytes", 100 * 2**20))
        problem = "the clip expired in Redis before a worker took the job"
        try:
            if urls is None:
                clip = self._loop.run(redis_get(self.queue.redis, file_key(self.queue, "clip", job_id)))
            else:  # over plain HTTP, outside the event loop: heartbeats and progress need not wait for it
                clip = http_get(urls["clip"], max_bytes, "clip")
        except (BucketRefused, FileTooLarge) as exc:
            clip, problem = None, str(exc).removesuffix(".")
        except EngineUnavailable as exc:
            # The bucket is away from here: the job goes back for a worker that reaches it, the attempt
            # counted, so a bucket no worker can reach fails the job in the end instead of looping for ever.
            if engine.attempts < max(1, engine.retries or 1):
                self._loop.run(self.queue.retry(self.queue.copy(engine), "its clip could not be fetched"))
                raise
            clip, problem = None, f"no render machine could fetch the clip from the bucket ({exc.reason})"
        if clip is None:  # it waited longer than GANTERP_QUEUE_FILE_TTL_S, or Redis lost it
            log.error("job %d failed: %s", job_id, problem)
            result = {"user_error": MACHINE_FAULT_MESSAGE.format(job_id=job_id), "operator_error": problem}
            self._loop.run(self.queue.finish(engine, Status.FAILED, result=result, error=problem))
            return None
        path = self.output_dir / f"job-{job_id}.clip"
        path.write_bytes(clip)
        job = Job(
            id=job_id, platform=REMOTE, requester_id=payload["requester_id"],
            requester_name=payload.get("requester_name") or "", source_kind="file", source_ref="",
            source_name=payload.get("source_name"), n_frames=payload.get("n_frames"), audio_path=str(path),
            classes=list(payload.get("classes") or []), options=dict(payload.get("options") or {}),
            seed=int(payload["seed"]), status=JobStatus.RUNNING.value, attempts=engine.attempts, progress=0.0,
            cancel_requested=False, created_at=dt.datetime.now(dt.UTC),
        )  # fmt: skip
        ttl = int(payload.get("file_ttl_s", 86_400))
        return _Taken(engine, job, path, max_bytes, ttl, time.monotonic(), urls)

    def _ours(self, stored: SaqJob | None, taken: _Taken) -> bool:
        """Whether the engine still has this job as ours: swept, retried from the dashboard or lost, it is not."""
        return (
            stored is not None
            and stored.status in (Status.ACTIVE, Status.ABORTING)
            and stored.worker_id == taken.engine.worker_id
            and stored.attempts == taken.engine.attempts
        )

    # --- while it renders

    def report_progress(self, job_id: int, stage: str, progress: float, eta_s: float | None) -> bool:
        """Record progress (and a heartbeat); True when the render should stop: cancelled, or no longer ours."""
        taken = self._taken.get(job_id)
        if taken is None:
            return True
        try:
            return self._loop.run(self._progress(taken, {"stage": stage, "eta_s": eta_s}, progress))
        except EngineUnavailable as exc:  # keep rendering: the result waits for Redis, the sweep for a dead us
            self._unreachable(exc)
            return False

    async def _progress(self, taken: _Taken, meta: dict[str, Any], progress: float | None) -> bool:
        stored = await self.queue.job(taken.engine.key)
        if not self._ours(stored, taken):
            return True
        assert stored is not None
        if stored.status == Status.ABORTING:
            return True
        if progress is None:
            await self.queue.update(taken.engine)
        else:
            await self.queue.update(taken.engine, progress=progress, meta=meta)
        return False

    def heartbeat(self, job_id: int) -> None:
        """Touch the engine's job, so its sweep knows this worker is alive (also while its end is being sent)."""
        taken = self._taken.get(job_id) or self._ending.get(job_id)
        if taken is not None:
            self._loop.run(self._progress(taken, {}, None))

    def save_preview(self, job_id: int, png: bytes) -> Path:
        """Send the preview sheet back through the engine (the dispatcher saves it); keep a local copy."""
        path = self.output_dir / f"job-{job_id}.preview.png"
        path.write_bytes(png)
        taken = self._taken.get(job_id)
        ttl = taken.file_ttl_s if taken else 86_400
        try:
            if taken is not None and taken.urls is not None:
                http_put(taken.urls["preview"], png, "preview")
            else:
                self._loop.run(redis_set(self.queue.redis, file_key(self.queue, "preview", job_id), png, ttl))
        except EngineUnavailable as exc:  # a missing first look must not cost the video
            self._unreachable(exc)
        except BucketRefused as exc:
            log.warning("job %d: %s", job_id, exc)
        return path

    # --- ending it

    def mark_rendered(self, job_id: int, output: Path, size_bytes: int, seed: int) -> bool:
        """Send the MP4 (and its sidecar) back through the engine and end the job there as complete."""
        taken = self._take(job_id)
        if taken is None:
            return False
        try:
            if size_bytes > taken.max_file_bytes:
                too_large = FileTooLarge("video", size_bytes, taken.max_file_bytes)
                problem = {"user_error": too_large.user_message(), "operator_error": f"{too_large} (job {job_id})"}
                return self._end(taken, Status.FAILED, problem, problem["operator_error"])
            sidecar = output.with_suffix(".json")
            result: dict[str, Any] = {
                "seed": seed,
                "size_bytes": size_bytes,
                "render_s": round(time.monotonic() - taken.claimed, 3),
                "sidecar": sidecar.read_text() if sidecar.is_file() else None,
            }
            return self._end(taken, Status.COMPLETE, result, None, video=output.read_bytes())
        finally:
            output.unlink(missing_ok=True)
            output.with_suffix(".json").unlink(missing_ok=True)

    def mark_failed(self, job_id: int, user_error: str, operator_error: str) -> bool:
        """End the job in the engine as failed, with what its requester and the operator are told."""
        taken = self._take(job_id)
        if taken is None:
            return False
        result = {"user_error": user_error, "operator_error": operator_error}
        return self._end(taken, Status.FAILED, result, operator_error)

    def mark_cancelled(self, job_id: int) -> bool:
        """End a cancelled job in the engine as aborted."""
        taken = self._take(job_id)
        return taken is not None and self._end(taken, Status.ABORTED, None, "cancelled")

    def release(self, job_id: int) -> bool:
        """Put the job back in the engine's queue uncounted (this worker is stopping)."""
        taken = self._take(job_id)
        return taken is not None and self._retrying(job_id, lambda: self._loop.run(self._release(taken)))

    async def _release(self, taken: _Taken) -> bool:
        stored = await self.queue.job(taken.engine.key)
        if not self._ours(stored, taken):
            return False
        back = self.queue.copy(taken.engine)
        back.attempts -= 1  # the attempt did not happen, as far as the job is concerned
        await self.queue.retry(back, "released: its worker stopped")
        return True

    def mark_delivered(self, job_id: int) -> bool:
        """Nothing to do here: the dispatcher hands the video to its front end."""
        return True

    def get(self, job_id: int) -> Job:
        """The job as this worker knows it; its platform reads 'remote', since delivery is not this machine's."""
        taken = self._taken.get(job_id)
        job = taken.job if taken else self._ended.get(job_id)
        if job is None:
            raise KeyError(job_id)
        return job

    def _take(self, job_id: int) -> _Taken | None:
        """Stop holding a job that ends here: its clip and local preview go with it."""
        taken = self._taken.pop(job_id, None)
        if taken is not None:
            self._ended[job_id] = taken.job
            taken.clip.unlink(missing_ok=True)
            (self.output_dir / f"job-{job_id}.preview.png").unlink(missing_ok=True)
        return taken

    def _end(
        self, taken: _Taken, status: Status, result: dict[str, Any] | None, error: str | None, video: bytes = b""
    ) -> bool:
        return self._retrying(taken.job.id, lambda: self._send_and_finish(taken, status, result, error, video))

    def _send_and_finish(
        self, taken: _Taken, status: Status, result: dict[str, Any] | None, error: str | None, video: bytes
    ) -> bool:
        """End the job in the engine; through a bucket, the video goes up to its presigned URL first."""
        if not video or taken.urls is None:
            return self._loop.run(self._finish(taken, status, result, error, video))
        if not self._loop.run(self._still_ours(taken)):
            return False
        # Uploading a large video can outlast the lease: the heartbeat goes on while it does (the end
        # itself, below, is one short call to the engine, with no heartbeat beside it).
        self._ending[taken.job.id] = taken
        try:
            http_put(taken.urls["output"], video, "video")
        except BucketRefused as exc:  # an expired URL, or a bucket that refuses the size: the render is lost
            refused: BucketRefused | None = exc
        else:
            refused = None
        finally:
            self._ending.pop(taken.job.id, None)
        if refused is not None:
            log.error("job %d failed: %s", taken.job.id, refused)
            problem = {"user_error": MACHINE_FAULT_MESSAGE.format(job_id=taken.job.id), "operator_error": str(refused)}
            return self._loop.run(self._finish(taken, Status.FAILED, problem, str(refused), b""))
        return self._loop.run(self._finish(taken, status, result, error, b""))

    async def _still_ours(self, taken: _Taken) -> bool:
        return self._ours(await self.queue.job(taken.engine.key), taken)

    async def _finish(
        self, taken: _Taken, status: Status, result: dict[str, Any] | None, error: str | None, video: bytes
    ) -> bool:
        stored = await self.queue.job(taken.engine.key)
        if not self._ours(stored, taken):
            return False
        if video:
            key = file_key(self.queue, "output", taken.job.id)
            await redis_set(self.queue.redis, key, video, taken.file_ttl_s)
        await self.queue.finish(taken.engine, status, result=result, error=error)
        return True

    def _retrying(self, job_id: int, call: Callable[[], bool]) -> bool:
        """Run an end-of-job call, waiting out a Redis or bucket outage (up to the lease); False if it did not land."""
        deadline = time.monotonic() + self.worker_ttl_s
        while True:
            try:
                landed = call()
                self._reachable()
                return landed
            except EngineUnavailable as exc:
                self._unreachable(exc)
                if time.monotonic() > deadline:
                    log.error("job %d: the engine stayed unreachable; the sweep will give the job to a worker", job_id)
                    return False
                time.sleep(1.0)

    # --- the worker registry (SAQ's: its dashboard shows it, the dispatcher mirrors it into the job log)

    def worker_started(self, info: WorkerInfo, seconds_per_frame: float | None) -> None:
        """Register this worker with the engine (the dispatcher counts it as a free slot)."""
        now = now_ms()
        self._meta = {
            "worker_id": info.worker_id, "host": info.host, "model": info.model, "device": info.device,
            "state": "idle", "job_id": None, "seconds_per_frame": seconds_per_frame, "jobs_done": 0,
            "started_ms": now, "beat_ms": now,
        }  # fmt: skip
        self._write_worker()

    def worker_beat(self, worker_id: str, state: str, job_id: int | None) -> None:
        """This worker is alive, idle or rendering `job_id`."""
        self._meta.update(state=state, job_id=job_id)
        self._write_worker()

    def worker_finished_job(self, worker_id: str, seconds_per_frame: float) -> None:
        """Fold one job's speed into this worker's running figure."""
        old = self._meta.get("seconds_per_frame")
        speed = seconds_per_frame if not old else old + SPEED_SMOOTHING * (seconds_per_frame - old)
        self._meta.update(seconds_per_frame=speed, jobs_done=int(self._meta.get("jobs_done", 0)) + 1)
        self._meta.update(state="idle", job_id=None)
        self._write_worker()

    def worker_stopped(self, worker_id: str) -> None:
        """This worker stops: the dispatcher stops counting it."""
        self._meta.update(state="stopped", job_id=None)
        self._write_worker()

    def _write_worker(self) -> None:
        if not self._meta:
            return
        self._meta["beat_ms"] = now_ms()
        saq_id = saq_worker_id(str(self._meta["worker_id"]))
        try:
            self._loop.run(self.queue.worker_info(saq_id, self.queue.name, dict(self._meta), ttl=self.worker_ttl_s))
        except EngineUnavailable as exc:
            self._unreachable(exc)

    # --- reachability, logged once per outage

    def _unreachable(self, exc: EngineUnavailable) -> None:
        if self._unreachable_since is None:
            self._unreachable_since = time.monotonic()
            log.error("%s; retrying", as_sentence(str(exc)))

    def _reachable(self) -> None:
        if self._unreachable_since is not None:
            log.info("the job engine is reachable again after %.0f s", time.monotonic() - self._unreachable_since)
            self._unreachable_since = None

    def close(self) -> None:
        """Disconnect and remove the scratch folder."""
        try:
            disconnect(self._loop, self.queue)
        finally:
            shutil.rmtree(self.output_dir, ignore_errors=True)
