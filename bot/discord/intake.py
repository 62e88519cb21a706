"""Clips attached to Discord requests: admitted before a byte is read, kept under a name of our own.

Admission comes first: the refusals that need no clip (channel, the server's and the queue's
limits), then the member's slot and the attachment's size, as Discord declares it, out of the
bytes the bot lets be in flight (GANTERP_DISCORD_INFLIGHT_BYTES). A crowd sending large files at
once so costs each member over the limits one sentence, never disk; the slot and its bytes are
held until the clip is queued (the job log keeps its own copy) or refused, and its file removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

from bot.discord.service import Ask, DiscordService, Origin, Queued
from storage.jobs import INCOMING


class Upload(Protocol):
    """What the intake needs of an attachment (a discord.Attachment has it all)."""

    @property
    def filename(self) -> str:
        """The name its sender gave it (shown back to them, never used as a path)."""

    @property
    def size(self) -> int:
        """Its size in bytes, as Discord declares it before it is read."""

    @property
    def url(self) -> str:
        """Where Discord serves it (recorded as the job's source)."""

    async def read(self) -> bytes:
        """Its bytes, fetched from Discord."""


async def queue_upload(service: DiscordService, origin: Origin, upload: Upload, ask: Ask, *, max_bytes: int) -> Queued:
    """Admit the request, then fetch the attachment, store it and queue it; raises a typed refusal otherwise."""
    await asyncio.to_thread(service.check_can_submit, origin)
    with service.admission.slot(origin.requester_id, upload.size):
        async with _incoming_file(service, upload) as path:
            return await _store_and_queue(service, origin, upload, path, ask, max_bytes)


async def _store_and_queue(
    service: DiscordService, origin: Origin, upload: Upload, path: Path, ask: Ask, max_bytes: int
) -> Queued:
    """Read the attachment into its incoming file and queue it (the slot and its bytes are the caller's)."""
    data = await upload.read()
    await asyncio.to_thread(path.write_bytes, data)
    del data  # the bytes are on disk now; the reservation covers one copy, not two
    return await asyncio.to_thread(
        service.queue_admitted,
        origin,
        path,
        ask,
        max_bytes=max_bytes,
        source_kind="attachment",
        source_ref=upload.url,
        source_name=upload.filename,
    )


@contextlib.asynccontextmanager
async def _incoming_file(service: DiscordService, upload: Upload) -> AsyncIterator[Path]:
    """A fresh file in the incoming folder (made and removed in a thread), removed on the way out."""
    path = await asyncio.to_thread(_new_incoming_file, service.store.data_dir / INCOMING, upload.filename)
    try:
        yield path
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)


def _new_incoming_file(folder: Path, filename: str) -> Path:
    """An empty file of a unique name in `folder`.

    Its name is unique (two members may GANterpret the same message at once) and only its
    suffix, cut short and ASCII, comes from the sender's file name: ffmpeg reads that as a hint.
    """
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(filename).suffix.lower()[:8]
    handle, name = tempfile.mkstemp(dir=folder, prefix="attachment-", suffix=suffix if suffix.isascii() else "")
    os.close(handle)
    return Path(name)
