"""The performer beside the picture: where the GANterpretation and a clip's own video go in the frame.

A clip that is a video (someone playing or singing) keeps its picture: beside the
GANterpretation (`side`), above it (`stack`), or under it with the GANterpretation as a
corner inset (`inset`); `gan` is the GANterpretation alone. `auto` picks `stack` for
portrait videos (a phone held upright: a frame shaped like a phone, not a thin strip), `side` for the
rest, and `gan` for clips without a moving picture (audio files, cover art, a still
image posted as a video). The geometry is computed here; pipeline.media.picture decodes the clip's picture into its box
and pipeline.media.encode lays the two side by side, so the source video streams through and memory stays flat.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

from pipeline.media.ffmpeg import MAX_PICTURE_PIXELS, base_command, describe, picture_input

MAX_ASPECT = 3.0  # a source wider or taller than 3:1 is cropped to it (a long side must not squash the frame)
PORTRAIT_BELOW = 0.9  # width / height under this is a portrait video
PHONE_ASPECT = 9 / 20  # a stacked frame is never taller than a phone screen (9:20 on most of them)
INSET_SHARE = 0.4  # the inset's side, as a share of the frame's shorter side
STILL_LEVEL = 2.0  # mean absolute change (0..255) under which sampled frames count as one still picture
# Decoding a frame costs about as much as 32k pixels whatever its size (measured with the bundled
# ffmpeg: 1.2 million 16×16 frames took 49 s, 300 1920×1080 frames 0.8 s), so a tiny frame counts as this.
PER_FRAME_PIXELS = 32 * 1024
# The picture work one second of video may cost, in pixels × frames: a 1080p clip at 60 fps fits, a 4K
# one at 30 fps or a 16×16 one at 100,000 fps does not (the box beside the GANterpretation is at most
# 1280 px, so a 4K picture only costs decoding time). bench/layout_cost.py measures the ratios.
PICTURE_BUDGET_PER_S = 1920 * 1080 * 60
_STILL_PROBE_SIDE = 32
_STILL_SAMPLES = 16  # every tenth frame: the first five or six seconds of a phone video


class Layout(StrEnum):
    """Where the GANterpretation goes relative to the clip's own video."""

    AUTO = "auto"
    GAN = "gan"
    SIDE = "side"
    STACK = "stack"
    INSET = "inset"


@dataclass(frozen=True)
class Picture:
    """A clip's moving picture, as it is displayed (rotation and pixel aspect applied)."""

    width: int
    height: int
    fps: float | None

    @property
    def aspect(self) -> float:
        """Width over height."""
        return self.width / self.height


@dataclass(frozen=True)
class Box:
    """A rectangle in the output frame."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Geometry:
    """The output frame: its size, where the GANterpretation goes, and where (and how cropped) the source goes."""

    layout: Layout
    width: int
    height: int
    gan: Box
    source: Box | None = None
    crop_aspect: float | None = None  # the source is centre-cropped to this width/height first
    crop_y: float = 0.5  # where a vertical crop is taken, 0 top … 1 bottom
    picture_size: tuple[int, int] | None = None  # the clip's picture as displayed: every frame is scaled to it first


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def _even_down(value: float) -> int:
    return max(2, int(value // 2) * 2)


def resolve(layout: Layout, picture: Picture | None) -> Layout:
    """The layout a clip gets: `auto` by its picture's shape; none without a moving picture."""
    if picture is None:
        return Layout.GAN
    if layout is not Layout.AUTO:
        return layout
    return Layout.STACK if picture.aspect < PORTRAIT_BELOW else Layout.SIDE


def geometry(layout: Layout, gan_side: int, picture: Picture | None, max_side: int | None = None) -> Geometry:
    """Where everything goes for a GANterpretation of `gan_side` pixels; the whole frame fits `max_side`."""
    chosen = resolve(layout, picture)
    if chosen is Layout.GAN or picture is None:
        return Geometry(Layout.GAN, gan_side, gan_side, Box(0, 0, gan_side, gan_side))
    aspect = min(MAX_ASPECT, max(1 / MAX_ASPECT, picture.aspect))
    crop = aspect if aspect != picture.aspect else None
    if chosen is Layout.SIDE:
        frame = _side(gan_side, aspect)
    elif chosen is Layout.STACK:
        frame = _stack(gan_side, aspect)
    else:
        frame = _inset(gan_side, aspect)
    if frame.crop_aspect is None and crop is not None:  # an extreme shape is cropped to MAX_ASPECT first
        frame = dataclasses.replace(frame, crop_aspect=crop)
    frame = dataclasses.replace(frame, picture_size=(picture.width, picture.height))
    return _fitted(frame, max_side)


def _side(gan_side: int, aspect: float) -> Geometry:
    """The GANterpretation on the left, the source at the same height on the right."""
    width = _even(gan_side * aspect)
    return Geometry(
        Layout.SIDE, gan_side + width, gan_side, Box(0, 0, gan_side, gan_side), Box(gan_side, 0, width, gan_side)
    )


def _stack(gan_side: int, aspect: float) -> Geometry:
    """The GANterpretation on top, the source below at the same width, the whole no taller than a phone."""
    height = _even(gan_side / aspect)
    tallest = _even(gan_side / PHONE_ASPECT) - gan_side
    if height <= tallest:
        return Geometry(
            Layout.STACK, gan_side, gan_side + height, Box(0, 0, gan_side, gan_side), Box(0, gan_side, gan_side, height)
        )
    # Too tall for a phone: the source is cropped, keeping a little more of its top (faces, hands).
    return Geometry(
        Layout.STACK,
        gan_side,
        gan_side + tallest,
        Box(0, 0, gan_side, gan_side),
        Box(0, gan_side, gan_side, tallest),
        crop_aspect=gan_side / tallest,
        crop_y=0.4,
    )


def _inset(gan_side: int, aspect: float) -> Geometry:
    """The source fills the frame (its shorter side as long as the GANterpretation); the GANterpretation in a corner."""
    width, height = (_even(gan_side * aspect), gan_side) if aspect >= 1 else (gan_side, _even(gan_side / aspect))
    side = _even(min(width, height) * INSET_SHARE)
    margin = _even(min(width, height) * 0.03)
    return Geometry(
        Layout.INSET,
        width,
        height,
        Box(width - side - margin, height - side - margin, side, side),
        Box(0, 0, width, height),
    )


def _fitted(frame: Geometry, max_side: int | None) -> Geometry:
    """The frame scaled down (every box with it) until its longer side fits `max_side`."""
    if max_side is None or max(frame.width, frame.height) <= max_side:
        return frame
    scale = max_side / max(frame.width, frame.height)

    def box(b: Box) -> Box:  # rounded down, so the scaled frame never exceeds the limit
        return Box(
            _even_down(b.x * scale) if b.x else 0,
            _even_down(b.y * scale) if b.y else 0,
            _even_down(b.width * scale),
            _even_down(b.height * scale),
        )

    source = box(frame.source) if frame.source else None
    gan = box(frame.gan)
    width = max(gan.x + gan.width, (source.x + source.width) if source else 0)
    height = max(gan.y + gan.height, (source.y + source.height) if source else 0)
    if frame.layout is Layout.INSET and source is not None:
        width, height = source.width, source.height
        gan = Box(min(gan.x, width - gan.width), min(gan.y, height - gan.height), gan.width, gan.height)
    return dataclasses.replace(frame, width=width, height=height, gan=gan, source=source)


# ----------------------------------------------------------------------------- reading the clip's picture


def picture_work_per_s(picture: Picture) -> float:
    """Pixels × frames that decoding one second of the picture costs (a frame at least PER_FRAME_PIXELS)."""
    fps = picture.fps or 30.0  # a stream that does not say its rate: a phone's
    return fps * max(picture.width * picture.height, PER_FRAME_PIXELS)


def picture_budget_note(picture: Picture) -> str | None:
    """A sentence saying why the picture is left out when decoding it costs more than the budget, else None."""
    if picture_work_per_s(picture) <= PICTURE_BUDGET_PER_S:
        return None
    rate = f"{picture.fps:g} frames a second" if picture.fps else "its frame rate"
    return (
        f"the clip's picture ({picture.width}×{picture.height} at {rate}) costs too much to decode beside "
        "the render, so the GANterpretation is shown alone; send it at 1080p and 60 frames a second or less."
    )


# `ffmpeg -i` prints the file's own tags too ("    title : …"), so only lines in the shape ffmpeg gives its
# stream and side-data lines count: a tag cannot pose as a stream, a size or a rotation.
_STREAM = re.compile(r"^\s*Stream #\d+:\d+\S*: Video: (?P<rest>.*)")
_SIZE = re.compile(r", (?P<w>\d{2,5})x(?P<h>\d{2,5})(?: \[SAR (?P<sn>\d+):(?P<sd>\d+))?")
_FPS = re.compile(r", (?P<fps>\d+(?:\.\d+)?)(?P<k>k?) (?:fps|tbr)")
_ROTATION = re.compile(r"^\s*(?:displaymatrix|Display Matrix): rotation of (?P<deg>-?\d+(?:\.\d+)?) degrees")
_PROBE_TIMEOUT_S = 60.0


def probe_picture(path: Path) -> Picture | None:
    """The clip's moving picture as displayed, or None (no video, cover art, one still image, or too large)."""
    described = describe(path, _PROBE_TIMEOUT_S)
    if described is None:  # a file built to stall the reader: its sound may still be read
        return None
    picture = parse_picture(described)
    if picture is None or picture_budget_note(picture) is not None:
        return picture  # one too costly is refused by its budget note, without sampling its frames first
    return None if _is_still(path) else picture


def parse_picture(text: str) -> Picture | None:
    """The first video stream that is not an attached picture, from what `ffmpeg -i` prints.

    None when there is none, or when it is larger than ffmpeg.MAX_PICTURE_PIXELS (never decoded).
    """
    lines = text.splitlines()
    for index, line in enumerate(lines):
        found = _STREAM.match(line)
        if found is None or "(attached pic)" in line:
            continue
        size = _SIZE.search(found.group("rest"))
        if size is None:
            continue
        width, height = int(size.group("w")), int(size.group("h"))
        if width * height > MAX_PICTURE_PIXELS:
            return None
        if size.group("sn") and int(size.group("sd")) > 0:
            width = _even(width * int(size.group("sn")) / int(size.group("sd")))  # square pixels, as displayed
        rotation = _rotation(lines[index + 1 :])
        if round(abs(rotation)) % 180 == 90:
            width, height = height, width
        return Picture(width, height, _frame_rate(found.group("rest")))
    return None


def _frame_rate(stream: str) -> float | None:
    """The stream's frame rate as ffmpeg prints it ("29.97 fps", "100k fps": thousands), or None."""
    found = _FPS.search(stream)
    if found is None:
        return None
    return float(found.group("fps")) * (1000 if found.group("k") else 1)


def _rotation(following: list[str]) -> float:
    """The display rotation in a stream's side data (not its tags), before the next stream starts."""
    in_side_data = False
    for line in following:
        if line.lstrip().startswith("Stream #"):
            break
        if line.strip() in ("Side data:", "Metadata:"):
            in_side_data = line.strip() == "Side data:"
            continue
        found = _ROTATION.match(line) if in_side_data else None
        if found:
            return float(found.group("deg"))
    return 0.0


def _is_still(path: Path) -> bool:
    """Whether the video is one still picture (an audio post, a cover): every tenth frame of its start compared."""
    side = _STILL_PROBE_SIDE
    command = [
        *base_command(), "-threads", "1", *picture_input(path), "-map", "0:v:0",
        "-vf", f"select='not(mod(n\\,10))',scale={side}:{side},format=gray",
        "-fps_mode", "passthrough", "-frames:v", str(_STILL_SAMPLES), "-f", "rawvideo", "pipe:1",
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, timeout=_PROBE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return True  # a picture that cannot be sampled in time is not worth showing: the sound still is
    frames = np.frombuffer(done.stdout, dtype=np.uint8)
    count = len(frames) // (side * side)
    if count < 2:
        # One frame: a still picture. None: no picture ffmpeg would decode (a stream that only claims one).
        return True
    frames = frames[: count * side * side].reshape(count, side * side).astype(np.float32)
    # Moving if any two samples in a row differ: a performer moves, a still image never does.
    return float(np.abs(np.diff(frames, axis=0)).mean(axis=1).max()) < STILL_LEVEL
