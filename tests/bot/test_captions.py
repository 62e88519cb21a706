"""A posted video's caption names every class it shows, the one the last scene morphs into included (issue 18)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord

from bot.discord import text as messages
from bot.discord.app import GanterpBot
from bot.discord.service import DiscordService
from bot.jobs.worker import Worker
from bot.runner import build_service
from bot.shown import shown_classes
from bot.x.replies import reply_text
from pipeline.biggan.generator import BigGANGenerator
from pipeline.render import read_sidecar
from storage.models import Job
from tests.bot.discord.offline_settings import offline_settings
from tests.conftest import ClipMaker


@pytest.fixture
def service(tmp_path: Path) -> DiscordService:
    return build_service(offline_settings(tmp_path))


@pytest.fixture
def simcord_bot(service: DiscordService) -> GanterpBot:
    return GanterpBot(service)


def bot_messages(channel: Any) -> list[discord.Message]:
    return [m for m in channel.history() if m.author.bot]


@pytest.mark.asyncio
@pytest.mark.parametrize(("words", "scenes"), [("dog, ocean", 1), ("dog, ocean", 3), ("volcano", 2)])
async def test_the_status_message_and_the_caption_name_the_same_classes(
    simcord_env: simcord.Env,
    service: DiscordService,
    tiny_weights: Path,
    make_clip: ClipMaker,
    words: str,
    scenes: int,
) -> None:
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("music")
    alice = guild.add_member(simcord_env.create_user("alice"))
    clip = make_clip(8.0).read_bytes()
    await alice.slash(channel, "ganterp render", audio=("a.wav", clip), classes=words, segments=scenes, seed=4)
    status = bot_messages(channel)[-1].content
    worker = Worker(service.store, lambda: BigGANGenerator(tiny_weights, device="cpu"))
    assert worker.run_once()
    bot = simcord_env.bot
    assert isinstance(bot, GanterpBot)
    await bot.sync_posts()
    await simcord_env.settle()
    caption = next(
        m for m in bot_messages(channel) if m.attachments and m.attachments[0].filename.endswith(".mp4")
    ).content
    job = service.store.get(1)
    described = read_sidecar(Path(job.output_path or ""))
    rendered = [c["class_name"] for c in described["classes"]]
    assert len(described["segments"]) == scenes and len(rendered) == scenes + 1
    named_in_caption = re.findall(r"^`[\d:.]+` (.+) \(\d+\)", caption, flags=re.MULTILINE)
    assert named_in_caption == rendered, "every class, in order, the last scene's destination included"
    for name in rendered:
        assert name in status, f"{name} is said in the status message too"
    last_scene = described["segments"][-1]
    assert caption.splitlines()[-1].startswith(f"`0:{last_scene['end']:04.1f}` {last_scene['next_class_name']}")


def test_every_front_end_names_the_class_the_last_scene_morphs_into(tmp_path: Path) -> None:
    described = {
        "classes": [
            {"class_id": 251, "class_name": "dalmatian", "asked": True},
            {"class_id": 628, "class_name": "liner", "asked": True},
            {"class_id": 980, "class_name": "volcano", "asked": False},
        ],
        "segments": [
            {"start": 0.0, "end": 2.5, "class_id": 251, "next_class_id": 628},
            {"start": 2.5, "end": 6.25, "class_id": 628, "next_class_id": 980},
        ],
    }
    shown = shown_classes(described)
    assert [(c.name, c.at_s, c.asked) for c in shown] == [
        ("dalmatian", 0.0, True),
        ("liner", 2.5, True),
        ("volcano", 6.25, False),
    ]
    output = tmp_path / "job-1.mp4"
    output.write_bytes(b"\0")
    output.with_suffix(".json").write_text(json.dumps(described))
    job = Job(id=1, seed=7, requester_id="1", output_path=str(output))
    discord_caption = messages.delivered_text(job, shown, "<@1>")
    assert discord_caption.splitlines()[1:] == [
        "`0:00.0` dalmatian (251)",
        "`0:02.5` liner (628)",
        "`0:06.2` volcano (980) · random",
    ]
    assert "volcano (980)" in messages.daily_text(job, shown)
    assert reply_text(job).startswith("Your GANterpretation: dalmatian → liner → volcano* · *random · seed 7")


def test_a_long_video_lists_twelve_classes_and_counts_the_rest() -> None:
    described = {
        "classes": [{"class_id": i, "class_name": f"c{i}", "asked": False} for i in range(20)],
        "segments": [{"start": float(i), "end": float(i + 1)} for i in range(19)],
    }
    lines = messages.class_lines(shown_classes(described))
    assert len(lines) == 13 and lines[-1] == "… and 8 more classes" and lines[0] == "`0:00.0` c0 (0) · random"
