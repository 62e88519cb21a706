"""The X front end: answer mentions that point at a clip with a GANterpretation of it.

A poll loop (run in a thread by `ganterp bot`) reads the account's mentions since the
stored cursor (bot.x.mentions), finds each clip, maps the mention's words to classes and
queues the job; the worker hands the finished video to `deliver` (bot.x.delivery), which
uploads it and replies. Every mention moves the cursor in the database, so a restart
neither answers twice nor misses one. When X cannot be read (bad credentials, no network,
an outage) the loop says so once per kind of failure and backs off.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import tweepy

from bot.listening import wants_lyrics
from bot.outage import Outage, unexpected
from bot.service import database_url, submit_file
from bot.settings import Settings
from bot.x.delivery import XPoster
from bot.x.media import MediaUploader, OAuth1Credentials
from bot.x.mentions import MentionReader, find_clip, mention_words
from bot.x.replies import ClipTooLarge, UnsupportedMedia, failure_text, refusal_text
from pipeline.errors import UserError
from pipeline.links import LinkTooLarge, fetch_link
from pipeline.render import RenderOptions
from pipeline.words import lookup
from pipeline.words.lookup import LookupOptions, resolve_words
from storage.db import make_engine
from storage.jobs import JobStore
from storage.models import Job
from storage.x_state import XStateStore

log = logging.getLogger(__name__)

PLATFORM = "x"
FAILURES_SEEN_KEY = "failures_reported_through"  # the last failed job whose mention was answered
CLIP_HOSTS = frozenset({"video.twimg.com"})  # where X serves post videos; nothing else is downloaded
SOURCE_PREFIX = "mention:"  # source_ref = "mention:<mention id> <clip url>", for the log (tweet_id is the key)
MAX_BACKOFF_S = 3600.0
X_MAX_FRAME_SIDE = 1280  # X plays videos up to 1280 px on their longer side inline
STOP_CHECK_S = 0.5  # how often a waiting poller looks whether it should stop
X_TIMEOUT_S = 30.0  # tweepy sets no timeout: a silent connection would hold the poller for ever

Download = Callable[[str, Path, int], Path]


def x_configured(settings: Settings) -> bool:
    """Whether every credential the X front end needs is set."""
    return all(
        (
            settings.x_consumer_key,
            settings.x_consumer_secret,
            settings.x_access_token,
            settings.x_access_token_secret,
            settings.x_bearer_token,
        )
    )


def download_clip(url: str, dest_dir: Path, max_bytes: int) -> Path:
    """Fetch an X video variant over https from X's video host (guarded, capped at `max_bytes`)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname not in CLIP_HOSTS:
        raise UnsupportedMedia("a video on a host I do not download from")
    try:
        return fetch_link(url, dest_dir, max_bytes=max_bytes, timeout_s=120.0).path
    except LinkTooLarge as exc:
        raise ClipTooLarge(max_bytes) from exc


class _TimeoutSession(requests.Session):
    """A requests session whose calls time out unless told otherwise."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", X_TIMEOUT_S)
        return super().request(*args, **kwargs)


def failure_kind(exc: BaseException) -> tuple[str, str]:
    """(kind, what X did, as a sentence after "X") for an error of a whole poll."""
    if isinstance(exc, tweepy.Unauthorized):
        return "credentials", "refused the bot's credentials (401): check the GANTERP_X_* tokens and keys"
    if isinstance(exc, tweepy.Forbidden):
        return "forbidden", "forbids reading the mentions (403): check the app's access level and permissions"
    if isinstance(exc, tweepy.TwitterServerError):
        return "outage", f"answered with a server error ({getattr(exc.response, 'status_code', '5xx')})"
    if isinstance(exc, requests.ConnectionError | requests.Timeout | OSError):
        return "unreachable", f"cannot be reached ({type(exc).__name__})"
    return unexpected(exc)


def poll_outage(poll_s: float) -> Outage:
    """The poll loop's health: one log line per kind of failure, and a pause growing from `poll_s`."""
    return Outage("X", poll_s, MAX_BACKOFF_S, describe=failure_kind)


class XFrontEnd:
    """Polls mentions, queues jobs, and has finished videos posted as replies."""

    def __init__(
        self,
        settings: Settings,
        store: JobStore,
        state: XStateStore,
        client: Any,
        uploader: MediaUploader,
        *,
        download: Download = download_clip,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings, self.store, self.state = settings, store, state
        self._download = download
        self.reader = MentionReader(client, state, settings.x_daily_reads, clock)
        self.poster = XPoster(client, uploader, store, state, settings.x_daily_posts, clock)
        self._woken = threading.Event()  # a video was rendered: post it before the next poll is due

    def deliver(self, job: Job) -> None:
        """Post a rendered job's video in reply to its mention now, on the caller's thread; never raises."""
        self.poster.deliver(job)

    def wake(self) -> None:
        """The worker's hand-over: the poller posts what was rendered at once (uploading is not the worker's time)."""
        self._woken.set()

    def post_daily(self, job: Job) -> bool:
        """Post a daily video on its own; returns whether it was posted."""
        return self.poster.post_daily(job)

    @classmethod
    def from_settings(cls, settings: Settings, store: JobStore) -> XFrontEnd:
        """The front end with real clients, from the X credentials in `settings`."""
        if not x_configured(settings):
            raise ValueError("the X credentials are not all set (GANTERP_X_*)")
        credentials = OAuth1Credentials(
            str(settings.x_consumer_key),
            str(settings.x_consumer_secret),
            str(settings.x_access_token),
            str(settings.x_access_token_secret),
        )
        client = tweepy.Client(
            bearer_token=settings.x_bearer_token,
            consumer_key=credentials.consumer_key,
            consumer_secret=credentials.consumer_secret,
            access_token=credentials.access_token,
            access_token_secret=credentials.access_token_secret,
            return_type=dict,
            wait_on_rate_limit=False,
        )
        client.session = _TimeoutSession()
        engine = make_engine(database_url(settings))
        uploader = MediaUploader(credentials.auth(), settings.x_api_host)
        return cls(settings, store, XStateStore(engine), client, uploader)

    # ------------------------------------------------------------------ the loop

    def run(self, stop_event: threading.Event) -> None:
        """Poll until `stop_event` is set; never raises."""
        log.info("X front end started")
        lookup.warm()  # the word index and spelling tables, before the first mention
        health = poll_outage(self.settings.x_poll_s)
        while not stop_event.is_set():
            try:
                wait = self.poll_once()
                health.succeeded()
            except Exception as exc:
                wait = health.failed(exc)
            self._wait_posting(stop_event, max(1.0, wait), health)
        log.info("X front end stopped")

    def _wait_posting(self, stop_event: threading.Event, wait_s: float, health: Outage) -> None:
        """Wait for the next poll; videos rendered meanwhile are posted as they come."""
        until = time.monotonic() + wait_s
        while not stop_event.is_set() and (left := until - time.monotonic()) > 0:
            if self._woken.wait(min(left, STOP_CHECK_S)):
                self._woken.clear()
                try:
                    self.poster.deliver_pending()
                except Exception as exc:  # the job log locked, say: the next poll tries again
                    health.failed(exc)

    def poll_once(self) -> float:
        """Post what waits, answer failed renders, handle new mentions; returns seconds until the next poll."""
        self.poster.deliver_pending()
        self.report_failures()
        mentions = self.reader.read()
        if mentions is None:  # paused by a rate limit or the daily cap; deliveries still go on each poll
            return min(self.settings.x_poll_s, self.reader.paused_for_s())
        for mention in mentions.items:
            try:
                self.handle_mention(mention, mentions.includes)
            except Exception:
                log.exception("mention %s could not be handled", mention.get("id"))
            self.state.advance_since_id(str(mention["id"]))
        return self.settings.x_poll_s

    # ------------------------------------------------------------------ one mention

    def handle_mention(self, mention: dict[str, Any], includes: dict[str, Any]) -> Job | None:
        """Queue a job for a mention, or answer why not; returns the job if one was queued."""
        mention_id, author = str(mention["id"]), str(mention.get("author_id") or "")
        retweet = any(r.get("type") == "retweeted" for r in mention.get("referenced_tweets") or [])
        if author == self.reader.me() or retweet:
            return None
        if self.store.find_by_tweet(PLATFORM, mention_id) or self.state.replied(mention_id):
            return None  # queued or answered before a restart
        users = {u.get("id"): u.get("username") for u in includes.get("users") or []}
        try:
            return self._queue(mention, includes, author, str(users.get(author) or author))
        except UserError as exc:  # the one place X turns a refusal into a reply
            log.info("mention %s refused: %s", mention_id, exc)
            if self.settings.x_reply_on_refusal:
                self.poster.say_once(mention_id, "refusal", refusal_text(exc))
        return None

    def _queue(self, mention: dict[str, Any], includes: dict[str, Any], author: str, username: str) -> Job:
        mention_id = str(mention["id"])
        clip = find_clip(mention, includes, self.settings.x_max_bytes)
        words, lyrics = wants_lyrics(mention_words(str(mention.get("text") or "")))
        seed = secrets.randbelow(2**31)
        classes = resolve_words(words, seed, LookupOptions(max_words=20)) if words else []
        trim = self.settings.x_max_duration_s
        options = RenderOptions(
            classes=tuple(classes),
            seed=seed,
            size=self.settings.x_video_size,
            max_bytes=self.settings.x_max_bytes,
            duration_s=trim if clip.duration_ms is None or clip.duration_ms / 1000 > trim else None,
            max_duration_s=max(trim, self.settings.max_duration_s),
            safe_random=True,  # a public account: random fill never shows what nobody would post unasked
            max_frame_side=X_MAX_FRAME_SIDE,
            lyrics=lyrics,  # the words heard go through the same safe set as random fill
        )
        self.store.check_limits(f"x:{author}")  # before the download
        with tempfile.TemporaryDirectory(prefix="ganterp-x-") as folder:
            audio = self._download(clip.url, Path(folder), self.settings.x_max_bytes)
            accepted = submit_file(
                self.store,
                audio,
                options,
                platform=PLATFORM,
                requester_id=f"x:{author}",
                requester_name=f"@{username}",
                source_kind="link",
                source_name="the video of that post",
                source_ref=f"{SOURCE_PREFIX}{mention_id} {clip.url}",
                words=words or None,
                tweet_id=mention_id,
            )
        log.info("mention %s → job %d", mention_id, accepted.job.id)
        return accepted.job

    def report_failures(self) -> None:
        """Answer mentions whose render failed (the worker hands over only finished videos); each once."""
        seen = self.state.get(FAILURES_SEEN_KEY)
        failed = self.store.failed_after(PLATFORM, int(seen or 0))
        if seen is None:  # first start: only failures from now on, not the log's history
            self.state.set(FAILURES_SEEN_KEY, str(failed[-1].id if failed else 0))
            return
        for job in failed:
            # A job failed while posting (mention deleted, video refused) has nobody left to tell.
            if job.rendered_at is None and job.tweet_id and self.settings.x_reply_on_refusal:
                self.poster.say_once(job.tweet_id, "failure", failure_text(job))  # once per mention, recorded
        # Jobs end out of id order (fair order, several workers): the mark moves only past jobs that all ended,
        # so a job that fails after a later one is still answered.
        self.state.set(FAILURES_SEEN_KEY, str(self.store.all_finished_through(PLATFORM, int(seen))))
