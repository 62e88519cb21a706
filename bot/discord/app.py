"""The discord.py glue: commands, mentions, buttons and the delivery loop; the logic is in service/messages.

Blocking work (downloads, decoding, database writes) runs in threads so the gateway keeps
its heartbeat; the interaction is deferred first, well within Discord's 3 seconds.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import tasks

from bot import messages
from bot.discord.service import DEFAULT_UPLOAD_LIMIT, Ask, DiscordService, Origin, Queued, check_attachment
from bot.messages import CannotPost, ManagersOnly, MessageContentOff, NoClip, NotAllowed
from pipeline.lookup import LookupOptions, complete, lookup, resolve_words
from pipeline.music import Style
from pipeline.render import read_sidecar
from storage.guilds import PostRecord
from storage.models import Job, JobStatus

log = logging.getLogger(__name__)

LINK = re.compile(r"https?://\S+")
IO_THREADS = 32  # preparing clips takes at most MAX_PREPARING of them; the rest serve database calls
STYLE_CHOICES = [
    app_commands.Choice(name="music: cuts on the music's events", value=Style.MUSIC.value),
    app_commands.Choice(name="paper: the paper's analysis exactly", value=Style.PAPER.value),
]
BUTTON = re.compile(r"^ganterp:(reroll|remix|delete):(\d+)$")
NEEDED = ("send_messages", "attach_files", "read_message_history")


class GanterpBot(discord.Client):
    """The Discord front end: `/ganterp …`, the GANterpret message command, mentions and buttons."""

    def __init__(self, service: DiscordService, *, on_ready_hook: Callable[[], None] | None = None) -> None:
        settings = service.settings
        intents = discord.Intents.default()
        intents.message_content = settings.discord_message_content
        super().__init__(intents=intents, allowed_mentions=discord.AllowedMentions(users=True, everyone=False))
        self.service = service
        self.tree = app_commands.CommandTree(self)
        self.tree.error(self._on_tree_error)
        self.tree.add_command(_user_group(self))
        self.tree.add_command(_server_group(self))
        self.tree.add_command(app_commands.ContextMenu(name="GANterpret", callback=self._ganterpret))
        self.on_ready_hook = on_ready_hook
        self._sync_lock = asyncio.Lock()
        self._shown: dict[int, str] = {}  # job id → status text last written, to edit only on change
        self._previewed: set[int] = set()  # jobs whose status message carries their first look
        self.sync_posts_loop = tasks.loop(seconds=settings.discord_progress_s)(self.sync_posts)

    async def setup_hook(self) -> None:
        """Register the commands and start the delivery loop (which also answers jobs from before a restart)."""
        # Blocking work runs in threads; a pool of its own keeps database calls flowing while clips are fetched.
        self.loop.set_default_executor(ThreadPoolExecutor(max_workers=IO_THREADS, thread_name_prefix="ganterp-io"))
        guild_id = self.service.settings.discord_guild_id
        if guild_id:
            self.tree.copy_global_to(guild=discord.Object(guild_id))
            await self.tree.sync(guild=discord.Object(guild_id))
        await self.tree.sync()
        self.sync_posts_loop.start()
        if self.on_ready_hook is not None:
            self.on_ready_hook()

    async def close(self) -> None:
        """Stop the delivery loop, then disconnect."""
        self.sync_posts_loop.cancel()
        await super().close()

    def wake(self) -> None:
        """Called from the worker thread when a job is rendered: post it now rather than at the next tick.

        Once the client is closing there is no loop to post from; the job stays rendered in the
        job log and is posted when the bot is back.
        """
        try:
            loop = self.loop
            if self.is_closed() or not loop.is_running():
                raise RuntimeError("the client is closed")
            asyncio.run_coroutine_threadsafe(self.sync_posts(), loop)
        except (AttributeError, RuntimeError):
            log.info("Discord is closed; rendered videos will be posted when the bot is back")

    # ------------------------------------------------------------------ requests

    async def accept_interaction(
        self,
        interaction: discord.Interaction,
        *,
        attachment: discord.Attachment | None,
        link: str | None,
        ask: Ask,
        library: bool = False,
        message: discord.Message | None = None,
    ) -> None:
        """The shared path of render, random and GANterpret: check, defer, queue, post the status message."""
        origin = _origin(interaction.user, interaction.channel_id, interaction.guild_id, message)
        try:
            self.service.check_channel(origin)
            _check_can_post(interaction.app_permissions, interaction.guild_id)
            if attachment is not None:
                check_attachment(attachment.filename, attachment.content_type, attachment.size)
            elif link is None and not library:
                raise NoClip()
        except Exception as exc:
            await interaction.response.send_message(messages.error_message(exc), ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        max_bytes = _upload_limit(interaction.guild)
        try:
            queued = await self._queue(origin, attachment, link, ask, max_bytes, library)
        except Exception as exc:
            await interaction.followup.send(messages.error_message(exc), ephemeral=True)
            return
        channel = interaction.channel
        assert isinstance(channel, discord.abc.Messageable)
        await self._post_status(channel, queued, interaction.user.mention, reply_to=message)
        await interaction.followup.send(messages.queued_ephemeral(queued.job.id), ephemeral=True)

    async def _queue(
        self,
        origin: Origin,
        attachment: discord.Attachment | None,
        link: str | None,
        ask: Ask,
        max_bytes: int,
        library: bool,
    ) -> Queued:
        service = self.service
        if attachment is not None:
            await asyncio.to_thread(service.check_can_submit, origin)  # before reading the attachment
            data = await attachment.read()
            folder = service.store.data_dir / "incoming"
            folder.mkdir(parents=True, exist_ok=True)
            suffix = Path(attachment.filename).suffix.lower()[:8]  # never the user's name itself
            path = folder / f"{attachment.id}{suffix if suffix.isascii() else ''}"
            await asyncio.to_thread(path.write_bytes, data)
            try:
                return await asyncio.to_thread(
                    service.submit_file,
                    origin,
                    path,
                    ask,
                    max_bytes=max_bytes,
                    source_kind="attachment",
                    source_ref=attachment.url,
                    source_name=attachment.filename,
                )
            finally:
                path.unlink(missing_ok=True)
        if link is not None:
            return await asyncio.to_thread(service.submit_link, origin, link, ask, max_bytes=max_bytes)
        return await asyncio.to_thread(service.submit_library_clip, origin, ask, max_bytes=max_bytes)

    async def _post_status(
        self, channel: discord.abc.Messageable, queued: Queued, mention: str, reply_to: discord.Message | None
    ) -> None:
        place = queued.accepted.place
        summary = messages.plan_summary(queued.matches, queued.accepted.prepared)
        text = messages.accepted_text(
            queued.job.id, mention, place.position if place else None, place.wait_s if place else None, summary
        )
        if reply_to is not None:
            status = await channel.send(text, reference=reply_to.to_reference(fail_if_not_exists=False))
        else:
            status = await channel.send(text)
        await asyncio.to_thread(
            self.service.guilds.record_post,
            queued.job.id,
            str(status.channel.id),
            str(status.id),
            str(reply_to.id) if reply_to else None,
            summary,
        )

    async def _ganterpret(self, interaction: discord.Interaction, message: discord.Message) -> None:
        attachment = next((a for a in message.attachments if _is_media(a)), None) or (
            message.attachments[0] if message.attachments else None
        )
        link = _first_link(message.content) if attachment is None else None
        await self.accept_interaction(interaction, attachment=attachment, link=link, ask=Ask(), message=message)

    async def on_message(self, message: discord.Message) -> None:
        """A mention with words on a message with a clip, or in a reply to one."""
        if message.author.bot or self.user is None or self.user not in message.mentions:
            return
        words = re.sub(rf"<@!?{self.user.id}>", " ", message.content)
        words = LINK.sub(" ", words).strip(" ,")
        source = message
        if not _has_clip(message) and message.reference is not None and message.reference.message_id:
            resolved = message.reference.resolved
            if isinstance(resolved, discord.Message):
                source = resolved
            else:
                channel = message.channel
                source = await channel.fetch_message(message.reference.message_id)
        origin = _origin(message.author, message.channel.id, message.guild.id if message.guild else None, message)
        try:
            self.service.check_channel(origin)
            if not _has_clip(source):
                if source is not message and not self.intents.message_content:
                    raise MessageContentOff()
                raise NoClip("mention me on a message with a clip, or in a reply to one")
            attachment = next((a for a in source.attachments if _is_media(a)), None) or (
                source.attachments[0] if source.attachments else None
            )
            link = _first_link(source.content) if attachment is None else None
            if attachment is not None:
                check_attachment(attachment.filename, attachment.content_type, attachment.size)
            ask = Ask(words=words or None)
            queued = await self._queue(origin, attachment, link, ask, _upload_limit(message.guild), False)
        except Exception as exc:
            await _reply_quietly(message, messages.error_message(exc))
            return
        await self._post_status(message.channel, queued, message.author.mention, reply_to=message)

    # ------------------------------------------------------------------ buttons

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Re-roll, Remix and Delete on posted videos (custom ids survive restarts)."""
        if interaction.type is not discord.InteractionType.component or interaction.data is None:
            return
        found = BUTTON.match(str(interaction.data.get("custom_id", "")))
        if found is None:
            return
        action, job_id = found.group(1), int(found.group(2))
        try:
            if action == "delete":
                await self._delete(interaction, job_id)
                return
            _check_can_post(interaction.app_permissions, interaction.guild_id)
            await interaction.response.defer(ephemeral=True, thinking=True)
        except Exception as exc:
            await interaction.response.send_message(messages.error_message(exc), ephemeral=True)
            return
        origin = _origin(interaction.user, interaction.channel_id, interaction.guild_id, None)
        try:
            queued = await asyncio.to_thread(
                self.service.resubmit,
                job_id,
                origin,
                same_classes=action == "remix",
                max_bytes=_upload_limit(interaction.guild),
            )
        except Exception as exc:
            await interaction.followup.send(messages.error_message(exc), ephemeral=True)
            return
        channel = interaction.channel
        assert isinstance(channel, discord.abc.Messageable)
        await self._post_status(channel, queued, interaction.user.mention, reply_to=interaction.message)
        kind = "Remix" if action == "remix" else "Re-roll"
        await interaction.followup.send(messages.resubmitted_text(queued.job.id, kind), ephemeral=True)

    async def _delete(self, interaction: discord.Interaction, job_id: int) -> None:
        job = await asyncio.to_thread(self.service.store.get, job_id)
        moderator = interaction.permissions.manage_messages
        if job.requester_id != str(interaction.user.id) and not moderator:
            raise NotAllowed("delete this video")
        if interaction.message is not None:
            await interaction.message.delete()
        await interaction.response.send_message(messages.deleted_text(), ephemeral=True)

    # ------------------------------------------------------------------ delivery

    async def sync_posts(self) -> None:
        """Edit status messages with progress, post rendered videos, report failures; restart-safe."""
        async with self._sync_lock:
            service = self.service
            posts = await asyncio.to_thread(service.guilds.open_posts)
            tracked = {post.job_id for post in posts}
            for post in posts:
                await self._sync_one(post)
            for job in await asyncio.to_thread(service.store.undelivered, "discord"):
                if job.id not in tracked and job.channel_id:  # accepted before its status message was posted
                    await self._deliver(job, PostRecord(job.id, job.channel_id, None, job.message_id))

    async def _sync_one(self, post: PostRecord) -> None:
        service = self.service
        job = await asyncio.to_thread(service.store.get, post.job_id)
        status = JobStatus(job.status)
        if status is JobStatus.RENDERED:
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
        attach = preview is not None and post.job_id not in self._previewed and Path(preview).is_file()
        if post.status_message_id is None or (self._shown.get(post.job_id) == text and not attach):
            return
        self._shown[post.job_id] = text
        channel = self.get_partial_messageable(int(post.channel_id))
        message = channel.get_partial_message(int(post.status_message_id))
        try:
            if attach:
                assert preview is not None
                sheet = discord.File(preview, filename=f"ganterp-{post.job_id}-preview.png")
                await message.edit(content=text, attachments=[sheet])
                self._previewed.add(post.job_id)
            else:
                await message.edit(content=text)
        except discord.HTTPException as exc:  # deleted status message, lost access: the video still comes
            log.warning("could not edit the status of job %d: %s", post.job_id, exc)

    async def _deliver(self, job: Job, post: PostRecord) -> None:
        service = self.service
        assert job.output_path is not None
        output = Path(job.output_path)
        segments = await asyncio.to_thread(_segments, output)
        text = messages.delivered_text(job, segments, f"<@{job.requester_id}>")
        channel = self.get_partial_messageable(int(post.channel_id))
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
                file=discord.File(output, filename=f"ganterp-{job.id}.mp4"),
                view=_buttons(job.id),
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
            if exc.status != 413:
                log.warning("posting job %d failed, will retry: %s", job.id, exc)
                return
            await asyncio.to_thread(
                service.store.mark_failed,
                job.id,
                messages.cannot_deliver("too large for this server"),
                f"discord: {exc}",
            )
        else:
            await asyncio.to_thread(service.store.mark_delivered, job.id)
        await self._sync_one(post)

    async def post_daily(self, job: Job) -> int:
        """Post a daily video to every server's daily channel; returns how many channels got it."""
        assert job.output_path is not None
        output = Path(job.output_path)
        segments = await asyncio.to_thread(_segments, output)
        text = messages.daily_text(job, segments)
        posted = 0
        for guild_id, channel_id in (await asyncio.to_thread(self.service.guilds.daily_channels)).items():
            try:
                channel = self.get_partial_messageable(int(channel_id))
                await channel.send(text, file=discord.File(output, filename=f"ganterp-daily-{job.id}.mp4"))
                posted += 1
            except discord.HTTPException as exc:  # one server's lost access must not stop the others
                log.warning("daily post to server %s failed: %s", guild_id, exc)
        return posted

    async def _on_tree_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        original = getattr(error, "original", error)
        if isinstance(error, app_commands.MissingPermissions):
            original = ManagersOnly()
        text = messages.error_message(original)
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)


# ----------------------------------------------------------------------------- commands


def _user_group(bot: GanterpBot) -> app_commands.Group:
    group = app_commands.Group(name="ganterp", description="BigGAN music videos from your clips")

    @group.command(name="render", description="A GANterpretation of a clip: attach it or give a link")
    @app_commands.describe(
        audio="an audio or video clip",
        link="a link to a clip",
        classes="words or class names, e.g. dog, ocean",
        seed="the same seed gives the same video",
        segments="how many scenes (cuts + 1); by default as many as the music asks for",
        start="start at this second",
        duration="use this many seconds",
        style="music: cuts on the music's events, motion with the beat; paper: the paper's analysis exactly",
    )
    @app_commands.choices(style=STYLE_CHOICES)
    async def render(
        interaction: discord.Interaction,
        audio: discord.Attachment | None = None,
        link: str | None = None,
        classes: str | None = None,
        seed: app_commands.Range[int, 0, 2**31 - 1] | None = None,
        segments: app_commands.Range[int, 1, 50] | None = None,
        start: app_commands.Range[float, 0.0] = 0.0,
        duration: app_commands.Range[float, 1.0] | None = None,
        style: app_commands.Choice[str] | None = None,
    ) -> None:
        ask = Ask(words=classes, seed=seed, segments=segments, start_s=start, duration_s=duration,
                  style=Style(style.value) if style else None)  # fmt: skip
        await bot.accept_interaction(interaction, attachment=audio, link=link, ask=ask)

    @render.autocomplete("classes")
    async def classes_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return _class_choices(current)

    @group.command(name="random", description="Random classes for your clip, or a clip from the bot's library")
    @app_commands.choices(style=STYLE_CHOICES)
    async def random_(
        interaction: discord.Interaction,
        audio: discord.Attachment | None = None,
        link: str | None = None,
        seed: app_commands.Range[int, 0, 2**31 - 1] | None = None,
        style: app_commands.Choice[str] | None = None,
    ) -> None:
        ask = Ask(seed=seed, style=Style(style.value) if style else None)
        await bot.accept_interaction(
            interaction, attachment=audio, link=link, ask=ask, library=audio is None and link is None
        )

    @group.command(name="classes", description="Which BigGAN classes words would become")
    @app_commands.describe(seed="show exactly what this seed renders (without one: what the seed picks among)")
    async def classes_(
        interaction: discord.Interaction, words: str, seed: app_commands.Range[int, 0, 2**31 - 1] | None = None
    ) -> None:
        blocked = frozenset(bot.service.server(str(interaction.guild_id) if interaction.guild_id else None)
                            .blocked_classes)  # fmt: skip
        matches = lookup(words, seed=seed or 0, options=LookupOptions(blocked=blocked))
        await interaction.response.send_message(messages.classes_text(matches, seed), ephemeral=True)

    @group.command(name="queue", description="Where your videos are, and how long to wait")
    async def queue(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        rows = await asyncio.to_thread(bot.service.my_jobs, str(interaction.user.id))
        await interaction.followup.send(messages.queue_text(rows), ephemeral=True)

    @group.command(name="cancel", description="Cancel one of your videos (default: your newest)")
    async def cancel(interaction: discord.Interaction, job: int | None = None) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        done = await asyncio.to_thread(bot.service.cancel, str(interaction.user.id), job)
        text = messages.nothing_to_cancel() if done is None else messages.cancelled_text(*done)
        await interaction.followup.send(text, ephemeral=True)

    @group.command(name="help", description="What the bot does and how to ask")
    async def help_(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(messages.help_text(), ephemeral=True)

    return group


def _server_group(bot: GanterpBot) -> app_commands.Group:
    group = app_commands.Group(
        name="ganterp-server",
        description="Server settings of the GANterpretations bot (Manage Server)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    async def reply(interaction: discord.Interaction, **changes: Any) -> None:
        if not interaction.permissions.manage_guild:  # server admins can widen command visibility
            raise ManagersOnly()
        assert interaction.guild_id is not None
        guilds = bot.service.guilds
        if changes:
            server = await asyncio.to_thread(guilds.update, str(interaction.guild_id), **changes)
        else:
            server = await asyncio.to_thread(guilds.settings, str(interaction.guild_id))
        await interaction.response.send_message(messages.server_settings_text(server), ephemeral=True)

    @group.command(name="show", description="The bot's settings on this server")
    async def show(interaction: discord.Interaction) -> None:
        await reply(interaction)

    @group.command(name="answer-in", description="Add or remove a channel the bot answers in")
    async def answer_in(interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        assert interaction.guild_id is not None
        current = bot.service.guilds.settings(str(interaction.guild_id)).answer_channels
        wanted = str(channel.id)
        await reply(
            interaction,
            answer_channels=[c for c in current if c != wanted] if wanted in current else [*current, wanted],
        )

    @group.command(name="answer-everywhere", description="Answer in every channel the bot can see")
    async def answer_everywhere(interaction: discord.Interaction) -> None:
        await reply(interaction, answer_channels=[])

    @group.command(name="daily", description="The channel for the daily video (leave empty: off)")
    async def daily(interaction: discord.Interaction, channel: discord.TextChannel | None = None) -> None:
        await reply(interaction, daily_channel_id=str(channel.id) if channel else None)

    @group.command(name="style", description="The style of videos on this server when a request names none")
    @app_commands.choices(style=STYLE_CHOICES)
    async def style(interaction: discord.Interaction, style: app_commands.Choice[str]) -> None:
        await reply(interaction, style=style.value)

    @group.command(name="block", description="Never render these classes here, even when named (words or ids)")
    async def block(interaction: discord.Interaction, classes: str) -> None:
        assert interaction.guild_id is not None
        current = bot.service.server(str(interaction.guild_id)).blocked_classes
        added = resolve_words(classes, 0, LookupOptions(fix_spelling=False, steer_safe=False))
        await reply(interaction, blocked_classes=sorted({*current, *added}))

    @group.command(name="unblock", description="Allow classes again (words or ids; 'all' clears the list)")
    async def unblock(interaction: discord.Interaction, classes: str) -> None:
        assert interaction.guild_id is not None
        current = bot.service.server(str(interaction.guild_id)).blocked_classes
        removed = set(current) if classes.strip().lower() == "all" else set(
            resolve_words(classes, 0, LookupOptions(fix_spelling=False, steer_safe=False)))  # fmt: skip
        await reply(interaction, blocked_classes=sorted(set(current) - removed))

    @group.command(name="random-fill", description="Whether random classes come from the safe set or all 1000")
    @app_commands.choices(pool=[app_commands.Choice(name="the safe set (no weapons…)", value="safe"),
                                app_commands.Choice(name="all 1000 classes", value="all")])  # fmt: skip
    async def random_fill(interaction: discord.Interaction, pool: app_commands.Choice[str]) -> None:
        await reply(interaction, random_safe_only=pool.value == "safe")

    @group.command(name="limits", description="This server's limits (stricter than the operator's)")
    async def limits(
        interaction: discord.Interaction,
        waiting_per_member: app_commands.Range[int, 1, 20] | None = None,
        longest_clip_s: app_commands.Range[float, 5.0, 3600.0] | None = None,
    ) -> None:
        await reply(interaction, max_queued_per_member=waiting_per_member, max_duration_s=longest_clip_s)

    return group


# ----------------------------------------------------------------------------- helpers


def _class_choices(current: str) -> list[app_commands.Choice[str]]:
    # Autocomplete the last word of a comma-separated list, keeping the ones before it.
    head, _, last = current.rpartition(",")
    prefix = f"{head.strip()}, " if head.strip() else ""
    found = complete(last.strip(), limit=25) if last.strip() else []
    return [app_commands.Choice(name=(prefix + name)[:100], value=(prefix + name)[:100]) for _, name in found]


def _origin(
    user: discord.abc.User, channel_id: int | None, guild_id: int | None, message: discord.Message | None
) -> Origin:
    return Origin(
        requester_id=str(user.id),
        requester_name=user.name,
        channel_id=str(channel_id),
        guild_id=str(guild_id) if guild_id else None,
        message_id=str(message.id) if message else None,
    )


def _check_can_post(permissions: discord.Permissions, guild_id: int | None) -> None:
    if guild_id is None:
        return
    missing = [name for name in NEEDED if not getattr(permissions, name)]
    if missing:
        raise CannotPost(missing)


def _upload_limit(guild: discord.Guild | None) -> int:
    return guild.filesize_limit if guild is not None else DEFAULT_UPLOAD_LIMIT


def _is_media(attachment: discord.Attachment) -> bool:
    try:
        check_attachment(attachment.filename, attachment.content_type, 0)
    except messages.ChatRefused:
        return False
    return True


def _has_clip(message: discord.Message) -> bool:
    return bool(message.attachments) or _first_link(message.content) is not None


def _first_link(text: str) -> str | None:
    found = LINK.search(text or "")
    return found.group(0).rstrip(">)") if found else None


async def _reply_quietly(message: discord.Message, text: str) -> None:
    try:
        await message.reply(text, mention_author=False)
    except discord.HTTPException as exc:
        log.warning("could not answer message %d: %s", message.id, exc)


def _buttons(job_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Re-roll", custom_id=f"ganterp:reroll:{job_id}", emoji="🎲"))
    view.add_item(discord.ui.Button(label="Remix", custom_id=f"ganterp:remix:{job_id}", emoji="🔀"))
    view.add_item(
        discord.ui.Button(label="Delete", custom_id=f"ganterp:delete:{job_id}", style=discord.ButtonStyle.danger)
    )
    return view


def _segments(output: Path) -> list[dict[str, Any]]:
    segments: list[dict[str, Any]] = read_sidecar(output).get("segments", [])
    return segments
