"""The remote worker's face of the engine: `bot.jobs.worker.RenderQueue` over SAQ's queue, never the job log."""

from __future__ import annotations

import asyncio
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

from bot.jobs.dispatch import EngineUnavailable, FileTooLarge
from bot.jobs.engine.files import BucketLinks, BucketRefused
from bot.jobs.engine.payload import BucketOrigin, JobPayload, PayloadRefused, job_id_of, read_payload
from bot.jobs.engine.saq_base import (
    CALL_TIMEOUT_S,
    DEQUEUE_WAIT_S,
    REMOTE,
    SWEEP_ABORT_WAIT_S,
    SWEEP_EVERY_S,
    disconnect,
    file_key,
    now_ms,
    open_queue,
    reconciled_key,
    redis_get,
    redis_run_id,
    redis_set,
    redis_strlen,
    saq_worker_id,
)
from bot.jobs.worker import MACHINE_FAULT_MESSAGE
from pipeline.errors import sentence
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
    claimed: float  # time.monotonic() when taken
    urls: dict[str, str] | None  # presigned URLs when the job's files travel through a bucket, else Redis keys


class RemoteQueue:
    """The render queue of a worker on another machine (bot.jobs.worker.RenderQueue), through the job engine.

    It needs only the engine's URL: no job log, no data folder, no bot token. Clips and videos live
    in a scratch folder of its own while a job runs.
    """

    def __init__(
        self,
        url: str,
        name: str = "ganterp",
        *,
        lease_s: float = 45.0,
        max_file_bytes: int = 100 * 2**20,
        file_ttl_s: int = 86_400,
        max_attempts: int = 3,
        bucket: BucketOrigin | None = None,
    ) -> None:
        self._loop, self.queue = open_queue(url, name, "saq-worker")
        # The caps are this worker's own settings: a payload's word is not taken for them.
        self.max_file_bytes, self.file_ttl_s, self.max_attempts = max_file_bytes, file_ttl_s, max_attempts
        self.bucket = BucketLinks(bucket) if bucket is not None else None
        remove_scratch_of_dead_workers()
        self.output_dir = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
        self.worker_ttl_s = max(30, round(lease_s))
        self._taken: dict[int, _Taken] = {}
        self._ended: dict[int, Job] = {}  # the last job handed back, for the worker's get() after it ends
        self._ending: dict[int, _Taken] = {}  # jobs whose video is being uploaded: still heartbeated
        self._meta: dict[str, Any] = {}
        self._unreachable_since: float | None = None
        self._reconciled_seen = True  # whether the engine was last seen checked by the dispatcher (logged on change)

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
        if not await self._engine_reconciled():
            await asyncio.sleep(DEQUEUE_WAIT_S)
            return None
        engine = await self.queue.dequeue(timeout=DEQUEUE_WAIT_S)
        if engine is None:
            return None
        engine.started, engine.worker_id = now_ms(), worker_id
        engine.attempts += 1
        engine.meta = {"stage": "starting"}
        await self.queue.update(engine, status=Status.ACTIVE)
        return engine

    async def _engine_reconciled(self) -> bool:
        """Whether the dispatcher checked this run of Redis against the job log (after a restart, from an older
        snapshot say, jobs the log has delivered may be back: none is taken until the dispatcher removed them)."""
        run_id = await redis_run_id(self.queue.redis)
        stamp = await redis_get(self.queue.redis, reconciled_key(self.queue))
        reconciled = stamp is not None and stamp.decode(errors="replace") == run_id
        if reconciled != self._reconciled_seen:
            self._reconciled_seen = reconciled
            if not reconciled:
                log.info("waiting for the dispatcher to check the job engine against the job log before taking jobs")
        return reconciled

    def _with_clip(self, engine: SaqJob) -> _Taken | None:
        """Check a claimed job's payload and fetch its clip; a payload refused or a clip that is gone fails the job.

        The payload is untrusted input (anyone who can write to Redis can write one): it is checked
        before any request is made, and the caps are this worker's own.
        """
        try:
            payload = read_payload(engine.key, engine.kwargs)
        except PayloadRefused as exc:
            self._fail_unread(engine, f"engine job {engine.key[:80]!r} refused: {exc}")
            return None
        job_id = payload.job_id
        try:
            clip = self._fetch_clip(engine, payload)
        except PayloadRefused as exc:
            self._fail_unread(engine, f"job {job_id} failed: {exc}")
            return None
        except OSError as exc:  # this machine's scratch disk is full: the job goes back for another worker
            problem = f"job {job_id}: its clip could not be written here ({exc.strerror or type(exc).__name__})"
            if engine.attempts >= self._attempts_allowed(engine):
                self._fail_unread(engine, problem)
                return None
            log.error("%s; back in the engine's queue", problem)
            self._put_back(engine, problem)
            time.sleep(DEQUEUE_WAIT_S)  # not at once again: another worker may have room
            return None
        job = Job(
            id=job_id, platform=REMOTE, requester_id=payload.requester_id, requester_name=payload.requester_name,
            source_kind="file", source_ref="", source_name=payload.source_name, n_frames=payload.n_frames,
            audio_path=str(clip), classes=list(payload.classes), options=dict(payload.options), seed=payload.seed,
            status=JobStatus.RUNNING.value, attempts=engine.attempts, progress=0.0, cancel_requested=False,
            created_at=dt.datetime.now(dt.UTC),
        )  # fmt: skip
        return _Taken(engine, job, clip, time.monotonic(), payload.urls)

    def _fetch_clip(self, engine: SaqJob, payload: JobPayload) -> Path:
        """The job's clip in the scratch folder: from its Redis key, or from the configured bucket."""
        path = self.output_dir / f"job-{payload.job_id}.clip"
        if payload.urls is None:
            clip = self._loop.run(self._redis_clip(payload.job_id))
            partial = path.with_name(f".{path.name}.partial")
            try:
                partial.write_bytes(clip)
                partial.replace(path)
            finally:
                partial.unlink(missing_ok=True)
            return path
        if self.bucket is None:
            raise PayloadRefused("its files are in a bucket, and this worker has no GANTERP_QUEUE_BUCKET")
        for kind, url in payload.urls.items():  # all three before any request: a render's video goes nowhere else
            self.bucket.origin.check(url, payload.job_id, kind)
        try:  # over plain HTTP, outside the event loop: heartbeats and progress need not wait for it
            return self.bucket.get(payload.urls["clip"], payload.job_id, self.output_dir, self.max_file_bytes)
        except EngineUnavailable as exc:
            # The bucket is away from here: the job goes back for a worker that reaches it, the attempt
            # counted, so a bucket no worker can reach fails the job in the end instead of looping for ever.
            if engine.attempts < self._attempts_allowed(engine):
                self._put_back(engine, "its clip could not be fetched")
                raise
            raise PayloadRefused(f"no render machine could fetch the clip from the bucket ({exc.reason})") from exc

    async def _redis_clip(self, job_id: int) -> bytes:
        """The clip under the job's key, its size read before its bytes (PayloadRefused: gone, or over the cap)."""
        key = file_key(self.queue, "clip", job_id)
        size = await redis_strlen(self.queue.redis, key)
        if size > self.max_file_bytes:
            raise PayloadRefused(f"its clip is larger than this worker's cap ({self.max_file_bytes} bytes)")
        clip = await redis_get(self.queue.redis, key)
        if clip is None:  # it waited longer than GANTERP_QUEUE_FILE_TTL_S, or Redis lost it
            raise PayloadRefused("the clip expired in Redis before a worker took the job")
        return clip

    def _attempts_allowed(self, engine: SaqJob) -> int:
        """The job's attempts, as handed out but never more than this worker's GANTERP_MAX_ATTEMPTS."""
        return max(1, min(engine.retries or 1, self.max_attempts))

    def _put_back(self, engine: SaqJob, why: str) -> None:
        self._loop.run(self.queue.retry(self.queue.copy(engine), why))

    def _fail_unread(self, engine: SaqJob, problem: str) -> None:
        """End a job this worker will not render: one log line, and the job failed in the engine."""
        log.error("%s", problem)
        job_id = job_id_of(engine.key)
        user_error = MACHINE_FAULT_MESSAGE.format(job_id=job_id if job_id is not None else "?")
        result = {"user_error": user_error, "operator_error": problem}
        self._loop.run(self.queue.finish(engine, Status.FAILED, result=result, error=problem))

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
            stop = self._loop.run(self._progress(taken, {"stage": stage, "eta_s": eta_s}, progress))
        except EngineUnavailable as exc:  # keep rendering: the result waits for Redis, the sweep for a dead us
            self._unreachable(exc)
            return False
        self._reachable()
        return stop

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
        if taken is None:
            return
        try:
            self._loop.run(self._progress(taken, {}, None))
        except EngineUnavailable as exc:  # one line per outage (the render goes on; the sweep judges a dead us)
            self._unreachable(exc)
            return
        self._reachable()

    def save_preview(self, job_id: int, png: bytes) -> Path:
        """Send the preview sheet back through the engine (the dispatcher saves it); keep a local copy."""
        path = self.output_dir / f"job-{job_id}.preview.png"
        path.write_bytes(png)
        taken = self._taken.get(job_id)
        try:
            if taken is not None and taken.urls is not None:
                assert self.bucket is not None  # a job with URLs is taken only with a bucket configured
                self.bucket.put(taken.urls["preview"], job_id, "preview", png)
            else:
                key = file_key(self.queue, "preview", job_id)
                self._loop.run(redis_set(self.queue.redis, key, png, self.file_ttl_s))
        except EngineUnavailable as exc:  # a missing first look must not cost the video
            self._unreachable(exc)
        except (BucketRefused, PayloadRefused) as exc:
            log.warning("job %d: no preview sent (%s)", job_id, exc)
        return path

    # --- ending it

    def mark_rendered(self, job_id: int, output: Path, size_bytes: int, seed: int) -> bool:
        """Send the MP4 (and its sidecar) back through the engine and end the job there as complete."""
        taken = self._take(job_id)
        if taken is None:
            return False
        try:
            if size_bytes > self.max_file_bytes:
                too_large = FileTooLarge("video", size_bytes, self.max_file_bytes)
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
            assert self.bucket is not None  # a job with URLs is taken only with a bucket configured
            self.bucket.put(taken.urls["output"], taken.job.id, "output", video)
        except (BucketRefused, PayloadRefused) as exc:  # an expired URL, a bucket that refuses the size: lost
            refused: Exception | None = exc
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
            await redis_set(self.queue.redis, key, video, self.file_ttl_s)
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
            log.error("%s; retrying", sentence(str(exc), full_stop=False))

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
