"""Files appear whole or not at all: the one way this project writes a file atomically."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


def temporary_path(output: Path) -> Path:
    """The hidden name a file is written under before it is complete (unique to this process)."""
    return output.with_name(f".{output.name}.{os.getpid()}.partial")


@contextlib.contextmanager
def replacing(output: Path) -> Iterator[Path]:
    """Yield a hidden path to write; on success it takes `output`'s name in one step, on failure it is removed.

    A reader never sees half a file, and a crash leaves at most a hidden `.partial` beside it.
    """
    partial = temporary_path(output)
    try:
        yield partial
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)


def write_atomically(output: Path, data: bytes | str) -> None:
    """Write `data` (text as UTF-8) to `output` so that readers see the old file or the new one, never a mix."""
    with replacing(output) as partial:
        if isinstance(data, str):
            partial.write_text(data, encoding="utf-8")
        else:
            partial.write_bytes(data)
