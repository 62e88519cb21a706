"""Discord delivery: status messages kept up to date, finished videos posted, daily posts; restart-safe.

Everything here works from the job log (the jobs and their Discord messages), so a restarted bot
picks up where the last one stopped: it edits the status messages still open and posts the videos
rendered but not yet posted. The job log and the files are read in threads (asyncio.to_thread):
the event loop only talks to Discord.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import discord

from bot.discord import text as messages
from bot.discord.service import DiscordService
from bot.outage import Outage
from bot.shown import ShownClass, shown_classes
from pipeline.render import read_sidecar
from storage.guilds import PostRecord
from storage.models import Job, JobStatus

log = logging.getLogger(__name__)

MAX_POST_TRIES = 10  # a video Discord refuses this many times in a row (5xx, odd errors) is given up on


class Delivery:
    """Keeps each job's Discord messages in step with the job log."""

    def __init__(self, client: discord.Client, service: DiscordService) -> None:
        self.client, self.service = client, service
        self._lock = asyncio.Lock()
        self._shown: dict[int, str] = {}  # job id → status text last written, to edit only on change
        self._previewed: set[int] = set()  # jobs whose status message carries their first look
        self._trouble: dict[int, Outage] = {}  # job id → its failed steps in a row (logged once per reason)
        self._post_tries: dict[int, int] = {}  # job id → failed attempts to post its video

    async def sync_posts(self) -> None:
        """Edit status messages with progress, post rendered videos, report failures; restart-safe."""
        async with self._lock:
            service = self.service
            posts = await asyncio.to_thread(service.guilds.open_posts)
            tracked = {post.job_id for post in posts}
            for post in posts:
                await self._guarded(post.job_id, self._sync_one(post))
            for job in await asyncio.to_thread(service.store.undelivered, "discord"):
                if job.id not in tracked and job.channel_id:  # accepted before its status message was posted
                    await self._guarded(
                        job.id, self._deliver(job, PostRecord(job.id, job.channel_id, None, job.message_id))
                    )

    async def _guarded(self, job_id: int, step: Coroutine[Any, Any, None]) -> None:
        """One job's step; its failure is logged (once per reason) and never stops the other jobs' posts."""
        try:
            await step
        except Exception as exc:
            tick_s = self.service.settings.discord_progress_s  # the next try is the next tick of the delivery loop
            self._trouble.setdefault(job_id, Outage(f"job {job_id}: its Discord post", tick_s, tick_s)).failed(exc)
        else:
            trouble = self._trouble.pop(job_id, None)
            if trouble is not None:
                trouble.succeeded()

    async def _sync_one(self, post: PostRecord, deliver: bool = True) -> None:
        """Bring one job's status message up to date; post its video if it is rendered (and `deliver`)."""
        service = self.service
        job = await asyncio.to_thread(service.store.get, post.job_id)
        status = JobStatus(job.status)
        if status is JobStatus.RENDERED:
            if deliver:
                await self._deliver(job, post)
            return
        position, wait_s = await asyncio.to_thread(service.place, job)
        text = messages.status_text(job, position, wait_s, f"<@{job.requester_id}>", post.summary)
        await self._edit_status(post, text, job.preview_path)
        if status in (JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.DELIVERED):
            await asyncio.to_thread(service.guilds.close_post, job.id)
            self._shown.pop(job.id, None)
            self._previewed.discard(job.id)

    async def _edit_status(self, post: PostRecord, text: str, preview: str | None = None) -> None:
        """Edit the status message when its text changed; the job's first look is attached once it exists."""
        if post.status_message_id is None:
            return
        wanted = preview is not None and post.job_id not in self._previewed
        sheet = await asyncio.to_thread(_read, Path(preview)) if wanted and preview is not None else None
        if self._shown.get(post.job_id) == text and sheet is None:
            return
        self._shown[post.job_id] = text
        channel = self.client.get_partial_messageable(int(post.channel_id))
        message = channel.get_partial_message(int(post.status_message_id))
        try:
            if sheet is not None:
                preview_file = discord.File(io.BytesIO(sheet), filename=f"ganterp-{post.job_id}-preview.png")
                await message.edit(content=text, attachments=[preview_file])
                self._previewed.add(post.job_id)
            else:
                await message.edit(content=text)
        except discord.HTTPException as exc:  # deleted status message, lost access: the video still comes
            log.warning("could not edit the status of job %d: %s", post.job_id, exc)

    async def _deliver(self, job: Job, post: PostRecord) -> None:
        service = self.service
        output = Path(job.output_path or "")
        video = await asyncio.to_thread(_read, output) if job.output_path else None
        if video is None:  # removed by hand, a lost disk: nothing to post, ever
            await asyncio.to_thread(
                service.store.mark_failed,
                job.id,
                messages.cannot_deliver("the video file is gone"),
                f"discord: the rendered video {output} is gone",
            )
            await self._sync_one(post, deliver=False)
            return
        shown = await asyncio.to_thread(_shown, output)
        text = messages.delivered_text(job, shown, f"<@{job.requester_id}>")
        channel = self.client.get_partial_messageable(int(post.channel_id))
        reply_to = post.reply_to_id or post.status_message_id
        reference = (
            discord.MessageReference(
                message_id=int(reply_to), channel_id=int(post.channel_id), fail_if_not_exists=False
            )
            if reply_to
            else None
        )
        try:
            await channel.send(
                text,
                file=discord.File(io.BytesIO(video), filename=f"ganterp-{job.id}.mp4"),
                view=buttons(job.id),
                reference=reference,  # type: ignore[arg-type]
            )
        except (discord.Forbidden, discord.NotFound) as exc:
            await asyncio.to_thread(
                service.store.mark_failed,
                job.id,
                messages.cannot_deliver("no permission to post there"),
                f"discord: {exc}",
            )
        except discord.HTTPException as exc:
            tries = self._post_tries[job.id] = self._post_tries.get(job.id, 0) + 1
            if exc.status != 413 and tries < MAX_POST_TRIES:
                log.warning("posting job %d failed (try %d of %d), will retry: %s", job.id, tries, MAX_POST_TRIES, exc)
                return
            detail = "too large for this server" if exc.status == 413 else "Discord kept refusing it"
            await asyncio.to_thread(
                service.store.mark_failed, job.id, messages.cannot_deliver(detail), f"discord: {exc}"
            )
        else:
            await asyncio.to_thread(service.store.mark_delivered, job.id)
        self._post_tries.pop(job.id, None)
        await self._sync_one(post, deliver=False)  # the status message's last word; never a second post

    async def post_daily(self, job: Job) -> int:
        """Post a daily video to every server's daily channel; returns how many channels got it."""
        assert job.output_path is not None
        output = Path(job.output_path)
        video = await asyncio.to_thread(output.read_bytes)
        shown = await asyncio.to_thread(_shown, output)
        text = messages.daily_text(job, shown)
        posted = 0
        for guild_id, channel_id in (await asyncio.to_thread(self.service.guilds.daily_channels)).items():
            try:
                channel = self.client.get_partial_messageable(int(channel_id))
                file = discord.File(io.BytesIO(video), filename=f"ganterp-daily-{job.id}.mp4")
                await channel.send(text, file=file)
                posted += 1
            except discord.HTTPException as exc:  # one server's lost access must not stop the others
                log.warning("daily post to server %s failed: %s", guild_id, exc)
        return posted


def buttons(job_id: int) -> discord.ui.View:
    """Re-roll, Remix and Delete under a posted video (their ids survive restarts)."""
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Re-roll", custom_id=f"ganterp:reroll:{job_id}", emoji="🎲"))
    view.add_item(discord.ui.Button(label="Remix", custom_id=f"ganterp:remix:{job_id}", emoji="🔀"))
    view.add_item(
        discord.ui.Button(label="Delete", custom_id=f"ganterp:delete:{job_id}", style=discord.ButtonStyle.danger)
    )
    return view


def _shown(output: Path) -> tuple[ShownClass, ...]:
    return shown_classes(read_sidecar(output))


def _read(path: Path) -> bytes | None:
    """A file's bytes (a video or a first look, at most an upload's size), None when it is gone."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
