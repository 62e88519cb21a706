"""Reading a rendered file back with the bundled ffmpeg (it has no ffprobe): streams, frames, audio."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.media.ffmpeg import ffmpeg_exe


@dataclass(frozen=True)
class MediaInfo:
    """What `ffmpeg -i` says about a file."""

    video: str  # the stream description, e.g. "h264 (High) (avc1 / ...), yuv420p(progressive), 128x128, ..."
    audio: str
    width: int
    height: int


def probe(path: Path) -> MediaInfo:
    """Parse the stream lines ffmpeg prints for an input."""
    text = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    video = re.search(r"Video: (.*)", text)
    audio = re.search(r"Audio: (.*)", text)
    size = re.search(r", (\d+)x(\d+)", video.group(1)) if video else None
    assert video and audio and size, text
    return MediaInfo(video.group(1), audio.group(1), int(size.group(1)), int(size.group(2)))


def decoded_frames(path: Path) -> np.ndarray:
    """Every video frame as RGB: (n, h, w, 3) uint8."""
    info = probe(path)
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, info.height, info.width, 3)


def audio_seconds(path: Path) -> float:
    """Length of the first audio stream, by decoding it."""
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:a:0", "-ac", "1", "-ar", "8000", "-f", "s16le", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return len(raw) / 2 / 8000


def atom_offsets(path: Path) -> dict[str, int]:
    """Byte offsets of the top-level MP4 boxes (moov before mdat means +faststart)."""
    data = path.read_bytes()
    offsets, position = {}, 0
    while position + 8 <= len(data):
        size = int.from_bytes(data[position : position + 4], "big")
        name = data[position + 4 : position + 8].decode("latin-1")
        offsets.setdefault(name, position)
        if size == 1:
            size = int.from_bytes(data[position + 8 : position + 16], "big")
        if size < 8:
            break
        position += size
    return offsets
