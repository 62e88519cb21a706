"""SAQ's own web page on the engine's queue (operators only; served on loopback behind a setting)."""

from __future__ import annotations

from typing import Any

from saq.queue.redis import RedisQueue

from bot.dispatch import EngineUnavailable
from bot.engine.saq_base import (
    open_queue,
)


class Dashboard:
    """SAQ's web page on the engine's queue, served on a loop of its own until closed."""

    def __init__(self, url: str, name: str, host: str, port: int) -> None:
        self._loop, self._queue = open_queue(url, name, "saq-dashboard")
        self._runner = self._loop.run(_serve(self._queue, host, port))
        self.address = f"http://{host}:{port}/"

    def close(self) -> None:
        """Stop serving and disconnect."""
        try:
            self._loop.run(self._runner.cleanup(), timeout=10.0)  # also disconnects the queue
        except EngineUnavailable:
            pass
        finally:
            self._loop.close()


async def _serve(queue: RedisQueue, host: str, port: int) -> Any:
    from aiohttp import web
    from saq.web.aiohttp import create_app

    runner = web.AppRunner(create_app([queue]), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
