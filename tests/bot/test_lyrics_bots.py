"""Lyrics in the bots: the Discord option and server default, the word in a mention, and what the posts say."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses

from bot.discord import text as messages
from bot.discord.commands import server_group, user_group
from bot.discord.service import Ask, DiscordService, Origin
from bot.jobs.worker import Worker, WorkerConfig
from bot.listening import wants_lyrics
from bot.runner import build_service
from bot.shown import shown_classes
from bot.x.replies import reply_text
from pipeline.biggan.generator import BigGANGenerator
from pipeline.render import RenderOptions, prepare, read_sidecar
from pipeline.words.heard import WhisperListener
from storage.guilds import ServerSettings
from storage.models import Job
from tests.bot.discord.offline_settings import offline_settings
from tests.bot.x.fake_x import MENTIONS, Bot, mention, page, posted, video_media, x_api
from tests.conftest import ClipMaker
from tests.paths import DATA

FIXTURE = DATA / "lyrics" / "three_things.ogg"
KNOWN = {"banana": 954, "volcano": 980, "umbrella": 879}


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    """X's API, offline (as tests/bot/x/test_bot.py answers it)."""
    with x_api() as mock:
        yield mock


@pytest.fixture
def service(tmp_path: Path) -> DiscordService:
    return build_service(offline_settings(tmp_path, discord_fps=4.0, max_queued_per_requester=10))


def _submit(service: DiscordService, ask: Ask, guild: str | None = "g1", clip: Path = FIXTURE) -> Job:
    origin = Origin("u1", "member", "c1", guild)
    queued = service.submit_file(origin, clip, ask, max_bytes=8 * 2**20, source_kind="file", source_ref=clip.name)
    return queued.job


def test_the_lyrics_option_and_the_server_default_reach_the_job(service: DiscordService) -> None:
    assert _submit(service, Ask()).options["lyrics"] is False
    assert _submit(service, Ask(lyrics=True)).options["lyrics"] is True
    server = service.guilds.update("g1", lyrics=True)
    assert server.lyrics is True and service.guilds.settings("g1").lyrics is True
    assert _submit(service, Ask()).options["lyrics"] is True
    assert _submit(service, Ask(lyrics=False)).options["lyrics"] is False
    assert _submit(service, Ask(), guild="g2").options["lyrics"] is False
    assert "lyrics): on" in messages.server_settings_text(server)


def test_the_commands_offer_lyrics(service: DiscordService) -> None:
    from bot.discord.app import GanterpBot

    bot = GanterpBot(service)
    render = user_group(bot).get_command("render")
    assert render is not None and "lyrics" in [p.name for p in render.parameters]  # type: ignore[union-attr]
    assert server_group(bot).get_command("lyrics") is not None
    assert "lyrics" in messages.help_text()


def test_a_reroll_hears_again_a_remix_keeps_the_classes(service: DiscordService, tmp_path: Path) -> None:
    old = _submit(service, Ask(lyrics=True))
    origin = Origin("u1", "member", "c1", "g1")
    reroll = service.resubmit(old.id, origin, same_classes=False, max_bytes=8 * 2**20).job
    remix = service.resubmit(old.id, origin, same_classes=True, max_bytes=8 * 2**20).job
    assert reroll.options["lyrics"] is True and remix.options["lyrics"] is False


def test_the_word_lyrics_in_a_mention_asks_for_it() -> None:
    assert wants_lyrics("dog, ocean #Lyrics") == ("dog, ocean", True)
    assert wants_lyrics("lyrics.") == ("", True)
    assert wants_lyrics("dog, ocean") == ("dog, ocean", False)
    assert wants_lyrics("lyricsmith dog") == ("lyricsmith dog", False)


def test_the_summary_before_the_job_runs_promises_no_random_classes(service: DiscordService, tmp_path: Path) -> None:
    prepared = prepare(FIXTURE, RenderOptions(seed=1, lyrics=True, segment_seconds=4.0))
    summary = messages.plan_summary((), prepared)
    assert "heard when it renders" in summary and "random classes:" not in summary
    plain = messages.plan_summary((), prepare(FIXTURE, RenderOptions(seed=1, segment_seconds=4.0)))
    assert "random classes:" in plain


def test_the_posted_video_lists_the_words_used_and_never_a_blocked_one(
    service: DiscordService, tiny_weights: Path
) -> None:
    service.guilds.update("g1", blocked_classes=[980], lyrics=True)  # volcano is blocked on this server
    job = _submit(service, Ask(segments=3))
    config = WorkerConfig(progress_every_s=0.0, listener=WhisperListener())
    assert Worker(service.store, lambda: BigGANGenerator(tiny_weights), config).run_once()
    done = service.store.get(job.id)
    described = read_sidecar(Path(done.output_path or ""))
    segments = described["segments"]
    text = messages.delivered_text(done, shown_classes(described), "@member")
    heard = [s for s in segments if s["heard_word"]]
    assert heard, segments
    for segment in heard:
        assert f'heard "{segment["heard_word"]}" at ' in text
    assert "volcano" not in text and all(s["class_id"] != 980 for s in segments)


def test_x_mention_with_lyrics_queues_a_lyrics_job(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    parent = {"id": "500", "author_id": "7", "attachments": {"media_keys": ["7_500"]}}
    api.get(
        MENTIONS,
        json=page([mention("601", "@ganterp jellyfish lyrics", replied_to="500")], [parent], [video_media("7_500")]),
    )
    bot = Bot(tmp_path / "data", make_clip(3.0))
    bot.front.poll_once()
    [job] = bot.store.recent()
    assert job.options["lyrics"] is True and job.options["safe_random"] is True
    assert job.classes == [107] and posted(api) == []  # "lyrics" is not refused as an unknown word


def test_x_reply_names_the_words_heard(tmp_path: Path) -> None:
    output = tmp_path / "v.mp4"
    shown: list[dict[str, Any]] = [
        {"class_id": 107, "class_name": "jellyfish", "asked": True},
        {"class_id": 980, "class_name": "volcano", "asked": False, "heard_word": "volcano", "heard_at": 65.5},
        {"class_id": 978, "class_name": "seashore", "asked": False},
    ]
    output.with_suffix(".json").write_text(json.dumps({"classes": shown}))
    text = reply_text(Job(classes=[107], seed=5, output_path=str(output), source_ref="mention:1 u"))
    assert text == 'Your GANterpretation: jellyfish → volcano ("volcano" 1:05.5) → seashore* · *random · seed 5'


def test_the_server_default_is_off() -> None:
    assert ServerSettings("g").lyrics is False
