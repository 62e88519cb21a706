"""Any media file ffmpeg can read → one channel of float32 PCM at the analysis rate.

Audio is decoded by the ffmpeg binary that imageio-ffmpeg ships. Everything is
resampled to 44.1 kHz because the method's time scales (rolling length,
smoothing) are defined in spectrogram columns at 44.1 kHz: resampling keeps
the cuts at the same seconds for any input rate, and at 44.1 kHz it is a no-op
so the released code's column indices are reproduced exactly.

Decoding is bounded whatever the input: ffmpeg is asked for at most the longest
audio allowed (plus a second, to tell "too long" from "exactly the maximum"), and
its output is read into a buffer of that size, so a ten-hour file costs no more
memory than the limit. Errors name the file as the user named it, never the path
of a stored copy.
"""

from __future__ import annotations

import math
import re
import subprocess
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO

import numpy as np
from scipy import signal

from pipeline.errors import (
    AudioTooLong,
    AudioTooShort,
    CorruptMedia,
    InvalidOption,
    MediaNotFound,
    SampleRateTooLow,
    StartPastEnd,
    TooManyChannels,
)
from pipeline.media.decoder import classify_failure, read_capped, run_with_deadline
from pipeline.media.ffmpeg import base_command, describe, media_input

ANALYSIS_RATE = 44_100
MIN_DURATION_S = 1.0  # the smoothing window (256 columns) alone needs 0.75 s
MAX_START_S = 7 * 24 * 3600.0  # a week: beyond any clip, and far from float formatting trouble
MAX_DURATION_S = MAX_START_S  # the longest limit that makes sense; larger ones overflow the byte cap
QUIET_CHANNEL_DB = 40.0  # a chosen channel this much quieter than the other is taken as silent
TAIL_DAMAGE_S = 1.0  # a damaged packet this near the end (a streamed WAV's, a cut-off file's) is no fault
_BYTES_PER_SECOND = ANALYSIS_RATE * 4  # float32 mono


class Channel(StrEnum):
    """Which channel drives the analysis; the released code used the left one."""

    LEFT = "left"
    RIGHT = "right"
    MIX = "mix"


# Upmixing to stereo first makes "right" of a mono file its only channel and
# "left" of a surround file the left of its stereo downmix. Left and right are decoded as both
# channels, so that a silent chosen channel can give way to the other (a pure channel mapping
# copies the samples, so the left of the pair is exactly what "pan=mono|c0=c0" gives).
_MIX = "pan=mono|c0=0.5*c0+0.5*c1"
# ffmpeg's resampler mixes at most this many channels, and only layouts it knows (1-8, 16, 22.2…).
RESAMPLER_MAX_CHANNELS = 64
# What ffmpeg prints when it cannot mix a layout itself: "Rematrix is needed between 9 channels and
# stereo but there is not enough information", or, over 64 channels, its resampler refusing the count.
_CANNOT_MIX = ("Rematrix is needed", "[SWR")
_AUDIO_STREAM = re.compile(r"(?m)^\s*Stream #\d+:\d+\S*: Audio: .*?, (\d+) Hz, (\d+) channels, (\w+)")
# A decoder's own packed sample formats, read as they come: (raw format and encoder, numpy type, scale, offset).
_RAW_FORMATS: dict[str, tuple[str, str, float, float]] = {
    "u8": ("u8", "u1", 1 / 128, -128.0),
    "s16": ("s16le", "<i2", 1 / 2**15, 0.0),
    "s32": ("s32le", "<i4", 1 / 2**31, 0.0),
    "flt": ("f32le", "<f4", 1.0, 0.0),
    "dbl": ("f64le", "<f8", 1.0, 0.0),
}
MIN_SAMPLE_RATE = 1000  # below this a file holds no sound anyone hears, and ffmpeg's resampler gives nothing


@dataclass(frozen=True)
class _Unlaid:
    """An audio stream whose channels have no layout ffmpeg can mix (9, 32, 255 channels of a WAV)."""

    rate: int
    channels: int
    sample_format: str


class _NeedsMixing(Exception):
    """ffmpeg cannot mix the stream's channels itself; they are mixed by an explicit recipe instead."""


@dataclass(frozen=True)
class DecodedAudio:
    """One channel of audio, trimmed, at `sample_rate`."""

    samples: np.ndarray  # (n,) float32 in [-1, 1]
    sample_rate: int
    source: Path
    start_s: float
    notes: tuple[str, ...] = ()  # sentences for the user: the channel used was not the one asked for

    @property
    def duration_s(self) -> float:
        """Length of the decoded audio in seconds."""
        return len(self.samples) / self.sample_rate


def check_trim(start_s: float, duration_s: float | None, max_duration_s: float) -> None:
    """Raise InvalidOption (or AudioTooLong) for a trim or limit that cannot make sense."""
    if not (math.isfinite(max_duration_s) and MIN_DURATION_S <= max_duration_s <= MAX_DURATION_S):
        raise InvalidOption(
            "--max-duration", max_duration_s, f"a number of seconds from {MIN_DURATION_S:g} to 604800 (a week)"
        )
    if not (math.isfinite(start_s) and 0 <= start_s <= MAX_START_S):
        raise InvalidOption("--start", start_s, "a time in seconds from 0 to 604800 (a week)")
    if duration_s is not None and not (math.isfinite(duration_s) and duration_s >= MIN_DURATION_S):
        raise InvalidOption("--duration", duration_s, f"at least {MIN_DURATION_S:g} seconds")
    if duration_s is not None and duration_s > max_duration_s:
        raise AudioTooLong(max_duration_s)


def decode_audio(
    path: Path,
    *,
    start_s: float = 0.0,
    duration_s: float | None = None,
    channel: Channel = Channel.LEFT,
    max_duration_s: float = 600.0,
    name: str | None = None,
) -> DecodedAudio:
    """Decode the first audio stream of `path`, trimmed to [start, start + duration).

    `name` is how errors call the file (what its sender called it); "the clip" when None.
    """
    check_trim(start_s, duration_s, max_duration_s)
    check_exists(path, name)
    wanted_s = duration_s if duration_s is not None else max_duration_s + 1.0
    pair = channel is not Channel.MIX
    try:
        pcm = _decode(path, start_s, wanted_s, 2 if pair else 1, name)
    except _NeedsMixing:
        pcm = _decode_unlaid(path, start_s, wanted_s, 2 if pair else 1, name)
    samples = np.frombuffer(pcm, dtype="<f4")
    notes: tuple[str, ...] = ()
    if pair:
        samples, notes = _pick_channel(samples[: len(samples) // 2 * 2].reshape(-1, 2), channel)
    got_s = len(samples) / ANALYSIS_RATE
    if got_s > max_duration_s + 1e-6:
        raise AudioTooLong(max_duration_s)
    if got_s < MIN_DURATION_S:
        length = media_duration(path)
        if length is not None and start_s > 0 and start_s >= length:
            raise StartPastEnd(start_s, length)
        rate = _sample_rate(path)
        if rate is not None and rate < MIN_SAMPLE_RATE:  # ffmpeg's resampler keeps nothing of it
            raise SampleRateTooLow(rate, MIN_SAMPLE_RATE, length)
        if got_s == 0 and rate is not None:  # a few samples the resampler kept none of: counted as they are
            got_s = _native_length(path, start_s, rate)
        raise AudioTooShort(MIN_DURATION_S, got_s)
    return DecodedAudio(samples, ANALYSIS_RATE, path, start_s, notes)


def _level_db(samples: np.ndarray) -> float:
    """Mean power in dB (float64 sums: a long float32 sum would lose the quiet channel's level)."""
    power = sum(float(np.dot(part.astype(np.float64), part)) for part in np.array_split(samples, 64) if len(part))
    return 10 * math.log10(power / max(len(samples), 1) + 1e-30)


def _pick_channel(pair: np.ndarray, channel: Channel) -> tuple[np.ndarray, tuple[str, ...]]:
    """The asked-for channel of (n, 2) samples, or the other when the asked one is (nearly) silent.

    The released code read the left channel; a recording with nothing there (a mono track panned
    right, a dead input) would otherwise give one segment for the whole song and no reason why.
    """
    index = 0 if channel is Channel.LEFT else 1
    chosen, other = pair[:, index], pair[:, 1 - index]
    if _level_db(chosen) < _level_db(other) - QUIET_CHANNEL_DB:
        used = Channel.RIGHT if channel is Channel.LEFT else Channel.LEFT
        note = (
            f"the {channel.value} channel is silent (over {QUIET_CHANNEL_DB:g} dB quieter than the "
            f"{used.value}), so the {used.value} channel drives the cuts."
        )
        return np.ascontiguousarray(other), (note,)
    return np.ascontiguousarray(chosen), ()


def check_exists(path: Path, name: str | None = None) -> None:
    """Raise MediaNotFound unless `path` is a file (a NUL byte or an over-long name is not one either)."""
    try:
        found = path.is_file()
    except (OSError, ValueError):
        found = False
    if not found:
        raise MediaNotFound(name)


def _sample_rate(path: Path) -> int | None:
    """The first audio stream's sample rate as ffmpeg reports it, or None."""
    found = re.search(r"(?m)^\s*Stream #\d+:\d+\S*: Audio: .*?, (\d+) Hz", describe(path) or "")
    return int(found.group(1)) if found else None


def _native_length(path: Path, start_s: float, rate: int) -> float:
    """Seconds of sound in a clip too short to resample, counted at its own rate (up to the minimum length)."""
    command = [
        *base_command(), *media_input(path), "-ss", f"{start_s:.6f}", "-t", f"{MIN_DURATION_S:g}",
        "-map", "0:a:0", "-ac", "1", "-c:a", "pcm_s16le", "-f", "s16le", "pipe:1",
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, timeout=60, check=False)
    except subprocess.TimeoutExpired:
        return 0.0
    return len(done.stdout) / 2 / rate


def _unlaid_stream(path: Path, name: str | None) -> _Unlaid:
    """The rate, channel count and sample format of a stream ffmpeg cannot mix itself."""
    found = _AUDIO_STREAM.search(describe(path) or "")
    if found is None:
        raise CorruptMedia(name, "its channels cannot be mixed")
    return _Unlaid(int(found.group(1)), int(found.group(2)), found.group(3))


def _decode_unlaid(path: Path, start_s: float, duration_s: float, channels: int, name: str | None) -> bytearray:
    """PCM of a stream whose channels have no layout: the first two as left and right, or the mean of all.

    Up to 64 channels ffmpeg mixes them by an explicit `pan`; over that its resampler refuses them, so
    the decoder's own samples are read as they come and mixed here, chunk by chunk (memory stays that
    of the one or two channels kept), then resampled to the analysis rate.
    """
    stream = _unlaid_stream(path, name)
    if stream.channels <= RESAMPLER_MAX_CHANNELS:
        return _decode(path, start_s, duration_s, channels, name, _pan(stream.channels, channels))
    return _decode_many(path, stream, start_s, duration_s, channels, name)


def _pan(count: int, channels: int) -> str:
    """The filter taking `count` channels without a layout to the first two (channels=2) or their mean (1)."""
    if channels == 2:
        second = "c1" if count > 1 else "c0"
        return f"pan=stereo|c0=c0|c1={second},aformat=sample_fmts=flt:channel_layouts=stereo"
    mean = "+".join(f"{1 / count:.9f}*c{index}" for index in range(count))
    return f"pan=mono|c0={mean},aformat=sample_fmts=flt:channel_layouts=mono"


def _decode_many(
    path: Path, stream: _Unlaid, start_s: float, duration_s: float, channels: int, name: str | None
) -> bytearray:
    """PCM of a stream with more channels than ffmpeg's resampler takes, mixed here as it is read."""
    if stream.sample_format not in _RAW_FORMATS:
        raise TooManyChannels(name, stream.channels, RESAMPLER_MAX_CHANNELS)
    raw, dtype, scale, offset = _RAW_FORMATS[stream.sample_format]
    command = [
        *base_command(), *media_input(path),
        "-ss", f"{start_s:.6f}", "-t", f"{duration_s:.6f}",
        "-map", "0:a:0", "-c:a", f"pcm_{raw}", "-f", raw, "pipe:1",
    ]  # fmt: skip
    width = np.dtype(dtype).itemsize * stream.channels
    cap = int((duration_s + 1.0) * stream.rate)  # frames, as _run_ffmpeg caps bytes

    def mix(stdout: IO[bytes]) -> list[np.ndarray]:
        parts, got = [], 0
        while got < cap and (chunk := stdout.read(min(4096, cap - got) * width)):
            frames = np.frombuffer(chunk[: len(chunk) // width * width], dtype).reshape(-1, stream.channels)
            samples = (frames.astype(np.float32) + offset) * scale
            parts.append(samples[:, :2] if channels == 2 else samples.mean(axis=1, keepdims=True))
            got += len(frames)
        return parts

    parts, returncode, said = run_with_deadline(command, mix, name)
    if returncode != 0 and not any(len(part) for part in parts):
        raise classify_failure(path, name, said)
    mixed = np.concatenate(parts) if parts else np.zeros((0, channels), np.float32)
    if channels == 2 and stream.channels == 1:
        mixed = np.repeat(mixed, 2, axis=1)
    if stream.rate != ANALYSIS_RATE and len(mixed):
        common = math.gcd(stream.rate, ANALYSIS_RATE)
        mixed = signal.resample_poly(mixed, ANALYSIS_RATE // common, stream.rate // common, axis=0)
    return bytearray(np.ascontiguousarray(mixed, "<f4").tobytes())


def _decode(
    path: Path, start_s: float, duration_s: float, channels: int, name: str | None, audio_filter: str | None = None
) -> bytearray:
    """PCM of the clip: strictly first; where that stops at damage, what is decodable, if the damage is at the end.

    ffmpeg's -xerror stops at the first damaged packet. That is right for damage in the middle
    (noise decoded as sound, a gap), wrong for a valid file that ends oddly: a WAV streamed from a
    pipe (its size field 0 or 0xFFFFFFFF) or one cut off mid-sample ends in a short packet. So a
    strict failure is decoded again leniently, and accepted when the strict decode got to within a
    second of the lenient one's end (the damage is only at the tail) and it is long enough to use.
    """
    try:
        return _run_ffmpeg(path, start_s, duration_s, channels, name, audio_filter, strict=True)
    except CorruptMedia as strict:
        lenient = _run_ffmpeg(path, start_s, duration_s, channels, name, audio_filter, strict=False)
        got_s = len(lenient) / (channels * _BYTES_PER_SECOND)
        if strict.decoded_s < got_s - TAIL_DAMAGE_S or got_s < MIN_DURATION_S:
            raise
        return lenient


def _run_ffmpeg(
    path: Path,
    start_s: float,
    duration_s: float,
    channels: int,
    name: str | None,
    audio_filter: str | None,
    *,
    strict: bool,
) -> bytearray:
    layout = audio_filter or f"aformat=sample_fmts=flt:channel_layouts=stereo{'' if channels == 2 else ',' + _MIX}"
    command = [
        *base_command(),
        *(["-xerror"] if strict else []),  # a damaged packet is an error, not a silent gap
        *media_input(path),
        # Trimming after the input (decode, then drop) is exact to the sample; seeking in the input
        # lands up to 1024 samples off in AAC (its priming), so one recording would cut differently as M4A.
        "-ss", f"{start_s:.6f}",
        "-t", f"{duration_s:.6f}",
        "-map", "0:a:0",
        "-af", layout,
        "-ar", str(ANALYSIS_RATE),
        "-f", "f32le", "pipe:1",
    ]  # fmt: skip
    # One second of slack over what was asked: ffmpeg's -t already stops it, the cap makes sure.
    cap = int((duration_s + 1.0) * _BYTES_PER_SECOND) * channels
    pcm, returncode, said = run_with_deadline(command, lambda stdout: read_capped(stdout, cap), name)
    if returncode != 0 and len(pcm) < cap:
        if audio_filter is None and any(marker in said for marker in _CANNOT_MIX):
            raise _NeedsMixing()
        failure = classify_failure(path, name, said)
        if isinstance(failure, CorruptMedia):
            failure.decoded_s = len(pcm) / (channels * _BYTES_PER_SECOND)
        raise failure
    return pcm


def media_duration(path: Path) -> float | None:
    """The container's duration as ffmpeg reports it, or None when it does not say."""
    described = describe(path)
    # Anchored: the file's own tags are printed too, and a tag must not pose as the duration.
    found = re.search(r"(?m)^\s*Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", described or "")
    if found is None:
        return None
    hours, minutes, seconds = found.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
