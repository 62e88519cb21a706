"""Any media file ffmpeg can read → one channel of float32 PCM at the analysis rate.

Audio is decoded by the ffmpeg binary that imageio-ffmpeg ships. Everything is
resampled to 44.1 kHz because the method's time scales (rolling length,
smoothing) are defined in spectrogram columns at 44.1 kHz: resampling keeps
the cuts at the same seconds for any input rate, and at 44.1 kHz it is a no-op
so the released code's column indices are reproduced exactly.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

from pipeline.errors import (
    AudioTooLong,
    AudioTooShort,
    CorruptMedia,
    InvalidOption,
    MediaNotFound,
    NoAudioStream,
    NotMedia,
)
from pipeline.ffmpeg import base_command

ANALYSIS_RATE = 44_100
MIN_DURATION_S = 1.0  # the smoothing window (256 columns) alone needs 0.75 s
DECODE_TIMEOUT_S = 600


class Channel(StrEnum):
    """Which channel drives the analysis; the released code used the left one."""

    LEFT = "left"
    RIGHT = "right"
    MIX = "mix"


# Upmixing to stereo first makes "right" of a mono file its only channel and
# "left" of a surround file the left of its stereo downmix.
_PAN = {
    Channel.LEFT: "pan=mono|c0=c0",
    Channel.RIGHT: "pan=mono|c0=c1",
    Channel.MIX: "pan=mono|c0=0.5*c0+0.5*c1",
}


@dataclass(frozen=True)
class DecodedAudio:
    """One channel of audio, trimmed, at `sample_rate`."""

    samples: np.ndarray  # (n,) float32 in [-1, 1]
    sample_rate: int
    source: Path
    start_s: float

    @property
    def duration_s(self) -> float:
        """Length of the decoded audio in seconds."""
        return len(self.samples) / self.sample_rate


def decode_audio(
    path: Path,
    *,
    start_s: float = 0.0,
    duration_s: float | None = None,
    channel: Channel = Channel.LEFT,
    max_duration_s: float = 600.0,
) -> DecodedAudio:
    """Decode the first audio stream of `path`, trimmed to [start, start + duration)."""
    _check_trim(start_s, duration_s, max_duration_s)
    if not path.is_file():
        raise MediaNotFound(str(path))
    # Ask for a little more than the maximum so "too long" can be told from "exactly the maximum".
    wanted_s = duration_s if duration_s is not None else max_duration_s + 1.0
    pcm = _run_ffmpeg(path, start_s, wanted_s, channel)
    samples = np.frombuffer(pcm, dtype="<f4").astype(np.float32, copy=False)
    got_s = len(samples) / ANALYSIS_RATE
    if got_s > max_duration_s + 1e-6:
        raise AudioTooLong(max_duration_s)
    if got_s < MIN_DURATION_S:
        raise AudioTooShort(MIN_DURATION_S, got_s)
    return DecodedAudio(samples, ANALYSIS_RATE, path, start_s)


def _check_trim(start_s: float, duration_s: float | None, max_duration_s: float) -> None:
    if not start_s >= 0:
        raise InvalidOption("--start", start_s, "a time in seconds >= 0")
    if duration_s is not None and not duration_s >= MIN_DURATION_S:
        raise InvalidOption("--duration", duration_s, f"at least {MIN_DURATION_S:g} seconds")
    if duration_s is not None and duration_s > max_duration_s:
        raise AudioTooLong(max_duration_s)


def _run_ffmpeg(path: Path, start_s: float, duration_s: float, channel: Channel) -> bytes:
    command = [
        *base_command(),
        "-xerror",  # a damaged packet is an error, not a silent gap
        "-i", str(path),
        # Trimming after the input (decode, then drop) is exact to the sample; seeking in the input
        # lands up to 1024 samples off in AAC (its priming), so one recording would cut differently as M4A.
        "-ss", f"{start_s:.6f}",
        "-t", f"{duration_s:.6f}",
        "-map", "0:a:0",
        "-af", f"aformat=sample_fmts=flt:channel_layouts=stereo,{_PAN[channel]}",
        "-ar", str(ANALYSIS_RATE),
        "-f", "f32le", "pipe:1",
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, timeout=DECODE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise CorruptMedia(str(path), f"decoding took over {DECODE_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        raise _classify_failure(path, done.stderr.decode("utf-8", "replace"))
    return done.stdout


def _classify_failure(path: Path, stderr: str) -> Exception:
    """Map ffmpeg's complaint to the error a user understands."""
    if "matches no streams" in stderr:
        return NoAudioStream(str(path))
    if "Error opening input" in stderr:
        return NotMedia(str(path))
    return CorruptMedia(str(path), _last_reason(stderr))


def _last_reason(stderr: str) -> str:
    lines = [line.rsplit("] ", 1)[-1].strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else "ffmpeg failed without a message"
