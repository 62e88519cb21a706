"""The clip's own picture for a layout: decoded to its box, one frame per output frame, whatever the file holds.

A clip's picture is decoded by its own ffmpeg process into raw frames already at the layout's box
size and the video's frame rate, and pipeline.media.encode lays them beside the GANterpretation's frames
in numpy. The number of frames is therefore decided here, not by the file: a picture that starts
late shows its first frame until it starts, one with gaps or that ends early holds its last frame,
and one that never shows in the trimmed window leaves its box black. Every frame is scaled to the
size the clip showed first before it is cropped and fitted, so a stream whose frame size changes
(an HLS recording moving to a higher rate, or a size that changes every frame) keeps one shape.

The work is bounded before and during decoding: pipeline.media.layout's `picture_budget_note` refuses,
before anything is decoded, a picture whose declared size and frame rate cost more per second of
video than its PICTURE_BUDGET_PER_S; decoding is limited to the trimmed window (`-ss`/`-t` on the
input); and a picture whose header lied (a declared 25 fps that holds thousands) cannot make the
render wait on it for longer than MAX_PICTURE_WAIT_S: its last frame is then held for the rest.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

import numpy as np

from pipeline.media.ffmpeg import base_command, picture_input
from pipeline.media.layout import Geometry

log = logging.getLogger(__name__)

MAX_PICTURE_WAIT_S = 60.0  # the longest the render may wait, in all, for the clip's picture
_QUEUED_FRAMES = 8


class ClipFrames:
    """Frames of the clip's picture at the layout's source box, exactly as many as are asked for.

    Decoded by ffmpeg in the background (a bounded queue, so memory stays flat); `read(n)` returns the
    next n frames, holding the last one (or black, before any) where the clip has no more.
    """

    def __init__(self, source: Path, frame: Geometry, fps: float, start_s: float, duration_s: float) -> None:
        box = frame.source
        assert box is not None and frame.picture_size is not None, "a layout with the clip's picture"
        self._shape = (box.height, box.width, 3)
        self._last = np.zeros(self._shape, np.uint8)  # black until the picture shows
        self._frames: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=_QUEUED_FRAMES)
        self._waited_s = 0.0
        self._ended = False
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the decoder; close() closes it)
        self._process = subprocess.Popen(
            decoder_command(source, frame, fps, start_s, duration_s),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self._reader = threading.Thread(target=self._read_frames, name="ganterp-clip-picture", daemon=True)
        self._reader.start()

    def read(self, count: int) -> np.ndarray:
        """The next `count` frames (count, h, w, 3) uint8."""
        frames = np.empty((count, *self._shape), np.uint8)
        for index in range(count):
            frames[index] = self._next()
        return frames

    def close(self) -> None:
        """Stop the decoder (if it still runs) and release its pipes; safe to call more than once."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        with contextlib.suppress(queue.Empty):
            while True:  # unblock the reader if it waits on a full queue
                self._frames.get_nowait()
        self._reader.join(timeout=10)
        with contextlib.suppress(queue.Full):
            self._frames.put_nowait(None)  # a read still waiting (a writer being aborted) ends at once
        self._stderr.close()

    def _next(self) -> np.ndarray:
        if self._ended:
            return self._last
        started = time.monotonic()
        try:
            frame = self._frames.get(timeout=max(0.0, MAX_PICTURE_WAIT_S - self._waited_s))
        except queue.Empty:
            log.warning("the clip's picture took over %.0f s to decode; its last frame is held", MAX_PICTURE_WAIT_S)
            frame = None
            self._process.kill()
        self._waited_s += time.monotonic() - started
        if frame is None:
            self._ended = True
            self._log_failure()
            return self._last
        self._last = frame
        return frame

    def _read_frames(self) -> None:
        stdout: IO[bytes] | None = self._process.stdout
        assert stdout is not None
        size = int(np.prod(self._shape))
        try:
            while len(chunk := _read_exactly(stdout, size)) == size:
                self._frames.put(np.frombuffer(chunk, np.uint8).reshape(self._shape))
        finally:
            stdout.close()
            self._frames.put(None)

    def _log_failure(self) -> None:
        code = self._process.wait()
        if code != 0:
            self._stderr.seek(0)
            tail = self._stderr.read()[-400:].decode("utf-8", "replace").strip().splitlines()
            log.info("the clip's picture decoder stopped (%s): %s", code, tail[-1] if tail else "no message")


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    """`size` bytes from `stream`, or fewer at its end."""
    parts, got = [], 0
    while got < size:
        chunk = stream.read(size - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def decoder_command(source: Path, frame: Geometry, fps: float, start_s: float, duration_s: float) -> list[str]:
    """ffmpeg decoding the clip's picture in [start, start + duration) to raw RGB frames of the source box."""
    return [
        *base_command(),
        # Frames whose size changes reach the filters as they are: `scale` takes each one to the first
        # size (re-building the filters instead would restart `fps` and repeat the whole start).
        "-reinit_filter", "0",
        # Only the window is read and decoded: seeking is exact (frames before the start are dropped).
        "-ss", f"{start_s:.6f}", "-t", f"{duration_s + 1 / fps:.6f}",
        *picture_input(source),
        "-map", "0:v:0", "-vf", source_filters(frame, fps),
        "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
    ]  # fmt: skip


def source_filters(frame: Geometry, fps: float) -> str:
    """The filter chain from the clip's decoded frames to frames of the source box at `fps`.

    `fps` first, with its clock starting at the window's start, so a picture that starts late repeats
    its first frame until then and frames are only scaled at the output rate. Then one `scale` takes
    every frame, whatever its size, to a fixed size (one shape for a stream whose size changes): the
    box itself, or the size at which the crop (to 3:1, or to a phone's shape) is exactly the box.
    """
    box, picture = frame.source, frame.picture_size
    assert box is not None and picture is not None
    chain = [f"fps={fps:g}:start_time=0"]
    if frame.crop_aspect is None:
        chain.append(f"scale={box.width}:{box.height}:flags=bicubic")
    else:
        width, height = picture
        kept_w = min(width, height * frame.crop_aspect)  # the part of the picture the box shows
        kept_h = min(height, width / frame.crop_aspect)
        scaled_w = max(box.width, round(width * box.width / kept_w))
        scaled_h = max(box.height, round(height * box.height / kept_h))
        x, y = (scaled_w - box.width) // 2, int((scaled_h - box.height) * frame.crop_y)
        chain += [f"scale={scaled_w}:{scaled_h}:flags=bicubic", f"crop={box.width}:{box.height}:{x}:{y}"]
    return ",".join([*chain, "setsar=1"])


def compose(frame: Geometry, gan: np.ndarray, clip: np.ndarray) -> np.ndarray:
    """The whole frames (b, H, W, 3): the clip's picture in its box, the GANterpretation in its own (on top)."""
    box, source = frame.gan, frame.source
    assert source is not None
    out = np.zeros((len(gan), frame.height, frame.width, 3), np.uint8)
    out[:, source.y : source.y + source.height, source.x : source.x + source.width] = clip
    out[:, box.y : box.y + box.height, box.x : box.x + box.width] = gan
    return out
