"""`ganterp bot`: the Discord and X front ends, the daily-post scheduler, the embedded render worker
(a thread) and SQLite, in one process; with GANTERP_QUEUE_URL, the dispatcher (a thread) feeds remote
workers through the job engine in the worker's place."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import aiohttp
import discord

from bot import clips
from bot.discord.app import GanterpBot
from bot.discord.service import DEFAULT_UPLOAD_LIMIT, UPLOAD_HEADROOM, DiscordService
from bot.jobs.dispatch import DispatchConfig, Dispatcher, JobEngine
from bot.jobs.housekeeping import start_housekeeping
from bot.jobs.scheduler import PLATFORM as DAILY_PLATFORM
from bot.jobs.scheduler import DailyPoster, DailyPostSettings, start_scheduler
from bot.jobs.worker import Worker, WorkerConfig
from bot.listening import lyrics_listener
from bot.service import database_url, open_store, retention
from bot.settings import Settings, SettingsError
from bot.x.bot import XFrontEnd, x_configured
from pipeline.biggan.weights import is_noise_weights, resolve_weights
from pipeline.errors import UserError
from pipeline.render import FrameGenerator, RenderOptions
from storage.db import make_engine
from storage.guilds import GuildStore
from storage.jobs import JobStore
from storage.models import Job

log = logging.getLogger(__name__)

UNSET_MESSAGE = (
    "DISCORD_TOKEN is not set: put the bot token from the Discord developer portal (Bot → Reset Token) "
    "in the environment or in .env (or set the GANTERP_X_* credentials to run on X only)."
)
REFUSED_MESSAGE = "Discord refused DISCORD_TOKEN: copy a fresh bot token from the developer portal (Bot → Reset Token)."
INTENT_MESSAGE = (
    "GANTERP_DISCORD_MESSAGE_CONTENT is on, but the Message Content intent is not enabled for this bot: "
    "enable it in the developer portal (Bot → Privileged Gateway Intents) or set it to false."
)
UNREACHABLE_MESSAGE = (
    "Discord cannot be reached ({reason}): check this machine's network and DNS, then start the bot again."
)
DAILY_POST_TIMEOUT_S = 300
SHUTDOWN_GRACE_S = 30.0  # a render stops within one batch; this bounds the wait if something is stuck


class FrontEndUnavailable(UserError):
    """A chat service cannot be reached at start; the message says which and what to check."""

    def user_message(self) -> str:
        """One sentence for the operator."""
        return str(self)


def build_service(settings: Settings) -> DiscordService:
    """The job log, the per-server settings and the link fetcher, on the configured database."""
    store = open_store(settings)  # migrates
    guilds = GuildStore(make_engine(database_url(settings)))
    return DiscordService(store, guilds, settings)


class ShardedGanterpBot(GanterpBot, discord.AutoShardedClient):
    """The same bot over several gateway connections in one process (Discord requires it past 2,500 servers)."""


def discord_client(service: DiscordService) -> GanterpBot:
    """The Discord front end: one gateway connection, or shards when GANTERP_DISCORD_SHARDS is set."""
    shards = service.settings.discord_shards
    if shards is None:
        return GanterpBot(service)
    bot = ShardedGanterpBot(service)
    if isinstance(shards, int):  # else None: Discord's recommended count, asked for at login
        bot.shard_count = shards
    return bot


def load_generator(settings: Settings) -> FrameGenerator:
    """BigGAN from the configured weights (downloaded once into the cache when allowed)."""
    from pipeline.biggan.generator import BigGANGenerator, pick_model  # torch only in the worker

    folder = resolve_weights(
        pick_model(settings.model, settings.device),
        weights_dir=settings.weights_dir,
        cache_dir=settings.cache_dir,
        allow_download=settings.allow_download,
        url_templates=settings.weights_urls,
    )
    if is_noise_weights(folder):
        log.warning("the weights in %s are random (ganterp noise-weights): every video will show noise", folder)
    return BigGANGenerator(folder, device=settings.device, precision=settings.precision, batch_size=settings.batch_size)


def daily_poster(settings: Settings, store: JobStore) -> DailyPoster | None:
    """The daily poster, when a daily time is set."""
    if not settings.daily_post_time:
        return None
    daily = DailyPostSettings.parse(
        settings.daily_post_time, settings.daily_post_tz, settings.daily_theme, settings.daily_grace_s
    )
    library = settings.clips_dir or settings.data_dir / "clips"
    return DailyPoster(store, lambda: clips.library(library), daily, render_options=daily_render_options(settings))


def daily_render_options(settings: Settings) -> RenderOptions:
    """One render that every destination takes: Discord's size and upload limit, X's length limit.

    Library clips longer than that are trimmed, not refused.
    """
    on_x = x_configured(settings) and settings.daily_on_x
    longest = min(settings.max_duration_s, settings.x_max_duration_s) if on_x else settings.max_duration_s
    return RenderOptions(
        fps=settings.discord_fps,
        size=settings.discord_size,
        max_bytes=DEFAULT_UPLOAD_LIMIT - UPLOAD_HEADROOM,
        duration_s=longest,
        max_duration_s=longest,
        safe_random=True,  # posted to every server unasked: never a weapon or the like
    )


@dataclass
class DailyPublisher:
    """Posts a rendered daily video everywhere it goes: every server's daily channel, and X."""

    store: JobStore
    to_discord: Callable[[Job], int] | None = None  # returns the channels posted to
    to_x: Callable[[Job], bool] | None = None

    def publish(self, job: Job) -> None:
        """The worker's hand-over for daily jobs; never raises."""
        try:
            channels = self.to_discord(job) if self.to_discord else 0
            on_x = self.to_x(job) if self.to_x else False
        except Exception:
            log.exception("daily post of job %d failed", job.id)
            channels, on_x = 0, False
        if channels or on_x:
            self.store.mark_delivered(job.id)
            log.info("daily job %d posted to %d Discord channels%s", job.id, channels, " and X" if on_x else "")
        else:
            self.store.mark_failed(job.id, "the daily video could not be posted.", "no daily channel or X post worked")


def run_bot(settings: Settings, generator: Callable[[], FrameGenerator] | None = None) -> int:
    """Run until interrupted; a missing or refused token raises SettingsError (one sentence, exit 1)."""
    on_x = x_configured(settings)
    if not settings.discord_token and not on_x:
        raise SettingsError(UNSET_MESSAGE)
    service = build_service(settings)
    store = service.store
    poster = daily_poster(settings, store)
    x = XFrontEnd.from_settings(settings, store) if on_x else None
    bot = discord_client(service) if settings.discord_token else None
    publisher = DailyPublisher(
        store,
        to_discord=_discord_daily(bot) if bot else None,
        to_x=x.post_daily if x and settings.daily_on_x else None,
    )
    deliver: dict[str, Callable[[Job], None]] = {DAILY_PLATFORM: publisher.publish}
    if bot:
        deliver["discord"] = lambda job: bot.wake()  # the bot posts it from its own loop, then marks it delivered
    if x:
        deliver["x"] = lambda job: x.wake()  # the poller uploads it: the worker goes on rendering
    worker: Worker | Dispatcher
    engine: JobEngine | None = None
    dashboard: Closeable | None = None
    if settings.queue_url is None:  # embedded: this process renders, one job at a time
        from pipeline.biggan.generator import (
            pick_model,  # torch whole on the main thread, before the threads below start
        )

        worker = Worker(
            store,
            generator or (lambda: load_generator(settings)),
            WorkerConfig(
                lease_s=settings.lease_s,
                model_name=pick_model(settings.model, settings.device),
                listener=lyrics_listener(settings),
            ),
            deliver=deliver,
        )
    else:  # scale-out: remote workers render; this process feeds them and keeps the record
        from bot.jobs.engine import open_engine, serve_dashboard

        engine = open_engine(settings)
        worker = Dispatcher(store, engine, DispatchConfig(lease_s=settings.lease_s), deliver=deliver)
        try:
            worker.take_lease()  # one dispatcher per job log: a second bot on it says so and exits
            dashboard = serve_dashboard(settings)
        except BaseException:
            worker.give_back_lease()
            engine.close()
            raise
        if dashboard is not None:
            log.info("the engine's dashboard is at %s", dashboard.address)
    scheduler = start_scheduler(database_url(settings), poster) if poster else None
    housekeeping = start_housekeeping(store, retention(settings), worker.stop_event)
    threads: list[threading.Thread] = []
    try:
        if x:
            threads.append(_start(x.run, worker.stop_event, name="x-poller"))
        if bot:
            bot.on_ready_hook = lambda: threads.append(_start_worker(worker, publisher))
            _serve_discord(bot, settings.discord_token or "")
        else:
            threads.append(_start_worker(worker, publisher))
            _wait_for_signal(worker.stop_event)
    finally:
        worker.stop_event.set()
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if threads:
            log.info("stopping: a render in progress goes back to the queue")
        _join([*threads, housekeeping], SHUTDOWN_GRACE_S)
        for closeable in (dashboard, engine):
            if closeable is not None:
                closeable.close()
    log.info("stopped")
    return 0


def _serve_discord(bot: GanterpBot, token: str) -> None:
    try:
        asyncio.run(_serve(bot, token))
    except discord.LoginFailure:
        raise SettingsError(REFUSED_MESSAGE) from None
    except discord.PrivilegedIntentsRequired:
        raise SettingsError(INTENT_MESSAGE) from None
    except (OSError, TimeoutError, aiohttp.ClientError, discord.GatewayNotFound) as exc:  # no network, DNS, outage
        reason = type(exc).__name__ if not str(exc) else str(exc).splitlines()[0][:120]
        raise FrontEndUnavailable(UNREACHABLE_MESSAGE.format(reason=reason)) from None


def _discord_daily(bot: GanterpBot) -> Callable[[Job], int]:
    def post(job: Job) -> int:
        # Called from the worker thread: the post itself runs on the bot's own event loop.
        future = asyncio.run_coroutine_threadsafe(bot.post_daily(job), bot.loop)
        return future.result(timeout=DAILY_POST_TIMEOUT_S)

    return post


def _start(target: Callable[..., None], *args: object, name: str) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, name=name, daemon=True)
    thread.start()
    return thread


class Closeable(Protocol):
    """Something to close when the bot stops (the engine connection, the dashboard)."""

    def close(self) -> None: ...


def _start_worker(worker: Worker | Dispatcher, publisher: DailyPublisher) -> threading.Thread:
    def work() -> None:
        if worker.stop_event.is_set():
            return
        for job in publisher.store.undelivered(DAILY_PLATFORM):  # rendered before a restart
            publisher.publish(job)
        worker.run()

    return _start(work, name="ganterp-worker")


def _join(threads: list[threading.Thread], grace_s: float) -> None:
    """Wait for the worker and poller to finish what they are doing, at most `grace_s` in all."""
    deadline = time.monotonic() + grace_s
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            log.warning("%s did not stop within %.0f s; leaving it", thread.name, grace_s)


def _wait_for_signal(stop: threading.Event) -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()


async def _serve(bot: GanterpBot, token: str) -> None:
    # SIGTERM and Ctrl-C close the client (which finishes its current calls), so asyncio.run returns normally.
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread (tests)
            loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
    async with bot:
        await bot.start(token)
