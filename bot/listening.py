"""The process's speech recogniser for --lyrics, as the settings choose it (loaded on the first clip heard)."""

from __future__ import annotations

from bot.settings import Settings
from pipeline.words.heard import ModelChoice, WhisperListener, listener_for


def lyrics_listener(settings: Settings) -> WhisperListener:
    """The one listener of this process for the configured model (GANTERP_LYRICS_MODEL), kept once loaded."""
    return listener_for(ModelChoice(settings.lyrics_model, settings.cache_dir, settings.allow_download))
