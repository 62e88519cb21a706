"""The sections of settings of each front end: Discord, X and the daily post."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Self

from bot.settings.values import Getter, SettingsError, flag, number, path, positive, positive_whole, text, whole


@dataclass(frozen=True, kw_only=True)
class DiscordSettings:
    """The Discord front end (`ganterp bot`, bot/discord/); off unless DISCORD_TOKEN is set."""

    title: ClassVar[str] = "Discord"
    discord_token: str | None = field(default=None, repr=False)
    discord_guild_id: int | None = None  # also sync the commands to this one server at once (testing)
    discord_message_content: bool = False  # the privileged intent: clips in replied-to messages
    discord_progress_s: float = 5.0  # how often status messages are edited
    discord_fps: float = 24.0
    discord_size: int | None = 256
    # Bytes of clips being fetched and checked at once (attachments at their declared size, links at their cap).
    discord_inflight_bytes: int = 128 * 2**20
    clips_dir: Path | None = None  # the `/ganterp random` library (default: $GANTERP_DATA_DIR/clips)
    discord_shards: int | str | None = None  # None: one connection; "auto": Discord's count; N: that many

    @classmethod
    def read(cls, get: Getter) -> Self:
        """This section from the environment, checked."""
        return cls(
            discord_token=text(get("DISCORD_TOKEN")),
            discord_guild_id=whole(get("GANTERP_DISCORD_GUILD_ID"), "GANTERP_DISCORD_GUILD_ID"),
            discord_message_content=flag(
                get("GANTERP_DISCORD_MESSAGE_CONTENT"), "GANTERP_DISCORD_MESSAGE_CONTENT", default=False
            ),
            discord_progress_s=max(
                positive(get("GANTERP_DISCORD_PROGRESS_S"), "GANTERP_DISCORD_PROGRESS_S") or 5.0, 2.0
            ),
            discord_fps=positive(get("GANTERP_DISCORD_FPS"), "GANTERP_DISCORD_FPS") or 24.0,
            discord_size=whole(get("GANTERP_DISCORD_SIZE"), "GANTERP_DISCORD_SIZE") or 256,
            discord_inflight_bytes=_inflight_bytes(get("GANTERP_DISCORD_INFLIGHT_BYTES")),
            clips_dir=path(get("GANTERP_CLIPS_DIR")),
            discord_shards=_shards(get("GANTERP_DISCORD_SHARDS")),
        )


def _inflight_bytes(raw: str | None) -> int:
    """GANTERP_DISCORD_INFLIGHT_BYTES: at least 1 MiB, so a short clip still gets through."""
    name = "GANTERP_DISCORD_INFLIGHT_BYTES"
    value = positive_whole(raw, name) or 128 * 2**20
    if value < 2**20:
        raise SettingsError(f"{name} must be at least 1048576 (1 MiB; got {value}).")
    return value


def _shards(raw: str | None) -> int | str | None:
    """GANTERP_DISCORD_SHARDS: empty (one connection), auto (Discord's count) or a number of shards."""
    shards = (raw or "").strip().lower()
    if shards == "auto":
        return "auto"
    return positive_whole(shards, "GANTERP_DISCORD_SHARDS") if shards else None


@dataclass(frozen=True, kw_only=True)
class XSettings:
    """The X front end (bot/x/); off unless the five credentials are set. Secrets stay out of repr, and so logs."""

    title: ClassVar[str] = "X (Twitter)"
    # OAuth 1.0a app key: posting replies and uploading media
    x_consumer_key: str | None = field(default=None, repr=False)
    x_consumer_secret: str | None = field(default=None, repr=False)
    x_access_token: str | None = field(default=None, repr=False)  # OAuth 1.0a user token of the bot's account
    x_access_token_secret: str | None = field(default=None, repr=False)
    x_bearer_token: str | None = field(default=None, repr=False)  # app-only token: reading mentions and posts
    x_poll_s: float = 120.0
    x_daily_reads: int = 500  # posts read per UTC day (pay-per-use: each costs)
    x_daily_posts: int = 100  # posts written per UTC day (replies, refusals included)
    x_reply_on_refusal: bool = True
    x_video_size: int = 720  # square side of the reply video; X takes at most 1280x1024
    x_max_duration_s: float = 140.0  # X's longest video for ordinary accounts; longer clips are trimmed
    x_max_bytes: int = 64 * 2**20  # cap on the reply video and on the downloaded clip
    x_api_host: str = "https://api.x.com"  # media upload host (tests point it at a local server)

    @classmethod
    def read(cls, get: Getter) -> Self:
        """This section from the environment, checked against what X accepts."""
        size = whole(get("GANTERP_X_VIDEO_SIZE"), "GANTERP_X_VIDEO_SIZE") or 720
        if not (32 <= size <= 1024 and size % 2 == 0):
            raise SettingsError(f"GANTERP_X_VIDEO_SIZE must be an even number of pixels from 32 to 1024 (got {size}).")
        duration = number(get("GANTERP_X_MAX_DURATION_S"), "GANTERP_X_MAX_DURATION_S") or 140.0
        if not 1.0 <= duration <= 140.0:
            raise SettingsError(f"GANTERP_X_MAX_DURATION_S must be from 1 to 140 seconds (got {duration:g}).")
        max_bytes = whole(get("GANTERP_X_MAX_BYTES"), "GANTERP_X_MAX_BYTES") or 64 * 2**20
        if not 100_000 <= max_bytes <= 512 * 2**20:
            raise SettingsError(f"GANTERP_X_MAX_BYTES must be from 100000 to 536870912 (got {max_bytes}).")
        reads = whole(get("GANTERP_X_DAILY_READS"), "GANTERP_X_DAILY_READS")
        posts = whole(get("GANTERP_X_DAILY_POSTS"), "GANTERP_X_DAILY_POSTS")
        return cls(
            x_consumer_key=get("GANTERP_X_CONSUMER_KEY") or None,
            x_consumer_secret=get("GANTERP_X_CONSUMER_SECRET") or None,
            x_access_token=get("GANTERP_X_ACCESS_TOKEN") or None,
            x_access_token_secret=get("GANTERP_X_ACCESS_TOKEN_SECRET") or None,
            x_bearer_token=get("GANTERP_X_BEARER_TOKEN") or None,
            x_poll_s=max(positive(get("GANTERP_X_POLL_S"), "GANTERP_X_POLL_S") or 120.0, 15.0),
            x_daily_reads=500 if reads is None else reads,
            x_daily_posts=100 if posts is None else posts,
            x_reply_on_refusal=flag(get("GANTERP_X_REPLY_ON_REFUSAL"), "GANTERP_X_REPLY_ON_REFUSAL", default=True),
            x_video_size=size,
            x_max_duration_s=duration,
            x_max_bytes=max_bytes,
            x_api_host=(get("GANTERP_X_API_HOST") or "https://api.x.com").rstrip("/"),
        )


@dataclass(frozen=True, kw_only=True)
class DailySettings:
    """The scheduled daily post (bot/jobs/scheduler.py); off unless a time is set."""

    title: ClassVar[str] = "The daily post"
    daily_post_time: str | None = None  # "HH:MM"
    daily_post_tz: str = "UTC"
    daily_theme: str | None = None  # words for the classes; random classes when unset
    daily_grace_s: int = 3600  # a run missed while the bot was down is made up within this, else skipped
    daily_on_x: bool = True  # also post the daily video on X when X is configured

    @classmethod
    def read(cls, get: Getter) -> Self:
        """This section from the environment, checked."""
        grace = whole(get("GANTERP_DAILY_GRACE_S"), "GANTERP_DAILY_GRACE_S")
        return cls(
            daily_post_time=text(get("GANTERP_DAILY_POST_TIME")),
            daily_post_tz=get("GANTERP_DAILY_POST_TZ") or "UTC",
            daily_theme=get("GANTERP_DAILY_THEME") or None,
            daily_grace_s=3600 if grace is None else grace,
            daily_on_x=flag(get("GANTERP_DAILY_ON_X"), "GANTERP_DAILY_ON_X", default=True),
        )
