"""SAQ's own web page on the engine's queue, for operators: read-only unless a token is set.

SAQ's page has buttons that retry and abort jobs, and shows each job's payload. Around it:
- without GANTERP_DASHBOARD_TOKEN, every request that is not a read is refused (read-only);
- with it, an action needs the token (HTTP Basic with the token as password, or `Authorization:
  Bearer <token>`), and a request from another origin is refused whatever it carries;
- presigned URLs in what the page shows lose their query (the signature), and an error in SAQ's
  API says so in one line, not with a traceback;
- it listens on GANTERP_DASHBOARD_HOST (127.0.0.1 unless the operator says otherwise).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from saq.queue.redis import RedisQueue

from bot.jobs.dispatch import EngineUnavailable
from bot.jobs.engine.saq_base import open_queue
from bot.settings import SettingsError

READS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_ONLY = "The dashboard is read-only: set GANTERP_DASHBOARD_TOKEN on the bot's machine to allow its actions."
CROSS_ORIGIN = "A request from another site is refused."
TOKEN_NEEDED = "This action needs the dashboard's token (GANTERP_DASHBOARD_TOKEN)."  # noqa: S105 (a message)
# A URL's query (where a presigned URL keeps its signature), up to whatever ends it in JSON or a repr.
_URL_QUERY = re.compile(r"(https?://[^\s\"'?<>]*)\?[^\s\"'<>\\]*")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class DashboardUnavailable(SettingsError):
    """The dashboard cannot listen where it was told to (the port is taken, the address is not this machine's)."""


class Dashboard:
    """SAQ's web page on the engine's queue, served on a loop of its own until closed."""

    def __init__(self, url: str, name: str, host: str, port: int, token: str | None = None) -> None:
        self._loop, self._queue = open_queue(url, name, "saq-dashboard")
        try:
            self._runner = self._loop.run(_serve(self._queue, host, port, token))
        except BaseException:
            self._loop.close()
            raise
        self.address = f"http://{host}:{port}/"

    def close(self) -> None:
        """Stop serving and disconnect."""
        try:
            self._loop.run(self._runner.cleanup(), timeout=10.0)  # also disconnects the queue
        except EngineUnavailable:
            pass
        finally:
            self._loop.close()


async def _serve(queue: RedisQueue, host: str, port: int, token: str | None) -> web.AppRunner:
    from saq.web.aiohttp import create_app

    app = create_app([queue])
    app.middlewares.insert(0, guarded(token))  # the outermost: nothing of SAQ's runs before it
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:  # not Redis's fault: the port is taken, or the address is not this machine's
        await runner.cleanup()
        raise DashboardUnavailable(
            f"the engine's dashboard cannot listen on {host}:{port} ({exc.strerror or exc}); another program may "
            f"hold that port: choose another GANTERP_DASHBOARD_PORT or stop it."
        ) from None
    return runner


def guarded(token: str | None) -> Any:
    """The middleware that keeps the page read-only without a token, refuses other origins and hides signatures."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method not in READS:
            if token is None:
                raise web.HTTPForbidden(text=READ_ONLY)
            if not _same_origin(request):
                raise web.HTTPForbidden(text=CROSS_ORIGIN)
            if not _authorized(request, token):
                raise web.HTTPUnauthorized(text=TOKEN_NEEDED, headers={"WWW-Authenticate": 'Basic realm="ganterp"'})
        response = await handler(request)
        if isinstance(response, web.Response) and response.content_type == "application/json" and response.body:
            response.body = redact_json(bytes(response.body))  # type: ignore[arg-type]
        return response

    return guard


def _same_origin(request: web.Request) -> bool:
    """Whether a browser says the request comes from this page; a client that says nothing (curl) is not a browser."""
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.lower() == f"{request.scheme}://{request.host}".lower()
    return request.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none")


def _authorized(request: web.Request, token: str) -> bool:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    offered = ""
    if scheme.lower() == "bearer":
        offered = value.strip()
    elif scheme.lower() == "basic":
        try:
            offered = base64.b64decode(value.strip(), validate=True).decode().partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return False
    return bool(offered) and hmac.compare_digest(offered.encode(), token.encode())


def redact_json(body: bytes) -> bytes:
    """The API's answer with every URL's query blanked, and an error's traceback cut to one line."""
    try:
        data = json.loads(body)
    except ValueError:
        return _URL_QUERY.sub(r"\1?(signature hidden)", body.decode(errors="replace")).encode()
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        data["error"] = "the request failed; the bot's log has the details"
    return json.dumps(_redacted(data)).encode()


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return _URL_QUERY.sub(r"\1?(signature hidden)", value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return value
