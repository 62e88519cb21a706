"""The X front end: answer mentions that point at a clip with a GANterpretation of it.

A poll loop (run in a thread by `ganterp bot`) reads the account's mentions since the
stored cursor, finds the clip (in the mention, or in the post it replies to or quotes),
maps the mention's words to classes and queues the job; the worker hands the finished
video to `deliver`, which uploads it (bot.x_media) and replies. Every mention moves the
cursor in the database, so a restart neither answers twice nor misses one; jobs that could
not be posted (rate limit, daily cap, a crash) stay "rendered" and are posted by the poller.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import tweepy

from bot.messages import fit
from bot.service import database_url, submit_file
from bot.settings import Settings
from bot.x_media import MediaUploader, OAuth1Credentials, XMediaError, XMediaRateLimited, XMediaRejected
from pipeline.errors import AudioTooShort, CorruptMedia, NoAudioStream, NotMedia, PipelineError
from pipeline.lookup import LookupOptions, resolve_words
from pipeline.render import RenderOptions, read_sidecar
from pipeline.sources import LinkTooLarge, fetch
from storage.db import make_engine
from storage.jobs import JobStore, QueueRefused
from storage.models import Job, JobStatus
from storage.x_state import XStateStore

log = logging.getLogger(__name__)

PLATFORM = "x"
MAX_POST_CHARS = 270  # X counts 280 with its own weights; stay clear of the edge
MAX_PAGES = 5  # pages of 100 mentions read per poll at most
FAILURES_SEEN_KEY = "failures_reported_through"  # the last failed job whose mention was answered
MAX_DELIVERY_TRIES = 3
CLIP_HOSTS = frozenset({"video.twimg.com"})  # where X serves post videos; nothing else is downloaded
SOURCE_PREFIX = "mention:"  # source_ref = "mention:<mention id> <clip url>"

EXPANSIONS = ["attachments.media_keys", "referenced_tweets.id", "referenced_tweets.id.attachments.media_keys",
              "author_id"]  # fmt: skip
MEDIA_FIELDS = ["type", "variants", "duration_ms", "media_key"]
TWEET_FIELDS = ["attachments", "referenced_tweets", "author_id", "created_at"]
USER_FIELDS = ["username"]

_HANDLE = re.compile(r"(?<![\w@])@\w{1,15}")
_LINK = re.compile(r"https?://\S+", re.IGNORECASE)

Download = Callable[[str, Path, int], Path]


def x_configured(settings: Settings) -> bool:
    """Whether every credential the X front end needs is set."""
    return all(
        (settings.x_consumer_key, settings.x_consumer_secret, settings.x_access_token,
         settings.x_access_token_secret, settings.x_bearer_token)
    )  # fmt: skip


# ----------------------------------------------------------------------------- refusals


class Refusal(Exception):
    """A mention that gets no video; the message is what the author is told."""

    def user_message(self) -> str:
        """One sentence for the person who mentioned the bot."""
        return str(self)


class NoClip(Refusal):
    def __init__(self) -> None:
        super().__init__("I found no video with sound here: mention me on, or in reply to, a post with a clip.")


class UnsupportedMedia(Refusal):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(f"I can only use videos with sound, and this post has {kind}.")


class ClipTooLarge(Refusal):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"that clip is larger than my limit of {max_bytes / 2**20:.0f} MB.")


def refusal_text(exc: BaseException) -> str:
    """The polite sentence for a mention that gets no video (never a local path)."""
    if isinstance(exc, Refusal | QueueRefused):
        reason = exc.user_message()
    elif isinstance(exc, NoAudioStream):
        reason = "that clip has no sound."
    elif isinstance(exc, NotMedia | CorruptMedia):
        reason = "I could not read that clip."
    elif isinstance(exc, AudioTooShort):
        reason = f"that clip is too short (it needs at least {exc.min_s:g} s of sound)."
    elif isinstance(exc, PipelineError) and "/" not in str(exc):
        reason = exc.user_message()
    else:
        reason = "something went wrong with that clip."
    return _fit(f"Sorry, {reason}")


# ----------------------------------------------------------------------------- reading mentions


@dataclass(frozen=True)
class Clip:
    """The MP4 variant chosen for a mention."""

    tweet_id: str  # the post the clip is attached to
    url: str
    bit_rate: int
    duration_ms: int | None


def mention_words(text: str) -> str:
    """The words of a mention: without @handles and links."""
    return " ".join(_LINK.sub(" ", _HANDLE.sub(" ", text)).split())


def best_variant(media: dict[str, Any], max_bytes: int) -> dict[str, Any] | None:
    """The highest-bitrate MP4 variant whose estimated size fits `max_bytes` (else the smallest MP4)."""
    mp4 = [v for v in media.get("variants") or [] if v.get("content_type") == "video/mp4" and v.get("url")]
    if not mp4:
        return None
    mp4.sort(key=lambda v: int(v.get("bit_rate") or 0))
    seconds = (media.get("duration_ms") or 0) / 1000
    fitting = [v for v in mp4 if int(v.get("bit_rate") or 0) * seconds / 8 <= max_bytes]
    chosen: dict[str, Any] = fitting[-1] if fitting else mp4[0]
    return chosen


def find_clip(mention: dict[str, Any], includes: dict[str, Any], max_bytes: int) -> Clip:
    """The clip a mention points at: its own video, else that of the post it replies to or quotes."""
    media = {m.get("media_key"): m for m in includes.get("media") or []}
    tweets = {t.get("id"): t for t in includes.get("tweets") or []}
    candidates = [mention]
    for ref in mention.get("referenced_tweets") or []:
        if ref.get("type") in ("replied_to", "quoted") and ref.get("id") in tweets:
            candidates.append(tweets[ref["id"]])
    unsupported: str | None = None
    for tweet in candidates:
        for key in (tweet.get("attachments") or {}).get("media_keys") or []:
            item = media.get(key)
            if item is None:
                continue
            if item.get("type") != "video":  # photos; animated GIFs have no sound
                unsupported = unsupported or ("a GIF" if item.get("type") == "animated_gif" else "a picture")
                continue
            variant = best_variant(item, max_bytes)
            if variant is None:
                unsupported = unsupported or "a video I cannot download"
                continue
            duration = item.get("duration_ms")
            return Clip(str(tweet["id"]), str(variant["url"]), int(variant.get("bit_rate") or 0),
                        int(duration) if duration is not None else None)  # fmt: skip
    if unsupported:
        raise UnsupportedMedia(unsupported)
    raise NoClip()


def _fit(text: str, limit: int = MAX_POST_CHARS) -> str:
    return fit(text, limit)


def reply_text(job: Job) -> str:
    """The reply under the video: the classes in order and the seed, no links."""
    shown = read_sidecar(Path(job.output_path)).get("classes", []) if job.output_path else []
    names = [str(c["class_name"]) for c in shown]
    if not names:
        from pipeline.classes import class_name

        names = [class_name(c) for c in job.classes]
    classes = " → ".join(names) if names else "random classes"
    tail = f" · seed {job.seed}"
    return _fit(f"Your GANterpretation: {_fit(classes, MAX_POST_CHARS - len(tail) - 22)}{tail}")


def daily_text(job: Job) -> str:
    """The daily post's text: the classes in order and the seed, no links."""
    return "Today's" + reply_text(job).removeprefix("Your")


def _mention_id(job: Job) -> str | None:
    return job.tweet_id


def _next_utc_midnight(now: float) -> float:
    day = dt.datetime.fromtimestamp(now, dt.UTC).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), dt.UTC).timestamp()


# ----------------------------------------------------------------------------- downloading


def download_clip(url: str, dest_dir: Path, max_bytes: int) -> Path:
    """Fetch an X video variant over https from X's video host (guarded, capped at `max_bytes`)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname not in CLIP_HOSTS:
        raise UnsupportedMedia("a video on a host I do not download from")
    try:
        return fetch(url, dest_dir, max_bytes=max_bytes, timeout_s=120.0).path
    except LinkTooLarge as exc:
        raise ClipTooLarge(max_bytes) from exc


# ----------------------------------------------------------------------------- the front end


class XFrontEnd:
    """Polls mentions, queues jobs, and posts finished videos as replies."""

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
        self.client, self.uploader = client, uploader
        self._download, self._clock = download, clock
        self._me: str | None = None
        self._read_paused_until = 0.0
        self._post_paused_until = 0.0
        self._delivery_tries: dict[int, int] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, store: JobStore) -> XFrontEnd:
        """The front end with real clients, from the X credentials in `settings`."""
        if not x_configured(settings):
            raise ValueError("the X credentials are not all set (GANTERP_X_*)")
        credentials = OAuth1Credentials(
            str(settings.x_consumer_key), str(settings.x_consumer_secret),
            str(settings.x_access_token), str(settings.x_access_token_secret),
        )  # fmt: skip
        client = tweepy.Client(
            bearer_token=settings.x_bearer_token, consumer_key=credentials.consumer_key,
            consumer_secret=credentials.consumer_secret, access_token=credentials.access_token,
            access_token_secret=credentials.access_token_secret, return_type=dict, wait_on_rate_limit=False,
        )  # fmt: skip
        engine = make_engine(database_url(settings))
        uploader = MediaUploader(credentials.auth(), settings.x_api_host)
        return cls(settings, store, XStateStore(engine), client, uploader)

    # ------------------------------------------------------------------ the loop

    def run(self, stop_event: threading.Event) -> None:
        """Poll until `stop_event` is set; never raises."""
        log.info("X front end started")
        while not stop_event.is_set():
            try:
                wait = self.poll_once()
            except Exception:
                log.exception("X poll failed")
                wait = self.settings.x_poll_s
            stop_event.wait(max(1.0, wait))
        log.info("X front end stopped")

    def poll_once(self) -> float:
        """Post what waits, answer failed renders, handle new mentions; returns seconds until the next poll."""
        self.deliver_pending()
        self.report_failures()
        now = self._clock()
        if now < self._read_paused_until:
            return min(self.settings.x_poll_s, self._read_paused_until - now)
        try:
            mentions, includes = self._read_mentions()
        except tweepy.TooManyRequests as exc:
            self._read_paused_until = float(exc.reset_time or now + 15 * 60)
            log.warning("X mentions: rate limited until %s", dt.datetime.fromtimestamp(self._read_paused_until, dt.UTC))
            return self._read_paused_until - now
        for mention in sorted(mentions, key=lambda m: int(m["id"])):  # oldest first, so the cursor only moves forward
            try:
                self.handle_mention(mention, includes)
            except Exception:
                log.exception("mention %s could not be handled", mention.get("id"))
            self.state.advance_since_id(str(mention["id"]))
        return self.settings.x_poll_s

    def _reads_left(self) -> int:
        left = self.settings.x_daily_reads - self.state.used("read")
        if left <= 0:
            self._read_paused_until = _next_utc_midnight(self._clock())
            log.warning("X daily read cap (%d) reached; reading again after midnight UTC", self.settings.x_daily_reads)
        return left

    def _me_id(self) -> str:
        if self._me is None:
            stored = self.state.get("me")
            if stored is None:
                answer = self.client.get_me(user_auth=True)
                self.state.spend("read")
                stored = str(answer["data"]["id"])
                self.state.set("me", stored)
            self._me = stored
        return self._me

    def _read_mentions(self) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Every mention after the cursor (at most MAX_PAGES pages), with the merged includes."""
        if self._reads_left() <= 0:
            return [], {}
        me = self._me_id()
        params: dict[str, Any] = {
            "expansions": EXPANSIONS, "media_fields": MEDIA_FIELDS, "tweet_fields": TWEET_FIELDS,
            "user_fields": USER_FIELDS, "max_results": 100, "user_auth": False,
        }  # fmt: skip
        since = self.state.since_id()
        if since is not None:
            params["since_id"] = since
        else:  # the first start: answer mentions from now on, not the account's whole history
            started = self.state.get("started_at")
            if started is None:
                started = dt.datetime.fromtimestamp(self._clock(), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                self.state.set("started_at", started)
            params["start_time"] = started
        mentions: list[dict[str, Any]] = []
        includes: dict[str, list[Any]] = {"media": [], "tweets": [], "users": []}
        for _ in range(MAX_PAGES):
            left = self._reads_left()
            if left <= 0:
                break
            params["max_results"] = max(5, min(100, left))
            page = self.client.get_users_mentions(me, **params)
            data = page.get("data") or []
            page_includes = page.get("includes") or {}
            mentions += data
            for name in includes:
                includes[name] += page_includes.get(name) or []
            self.state.spend("read", len(data) + len(page_includes.get("tweets") or []))
            token = (page.get("meta") or {}).get("next_token")
            if not token:
                break
            params["pagination_token"] = token
        else:
            log.warning("more than %d pages of mentions; older ones are skipped", MAX_PAGES)
        return mentions, includes

    # ------------------------------------------------------------------ one mention

    def handle_mention(self, mention: dict[str, Any], includes: dict[str, Any]) -> Job | None:
        """Queue a job for a mention, or answer why not; returns the job if one was queued."""
        mention_id, author = str(mention["id"]), str(mention.get("author_id") or "")
        if author == self._me or any(r.get("type") == "retweeted" for r in mention.get("referenced_tweets") or []):
            return None
        if self.store.find_by_source(PLATFORM, f"{SOURCE_PREFIX}{mention_id} "):
            return None  # already queued before a restart
        users = {u.get("id"): u.get("username") for u in includes.get("users") or []}
        try:
            return self._queue(mention, includes, author, str(users.get(author) or author))
        except (Refusal, QueueRefused, PipelineError) as exc:
            log.info("mention %s refused: %s", mention_id, exc)
            self._refuse(mention_id, exc)
        return None

    def _queue(self, mention: dict[str, Any], includes: dict[str, Any], author: str, username: str) -> Job:
        mention_id = str(mention["id"])
        clip = find_clip(mention, includes, self.settings.x_max_bytes)
        words = mention_words(str(mention.get("text") or ""))
        seed = secrets.randbelow(2**31)
        classes = resolve_words(words, seed, LookupOptions(max_words=20)) if words else []
        trim = self.settings.x_max_duration_s
        options = RenderOptions(
            classes=tuple(classes), seed=seed, size=self.settings.x_video_size, max_bytes=self.settings.x_max_bytes,
            duration_s=trim if clip.duration_ms is None or clip.duration_ms / 1000 > trim else None,
            max_duration_s=max(trim, self.settings.max_duration_s),
        )  # fmt: skip
        with tempfile.TemporaryDirectory(prefix="ganterp-x-") as folder:
            audio = self._download(clip.url, Path(folder), self.settings.x_max_bytes)
            accepted = submit_file(
                self.store, audio, options, platform=PLATFORM, requester_id=f"x:{author}",
                requester_name=f"@{username}", source_kind="link",
                source_ref=f"{SOURCE_PREFIX}{mention_id} {clip.url}", words=words or None, tweet_id=mention_id,
            )  # fmt: skip
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
            self.state.set(FAILURES_SEEN_KEY, str(job.id))  # before posting: never twice
            # A job failed while posting (mention deleted, video refused) has nobody left to tell.
            if job.rendered_at is None and job.tweet_id:
                self._say_sorry(job.tweet_id, _fit(f"Sorry, {job.user_error or 'something went wrong.'}"))

    def _refuse(self, mention_id: str, exc: BaseException) -> None:
        self._say_sorry(mention_id, refusal_text(exc))

    def _say_sorry(self, mention_id: str, text: str) -> None:
        if not self.settings.x_reply_on_refusal or not self._may_post():
            return
        try:
            self.client.create_tweet(text=text, in_reply_to_tweet_id=mention_id, user_auth=True)
            self.state.spend("post")
        except tweepy.TooManyRequests as limited:
            self._post_paused_until = float(limited.reset_time or self._clock() + 15 * 60)
        except tweepy.TweepyException:
            log.warning("refusal reply to %s failed", mention_id, exc_info=True)

    def _may_post(self) -> bool:
        if self._clock() < self._post_paused_until:
            return False
        if self.state.used("post") >= self.settings.x_daily_posts:
            log.warning("X daily post cap (%d) reached", self.settings.x_daily_posts)
            return False
        return True

    # ------------------------------------------------------------------ delivery

    def deliver(self, job: Job) -> None:
        """Post a rendered job's video as a reply to its mention (the worker's hand-over); never raises."""
        try:
            with self._lock:
                self._deliver(job.id)
        except Exception:
            log.exception("delivery of job %d failed", job.id)

    def post_daily(self, job: Job) -> bool:
        """Post a daily video as a post of its own (not a reply); returns whether it was posted."""
        if job.output_path is None or not self._may_post():
            return False
        try:
            with self._lock:
                media_id = self.uploader.upload_video(Path(job.output_path))
                self.client.create_tweet(text=daily_text(job), media_ids=[media_id], user_auth=True)
                self.state.spend("post")
        except (XMediaError, tweepy.TweepyException, requests.RequestException, OSError) as exc:
            log.warning("daily post of job %d on X failed: %s", job.id, exc)
            return False
        return True

    def deliver_pending(self) -> None:
        """Post every rendered X job not yet posted (after a rate limit, a cap or a restart)."""
        for job in self.store.undelivered(PLATFORM):
            self.deliver(job)

    def _deliver(self, job_id: int) -> None:
        job = self.store.get(job_id)
        if job.status != JobStatus.RENDERED.value or job.output_path is None:
            return  # posted already, or not ready
        reply_to = _mention_id(job)
        if reply_to is None:
            self.store.mark_failed(job_id, "something went wrong (no post to reply to).", "X job without a mention id")
            return
        if not self._may_post():
            return  # stays rendered; the poller tries again
        try:
            media_id = self.uploader.upload_video(Path(job.output_path))
            self.client.create_tweet(
                text=reply_text(job), in_reply_to_tweet_id=reply_to, media_ids=[media_id], user_auth=True
            )
        except (XMediaRateLimited, tweepy.TooManyRequests) as exc:
            reset = exc.reset_at if isinstance(exc, XMediaRateLimited) else exc.reset_time
            self._post_paused_until = float(reset or self._clock() + 15 * 60)
            log.warning("job %d: X rate limit; posting again later", job_id)
            return
        except (XMediaRejected, tweepy.BadRequest, tweepy.Forbidden, tweepy.NotFound) as exc:
            # The mention was deleted, the account blocked us, or X refused the video: retrying cannot help.
            self.store.mark_failed(job_id, "the video could not be posted on X.", f"{type(exc).__name__}: {exc}")
            return
        except (XMediaError, tweepy.TweepyException, requests.RequestException, OSError) as exc:
            tries = self._delivery_tries[job_id] = self._delivery_tries.get(job_id, 0) + 1
            log.warning("job %d: posting failed (try %d): %s", job_id, tries, exc)
            if tries >= MAX_DELIVERY_TRIES:
                self.store.mark_failed(job_id, "the video could not be posted on X.", f"{type(exc).__name__}: {exc}")
            return
        self.state.spend("post")
        self.store.mark_delivered(job_id)
        log.info("job %d posted in reply to %s", job_id, reply_to)
