"""The one place that reads the environment (and `.env`): a typed, frozen settings object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

from pipeline.weights import DEFAULT_URL_TEMPLATES


class SettingsError(ValueError):
    """A setting is malformed; the message names it."""


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
    log_level: str
    data_dir: Path
    database_url: str | None
    max_queued_per_requester: int
    max_queue: int
    cooldown_s: float
    max_attempts: int
    lease_s: float
    retention_h: float

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
            model=get("GANTERP_MODEL") or "biggan-deep-128",
            weights_urls=tuple(u.strip() for u in urls.split(",") if u.strip()) if urls else DEFAULT_URL_TEMPLATES,
            allow_download=_flag(get("GANTERP_ALLOW_DOWNLOAD"), "GANTERP_ALLOW_DOWNLOAD", default=True),
            device=get("GANTERP_DEVICE") or "auto",
            precision=get("GANTERP_PRECISION") or "auto",
            batch_size=_int(get("GANTERP_BATCH_SIZE"), "GANTERP_BATCH_SIZE"),
            max_duration_s=_float(get("GANTERP_MAX_DURATION_S"), "GANTERP_MAX_DURATION_S") or 600.0,
            log_level=(get("GANTERP_LOG_LEVEL") or "WARNING").upper(),
            data_dir=Path(get("GANTERP_DATA_DIR") or Path.home() / ".local" / "share" / "ganterp").expanduser(),
            database_url=get("GANTERP_DATABASE_URL") or None,
            max_queued_per_requester=_int(get("GANTERP_MAX_QUEUED_PER_REQUESTER"), "GANTERP_MAX_QUEUED_PER_REQUESTER")
            or 3,
            max_queue=_int(get("GANTERP_MAX_QUEUE"), "GANTERP_MAX_QUEUE") or 200,
            cooldown_s=_float(get("GANTERP_COOLDOWN_S"), "GANTERP_COOLDOWN_S") or 0.0,
            max_attempts=_int(get("GANTERP_MAX_ATTEMPTS"), "GANTERP_MAX_ATTEMPTS") or 3,
            lease_s=_float(get("GANTERP_LEASE_S"), "GANTERP_LEASE_S") or 120.0,
            retention_h=_float(get("GANTERP_RETENTION_HOURS"), "GANTERP_RETENTION_HOURS") or 72.0,
        )


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
