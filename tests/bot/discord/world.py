"""A Discord server for the tests: a guild, a channel, a member and a moderator, and what the bot said there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import discord
import simcord

from bot.discord.app import GanterpBot
from bot.discord.service import DiscordService
from bot.jobs.worker import Worker


class World:
    """A server with a #music channel, a member (alice) and a moderator who may manage it."""

    def __init__(self, env: simcord.Env, manager_perms: bool = False) -> None:
        self.env = env
        self.guild = env.create_guild()
        self.channel = self.guild.create_text_channel("music")
        self.alice = self.guild.add_member(env.create_user("alice"))
        mods = self.guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True, manage_messages=True))
        self.mod = self.guild.add_member(env.create_user("mod"), roles=[mods])


def bot_messages(channel: Any) -> list[discord.Message]:
    return [m for m in channel.history() if m.author.bot]


def has_video(message: discord.Message) -> bool:
    return any(a.filename.endswith(".mp4") for a in message.attachments)


def response_text(result: simcord.InteractionResult) -> str:
    parts = [result.response.content or ""] if result.response else []
    return " ".join(parts + [f.content or "" for f in result.followups])


async def render_and_deliver(env: simcord.Env, worker: Worker) -> None:
    while worker.run_once():
        pass
    bot = env.bot
    assert isinstance(bot, GanterpBot)
    await bot.sync_posts()
    await env.settle()


def described(service: DiscordService, job: Any) -> dict[str, Any]:
    from pipeline.render import RenderOptions, describe, prepare

    assert job.audio_path is not None
    options = RenderOptions.from_dict(job.options, classes=tuple(job.classes), seed=job.seed)
    return describe(prepare(Path(job.audio_path), options))
