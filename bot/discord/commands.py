"""The slash commands: `/ganterp …` for members and `/ganterp-server …` for server managers.

Each command only reads its options and hands them to the bot (requests) or to the service
(look-ups, settings); what is said back comes from bot.discord.text. The commands know the bot
only as a `Requests` (below), so this module does not import the client that registers them.
Refusals are raised and answered by the tree's error handler.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import discord
from discord import app_commands

from bot.discord import text as messages
from bot.discord.service import Ask, DiscordService
from bot.discord.text import ManagersOnly, WordsTooSlow
from pipeline.media.layout import Layout
from pipeline.music import Style
from pipeline.words.lookup import LookupOptions, Match, complete, lookup, resolve_words

T = TypeVar("T")
# The lookup's own work is bounded (pipeline/words/lookup.py caps the text and the searching); this bounds
# the wait on a machine busy with renders, well within the 15 minutes a deferred answer may take.
WORDS_TIMEOUT_S = 10.0

LAYOUT_CHOICES = [
    app_commands.Choice(name="auto: stacked for portrait videos, side by side for the rest", value=Layout.AUTO.value),
    app_commands.Choice(name="side: beside the performer", value=Layout.SIDE.value),
    app_commands.Choice(name="stack: above the performer", value=Layout.STACK.value),
    app_commands.Choice(name="inset: in a corner of the performer's video", value=Layout.INSET.value),
    app_commands.Choice(name="gan: the GANterpretation alone", value=Layout.GAN.value),
]
STYLE_CHOICES = [
    app_commands.Choice(name="music: cuts on the music's events", value=Style.MUSIC.value),
    app_commands.Choice(name="paper: the paper's analysis exactly", value=Style.PAPER.value),
]


class Requests(Protocol):
    """What the commands need of the bot: its service, and the shared path of a render request."""

    service: DiscordService

    async def accept_interaction(
        self,
        interaction: discord.Interaction,
        *,
        attachment: discord.Attachment | None,
        link: str | None,
        ask: Ask,
        library: bool = False,
    ) -> None:
        """Check, defer, queue and post the status message of a render request."""


def user_group(bot: Requests) -> app_commands.Group:
    """`/ganterp …`: render, random, classes, queue, cancel and help."""
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
        layout="a clip that is a video: where the GANterpretation goes beside its picture",
        lyrics="classes from the words sung or spoken in the clip (your classes still come first)",
    )
    @app_commands.choices(style=STYLE_CHOICES, layout=LAYOUT_CHOICES)
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
        layout: app_commands.Choice[str] | None = None,
        lyrics: bool | None = None,
    ) -> None:
        ask = Ask(
            words=classes,
            seed=seed,
            segments=segments,
            start_s=start,
            duration_s=duration,
            style=Style(style.value) if style else None,
            layout=Layout(layout.value) if layout else None,
            lyrics=lyrics,
        )
        await bot.accept_interaction(interaction, attachment=audio, link=link, ask=ask)

    @render.autocomplete("classes")
    async def classes_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        try:
            return await off_the_loop(lambda: _class_choices(current))
        except WordsTooSlow:
            return []  # no suggestions this time; the member may go on typing

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
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = str(interaction.guild_id) if interaction.guild_id else None

        def read() -> list[Match]:
            blocked = frozenset(bot.service.server(guild).blocked_classes)
            return lookup(words, seed=seed or 0, options=LookupOptions(blocked=blocked))

        matches = await off_the_loop(read)
        await interaction.followup.send(messages.classes_text(matches, seed), ephemeral=True)

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


def server_group(bot: Requests) -> app_commands.Group:
    """`/ganterp-server …`: the bot's settings on a server, for its managers."""
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
        text = messages.server_settings_text(server)
        if interaction.response.is_done():  # deferred while words were read
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)

    async def blocked_here(guild_id: int | None) -> tuple[int, ...]:
        return (await asyncio.to_thread(bot.service.server, str(guild_id))).blocked_classes

    @group.command(name="show", description="The bot's settings on this server")
    async def show(interaction: discord.Interaction) -> None:
        await reply(interaction)

    @group.command(name="answer-in", description="Add or remove a channel the bot answers in")
    async def answer_in(interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        assert interaction.guild_id is not None
        current = (await asyncio.to_thread(bot.service.guilds.settings, str(interaction.guild_id))).answer_channels
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

    @group.command(name="layout", description="Where the GANterpretation goes when a clip is a video")
    @app_commands.choices(layout=LAYOUT_CHOICES)
    async def layout(interaction: discord.Interaction, layout: app_commands.Choice[str]) -> None:
        await reply(interaction, layout=layout.value)

    @group.command(name="style", description="The style of videos on this server when a request names none")
    @app_commands.choices(style=STYLE_CHOICES)
    async def style(interaction: discord.Interaction, style: app_commands.Choice[str]) -> None:
        await reply(interaction, style=style.value)

    @group.command(name="lyrics", description="Whether the words heard in a clip choose its classes by default")
    @app_commands.choices(
        choice=[
            app_commands.Choice(name="on: things named in the clip are shown", value="on"),
            app_commands.Choice(name="off: random classes", value="off"),
        ]
    )
    async def lyrics(interaction: discord.Interaction, choice: app_commands.Choice[str]) -> None:
        await reply(interaction, lyrics=choice.value == "on")

    @group.command(name="block", description="Never render these classes here, even when named (words or ids)")
    async def block(interaction: discord.Interaction, classes: str) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        current = await blocked_here(interaction.guild_id)
        added = await off_the_loop(lambda: resolve_words(classes, 0, _AS_NAMED))
        await reply(interaction, blocked_classes=sorted({*current, *added}))

    @group.command(name="unblock", description="Allow classes again (words or ids; 'all' clears the list)")
    async def unblock(interaction: discord.Interaction, classes: str) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        current = await blocked_here(interaction.guild_id)
        if classes.strip().lower() == "all":
            removed = set(current)
        else:
            removed = set(await off_the_loop(lambda: resolve_words(classes, 0, _AS_NAMED)))
        await reply(interaction, blocked_classes=sorted(set(current) - removed))

    @group.command(name="random-fill", description="Whether random classes come from the safe set or all 1000")
    @app_commands.choices(
        pool=[
            app_commands.Choice(name="the safe set (no weapons…)", value="safe"),
            app_commands.Choice(name="all 1000 classes", value="all"),
        ]
    )
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


_AS_NAMED = LookupOptions(fix_spelling=False, steer_safe=False)  # a block list takes words as written


async def off_the_loop(read: Callable[[], T]) -> T:
    """Run a lookup in a worker thread, so the gateway keeps its heartbeat, and wait at most WORDS_TIMEOUT_S."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(read), WORDS_TIMEOUT_S)
    except TimeoutError:
        raise WordsTooSlow(WORDS_TIMEOUT_S) from None


def _class_choices(current: str) -> list[app_commands.Choice[str]]:
    # Autocomplete the last word of a comma-separated list, keeping the ones before it.
    head, _, last = current.rpartition(",")
    prefix = f"{head.strip()}, " if head.strip() else ""
    found = complete(last.strip(), limit=25) if last.strip() else []
    return [app_commands.Choice(name=(prefix + name)[:100], value=(prefix + name)[:100]) for _, name in found]
