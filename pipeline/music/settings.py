"""The music style's options: what cuts snap to, and how they are found (each `None` = from the music)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pipeline.analysis import InflectionKind
from pipeline.music.signals import Signal

MIN_GAP_S = 1.0  # no two cuts (nor a cut and the clip's ends) closer than this
LONGEST_S = 12.0  # a longer segment is split unless the audio is static there


class Snap(StrEnum):
    """What each cut moves to."""

    ONSETS = "onsets"
    BEATS = "beats"
    PHRASES = "phrases"  # phrase and section starts, then bar lines (chosen together, not moved one by one)
    NONE = "none"


@dataclass(frozen=True)
class MusicSettings:
    """How the music style finds its cuts (each a user option, `None` = chosen from the music)."""

    signal: Signal = Signal.RMS
    kind: InflectionKind = InflectionKind.MIN
    snap: Snap = Snap.PHRASES
    threshold: float | None = None  # a fixed δ, as the paper
    segments: int | None = None  # this many segments, as near as the clip allows
    segment_seconds: float | None = None  # segments of about this length over the whole clip
    paper_filter: bool = False  # the released code's absolute threshold for kind min (0.08)
