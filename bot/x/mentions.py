"""Reading the X account's mentions: the cursor, the daily read cap, rate limits, and where each clip is.

Every page read is counted against the day's allowance in the database; the first start
reads only mentions made from then on, not the account's history.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import tweepy

from bot.x.replies import UnsupportedMedia, no_clip
from storage.x_state import XStateStore

log = logging.getLogger(__name__)

MAX_PAGES = 5  # pages of 100 mentions read per poll at most
EXPANSIONS = [
    "attachments.media_keys",
    "referenced_tweets.id",
    "referenced_tweets.id.attachments.media_keys",
    "author_id",
]
MEDIA_FIELDS = ["type", "variants", "duration_ms", "media_key"]
TWEET_FIELDS = ["attachments", "referenced_tweets", "author_id", "created_at"]
USER_FIELDS = ["username"]

_HANDLE = re.compile(r"(?<![\w@])@\w{1,15}")
_LINK = re.compile(r"https?://\S+", re.IGNORECASE)


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
            length_ms = int(duration) if duration is not None else None
            return Clip(str(tweet["id"]), str(variant["url"]), int(variant.get("bit_rate") or 0), length_ms)
    if unsupported:
        raise UnsupportedMedia(unsupported)
    raise no_clip()


def next_utc_midnight(now: float) -> float:
    """The epoch second the next UTC day starts."""
    day = dt.datetime.fromtimestamp(now, dt.UTC).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), dt.UTC).timestamp()


@dataclass(frozen=True)
class Mentions:
    """One poll's mentions, oldest first, with the merged includes (posts, media, users)."""

    items: list[dict[str, Any]]
    includes: dict[str, Any]


class MentionReader:
    """Reads mentions after the stored cursor, within the day's read cap and X's rate limits."""

    def __init__(self, client: Any, state: XStateStore, daily_reads: int, clock: Callable[[], float]) -> None:
        self.client, self.state, self.daily_reads, self._clock = client, state, daily_reads, clock
        self._me: str | None = None
        self.paused_until = 0.0

    def me(self) -> str:
        """The bot account's user id (asked once, then remembered in the database)."""
        if self._me is None:
            stored = self.state.get("me")
            if stored is None:
                answer = self.client.get_me(user_auth=True)
                self.state.spend("read")
                stored = str(answer["data"]["id"])
                self.state.set("me", stored)
            self._me = stored
        return self._me

    def paused_for_s(self) -> float:
        """Seconds until reading may resume (0 when it is not paused)."""
        return max(0.0, self.paused_until - self._clock())

    def read(self) -> Mentions | None:
        """Every mention after the cursor (at most MAX_PAGES pages); None while reading is paused."""
        now = self._clock()
        if now < self.paused_until:
            return None
        try:
            return self._read()
        except tweepy.TooManyRequests as exc:
            self.paused_until = float(exc.reset_time or now + 15 * 60)
            log.warning("X mentions: rate limited until %s", dt.datetime.fromtimestamp(self.paused_until, dt.UTC))
            return None

    def _reads_left(self) -> int:
        left = self.daily_reads - self.state.used("read")
        if left <= 0:
            self.paused_until = next_utc_midnight(self._clock())
            log.warning("X daily read cap (%d) reached; reading again after midnight UTC", self.daily_reads)
        return left

    def _read(self) -> Mentions:
        if self._reads_left() <= 0:
            return Mentions([], {})
        me = self.me()
        params = self._params()
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
        # Oldest first, so the cursor only moves forward.
        return Mentions(sorted(mentions, key=lambda m: int(m["id"])), includes)

    def _params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "expansions": EXPANSIONS,
            "media_fields": MEDIA_FIELDS,
            "tweet_fields": TWEET_FIELDS,
            "user_fields": USER_FIELDS,
            "max_results": 100,
            "user_auth": False,
        }
        since = self.state.since_id()
        if since is not None:
            params["since_id"] = since
        else:  # the first start: answer mentions from now on, not the account's whole history
            started = self.state.get("started_at")
            if started is None:
                started = dt.datetime.fromtimestamp(self._clock(), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                self.state.set("started_at", started)
            params["start_time"] = started
        return params
