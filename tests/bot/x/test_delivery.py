"""Posting on X: each video once as a reply, within rate limits and the daily cap; daily posts on their own."""

from __future__ import annotations

from pathlib import Path

import responses

from storage.models import JobStatus
from tests.bot.x.fake_x import (
    MENTIONS,
    TW,
    UPLOAD,
    Bot,
    calls,
    page,
    posted,
    rendered_job,
    upload_endpoints,
)
from tests.conftest import ClipMaker


def test_a_rendered_job_is_posted_once_as_a_reply_with_its_video(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    bot = Bot(tmp_path / "data", make_clip(3.0))
    job_id = rendered_job(bot, tmp_path, api)
    upload_endpoints(api)
    bot.front.deliver(bot.store.get(job_id))
    [reply] = posted(api)
    seed = bot.store.get(job_id).seed
    assert reply == {
        "text": f"Your GANterpretation: jellyfish → seashore · seed {seed}",
        "reply": {"in_reply_to_tweet_id": "801"},
        "media": {"media_ids": ["55"]},
    }
    assert "http" not in reply["text"]
    assert len(calls(api, f"{UPLOAD}/2/media/upload/55/append", "POST")) == 3
    assert bot.store.get(job_id).status == JobStatus.DELIVERED.value and bot.state.used("post") == 1
    bot.front.deliver(bot.store.get(job_id))  # the worker and the poller may both try: one post
    bot.front.poster.deliver_pending()
    assert len(posted(api)) == 1


def test_a_rate_limited_post_waits_and_goes_out_later_even_after_a_restart(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    bot = Bot(tmp_path / "data", make_clip(3.0))
    job_id = rendered_job(bot, tmp_path, api)
    reset = int(bot.now) + 900
    upload_endpoints(api, status=429, **{"x-rate-limit-reset": str(reset)})
    bot.front.deliver(bot.store.get(job_id))
    assert bot.store.get(job_id).status == JobStatus.RENDERED.value and posted(api) == []
    api.replace(responses.POST, f"{UPLOAD}/2/media/upload/initialize", json={"data": {"id": "55"}})
    bot.front.poll_once()  # still before the reset: nothing posted
    assert posted(api) == []
    restarted = Bot(tmp_path / "data", make_clip(3.0))
    restarted.now = reset + 1
    api.replace(responses.GET, MENTIONS, json=page([]))
    restarted.front.poll_once()
    assert len(posted(api)) == 1 and restarted.store.get(job_id).status == JobStatus.DELIVERED.value


def test_the_daily_post_cap_holds_replies_back(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    bot = Bot(tmp_path / "data", make_clip(3.0), GANTERP_X_DAILY_POSTS="0")
    job_id = rendered_job(bot, tmp_path, api)
    upload_endpoints(api)
    bot.front.deliver(bot.store.get(job_id))
    assert posted(api) == [] and bot.store.get(job_id).status == JobStatus.RENDERED.value


def test_a_deleted_mention_fails_the_job_without_retrying(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    bot = Bot(tmp_path / "data", make_clip(3.0))
    job_id = rendered_job(bot, tmp_path, api)
    upload_endpoints(api)
    api.replace(responses.POST, f"{TW}/2/tweets", status=403, json={"detail": "reply not allowed"})
    bot.front.deliver(bot.store.get(job_id))
    job = bot.store.get(job_id)
    assert job.status == JobStatus.FAILED.value and "Forbidden" in (job.operator_error or "")


def test_a_daily_video_is_posted_on_its_own_not_as_a_reply(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    bot = Bot(tmp_path / "data", make_clip(3.0))
    job_id = rendered_job(bot, tmp_path, api)
    upload_endpoints(api)
    assert bot.front.post_daily(bot.store.get(job_id))
    [post] = posted(api)
    assert "reply" not in post and post["media"] == {"media_ids": ["55"]}
    assert post["text"].startswith("Today's GANterpretation: jellyfish → seashore")
    api.replace(responses.POST, f"{TW}/2/tweets", status=503)
    assert not bot.front.post_daily(bot.store.get(job_id)), "a failure is reported, not raised"
