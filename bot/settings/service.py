"""The sections of settings of the running service: the queue, the job engine (scale-out), and operations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Self
from urllib.parse import SplitResult, urlsplit

from bot.settings.values import Getter, SettingsError, number, path, positive, positive_whole, text, whole
from pipeline.links.urls import redacted

_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_PRESIGNED_MAX_S = 7 * 86_400
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True, kw_only=True)
class QueueSettings:
    """The job log's limits: how many jobs wait, how often one may ask, retries and the lease."""

    title: ClassVar[str] = "The job log and queue"
    max_queued_per_requester: int
    max_queue: int
    cooldown_s: float
    max_attempts: int
    lease_s: float  # a running job silent this long is taken back (embedded: by a worker; engine: by the sweep)

    @classmethod
    def read(cls, get: Getter) -> Self:
        """This section from the environment, checked."""
        return cls(
            max_queued_per_requester=positive_whole(
                get("GANTERP_MAX_QUEUED_PER_REQUESTER"), "GANTERP_MAX_QUEUED_PER_REQUESTER"
            )
            or 3,
            max_queue=positive_whole(get("GANTERP_MAX_QUEUE"), "GANTERP_MAX_QUEUE") or 200,
            cooldown_s=number(get("GANTERP_COOLDOWN_S"), "GANTERP_COOLDOWN_S") or 0.0,
            max_attempts=positive_whole(get("GANTERP_MAX_ATTEMPTS"), "GANTERP_MAX_ATTEMPTS") or 3,
            lease_s=positive(get("GANTERP_LEASE_S"), "GANTERP_LEASE_S") or 45.0,
        )


@dataclass(frozen=True, kw_only=True)
class EngineSettings:
    """Scale-out (bot/jobs/dispatch.py, bot/jobs/engine/): off unless a queue URL is set."""

    title: ClassVar[str] = "Scale-out: the job engine"
    queue_url: str | None = None  # redis://host:6379/0: the job engine carries the jobs to remote workers
    queue_name: str = "ganterp"  # the engine's queue, so several deployments can share one Redis
    queue_max_file_bytes: int = 100 * 2**20  # largest clip or video carried through Redis
    queue_file_ttl_s: int = 86_400  # how long a clip or video may wait in Redis (or its bucket URL stays valid)
    queue_bucket: str | None = None  # s3://bucket/prefix: files travel through this bucket instead of Redis
    s3_endpoint_url: str | None = None  # an S3-compatible service's endpoint (MinIO, R2); None: AWS

    @classmethod
    def read(cls, get: Getter) -> Self:
        """This section from the environment, checked."""
        url = text(get("GANTERP_QUEUE_URL"))
        if url is not None and not url.startswith(("redis://", "rediss://", "unix://")):
            raise SettingsError("GANTERP_QUEUE_URL must be a Redis URL such as redis://host:6379/0 (or empty).")
        max_bytes = positive_whole(get("GANTERP_QUEUE_MAX_FILE_BYTES"), "GANTERP_QUEUE_MAX_FILE_BYTES") or 100 * 2**20
        if max_bytes > 512 * 2**20:  # Redis refuses larger strings (proto-max-bulk-len)
            raise SettingsError(f"GANTERP_QUEUE_MAX_FILE_BYTES must be at most 536870912 (got {max_bytes}).")
        ttl_s = positive_whole(get("GANTERP_QUEUE_FILE_TTL_S"), "GANTERP_QUEUE_FILE_TTL_S") or 86_400
        return cls(
            queue_url=url,
            queue_name=(get("GANTERP_QUEUE_NAME") or "ganterp").strip(),
            queue_max_file_bytes=max_bytes,
            queue_file_ttl_s=ttl_s,
            queue_bucket=_bucket(text(get("GANTERP_QUEUE_BUCKET")), ttl_s),
            s3_endpoint_url=_endpoint(text(get("GANTERP_S3_ENDPOINT_URL"))),
        )


@dataclass(frozen=True, kw_only=True)
class OperationsSettings:
    """Running it: the log level, the engine's dashboard and the heartbeat `ganterp health` reads."""

    title: ClassVar[str] = "Logging, dashboard and health"
    log_level: str | None  # None: each command's own default (INFO for long-running processes)
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int | None = None  # the engine's web dashboard; None: not served
    dashboard_token: str | None = field(default=None, repr=False)  # allows the dashboard's actions; None: read-only
    # bot/jobs/heartbeat.py: touched by long-running commands, read by `ganterp health`.
    heartbeat_file: Path | None = None

    @classmethod
    def read(cls, get: Getter) -> Self:
        """This section from the environment, checked."""
        port = whole(get("GANTERP_DASHBOARD_PORT"), "GANTERP_DASHBOARD_PORT")
        if port is not None and not 1 <= port <= 65_535:
            raise SettingsError(f"GANTERP_DASHBOARD_PORT must be a port from 1 to 65535 (got {port}).")
        return cls(
            log_level=_log_level(get("GANTERP_LOG_LEVEL")),
            dashboard_host=(get("GANTERP_DASHBOARD_HOST") or "127.0.0.1").strip(),
            dashboard_port=port,
            dashboard_token=_dashboard_token(get("GANTERP_DASHBOARD_TOKEN")),
            heartbeat_file=path(get("GANTERP_HEARTBEAT_FILE")),
        )


def _bucket(bucket: str | None, ttl_s: int) -> str | None:
    """GANTERP_QUEUE_BUCKET (s3://bucket/prefix), checked, with the file lifetime a presigned URL allows."""
    if bucket is None:
        return None
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
    return bucket


def _endpoint(endpoint: str | None) -> str | None:
    """GANTERP_S3_ENDPOINT_URL: an http(s) URL without credentials."""
    if endpoint is None:
        return None
    parts = _split(endpoint)
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        raise SettingsError(
            f"GANTERP_S3_ENDPOINT_URL must be an http(s) URL such as https://minio.example:9000, without "
            f"credentials (got {redacted(endpoint)!r})."
        )
    return endpoint


def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (a port that is not a number raises only when read)
    except ValueError:
        return None
    return parts


def _dashboard_token(raw: str | None) -> str | None:
    """GANTERP_DASHBOARD_TOKEN: long enough not to be guessed (empty: the dashboard is read-only)."""
    token = text(raw)
    if token is not None and len(token) < 16:
        raise SettingsError("GANTERP_DASHBOARD_TOKEN must be at least 16 characters (or empty: read-only).")
    return token


def _log_level(raw: str | None) -> str | None:
    if not raw:
        return None
    level = raw.strip().upper()
    if level not in _LOG_LEVELS:
        raise SettingsError(f"GANTERP_LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)} (got {raw!r}).")
    return level
