"""Reading a finished video back before it is called done: its picture, its frame count and its sound.

The bundled ffmpeg has no ffprobe, so the file is read with ffmpeg's `framecrc` muxer: one line per
video packet (copied, not decoded: cheap) and per block of audio (decoded to 8 kHz mono, so its length
is counted in samples, not taken from a header). A file that does not hold what was promised (an
audio-only MP4, a picture a few frames short, sound cut off) raises OutputMismatch: the render fails
with one sentence instead of posting it.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from pipeline.errors import OutputMismatch
from pipeline.media.ffmpeg import base_command

VERIFY_TIMEOUT_S = 120.0
_AUDIO_RATE = 8000
# AAC codes sound in blocks of 1024 samples and the encoder's priming is trimmed by the MP4's edit
# list: the sound read back may differ from the promise by a block or two.
AUDIO_SLACK_S = 0.1
_DIMENSIONS = re.compile(r"^#dimensions (\d+): (\d+)x(\d+)$")
_MEDIA_TYPE = re.compile(r"^#media_type (\d+): (\w+)$")
_TIME_BASE = re.compile(r"^#tb (\d+): (\d+)/(\d+)$")


@dataclass(frozen=True)
class Promise:
    """What a finished video must hold."""

    width: int
    height: int
    frames: int
    audio_s: float


@dataclass(frozen=True)
class Contents:
    """What a video file holds, read back."""

    width: int | None  # None: no video stream
    height: int | None
    frames: int
    audio_s: float | None  # None: no audio stream


def read_contents(path: Path) -> Contents:
    """The first video stream's size and packet count and the first audio stream's decoded length."""
    command = [
        *base_command(), "-i", str(path),
        "-map", "0:v:0?", "-map", "0:a:0?", "-c:v", "copy",
        "-c:a", "pcm_s16le", "-ac", "1", "-ar", str(_AUDIO_RATE),
        "-f", "framecrc", "pipe:1",
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, timeout=VERIFY_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise OutputMismatch("it could not be read back in time") from exc
    if done.returncode != 0:
        raise OutputMismatch("ffmpeg cannot read it back")
    return parse_framecrc(done.stdout.decode("utf-8", "replace"))


def parse_framecrc(text: str) -> Contents:
    """Contents from what ffmpeg's framecrc muxer prints (headers, then `stream, dts, pts, duration, …`)."""
    kinds: dict[int, str] = {}
    sizes: dict[int, tuple[int, int]] = {}
    bases: dict[int, Fraction] = {}
    frames, audio = 0, Fraction(0)
    for line in text.splitlines():
        if line.startswith("#"):
            if found := _MEDIA_TYPE.match(line):
                kinds[int(found.group(1))] = found.group(2)
            elif found := _DIMENSIONS.match(line):
                sizes[int(found.group(1))] = (int(found.group(2)), int(found.group(3)))
            elif found := _TIME_BASE.match(line):
                bases[int(found.group(1))] = Fraction(int(found.group(2)), int(found.group(3)))
            continue
        fields = [field.strip() for field in line.split(",")]
        if len(fields) < 4 or not fields[0].isdigit():
            continue
        stream = int(fields[0])
        if kinds.get(stream) == "video":
            frames += 1
        elif kinds.get(stream) == "audio":
            audio += int(fields[3]) * bases.get(stream, Fraction(1, _AUDIO_RATE))
    video = next((stream for stream, kind in kinds.items() if kind == "video"), None)
    width, height = sizes.get(video, (None, None)) if video is not None else (None, None)
    has_audio = "audio" in kinds.values()
    return Contents(width, height, frames, float(audio) if has_audio else None)


def verify_output(path: Path, promise: Promise) -> None:
    """Raise OutputMismatch unless the file at `path` holds what `promise` says."""
    mismatch = mismatch_of(read_contents(path), promise)
    if mismatch is not None:
        raise OutputMismatch(mismatch)


def mismatch_of(contents: Contents, promise: Promise) -> str | None:
    """How `contents` falls short of `promise`, as a phrase, or None when it holds it."""
    if contents.width is None or contents.height is None:
        return "it has no video stream"
    if (contents.width, contents.height) != (promise.width, promise.height):
        return f"its picture is {contents.width}×{contents.height}, not {promise.width}×{promise.height}"
    if contents.frames != promise.frames:
        return f"it has {contents.frames} frames, not {promise.frames}"
    if contents.audio_s is None:
        return "it has no sound"
    if abs(contents.audio_s - promise.audio_s) > AUDIO_SLACK_S:
        return f"its sound is {contents.audio_s:.2f} s long, not {promise.audio_s:.2f} s"
    return None
