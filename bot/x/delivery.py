"""Posting on X: finished videos as replies, refusals and failure notes (each at most once), daily posts.

Every post counts against the day's allowance in the database; a 429 pauses posting until
X's reset time. A video that cannot be posted for a passing reason stays *rendered* in the
job log and is tried again by the poller; a refusal is recorded before it is sent, so a
crash between the two loses one sentence instead of sending it twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import tweepy

from bot.x.media import MediaUploader, XMediaError, XMediaRateLimited, XMediaRejected
from bot.x.replies import daily_text, reply_text
from storage.jobs import JobStore
from storage.models import Job, JobStatus
from storage.x_state import XStateStore

log = logging.getLogger(__name__)

MAX_DELIVERY_TRIES = 3
POSTING_FAILED = "the video could not be posted on X."


class XPoster:
    """Writes to X on the bot account's behalf, within the daily cap and X's rate limits."""

    def __init__(
        self,
        client: Any,
        uploader: MediaUploader,
        store: JobStore,
        state: XStateStore,
        daily_posts: int,
        clock: Callable[[], float],
    ) -> None:
        self.client, self.uploader, self.store, self.state = client, uploader, store, state
        self.daily_posts, self._clock = daily_posts, clock
        self.paused_until = 0.0
        self._tries: dict[int, int] = {}
        self._lock = threading.Lock()  # the worker thread and the poller may both deliver

    def may_post(self) -> bool:
        """Whether a post may go out now (not rate limited, under the daily cap)."""
        if self._clock() < self.paused_until:
            return False
        if self.state.used("post") >= self.daily_posts:
            log.warning("X daily post cap (%d) reached", self.daily_posts)
            return False
        return True

    def say_once(self, mention_id: str, kind: str, text: str) -> None:
        """Reply `text` (no video) to a mention, once per `kind` whatever crashes or restarts happen."""
        if not self.may_post() or not self.state.claim_reply(mention_id, kind):
            return
        try:
            self.client.create_tweet(text=text, in_reply_to_tweet_id=mention_id, user_auth=True)
            self.state.spend("post")
        except tweepy.TooManyRequests as limited:
            self.paused_until = float(limited.reset_time or self._clock() + 15 * 60)
        except tweepy.TweepyException as exc:
            log.warning("%s reply to mention %s failed: %s", kind, mention_id, exc)

    def deliver(self, job: Job) -> None:
        """Post a rendered job's video as a reply to its mention (the worker's hand-over); never raises."""
        try:
            with self._lock:
                self._deliver(job.id)
        except Exception:
            log.exception("delivery of job %d failed", job.id)

    def deliver_pending(self) -> None:
        """Post every rendered X job not yet posted (after a rate limit, a cap or a restart)."""
        for job in self.store.undelivered("x"):
            self.deliver(job)

    def post_daily(self, job: Job) -> bool:
        """Post a daily video as a post of its own (not a reply); returns whether it was posted."""
        if job.output_path is None or not self.may_post():
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

    def _deliver(self, job_id: int) -> None:
        job = self.store.get(job_id)
        if job.status != JobStatus.RENDERED.value or job.output_path is None:
            return  # posted already, or not ready
        if job.tweet_id is None:
            self.store.mark_failed(job_id, "something went wrong (no post to reply to).", "X job without a mention id")
            return
        if not self.may_post():
            return  # stays rendered; the poller tries again
        try:
            media_id = self.uploader.upload_video(Path(job.output_path))
            self.client.create_tweet(
                text=reply_text(job), in_reply_to_tweet_id=job.tweet_id, media_ids=[media_id], user_auth=True
            )
        except (XMediaRateLimited, tweepy.TooManyRequests) as exc:
            reset = exc.reset_at if isinstance(exc, XMediaRateLimited) else exc.reset_time
            self.paused_until = float(reset or self._clock() + 15 * 60)
            log.warning("job %d: X rate limit; posting again later", job_id)
            return
        except (XMediaRejected, tweepy.BadRequest, tweepy.Forbidden, tweepy.NotFound) as exc:
            # The mention was deleted, the account blocked us, or X refused the video: retrying cannot help.
            self.store.mark_failed(job_id, POSTING_FAILED, f"{type(exc).__name__}: {exc}")
            return
        except (XMediaError, tweepy.TweepyException, requests.RequestException, OSError) as exc:
            tries = self._tries[job_id] = self._tries.get(job_id, 0) + 1
            log.warning("job %d: posting failed (try %d): %s", job_id, tries, exc)
            if tries >= MAX_DELIVERY_TRIES:
                self.store.mark_failed(job_id, POSTING_FAILED, f"{type(exc).__name__}: {exc}")
            return
        self.state.spend("post")
        self.store.mark_delivered(job_id)
        log.info("job %d delivered: posted in reply to %s", job_id, job.tweet_id)
