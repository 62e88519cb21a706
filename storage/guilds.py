"""Discord's own rows: per-server settings chosen by its managers, and the messages of each job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from storage.clock import utcnow
from storage.db import session_factory
from storage.models import DiscordPost, GuildSettings


@dataclass(frozen=True)
class ServerSettings:
    """A server's choices; the defaults are what a server that chose nothing gets."""

    guild_id: str
    answer_channels: tuple[str, ...] = ()  # empty: every channel
    daily_channel_id: str | None = None
    max_queued_per_member: int | None = None
    max_duration_s: float | None = None
    style: str | None = None  # the render style when a request names none (None: the bot's default)
    blocked_classes: tuple[int, ...] = ()  # never rendered on this server, even when named
    random_safe_only: bool = True  # random fill leaves out the classes unsafe for random picks
    layout: str | None = None  # where the GANterpretation goes beside a clip's own video (None: auto)
    lyrics: bool = False  # classes from the words heard in a clip when a request does not say

    def answers_in(self, channel_id: str) -> bool:
        """Whether the bot answers requests made in this channel."""
        return not self.answer_channels or channel_id in self.answer_channels


@dataclass(frozen=True)
class PostRecord:
    """Where a job's messages are in Discord."""

    job_id: int
    channel_id: str
    status_message_id: str | None
    reply_to_id: str | None
    summary: str = ""  # what the video will show (words read, random fill), under the status line


class GuildStore:
    """Per-server settings and per-job Discord messages on the job log's database."""

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._sessions = session_factory(engine)
        self.clock = clock

    def settings(self, guild_id: str) -> ServerSettings:
        """A server's settings (defaults when it never chose any)."""
        with self._sessions() as session:
            row = session.get(GuildSettings, guild_id)
            if row is None:
                return ServerSettings(guild_id)
            return ServerSettings(
                guild_id,
                tuple(row.answer_channels),
                row.daily_channel_id,
                row.max_queued_per_member,
                row.max_duration_s,
                row.style,
                tuple(row.blocked_classes or ()),
                row.random_safe_only is not False,
                row.layout,
                row.lyrics is True,
            )

    def update(self, guild_id: str, **values: Any) -> ServerSettings:
        """Change some of a server's settings (names as in ServerSettings) and return them all."""
        unknown = set(values) - set(ServerSettings.__dataclass_fields__) - {"guild_id"}
        if unknown:
            raise ValueError(f"unknown server settings: {sorted(unknown)}")
        with self._sessions() as session, session.begin():
            row = session.get(GuildSettings, guild_id)
            if row is None:
                row = GuildSettings(guild_id=guild_id, answer_channels=[])
                session.add(row)
            for name, value in values.items():
                setattr(row, name, list(value) if name in ("answer_channels", "blocked_classes") else value)
            row.updated_at = self.clock()
        return self.settings(guild_id)

    def daily_channels(self) -> dict[str, str]:
        """guild id → daily-post channel id, for every server that chose one."""
        with self._sessions() as session:
            rows = session.execute(
                select(GuildSettings.guild_id, GuildSettings.daily_channel_id).where(
                    GuildSettings.daily_channel_id.is_not(None)
                )
            ).all()
        return {guild: channel for guild, channel in rows if channel is not None}

    # ------------------------------------------------------------------ job messages

    def record_post(
        self, job_id: int, channel_id: str, status_message_id: str | None, reply_to_id: str | None, summary: str = ""
    ) -> None:
        """Remember the status message of a job, what the video should reply to, and what it will show."""
        with self._sessions() as session, session.begin():
            row = session.get(DiscordPost, job_id) or DiscordPost(job_id=job_id)
            row.channel_id, row.status_message_id, row.reply_to_id = channel_id, status_message_id, reply_to_id
            row.summary = summary or row.summary
            session.add(row)

    def post(self, job_id: int) -> PostRecord | None:
        """A job's messages, if it has any."""
        with self._sessions() as session:
            row = session.get(DiscordPost, job_id)
            return None if row is None else _record(row)

    def open_posts(self) -> list[PostRecord]:
        """Jobs whose status message still waits for its last edit, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(DiscordPost).where(DiscordPost.closed_at.is_(None)).order_by(DiscordPost.job_id)
            ).all()
            return [_record(row) for row in rows]

    def close_post(self, job_id: int) -> None:
        """The job's last word was said."""
        with self._sessions() as session, session.begin():
            row = session.get(DiscordPost, job_id)
            if row is not None:
                row.closed_at = self.clock()


def _record(row: DiscordPost) -> PostRecord:
    return PostRecord(row.job_id, row.channel_id, row.status_message_id, row.reply_to_id, row.summary or "")
