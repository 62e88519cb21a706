"""The X front end offline: tweepy's and the uploader's requests answered by `responses`, a real job log."""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
import tweepy

from bot.service import open_store
from bot.settings import Settings, SettingsError
from bot.x.bot import XFrontEnd, x_configured
from bot.x.media import MediaUploader, OAuth1Credentials
from bot.x.mentions import best_variant, find_clip, mention_words
from bot.text import NoClip
from bot.x.replies import ClipTooLarge, UnsupportedMedia, refusal_text, reply_text
from storage.db import make_engine, sqlite_url
from storage.jobs import JobStore
from storage.models import JobStatus
from storage.x_state import XStateStore
from tests.conftest import ClipMaker, wait_until

WAIT_S = 120.0  # bound on waiting for the poller thread: generous, for a loaded machine

TW = "https://api.twitter.com"
UPLOAD = "https://upload.test"
ME = "1000"
MENTIONS = f"{TW}/2/users/{ME}/mentions"
CREDENTIALS = {
    "GANTERP_X_CONSUMER_KEY": "ck", "GANTERP_X_CONSUMER_SECRET": "cs", "GANTERP_X_ACCESS_TOKEN": "at",
    "GANTERP_X_ACCESS_TOKEN_SECRET": "ats", "GANTERP_X_BEARER_TOKEN": "bt",
}  # fmt: skip


def settings_for(data_dir: Path, **extra: str) -> Settings:
    env = {"GANTERP_DATA_DIR": str(data_dir), "GANTERP_X_API_HOST": UPLOAD, **CREDENTIALS, **extra}
    return Settings.load(environ=env, env_file=None)


def video_media(key: str, duration_ms: int = 4000) -> dict[str, Any]:
    return {
        "media_key": key, "type": "video", "duration_ms": duration_ms,
        "variants": [
            {"content_type": "application/x-mpegURL", "url": f"https://video.twimg.com/{key}.m3u8"},
            {"content_type": "video/mp4", "bit_rate": 256000, "url": f"https://video.twimg.com/{key}-256.mp4"},
            {"content_type": "video/mp4", "bit_rate": 2176000, "url": f"https://video.twimg.com/{key}-2176.mp4"},
        ],
    }  # fmt: skip


def mention(tweet_id: str, text: str, author: str = "42", replied_to: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"id": tweet_id, "text": text, "author_id": author}
    if replied_to:
        item["referenced_tweets"] = [{"type": "replied_to", "id": replied_to}]
    return item


def page(
    mentions: list[dict[str, Any]], tweets: Sequence[dict[str, Any]] = (), media: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    users = [{"id": m["author_id"], "username": f"user{m['author_id']}"} for m in mentions]
    return {"data": mentions, "includes": {"tweets": list(tweets), "media": list(media), "users": users},
            "meta": {"result_count": len(mentions)}}  # fmt: skip


class Bot:
    """An XFrontEnd on a real job log, with a fake clock and a download that copies a local clip."""

    def __init__(self, data_dir: Path, clip: Path, **extra: str) -> None:
        self.settings = settings_for(data_dir, **extra)
        self.store: JobStore = open_store(self.settings)
        self.state = XStateStore(make_engine(sqlite_url(data_dir)))
        self.now = 1_800_000_000.0
        self.downloads: list[str] = []
        credentials = OAuth1Credentials("ck", "cs", "at", "ats")
        client = tweepy.Client(
            bearer_token="bt", consumer_key="ck", consumer_secret="cs", access_token="at",
            access_token_secret="ats", return_type=dict,
        )  # fmt: skip
        uploader = MediaUploader(credentials.auth(), UPLOAD, chunk_bytes=1000, sleep=lambda s: None)

        def download(url: str, folder: Path, max_bytes: int) -> Path:
            self.downloads.append(url)
            return Path(shutil.copy(clip, folder / "clip.wav"))

        self.front = XFrontEnd(self.settings, self.store, self.state, client, uploader, download=download,
                               clock=lambda: self.now)  # fmt: skip


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{TW}/2/users/me", json={"data": {"id": ME, "username": "ganterp"}})
        mock.post(f"{TW}/2/tweets", json={"data": {"id": "9999", "text": "ok"}})
        yield mock


def calls(api: responses.RequestsMock, url: str, method: str = "GET") -> list[Any]:
    return [c for c in api.calls if str(c.request.url).split("?")[0] == url and c.request.method == method]


def posted(api: responses.RequestsMock) -> list[dict[str, Any]]:
    return [json.loads(c.request.body) for c in calls(api, f"{TW}/2/tweets", "POST")]


def query(call: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


# ----------------------------------------------------------------------------- pure parts


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


def test_refusals_never_show_a_local_path() -> None:
    from pipeline.errors import NoAudioStream, NotMedia

    assert refusal_text(NoAudioStream("/tmp/ganterp-x-1/clip.wav")) == "Sorry, that clip has no sound."
    assert "/tmp" not in refusal_text(NotMedia("/tmp/x/clip.wav"))
    assert refusal_text(ClipTooLarge(64 * 2**20)).startswith("Sorry, that clip is larger")
    assert refusal_text(RuntimeError("/secret/path")) == "Sorry, something went wrong with that clip."


def test_settings_turn_x_on_only_with_every_credential(tmp_path: Path) -> None:
    assert x_configured(settings_for(tmp_path))
    assert not x_configured(Settings.load(environ={"GANTERP_X_BEARER_TOKEN": "bt"}, env_file=None))
    with pytest.raises(SettingsError, match="GANTERP_X_VIDEO_SIZE"):
        settings_for(tmp_path, GANTERP_X_VIDEO_SIZE="1280")  # square: 1280 tall is over X's 1024
    with pytest.raises(SettingsError, match="GANTERP_X_MAX_DURATION_S"):
        settings_for(tmp_path, GANTERP_X_MAX_DURATION_S="600")


# ----------------------------------------------------------------------------- mentions


def test_a_mention_under_a_video_queues_a_job_and_the_cursor_survives_a_restart(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    clip = make_clip(3.0)
    parent = {"id": "500", "author_id": "7", "attachments": {"media_keys": ["7_500"]}}
    first = page([mention("501", "@someone @ganterp jellyfish, ocean https://t.co/x", replied_to="500")],
                 [parent], [video_media("7_500")])  # fmt: skip
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
    api.get(MENTIONS, json=page(
        [mention("503", "dog", author="3", replied_to="500"), mention("502", "nothing here", author="2"),
         mention("501", "cat", author="1", replied_to="500")], [parent], [video_media("7_500")],
    ))  # fmt: skip
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
    api.get(MENTIONS, json=page(
        [mention("701", "dog", replied_to="500"), mention("702", "cat", replied_to="500"),
         mention("703", "jellyfsh, qqqqzzzz", author="9", replied_to="500")], [parent], [video_media("7_500")],
    ))  # fmt: skip
    bot = Bot(tmp_path / "data", make_clip(3.0), GANTERP_MAX_QUEUED_PER_REQUESTER="1")
    bot.front.poll_once()
    assert len(bot.store.recent()) == 1
    replies = {p["reply"]["in_reply_to_tweet_id"]: p["text"] for p in posted(api)}
    assert "already have 1 jobs waiting" in replies["702"]
    assert "qqqqzzzz" in replies["703"] and all(len(t) <= 270 for t in replies.values())


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


@contextlib.contextmanager
def polling(bot: Bot) -> Iterator[threading.Thread]:
    """The X front end's poll loop on its own thread, as `ganterp bot` runs it; stopped (and checked) on exit."""
    stop = threading.Event()
    thread = threading.Thread(target=bot.front.run, args=(stop,))
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(WAIT_S)
    assert not thread.is_alive()


def test_the_poll_loop_survives_errors_and_stops(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    api.get(MENTIONS, body=ConnectionError("network down"))
    bot = Bot(tmp_path / "data", make_clip(3.0))
    with polling(bot):
        assert wait_until(lambda: calls(api, MENTIONS), timeout=WAIT_S)
    assert calls(api, MENTIONS)


# ----------------------------------------------------------------------------- delivery


def rendered_job(bot: Bot, tmp_path: Path, api: responses.RequestsMock) -> int:
    parent = {"id": "500", "attachments": {"media_keys": ["7_500"]}}
    api.get(MENTIONS, json=page([mention("801", "jellyfish", replied_to="500")], [parent], [video_media("7_500")]))
    bot.front.poll_once()
    [job] = bot.store.recent()
    claimed = bot.store.claim_next("w")
    assert claimed is not None and claimed.id == job.id
    output = bot.store.output_dir / f"job-{job.id}.mp4"
    output.write_bytes(b"\0" * 2500)
    sidecar = {"classes": [{"class_id": 107, "class_name": "jellyfish"}, {"class_id": 978, "class_name": "seashore"}]}
    output.with_suffix(".json").write_text(json.dumps(sidecar))
    bot.store.mark_rendered(job.id, output, 2500, job.seed)
    return job.id


def upload_endpoints(api: responses.RequestsMock, status: int = 200, **headers: str) -> None:
    api.post(f"{UPLOAD}/2/media/upload/initialize", json={"data": {"id": "55"}}, status=status, headers=headers)
    api.post(f"{UPLOAD}/2/media/upload/55/append", status=204)
    api.post(f"{UPLOAD}/2/media/upload/55/finalize", json={"data": {"id": "55"}})


def test_a_rendered_job_is_posted_once_as_a_reply_with_its_video(
    tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock
) -> None:
    bot = Bot(tmp_path / "data", make_clip(3.0))
    job_id = rendered_job(bot, tmp_path, api)
    upload_endpoints(api)
    bot.front.deliver(bot.store.get(job_id))
    [reply] = posted(api)
    seed = bot.store.get(job_id).seed
    assert reply == {"text": f"Your GANterpretation: jellyfish → seashore · seed {seed}",
                     "reply": {"in_reply_to_tweet_id": "801"}, "media": {"media_ids": ["55"]}}  # fmt: skip
    assert "http" not in reply["text"]
    assert len(calls(api, f"{UPLOAD}/2/media/upload/55/append", "POST")) == 3
    assert bot.store.get(job_id).status == JobStatus.DELIVERED.value and bot.state.used("post") == 1
    bot.front.deliver(bot.store.get(job_id))  # the worker and the poller may both try: one post
    bot.front.poster.deliver_pending()
    assert len(posted(api)) == 1


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


def test_reply_text_fits_and_falls_back_to_the_job_classes(tmp_path: Path, make_clip: ClipMaker) -> None:
    from storage.models import Job

    job = Job(classes=[107, 978] * 40, seed=3, output_path=None, source_ref="mention:1 u")
    text = reply_text(job)
    assert text.startswith("Your GANterpretation: jellyfish → seashore") and text.endswith(" · seed 3")
    assert len(text) <= 270


def test_clips_come_only_from_x_video_host(tmp_path: Path) -> None:
    """The download itself (caps, address guard) is pipeline.links.fetch_link, tested in test_links."""
    from bot.x.bot import download_clip

    for url in ("https://example.com/a.mp4", "http://video.twimg.com/a.mp4", "https://video.twimg.com.evil/a.mp4"):
        with pytest.raises(UnsupportedMedia):
            download_clip(url, tmp_path, 2**20)


def test_the_cursor_never_moves_back(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data")
    open_store(settings)
    state = XStateStore(make_engine(sqlite_url(tmp_path / "data")))
    state.advance_since_id("900")
    state.advance_since_id("20")
    assert state.since_id() == "900"
    assert state.spend("read", 3) == 3 and state.spend("read") == 4 and state.used("post") == 0


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
    assert sorry == {"text": "Sorry, the clip is damaged or truncated (Invalid data).",
                     "reply": {"in_reply_to_tweet_id": "901"}}  # fmt: skip


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
    unauthorized = tweepy.Unauthorized(_response(401))
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


def _response(status: int) -> Any:
    import requests as http

    response = http.Response()
    response.status_code = status
    response._content = b'{"title": "Unauthorized"}'
    return response


def test_random_fill_on_x_is_safe_and_marked(tmp_path: Path, make_clip: ClipMaker, api: responses.RequestsMock) -> None:
    from storage.models import Job

    parent = {"id": "500", "attachments": {"media_keys": ["7_500"]}}
    api.get(MENTIONS, json=page([mention("801", "jellyfish", replied_to="500")], [parent], [video_media("7_500")]))
    bot = Bot(tmp_path / "data", make_clip(3.0))
    bot.front.poll_once()
    assert bot.store.recent()[0].options["safe_random"] is True, "a public account's random fill is the safe set"
    output = tmp_path / "v.mp4"
    output.with_suffix(".json").write_text(json.dumps({"classes": [
        {"class_id": 107, "class_name": "jellyfish", "asked": True},
        {"class_id": 978, "class_name": "seashore", "asked": False},
    ]}))  # fmt: skip
    text = reply_text(Job(classes=[107], seed=5, output_path=str(output), source_ref="mention:1 u"))
    assert text == "Your GANterpretation: jellyfish → seashore* · *random · seed 5"
