"""Clips that are videos of someone playing, made here (no footage needed): a drawn performer swaying
in time, in the shapes phones and cameras record (portrait, landscape, rotated by metadata, variable
frame rate, an odd size), with music-like sound. `bench/layout_cost.py` and the layout tests use them."""

from __future__ import annotations

import math
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from pipeline.media.ffmpeg import base_command

RATE = 44_100


def performer_frames(width: int, height: int, fps: float, seconds: float) -> Iterator[np.ndarray]:
    """(h, w, 3) uint8 frames, one at a time: a figure with a guitar-like shape, its arm strumming twice a second."""
    for index in range(int(seconds * fps)):
        t = index / fps
        image = Image.new("RGB", (width, height), (int(40 + 30 * math.sin(t)), 60, 90))
        draw = ImageDraw.Draw(image)
        cx, unit = width / 2 + width * 0.05 * math.sin(2 * math.pi * 0.25 * t), min(width, height) / 10
        top = height * 0.18
        draw.ellipse((cx - unit, top, cx + unit, top + 2 * unit), fill=(230, 190, 160))  # a head
        draw.rectangle((cx - 1.3 * unit, top + 2.2 * unit, cx + 1.3 * unit, top + 6.5 * unit), fill=(200, 60, 60))
        draw.ellipse((cx - 2 * unit, top + 4 * unit, cx + 0.5 * unit, top + 6 * unit), fill=(140, 90, 40))  # body
        angle = math.sin(2 * math.pi * 2 * t) * 0.6
        hand = (cx + 1.6 * unit * math.cos(angle), top + 4.8 * unit + 1.6 * unit * math.sin(angle))
        draw.line((cx + unit, top + 3 * unit, *hand), fill=(230, 190, 160), width=max(2, int(unit / 3)))
        yield np.asarray(image)


def music(seconds: float) -> np.ndarray:
    """A plucked melody, 4 notes a second, as float32 mono."""
    t = np.arange(int(seconds * RATE)) / RATE
    notes = 220 * 2 ** (np.array([0, 4, 7, 12, 7, 4, 9, 5]) / 12)
    note = notes[(t * 4).astype(int) % len(notes)]
    out: np.ndarray = (0.4 * np.sin(2 * np.pi * note * t) * np.exp(-6 * (t % 0.25))).astype(np.float32)
    return out


def make_clip(
    path: Path,
    width: int,
    height: int,
    *,
    seconds: float = 6.0,
    fps: float = 30.0,
    extra: tuple[str, ...] = (),
    vfr: bool = False,
    sideways: bool = False,
) -> Path:
    """Write a performer video with sound to `path` (H.264 + AAC MP4); `sideways` stores it turned a
    quarter (as a phone's sensor does), for a display rotation to put upright."""
    frames = performer_frames(width, height, fps, seconds)
    if sideways:
        frames = (np.ascontiguousarray(np.rot90(frame)) for frame in frames)
        width, height = height, width
    sound = path.with_suffix(".f32")
    sound.write_bytes(music(seconds).tobytes())
    # A variable frame rate, as phones record: some frames dropped and the rest kept at their own times.
    timing = ["-vf", "select='not(eq(mod(n\\,7)\\,3))',setpts=N/FRAME_RATE/TB", "-fps_mode", "vfr"] if vfr else []
    command = [
        *base_command(),
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{width}x{height}",
        "-framerate",
        f"{fps:g}",
        "-i",
        "pipe:0",
        "-f",
        "f32le",
        "-ar",
        str(RATE),
        "-ac",
        "1",
        "-i",
        str(sound),
        *timing,
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        *extra,
        str(path),
    ]
    encoder = subprocess.Popen(command, stdin=subprocess.PIPE)
    assert encoder.stdin is not None
    for frame in frames:  # one at a time: a minute of video never sits in memory
        encoder.stdin.write(frame.tobytes())
    encoder.stdin.close()
    if encoder.wait() != 0:
        raise RuntimeError(f"ffmpeg could not write {path}")
    sound.unlink()
    return path


def rotated(source: Path, path: Path, degrees: int) -> Path:
    """A copy of `source` that players show turned by `degrees` counterclockwise (a phone's display matrix)."""
    subprocess.run(
        [*base_command(), "-y", "-display_rotation", str(degrees), "-i", str(source), "-c", "copy", str(path)],
        check=True,
    )
    return path


def clip_set(folder: Path, seconds: float = 6.0) -> dict[str, Path]:
    """Portrait, landscape, a portrait phone video stored sideways, a variable frame rate and an odd size."""
    folder.mkdir(parents=True, exist_ok=True)
    sideways = make_clip(folder / "sideways.mp4", 360, 640, seconds=seconds, sideways=True)
    return {
        "portrait": make_clip(folder / "portrait.mp4", 360, 640, seconds=seconds),
        "landscape": make_clip(folder / "landscape.mp4", 640, 360, seconds=seconds),
        "rotated": rotated(sideways, folder / "rotated.mp4", -90),
        "vfr": make_clip(folder / "vfr.mp4", 480, 480, seconds=seconds, vfr=True),
        "odd": make_clip(folder / "odd.mp4", 302, 170, seconds=seconds),
    }
