"""Submitting: a front end's request becomes a queued job, within the operator's limits, or nothing is stored."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.jobs.base import JobLogBase
from storage.jobs.errors import CoolingDown, QueueFull, TooManyQueued
from storage.models import Job, JobStatus

log = logging.getLogger(__name__)


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


class Submitting(JobLogBase):
    """The front ends' way in: check the limits, keep a copy of the audio, queue the job."""

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
