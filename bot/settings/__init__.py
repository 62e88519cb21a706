"""The one place that reads the environment (and `.env`): a typed, frozen settings object in sections.

Each section (paths, model, render limits, words, queue, engine, Discord, X, daily post, operations)
is a small frozen dataclass that reads and checks its own variables; `Settings` is all of them at
once, so `settings.<field>` reads any setting and `dataclasses.replace(settings, ...)` changes one.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Self
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot.settings.front_ends import DailySettings, DiscordSettings, XSettings
from bot.settings.rendering import ModelSettings, PathSettings, RenderLimits, WordsSettings
from bot.settings.service import EngineSettings, OperationsSettings, QueueSettings
from bot.settings.values import Getter, SettingsError
from pipeline.links.urls import redacted

__all__ = ["SECRET_FIELDS", "SECTIONS", "URL_FIELDS", "Section", "Settings", "SettingsError"]

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


class Section(Protocol):
    """A section of the settings: a title for the docs, and a reader that checks its variables."""

    title: str

    @classmethod
    def read(cls, get: Getter) -> Self:
        """This section from the environment, checked."""
        ...


@dataclass(frozen=True, kw_only=True)
class Settings(
    PathSettings,
    ModelSettings,
    RenderLimits,
    WordsSettings,
    QueueSettings,
    EngineSettings,
    DiscordSettings,
    XSettings,
    DailySettings,
    OperationsSettings,
):
    """Every setting, with its default; see .env.example for what each means, and the sections for where."""

    def __repr__(self) -> str:
        shown = []
        for name in (name for section in SECTIONS for name in section_fields(section)):
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
        fields: dict[str, Any] = {}
        for section in SECTIONS:
            read = section.read(values.get)
            fields |= {name: getattr(read, name) for name in section_fields(section)}
        return cls(**fields)


# The sections in the order the docs list them.
SECTIONS: tuple[type[Section], ...] = Settings.__bases__


def section_fields(section: type[Section]) -> tuple[str, ...]:
    """The names of a section's settings, in order."""
    return tuple(f.name for f in dataclasses.fields(section))  # type: ignore[arg-type]  # every section is one


def _url_credentials(url: str) -> list[str]:
    """The secret in `url`: its password, or a user name standing alone (a token, as in https://TOKEN@host)."""
    try:
        parts = urlsplit(url)
        secret = parts.password or parts.username
    except ValueError:
        return []
    return [secret] if secret else []
