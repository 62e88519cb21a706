"""Delivery: videos posted once, daily posts, and a job whose post fails never stops the others."""

from __future__ import annotations

from pathlib import Path

import pytest
import simcord

from bot.discord.app import GanterpBot
from bot.discord.service import DiscordService
from bot.jobs.worker import Worker
from tests.bot.discord.world import World, bot_messages, has_video
from tests.conftest import ClipMaker

pytestmark = pytest.mark.asyncio


async def test_daily_post_goes_to_each_servers_daily_channel(
    env: simcord.Env, service: DiscordService, worker: Worker, make_clip: ClipMaker
) -> None:
    from bot.jobs.scheduler import DailyPoster, DailyPostSettings

    world = World(env)
    daily = world.guild.create_text_channel("daily")
    service.guilds.update(str(world.guild.id), daily_channel_id=str(daily.id))
    clip = make_clip(2.0)
    accepted = DailyPoster(service.store, lambda: [clip], DailyPostSettings.parse("09:00")).post()
    assert accepted is not None
    assert worker.run_once()  # rendered; daily jobs are published by the runner, not by a reply
    bot = env.bot
    assert isinstance(bot, GanterpBot)
    assert await bot.post_daily(service.store.get(accepted.job.id)) == 1
    await env.settle()
    posted = bot_messages(daily)[-1]
    assert posted.attachments and posted.attachments[0].filename.endswith(".mp4")
    assert posted.content.startswith("Today's GANterpretation (seed")
    assert not bot_messages(world.channel), "nothing in the other channels"


async def test_a_video_that_is_gone_fails_its_job_and_the_others_still_post(
    env: simcord.Env, worker: Worker, make_clip: ClipMaker
) -> None:
    world = World(env)
    clip = make_clip(3.0, name="song.wav").read_bytes()
    for _ in range(2):
        await world.alice.slash(world.channel, "ganterp render", audio=("song.wav", clip))
    while worker.run_once():
        pass
    store = env.bot.service.store  # type: ignore[attr-defined]
    Path(store.get(1).output_path).unlink()  # removed by hand before the bot could post it
    await env.bot.sync_posts()  # type: ignore[attr-defined]
    await env.settle()
    assert store.get(1).status == "failed" and "could not be posted" in (store.get(1).user_error or "")
    assert store.get(2).status == "delivered"
    assert [m.attachments[0].filename for m in bot_messages(world.channel) if has_video(m)] == ["ganterp-2.mp4"]


async def test_a_video_is_posted_once_even_when_its_delivery_cannot_be_recorded(
    env: simcord.Env, worker: Worker, make_clip: ClipMaker
) -> None:
    world = World(env)
    await world.alice.slash(world.channel, "ganterp render", audio=("song.wav", make_clip(3.0).read_bytes()))
    while worker.run_once():
        pass
    store = env.bot.service.store  # type: ignore[attr-defined]
    store.mark_delivered = lambda job_id: False  # e.g. the job changed state meanwhile
    await env.bot.sync_posts()  # type: ignore[attr-defined]
    await env.settle()
    assert len([m for m in bot_messages(world.channel) if has_video(m)]) == 1, "never posted again in a loop"


async def test_a_post_that_keeps_failing_is_logged_once_and_its_recovery_once(
    service: DiscordService, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    delivery = GanterpBot(service).delivery

    async def broken() -> None:
        raise RuntimeError("Discord answered 503")

    async def fine() -> None:
        return None

    with caplog.at_level(logging.INFO, logger="bot.outage"):
        for _ in range(3):
            await delivery._guarded(7, broken())
        await delivery._guarded(8, broken())  # another job's trouble is its own
        await delivery._guarded(7, fine())
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 2 and errors[0].startswith("job 7: its Discord post failed") and "job 8" in errors[1]
    assert [r.getMessage() for r in caplog.records if "works again" in r.getMessage()] == [
        "job 7: its Discord post works again after 3 failed tries"
    ]
