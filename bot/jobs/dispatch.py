"""The dispatcher: in scale-out mode, hands jobs from the SQLite job log to the job engine and mirrors them back.

The job log stays the record. The dispatcher runs in the process that owns it (`ganterp bot`, or
`ganterp dispatch`) and is the only one that writes engine jobs into it:

- it hands the engine only as many jobs as there are idle workers, picked in the job log's fair
  order, so round robin and the limits hold across every worker (the engine carries, it does not
  schedule);
- each job is one engine job keyed by its id, so handing it out again cannot render it twice;
- every state change, progress, worker, attempt and timing is copied into the job log, and the
  rendered video is brought back from the engine into the outputs folder, then handed to the
  job's front end;
- a job the engine no longer knows (Redis restarted without its data) is handed out again, and a
  result that arrived while the dispatcher was down is picked up when it starts.

It talks to the engine through `JobEngine`; only `bot/jobs/engine/` knows which engine that is.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bot.jobs.worker import MACHINE_FAULT_MESSAGE, Deliver, default_worker_id, hand_over, is_dead_local_worker
from bot.outage import Outage, growing_pause
from pipeline.errors import UserError, sentence
from pipeline.files import write_atomically
from storage.jobs import JobStore
from storage.models import Job
from storage.workers import WorkerInfo

log = logging.getLogger(__name__)

WAITING = "waiting for a renderer"
STRANDED_ABORT_S = 60.0  # past the lease: how long a job may stay aborting, not cancelled, before it goes out again
STUCK_FIRST_PAUSE_S = 0.5  # a job that cannot be followed is tried again after this, doubling


class EngineUnavailable(UserError):
    """The job engine (Redis), or the bucket its files travel through, cannot be reached; `reason` says why."""

    def __init__(
        self, reason: str, what: str = "the job engine", check: str = "GANTERP_QUEUE_URL and that Redis runs"
    ) -> None:
        self.reason = reason
        super().__init__(f"{what} cannot be reached ({reason}); check {check}")

    def user_message(self) -> str:
        """One sentence for the operator."""
        return f"{self}."


class DispatcherRunning(UserError):
    """Another dispatcher holds this job log's lease (storage.lease): one dispatcher per job log."""

    def __init__(self, holder: str, lease_s: float) -> None:
        self.holder = holder
        super().__init__(
            f"another dispatcher ({holder}) already feeds the job engine from this job log; stop it first, "
            f"or wait {lease_s:.0f} s after it stopped if it was killed on another machine"
        )

    def user_message(self) -> str:
        """One sentence for the operator."""
        return f"{self}."


class FileTooLarge(UserError):
    """A clip or video is over the size the engine carries (GANTERP_QUEUE_MAX_FILE_BYTES)."""

    def __init__(self, what: str, size: int, limit: int) -> None:
        self.what, self.size, self.limit = what, size, limit
        super().__init__(
            f"the {what} is too large to travel to the render machines ({_mib(size)}; at most {_mib(limit)})"
        )

    def user_message(self) -> str:
        """One sentence for the requester."""
        return f"{self}."


@dataclass(frozen=True)
class EngineJob:
    """One job as the engine reports it."""

    key: str
    status: str  # queued, active, aborting, complete, failed, aborted
    attempts: int
    worker_id: str | None = None
    progress: float = 0.0
    stage: str | None = None
    eta_s: float | None = None
    started_at: dt.datetime | None = None
    touched_at: dt.datetime | None = None
    result: dict[str, Any] = field(default_factory=dict)  # what the worker sent back with the end state
    error: str | None = None


@dataclass(frozen=True)
class EngineWorker:
    """A remote worker as the engine's registry reports it."""

    info: WorkerInfo
    state: str  # idle, rendering, stopped
    job_id: int | None
    seconds_per_frame: float | None
    jobs_done: int
    started_at: dt.datetime
    heartbeat_at: dt.datetime


class JobEngine(Protocol):
    """What the dispatcher needs from the job engine; bot.jobs.engine.saq_engine.SaqEngine is the one on Redis."""

    def key_for(self, job_id: int) -> str: ...
    def hand_out(self, job: Job, clip: bytes) -> None: ...
    def jobs(self, keys: Sequence[str]) -> list[EngineJob | None]: ...
    def abort(self, key: str) -> None: ...
    def output(self, job_id: int) -> bytes | None: ...
    def take_preview(self, job_id: int) -> bytes | None: ...
    def forget(self, job_id: int) -> None: ...
    def workers(self) -> list[EngineWorker]: ...
    def sweep(self) -> list[str]: ...
    def generation(self) -> str: ...
    def carried_ids(self) -> set[int]: ...
    def mark_reconciled(self, generation: str) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class DispatchConfig:
    """How often the dispatcher looks, and after how long a silent job counts as abandoned."""

    poll_s: float = 0.1
    lease_s: float = 45.0
    max_backoff_s: float = 60.0  # the longest pause after a round that failed (the database locked, a full disk)


class Dispatcher:
    """Keeps the engine fed from the job log and the job log up to date from the engine, until stopped."""

    def __init__(
        self,
        store: JobStore,
        engine: JobEngine,
        config: DispatchConfig | None = None,
        deliver: dict[str, Deliver] | None = None,
        holder: str | None = None,
    ) -> None:
        self.store = store
        self.engine = engine
        self.config = config or DispatchConfig()
        self.holder = holder or default_worker_id()  # host:pid, as the job log's lease names it
        self._lease_renewed: float | None = None  # monotonic time of the last renewal; None: not held
        self.stop_event = threading.Event()
        self._deliver = deliver or {}
        self._down: str | None = None  # why the engine could not be reached, while it cannot
        # What was last written to the job log per job and per worker: the log is written on change only
        # (and a job's heartbeat every few seconds), not at every round.
        self._written: dict[object, tuple[object, float]] = {}
        self._lost: set[int] = set()  # jobs found missing from the engine and handed out again (warned once)
        self._stuck: dict[int, _Stuck] = {}  # jobs whose last round failed: why, how often, when to try again
        self._reconciled: str | None = None  # the run of Redis whose contents were last checked against the log

    def run(self) -> None:
        """Loop until `stop_event` is set; an unreachable engine is logged once and retried.

        Any other failure of a round (the job log locked past its timeout, a full disk) is logged and
        the round retried after a growing pause: the dispatcher never ends while its process runs.
        """
        if self._lease_renewed is None:
            self.take_lease()
        log.info("dispatcher started")
        failures = Outage("the dispatcher round", self.config.poll_s, self.config.max_backoff_s)
        recovered = False
        try:
            while not self.stop_event.is_set():
                try:
                    if not self._renew_lease():
                        break
                    if not recovered:
                        self.recover()
                        recovered = True
                    self.tick()
                except Exception as exc:
                    self.stop_event.wait(failures.failed(exc))
                    continue
                failures.succeeded()
                self.stop_event.wait(self.config.poll_s)
        finally:
            self.give_back_lease()
        log.info("dispatcher stopped")

    def take_lease(self) -> None:
        """Hold the job log's dispatcher lease; DispatcherRunning when another live dispatcher holds it."""
        taken = self.store.leases.take(self.holder, self.config.lease_s, is_dead_local_worker)
        if taken is not None:
            raise DispatcherRunning(taken.holder, self.config.lease_s)
        self._lease_renewed = time.monotonic()

    def _renew_lease(self) -> bool:
        """Renew the lease every quarter of it; False (and one line) when another dispatcher took it meanwhile."""
        if self._lease_renewed is not None and time.monotonic() - self._lease_renewed < self.config.lease_s / 4:
            return True
        if self.store.leases.renew(self.holder):
            self._lease_renewed = time.monotonic()
            return True
        log.error("another dispatcher took over this job log (this one was silent past its lease); this one stops")
        self._lease_renewed = None
        self.stop_event.set()
        return False

    @property
    def holding_lease(self) -> bool:
        """Whether this dispatcher holds the job log's lease now."""
        return self._lease_renewed is not None

    def give_back_lease(self) -> None:
        """Give the job log's lease back (a dispatcher that stops, or could not start), so the next need not wait."""
        if self._lease_renewed is None:
            return
        self._lease_renewed = None
        try:
            self.store.leases.give_back(self.holder)
        except Exception as exc:  # it lapses by itself
            log.warning(
                "the dispatcher's lease could not be given back (%s); it lapses in %.0f s", exc, self.config.lease_s
            )

    def recover(self) -> None:
        """After a restart: command-line jobs rendered before it count as delivered (their file is there)."""
        for job in self.store.undelivered("cli"):
            hand_over(self.store, self._deliver, job.id, Path(job.output_path or ""))

    def tick(self) -> None:
        """One round: follow every job the engine carries, sweep, then fill the idle workers."""
        try:
            self._tick()
        except EngineUnavailable as exc:
            if self._down is None:
                log.error("%s; jobs wait in the job log meanwhile", sentence(str(exc), full_stop=False))
            self._down = exc.reason
            return
        if self._down is not None:
            log.info("the job engine is reachable again")
            self._down = None

    def _tick(self) -> None:
        self._reconcile()
        live = self._mirror_workers()
        carried = self.store.in_engine()
        for job, state in zip(carried, self.engine.jobs([job.engine_key or "" for job in carried]), strict=True):
            self._follow_one(job, state)
        for ended in set(self._stuck) - {job.id for job in carried}:
            del self._stuck[ended]
        self._lost &= {job.id for job in carried}
        self.engine.sweep()
        for _ in range(live - len(self.store.in_engine())):
            fresh = self.store.claim_for_engine(self.engine.key_for)
            if fresh is None:
                break
            log.info(
                "job %d handed to the engine (%s, from %s)",
                fresh.id,
                f"{fresh.n_frames} frames" if fresh.n_frames else "frames not counted",
                fresh.requester_name or fresh.requester_id,
            )
            self._hand_out(fresh)

    def _reconcile(self) -> None:
        """Once per run of Redis: the engine carries only what the job log says it carries.

        Redis restored from an older snapshot brings back jobs the log has long delivered (or failed,
        or cancelled), and their files; they are removed before any worker may take a job (workers
        wait for `mark_reconciled` of the running Redis), so none is rendered again.
        """
        generation = self.engine.generation()
        if generation == self._reconciled:
            return
        carried = {job.id for job in self.store.in_engine()}
        for job_id in sorted(self.engine.carried_ids() - carried):
            status = self.store.status_of(job_id)
            log.warning(
                "job %d is %s in the job log but was in the engine (Redis restored from an older snapshot?); "
                "removed from the engine",
                job_id,
                status or "unknown",
            )
            self._forget(job_id)
        self.engine.mark_reconciled(generation)
        self._reconciled = generation

    def _mirror_workers(self) -> int:
        """Copy the engine's workers into the job log's registry; returns how many can take a job."""
        live = 0
        for worker in self.engine.workers():
            live += worker.state != "stopped"
            if not self._changed(("worker", worker.info.worker_id), worker):
                continue
            self.store.workers.mirror(
                worker.info,
                state=worker.state,
                job_id=worker.job_id,
                seconds_per_frame=worker.seconds_per_frame,
                jobs_done=worker.jobs_done,
                started_at=worker.started_at,
                heartbeat_at=worker.heartbeat_at,
            )
        return live

    def _changed(self, what: object, value: object, beat_s: float | None = None) -> bool:
        """Whether `value` differs from what was last written for `what` (or `beat_s` passed since)."""
        now = time.monotonic()
        last = self._written.get(what)
        if last is not None and last[0] == value and (beat_s is None or now - last[1] < beat_s):
            return False
        self._written[what] = (value, now)
        return True

    def _hand_out(self, job: Job) -> None:
        try:
            clip = Path(job.audio_path or "").read_bytes()
            self.engine.hand_out(job, clip)
        except FileTooLarge as exc:
            log.info("job %d failed: %s", job.id, exc)
            self.store.mark_failed(job.id, exc.user_message(), f"{exc} (GANTERP_QUEUE_MAX_FILE_BYTES)")
        except OSError as exc:  # the stored clip is gone (deleted by hand, a full disk)
            log.error("job %d failed: its stored clip cannot be read: %s", job.id, exc)
            self.store.mark_failed(job.id, MACHINE_FAULT_MESSAGE.format(job_id=job.id), f"stored clip: {exc}")

    def _follow_one(self, job: Job, state: EngineJob | None) -> None:
        """Follow one job; a failure of its own (its video cannot be written) does not hold back the others.

        Such a job is tried again after a pause that doubles (up to a minute), logged once per reason.
        """
        stuck = self._stuck.get(job.id)
        if stuck is not None and time.monotonic() < stuck.retry_at:
            return
        try:
            self._follow(job, state)
        except EngineUnavailable:
            raise
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"[:300]
            failures = stuck.failures + 1 if stuck else 1
            pause = growing_pause(STUCK_FIRST_PAUSE_S, failures, self.config.max_backoff_s)
            if stuck is None or stuck.reason != reason:
                log.error(
                    "job %d: following it failed (%s); trying again in %.1f s", job.id, reason, pause, exc_info=exc
                )
            self._stuck[job.id] = _Stuck(reason, failures, time.monotonic() + pause)
            return
        if self._stuck.pop(job.id, None) is not None:
            log.info("job %d: followed again", job.id)

    def _follow(self, job: Job, state: EngineJob | None) -> None:
        if state is None:
            # Handed out but unknown to the engine: Redis restarted without its data, or the dispatcher
            # stopped between recording the job and handing it out. The same key cannot run twice.
            if job.id not in self._lost:  # once per job, however many rounds its hand-out waits for the engine
                log.warning("job %d is not in the engine (Redis lost it?); handing it out again", job.id)
                self._lost.add(job.id)
            self._hand_out(job)
            return
        self._lost.discard(job.id)
        if job.cancel_requested and state.status in ("queued", "active"):
            self.engine.abort(state.key)
            return  # the next round sees it aborted (queued) or aborting (a worker stops it within a batch)
        if state.status in ("queued", "active", "aborting"):
            self._mirror_running(job, state)
        elif state.status == "complete":
            self._rendered(job, state)
        elif state.status == "failed":
            self._failed(job, state)
        elif state.status == "aborted":
            self._aborted(job, state)

    def _mirror_running(self, job: Job, state: EngineJob) -> None:
        beat_s = self.config.lease_s / 4
        if state.status == "queued":
            if self._changed(job.id, ("queued", state.attempts), beat_s):
                self.store.mirror_engine(job.id, stage=WAITING, worker_id=None, attempts=state.attempts)
            return
        if state.worker_id != job.worker_id or state.attempts != job.attempts:
            log.info("job %d taken by %s (attempt %d)", job.id, state.worker_id, state.attempts)
        self._save_preview(job.id)
        silent_s = (self.store.clock() - state.touched_at).total_seconds() if state.touched_at else 0.0
        if state.status == "aborting" and silent_s > self.config.lease_s and job.cancel_requested:
            # Cancelled while its worker was gone: nobody will finish it in the engine.
            self._finish_cancelled(job)
            return
        if state.status == "aborting" and silent_s > self.config.lease_s + STRANDED_ABORT_S:
            # Not a cancel: a sweep marks a silent job aborting, waits a second for its worker, then requeues
            # it. (Taken for a cancel, a sweep run by a worker lost the job.) One left aborting this long had
            # its sweeper stop half way: nobody will requeue it in the engine, so it is handed out again.
            log.warning("job %d was left half swept in the engine; handing it out again", job.id)
            self._forget(job.id)
            self._hand_out(job)
            return
        values = {
            "worker_id": state.worker_id,
            "attempts": state.attempts,
            "stage": state.stage or "rendering",
            "progress": state.progress,
            "eta_s": state.eta_s,
            "started_at": state.started_at or job.started_at,
        }
        if self._changed(job.id, values, beat_s):
            self.store.mirror_engine(job.id, **values)

    def _rendered(self, job: Job, state: EngineJob) -> None:
        if job.cancel_requested:  # asked while the worker finished its encode: the video is not posted
            self._finish_cancelled(job)
            return
        try:
            video = self.engine.output(job.id)
        except FileTooLarge as exc:  # only a worker that skipped its own check sends one (a bucket takes any size)
            log.warning("job %d failed: %s", job.id, exc)
            self.store.mark_failed(job.id, exc.user_message(), f"{exc} (GANTERP_QUEUE_MAX_FILE_BYTES)")
            self._forget(job.id)
            return
        if video is None:  # expired before the dispatcher came back (GANTERP_QUEUE_FILE_TTL_S)
            log.warning("job %d was rendered but its video expired in the engine; rendering it again", job.id)
            self._hand_out(job)
            return
        self._save_preview(job.id)
        output = self.store.output_dir / f"job-{job.id}.mp4"
        sidecar = state.result.get("sidecar")
        try:
            write_atomically(output, video)
            if isinstance(sidecar, str):
                write_atomically(output.with_suffix(".json"), sidecar.encode())
        except OSError as exc:  # the outputs folder is full (or gone): the job must not keep a worker's slot
            output.unlink(missing_ok=True)
            self._not_saved(job, state, exc)
            return
        self.store.mirror_engine(job.id, worker_id=state.worker_id, attempts=state.attempts)
        seed = int(state.result.get("seed", job.seed))
        self.store.mark_rendered(job.id, output, len(video), seed)
        took = state.result.get("render_s")
        log.info(
            "job %d rendered by %s%s, %.2f MiB back through the engine",
            job.id,
            state.worker_id,
            f" in {took:.1f} s" if isinstance(took, float) else "",
            len(video) / 2**20,
        )
        self._forget(job.id)
        hand_over(self.store, self._deliver, job.id, output)

    def _save_preview(self, job_id: int) -> None:
        """Keep the preview a worker sent, if any; one that cannot be saved (a full disk) is dropped, not retried."""
        preview = self.engine.take_preview(job_id)
        if preview is None:
            return
        try:
            self.store.save_preview(job_id, preview)
        except OSError as exc:
            log.warning("job %d: its preview could not be saved (%s); dropped", job_id, exc.strerror or exc)

    def _not_saved(self, job: Job, state: EngineJob, exc: OSError) -> None:
        """The video came back but cannot be written: the job goes back to the queue (or fails, its attempts spent).

        Either way it leaves the engine, so the worker slot it held goes to the next job; nothing partial stays.
        """
        reason = exc.strerror or type(exc).__name__
        attempts, most = state.attempts, self.store.limits.max_attempts
        if attempts >= most:
            log.error(
                "job %d failed: its video could not be saved in the outputs folder (%s), %d times",
                job.id,
                reason,
                attempts,
            )
            self.store.mirror_engine(job.id, worker_id=state.worker_id, attempts=attempts)
            self.store.mark_failed(
                job.id, MACHINE_FAULT_MESSAGE.format(job_id=job.id), f"the outputs folder: {reason} ({attempts} times)"
            )
        else:
            log.error(
                "job %d: its video could not be saved in the outputs folder (%s); back in the queue (attempt %d of %d)",
                job.id,
                reason,
                attempts,
                most,
            )
            self.store.requeue_from_engine(job.id, attempts)
        self._forget(job.id)

    def _failed(self, job: Job, state: EngineJob) -> None:
        user_error = state.result.get("user_error")
        operator_error = state.result.get("operator_error") or state.error or "the engine reported a failure"
        if not isinstance(user_error, str):
            user_error = MACHINE_FAULT_MESSAGE.format(job_id=job.id)
        log.info("job %d failed on %s: %s", job.id, state.worker_id, str(operator_error).splitlines()[0][:200])
        self.store.mirror_engine(job.id, worker_id=state.worker_id, attempts=state.attempts)
        self.store.mark_failed(job.id, user_error, str(operator_error))
        self._forget(job.id)

    def _aborted(self, job: Job, state: EngineJob) -> None:
        if job.cancel_requested or state.error != "swept":  # a cancel, here or from the engine's dashboard
            self._finish_cancelled(job)
            return
        # The engine's sweep gave up: every attempt's worker went silent (killed, out of memory).
        log.warning("job %d failed: its workers stopped heartbeating %d times", job.id, state.attempts)
        self.store.mirror_engine(job.id, attempts=state.attempts)
        self.store.mark_failed(
            job.id,
            f"the render stopped {state.attempts} times; please try a shorter clip.",
            f"worker {state.worker_id} stopped heartbeating {state.attempts} times",
        )
        self._forget(job.id)

    def _forget(self, job_id: int) -> None:
        self.engine.forget(job_id)
        self._written.pop(job_id, None)

    def _finish_cancelled(self, job: Job) -> None:
        self.store.mark_cancelled(job.id)
        log.info("job %d cancelled", job.id)
        self._forget(job.id)


@dataclass(frozen=True)
class _Stuck:
    """A job whose following failed: why, how many times in a row, and when to try again (monotonic)."""

    reason: str
    failures: int
    retry_at: float


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"
