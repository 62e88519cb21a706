"""Reading mentions: their words, the clip they point at, the cursor, the read cap and rate limits."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses

from bot.service import open_store
from bot.text import NoClip
from bot.x.mentions import best_variant, find_clip, mention_words
from bot.x.replies import UnsupportedMedia
from storage.db import make_engine, sqlite_url
from storage.x_state import XStateStore
from tests.bot.x.fake_x import (
    MENTIONS,
    Bot,
    calls,
    mention,
    page,
    settings_for,
    video_media,
)
from tests.conftest import ClipMaker


def test_words_drop_handles_and_links() -> None:
    assert mention_words("@ganterp @bob jellyfish, ocean https://t.co/xyz") == "jellyfish, ocean"
    assert mention_words("@ganterp https://t.co/abc") == ""
    assert mention_words("mail me@example.com dog") == "mail me@example.com dog"


def test_best_variant_is_the_highest_mp4_under_the_cap() -> None:
    media = video_media("7_1", duration_ms=60_000)  # 2176 kb/s for 60 s ≈ 16 MB; 256 kb/s ≈ 1.9 MB
    assert best_variant(media, 20 * 2**20)["bit_rate"] == 2176000  # type: ignore[index]
    assert best_variant(media, 5 * 2**20)["bit_rate"] == 256000  # type: ignore[index]
    assert best_variant(media, 100)["bit_rate"] == 256000  # type: ignore[index]  # nothing fits: the smallest
    assert (
        best_variant({"type": "video", "variants": [{"content_type": "application/x-mpegURL", "url": "x"}]}, 1) is None
    )


def test_the_clip_is_found_in_the_mention_or_the_post_it_answers_or_quotes() -> None:
    own = {"id": "5", "text": "", "attachments": {"media_keys": ["7_5"]}}
    assert find_clip(own, {"media": [video_media("7_5")]}, 2**26).url.endswith("7_5-2176.mp4")
    parent = {"id": "4", "attachments": {"media_keys": ["7_4"]}}
    reply = mention("6", "dog", replied_to="4")
    clip = find_clip(reply, {"tweets": [parent], "media": [video_media("7_4")]}, 2**26)
    assert (clip.tweet_id, clip.duration_ms) == ("4", 4000)
    quote = {"id": "8", "referenced_tweets": [{"type": "quoted", "id": "4"}]}
    assert find_clip(quote, {"tweets": [parent], "media": [video_media("7_4")]}, 2**26).tweet_id == "4"
    with pytest.raises(NoClip):
        find_clip(mention("9", "dog"), {}, 2**26)
    photo = {"id": "4", "attachments": {"media_keys": ["3_4"]}}
    with pytest.raises(UnsupportedMedia, match="picture"):
        find_clip(reply, {"tweets": [photo], "media": [{"media_key": "3_4", "type": "photo"}]}, 2**26)
    gif = {"media_key": "3_4", "type": "animated_gif", "variants": video_media("x")["variants"]}
    with pytest.raises(UnsupportedMedia, match="GIF"):
        find_clip(reply, {"tweets": [photo], "media": [gif]}, 2**26)


def test_a_read_429_pauses_reading_until_the_reset(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    bot = Bot(tmp_path / "data", make_clip(3.0))
    reset = int(bot.now) + 600
    api.get(MENTIONS, status=429, json={"title": "Too Many Requests"}, headers={"x-rate-limit-reset": str(reset)})
    # Reading waits for the reset; the loop still comes back each poll to post finished videos.
    assert bot.front.poll_once() == pytest.approx(120) and bot.front.reader.paused_for_s() == pytest.approx(600)
    bot.now += 60
    bot.front.poll_once()  # still paused: no request
    assert len(calls(api, MENTIONS)) == 1


def test_the_daily_read_cap_stops_reading(tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock) -> None:
    api.get(MENTIONS, json=page([]))
    bot = Bot(tmp_path / "data", make_clip(3.0), GANTERP_X_DAILY_READS="1")
    bot.front.poll_once()  # the account id lookup spends the one read
    assert calls(api, MENTIONS) == [] and bot.state.used("read") == 1


def test_the_cursor_never_moves_back(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data")
    open_store(settings)
    state = XStateStore(make_engine(sqlite_url(tmp_path / "data")))
    state.advance_since_id("900")
    state.advance_since_id("20")
    assert state.since_id() == "900"
    assert state.spend("read", 3) == 3 and state.spend("read") == 4 and state.used("post") == 0
