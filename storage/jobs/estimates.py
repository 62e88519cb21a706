"""How long the queue is: a queued job's place and wait, and the log's statistics."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.jobs.base import JobLogBase
from storage.jobs.order import queued_in_order
from storage.models import Job, JobStatus
from storage.workers import fleet_speed

DEFAULT_RENDER_ESTIMATE_S = 60.0  # a job whose frame count is unknown (recorded before counts were kept)
DEFAULT_SECONDS_PER_FRAME = 0.1  # BigGAN-deep-128 on two CPU cores, until a worker measures itself
JOB_OVERHEAD_S = 3.0  # decoding, analysis and the end of the encode, beside the frames
# Hearing the words of a --lyrics job: Whisper tiny.en int8 on two loaded CPU cores took 0.1-0.25 s per
# second of audio (bench/lyrics.py), and its first clip loads the model (about 2 s).
LISTEN_S_PER_AUDIO_S = 0.25
LISTEN_OVERHEAD_S = 2.0


@dataclass(frozen=True)
class QueuePlace:
    """Where a queued job stands."""

    position: int  # 1 = next to run
    wait_s: float


class Estimates(JobLogBase):
    """Queue places, waits and statistics."""

    def place(self, job_id: int) -> QueuePlace | None:
        """Queue position and estimated wait of a queued job (None once it started).

        Each job's time is its frame count times the workers' measured seconds per frame
        (else the speed of past jobs, else a default), and the live workers share the queue.
        """
        live = self.workers.alive(self.alive_within_s)
        with self._sessions() as session:
            order = queued_in_order(session)
            ids = [job.id for job in order]
            if job_id not in ids:
                return None
            position = ids.index(job_id) + 1
            estimate = estimator(fleet_speed(live) or _past_seconds_per_frame(session))
            running = session.scalars(select(Job).where(Job.status == JobStatus.RUNNING.value)).all()
            busy = sum((job.eta_s if job.eta_s is not None else estimate(job)) for job in running)
            ahead = sum(estimate(job) for job in order[: position - 1])
            return QueuePlace(position, (busy + ahead) / max(1, len(live)) + estimate(order[position - 1]))

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


def estimator(seconds_per_frame: float | None) -> Callable[[Job], float]:
    """A job's expected render time at `seconds_per_frame` (a default speed when None)."""
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
