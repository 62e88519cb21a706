"""The discord.py client: requests from commands, mentions and buttons; commands.py declares the commands,
delivery.py keeps the messages up to date, and the logic is in service.py and bot/discord/text.py.

Blocking work (downloads, decoding, every database and file call) runs in threads so the gateway
keeps its heartbeat; the interaction is deferred first, well within Discord's 3 seconds. A refusal
(a pipeline.errors.UserError) is raised where it is found and answered in one place: the command
tree's error handler, which button presses share; a mention, having no interaction, gets a reply.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import discord
from discord import app_commands
from discord.ext import tasks

from bot.discord import text as messages
from bot.discord.commands import server_group, user_group
from bot.discord.delivery import Delivery
from bot.discord.intake import queue_upload
from bot.discord.service import DEFAULT_UPLOAD_LIMIT, Ask, DiscordService, Origin, Queued, check_attachment
from bot.discord.text import CannotPost, ManagersOnly, MessageContentOff, NotAllowed, no_clip
from bot.listening import wants_lyrics
from pipeline.words import lookup
from storage.models import Job

log = logging.getLogger(__name__)

LINK = re.compile(r"https?://\S+")
IO_THREADS = 32  # preparing clips takes at most MAX_PREPARING of them; the rest serve database calls
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
        self.tree.error(self.answer_error)
        self.tree.add_command(user_group(self))
        self.tree.add_command(server_group(self))
        self.tree.add_command(app_commands.ContextMenu(name="GANterpret", callback=self._ganterpret))
        self.on_ready_hook = on_ready_hook
        self.delivery = Delivery(self, service)
        self.sync_posts_loop = tasks.loop(seconds=settings.discord_progress_s)(self.sync_posts)

    async def setup_hook(self) -> None:
        """Register the commands and start the delivery loop (which also answers jobs from before a restart)."""
        # Blocking work runs in threads; a pool of its own keeps database calls flowing while clips are fetched.
        self.loop.set_default_executor(ThreadPoolExecutor(max_workers=IO_THREADS, thread_name_prefix="ganterp-io"))
        await asyncio.to_thread(lookup.warm)  # the word index and spelling tables, before the first /ganterp classes
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
        """The shared path of render, random and GANterpret: check, defer, queue, post the status message.

        A refusal is raised, and answered by the tree's error handler (privately, like everything here).
        """
        origin = _origin(interaction.user, interaction.channel_id, interaction.guild_id, message)
        _check_can_post(interaction.app_permissions, interaction.guild_id)
        if attachment is not None:
            self._check_attachment(attachment)
        elif link is None and not library:
            raise no_clip()
        await interaction.response.defer(ephemeral=True, thinking=True)
        queued = await self._queue(origin, attachment, link, ask, _upload_limit(interaction.guild), library)
        channel = interaction.channel
        assert isinstance(channel, discord.abc.Messageable)
        await self._post_status(channel, queued, interaction.user.mention, reply_to=message)
        await interaction.followup.send(messages.queued_ephemeral(queued.job.id), ephemeral=True)

    def _check_attachment(self, attachment: discord.Attachment) -> None:
        """Refuse a file that is not a clip, or larger than the bot fetches, before anything else happens."""
        check_attachment(attachment.filename, attachment.content_type, attachment.size, self.service.max_download_bytes)

    async def _queue(
        self,
        origin: Origin,
        attachment: discord.Attachment | None,
        link: str | None,
        ask: Ask,
        max_bytes: int,
        library: bool,
    ) -> Queued:
        """Queue a request's clip; the service checks the channel and the limits once, before any download."""
        service = self.service
        if attachment is not None:  # admitted (limits, slot, bytes in flight) before a byte of it is read
            return await queue_upload(service, origin, attachment, ask, max_bytes=max_bytes)
        if link is not None:
            return await asyncio.to_thread(service.submit_link, origin, link, ask, max_bytes=max_bytes)
        return await asyncio.to_thread(service.submit_library_clip, origin, ask, max_bytes=max_bytes)

    async def _post_status(
        self, channel: discord.abc.Messageable, queued: Queued, mention: str, reply_to: discord.Message | None
    ) -> None:
        """Post the public status message and record it (once): the delivery loop edits it from then on."""
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
        origin = _origin(message.author, message.channel.id, message.guild.id if message.guild else None, message)
        try:
            source = await _message_with_the_clip(message)
            if not _has_clip(source):
                if source is not message and not self.intents.message_content:
                    raise MessageContentOff()
                raise no_clip("mention me on a message with a clip, or in a reply to one")
            attachment = next((a for a in source.attachments if _is_media(a)), None) or (
                source.attachments[0] if source.attachments else None
            )
            link = _first_link(source.content) if attachment is None else None
            if attachment is not None:
                self._check_attachment(attachment)
            words, lyrics = wants_lyrics(words)
            ask = Ask(words=words or None, lyrics=lyrics or None)  # without the word: the server's default
            queued = await self._queue(origin, attachment, link, ask, _upload_limit(message.guild), False)
        except Exception as exc:  # no interaction to answer: the refusal is a reply to the mention
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
        try:  # a button is no command of the tree, but its refusals are answered by the same handler
            if action == "delete":
                await self._delete(interaction, job_id)
            else:
                await self._resubmit(interaction, job_id, same_classes=action == "remix")
        except Exception as exc:
            await self.answer_error(interaction, exc)

    async def _resubmit(self, interaction: discord.Interaction, job_id: int, *, same_classes: bool) -> None:
        """Re-roll or Remix: queue the job's stored clip again, answered like a new request."""
        _check_can_post(interaction.app_permissions, interaction.guild_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        origin = _origin(interaction.user, interaction.channel_id, interaction.guild_id, None)
        queued = await asyncio.to_thread(
            self.service.resubmit,
            job_id,
            origin,
            same_classes=same_classes,
            max_bytes=_upload_limit(interaction.guild),
        )
        channel = interaction.channel
        assert isinstance(channel, discord.abc.Messageable)
        await self._post_status(channel, queued, interaction.user.mention, reply_to=interaction.message)
        kind = "Remix" if same_classes else "Re-roll"
        await interaction.followup.send(messages.resubmitted_text(queued.job.id, kind), ephemeral=True)

    async def _delete(self, interaction: discord.Interaction, job_id: int) -> None:
        """Delete a posted video: its requester or a moderator only."""
        job = await asyncio.to_thread(self.service.store.get, job_id)
        moderator = interaction.permissions.manage_messages
        if job.requester_id != str(interaction.user.id) and not moderator:
            raise NotAllowed("delete this video")
        if interaction.message is not None:
            await interaction.message.delete()
        await interaction.response.send_message(messages.deleted_text(), ephemeral=True)

    # ------------------------------------------------------------------ delivery

    async def sync_posts(self) -> None:
        """Edit status messages, post rendered videos, report failures (the delivery loop's tick)."""
        await self.delivery.sync_posts()

    async def post_daily(self, job: Job) -> int:
        """Post a daily video to every server's daily channel; returns how many channels got it."""
        return await self.delivery.post_daily(job)

    async def answer_error(self, interaction: discord.Interaction, error: BaseException) -> None:
        """The one answer to a failed interaction: a refusal's sentence, or "something went wrong" (logged)."""
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        if isinstance(error, app_commands.MissingPermissions):
            original = ManagersOnly()
        text = messages.error_message(original)
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)


# ----------------------------------------------------------------------------- helpers


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


async def _message_with_the_clip(message: discord.Message) -> discord.Message:
    """The message itself, or the one it replies to when it has no clip of its own."""
    reference = message.reference
    if _has_clip(message) or reference is None or not reference.message_id:
        return message
    if isinstance(reference.resolved, discord.Message):
        return reference.resolved
    try:
        return await message.channel.fetch_message(reference.message_id)
    except discord.HTTPException:  # deleted since, or no Read Message History here
        raise no_clip("I cannot see the message you replied to (deleted, or hidden from me)") from None


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
