"""How a job's files travel between the dispatcher and a remote worker: through Redis, or through a bucket.

Three files per job: the clip (to the worker), the MP4 and the preview sheet (back). The dispatcher's
side is a `FileCarrier`: `RedisFiles` keeps them under expiring keys in the engine's Redis (the
default), `bot.jobs.engine.bucket.BucketFiles` in an S3-compatible bucket. A job handed out through a
bucket carries presigned URLs in its payload, and the worker only GETs and PUTs them over plain
HTTPS (`BucketLinks`): no credentials, no boto3, but only on the bucket it was configured with.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import requests
from saq.queue.redis import RedisQueue

from bot.jobs.dispatch import EngineUnavailable
from bot.jobs.engine.payload import KINDS, BucketOrigin, PayloadRefused
from bot.jobs.engine.saq_base import EventLoop, file_key, redis_get, redis_set
from pipeline.links import PUBLIC_ONLY, AddressGuard, LinkRefused, LinkTooLarge, LinkUnreachable, NotMediaLink
from pipeline.links.download import Downloader, DownloadLimits
from pipeline.links.guard import Resolver, system_resolver
from pipeline.links.urls import parse_link

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


# --- the worker's side of a bucket: plain HTTP on presigned URLs, checked and guarded


class BucketRefused(Exception):
    """The bucket answered a presigned URL with a refusal (expired, too large, gone); the message is one sentence."""


@dataclass(frozen=True)
class BucketLinks:
    """A worker's GETs and PUTs on presigned URLs: only the configured bucket's objects, guarded like any link.

    A URL must name the job's own object in the bucket of GANTERP_QUEUE_BUCKET (`BucketOrigin.check`);
    its host must resolve to public addresses, or to the addresses of the configured endpoint's own
    host (a MinIO on the LAN is the operator's choice; cloud metadata addresses are refused even then);
    no redirect is followed.
    """

    origin: BucketOrigin
    resolver: Resolver = system_resolver

    def get(self, url: str, job_id: int, dest_dir: Path, max_bytes: int) -> Path:
        """Download the job's clip into `dest_dir`, at most `max_bytes`.

        PayloadRefused: the link or the file is not acceptable (the job fails);
        EngineUnavailable: the bucket cannot be reached now (the job goes back).
        """
        self.origin.check(url, job_id, "clip")
        downloader = Downloader(self._guard(), self.resolver)
        limits = DownloadLimits(max_bytes, READ_TIMEOUT_S, max_redirects=0)
        try:
            return downloader.download(url, dest_dir, limits).path
        except LinkTooLarge as exc:
            raise PayloadRefused(f"its clip is larger than this worker's cap ({max_bytes} bytes)") from exc
        except LinkRefused as exc:  # the messages name no URL: a presigned one carries its signature
            raise PayloadRefused(f"its clip link was refused: {exc.reason}") from exc
        except NotMediaLink as exc:
            raise PayloadRefused(f"its clip is not media (the bucket says {exc.content_type[:60]})") from exc
        except LinkUnreachable as exc:
            raise EngineUnavailable(exc.detail, what="the bucket", check=URL_CHECK) from exc

    def put(self, url: str, job_id: int, kind: str, data: bytes) -> None:
        """PUT `data` as the job's `kind`: EngineUnavailable when the bucket is away, BucketRefused if it says no."""
        self.origin.check(url, job_id, kind)
        what = "video" if kind == "output" else kind
        self._check_addresses(url)
        try:
            response = requests.put(url, data=data, timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S), allow_redirects=False)
        except requests.RequestException as exc:
            raise EngineUnavailable(_reason(exc), what="the bucket", check=URL_CHECK) from exc
        with response:
            _check(response, what, "sent")

    def _guard(self) -> AddressGuard:
        host = self.origin.endpoint_host()
        if host is None:
            return PUBLIC_ONLY
        try:
            addresses = self.resolver(host, 0)
        except (OSError, UnicodeError, ValueError):
            return PUBLIC_ONLY  # the download's own lookup says the host cannot be found
        return AddressGuard(allowed_networks=tuple(ipaddress.ip_network(a) for a in addresses))

    def _check_addresses(self, url: str) -> None:
        """PayloadRefused when the URL's host resolves to an address the guard refuses (for a PUT, made by requests)."""
        link = parse_link(url)
        guard = self._guard()
        try:
            addresses = [link.address] if link.address is not None else self.resolver(link.host, link.port)
        except (OSError, UnicodeError, ValueError) as exc:
            raise EngineUnavailable("its host name could not be found", what="the bucket", check=URL_CHECK) from exc
        if not guard.permits_host(link.host) or not all(guard.permits(address) for address in addresses):
            raise PayloadRefused(f"its link leads to a private, local or cloud-internal address ({link.host})")


def _check(response: requests.Response, what: str, done: str) -> None:
    if response.status_code >= 500:  # the bucket's trouble, not ours: worth trying again
        raise EngineUnavailable(f"HTTP {response.status_code} for the {what}", what="the bucket", check=URL_CHECK)
    if response.status_code >= 300:  # a redirect is not followed: a bucket's object has no other place
        raise BucketRefused(f"the {what} could not be {done} through the bucket (HTTP {response.status_code}).")


def _reason(exc: requests.RequestException) -> str:
    # requests' messages repeat the whole URL, signature included: say what happened, not where.
    return type(exc).__name__
