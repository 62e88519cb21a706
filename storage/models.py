"""The job log's tables: one row per job, every state change timestamped (UTC, timezone-aware)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class JobStatus(StrEnum):
    """Where a job is in its life; the arrows are queued → running → rendered → delivered."""

    QUEUED = "queued"
    RUNNING = "running"
    RENDERED = "rendered"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = (JobStatus.DELIVERED, JobStatus.FAILED, JobStatus.CANCELLED)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores UTC and always returns aware datetimes (SQLite keeps no time zone of its own)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: use timezone-aware UTC")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of the job log."""


class Job(Base):
    """One request for a video, from any front end."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_status_created", "status", "created_at"),
        Index("ix_jobs_requester", "requester_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))  # discord, x, cli, schedule
    requester_id: Mapped[str] = mapped_column(String(64))
    requester_name: Mapped[str] = mapped_column(String(128), default="")
    # Where to answer: whichever the platform uses.
    guild_id: Mapped[str | None] = mapped_column(String(32))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_id: Mapped[str | None] = mapped_column(String(32))
    tweet_id: Mapped[str | None] = mapped_column(String(32))
    # The audio: what the user gave (attachment, link, file) and the stored copy rendered from.
    source_kind: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str | None] = mapped_column(String(256))  # the clip as its sender named it, for messages
    audio_path: Mapped[str | None] = mapped_column(Text)
    words: Mapped[str | None] = mapped_column(Text)
    classes: Mapped[list[int]] = mapped_column(JSON, default=list)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    seed: Mapped[int] = mapped_column(Integer)
    n_frames: Mapped[int | None]  # frames the video will have: with a worker's speed, the job's expected time
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED.value)
    stage: Mapped[str | None] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(default=0.0)
    eta_s: Mapped[float | None]
    attempts: Mapped[int] = mapped_column(default=0)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    worker_id: Mapped[str | None] = mapped_column(String(64))
    # Scale-out: the job engine's key for this job while the engine carries it (None: the embedded queue).
    engine_key: Mapped[str | None] = mapped_column(String(64))
    user_error: Mapped[str | None] = mapped_column(Text)
    operator_error: Mapped[str | None] = mapped_column(Text)
    output_path: Mapped[str | None] = mapped_column(Text)
    output_bytes: Mapped[int | None]
    preview_path: Mapped[str | None] = mapped_column(Text)  # a contact sheet of the job's classes, before the video
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # handed to the engine
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    rendered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    files_removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class GuildSettings(Base):
    """What a Discord server's managers chose: where the bot answers, the daily post, their own limits."""

    __tablename__ = "guild_settings"

    guild_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Channel ids the bot answers in; empty means every channel it can see.
    answer_channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    daily_channel_id: Mapped[str | None] = mapped_column(String(32))
    # Stricter than the operator's limits, never looser; None keeps the operator's.
    max_queued_per_member: Mapped[int | None]
    max_duration_s: Mapped[float | None]
    style: Mapped[str | None] = mapped_column(String(16))  # the render style by default (None: the bot's)
    layout: Mapped[str | None] = mapped_column(String(16))  # the layout for clips that are videos (None: auto)
    blocked_classes: Mapped[list[int] | None] = mapped_column(JSON)  # never rendered here, even when named
    random_safe_only: Mapped[bool | None]  # random fill from the safe set only (None: yes)
    lyrics: Mapped[bool | None]  # classes from the words heard in a clip by default (None: no)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class DiscordPost(Base):
    """The Discord messages of one job: the status message the bot edits, and what the video replies to."""

    __tablename__ = "discord_posts"

    job_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    status_message_id: Mapped[str | None] = mapped_column(String(32))
    reply_to_id: Mapped[str | None] = mapped_column(String(32))
    summary: Mapped[str | None] = mapped_column(Text)  # what the video will show, kept under the status line
    # Set once the job's last word was said (video posted, failure or cancel reported).
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class WorkerRecord(Base):
    """A render worker as the job log sees it: where it runs, how fast it is, what it does."""

    __tablename__ = "workers"

    worker_id: Mapped[str] = mapped_column(String(128), primary_key=True)  # host:pid
    host: Mapped[str] = mapped_column(String(128))
    model: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))  # starting, idle, rendering, stopped
    seconds_per_frame: Mapped[float | None]  # measured on this worker's generator
    current_job_id: Mapped[int | None]
    jobs_done: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class DispatcherLease(Base):
    """Which dispatcher feeds the job engine from this job log: one row, held by one process at a time."""

    __tablename__ = "dispatcher_lease"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)  # "dispatcher": the one lease there is
    holder: Mapped[str] = mapped_column(String(128))  # host:pid of the dispatcher holding it
    acquired_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    renewed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # it lapses once older than the lease
