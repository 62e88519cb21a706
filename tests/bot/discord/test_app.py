"""The Discord client end to end, offline: simcord runs the real discord.py against a fake Discord in-process."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TypeVar

import discord
import pytest
import simcord

from bot.discord.app import GanterpBot
from bot.discord.service import DiscordService
from bot.jobs.worker import Worker
from storage.jobs import QueueLimits
from storage.models import JobStatus
from tests.bot.discord.loop_guard import LoopGuard
from tests.bot.discord.world import World, bot_messages, described, has_video, render_and_deliver, response_text
from tests.conftest import ClipMaker

pytestmark = pytest.mark.asyncio

T = TypeVar("T")


async def test_slash_render_with_attachment_posts_the_mp4(
    env: simcord.Env, worker: Worker, make_clip: ClipMaker
) -> None:
    world = World(env)
    clip = make_clip(3.0, name="song.wav")
    result = await world.alice.slash(
        world.channel, "ganterp render", audio=("song.wav", clip.read_bytes()), classes="dog, ocean, qzxv", seed=5
    )
    assert result.ephemeral and "Job #1 is queued" in response_text(result)
    status = bot_messages(world.channel)[-1]
    assert "job **#1** accepted" in status.content
    assert "dog →" in status.content and "qzxv → not a class" in status.content

    await render_and_deliver(env, worker)
    video = bot_messages(world.channel)[-1]
    assert video.attachments and video.attachments[0].filename == "ganterp-1.mp4"
    assert "seed 5" in video.content and video.reference is not None
    labels = [c.label for row in video.components for c in row.children]  # type: ignore[attr-defined]
    assert labels == ["Re-roll", "Remix", "Delete"]
    assert env.bot.service.store.get(1).status == JobStatus.DELIVERED.value  # type: ignore[attr-defined]


async def test_message_command_mention_reply_and_buttons(
    env: simcord.Env, worker: Worker, make_clip: ClipMaker
) -> None:
    world = World(env)
    clip = make_clip(3.0, name="song.wav").read_bytes()
    posted = await world.mod.send(world.channel, "listen", attachments=[("song.ogg.wav", clip)])
    result = await world.alice.context_menu(world.channel, "GANterpret", posted)
    assert "Job #1 is queued" in response_text(result)
    # A mention in a reply to the clip: the mention's own message carries the words.
    await world.alice.send(world.channel, f"<@{env.bot.user.id}> dog, ocean", reply_to=posted)  # type: ignore[union-attr]
    status = bot_messages(world.channel)[-1]
    assert "job **#2** accepted" in status.content or "message-content intent" in status.content
    await render_and_deliver(env, worker)
    video = next(m for m in bot_messages(world.channel) if has_video(m))

    reroll = await world.alice.click(video, label="Re-roll")
    assert "Re-roll queued as job" in response_text(reroll)
    remix = await world.alice.click(video, label="Remix")
    assert "Remix queued as job" in response_text(remix)
    job = env.bot.service.store.recent(1)[0]  # type: ignore[attr-defined]
    assert job.source_kind == "remix" and job.classes

    stranger = world.guild.add_member(env.create_user("bob"))
    refused = await stranger.click(video, label="Delete")
    assert "Only the requester or a moderator" in response_text(refused)
    await world.alice.click(video, label="Delete")
    assert video.id not in [m.id for m in world.channel.history()]


async def test_bad_inputs_get_one_ephemeral_sentence(
    env: simcord.Env, service: DiscordService, make_clip: ClipMaker
) -> None:
    world = World(env)
    text = await world.alice.slash(world.channel, "ganterp render", audio=("notes.txt", b"hello"))
    assert text.ephemeral and "is not an audio or video file" in response_text(text)
    corrupt = await world.alice.slash(world.channel, "ganterp render", audio=("song.mp3", b"ID3" + b"\0" * 500))
    assert corrupt.ephemeral and response_text(corrupt).endswith(".")
    nothing = await world.alice.slash(world.channel, "ganterp render")
    assert "Attach an audio or video clip" in response_text(nothing)
    long = make_clip(4.0, name="long.wav").read_bytes()
    service.guilds.update(str(world.guild.id), max_duration_s=5.0)
    object.__setattr__(service, "settings", dataclasses.replace(service.settings, max_duration_s=2.0))
    too_long = await world.alice.slash(world.channel, "ganterp render", audio=("long.wav", long))
    assert "longer than the maximum of 2 s" in response_text(too_long)
    object.__setattr__(service, "settings", dataclasses.replace(service.settings, max_duration_s=600.0))
    service.guilds.update(str(world.guild.id), max_queued_per_member=1)
    first = await world.alice.slash(world.channel, "ganterp render", audio=("a.wav", long))
    assert "queued" in response_text(first)
    limited = await world.alice.slash(world.channel, "ganterp render", audio=("a.wav", long))
    assert "already have 1 jobs waiting" in response_text(limited)
    service.store.limits = QueueLimits(per_requester=5, total=1)
    full = await world.mod.slash(world.channel, "ganterp render", audio=("a.wav", long))
    assert "the queue is full" in response_text(full).lower()
    assert len(service.store.recent(10)) == 1  # nothing queued half-way


async def test_missing_post_permission_is_said_before_queueing(
    env: simcord.Env, service: DiscordService, make_clip: ClipMaker
) -> None:
    world = World(env)
    me = world.guild.me
    assert me is not None
    quiet = world.guild.create_text_channel("quiet", overwrites={me: discord.PermissionOverwrite(attach_files=False)})
    result = await world.alice.slash(quiet, "ganterp render", audio=("a.wav", make_clip(3.0).read_bytes()))
    assert "I need the Attach Files permission" in response_text(result)
    assert service.store.recent(10) == []


async def test_restart_with_a_job_in_flight_is_answered_afterwards(
    env: simcord.Env, service: DiscordService, worker: Worker, make_clip: ClipMaker
) -> None:
    world = World(env)
    await world.alice.slash(world.channel, "ganterp render", audio=("a.wav", make_clip(3.0).read_bytes()))
    await env.restart_bot(GanterpBot(service))  # the bot goes away while the job waits
    while worker.run_once():
        pass
    assert service.store.undelivered("discord")
    await env.restart_bot(GanterpBot(service))  # starts again: the delivery loop picks the job up
    bot = env.bot
    assert isinstance(bot, GanterpBot)
    await bot.sync_posts()
    await env.settle()
    assert any(has_video(m) for m in bot_messages(world.channel))
    assert service.store.get(1).status == JobStatus.DELIVERED.value


@pytest.mark.parametrize("text", ["/etc/passwd", "../../data/ganterp.db", "/definitely/not/here.wav", "song.mp3"])
async def test_a_link_option_is_never_a_path_on_this_machine(
    env: simcord.Env, service: DiscordService, text: str
) -> None:
    world = World(env)
    result = await world.alice.slash(world.channel, "ganterp render", link=text)
    # One sentence whether the file exists or not, so nothing is learnt about the disk.
    assert response_text(result) == "That is not a link; give an http or https link to an audio or video file."
    assert service.store.recent(10) == []


async def test_members_see_their_own_file_names_never_a_server_path(
    env: simcord.Env, service: DiscordService, make_clip: ClipMaker
) -> None:
    import subprocess

    from pipeline.media.ffmpeg import base_command

    world = World(env)
    png = make_clip(1.0).with_name("img.png")
    subprocess.run([*base_command(), "-f", "lavfi", "-i", "testsrc=size=32x32", "-frames:v", "1", str(png)], check=True)
    disguised = await world.alice.slash(world.channel, "ganterp render", audio=("picture.mp3", png.read_bytes()))
    said = response_text(disguised)
    assert said == '"picture.mp3" is not an audio or video file that ffmpeg can read.'
    notes = await world.alice.slash(world.channel, "ganterp render", audio=("notes.txt", b"hello"))
    assert response_text(notes).startswith('"notes.txt" (text/plain')
    for text in (said, response_text(notes)):
        assert str(service.store.data_dir) not in text and "/tmp" not in text and "incoming" not in text


async def test_a_rendered_job_after_discord_closed_waits_for_the_next_start(service: DiscordService) -> None:
    bot = GanterpBot(service)  # never started: no loop, as after close()
    bot.wake()  # the worker finishing a render must not crash on a closed client


async def test_the_status_message_says_exactly_what_will_render_and_shows_a_first_look(
    env: simcord.Env, service: DiscordService, worker: Worker, make_clip: ClipMaker
) -> None:
    world = World(env)
    clip = make_clip(6.0).read_bytes()
    await world.alice.slash(world.channel, "ganterp render", audio=("a.wav", clip), classes="dog", seed=9)
    job = service.store.get(1)
    prepared_classes = [c["class_name"] for c in described(service, job)["classes"]]
    status = bot_messages(world.channel)[-1]
    # The breed the seed picks is named, not "one of 118": the same one the render shows.
    assert f"• dog → {prepared_classes[0]}" in status.content
    if len(prepared_classes) > 1:
        assert "random class" in status.content
    await render_and_deliver(env, worker)
    status = next(m for m in bot_messages(world.channel) if m.id == status.id)
    assert [a.filename for a in status.attachments] == ["ganterp-1-preview.png"], "the first look is attached"
    video = next(m for m in bot_messages(world.channel) if has_video(m))
    lines = video.content.splitlines()[1:]
    assert lines[0].endswith(")") and "random" not in lines[0], "dog was asked for"
    assert all(line.endswith("· random") for line in lines[1:]), "the rest is random fill"


async def test_a_mention_replying_to_a_message_it_cannot_see_gets_one_sentence() -> None:
    from types import SimpleNamespace

    from bot.discord.app import _message_with_the_clip
    from bot.text import NoClip

    class HiddenHistory:
        async def fetch_message(self, message_id: int) -> discord.Message:
            raise discord.NotFound(SimpleNamespace(status=404, reason="Not Found"), "Unknown Message")

    reference = SimpleNamespace(message_id=123, resolved=None)  # Discord did not resolve it: deleted or hidden
    mention = SimpleNamespace(reference=reference, attachments=[], content="<@1> dog", channel=HiddenHistory())
    with pytest.raises(NoClip, match="cannot see the message you replied to"):
        await _message_with_the_clip(mention)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- one pass through the submit path


async def test_a_request_is_checked_once_and_its_status_message_recorded_once(
    env: simcord.Env, service: DiscordService, make_clip: ClipMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    recorded: list[tuple[int, str | None]] = []
    real_check, real_record = service.store.check_limits, service.guilds.record_post

    def check_limits(requester_id: str, max_queued: int | None = None) -> None:
        checked.append(requester_id)
        real_check(requester_id, max_queued)

    def record_post(job_id: int, channel_id: str, status_id: str | None, *args: object) -> None:
        recorded.append((job_id, status_id))
        real_record(job_id, channel_id, status_id, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(service.store, "check_limits", check_limits)
    monkeypatch.setattr(service.guilds, "record_post", record_post)
    world = World(env)
    result = await world.alice.slash(world.channel, "ganterp render", audio=("a.wav", make_clip(3.0).read_bytes()))
    assert "Job #1 is queued" in response_text(result)
    status = bot_messages(world.channel)[-1]
    assert checked == [str(world.alice.id)], "the limits are looked at once before the clip is read"
    assert recorded == [(1, str(status.id))], "the post is recorded once, with its status message"


async def test_a_database_call_on_the_event_loop_is_caught(
    env: simcord.Env, loop_guard: LoopGuard, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.discord import commands

    async def on_the_loop(call: Callable[..., T], *args: object, **kwargs: object) -> T:
        return call(*args, **kwargs)

    # What the bot would do without its threads: the guard every Discord test runs under must see it.
    monkeypatch.setattr(commands.asyncio, "to_thread", on_the_loop)
    world = World(env)
    assert "You have no jobs" in response_text(await world.alice.slash(world.channel, "ganterp queue"))
    seen, loop_guard.calls[:] = list(loop_guard.calls), []
    assert seen and all(call.startswith("SQL ") for call in seen), seen
    assert any("commands.user_group.<locals>.queue" in call for call in seen)
