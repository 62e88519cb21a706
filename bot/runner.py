"""`ganterp bot`: the Discord front end, the embedded render worker (a thread) and SQLite, one process."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

import discord

from bot.discord.app import GanterpBot
from bot.discord.service import DiscordService
from bot.service import open_store, retention
from bot.settings import Settings, SettingsError
from bot.worker import Worker, WorkerConfig
from pipeline.render import FrameGenerator
from pipeline.weights import resolve_weights
from storage.db import make_engine, sqlite_url
from storage.guilds import GuildStore
from storage.models import Job

log = logging.getLogger(__name__)

UNSET_MESSAGE = (
    "DISCORD_TOKEN is not set: put the bot token from the Discord developer portal (Bot → Reset Token) "
    "in the environment or in .env."
)
REFUSED_MESSAGE = "Discord refused DISCORD_TOKEN: copy a fresh bot token from the developer portal (Bot → Reset Token)."
INTENT_MESSAGE = (
    "GANTERP_DISCORD_MESSAGE_CONTENT is on, but the Message Content intent is not enabled for this bot: "
    "enable it in the developer portal (Bot → Privileged Gateway Intents) or set it to false."
)


def build_service(settings: Settings) -> DiscordService:
    """The job log, the per-server settings and the link fetcher, on the configured database."""
    store = open_store(settings)  # migrates
    guilds = GuildStore(make_engine(settings.database_url or sqlite_url(settings.data_dir)))
    return DiscordService(store, guilds, settings)


def load_generator(settings: Settings) -> FrameGenerator:
    """BigGAN from the configured weights (downloaded once into the cache when allowed)."""
    from pipeline.generator import BigGANGenerator  # torch only in the worker

    folder = resolve_weights(
        settings.model,
        weights_dir=settings.weights_dir,
        cache_dir=settings.cache_dir,
        allow_download=settings.allow_download,
        url_templates=settings.weights_urls,
    )
    return BigGANGenerator(folder, device=settings.device, precision=settings.precision, batch_size=settings.batch_size)


def run_bot(settings: Settings, generator: Callable[[], FrameGenerator] | None = None) -> int:
    """Run until interrupted; a missing or refused token raises SettingsError (one sentence, exit 1)."""
    if not settings.discord_token:
        raise SettingsError(UNSET_MESSAGE)
    service = build_service(settings)
    service.store.cleanup(retention(settings))
    bot = GanterpBot(service)
    worker = Worker(
        service.store,
        generator or (lambda: load_generator(settings)),
        WorkerConfig(lease_s=settings.lease_s, model_name=settings.model),
        deliver={"discord": _on_rendered(bot)},
    )
    bot.on_ready_hook = lambda: _start_worker(worker)
    try:
        asyncio.run(_serve(bot, settings.discord_token))
    except discord.LoginFailure:
        raise SettingsError(REFUSED_MESSAGE) from None
    except discord.PrivilegedIntentsRequired:
        raise SettingsError(INTENT_MESSAGE) from None
    finally:
        worker.stop_event.set()
    return 0


def _on_rendered(bot: GanterpBot) -> Callable[[Job], None]:
    def deliver(job: Job) -> None:
        bot.wake()  # the bot posts it (from its own loop), and marks it delivered once posted

    return deliver


def _start_worker(worker: Worker) -> None:
    if worker.stop_event.is_set():
        return
    thread = threading.Thread(target=worker.run, name="ganterp-worker", daemon=True)
    thread.start()


async def _serve(bot: GanterpBot, token: str) -> None:
    async with bot:
        await bot.start(token)
