"""SAQ on Redis as ganterp's job engine, behind the two faces the rest of the code knows.

- `RemoteQueue` is `bot.worker.RenderQueue` for a worker on another machine: the same `Worker`
  loop claims, reports and finishes jobs through SAQ's queue (dequeue, update, finish, retry),
  the way SAQ's own worker does, and never opens the job log.
- `SaqEngine` is `bot.dispatch.JobEngine` for the dispatcher: it hands out jobs keyed by their id
  (SAQ refuses a second copy of a key it still carries), reads their state, aborts, sweeps.

Files travel through the same Redis under keys that expire: the clip to the worker, the MP4 (and
its sidecar, the preview sheet) back. Liveness is SAQ's: every job carries a heartbeat (the lease),
a worker touches it at every progress report and every 10 s, and `Queue.sweep` (run by idle workers
and by the dispatcher, at most every few seconds across all of them) puts a silent job back in the
queue, or ends it once its attempts are spent.

SAQ is asyncio; the worker loop and the dispatcher are threads, so each face runs its own event
loop on a thread and waits for each call, bounded.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from redis import asyncio as aioredis
from redis.exceptions import RedisError
from saq.job import Job as SaqJob
from saq.job import Status
from saq.queue.redis import RedisQueue

from bot.dispatch import EngineJob, EngineUnavailable, EngineWorker, FileTooLarge
from bot.worker import MACHINE_FAULT_MESSAGE
from storage.models import Job, JobStatus
from storage.workers import SPEED_SMOOTHING, WorkerInfo

log = logging.getLogger(__name__)
T = TypeVar("T")

FUNCTION = "ganterp.render"  # the engine job's function; the Worker loop runs it, so SAQ never looks it up
CALL_TIMEOUT_S = 30.0  # a Redis call that takes longer counts as the engine being unreachable
DEQUEUE_WAIT_S = 1.0  # an idle worker waits this long in Redis for a job, then looks round (stop, sweep)
SWEEP_EVERY_S = 5  # the sweep runs at most this often, whoever asks (SAQ keeps the lock in Redis)
SWEEP_ABORT_WAIT_S = 1.0  # how long the sweep lets a silent job's worker answer before requeueing it
REMOTE = "remote"  # the platform a remote worker sees: delivery happens on the job log's machine


# ----------------------------------------------------------------------------- plumbing


class _EventLoop:
    """An asyncio loop on a thread of its own, so the synchronous worker loop and dispatcher can call SAQ."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = CALL_TIMEOUT_S) -> T:
        """Run `coroutine` on the loop and wait for it; Redis trouble becomes EngineUnavailable."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout)
        except (RedisError, OSError) as exc:  # TimeoutError is an OSError
            future.cancel()
            raise EngineUnavailable(_reason(exc)) from exc

    def close(self) -> None:
        """Stop the loop and its thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5.0)
        if not self._thread.is_alive():
            self.loop.close()


async def _connect(url: str, name: str) -> RedisQueue:
    # Timeouts keep a vanished Redis host from hanging a call forever; a blocking dequeue waits
    # DEQUEUE_WAIT_S, well under the socket timeout.
    redis = aioredis.from_url(url, socket_connect_timeout=5, socket_timeout=15)
    queue = RedisQueue(redis, name=name)
    await queue.connect()
    await _ping(redis)
    return queue


# redis-py's asyncio client is typed as either sync or async; these say which.
async def _ping(redis: Any) -> None:
    await redis.ping()


async def _get(redis: Any, key: str, *, delete: bool = False) -> bytes | None:
    value = await (redis.getdel(key) if delete else redis.get(key))
    return bytes(value) if value is not None else None


async def _set(redis: Any, key: str, value: bytes, ttl_s: int) -> None:
    await redis.set(key, value, ex=ttl_s)


def _open(url: str, name: str, thread_name: str) -> tuple[_EventLoop, RedisQueue]:
    loop = _EventLoop(thread_name)
    try:
        return loop, loop.run(_connect(url, name))
    except BaseException:
        loop.close()
        raise


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:160] if str(exc) else ""
    return text or type(exc).__name__


def _file_key(queue: RedisQueue, kind: str, job_id: int) -> str:
    return queue.namespace(f"ganterp:{kind}:{job_id}")


def _saq_worker_id(worker_id: str) -> str:
    # SAQ's registry splits keys on ':', and our ids are host:pid.
    return worker_id.replace(":", "/")


def _time(epoch_ms: int | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(epoch_ms / 1000, dt.UTC) if epoch_ms else None


def _now_ms() -> int:
    return int(time.time() * 1000)


def _engine_job(job: SaqJob | None) -> EngineJob | None:
    if job is None:
        return None
    meta = job.meta or {}
    eta = meta.get("eta_s")
    return EngineJob(
        key=job.key, status=job.status.value, attempts=job.attempts, worker_id=job.worker_id,
        progress=float(job.progress or 0.0), stage=meta.get("stage"), eta_s=float(eta) if eta is not None else None,
        started_at=_time(job.started), touched_at=_time(job.touched),
        result=job.result if isinstance(job.result, dict) else {}, error=job.error,
    )  # fmt: skip


# ----------------------------------------------------------------------------- the dispatcher's face


class SaqEngine:
    """The job engine as the dispatcher sees it (bot.dispatch.JobEngine), on one SAQ queue in Redis."""

    def __init__(
        self,
        url: str,
        name: str = "ganterp",
        *,
        max_file_bytes: int = 100 * 2**20,
        file_ttl_s: int = 86_400,
        lease_s: float = 45.0,
        max_attempts: int = 3,
    ) -> None:
        self._loop, self.queue = _open(url, name, "saq-dispatcher")
        self.max_file_bytes, self.file_ttl_s = max_file_bytes, file_ttl_s
        self.lease_s, self.max_attempts = lease_s, max_attempts

    def key_for(self, job_id: int) -> str:
        """The engine job's key for a job of the log: one key per job, whatever the attempt."""
        return f"job-{job_id}"

    def hand_out(self, job: Job, clip: bytes) -> None:
        """Upload the clip and enqueue the job; nothing happens if the engine already carries it."""
        if len(clip) > self.max_file_bytes:
            raise FileTooLarge("clip", len(clip), self.max_file_bytes)
        self._loop.run(self._hand_out(job, clip))

    async def _hand_out(self, job: Job, clip: bytes) -> None:
        await _set(self.queue.redis, _file_key(self.queue, "clip", job.id), clip, self.file_ttl_s)
        engine_job = SaqJob(
            function=FUNCTION,
            key=self.key_for(job.id),
            kwargs=_payload(job, self.max_file_bytes, self.file_ttl_s),
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
        return [_engine_job(job) for job in self._loop.run(self.queue.jobs(keys))]

    def abort(self, key: str) -> None:
        """Cancel a job: a queued one ends at once, a running one when its worker next reports."""
        self._loop.run(self._abort(key))

    async def _abort(self, key: str) -> None:
        job = await self.queue.job(key)
        if job is not None and job.status in (Status.QUEUED, Status.ACTIVE):
            await self.queue.abort(job, "cancelled")

    def output(self, job_id: int) -> bytes | None:
        """The rendered MP4 a worker sent back (None: none, or it expired)."""
        return self._loop.run(_get(self.queue.redis, _file_key(self.queue, "output", job_id)))

    def take_preview(self, job_id: int) -> bytes | None:
        """The preview sheet a worker sent, once (None when there is none new)."""
        return self._loop.run(_get(self.queue.redis, _file_key(self.queue, "preview", job_id), delete=True))

    def forget(self, job_id: int) -> None:
        """Drop an ended job and its files from Redis once the job log has its end."""
        self._loop.run(self._forget(job_id))

    async def _forget(self, job_id: int) -> None:
        engine_id = self.queue.job_id(self.key_for(job_id))
        files = [_file_key(self.queue, kind, job_id) for kind in ("clip", "output", "preview")]
        async with self.queue.redis.pipeline(transaction=True) as pipe:
            pipe.delete(engine_id, *files)
            pipe.lrem(self.queue.namespace("active"), 0, engine_id)
            pipe.lrem(self.queue.namespace("queued"), 0, engine_id)
            pipe.zrem(self.queue.namespace("incomplete"), engine_id)
            await pipe.execute()

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
        """Disconnect from Redis."""
        try:
            self._loop.run(self.queue.disconnect(), timeout=5.0)
        except EngineUnavailable:
            pass
        finally:
            self._loop.close()


def _payload(job: Job, max_file_bytes: int, file_ttl_s: int) -> dict[str, Any]:
    """What a remote worker needs to render a job; the caps travel along, so a worker needs only the URL."""
    return {
        "job_id": job.id, "platform": job.platform, "requester_id": job.requester_id,
        "requester_name": job.requester_name, "source_name": job.source_name, "n_frames": job.n_frames,
        "options": job.options, "classes": list(job.classes), "seed": job.seed,
        "max_file_bytes": max_file_bytes, "file_ttl_s": file_ttl_s,
    }  # fmt: skip


def _engine_worker(meta: dict[str, Any]) -> EngineWorker:
    started = _time(int(meta["started_ms"])) or dt.datetime.now(dt.UTC)
    beat = _time(int(meta["beat_ms"])) or started
    job_id = meta.get("job_id")
    speed = meta.get("seconds_per_frame")
    return EngineWorker(
        info=WorkerInfo(str(meta["worker_id"]), str(meta["host"]), str(meta["model"]), str(meta["device"])),
        state=str(meta["state"]), job_id=int(job_id) if job_id is not None else None,
        seconds_per_frame=float(speed) if speed else None, jobs_done=int(meta.get("jobs_done", 0)),
        started_at=started, heartbeat_at=beat,
    )  # fmt: skip


# ----------------------------------------------------------------------------- the remote worker's face


@dataclass
class _Taken:
    """A job this worker took from the engine: SAQ's copy, ours, and where its clip lies."""

    engine: SaqJob
    job: Job
    clip: Path
    max_file_bytes: int
    file_ttl_s: int
    claimed: float  # time.monotonic() when taken


class RemoteQueue:
    """The render queue of a worker on another machine (bot.worker.RenderQueue), through the job engine.

    It needs only the engine's URL: no job log, no data folder, no bot token. Clips and videos live
    in a scratch folder of its own while a job runs.
    """

    def __init__(self, url: str, name: str = "ganterp", *, lease_s: float = 45.0) -> None:
        self._loop, self.queue = _open(url, name, "saq-worker")
        self.output_dir = Path(tempfile.mkdtemp(prefix="ganterp-worker-"))
        self.worker_ttl_s = max(30, round(lease_s))
        self._taken: dict[int, _Taken] = {}
        self._ended: dict[int, Job] = {}  # the last job handed back, for the worker's get() after it ends
        self._meta: dict[str, Any] = {}
        self._unreachable_since: float | None = None

    # --- taking a job

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
            taken = self._loop.run(self._claim(worker_id), timeout=DEQUEUE_WAIT_S + CALL_TIMEOUT_S)
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

    async def _claim(self, worker_id: str) -> _Taken | None:
        engine = await self.queue.dequeue(timeout=DEQUEUE_WAIT_S)
        if engine is None:
            return None
        engine.started, engine.worker_id = _now_ms(), worker_id
        engine.attempts += 1
        engine.meta = {"stage": "starting"}
        await self.queue.update(engine, status=Status.ACTIVE)
        payload = engine.kwargs or {}
        job_id = int(payload["job_id"])
        clip = await _get(self.queue.redis, _file_key(self.queue, "clip", job_id))
        if clip is None:  # it waited longer than GANTERP_QUEUE_FILE_TTL_S, or Redis lost it
            log.error("job %d failed: its clip is no longer in the engine", job_id)
            result = {"user_error": MACHINE_FAULT_MESSAGE.format(job_id=job_id),
                      "operator_error": "the clip expired in Redis before a worker took the job"}  # fmt: skip
            await self.queue.finish(engine, Status.FAILED, result=result, error=result["operator_error"])
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
        max_bytes, ttl = int(payload.get("max_file_bytes", 100 * 2**20)), int(payload.get("file_ttl_s", 86_400))
        return _Taken(engine, job, path, max_bytes, ttl, time.monotonic())

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
        """Touch the engine's job, so its sweep knows this worker is alive."""
        taken = self._taken.get(job_id)
        if taken is not None:
            self._loop.run(self._progress(taken, {}, None))

    def save_preview(self, job_id: int, png: bytes) -> Path:
        """Send the preview sheet back through the engine (the dispatcher saves it); keep a local copy."""
        path = self.output_dir / f"job-{job_id}.preview.png"
        path.write_bytes(png)
        taken = self._taken.get(job_id)
        ttl = taken.file_ttl_s if taken else 86_400
        try:
            self._loop.run(_set(self.queue.redis, _file_key(self.queue, "preview", job_id), png, ttl))
        except EngineUnavailable as exc:  # a missing first look must not cost the video
            self._unreachable(exc)
        return path

    # --- ending it

    def mark_rendered(self, job_id: int, output: Path, size_bytes: int, seed: int) -> None:
        """Send the MP4 (and its sidecar) back through the engine and end the job there as complete."""
        taken = self._take(job_id)
        if taken is None:
            return
        try:
            if size_bytes > taken.max_file_bytes:
                too_large = FileTooLarge("video", size_bytes, taken.max_file_bytes)
                problem = {"user_error": too_large.user_message(), "operator_error": f"{too_large} (job {job_id})"}
                self._end(taken, Status.FAILED, problem, problem["operator_error"])
                return
            sidecar = output.with_suffix(".json")
            result: dict[str, Any] = {
                "seed": seed,
                "size_bytes": size_bytes,
                "render_s": round(time.monotonic() - taken.claimed, 3),
                "sidecar": sidecar.read_text() if sidecar.is_file() else None,
            }
            self._end(taken, Status.COMPLETE, result, None, video=output.read_bytes())
        finally:
            for path in (output, output.with_suffix(".json"), taken.clip):
                path.unlink(missing_ok=True)

    def mark_failed(self, job_id: int, user_error: str, operator_error: str) -> None:
        """End the job in the engine as failed, with what its requester and the operator are told."""
        taken = self._take(job_id)
        if taken is not None:
            result = {"user_error": user_error, "operator_error": operator_error}
            self._end(taken, Status.FAILED, result, operator_error)

    def mark_cancelled(self, job_id: int) -> None:
        """End a cancelled job in the engine as aborted."""
        taken = self._take(job_id)
        if taken is not None:
            self._end(taken, Status.ABORTED, None, "cancelled")

    def release(self, job_id: int) -> None:
        """Put the job back in the engine's queue uncounted (this worker is stopping)."""
        taken = self._take(job_id)
        if taken is not None:
            self._retrying(job_id, lambda: self._release(taken))

    async def _release(self, taken: _Taken) -> None:
        stored = await self.queue.job(taken.engine.key)
        if self._ours(stored, taken):
            back = self.queue.copy(taken.engine)
            back.attempts -= 1  # the attempt did not happen, as far as the job is concerned
            await self.queue.retry(back, "released: its worker stopped")

    def mark_delivered(self, job_id: int) -> None:
        """Nothing to do here: the dispatcher hands the video to its front end."""

    def get(self, job_id: int) -> Job:
        """The job as this worker knows it; its platform reads 'remote', since delivery is not this machine's."""
        taken = self._taken.get(job_id)
        job = taken.job if taken else self._ended.get(job_id)
        if job is None:
            raise KeyError(job_id)
        return job

    def _take(self, job_id: int) -> _Taken | None:
        taken = self._taken.pop(job_id, None)
        if taken is not None:
            self._ended[job_id] = taken.job
        return taken

    def _end(
        self, taken: _Taken, status: Status, result: dict[str, Any] | None, error: str | None, video: bytes = b""
    ) -> None:
        self._retrying(taken.job.id, lambda: self._finish(taken, status, result, error, video))

    async def _finish(
        self, taken: _Taken, status: Status, result: dict[str, Any] | None, error: str | None, video: bytes
    ) -> None:
        stored = await self.queue.job(taken.engine.key)
        if not self._ours(stored, taken):
            log.warning("job %d is no longer this worker's in the engine; this attempt's end is dropped", taken.job.id)
            return
        if video:
            key = _file_key(self.queue, "output", taken.job.id)
            await _set(self.queue.redis, key, video, taken.file_ttl_s)
        await self.queue.finish(taken.engine, status, result=result, error=error)

    def _retrying(self, job_id: int, call: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run an end-of-job call, waiting out a Redis restart (up to the worker's lease)."""
        deadline = time.monotonic() + self.worker_ttl_s
        while True:
            try:
                self._loop.run(call())
                self._reachable()
                return
            except EngineUnavailable as exc:
                self._unreachable(exc)
                if time.monotonic() > deadline:
                    log.error("job %d: the engine stayed unreachable; the sweep will give the job to a worker", job_id)
                    return
                time.sleep(1.0)

    # --- the worker registry (SAQ's: its dashboard shows it, the dispatcher mirrors it into the job log)

    def worker_started(self, info: WorkerInfo, seconds_per_frame: float | None) -> None:
        """Register this worker with the engine (the dispatcher counts it as a free slot)."""
        now = _now_ms()
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
        self._meta["beat_ms"] = _now_ms()
        saq_id = _saq_worker_id(str(self._meta["worker_id"]))
        try:
            self._loop.run(self.queue.worker_info(saq_id, self.queue.name, dict(self._meta), ttl=self.worker_ttl_s))
        except EngineUnavailable as exc:
            self._unreachable(exc)

    # --- reachability, logged once per outage

    def _unreachable(self, exc: EngineUnavailable) -> None:
        if self._unreachable_since is None:
            self._unreachable_since = time.monotonic()
            log.error("%s; retrying", str(exc).capitalize())

    def _reachable(self) -> None:
        if self._unreachable_since is not None:
            log.info("the job engine is reachable again after %.0f s", time.monotonic() - self._unreachable_since)
            self._unreachable_since = None

    def close(self) -> None:
        """Disconnect and remove the scratch folder."""
        try:
            self._loop.run(self.queue.disconnect(), timeout=5.0)
        except EngineUnavailable:
            pass
        finally:
            self._loop.close()
            shutil.rmtree(self.output_dir, ignore_errors=True)


# ----------------------------------------------------------------------------- SAQ's dashboard


class Dashboard:
    """SAQ's web page on the engine's queue, served on a loop of its own until closed."""

    def __init__(self, url: str, name: str, host: str, port: int) -> None:
        self._loop, self._queue = _open(url, name, "saq-dashboard")
        self._runner = self._loop.run(_serve(self._queue, host, port))
        self.address = f"http://{host}:{port}/"

    def close(self) -> None:
        """Stop serving and disconnect."""
        try:
            self._loop.run(self._runner.cleanup(), timeout=10.0)  # also disconnects the queue
        except EngineUnavailable:
            pass
        finally:
            self._loop.close()


async def _serve(queue: RedisQueue, host: str, port: int) -> Any:
    from aiohttp import web
    from saq.web.aiohttp import create_app

    runner = web.AppRunner(create_app([queue]), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
