"""What the job engine trusts: payloads written to Redis by anyone, the dashboard, the job log as the record.

Hostile payloads are written to a real redis-server directly (through SAQ, as anyone with Redis access
could); local HTTP servers stand in for an attacker's target and prove that no request reached it.
"""

from __future__ import annotations

import base64
import http.server
import logging
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from saq.job import Job as SaqJob

from bot.jobs.engine.dashboard import Dashboard, DashboardUnavailable
from bot.jobs.engine.payload import BucketOrigin
from bot.jobs.engine.remote_queue import RemoteQueue
from bot.jobs.engine.saq_base import FUNCTION
from bot.jobs.engine.saq_engine import SaqEngine
from bot.settings import Settings, SettingsError
from tests.bot.jobs.engine.test_engine import Dispatching, queue_name, remote_env
from tests.conftest import RedisServer, free_port, wait_until
from tests.paths import ROOT
from tests.storage.test_jobs import open_store

__all__ = ["queue_name"]  # the fixture, shared with tests/bot/jobs/engine/test_engine.py

BUCKET = "renders"
HONEST = {"job_id": 7, "platform": "cli", "requester_id": "ann", "requester_name": "ann", "source_name": "a.wav",
          "n_frames": 24, "options": {}, "classes": [1, 2], "seed": 3}  # fmt: skip


class Recorder:
    """A loopback HTTP server that records each request and answers `status` (with `location`, for a redirect)."""

    def __init__(self, status: int = 200, location: str | None = None, body: bytes = b"RIFF....WAVE") -> None:
        self.requests: list[str] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                recorder.requests.append(f"{self.command} {self.path}")
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                self.send_response(status)
                if location is not None:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "audio/wav")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PUT = do_POST = _answer  # noqa: N815 (http.server's names)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def attacker() -> Iterator[Recorder]:
    server = Recorder()
    yield server
    server.close()


def object_urls(base: str, job_id: int, name: str) -> dict[str, str]:
    return {
        kind: f"{base}/{BUCKET}/{name}/job-{job_id}/{kind}?X-Amz-Signature=abc"
        for kind in ("clip", "output", "preview")
    }


def put_job(url: str, name: str, key: str, payload: object, clip: bytes | None = None) -> None:
    """Write an engine job to Redis as anyone with access could, and say the engine was reconciled."""
    engine = SaqEngine(url, name)
    try:
        job = SaqJob(function=FUNCTION, key=key, kwargs=payload, retries=1000, heartbeat=30)  # type: ignore[arg-type]
        engine._loop.run(engine.queue.enqueue(job))
        if clip is not None:
            with redis.Redis.from_url(url) as client:
                client.set(f"saq:{name}:ganterp:clip:{HONEST['job_id']}", clip)
        engine.mark_reconciled(engine.generation())
    finally:
        engine.close()


def engine_status(url: str, name: str, key: str) -> str | None:
    engine = SaqEngine(url, name)
    try:
        state = engine.jobs([key])[0]
        return state.status if state else None
    finally:
        engine.close()


@pytest.mark.parametrize(
    ("case", "refusal"),
    [
        ("urls on another host", "its clip link is not the job's object in the configured bucket"),
        ("no bucket on this worker", "this worker has no GANTERP_QUEUE_BUCKET"),
        ("only the video elsewhere", "its output link is not the job's object in the configured bucket"),
        ("a redirect off the bucket", "no render machine could fetch the clip from the bucket"),
        ("a cap of 10**15", "its clip is larger than this worker's cap (1000 bytes)"),
        ("a job id that is not a number", "its job_id is not a whole number"),
        ("a job id that is not its key's", "does not match its key"),
        ("a class out of range", "its classes are not a list of class numbers"),
    ],
)
def test_a_hostile_payload_fails_its_job_with_one_line_and_no_request(
    case: str,
    refusal: str,
    redis_server: RedisServer,
    queue_name: str,
    attacker: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bucket = Recorder(status=302, location=f"{attacker.url}/latest/meta-data/")  # the configured bucket's host
    origin = BucketOrigin.of(f"s3://{BUCKET}", queue_name, bucket.url)
    payload: dict[str, Any] = dict(HONEST)
    key, clip, worker_bucket = "job-7", None, origin
    if case == "urls on another host":
        payload["urls"] = object_urls(attacker.url, 7, queue_name)
    elif case == "no bucket on this worker":
        payload["urls"], worker_bucket = object_urls(attacker.url, 7, queue_name), None
    elif case == "only the video elsewhere":
        payload["urls"] = object_urls(bucket.url, 7, queue_name) | {"output": f"{attacker.url}/{BUCKET}/x"}
    elif case == "a redirect off the bucket":
        payload["urls"] = object_urls(bucket.url, 7, queue_name)
    elif case == "a cap of 10**15":
        payload["max_file_bytes"], clip = 10**15, b"x" * 5000
    elif case == "a job id that is not a number":
        payload["job_id"], clip = "7; DROP TABLE jobs", b"clip"
    elif case == "a job id that is not its key's":
        key, clip = "job-8", b"clip"
    elif case == "a class out of range":
        payload["classes"], clip = [1, 5000], b"clip"
    put_job(redis_server.url, queue_name, key, payload, clip)
    queue = RemoteQueue(redis_server.url, queue_name, max_file_bytes=1000, max_attempts=1, bucket=worker_bucket)
    caplog.set_level("INFO")
    try:
        assert queue.claim_next("gpu:1") is None, "nothing to render"
        errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(errors) == 1 and errors[0].exc_info is None, [r.getMessage() for r in errors]
        assert refusal in errors[0].getMessage() and "\n" not in errors[0].getMessage()
        assert "abc" not in errors[0].getMessage(), "no signature in the log"
        assert engine_status(redis_server.url, queue_name, key) == "failed"
        assert attacker.requests == [], "no request reached the target"
        assert len(bucket.requests) == (1 if case == "a redirect off the bucket" else 0)
    finally:
        queue.close()
        bucket.close()


def test_an_honest_job_after_a_refused_one_is_taken(redis_server: RedisServer, queue_name: str) -> None:
    put_job(redis_server.url, queue_name, "job-7", HONEST | {"job_id": "seven"}, b"clip")
    put_job(redis_server.url, queue_name, "job-9", HONEST | {"job_id": 9}, None)
    with redis.Redis.from_url(redis_server.url) as client:
        client.set(f"saq:{queue_name}:ganterp:clip:9", b"clip")
    queue = RemoteQueue(redis_server.url, queue_name)
    try:
        assert queue.claim_next("gpu:1") is None
        taken = queue.claim_next("gpu:1")
        assert taken is not None and taken.id == 9 and Path(taken.audio_path or "").read_bytes() == b"clip"
    finally:
        queue.close()


def test_bucket_urls_pass_only_for_the_jobs_own_object() -> None:
    minio = BucketOrigin.of("s3://renders/deploy", "q", "https://minio.lan:9000")
    minio.check("https://minio.lan:9000/renders/deploy/q/job-4/clip?X-Amz-Signature=1", 4, "clip")
    minio.check("https://renders.minio.lan:9000/deploy/q/job-4/output?sig=1", 4, "output")
    aws = BucketOrigin.of("s3://renders", "q", None)
    aws.check("https://renders.s3.amazonaws.com/q/job-4/clip?X-Amz-Signature=1", 4, "clip")
    aws.check("https://renders.s3.eu-west-1.amazonaws.com/q/job-4/preview", 4, "preview")
    aws.check("https://s3.us-east-2.amazonaws.com/renders/q/job-4/clip", 4, "clip")
    refused = [
        (minio, "https://minio.lan:9001/renders/deploy/q/job-4/clip", 4, "clip"),  # another port
        (minio, "http://minio.lan:9000/renders/deploy/q/job-4/clip", 4, "clip"),  # another scheme
        (minio, "https://minio.lan:9000/renders/deploy/q/job-5/clip", 4, "clip"),  # another job's object
        (minio, "https://minio.lan:9000/renders/deploy/q/job-4/output", 4, "clip"),  # another kind
        (minio, "https://minio.lan:9000/other/deploy/q/job-4/clip", 4, "clip"),  # another bucket
        (minio, "https://x@minio.lan:9000/renders/deploy/q/job-4/clip", 4, "clip"),  # credentials
        (minio, "https://minio.lan:9000/renders/deploy/q/job-4/clip/../../../job-5/clip", 4, "clip"),
        (aws, "http://renders.s3.amazonaws.com/q/job-4/clip", 4, "clip"),  # AWS over plain HTTP
        (aws, "https://renders.s3.amazonaws.com.evil.example/q/job-4/clip", 4, "clip"),
        (aws, "https://renders.s3.a.b.amazonaws.com/q/job-4/clip", 4, "clip"),
        (aws, "https://169.254.169.254/renders/q/job-4/clip", 4, "clip"),
    ]
    from bot.jobs.engine.payload import PayloadRefused

    for origin, url, job_id, kind in refused:
        with pytest.raises(PayloadRefused):
            origin.check(url, job_id, kind)


# --- the dashboard


def abort_url(port: int, name: str, key: str) -> str:
    return f"http://127.0.0.1:{port}/api/queues/{name}/jobs/{key}/abort"


def test_the_dashboard_is_read_only_by_default_and_hides_signatures(redis_server: RedisServer, queue_name: str) -> None:
    payload = HONEST | {"urls": object_urls("https://minio.lan:9000", 7, queue_name)}
    payload["urls"]["clip"] += "&X-Amz-Credential=AKIA%2Fsecret"
    put_job(redis_server.url, queue_name, "job-7", payload)
    port = free_port()
    dashboard = Dashboard(redis_server.url, queue_name, "127.0.0.1", port)
    try:
        for headers in ({"Origin": "http://evil.example"}, {}):
            answer = requests.post(abort_url(port, queue_name, "job-7"), headers=headers, timeout=10)
            assert answer.status_code == 403 and "read-only" in answer.text
        assert engine_status(redis_server.url, queue_name, "job-7") == "queued", "nothing was aborted"
        shown = [
            requests.get(f"http://127.0.0.1:{port}/api/queues/{queue_name}/jobs/job-7", timeout=10).text,
            requests.get(f"http://127.0.0.1:{port}/api/queues/{queue_name}", timeout=10).text,
        ]
        for text in shown:
            assert "job-7" in text and "minio.lan:9000" in text, text[:500]
            assert "X-Amz-Signature" not in text and "secret" not in text and "AKIA" not in text, text[:2000]
        missing = requests.get(f"http://127.0.0.1:{port}/api/queues/{queue_name}/jobs/job-404", timeout=10).text
        assert "Traceback" not in missing and "site-packages" not in missing, missing[:300]
    finally:
        dashboard.close()


def test_the_dashboards_actions_need_the_token_and_the_same_origin(redis_server: RedisServer, queue_name: str) -> None:
    token = "t0ken-of-sixteen-chars"
    put_job(redis_server.url, queue_name, "job-7", HONEST)
    port = free_port()
    dashboard = Dashboard(redis_server.url, queue_name, "127.0.0.1", port, token=token)
    basic = {"Authorization": "Basic " + base64.b64encode(f"admin:{token}".encode()).decode()}
    url = abort_url(port, queue_name, "job-7")
    try:
        cross = requests.post(url, headers=basic | {"Origin": "http://evil.example"}, timeout=10)
        assert cross.status_code == 403, "another site is refused, token or not"
        cross_site = requests.post(url, headers=basic | {"Sec-Fetch-Site": "cross-site"}, timeout=10)
        assert cross_site.status_code == 403
        wrong = requests.post(url, headers={"Authorization": "Bearer not-the-token-at-all"}, timeout=10)
        assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Basic")
        assert requests.post(url, timeout=10).status_code == 401
        assert engine_status(redis_server.url, queue_name, "job-7") == "queued", "nothing was aborted yet"
        same = requests.post(url, headers=basic | {"Origin": f"http://127.0.0.1:{port}"}, timeout=10)
        assert same.status_code == 200, same.text
        assert engine_status(redis_server.url, queue_name, "job-7") == "aborted"
    finally:
        dashboard.close()


def test_a_dashboard_port_that_is_taken_is_said_to_be_taken(
    tmp_path: Path,
    redis_server: RedisServer,
    queue_name: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli.main import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(DashboardUnavailable) as refused:
            Dashboard(redis_server.url, queue_name, "127.0.0.1", port)
        message = refused.value.user_message()
        assert f"cannot listen on 127.0.0.1:{port}" in message and "GANTERP_DASHBOARD_PORT" in message
        assert "Redis" not in message and "GANTERP_QUEUE_URL" not in message
        settings = {
            "GANTERP_DATA_DIR": str(tmp_path / "data"),
            "GANTERP_QUEUE_URL": redis_server.url,
            "GANTERP_QUEUE_NAME": queue_name,
            "GANTERP_DASHBOARD_PORT": str(port),
        }
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        assert main(["dispatch"]) == 1
        said = capsys.readouterr().err.strip().splitlines()
        assert len(said) == 1 and "cannot listen on" in said[0] and "Redis" not in said[0], said
    store = open_store(tmp_path / "data")
    assert store.leases.take("elsewhere:1", 30.0, lambda _: False) is None, "the refused dispatcher gave its lease back"


def test_a_dashboard_token_must_be_long_and_is_a_secret() -> None:
    with pytest.raises(SettingsError, match="GANTERP_DASHBOARD_TOKEN must be at least 16 characters"):
        Settings.load({"GANTERP_DASHBOARD_TOKEN": "short"}, env_file=None)
    settings = Settings.load({"GANTERP_DASHBOARD_TOKEN": "a-token-of-enough-length"}, env_file=None)
    assert settings.dashboard_token == "a-token-of-enough-length"
    assert "a-token-of-enough-length" not in repr(settings)
    assert "a-token-of-enough-length" in settings.secret_values()


# --- one dispatcher per job log


def test_a_second_dispatcher_on_one_job_log_says_so_in_one_sentence(
    tmp_path: Path, tiny_weights: Path, redis_server: RedisServer, queue_name: str
) -> None:
    store = open_store(tmp_path / "data")
    first = Dispatching(store, redis_server.url, queue_name).start()
    try:
        assert first.dispatcher is not None
        assert wait_until(lambda: first.dispatcher is not None and first.dispatcher.holding_lease, timeout=30)
        env = remote_env(tmp_path, tiny_weights) | {
            "GANTERP_DATA_DIR": str(tmp_path / "data"),
            "GANTERP_QUEUE_URL": redis_server.url,
            "GANTERP_QUEUE_NAME": queue_name,
        }
        second = subprocess.run(
            [sys.executable, "-m", "bot.cli", "dispatch"], env=env, cwd=ROOT, capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        assert second.returncode == 1, second.stderr
        lines = [line for line in second.stderr.splitlines() if line.strip()]
        assert "Traceback" not in second.stderr and len(lines) == 1, second.stderr
        assert f"another dispatcher ({first.dispatcher.holder}) already feeds the job engine" in lines[0]
    finally:
        first.stop()
    assert store.leases.take("next:1", 30.0, lambda _: False) is None, "a dispatcher that stops gives its lease back"


def test_a_dispatcher_lease_lapses_or_is_taken_from_a_dead_holder(tmp_path: Path) -> None:
    import datetime as dt

    now = [dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)]
    store = open_store(tmp_path / "data")
    store.leases.clock = lambda: now[0]
    alive: set[str] = {"a:1", "b:2"}
    gone = lambda holder: holder not in alive  # noqa: E731
    assert store.leases.take("a:1", 45.0, gone) is None
    held = store.leases.take("b:2", 45.0, gone)
    assert held is not None and held.holder == "a:1", "a fresh lease of a live holder is refused"
    now[0] += dt.timedelta(seconds=20)
    assert store.leases.renew("a:1") and store.leases.take("b:2", 45.0, gone) is not None
    now[0] += dt.timedelta(seconds=46)
    assert store.leases.take("b:2", 45.0, gone) is None, "a lease not renewed within its time lapses"
    assert not store.leases.renew("a:1"), "its old holder learns it lost it"
    alive.discard("b:2")
    assert store.leases.take("c:3", 45.0, gone) is None, "a holder known to be gone (killed here) loses it at once"
