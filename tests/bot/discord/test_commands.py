"""The slash commands: look-ups, the queue, and the server settings managers change."""

from __future__ import annotations

from typing import Any

import pytest
import simcord

from bot.discord.service import DiscordService
from bot.discord.text import WordsTooSlow
from pipeline.words.lookup import TooManyWords
from tests.bot.discord.world import World, described, response_text
from tests.conftest import ClipMaker

pytestmark = pytest.mark.asyncio


async def test_server_settings_need_manage_server(
    env: simcord.Env, service: DiscordService, make_clip: ClipMaker
) -> None:
    world = World(env)
    other = world.guild.create_text_channel("other")
    shown = await world.mod.slash(world.channel, "ganterp-server answer-in", channel=other)
    assert "Answers in: <#" in response_text(shown)
    assert service.guilds.settings(str(world.guild.id)).answer_channels == (str(other.id),)
    refused = await world.alice.slash(world.channel, "ganterp render", audio=("a.wav", make_clip(3.0).read_bytes()))
    assert "I only answer in" in response_text(refused)
    with pytest.raises(Exception):  # noqa: B017 (simcord hides the command from non-managers, as Discord does)
        await world.alice.slash(world.channel, "ganterp-server daily", channel=other)
    await world.mod.slash(world.channel, "ganterp-server daily", channel=other)
    assert service.guilds.daily_channels() == {str(world.guild.id): str(other.id)}


async def test_classes_queue_cancel_help_and_random(env: simcord.Env, service: DiscordService) -> None:
    world = World(env)
    classes = await world.alice.slash(world.channel, "ganterp classes", words="dog, ocean")
    assert "dog →" in response_text(classes)
    choices = await world.alice.autocomplete(world.channel, "ganterp render", "classes", "dog, golden ret")
    assert any("golden retriever" in c["name"] for c in choices)
    random_ = await world.alice.slash(world.channel, "ganterp random", seed=3)
    assert "queued" in response_text(random_)
    assert service.store.get(1).source_kind == "library"
    queue = await world.alice.slash(world.channel, "ganterp queue")
    assert "#1: #1 in the queue" in response_text(queue)
    cancel = await world.alice.slash(world.channel, "ganterp cancel")
    assert "Job #1 is cancelled" in response_text(cancel)
    assert "GANterpretations" in response_text(await world.alice.slash(world.channel, "ganterp help"))


async def test_classes_preview_tells_the_truth(env: simcord.Env, service: DiscordService) -> None:
    from pipeline.words.lookup import resolve_words

    world = World(env)
    unseeded = response_text(await world.alice.slash(world.channel, "ganterp classes", words="dog"))
    assert "dog → one of" in unseeded and "picked by the seed" in unseeded
    seeded = response_text(await world.alice.slash(world.channel, "ganterp classes", words="dog", seed=42))
    from pipeline.classes import class_name

    assert f"dog → {class_name(resolve_words('dog', 42)[0])}" in seeded


async def test_server_blocks_classes_styles_and_random_fill(
    env: simcord.Env, service: DiscordService, make_clip: ClipMaker
) -> None:
    from pipeline.words.safety import is_safe_for_random

    world = World(env)
    shown = response_text(await world.mod.slash(world.channel, "ganterp-server block", classes="assault rifle, 763"))
    assert "Blocked classes: revolver" in shown or "assault rifle" in shown
    server = service.guilds.settings(str(world.guild.id))
    assert {413, 763} <= set(server.blocked_classes)
    refused = await world.alice.slash(
        world.channel, "ganterp render", audio=("a.wav", make_clip(3.0).read_bytes()), classes="assault rifle"
    )
    assert "blocked" in response_text(refused) and service.store.recent(10) == []
    await world.mod.slash(world.channel, "ganterp-server style", style="paper")
    clip = make_clip(8.0).read_bytes()
    await world.alice.slash(world.channel, "ganterp random", audio=("b.wav", clip), seed=1)
    job = service.store.recent(1)[0]
    assert job.options["style"] == "paper" and job.options["safe_random"] is True
    assert set(job.options["exclude_random"]) >= {413, 763}
    picked = [c["class_id"] for c in described(service, job)["classes"]]
    assert all(is_safe_for_random(c) and c not in (413, 763) for c in picked)
    await world.mod.slash(world.channel, "ganterp-server random-fill", pool="all")
    await world.mod.slash(world.channel, "ganterp-server unblock", classes="all")
    server = service.guilds.settings(str(world.guild.id))
    assert server.blocked_classes == () and not server.random_safe_only and server.style == "paper"
    musical = await world.mod.slash(world.channel, "ganterp render", audio=("c.wav", clip), style="music")
    assert "queued" in response_text(musical) and service.store.recent(1)[0].options["style"] == "music"


async def test_layout_by_option_and_by_server_default(
    env: simcord.Env, service: DiscordService, make_clip: ClipMaker
) -> None:
    world = World(env)
    clip = make_clip(3.0).read_bytes()
    await world.alice.slash(world.channel, "ganterp render", audio=("a.wav", clip))
    assert service.store.recent(1)[0].options["layout"] == "auto"
    shown = response_text(await world.mod.slash(world.channel, "ganterp-server layout", layout="stack"))
    assert "Layout for videos: stack" in shown
    await world.mod.slash(world.channel, "ganterp render", audio=("b.wav", clip))
    assert service.store.recent(1)[0].options["layout"] == "stack"
    await world.mod.slash(world.channel, "ganterp render", audio=("c.wav", clip), layout="inset")
    assert service.store.recent(1)[0].options["layout"] == "inset"


async def test_words_are_read_off_the_event_loop(
    env: simcord.Env, service: DiscordService, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from bot.discord import commands

    threads: dict[str, threading.Thread] = {}

    def recorded(name: str) -> None:
        real = getattr(commands, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            threads[name] = threading.current_thread()
            return real(*args, **kwargs)

        monkeypatch.setattr(commands, name, call)

    for name in ("lookup", "resolve_words", "complete"):
        recorded(name)
    world = World(env)
    shown = await world.alice.slash(world.channel, "ganterp classes", words="dog, ocean")
    assert "dog →" in response_text(shown)
    await world.alice.autocomplete(world.channel, "ganterp render", "classes", "golden ret")
    await world.mod.slash(world.channel, "ganterp-server block", classes="revolver")
    assert "revolver" in response_text(await world.mod.slash(world.channel, "ganterp-server unblock", classes="dog"))
    # Was the event loop's own thread: a long request stalled the gateway (5.4 s measured).
    assert set(threads) == {"lookup", "resolve_words", "complete"}
    assert threading.current_thread() not in threads.values()


async def test_a_lookup_that_does_not_finish_is_answered_in_bounded_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    import threading

    from bot.discord import commands
    from bot.discord.text import error_message

    release = threading.Event()
    monkeypatch.setattr(commands, "WORDS_TIMEOUT_S", 0.5)
    ticks = 0

    async def heartbeat() -> None:
        nonlocal ticks
        while not release.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    beating = asyncio.create_task(heartbeat())
    try:
        # A machine too busy to read the words in time (simcord's clock waits for threads, so plain asyncio here).
        with pytest.raises(WordsTooSlow) as refused:
            await commands.off_the_loop(lambda: release.wait(60))
        assert not release.is_set() and ticks > 0  # answered while the words were still being read; the loop ran
    finally:
        release.set()
        await beating
    assert error_message(refused.value) == "Reading those words took more than 0.5 s; please try again in a minute."
    assert await commands.off_the_loop(lambda: "read") == "read"


async def test_a_pasted_page_of_words_is_one_sentence_on_discord(env: simcord.Env) -> None:
    world = World(env)
    page = " ".join(["dog", "qzxvw", "ocean", "tree"] * 1500)[:6000]
    answered = response_text(await world.alice.slash(world.channel, "ganterp classes", words=page))
    assert "At most 50 classes can be asked for at once" in answered and "went wrong" not in answered
    number = response_text(await world.alice.slash(world.channel, "ganterp classes", words="7" * 5000))
    assert "→ not a class, skipped" in number and len(number) < 200  # was "Something went wrong"
    assert [type(getattr(e, "original", e)) for e in env.errors] == [TooManyWords]  # answered, as a refusal
