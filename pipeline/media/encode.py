"""Frames in, a postable MP4 out: the only module that runs ffmpeg for output.

Frames are piped raw to ffmpeg as they are rendered, already at the output size
(the generator scales them), from a writer thread that also hashes them, so the
generator never waits on the encoder; the queue is bounded, so memory does not
grow with the clip. With a layout, the writer thread lays each frame beside the
clip's own picture (pipeline.media.picture decodes it, one frame per frame) first, so
the frames hashed are the frames encoded, and the clip's file can never make the
video shorter or stop the encoder. Every finished file is read back
(pipeline.media.verify) before it is moved into place. H.264 High, yuv420p, +faststart and AAC-LC audio play inline
on Discord and X: libx264, or NVENC where frames come from a GPU that has it. The
file is written under a temporary name and renamed only when complete.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import queue
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from pipeline.errors import CannotFitSize, EncoderFailed, OutputNotWritable
from pipeline.files import replacing, temporary_path
from pipeline.media.ffmpeg import base_command, picture_input
from pipeline.media.layout import Geometry
from pipeline.media.picture import ClipFrames, compose
from pipeline.media.verify import Promise, verify_output

AUDIO_BITRATE = 128_000
LOW_AUDIO_BITRATE = 64_000
LOWEST_AUDIO_BITRATE = 32_000
MIN_VIDEO_BITRATE = 12_000  # below this no size or frame rate gives a watchable H.264 video
# Below this many bits per pixel per frame H.264 turns to mush; the size, then the frame rate,
# come down until the budget gives at least this much.
MIN_BITS_PER_PIXEL = 0.05
MIN_FIT_SIZE = 128
MIN_FIT_FPS = 8.0
CONTAINER_MARGIN = 0.94  # share of a byte limit left to the streams after mp4 overhead
DEFAULT_CRF = 20
_QUEUE_BATCHES = 4


@dataclass(frozen=True)
class VideoSpec:
    """How to encode: frame size, rate, codec, and where the audio comes from."""

    output_size: int  # square frames of this side arrive, and are encoded as they are (even)
    fps: float
    audio_source: Path
    audio_start_s: float
    duration_s: float
    max_bytes: int | None = None
    crf: int = DEFAULT_CRF
    preset: str = "medium"
    codec: str = "libx264"  # or h264_nvenc
    layout: Geometry | None = (
        None  # the clip's own video beside the frames (pipeline/media/layout.py); None: frames alone
    )


# libx264's presets: "medium" where frames come slowly (a CPU renders 10-30 a second and the encoder
# idles), "veryfast" where a GPU renders hundreds: about 3× the frames per second of medium for
# files ~10% larger at the same quality (bench/gpu.py measures both here).
CPU_PRESET = "medium"
FAST_PRESET = "veryfast"
NVENC_PRESET = "p4"


# NVENC refuses frames below about 145 pixels a side, and small frames are cheap for libx264 anyway.
NVENC_MIN_SIZE = 256


def video_encoder(device: str, size: int) -> tuple[str, str]:
    """(codec, preset) for `size`-pixel frames rendered on `device`: NVENC on a GPU that has it, else libx264."""
    if not device.startswith("cuda"):
        return "libx264", CPU_PRESET
    return ("h264_nvenc", NVENC_PRESET) if size >= NVENC_MIN_SIZE and nvenc_works() else ("libx264", FAST_PRESET)


@functools.cache
def nvenc_works() -> bool:
    """Whether ffmpeg can encode with NVENC here: built with it, and the GPU has the encoder (an H100 has none)."""
    probe = [
        *base_command(), "-f", "lavfi", "-i", "color=size=256x256:rate=1", "-frames:v", "1",
        "-c:v", "h264_nvenc", "-f", "null", "-",
    ]  # fmt: skip
    try:
        return subprocess.run(probe, capture_output=True, timeout=30, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@dataclass(frozen=True)
class Bitrates:
    """Target bitrates (bits/s) when the file must fit a byte limit."""

    video: int
    audio: int


def bitrates_for(max_bytes: int, duration_s: float, shrink: float = 1.0) -> Bitrates:
    """Split a byte budget between video and audio, or raise CannotFitSize."""
    budget = max_bytes * 8 * CONTAINER_MARGIN * shrink / duration_s
    # Tight budgets take from the audio too, but never all of it.
    if budget > 4 * AUDIO_BITRATE:
        audio = AUDIO_BITRATE
    elif budget > 2 * LOW_AUDIO_BITRATE:
        audio = LOW_AUDIO_BITRATE
    else:
        audio = LOWEST_AUDIO_BITRATE
    video = int(budget - audio)
    if video < MIN_VIDEO_BITRATE:
        raise CannotFitSize(max_bytes, duration_s)
    return Bitrates(video, audio)


def fit_to_limit(
    max_bytes: int, duration_s: float, size: int, fps: float, frame_area: float = 1.0
) -> tuple[int, float]:
    """The largest output (size, fps), from the asked ones down, that the byte budget keeps watchable.

    A video that must fit a limit (Discord's 10 MiB) first gets the bitrate the limit allows; when
    that is too few bits for the asked picture, the picture gets smaller, then the frame rate lower.
    `frame_area` is the whole frame's pixels per pixel of the size² square (a layout's frame is larger).
    """
    rate = bitrates_for(max_bytes, duration_s).video
    while rate < MIN_BITS_PER_PIXEL * size * size * frame_area * fps:
        if size > MIN_FIT_SIZE:
            size = max(MIN_FIT_SIZE, int(size * 0.75) // 2 * 2)
        elif fps > MIN_FIT_FPS:
            fps = max(MIN_FIT_FPS, fps / 2)
        else:
            raise CannotFitSize(max_bytes, duration_s)
    return size, fps


def check_writable(output: Path, suffixes: tuple[str, ...] = ()) -> None:
    """Raise OutputNotWritable unless a file can be created at `output` (with one of `suffixes`, if given)."""
    name = str(output)
    if "\0" in name:
        raise OutputNotWritable(name.replace("\0", "\\0"), "a file name cannot contain a NUL byte")
    if suffixes and output.suffix.lower() not in suffixes:
        raise OutputNotWritable(name, f"the name must end in {' or '.join(suffixes)}")
    folder = output.parent
    if output.is_dir():
        raise OutputNotWritable(name, "it is a folder")
    if not folder.is_dir():
        raise OutputNotWritable(name, f"the folder {folder} does not exist")
    probe = temporary_path(output)
    try:
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise OutputNotWritable(name, exc.strerror or str(exc)) from exc


def check_output(output: Path, source: Path) -> None:
    """Raise OutputNotWritable unless `output` can take an MP4 without touching the source clip."""
    check_writable(output, (".mp4",))
    for written in (output, output.with_suffix(".json")):  # the video and its sidecar
        if _same_file(written, source):
            raise OutputNotWritable(str(written), "it is the input clip, which would be overwritten")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


class VideoWriter:
    """Streams uint8 frames (b, h, w, 3) into an MP4 that appears at `output` only when finished and checked.

    `frames_sha256` is the SHA-256 of every whole frame encoded (with a layout, the GANterpretation
    beside the clip's picture), in order, computed beside the pipe so hashing never holds up the generator.
    """

    def __init__(self, output: Path, spec: VideoSpec) -> None:
        self.output = output
        self.spec = spec
        self._partial = temporary_path(output)
        self._bitrates = bitrates_for(spec.max_bytes, spec.duration_s) if spec.max_bytes else None
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=_QUEUE_BATCHES)
        self._frames_written = 0
        self._clip = (
            ClipFrames(spec.audio_source, spec.layout, spec.fps, spec.audio_start_s, spec.duration_s)
            if spec.layout is not None
            else None
        )
        self._process = subprocess.Popen(
            self._command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._pipe_error: BaseException | None = None
        self._digest = hashlib.sha256()
        self._thread = threading.Thread(target=self._pump, name="ffmpeg-writer", daemon=True)
        self._thread.start()

    def write(self, frames: np.ndarray) -> None:
        """Queue a batch of frames; blocks only while the encoder is several batches behind."""
        if self._pipe_error is not None:
            raise EncoderFailed(self._stderr_tail() or str(self._pipe_error))
        self._queue.put(frames)

    @property
    def frames_sha256(self) -> str:
        """SHA-256 of the frames written so far (all of them once `finish` returned)."""
        return self._digest.hexdigest()

    def finish(self) -> int:
        """Close the stream, wait for ffmpeg, fit the byte limit, and move the file into place; returns its size."""
        self._queue.put(None)
        self._thread.join()
        stderr = self._process.stderr.read().decode("utf-8", "replace") if self._process.stderr else ""
        if self._process.wait() != 0 or self._pipe_error is not None:
            self.abort()
            raise EncoderFailed(_last_line(stderr) or str(self._pipe_error or "ffmpeg stopped"))
        self._close_clip()
        if self.spec.max_bytes is not None:
            self._fit_limit(self.spec.max_bytes)
        try:
            verify_output(self._partial, self.promise)
        except BaseException:
            self._partial.unlink(missing_ok=True)
            raise
        self._partial.replace(self.output)
        return self.output.stat().st_size

    @property
    def promise(self) -> Promise:
        """What the finished file must hold: the frame size, every frame written, and the trimmed audio."""
        width, height = self._frame_size()
        return Promise(width, height, self._frames_written, self.spec.duration_s)

    def abort(self) -> None:
        """Stop ffmpeg and remove the partial file; safe to call more than once."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._close_clip()
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(None)
        self._partial.unlink(missing_ok=True)

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None:
            self.abort()

    def _pump(self) -> None:
        stdin: IO[bytes] | None = self._process.stdin
        assert stdin is not None
        try:
            while (frames := self._queue.get()) is not None:
                if self._clip is not None and self.spec.layout is not None:
                    frames = compose(self.spec.layout, frames, self._clip.read(len(frames)))
                flat = np.ascontiguousarray(frames).data.cast("B")  # no copy (GPU batches are tens of MB)
                self._digest.update(flat)
                stdin.write(flat)
                self._frames_written += len(frames)
        except Exception as exc:  # a broken pipe, or the clip's picture: write() and finish() report it
            self._pipe_error = exc
            while self._queue.get() is not None:  # keep draining so write() never blocks forever
                pass
        finally:
            with contextlib.suppress(OSError):
                stdin.close()

    def _frame_size(self) -> tuple[int, int]:
        layout = self.spec.layout
        return (layout.width, layout.height) if layout is not None else (self.spec.output_size, self.spec.output_size)

    def _close_clip(self) -> None:
        if self._clip is not None:
            self._clip.close()

    def _command(self) -> list[str]:
        spec = self.spec
        width, height = self._frame_size()
        video_input = [
            "-f", "rawvideo", "-pix_fmt", "rgb24",
            "-s", f"{width}x{height}",
            "-framerate", f"{spec.fps:g}", "-i", "pipe:0",
        ]  # fmt: skip
        # The audio is trimmed after decoding, as the analysis trims it: seeking in the input lands
        # up to 1024 samples early in AAC, which would put the sound a frame off the picture.
        trim = f"atrim=start={spec.audio_start_s:.6f}:duration={spec.duration_s:.6f},asetpts=PTS-STARTPTS"
        return [
            *base_command(), "-y", *video_input, *picture_input(spec.audio_source),
            "-map", "0:v:0", "-map", "1:a:0", "-af", trim,
            *_video_codec(spec, self._bitrates),
            *_audio_codec(self._bitrates),
            "-movflags", "+faststart", "-f", "mp4", str(self._partial),
        ]  # fmt: skip

    def _fit_limit(self, max_bytes: int) -> None:
        """Re-encode from the finished file at lower bitrates until it fits (rare: VBV usually suffices)."""
        for shrink in (0.85, 0.7):
            if self._partial.stat().st_size <= max_bytes:
                return
            preset = self.spec.preset if self.spec.codec == "libx264" else FAST_PRESET  # re-encoding is libx264's
            _reencode(self._partial, bitrates_for(max_bytes, self.spec.duration_s, shrink), preset)
        if self._partial.stat().st_size > max_bytes:
            self._partial.unlink(missing_ok=True)
            raise CannotFitSize(max_bytes, self.spec.duration_s)

    def _stderr_tail(self) -> str:
        if self._process.poll() is None or self._process.stderr is None:
            return ""
        return _last_line(self._process.stderr.read().decode("utf-8", "replace"))


def _video_codec(spec: VideoSpec, bitrates: Bitrates | None) -> list[str]:
    codec = ["-c:v", spec.codec, "-profile:v", "high", "-pix_fmt", "yuv420p", "-preset", spec.preset]
    if bitrates is None:
        quality = ["-rc", "vbr", "-cq", str(spec.crf)] if spec.codec == "h264_nvenc" else ["-crf", str(spec.crf)]
        return [*codec, *quality]
    # A VBV cap (maxrate over a one-second buffer) bounds the size, which plain ABR does not.
    rate = str(bitrates.video)
    return [*codec, "-b:v", rate, "-maxrate", rate, "-bufsize", rate]


def _audio_codec(bitrates: Bitrates | None) -> list[str]:
    audio_rate = bitrates.audio if bitrates else AUDIO_BITRATE
    return ["-c:a", "aac", "-b:a", str(audio_rate), "-ac", "2", "-ar", "44100"]


def _reencode(path: Path, bitrates: Bitrates, preset: str) -> None:
    """Encode `path` again at `bitrates`, in its place: it stays as it was unless the new encoding succeeds."""
    rate = str(bitrates.video)
    with replacing(path) as smaller:
        command = [
            *base_command(), "-y", "-i", str(path),
            "-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p", "-preset", preset,
            "-b:v", rate, "-maxrate", rate, "-bufsize", rate,
            *_audio_codec(bitrates), "-movflags", "+faststart", "-f", "mp4", str(smaller),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, check=False)
        if done.returncode != 0:
            raise EncoderFailed(_last_line(done.stderr.decode("utf-8", "replace")))


def _last_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else ""
