"""The Discord bot end to end, offline: simcord runs the real discord.py against a fake Discord in-process."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord

from bot.discord.app import GanterpBot
from bot.discord.service import Ask, DiscordService, Origin
from bot.discord.text import WordsTooSlow
from bot.jobs.worker import Worker
from bot.runner import build_service
from bot.settings import Settings
from pipeline.biggan.generator import BigGANGenerator
from pipeline.errors import NotMedia
from pipeline.words.lookup import TooManyWords
from storage.jobs import QueueLimits
from storage.models import JobStatus
from tests.conftest import ClipMaker

pytestmark = pytest.mark.asyncio

WAIT_S = 120.0  # bound on waiting for another thread: generous, for a loaded machine


class World:
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
    assert "allows 1 waiting video" in response_text(limited)
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


@pytest.mark.filterwarnings("ignore")
async def test_not_media_has_a_sentence() -> None:
    from bot.discord.text import error_message

    # The file keeps its own spelling: a sentence never capitalises a name the user chose.
    assert error_message(NotMedia("x.mp3")) == '"x.mp3" is not an audio or video file that ffmpeg can read.'


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


# ----------------------------------------------------------------------------- hostile members (issue 9)


@pytest.mark.parametrize("text", ["/etc/passwd", "../../data/ganterp.db", "/definitely/not/here.wav", "song.mp3"])
async def test_a_link_option_is_never_a_path_on_this_machine(
    env: simcord.Env, service: DiscordService, text: str
) -> None:
    world = World(env)
    result = await world.alice.slash(world.channel, "ganterp render", link=text)
    # One sentence whether the file exists or not, so nothing is learnt about the disk.
    assert response_text(result) == "That is not a link; give an http or https link to an audio or video file."
    assert service.store.recent(10) == []


async def test_limits_are_checked_before_a_link_is_downloaded(settings: Settings) -> None:
    fetched: list[str] = []

    def fetch(url: str, folder: Path, max_bytes: int, max_duration_s: float) -> Path:
        fetched.append(url)
        raise AssertionError("no download for a refused request")

    service = DiscordService(build_service(settings).store, build_service(settings).guilds, settings, fetch=fetch)
    service.store.limits = QueueLimits(per_requester=3, total=0)
    origin = Origin("7", "ann", "42")
    with pytest.raises(Exception, match="the queue is full"):
        service.submit_link(origin, "https://example.com/slow.mp3", Ask(), max_bytes=2**20)
    assert fetched == []


async def test_one_clip_in_preparation_per_member_and_a_few_in_all(settings: Settings) -> None:
    import threading

    from bot.discord.service import MAX_PREPARING, Admission
    from bot.discord.text import StillPreparing, TooBusy
    from tests.conftest import wait_until

    admission = Admission()
    with admission.slot("ann"), pytest.raises(StillPreparing), admission.slot("ann"):
        pass
    release = threading.Event()

    def hold(member: str) -> None:
        with admission.slot(member):
            release.wait(WAIT_S)

    threads = [threading.Thread(target=hold, args=(f"m{i}",)) for i in range(MAX_PREPARING)]
    for thread in threads:
        thread.start()
    try:
        assert wait_until(lambda: len(admission._busy) == MAX_PREPARING, timeout=WAIT_S), "every slot is taken"
        with pytest.raises(TooBusy), admission.slot("zed"):
            pass
    finally:
        release.set()
        for thread in threads:
            thread.join(WAIT_S)
    assert not any(thread.is_alive() for thread in threads)
    with admission.slot("zed"):  # free again once the others are done
        pass


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


# ----------------------------------------------------------------------------- what members are told (issue 11)


async def test_the_status_message_says_exactly_what_will_render_and_shows_a_first_look(
    env: simcord.Env, service: DiscordService, worker: Worker, make_clip: ClipMaker
) -> None:
    world = World(env)
    clip = make_clip(6.0).read_bytes()
    await world.alice.slash(world.channel, "ganterp render", audio=("a.wav", clip), classes="dog", seed=9)
    job = service.store.get(1)
    prepared_classes = [c["class_name"] for c in _described(service, job)["classes"]]
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


def _described(service: DiscordService, job: Any) -> dict[str, Any]:
    from pipeline.render import RenderOptions, describe, prepare

    assert job.audio_path is not None
    options = RenderOptions.from_dict(job.options, classes=tuple(job.classes), seed=job.seed)
    return describe(prepare(Path(job.audio_path), options))


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
    refused = await world.alice.slash(world.channel, "ganterp render", audio=("a.wav", make_clip(3.0).read_bytes()),
                                      classes="assault rifle")  # fmt: skip
    assert "blocked" in response_text(refused) and service.store.recent(10) == []
    await world.mod.slash(world.channel, "ganterp-server style", style="paper")
    clip = make_clip(8.0).read_bytes()
    await world.alice.slash(world.channel, "ganterp random", audio=("b.wav", clip), seed=1)
    job = service.store.recent(1)[0]
    assert job.options["style"] == "paper" and job.options["safe_random"] is True
    assert set(job.options["exclude_random"]) >= {413, 763}
    picked = [c["class_id"] for c in _described(service, job)["classes"]]
    assert all(is_safe_for_random(c) and c not in (413, 763) for c in picked)
    await world.mod.slash(world.channel, "ganterp-server random-fill", pool="all")
    await world.mod.slash(world.channel, "ganterp-server unblock", classes="all")
    server = service.guilds.settings(str(world.guild.id))
    assert server.blocked_classes == () and not server.random_safe_only and server.style == "paper"
    musical = await world.mod.slash(world.channel, "ganterp render", audio=("c.wav", clip), style="music")
    assert "queued" in response_text(musical) and service.store.recent(1)[0].options["style"] == "music"


async def test_every_reply_fits_in_a_discord_message() -> None:
    from bot.discord.text import MESSAGE_LIMIT, error_message
    from pipeline.links import LinkUnreachable

    huge = LinkUnreachable("https://example.com/" + "a" * 5000, "x" * 5000)
    text = error_message(huge)
    assert len(text) <= MESSAGE_LIMIT and text.endswith("…")


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
