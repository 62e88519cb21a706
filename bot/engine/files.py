"""How a job's files travel between the dispatcher and a remote worker: through Redis, or through a bucket.

Three files per job: the clip (to the worker), the MP4 and the preview sheet (back). The dispatcher's
side is a `FileCarrier`: `RedisFiles` keeps them under expiring keys in the engine's Redis (the
default), `bot.engine.bucket.BucketFiles` in an S3-compatible bucket. The worker never needs to know
which: a job handed out through a bucket carries presigned URLs in its payload (`urls_in`), and the
worker only GETs and PUTs them over plain HTTPS (`http_get`, `http_put`): no credentials, no boto3.
"""

from __future__ import annotations

from typing import Any, Protocol

import requests
from saq.queue.redis import RedisQueue

from bot.dispatch import EngineUnavailable, FileTooLarge
from bot.engine.saq_base import EventLoop, file_key, redis_get, redis_set

KINDS = ("clip", "output", "preview")
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 120.0  # per read or write on the socket, not for the whole file
CHUNK = 2**20
URL_CHECK = "that the bucket answers (the URLs the dispatcher signed)"


class FileCarrier(Protocol):
    """The dispatcher's side of a job's files."""

    def put_clip(self, job_id: int, clip: bytes) -> dict[str, Any]: ...
    def output(self, job_id: int) -> bytes | None: ...
    def take_preview(self, job_id: int) -> bytes | None: ...
    def forget(self, job_id: int) -> None: ...
    def close(self) -> None: ...


class RedisFiles:
    """Files under expiring keys in the engine's own Redis (`GANTERP_QUEUE_FILE_TTL_S`)."""

    def __init__(self, loop: EventLoop, queue: RedisQueue, ttl_s: int) -> None:
        self._loop, self.queue, self.ttl_s = loop, queue, ttl_s

    def put_clip(self, job_id: int, clip: bytes) -> dict[str, Any]:
        """Store the clip; the worker finds it by the job's id, so the payload needs nothing more."""
        self._loop.run(redis_set(self.queue.redis, file_key(self.queue, "clip", job_id), clip, self.ttl_s))
        return {}

    def output(self, job_id: int) -> bytes | None:
        """The MP4 a worker sent back (None: none, or it expired)."""
        return self._loop.run(redis_get(self.queue.redis, file_key(self.queue, "output", job_id)))

    def take_preview(self, job_id: int) -> bytes | None:
        """The preview sheet, once (None when there is none new)."""
        return self._loop.run(redis_get(self.queue.redis, file_key(self.queue, "preview", job_id), delete=True))

    def forget(self, job_id: int) -> None:
        """Delete the job's keys."""
        self._loop.run(self._delete(job_id))

    async def _delete(self, job_id: int) -> None:
        await self.queue.redis.delete(*(file_key(self.queue, kind, job_id) for kind in KINDS))

    def close(self) -> None:
        """Nothing of its own to close: the engine closes the connection."""


# --- the worker's side of a bucket: plain HTTP on presigned URLs


class BucketRefused(Exception):
    """The bucket answered a presigned URL with a refusal (expired, too large, gone); the message is one sentence."""


def urls_in(payload: dict[str, Any]) -> dict[str, str] | None:
    """The presigned URLs a job handed out through a bucket carries (None: its files travel through Redis)."""
    urls = payload.get("urls")
    return {str(k): str(v) for k, v in urls.items()} if isinstance(urls, dict) else None


def http_get(url: str, max_bytes: int, what: str) -> bytes:
    """GET a presigned URL, at most `max_bytes`; EngineUnavailable when the bucket cannot be reached."""
    try:
        with requests.get(url, stream=True, timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S)) as response:
            _check(response, what, "fetched")
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > max_bytes:
                raise FileTooLarge(what, declared, max_bytes)
            data = bytearray()
            for chunk in response.iter_content(CHUNK):
                data += chunk
                if len(data) > max_bytes:
                    raise FileTooLarge(what, len(data), max_bytes)
            return bytes(data)
    except requests.RequestException as exc:
        raise EngineUnavailable(_reason(exc), what="the bucket", check=URL_CHECK) from exc


def http_put(url: str, data: bytes, what: str) -> None:
    """PUT `data` to a presigned URL; EngineUnavailable when the bucket is unreachable, BucketRefused if it says no."""
    try:
        response = requests.put(url, data=data, timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S))
    except requests.RequestException as exc:
        raise EngineUnavailable(_reason(exc), what="the bucket", check=URL_CHECK) from exc
    with response:
        _check(response, what, "sent")


def _check(response: requests.Response, what: str, done: str) -> None:
    if response.status_code >= 500:  # the bucket's trouble, not ours: worth trying again
        raise EngineUnavailable(f"HTTP {response.status_code} for the {what}", what="the bucket", check=URL_CHECK)
    if response.status_code >= 400:
        raise BucketRefused(f"the {what} could not be {done} through the bucket (HTTP {response.status_code}).")


def _reason(exc: requests.RequestException) -> str:
    # requests' messages repeat the whole URL, signature included: say what happened, not where.
    return type(exc).__name__
