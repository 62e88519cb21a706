"""The job log's operations: submit, claim, progress, state changes, queue position, recovery, cleanup.

Every write runs in its own short transaction; on SQLite those take the write lock
up front (storage.db), so a claim is one atomic "pick and mark running" and two
workers never take the same job.

A worker's writes are fenced by its claim (`Claim`: who took the job, in which attempt):
once a job was taken back from a worker (its lease ran out while it was paused or cut
off), that worker's progress, heartbeat and end state change nothing, so a job cannot be
finished twice. Workers write through `ClaimedQueue`, which passes their claims along;
front ends write without one. And a job moves only forward: a delivered job never
becomes rendered again.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import statistics
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from pipeline.errors import UserError
from storage.db import session_factory
from storage.lease import DispatcherLeases
from storage.models import FINISHED, Job, JobStatus
from storage.workers import WorkerInfo, WorkerRegistry, fleet_speed

log = logging.getLogger(__name__)

DEFAULT_RENDER_ESTIMATE_S = 60.0  # a job whose frame count is unknown (recorded before counts were kept)
DEFAULT_SECONDS_PER_FRAME = 0.1  # BigGAN-deep-128 on two CPU cores, until a worker measures itself
JOB_OVERHEAD_S = 3.0  # decoding, analysis and the end of the encode, beside the frames
# Hearing the words of a --lyrics job: Whisper tiny.en int8 on two loaded CPU cores took 0.1-0.25 s per
# second of audio (bench/lyrics.py), and its first clip loads the model (about 2 s).
LISTEN_S_PER_AUDIO_S = 0.25
LISTEN_OVERHEAD_S = 2.0
STRAY_MIN_AGE = dt.timedelta(hours=1)
INCOMING = "incoming"  # under the data folder: attachments as they arrive, before their job is stored


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class QueueRefused(UserError):
    """A submission beyond a limit; nothing was stored."""


class QueueFull(QueueRefused):
    def __init__(self, size: int) -> None:
        super().__init__(f"the queue is full ({size} jobs waiting); please try again later.")


class TooManyQueued(QueueRefused):
    def __init__(self, limit: int) -> None:
        super().__init__(f"you already have {limit} jobs waiting; wait for one to finish.")


class CoolingDown(QueueRefused):
    def __init__(self, wait_s: float) -> None:
        self.wait_s = wait_s
        super().__init__(f"please wait {wait_s:.0f} s before asking for another video.")


class JobNotFound(QueueRefused):
    def __init__(self, job_id: int) -> None:
        super().__init__(f"there is no job #{job_id}.")


@dataclass(frozen=True)
class QueueLimits:
    """Operator limits on the queue."""

    per_requester: int = 3
    total: int = 200
    cooldown_s: float = 0.0
    max_attempts: int = 3


@dataclass(frozen=True)
class JobRequest:
    """What a front end hands over: who asks, where to answer, the audio and the render options."""

    platform: str
    requester_id: str
    source_kind: str  # attachment, link, file
    source_ref: str  # the URL or original name, for the log only
    audio_file: Path  # a local file; the store keeps its own copy
    seed: int
    options: dict[str, Any] = field(default_factory=dict)
    classes: Sequence[int] = ()
    words: str | None = None
    requester_name: str = ""
    source_name: str | None = None  # the clip as its sender named it (attachment file name, link)
    n_frames: int | None = None  # frames the video will have
    guild_id: str | None = None
    channel_id: str | None = None
    message_id: str | None = None
    tweet_id: str | None = None
    max_queued: int | None = None  # the requester's waiting jobs allowed where they ask, when stricter (a server's)


@dataclass(frozen=True)
class QueuePlace:
    """Where a queued job stands."""

    position: int  # 1 = next to run
    wait_s: float


@dataclass(frozen=True)
class Claim:
    """Which worker holds a running job, and in which attempt: what its writes are checked against."""

    worker_id: str
    attempt: int


# The states each change may start from.
_TO_RENDERED = (JobStatus.RUNNING,)
_TO_DELIVERED = (JobStatus.RENDERED,)
_TO_FAILED = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.RENDERED)
_TO_CANCELLED = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobStore:
    """The job log and queue on one database and data folder."""

    def __init__(
        self,
        engine: Engine,
        data_dir: Path,
        limits: QueueLimits | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        alive_within_s: float = 120.0,
    ) -> None:
        self._sessions = session_factory(engine)
        self.workers = WorkerRegistry(engine, clock)
        self.leases = DispatcherLeases(engine, clock)
        self.alive_within_s = alive_within_s  # a worker silent longer than this no longer counts
        self.data_dir = data_dir
        self.audio_dir = data_dir / "audio"
        self.output_dir = data_dir / "outputs"
        self.audio_dir.mkdir(parents=True, exist_ok=True)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self.limits = limits or QueueLimits()
        self.clock = clock

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    # ------------------------------------------------------------------ submitting

    def submit(self, request: JobRequest) -> Job:
        """Store a copy of the audio and queue the job, or raise QueueRefused with nothing stored."""
        stored = self.audio_dir / uuid.uuid4().hex  # never a user-supplied name
        shutil.copyfile(request.audio_file, stored)
        try:
            with self._transaction() as session:
                self._check_limits(session, request.requester_id, request.max_queued)
                job = _new_job(request, stored, self.clock())
                session.add(job)
        except BaseException:
            stored.unlink(missing_ok=True)
            raise
        log.info("job %d queued for %s/%s (%s frames)", job.id, request.platform, request.requester_id, job.n_frames)
        return job

    def check_limits(self, requester_id: str, max_queued: int | None = None) -> None:
        """Raise QueueRefused now if a submission by `requester_id` would be refused (before a download)."""
        with self._sessions() as session:
            self._check_limits(session, requester_id, max_queued)

    def _check_limits(self, session: Session, requester_id: str, max_queued: int | None = None) -> None:
        limits = self.limits
        per_requester = limits.per_requester if max_queued is None else min(limits.per_requester, max_queued)
        queued = session.scalar(select(func.count()).where(Job.status == JobStatus.QUEUED.value)) or 0
        if queued >= limits.total:
            raise QueueFull(queued)
        mine = session.scalar(
            select(func.count()).where(Job.status == JobStatus.QUEUED.value, Job.requester_id == requester_id)
        )
        if (mine or 0) >= per_requester:
            raise TooManyQueued(per_requester)
        if limits.cooldown_s > 0:
            last = session.scalar(select(func.max(Job.created_at)).where(Job.requester_id == requester_id))
            if last is not None:
                since = (self.clock() - last.replace(tzinfo=dt.UTC)).total_seconds()
                if since < limits.cooldown_s:
                    raise CoolingDown(limits.cooldown_s - since)

    # ------------------------------------------------------------------ the worker's side

    def claim_next(self, worker_id: str) -> Job | None:
        """Mark the next job running for `worker_id` and return it; None when nothing waits."""
        with self._transaction() as session:
            queued = session.scalars(_queued_query()).all()
            order = fair_order(queued, _last_started(session))
            if not order:
                return None
            job = order[0]
            now = self.clock()
            job.status, job.worker_id, job.attempts = JobStatus.RUNNING.value, worker_id, job.attempts + 1
            job.started_at = job.heartbeat_at = now
            job.stage, job.progress, job.eta_s = "starting", 0.0, None
        log.debug("job %d running on %s (attempt %d)", job.id, worker_id, job.attempts)
        return job

    def for_worker(self, worker_id: str) -> ClaimedQueue:
        """This queue as one worker writes to it: every write fenced by that worker's claims."""
        return ClaimedQueue(self, worker_id)

    # ------------------------------------------------------------------ the dispatcher's side (scale-out)

    def claim_for_engine(self, engine_key: Callable[[int], str]) -> Job | None:
        """Take the next job in fair order out of the queue for the job engine; None when nothing waits.

        The job counts as running from here (limits and round robin treat it as started), and
        `engine_key(job_id)` names the engine's job, so a second hand-over of the same job is the
        same engine job and cannot render it twice. The attempt is counted when a worker takes it.
        """
        with self._transaction() as session:
            order = fair_order(session.scalars(_queued_query()).all(), _last_started(session))
            if not order:
                return None
            job = order[0]
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
        return self._set_status(job_id, JobStatus.RENDERED, _TO_RENDERED, claim, rendered_at=self.clock(),
                                output_path=str(output), output_bytes=size_bytes, seed=seed, progress=1.0,
                                stage="rendered", eta_s=0.0)  # fmt: skip

    def save_preview(self, job_id: int, png: bytes) -> Path:
        """Keep a job's first look (a PNG contact sheet of its classes) beside its video; returns its path."""
        path = self.output_dir / f"job-{job_id}.preview.png"
        partial = path.with_name(f".{path.name}.partial")
        try:
            partial.write_bytes(png)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)  # a full disk leaves no partial file behind
        with self._transaction() as session:
            session.execute(update(Job).where(Job.id == job_id).values(preview_path=str(path)))
        log.debug("job %d preview saved", job_id)
        return path

    def mark_delivered(self, job_id: int) -> bool:
        """The front end posted the video."""
        return self._set_status(job_id, JobStatus.DELIVERED, _TO_DELIVERED, None, delivered_at=self.clock())

    def mark_failed(self, job_id: int, user_error: str, operator_error: str, claim: Claim | None = None) -> bool:
        """The job cannot be done; `user_error` is what the requester is told."""
        return self._set_status(job_id, JobStatus.FAILED, _TO_FAILED, claim, failed_at=self.clock(),
                                user_error=user_error, operator_error=operator_error)  # fmt: skip

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

    # ------------------------------------------------------------------ the workers

    def worker_started(self, info: WorkerInfo, seconds_per_frame: float | None) -> None:
        """A worker is ready to render, at this measured speed."""
        self.workers.started(info, seconds_per_frame)

    def worker_beat(self, worker_id: str, state: str, job_id: int | None) -> None:
        """A worker is alive, idle or rendering `job_id`."""
        self.workers.beat(worker_id, state, job_id)

    def worker_finished_job(self, worker_id: str, seconds_per_frame: float) -> None:
        """A worker finished a job at this speed."""
        self.workers.finished_job(worker_id, seconds_per_frame)

    def worker_stopped(self, worker_id: str) -> None:
        """A worker stopped cleanly."""
        self.workers.stopped(worker_id)

    # ------------------------------------------------------------------ front ends and operators

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

    def get(self, job_id: int) -> Job:
        """One job, or JobNotFound."""
        with self._sessions() as session:
            job = session.get(Job, job_id)
            if job is None:
                raise JobNotFound(job_id)
            return job

    def status_of(self, job_id: int) -> str | None:
        """A job's status, or None when the job log has no such job."""
        with self._sessions() as session:
            return session.scalar(select(Job.status).where(Job.id == job_id))

    def recent(self, limit: int = 20, requester_id: str | None = None) -> list[Job]:
        """The newest jobs first."""
        query = select(Job).order_by(Job.id.desc()).limit(limit)
        if requester_id is not None:
            query = query.where(Job.requester_id == requester_id)
        with self._sessions() as session:
            return list(session.scalars(query).all())

    def find_by_source(self, platform: str, source_prefix: str) -> list[Job]:
        """Jobs of a platform whose source reference starts with `source_prefix`, oldest first."""
        query = select(Job).where(Job.platform == platform, Job.source_ref.startswith(source_prefix, autoescape=True))
        with self._sessions() as session:
            return list(session.scalars(query.order_by(Job.id)).all())

    def find_by_tweet(self, platform: str, tweet_id: str) -> list[Job]:
        """The jobs queued for one post (the X mention they answer)."""
        with self._sessions() as session:
            return list(session.scalars(select(Job).where(Job.platform == platform, Job.tweet_id == tweet_id)).all())

    def failed_after(self, platform: str, after_id: int) -> list[Job]:
        """Failed jobs of a platform with ids above `after_id`, oldest first (for telling their requesters)."""
        query = select(Job).where(Job.platform == platform, Job.status == JobStatus.FAILED.value, Job.id > after_id)
        with self._sessions() as session:
            return list(session.scalars(query.order_by(Job.id)).all())

    def all_finished_through(self, platform: str, after_id: int) -> int:
        """The highest job id from `after_id` on up to which every job of `platform` has finished."""
        unfinished = [s.value for s in JobStatus if s not in FINISHED]
        where = (Job.platform == platform, Job.id > after_id)
        with self._sessions() as session:
            first_open = session.scalar(select(func.min(Job.id)).where(*where, Job.status.in_(unfinished)))
            if first_open is not None:
                return int(first_open) - 1
            return int(session.scalar(select(func.max(Job.id)).where(*where)) or after_id)

    def undelivered(self, platform: str) -> list[Job]:
        """Rendered jobs a front end has not posted yet (after a restart too), oldest first."""
        with self._sessions() as session:
            query = select(Job).where(Job.status == JobStatus.RENDERED.value, Job.platform == platform)
            return list(session.scalars(query.order_by(Job.id)).all())

    def place(self, job_id: int) -> QueuePlace | None:
        """Queue position and estimated wait of a queued job (None once it started).

        Each job's time is its frame count times the workers' measured seconds per frame
        (else the speed of past jobs, else a default), and the live workers share the queue.
        """
        live = self.workers.alive(self.alive_within_s)
        with self._sessions() as session:
            order = fair_order(session.scalars(_queued_query()).all(), _last_started(session))
            ids = [job.id for job in order]
            if job_id not in ids:
                return None
            position = ids.index(job_id) + 1
            estimate = _estimator(fleet_speed(live) or _past_seconds_per_frame(session))
            running = session.scalars(select(Job).where(Job.status == JobStatus.RUNNING.value)).all()
            busy = sum((job.eta_s if job.eta_s is not None else estimate(job)) for job in running)
            ahead = sum(estimate(job) for job in order[: position - 1])
            return QueuePlace(position, (busy + ahead) / max(1, len(live)) + estimate(order[position - 1]))

    def estimated_render_s(self, job: Job) -> float:
        """How long `job` should take to render on a typical live worker."""
        live = self.workers.alive(self.alive_within_s)
        with self._sessions() as session:
            return _estimator(fleet_speed(live) or _past_seconds_per_frame(session))(job)

    def stats(self) -> dict[str, Any]:
        """Counts by status and platform, mean wait and render time."""
        with self._sessions() as session:
            jobs = session.scalars(select(Job)).all()
        by_status: dict[str, int] = {}
        by_platform: dict[str, dict[str, Any]] = {}
        for job in jobs:
            by_status[job.status] = by_status.get(job.status, 0) + 1
            entry = by_platform.setdefault(job.platform, {"jobs": 0, "waits": [], "renders": []})
            entry["jobs"] += 1
            if job.started_at is not None:
                entry["waits"].append((job.started_at - job.created_at).total_seconds())
            if job.rendered_at is not None and job.started_at is not None:
                entry["renders"].append((job.rendered_at - job.started_at).total_seconds())
        platforms = {
            name: {"jobs": e["jobs"], "mean_wait_s": _mean(e["waits"]), "mean_render_s": _mean(e["renders"])}
            for name, e in by_platform.items()
        }
        return {"total": len(jobs), "by_status": by_status, "by_platform": platforms}

    def cleanup(self, retention: dt.timedelta) -> int:
        """Delete stored audio and outputs of jobs finished longer ago than `retention`; returns how many jobs."""
        cutoff = self.clock() - retention
        cleaned = 0
        with self._transaction() as session:
            old = session.scalars(
                select(Job).where(Job.status.in_([s.value for s in FINISHED]), Job.files_removed_at.is_(None))
            ).all()
            for job in old:
                ended = job.delivered_at or job.failed_at or job.cancelled_at
                if ended is None or ended > cutoff:
                    continue
                for name in (job.audio_path, job.output_path, job.preview_path):
                    if name:
                        Path(name).unlink(missing_ok=True)
                        Path(name).with_suffix(".json").unlink(missing_ok=True)
                job.files_removed_at = self.clock()
                cleaned += 1
        return cleaned

    def remove_strays(self, retention: dt.timedelta) -> int:
        """Delete files older than `retention` in the data folders that no job's record holds on to.

        What a killed process leaves: a download before its job was stored, a partial video,
        the files of a job whose record was never written. Returns how many files.
        """
        # Never younger than an hour, whatever the retention: a download or an encode may be writing it.
        cutoff = (self.clock() - max(retention, STRAY_MIN_AGE)).timestamp()
        with self._sessions() as session:
            rows = session.execute(
                select(Job.audio_path, Job.output_path, Job.preview_path).where(Job.files_removed_at.is_(None))
            ).all()
        kept = {Path(name) for row in rows for name in row if name}
        kept |= {path.with_suffix(".json") for path in kept}
        removed = 0
        for folder in (self.audio_dir, self.output_dir, self.data_dir / INCOMING):
            for path in folder.glob("*") if folder.is_dir() else ():
                if path.is_file() and path not in kept and path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed


def _held(job: Job, claim: Claim | None) -> bool:
    """Whether a job is running and, if a claim is given, still under it."""
    if job.status != JobStatus.RUNNING.value:
        return False
    return claim is None or (job.worker_id, job.attempts) == (claim.worker_id, claim.attempt)


class ClaimedQueue:
    """A JobStore as one worker writes to it (bot.jobs.worker.RenderQueue): its writes carry its claims.

    Each worker has its own, so two workers (threads or processes) on one job log are never
    taken for each other, and front ends, which write to the JobStore itself, are never refused
    because of a worker's claim.
    """

    def __init__(self, store: JobStore, worker_id: str) -> None:
        self.store, self.worker_id = store, worker_id
        self.output_dir = store.output_dir
        self._claims: dict[int, Claim] = {}

    def for_worker(self, worker_id: str) -> ClaimedQueue:
        """The same job log as another worker writes to it."""
        return self.store.for_worker(worker_id)

    def claim_next(self, worker_id: str) -> Job | None:
        """The next job, taken under this worker's claim."""
        job = self.store.claim_next(worker_id)
        if job is not None:
            self._claims[job.id] = Claim(worker_id, job.attempts)
        return job

    def report_progress(self, job_id: int, stage: str, progress: float, eta_s: float | None) -> bool:
        """Progress under the claim; True when the render should stop (cancelled, or no longer this worker's)."""
        return self.store.report_progress(job_id, stage, progress, eta_s, self._claims.get(job_id, _NO_CLAIM))

    def heartbeat(self, job_id: int) -> None:
        """A heartbeat under the claim (nothing once the job was taken back)."""
        self.store.heartbeat(job_id, self._claims.get(job_id, _NO_CLAIM))

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

    def mark_delivered(self, job_id: int) -> bool:
        """The hand-over's delivery (a command-line job's file is written): the front end's write."""
        return self.store.mark_delivered(job_id)

    def _ending(self, job_id: int) -> Claim:
        return self._claims.pop(job_id, _NO_CLAIM)

    def recover_stale(self, lease_s: float, worker_is_dead: Callable[[str], bool] | None = None) -> list[int]:
        """As JobStore.recover_stale."""
        return self.store.recover_stale(lease_s, worker_is_dead)

    def save_preview(self, job_id: int, png: bytes) -> Path:
        """As JobStore.save_preview."""
        return self.store.save_preview(job_id, png)

    def get(self, job_id: int) -> Job:
        """As JobStore.get."""
        return self.store.get(job_id)

    def worker_started(self, info: WorkerInfo, seconds_per_frame: float | None) -> None:
        """As JobStore.worker_started."""
        self.store.worker_started(info, seconds_per_frame)

    def worker_beat(self, worker_id: str, state: str, job_id: int | None) -> None:
        """As JobStore.worker_beat."""
        self.store.worker_beat(worker_id, state, job_id)

    def worker_finished_job(self, worker_id: str, seconds_per_frame: float) -> None:
        """As JobStore.worker_finished_job."""
        self.store.worker_finished_job(worker_id, seconds_per_frame)

    def worker_stopped(self, worker_id: str) -> None:
        """As JobStore.worker_stopped."""
        self.store.worker_stopped(worker_id)


_NO_CLAIM = Claim("", -1)  # a job this worker never claimed (or already ended): none of its writes land


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


def _new_job(request: JobRequest, stored: Path, now: dt.datetime) -> Job:
    return Job(
        platform=request.platform,
        requester_id=request.requester_id,
        requester_name=request.requester_name,
        guild_id=request.guild_id,
        channel_id=request.channel_id,
        message_id=request.message_id,
        tweet_id=request.tweet_id,
        source_kind=request.source_kind,
        source_ref=request.source_ref,
        source_name=request.source_name,
        n_frames=request.n_frames,
        audio_path=str(stored),
        words=request.words,
        classes=list(request.classes),
        options=dict(request.options),
        seed=request.seed,
        status=JobStatus.QUEUED.value,
        progress=0.0,
        attempts=0,
        cancel_requested=False,
        created_at=now,
    )


def _queued_query() -> Any:
    return select(Job).where(Job.status == JobStatus.QUEUED.value).order_by(Job.created_at, Job.id)


def _last_started(session: Session) -> dict[str, dt.datetime]:
    rows = session.execute(
        select(Job.requester_id, func.max(Job.started_at)).where(Job.started_at.is_not(None)).group_by(Job.requester_id)
    ).all()
    return {requester: started.replace(tzinfo=dt.UTC) for requester, started in rows if started is not None}


def fair_order(queued: Sequence[Job], last_started: dict[str, dt.datetime]) -> list[Job]:
    """Round-robin between requesters, in arrival order within each.

    Requesters take turns: the one whose last job started longest ago (or never) goes
    first, then the next; one person's ten jobs do not hold everyone else back.
    """
    per_requester: dict[str, list[Job]] = {}
    for job in queued:  # already in arrival order
        per_requester.setdefault(job.requester_id, []).append(job)
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    turns = sorted(per_requester, key=lambda r: (last_started.get(r, epoch), per_requester[r][0].id))
    order: list[Job] = []
    depth = 0
    while len(order) < len(queued):
        order += [per_requester[r][depth] for r in turns if depth < len(per_requester[r])]
        depth += 1
    return order


def _estimator(seconds_per_frame: float | None) -> Callable[[Job], float]:
    per_frame = seconds_per_frame or DEFAULT_SECONDS_PER_FRAME

    def estimate(job: Job) -> float:
        if job.n_frames is None:
            return DEFAULT_RENDER_ESTIMATE_S
        return JOB_OVERHEAD_S + job.n_frames * per_frame + _listening_s(job)

    return estimate


def _listening_s(job: Job) -> float:
    """The time a job spends hearing its clip's words (--lyrics): none for the others."""
    options = job.options or {}
    fps = options.get("fps")
    if not options.get("lyrics") or not job.n_frames or not isinstance(fps, int | float) or fps <= 0:
        return 0.0
    return LISTEN_OVERHEAD_S + job.n_frames / fps * LISTEN_S_PER_AUDIO_S


def _past_seconds_per_frame(session: Session) -> float | None:
    """The median time per frame of the last rendered jobs (overheads included), if any were counted."""
    recent = session.execute(
        select(Job.started_at, Job.rendered_at, Job.n_frames)
        .where(Job.rendered_at.is_not(None), Job.n_frames.is_not(None))
        .order_by(Job.id.desc())
        .limit(20)
    ).all()
    rates = [
        (done - start).total_seconds() / frames
        for start, done, frames in recent
        if start is not None and done is not None and frames
    ]
    return statistics.median(rates) if rates else None


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None
