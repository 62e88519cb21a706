"""The X front end offline: tweepy's and the uploader's requests answered by `responses`, a real job log."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import responses
import tweepy

from bot.settings import Settings, SettingsError
from bot.x.bot import x_configured
from bot.x.replies import UnsupportedMedia, reply_text
from storage.models import JobStatus
from tests.bot.x.fake_x import (
    MENTIONS,
    TW,
    WAIT_S,
    Bot,
    calls,
    mention,
    page,
    polling,
    posted,
    query,
    rendered_job,
    response_with_status,
    settings_for,
    upload_endpoints,
    video_media,
)
from tests.conftest import ClipMaker, wait_until


def test_settings_turn_x_on_only_with_every_credential(tmp_path: Path) -> None:
    assert x_configured(settings_for(tmp_path))
    assert not x_configured(Settings.load(environ={"GANTERP_X_BEARER_TOKEN": "bt"}, env_file=None))
    with pytest.raises(SettingsError, match="GANTERP_X_VIDEO_SIZE"):
        settings_for(tmp_path, GANTERP_X_VIDEO_SIZE="1280")  # square: 1280 tall is over X's 1024
    with pytest.raises(SettingsError, match="GANTERP_X_MAX_DURATION_S"):
        settings_for(tmp_path, GANTERP_X_MAX_DURATION_S="600")


def test_a_mention_under_a_video_queues_a_job_and_the_cursor_survives_a_restart(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    clip = make_clip(3.0)
    parent = {"id": "500", "author_id": "7", "attachments": {"media_keys": ["7_500"]}}
    first = page(
        [mention("501", "@someone @ganterp jellyfish, ocean https://t.co/x", replied_to="500")],
        [parent],
        [video_media("7_500")],
    )
    api.get(MENTIONS, json=first)
    bot = Bot(tmp_path / "data", clip)
    bot.front.poll_once()
    [job] = bot.store.recent()
    assert (job.platform, job.requester_id, job.requester_name, job.words) == (
        "x",
        "x:42",
        "@user42",
        "jellyfish, ocean",
    )
    assert job.source_ref == "mention:501 https://video.twimg.com/7_500-2176.mp4" and job.classes[0] == 107
    assert job.options["size"] == 720 and job.options["max_bytes"] == 64 * 2**20
    assert bot.state.since_id() == "501" and posted(api) == []
    assert "start_time" in query(calls(api, MENTIONS)[0])  # the first start reads from now on

    # A restart: a new front end on the same database asks only for newer mentions, and even if
    # X sent the same mention again it would not be answered twice.
    again = Bot(tmp_path / "data", clip)
    again.front.poll_once()
    assert query(calls(api, MENTIONS)[-1])["since_id"] == ["501"]
    assert len(again.store.recent()) == 1 and posted(api) == []
    assert len(calls(api, f"{TW}/2/users/me")) == 1  # the account id is remembered too


def test_mentions_are_handled_oldest_first_and_a_bad_one_does_not_stop_the_rest(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    clip = make_clip(3.0)
    parent = {"id": "500", "attachments": {"media_keys": ["7_500"]}}
    api.get(
        MENTIONS,
        json=page(
            [
                mention("503", "dog", author="3", replied_to="500"),
                mention("502", "nothing here", author="2"),
                mention("501", "cat", author="1", replied_to="500"),
            ],
            [parent],
            [video_media("7_500")],
        ),
    )
    bot = Bot(tmp_path / "data", clip)
    bot.front.poll_once()
    assert [j.requester_id for j in reversed(bot.store.recent())] == ["x:1", "x:3"]
    [refusal] = posted(api)
    assert refusal["reply"] == {"in_reply_to_tweet_id": "502"} and refusal["text"].startswith("Sorry, ")
    assert bot.state.since_id() == "503"


def test_refusals_by_setting(tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock) -> None:
    api.get(MENTIONS, json=page([mention("601", "dog")]))
    bot = Bot(tmp_path / "data", make_clip(3.0), GANTERP_X_REPLY_ON_REFUSAL="false")
    bot.front.poll_once()
    assert posted(api) == [] and bot.state.since_id() == "601"


def test_unknown_words_and_a_requester_over_the_limit_get_a_polite_reply(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    parent = {"id": "500", "attachments": {"media_keys": ["7_500"]}}
    api.get(
        MENTIONS,
        json=page(
            [
                mention("701", "dog", replied_to="500"),
                mention("702", "cat", replied_to="500"),
                mention("703", "jellyfsh, qqqqzzzz", author="9", replied_to="500"),
            ],
            [parent],
            [video_media("7_500")],
        ),
    )
    bot = Bot(tmp_path / "data", make_clip(3.0), GANTERP_MAX_QUEUED_PER_REQUESTER="1")
    bot.front.poll_once()
    assert len(bot.store.recent()) == 1
    replies = {p["reply"]["in_reply_to_tweet_id"]: p["text"] for p in posted(api)}
    assert "already have 1 jobs waiting" in replies["702"]
    assert "qqqqzzzz" in replies["703"] and all(len(t) <= 270 for t in replies.values())


def test_the_poll_loop_survives_errors_and_stops(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    api.get(MENTIONS, body=ConnectionError("network down"))
    bot = Bot(tmp_path / "data", make_clip(3.0))
    with polling(bot):
        assert wait_until(lambda: calls(api, MENTIONS), timeout=WAIT_S)
    assert calls(api, MENTIONS)


def test_the_worker_hands_over_at_once_and_the_poller_posts_before_its_next_poll(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    bot = Bot(tmp_path / "data", make_clip(3.0), GANTERP_X_POLL_S="300")
    job_id = rendered_job(bot, tmp_path, api)
    upload_endpoints(api)
    api.replace(responses.GET, MENTIONS, json={"meta": {"result_count": 0}})
    bot.front.poster.deliver_pending = lambda: None  # type: ignore[method-assign]  # the first poll posts nothing
    polls = len(calls(api, MENTIONS))
    with polling(bot) as poller:
        assert wait_until(lambda: len(calls(api, MENTIONS)) > polls, timeout=WAIT_S), "the first poll happened"
        del bot.front.poster.deliver_pending  # back to the real one, for the wake-up
        real_delivery = bot.front.poster.deliver_pending
        released, posted_by = threading.Event(), []

        def held_delivery() -> None:  # the upload waits until the worker's call has returned
            posted_by.append(threading.current_thread())
            released.wait(WAIT_S)
            real_delivery()

        bot.front.poster.deliver_pending = held_delivery  # type: ignore[method-assign]
        bot.front.wake()  # what the worker calls: it does not wait for the upload
        assert bot.store.get(job_id).status != JobStatus.DELIVERED.value, "the worker did not wait for it"
        released.set()
        assert wait_until(lambda: bot.store.get(job_id).status == JobStatus.DELIVERED.value, timeout=WAIT_S)
        assert posted_by == [poller], "the poller posted it"
        assert len(posted(api)) == 1 and len(calls(api, MENTIONS)) == polls + 1, "posted before the next poll"


def test_a_failed_wake_up_post_does_not_end_the_poller(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    bot = Bot(tmp_path / "data", make_clip(3.0), GANTERP_X_POLL_S="300")
    api.get(MENTIONS, json={"meta": {"result_count": 0}})
    with polling(bot) as thread:
        assert wait_until(lambda: calls(api, MENTIONS), timeout=WAIT_S)
        tries: list[int] = []

        def locked() -> None:
            tries.append(1)
            raise RuntimeError("database is locked")

        bot.front.poster.deliver_pending = locked  # type: ignore[method-assign]
        bot.front.wake()
        assert wait_until(lambda: tries, timeout=WAIT_S)
        bot.front.wake()  # answered only by a poller that lived through the first failure
        assert wait_until(lambda: len(tries) == 2, timeout=WAIT_S), "the poller goes on after a failed post"
        assert thread.is_alive()


def test_clips_come_only_from_x_video_host(tmp_path: Path) -> None:
    """The download itself (caps, address guard) is pipeline.links.fetch_link, tested in test_links."""
    from bot.x.bot import download_clip

    for url in ("https://example.com/a.mp4", "http://video.twimg.com/a.mp4", "https://video.twimg.com.evil/a.mp4"):
        with pytest.raises(UnsupportedMedia):
            download_clip(url, tmp_path, 2**20)


def test_a_failed_render_is_answered_once_without_paths(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    bot = Bot(tmp_path / "data", make_clip(3.0))
    parent = {"id": "600", "attachments": {"media_keys": ["7_600"]}}
    api.get(MENTIONS, json=page([mention("901", "volcano", replied_to="600")], [parent], [video_media("7_600")]))
    bot.front.poll_once()
    [job] = bot.store.recent()
    assert bot.store.claim_next("w") is not None
    bot.store.mark_failed(job.id, "the clip is damaged or truncated (Invalid data).", "CorruptMedia: /data/audio/x")
    api.replace(responses.GET, MENTIONS, json={"meta": {"result_count": 0}})
    bot.front.poll_once()
    bot.front.poll_once()
    [sorry] = posted(api)
    assert sorry == {
        "text": "Sorry, the clip is damaged or truncated (Invalid data).",
        "reply": {"in_reply_to_tweet_id": "901"},
    }


def test_failures_that_end_out_of_order_are_all_answered(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    bot = Bot(tmp_path / "data", make_clip(3.0))
    parents = [{"id": p, "attachments": {"media_keys": [f"7_{p}"]}} for p in ("600", "601")]
    mentions = [mention("901", "volcano", replied_to="600"), mention("902", "ocean", replied_to="601", author="43")]
    api.get(MENTIONS, json=page(mentions, parents, [video_media("7_600"), video_media("7_601")]))
    bot.front.poll_once()
    first, second = sorted(bot.store.recent(), key=lambda job: job.id)
    api.replace(responses.GET, MENTIONS, json={"meta": {"result_count": 0}})
    bot.store.mark_failed(second.id, "the clip is silent.", "op")  # the later job ends first (two workers)
    bot.front.poll_once()
    bot.store.mark_failed(first.id, "the clip is damaged.", "op")
    bot.front.poll_once()
    bot.front.poll_once()
    replies = sorted(reply["reply"]["in_reply_to_tweet_id"] for reply in posted(api))
    assert replies == ["901", "902"], "each mention hears of its failure once"


def test_a_refusal_is_sent_once_even_if_the_bot_crashed_before_saving_the_cursor(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    api.get(MENTIONS, json=page([mention("611", "dog")]))  # no clip: refused
    bot = Bot(tmp_path / "data", make_clip(3.0))
    mentions = bot.front.reader.read()
    assert mentions is not None
    bot.front.handle_mention(mentions.items[0], mentions.includes)  # replied; then the process died
    assert bot.state.since_id() is None, "the cursor was not saved"
    restarted = Bot(tmp_path / "data", make_clip(3.0))
    restarted.front.poll_once()  # X hands the same mention over again
    assert len(posted(api)) == 1 and restarted.state.since_id() == "611"


def test_a_broken_poll_is_logged_once_per_kind_of_failure_with_backoff(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    import requests as http

    from bot.x.bot import poll_outage

    health = poll_outage(poll_s=120)
    unauthorized = tweepy.Unauthorized(response_with_status(401))
    with caplog.at_level(logging.DEBUG, logger="bot.outage"):
        waits = [health.failed(unauthorized) for _ in range(4)]
        waits.append(health.failed(http.ConnectionError("down")))
        health.succeeded()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage().split(";")[0] for r in errors] == [
        "X refused the bot's credentials (401): check the GANTERP_X_* tokens and keys",
        "X cannot be reached (ConnectionError)",
    ]
    assert not any(r.exc_info for r in errors), "no traceback for an expected failure"
    assert waits[:4] == [120, 240, 480, 960] and waits[4] == 1920
    assert any("works again" in r.getMessage() for r in caplog.records)


def test_random_fill_on_x_is_safe_and_marked(tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock) -> None:
    from storage.models import Job

    parent = {"id": "500", "attachments": {"media_keys": ["7_500"]}}
    api.get(MENTIONS, json=page([mention("801", "jellyfish", replied_to="500")], [parent], [video_media("7_500")]))
    bot = Bot(tmp_path / "data", make_clip(3.0))
    bot.front.poll_once()
    assert bot.store.recent()[0].options["safe_random"] is True, "a public account's random fill is the safe set"
    output = tmp_path / "v.mp4"
    output.with_suffix(".json").write_text(
        json.dumps(
            {
                "classes": [
                    {"class_id": 107, "class_name": "jellyfish", "asked": True},
                    {"class_id": 978, "class_name": "seashore", "asked": False},
                ]
            }
        )
    )
    text = reply_text(Job(classes=[107], seed=5, output_path=str(output), source_ref="mention:1 u"))
    assert text == "Your GANterpretation: jellyfish → seashore* · *random · seed 5"


def test_a_mention_already_queued_is_found_by_its_post_id(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    from storage.jobs import JobRequest

    clip = make_clip(3.0)
    bot = Bot(tmp_path / "data", clip)
    # Queued before a restart, its source written in another form: the post's id alone says it is the same.
    bot.store.submit(JobRequest("x", "x:42", "link", "an older form of the source", clip, seed=1, tweet_id="501"))
    parent = {"id": "500", "attachments": {"media_keys": ["7_500"]}}
    again = mention("501", "@ganterp dog", replied_to="500")
    assert bot.front.handle_mention(again, page([again], [parent], [video_media("7_500")])["includes"]) is None
    assert len(bot.store.recent()) == 1 and bot.downloads == [] and posted(api) == []
