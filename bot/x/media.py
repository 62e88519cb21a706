"""A small client for X's v2 chunked media upload: initialize, append, finalize, then poll the status.

tweepy 4.17 has no v2 media upload and X retired the v1.1 one, so this speaks the four
endpoints directly with requests, signed with OAuth 1.0a user context (requests-oauthlib):

    POST {host}/2/media/upload/initialize          JSON {media_type, total_bytes, media_category}
    POST {host}/2/media/upload/{id}/append         multipart: media (the chunk), segment_index
    POST {host}/2/media/upload/{id}/finalize
    GET  {host}/2/media/upload?command=STATUS&media_id={id}   until processing_info says succeeded

The host is a parameter, so tests point the client at a local server.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from requests.auth import AuthBase
from requests_oauthlib import OAuth1

from pipeline.errors import UserError

log = logging.getLogger(__name__)

DEFAULT_HOST = "https://api.x.com"
CHUNK_BYTES = 4 * 2**20  # X takes chunks of at most 5 MB
MAX_RATE_WAIT_S = 120.0  # a 429 whose reset is further away than this is handed to the caller
TIMEOUT_S = 60.0


class XMediaError(UserError):
    """The upload did not succeed; the message says which step and why (for the operator: X's side failed)."""

    machine_fault = True


class XMediaRateLimited(XMediaError):
    """X answered 429 and the reset is too far away to wait for here."""

    def __init__(self, step: str, reset_at: float | None) -> None:
        self.step, self.reset_at = step, reset_at
        super().__init__(f"media {step}: rate limited until {reset_at if reset_at is not None else 'unknown'}")


class XMediaRejected(XMediaError):
    """X refused the media (a 4xx answer, or processing failed): retrying the same file will not help."""


@dataclass(frozen=True)
class OAuth1Credentials:
    """OAuth 1.0a user context: the app's consumer key pair and the bot account's access token pair."""

    # All four are secrets: none appears in a repr (and so in a log line or a traceback's locals).
    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)

    def auth(self) -> AuthBase:
        """A requests auth object that signs each request."""
        return OAuth1(self.consumer_key, self.consumer_secret, self.access_token, self.access_token_secret)


def rate_limit_reset(response: requests.Response) -> float | None:
    """The epoch second a 429 ends, from x-rate-limit-reset or Retry-After."""
    reset = response.headers.get("x-rate-limit-reset")
    if reset and reset.strip().isdigit():
        return float(reset)
    retry = response.headers.get("retry-after")
    if retry and retry.strip().isdigit():
        return time.time() + float(retry)
    return None


class MediaUploader:
    """Uploads one video at a time; returns the media id to attach to a post."""

    def __init__(
        self,
        auth: AuthBase | None,
        host: str = DEFAULT_HOST,
        *,
        chunk_bytes: int = CHUNK_BYTES,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
        max_retries: int = 3,
        max_rate_wait_s: float = MAX_RATE_WAIT_S,
        max_processing_s: float = 600.0,
    ) -> None:
        if not 1 <= chunk_bytes <= 5 * 2**20:
            raise ValueError(f"chunk_bytes must be from 1 to 5 MiB (got {chunk_bytes})")
        self.auth, self.host = auth, host.rstrip("/")
        self.chunk_bytes = chunk_bytes
        self.session = session or requests.Session()
        self._sleep, self._now = sleep, wall_clock
        self.max_retries, self.max_rate_wait_s, self.max_processing_s = max_retries, max_rate_wait_s, max_processing_s

    def upload_video(self, path: Path, media_type: str = "video/mp4", category: str = "tweet_video") -> str:
        """Upload `path` in chunks and wait until X has processed it; returns the media id."""
        total = path.stat().st_size
        init = self._call(
            "initialize",
            "POST",
            "/2/media/upload/initialize",
            json={"media_type": media_type, "total_bytes": total, "media_category": category},
        )
        media_id = str(_data(init, "initialize").get("id") or "")
        if not media_id:
            raise XMediaError(f"media initialize: no media id in the answer {init!r}")
        with path.open("rb") as stream:
            index = 0
            while chunk := stream.read(self.chunk_bytes):
                self._call(
                    "append",
                    "POST",
                    f"/2/media/upload/{media_id}/append",
                    files={"media": ("chunk", chunk, "application/octet-stream")},
                    data={"segment_index": str(index)},
                )
                index += 1
        log.info("media %s: %d bytes in %d chunks", media_id, total, index)
        final = self._call("finalize", "POST", f"/2/media/upload/{media_id}/finalize")
        self._wait_processed(media_id, _data(final, "finalize").get("processing_info"))
        return media_id

    def status(self, media_id: str) -> dict[str, Any]:
        """The upload's current state as X reports it (data of the STATUS answer)."""
        answer = self._call("status", "GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id})
        return _data(answer, "status")

    def _wait_processed(self, media_id: str, info: Any) -> None:
        started = self._now()
        while isinstance(info, dict):
            state = info.get("state")
            if state == "succeeded":
                return
            if state == "failed":
                error = info.get("error") or {}
                detail = error.get("message") or error.get("name") or "no reason given"
                raise XMediaRejected(f"media {media_id}: X could not process the video ({detail})")
            if self._now() - started > self.max_processing_s:
                raise XMediaError(f"media {media_id}: still processing after {self.max_processing_s:.0f} s")
            self._sleep(max(1.0, float(info.get("check_after_secs") or 1)))
            info = self.status(media_id).get("processing_info")
        # No processing_info: the media is ready as it is.

    def _call(self, step: str, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """One request, retried on 5xx and connection errors, waiting out a short 429."""
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.session.request(method, self.host + path, auth=self.auth, timeout=TIMEOUT_S, **kwargs)
            except requests.RequestException as exc:
                if attempt > self.max_retries:
                    raise XMediaError(f"media {step}: {type(exc).__name__}: {exc}") from exc
                self._sleep(2.0**attempt)
                continue
            if response.status_code == 429:
                reset = rate_limit_reset(response)
                wait = None if reset is None else reset - self._now() + 1
                if wait is None or wait > self.max_rate_wait_s or attempt > self.max_retries:
                    raise XMediaRateLimited(step, reset)
                log.warning("media %s: rate limited, waiting %.0f s", step, wait)
                self._sleep(max(wait, 1.0))
                continue
            if response.status_code >= 500 and attempt <= self.max_retries:
                self._sleep(2.0**attempt)
                continue
            if not 200 <= response.status_code < 300:
                error = XMediaRejected if 400 <= response.status_code < 500 else XMediaError
                raise error(f"media {step}: HTTP {response.status_code}: {response.text[:300]}")
            if not response.content:
                return {}
            try:
                body = response.json()
            except ValueError:
                return {}
            return body if isinstance(body, dict) else {}


def _data(answer: dict[str, Any], step: str) -> dict[str, Any]:
    data = answer.get("data", answer)
    if not isinstance(data, dict):
        raise XMediaError(f"media {step}: unexpected answer {answer!r}")
    return data
