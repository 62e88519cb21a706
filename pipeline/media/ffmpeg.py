"""Where the ffmpeg binary is (the one imageio-ffmpeg ships, so no system ffmpeg is needed), and how
every input file is handed to it."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import imageio_ffmpeg

# The containers a clip may come in. Everything else ffmpeg can open is left out on purpose:
# playlists (hls), concat scripts, SDP, image sequences and the like name further files or
# addresses, which would let a crafted "song.mp3" make ffmpeg read another file on this machine.
MEDIA_DEMUXERS = (
    "wav,w64,mp3,ogg,flac,mov,matroska,aac,aiff,caf,amr,amrnb,amrwb,asf,au,ac3,eac3,dts,wv,ape,tta,flv,"
    "mpegts,mpeg,avi,xwma,oma"
)


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary (IMAGEIO_FFMPEG_EXE overrides the bundled one)."""
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def base_command() -> list[str]:
    """The start of every ffmpeg call: quiet, never reading the terminal."""
    return [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error"]


# A picture larger than this is never decoded: a file of a few hundred KiB can declare 16000×16000
# frames, and decoding those takes gigabytes. 4096×4096 covers every phone and camera up to 4K.
MAX_PICTURE_PIXELS = 4096 * 4096


def picture_input(path: Path) -> list[str]:
    """`media_input` for reading a clip's picture too: frames over MAX_PICTURE_PIXELS are refused, not decoded."""
    return ["-max_pixels", str(MAX_PICTURE_PIXELS), *media_input(path)]


def media_input(path: Path) -> list[str]:
    """`-i` for a clip: local files only, media containers only, and a name ffmpeg cannot take for a protocol."""
    return [
        "-protocol_whitelist",
        "file",
        "-format_whitelist",
        MEDIA_DEMUXERS,
        "-i",
        f"file:{path}",
    ]


def describe(path: Path, timeout_s: float = 60.0) -> str | None:
    """What `ffmpeg -i` prints about a clip (its streams, duration and tags), or None if it took too long.

    One decoder thread and the pixel cap: reading a header must not cost gigabytes whatever the file claims.
    """
    command = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-threads", "1", *picture_input(path)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        return None
    return done.stderr.decode("utf-8", "replace")
