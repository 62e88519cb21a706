"""Styles: presets of every analysis and motion option (the music style, and the paper's analysis exactly)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pipeline import analysis as paper
from pipeline.music.settings import Snap
from pipeline.music.signals import Signal


class Style(StrEnum):
    """A preset of every analysis and motion option."""

    MUSIC = "music"  # cuts that suit and follow the music, with pulse and drift
    PAPER = "paper"  # the released code's analysis, exactly


@dataclass(frozen=True)
class StyleDefaults:
    """What a style sets when the user leaves an option out."""

    threshold: float | None  # None: picked from the music
    signal: Signal
    snap: Snap
    pulse: float
    motion: float


STYLES = {
    Style.MUSIC: StyleDefaults(threshold=None, signal=Signal.RMS, snap=Snap.PHRASES, pulse=0.3, motion=0.3),
    Style.PAPER: StyleDefaults(
        threshold=paper.DEFAULT_THRESHOLD, signal=Signal.TV, snap=Snap.NONE, pulse=0.0, motion=0.0
    ),
}
