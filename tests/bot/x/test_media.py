"""The v2 chunked media upload client against a local server that mimics X's endpoints."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.x.media import MediaUploader, OAuth1Credentials, XMediaError, XMediaRateLimited, XMediaRejected


class FakeX:
    """The four endpoints with state: chunks received, status answers in order, scripted failures."""

    def __init__(self, server: HTTPServer, statuses: list[dict[str, Any]] | None = None) -> None:
        self.chunks: dict[int, bytes] = {}
        self.init_body: dict[str, Any] = {}
        self.auth_headers: list[str] = []
        self.statuses = list(statuses or [])
        self.failures: dict[str, list[Response]] = {}
        self.finalize_info: dict[str, Any] | None = {"state": "pending", "check_after_secs": 1}
        server.expect_request("/2/media/upload/initialize", method="POST").respond_with_handler(self._init)
        server.expect_request("/2/media/upload/77/append", method="POST").respond_with_handler(self._append)
        server.expect_request("/2/media/upload/77/finalize", method="POST").respond_with_handler(self._finalize)
        server.expect_request("/2/media/upload", method="GET").respond_with_handler(self._status)

    def _scripted(self, step: str, request: Request) -> Response | None:
        self.auth_headers.append(request.headers.get("Authorization", ""))
        queue = self.failures.get(step)
        return queue.pop(0) if queue else None

    def _init(self, request: Request) -> Response:
        if (failure := self._scripted("initialize", request)) is not None:
            return failure
        self.init_body = json.loads(request.data)
        return Response(json.dumps({"data": {"id": "77", "media_key": "7_77"}}), content_type="application/json")

    def _append(self, request: Request) -> Response:
        if (failure := self._scripted("append", request)) is not None:
            return failure
        self.chunks[int(request.form["segment_index"])] = request.files["media"].read()
        return Response(status=204)

    def _finalize(self, request: Request) -> Response:
        if (failure := self._scripted("finalize", request)) is not None:
            return failure
        data: dict[str, Any] = {"id": "77", "size": sum(map(len, self.chunks.values()))}
        if self.finalize_info is not None:
            data["processing_info"] = self.finalize_info
        return Response(json.dumps({"data": data}), content_type="application/json")

    def _status(self, request: Request) -> Response:
        assert request.args["command"] == "STATUS" and request.args["media_id"] == "77"
        info = self.statuses.pop(0) if self.statuses else {"state": "succeeded"}
        return Response(json.dumps({"data": {"id": "77", "processing_info": info}}), content_type="application/json")


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "video.mp4"
    path.write_bytes(bytes(range(256)) * 10 + b"tail")  # 2564 bytes: three chunks of 1000
    return path


def uploader(server: HTTPServer, sleeps: list[float], **kwargs: Any) -> MediaUploader:
    credentials = OAuth1Credentials("ck", "cs", "at", "ats")
    return MediaUploader(credentials.auth(), server.url_for("/"), chunk_bytes=1000, sleep=sleeps.append, **kwargs)


def test_chunks_are_sent_in_order_and_processing_is_awaited(httpserver: HTTPServer, video: Path) -> None:
    fake = FakeX(httpserver, statuses=[{"state": "in_progress", "check_after_secs": 3, "progress_percent": 50}])
    sleeps: list[float] = []
    media_id = uploader(httpserver, sleeps).upload_video(video)
    assert media_id == "77"
    assert sorted(fake.chunks) == [0, 1, 2] and [len(fake.chunks[i]) for i in range(3)] == [1000, 1000, 564]
    assert b"".join(fake.chunks[i] for i in range(3)) == video.read_bytes()
    assert fake.init_body == {"media_type": "video/mp4", "total_bytes": 2564, "media_category": "tweet_video"}
    assert sleeps == [1.0, 3.0]  # finalize said pending (1 s), the first status said 3 s
    assert all(h.startswith("OAuth ") and "oauth_signature=" in h for h in fake.auth_headers)
    assert all('oauth_consumer_key="ck"' in h and 'oauth_token="at"' in h for h in fake.auth_headers)


def test_no_processing_info_means_ready(httpserver: HTTPServer, video: Path) -> None:
    fake = FakeX(httpserver)
    fake.finalize_info = None
    sleeps: list[float] = []
    assert uploader(httpserver, sleeps).upload_video(video) == "77"
    assert sleeps == []


def test_failed_processing_is_a_rejection(httpserver: HTTPServer, video: Path) -> None:
    FakeX(httpserver, statuses=[{"state": "failed", "error": {"message": "InvalidMedia: bad codec"}}])
    with pytest.raises(XMediaRejected, match="bad codec"):
        uploader(httpserver, []).upload_video(video)


def test_a_short_429_is_waited_out_and_the_chunk_retried(httpserver: HTTPServer, video: Path) -> None:
    fake = FakeX(httpserver)
    reset = int(time.time()) + 5
    fake.failures["append"] = [Response("{}", status=429, headers={"x-rate-limit-reset": str(reset)})]
    sleeps: list[float] = []
    assert uploader(httpserver, sleeps).upload_video(video) == "77"
    assert b"".join(fake.chunks[i] for i in range(3)) == video.read_bytes()
    assert 1 <= sleeps[0] <= 7


def test_a_long_429_is_handed_to_the_caller_with_its_reset(httpserver: HTTPServer, video: Path) -> None:
    fake = FakeX(httpserver)
    reset = int(time.time()) + 3600
    fake.failures["initialize"] = [Response("{}", status=429, headers={"x-rate-limit-reset": str(reset)})]
    with pytest.raises(XMediaRateLimited) as caught:
        uploader(httpserver, []).upload_video(video)
    assert caught.value.reset_at == reset and caught.value.step == "initialize"


def test_server_errors_are_retried_then_given_up(httpserver: HTTPServer, video: Path) -> None:
    fake = FakeX(httpserver)
    fake.failures["finalize"] = [Response("oops", status=503)]
    sleeps: list[float] = []
    assert uploader(httpserver, sleeps).upload_video(video) == "77"
    fake.failures["finalize"] = [Response("oops", status=503)] * 5
    with pytest.raises(XMediaError, match="HTTP 503"):
        uploader(httpserver, sleeps, max_retries=2).upload_video(video)


def test_a_client_error_is_a_rejection(httpserver: HTTPServer, video: Path) -> None:
    fake = FakeX(httpserver)
    fake.failures["initialize"] = [Response('{"detail": "total_bytes too large"}', status=400)]
    with pytest.raises(XMediaRejected, match="too large"):
        uploader(httpserver, []).upload_video(video)


def test_processing_that_never_ends_times_out(httpserver: HTTPServer, video: Path) -> None:
    FakeX(httpserver, statuses=[{"state": "in_progress", "check_after_secs": 5}] * 50)
    clock = iter(range(0, 10_000, 100))
    with pytest.raises(XMediaError, match="still processing"):
        uploader(httpserver, [], wall_clock=lambda: float(next(clock)), max_processing_s=500).upload_video(video)


def test_chunk_size_is_checked() -> None:
    with pytest.raises(ValueError, match="chunk_bytes"):
        MediaUploader(None, chunk_bytes=6 * 2**20)
