"""Where the ffmpeg binary is: the one imageio-ffmpeg ships, so no system ffmpeg is needed."""

from __future__ import annotations

import functools

import imageio_ffmpeg


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary (IMAGEIO_FFMPEG_EXE overrides the bundled one)."""
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def base_command() -> list[str]:
    """The start of every ffmpeg call: quiet, never reading the terminal."""
    return [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error"]
