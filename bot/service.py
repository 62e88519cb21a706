"""What every front end does with a request: check it, record it, and open the job log."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from bot.prepared import PREPARED
from bot.settings import Settings
from pipeline.render import PreparedRender, RenderOptions, prepare
from storage.db import make_engine, migrate, sqlite_url
from storage.jobs import JobRequest, JobStore, QueueLimits, QueuePlace
from storage.models import Job


def database_url(settings: Settings) -> str:
    """The job log's database: the configured URL, else SQLite in the data folder."""
    return settings.database_url or sqlite_url(settings.data_dir)


def open_store(settings: Settings) -> JobStore:
    """The job log at the configured database and data folder, migrated to the newest schema."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(database_url(settings))
    migrate(engine)
    limits = QueueLimits(
        per_requester=settings.max_queued_per_requester,
        total=settings.max_queue,
        cooldown_s=settings.cooldown_s,
        max_attempts=settings.max_attempts,
    )
    return JobStore(engine, settings.data_dir, limits, alive_within_s=settings.lease_s)


@dataclass(frozen=True)
class Accepted:
    """A queued job, what its audio gave, and where it stands."""

    job: Job
    prepared: PreparedRender
    place: QueuePlace | None


def submit_file(
    store: JobStore,
    audio: Path,
    options: RenderOptions,
    *,
    platform: str,
    requester_id: str,
    requester_name: str = "",
    source_kind: str = "file",
    source_ref: str = "",
    source_name: str | None = None,
    words: str | None = None,
    guild_id: str | None = None,
    channel_id: str | None = None,
    message_id: str | None = None,
    tweet_id: str | None = None,
    max_queued: int | None = None,
) -> Accepted:
    """Check the audio and options now (bad input never reaches the queue), then queue the job.

    `source_name` is the clip as its sender named it: messages say that, never the stored copy's path;
    `max_queued` a stricter limit of the requester's waiting jobs where they ask (a Discord server's).
    """
    seed = options.seed if options.seed is not None else secrets.randbelow(2**31)
    prepared = prepare(audio, RenderOptions.from_dict(options.as_dict(), seed=seed), name=source_name)
    request = JobRequest(
        platform=platform,
        requester_id=requester_id,
        requester_name=requester_name or requester_id,
        source_kind=source_kind,
        source_ref=source_ref or audio.name,
        source_name=source_name,
        n_frames=prepared.plan.n_frames,
        audio_file=audio,
        seed=seed,
        options=prepared.options.as_dict(),
        classes=prepared.options.classes,
        words=words,
        guild_id=guild_id,
        channel_id=channel_id,
        message_id=message_id,
        tweet_id=tweet_id,
        max_queued=max_queued,
    )
    job = store.submit(request)
    PREPARED.keep(Path(job.audio_path or ""), prepared)  # the embedded worker of this process does not redo it
    return Accepted(job, prepared, store.place(job.id))


def retention(settings: Settings) -> dt.timedelta:
    """How long outputs and stored audio are kept after a job ends."""
    return dt.timedelta(hours=settings.retention_h)
