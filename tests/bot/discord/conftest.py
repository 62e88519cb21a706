"""Shared fixtures of the Discord tests: a job log and service, a worker, the bot under simcord, and two
watches every test runs under: no database or file call on the event loop, and no error but a refusal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import simcord
from discord import app_commands

from bot.discord.app import GanterpBot
from bot.discord.service import DiscordService
from bot.jobs.worker import Worker
from bot.runner import build_service
from bot.settings import Settings
from pipeline.biggan.generator import BigGANGenerator
from pipeline.errors import UserError
from tests.bot.discord.loop_guard import LoopGuard
from tests.bot.discord.offline_settings import offline_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return offline_settings(tmp_path, discord_progress_s=2.0, max_queued_per_requester=3)


@pytest.fixture
def service(settings: Settings) -> DiscordService:
    return build_service(settings)


@pytest.fixture
def worker(service: DiscordService, tiny_weights: Path) -> Worker:
    return Worker(service.store, lambda: BigGANGenerator(tiny_weights, device="cpu"))


@pytest.fixture
def simcord_bot(service: DiscordService) -> GanterpBot:
    return GanterpBot(service)


@pytest.fixture
def env(simcord_env: simcord.Env) -> simcord.Env:
    return simcord_env


@pytest.fixture(autouse=True)
def loop_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopGuard]:
    """Fails the test when a coroutine of the bot made a database or file call on the event loop."""
    guard = LoopGuard()
    guard.install(monkeypatch)
    try:
        yield guard
    finally:
        guard.uninstall()
    assert guard.calls == [], "database or file calls on the event loop"


@pytest.fixture(autouse=True)
def only_refusals(request: pytest.FixtureRequest) -> Iterator[None]:
    """Refusals reach the tree's error handler (simcord records them); any other error fails the test."""
    if "simcord_env" not in request.fixturenames:
        yield
        return
    env: simcord.Env = request.getfixturevalue("simcord_env")
    yield
    errors = [_original(error) for error in env.errors]
    unexpected = [e for e in errors if not isinstance(e, UserError) or e.machine_fault]
    assert unexpected == [], "errors other than refusals"


def _original(error: BaseException) -> BaseException:
    return error.original if isinstance(error, app_commands.CommandInvokeError) else error
