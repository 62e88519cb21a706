"""Running an ffmpeg decoder: a deadline it cannot outlive, a capped read of its output, its complaint in plain words.

Both of pipeline.media.audio's decoding paths (ffmpeg's resampler, and the many-channel mix read
raw) go through run_with_deadline, so a stuck decoder is stopped the same way on either.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

from pipeline.errors import CorruptMedia, NoAudioStream, NotMedia

DECODE_TIMEOUT_S = 600
_READ_BYTES = 1 << 20
_STDERR_TAIL_BYTES = 8192
T = TypeVar("T")


def run_with_deadline(command: list[str], read: Callable[[IO[bytes]], T], name: str | None) -> tuple[T, int, str]:
    """Run a decoder, `read` its output and wait for it; killed after DECODE_TIMEOUT_S (then CorruptMedia).

    Returns what `read` made of the output, the exit status, and the end of what the decoder said
    on stderr (empty when it succeeded). Its output is closed once read: a decoder with more to
    say gets a broken pipe and stops.
    """
    # stderr goes to a file: a damaged input can print more errors than a pipe holds.
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr)
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            process.kill()

        timer = threading.Timer(DECODE_TIMEOUT_S, stop)
        timer.start()
        try:
            assert process.stdout is not None
            with process.stdout:
                output = read(process.stdout)
            returncode = process.wait()
        finally:
            timer.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
        if timed_out.is_set():
            raise CorruptMedia(name, f"decoding took over {DECODE_TIMEOUT_S} s")
        if returncode == 0:
            return output, returncode, ""
        stderr.seek(max(0, stderr.seek(0, 2) - _STDERR_TAIL_BYTES))
        return output, returncode, stderr.read().decode("utf-8", "replace")


def read_capped(stream: IO[bytes], cap: int) -> bytearray:
    """Everything `stream` gives, up to `cap` bytes; the rest is never read."""
    buffer = bytearray()
    while len(buffer) < cap:
        chunk = stream.read(min(_READ_BYTES, cap - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    return buffer


def classify_failure(path: Path, name: str | None, stderr: str) -> Exception:
    """Map ffmpeg's complaint to the error a user understands."""
    if "matches no streams" in stderr:
        return NoAudioStream(name)
    if "Error opening input" in stderr or "not on whitelist" in stderr:
        return NotMedia(name)
    return CorruptMedia(name, _last_reason(stderr, path, name))


# ffmpeg's phrases for damage, in the words a user reads (the first that occurs wins).
_PLAIN_REASONS = (
    ("Invalid PCM packet", "its audio stops in the middle of a sample"),
    ("corrupt input packet", "a packet of its audio is corrupt"),
    ("Packet corrupt", "a packet of its audio is corrupt"),
    ("Invalid data found when processing input", "part of its audio cannot be decoded"),
    ("Header missing", "part of its audio cannot be decoded"),
    ("Error while decoding", "part of its audio cannot be decoded"),
    ("End of file", "it ends before its audio does"),
)
# ffmpeg's own bookkeeping, never a reason: the exit, the summary and progress lines.
_NOT_REASONS = re.compile(r"^(Conversion failed|Terminating thread|Exiting normally|video:|size=|\[out#|Press \[q\])")


def _last_reason(stderr: str, path: Path, name: str | None) -> str:
    """ffmpeg's complaint as a short phrase, with no internal codes and no closing full stop."""
    for phrase, plain in _PLAIN_REASONS:
        if phrase in stderr:
            return plain
    lines = [line.rsplit("] ", 1)[-1].strip() for line in stderr.splitlines() if line.strip()]
    lines = [line for line in lines if not _NOT_REASONS.match(line)]
    reason = lines[-1] if lines else "ffmpeg could not read it"
    reason = re.sub(r"\s*\(?(?:return )?code -?\d+\)?", "", reason).rstrip(" .")
    # ffmpeg names the file it read; the user knows it by their own name.
    for spelled in (f"file:{path}", str(path), path.name):
        reason = reason.replace(spelled, name or "the clip")
    return reason[:160]
