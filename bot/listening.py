"""Lyrics in the front ends: the process's speech recogniser as the settings choose it, and the word that
asks for it in a mention."""

from __future__ import annotations

import re

from bot.settings import Settings
from pipeline.words.heard import ModelChoice, WhisperListener, listener_for

_LYRICS = re.compile(r"#?lyrics?[.,!?:;]*", re.IGNORECASE)


def lyrics_listener(settings: Settings) -> WhisperListener:
    """The one listener of this process for the configured model (GANTERP_LYRICS_MODEL), kept once loaded."""
    return listener_for(ModelChoice(settings.lyrics_model, settings.cache_dir, settings.allow_download))


def wants_lyrics(words: str) -> tuple[str, bool]:
    """A mention's words less the word asking for classes from the words heard ("lyrics", "#lyrics"), and
    whether it was there: "@ganterp lyrics" on X, or in a Discord mention."""
    kept = [word for word in words.split() if _LYRICS.fullmatch(word) is None]
    return " ".join(kept), len(kept) < len(words.split())
