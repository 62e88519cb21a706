"""X's API offline for the tests: mentions, pages and media as X sends them, and a front end on a real job log."""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import responses
import tweepy

from bot.service import open_store
from bot.settings import Settings
from bot.x.bot import XFrontEnd
from bot.x.media import MediaUploader, OAuth1Credentials
from storage.db import make_engine, sqlite_url
from storage.jobs import JobStore
from storage.x_state import XStateStore

WAIT_S = 120.0  # bound on waiting for the poller thread: generous, for a loaded machine

TW = "https://api.twitter.com"
UPLOAD = "https://upload.test"
ME = "1000"
MENTIONS = f"{TW}/2/users/{ME}/mentions"
CREDENTIALS = {
    "GANTERP_X_CONSUMER_KEY": "ck",
    "GANTERP_X_CONSUMER_SECRET": "cs",
    "GANTERP_X_ACCESS_TOKEN": "at",
    "GANTERP_X_ACCESS_TOKEN_SECRET": "ats",
    "GANTERP_X_BEARER_TOKEN": "bt",
}


@contextlib.contextmanager
def x_api() -> Iterator[responses.RequestsMock]:
    """X's API answered offline: who the bot is, and every post accepted."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{TW}/2/users/me", json={"data": {"id": ME, "username": "ganterp"}})
        mock.post(f"{TW}/2/tweets", json={"data": {"id": "9999", "text": "ok"}})
        yield mock


def settings_for(data_dir: Path, **extra: str) -> Settings:
    env = {"GANTERP_DATA_DIR": str(data_dir), "GANTERP_X_API_HOST": UPLOAD, **CREDENTIALS, **extra}
    return Settings.load(environ=env, env_file=None)


def video_media(key: str, duration_ms: int = 4000) -> dict[str, Any]:
    return {
        "media_key": key,
        "type": "video",
        "duration_ms": duration_ms,
        "variants": [
            {"content_type": "application/x-mpegURL", "url": f"https://video.twimg.com/{key}.m3u8"},
            {"content_type": "video/mp4", "bit_rate": 256000, "url": f"https://video.twimg.com/{key}-256.mp4"},
            {"content_type": "video/mp4", "bit_rate": 2176000, "url": f"https://video.twimg.com/{key}-2176.mp4"},
        ],
    }


def mention(tweet_id: str, text: str, author: str = "42", replied_to: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"id": tweet_id, "text": text, "author_id": author}
    if replied_to:
        item["referenced_tweets"] = [{"type": "replied_to", "id": replied_to}]
    return item


def page(
    mentions: list[dict[str, Any]], tweets: Sequence[dict[str, Any]] = (), media: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    users = [{"id": m["author_id"], "username": f"user{m['author_id']}"} for m in mentions]
    return {
        "data": mentions,
        "includes": {"tweets": list(tweets), "media": list(media), "users": users},
        "meta": {"result_count": len(mentions)},
    }


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
            bearer_token="bt",
            consumer_key="ck",
            consumer_secret="cs",
            access_token="at",
            access_token_secret="ats",
            return_type=dict,
        )
        uploader = MediaUploader(credentials.auth(), UPLOAD, chunk_bytes=1000, sleep=lambda s: None)

        def download(url: str, folder: Path, max_bytes: int) -> Path:
            self.downloads.append(url)
            return Path(shutil.copy(clip, folder / "clip.wav"))

        self.front = XFrontEnd(
            self.settings, self.store, self.state, client, uploader, download=download, clock=lambda: self.now
        )


def calls(api: responses.RequestsMock, url: str, method: str = "GET") -> list[Any]:
    return [c for c in api.calls if str(c.request.url).split("?")[0] == url and c.request.method == method]


def posted(api: responses.RequestsMock) -> list[dict[str, Any]]:
    return [json.loads(c.request.body) for c in calls(api, f"{TW}/2/tweets", "POST")]


def query(call: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


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


def response_with_status(status: int) -> Any:
    import requests as http

    response = http.Response()
    response.status_code = status
    response._content = b'{"title": "Unauthorized"}'
    return response
