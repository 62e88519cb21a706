"""The plumbing every SAQ face shares: an event loop on a thread, the connection, keys, times.

SAQ is asyncio; the worker loop and the dispatcher are threads, so each face runs its own event
loop on a thread and waits for each call, bounded.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

from redis import asyncio as aioredis
from redis.exceptions import RedisError, ResponseError
from saq.job import Job as SaqJob
from saq.queue.redis import RedisQueue

from bot.jobs.dispatch import EngineJob, EngineUnavailable
from pipeline.errors import sentence

T = TypeVar("T")
log = logging.getLogger(__name__)

FUNCTION = "ganterp.render"  # the engine job's function; the Worker loop runs it, so SAQ never looks it up
CALL_TIMEOUT_S = 30.0  # a Redis call that takes longer counts as the engine being unreachable
DEQUEUE_WAIT_S = 1.0  # an idle worker waits this long in Redis for a job, then looks round (stop, sweep)
SWEEP_EVERY_S = 5  # the sweep runs at most this often, whoever asks (SAQ keeps the lock in Redis)
SWEEP_ABORT_WAIT_S = 1.0  # how long the sweep lets a silent job's worker answer before requeueing it


class EventLoop:
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
            raise EngineUnavailable(reason(exc)) from exc

    def close(self) -> None:
        """Stop the loop and its thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5.0)
        if not self._thread.is_alive():
            self.loop.close()


async def connect(url: str, name: str) -> RedisQueue:
    # Timeouts keep a vanished Redis host from hanging a call forever; a blocking dequeue waits
    # DEQUEUE_WAIT_S, well under the socket timeout.
    redis = aioredis.from_url(url, socket_connect_timeout=5, socket_timeout=15)
    queue = RedisQueue(redis, name=name)
    await queue.connect()
    await redis_ping(redis)
    return queue


# redis-py's asyncio client is typed as either sync or async; these say which.
async def redis_ping(redis: Any) -> None:
    await redis.ping()


async def redis_get(redis: Any, key: str, *, delete: bool = False) -> bytes | None:
    value = await (redis.getdel(key) if delete else redis.get(key))
    return bytes(value) if value is not None else None


async def redis_strlen(redis: Any, key: str) -> int:
    return int(await redis.strlen(key))


async def redis_set(redis: Any, key: str, value: bytes, ttl_s: int | None) -> None:
    await redis.set(key, value, ex=ttl_s)


async def redis_run_id(redis: Any) -> str:
    """The running Redis's run_id ("" where INFO is not allowed, as on some hosted services: no restart is seen)."""
    try:
        info = await redis.info("server")
    except ResponseError:
        return ""
    return str(info.get("run_id", ""))


def open_queue(url: str, name: str, thread_name: str) -> tuple[EventLoop, RedisQueue]:
    loop = EventLoop(thread_name)
    try:
        return loop, loop.run(connect(url, name))
    except BaseException:
        loop.close()
        raise


def disconnect(loop: EventLoop, queue: RedisQueue) -> None:
    """Disconnect from Redis (one that vanished is no reason to fail a stop) and end the loop."""
    try:
        loop.run(queue.disconnect(), timeout=5.0)
    except EngineUnavailable:
        pass
    finally:
        loop.close()


class Reachability:
    """Whether the engine answered last time: one line when it stops answering, one when it is back."""

    def __init__(self) -> None:
        self._since: float | None = None

    def lost(self, exc: EngineUnavailable) -> None:
        """A call failed: said once per outage."""
        if self._since is None:
            self._since = time.monotonic()
            log.error("%s; retrying", sentence(str(exc), full_stop=False))

    def back(self) -> None:
        """A call went through: the end of an outage is said with its length."""
        if self._since is not None:
            log.info("the job engine is reachable again after %.0f s", time.monotonic() - self._since)
            self._since = None


def reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:160] if str(exc) else ""
    return text or type(exc).__name__


def file_key(queue: RedisQueue, kind: str, job_id: int) -> str:
    return queue.namespace(f"ganterp:{kind}:{job_id}")


def reconciled_key(queue: RedisQueue) -> str:
    """Where the dispatcher says which run of Redis it reconciled with the job log (workers take jobs only then)."""
    return queue.namespace("reconciled")


def saq_worker_id(worker_id: str) -> str:
    # SAQ's registry splits keys on ':', and our ids are host:pid.
    return worker_id.replace(":", "/")


def epoch_time(epoch_ms: int | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(epoch_ms / 1000, dt.UTC) if epoch_ms else None


def now_ms() -> int:
    return int(time.time() * 1000)


def engine_job(job: SaqJob | None) -> EngineJob | None:
    if job is None:
        return None
    meta = job.meta or {}
    eta = meta.get("eta_s")
    return EngineJob(
        key=job.key,
        status=job.status.value,
        attempts=job.attempts,
        worker_id=job.worker_id,
        progress=float(job.progress or 0.0),
        stage=meta.get("stage"),
        eta_s=float(eta) if eta is not None else None,
        started_at=epoch_time(job.started),
        touched_at=epoch_time(job.touched),
        result=job.result if isinstance(job.result, dict) else {},
        error=job.error,
    )
