"""Files through an S3-compatible bucket (GANTERP_QUEUE_BUCKET), against moto's S3 server on loopback.

moto's server is a real HTTP endpoint speaking S3 (presigned URLs included), so boto3 on the
dispatcher's side and plain HTTP on the worker's side run as they would against MinIO or AWS.
The engine is the real redis-server of tests/bot/jobs/engine/test_engine.py.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from bot.jobs.dispatch import Dispatcher, EngineUnavailable
from bot.jobs.engine.bucket import BucketFiles
from bot.jobs.engine.files import BucketLinks
from bot.jobs.engine.payload import BucketOrigin, PayloadRefused
from bot.jobs.engine.remote_queue import RemoteQueue
from bot.jobs.engine.saq_engine import SaqEngine
from bot.settings import Settings, SettingsError
from storage.workers import WorkerInfo
from tests.bot.jobs.engine.test_engine import (
    EVENT_S,
    Dispatching,
    InProcessWorker,
    live_workers,
    queue_name,
    remote_env,
)
from tests.conftest import ClipMaker, RedisServer, free_port, wait_until
from tests.paths import ROOT
from tests.storage.test_jobs import open_store, request

__all__ = ["queue_name"]  # the fixture, shared with tests/bot/jobs/engine/test_engine.py

BUCKET = "ganterp-test"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


class S3Server:
    """moto's S3 server on a loopback port, with one bucket; stop() and start() again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.server: ThreadedMotoServer | None = None

    def start(self) -> None:
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        # moto keeps its buckets in this process, whatever server serves them: start from none.
        requests.post(f"{self.endpoint}/moto-api/reset", timeout=10).raise_for_status()
        self.client().create_bucket(Bucket=BUCKET)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def client(self) -> Any:
        return boto3.client("s3", endpoint_url=self.endpoint, **_lower(CREDENTIALS))

    def keys(self) -> list[str]:
        return [entry["Key"] for entry in self.client().list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def _lower(credentials: dict[str, str]) -> dict[str, str]:
    names = {
        "AWS_ACCESS_KEY_ID": "aws_access_key_id",
        "AWS_SECRET_ACCESS_KEY": "aws_secret_access_key",
        "AWS_DEFAULT_REGION": "region_name",
    }
    return {names[k]: v for k, v in credentials.items()}


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Server]:
    """A fresh S3 server; this process (the dispatcher's side) holds the credentials, as the bot's machine would."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    server = S3Server()
    server.start()
    yield server
    server.stop()


def bucket_files(s3: S3Server, name: str, max_file_bytes: int = 100 * 2**20) -> BucketFiles:
    return BucketFiles(
        f"s3://{BUCKET}/deploy", name, endpoint_url=s3.endpoint, ttl_s=600, max_file_bytes=max_file_bytes
    )


def redis_file_keys(redis_url: str) -> list[bytes]:
    import redis

    with redis.Redis.from_url(redis_url) as client:
        return list(client.scan_iter(match="*ganterp:*"))


def test_a_job_renders_with_its_files_through_the_bucket_and_a_worker_without_credentials(
    tmp_path: Path, make_clip: ClipMaker, tiny_weights: Path, redis_server: RedisServer, queue_name: str, s3: S3Server
) -> None:
    store = open_store(tmp_path / "data", per_requester=10)
    dispatching = Dispatching(store, redis_server.url, queue_name, files=bucket_files(s3, queue_name)).start()
    # A GPU machine: the queue URL, the weights and where the bucket is; no AWS credentials, no AWS configuration files.
    env = {k: v for k, v in remote_env(tmp_path, tiny_weights).items() if not k.startswith("AWS_")}
    env |= {
        "GANTERP_QUEUE_NAME": queue_name,
        "GANTERP_QUEUE_BUCKET": f"s3://{BUCKET}/deploy",
        "GANTERP_S3_ENDPOINT_URL": s3.endpoint,
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    command = [sys.executable, "-m", "bot.cli", "worker", "--queue", redis_server.url, "--batch-size", "1"]
    worker = subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.PIPE)
    try:
        assert wait_until(lambda: live_workers(store) == 1, timeout=EVENT_S), "the worker registered"
        seen: set[str] = set()
        job = store.submit(request(make_clip(1.5))).id
        assert wait_until(lambda: seen.update(s3.keys()) or store.get(job).status == "delivered", timeout=EVENT_S)
        assert f"deploy/{queue_name}/job-{job}/clip" in seen, "the clip went up to the bucket"
        done = store.get(job)
        video = Path(done.output_path or "")
        assert video.read_bytes()[4:8] == b"ftyp" and video.stat().st_size == done.output_bytes
        assert video.with_suffix(".json").is_file(), "the sidecar came back with the result"
        assert Path(done.preview_path or "").read_bytes().startswith(b"\x89PNG"), "the first look came back"
        assert wait_until(lambda: s3.keys() == [], timeout=EVENT_S), "the job's objects are deleted once it ended"
        assert redis_file_keys(redis_server.url) == [], "no file travelled through Redis"
    finally:
        worker.terminate()
        _, stderr = worker.communicate(timeout=EVENT_S)
        dispatching.stop()
    assert worker.returncode == 0, stderr.decode()[-2000:]
    assert "Traceback" not in stderr.decode()


def test_a_video_over_the_cap_in_the_bucket_fails_the_job_with_one_sentence(
    tmp_path: Path, make_clip: ClipMaker, tiny_weights: Path, redis_server: RedisServer, queue_name: str, s3: S3Server
) -> None:
    # A bucket takes any size: the dispatcher reads the object's size before its bytes. (Honest workers check
    # their own cap before they upload; this one has a larger cap than the bot's.)
    store = open_store(tmp_path / "data", per_requester=10)
    files = bucket_files(s3, queue_name, max_file_bytes=1000)
    dispatching = Dispatching(store, redis_server.url, queue_name, files=files).start()
    worker = InProcessWorker(redis_server.url, queue_name, tiny_weights, bucket=origin(s3, queue_name))
    try:
        job = store.submit(request(make_clip(1.5))).id
        assert wait_until(lambda: store.get(job).status == "failed", timeout=EVENT_S)
        failed = store.get(job)
        assert failed.user_error is not None and failed.user_error.startswith("the video is too large to travel")
        assert failed.user_error.endswith("MiB).") and failed.user_error.count(". ") == 0  # one sentence
        assert "\n" not in (failed.operator_error or "")
        assert wait_until(lambda: s3.keys() == [], timeout=EVENT_S), "its objects are deleted all the same"
    finally:
        worker.stop()
        dispatching.stop()


def test_an_unreachable_bucket_is_logged_once_and_the_job_goes_out_when_it_is_back(
    tmp_path: Path,
    make_clip: ClipMaker,
    redis_server: RedisServer,
    queue_name: str,
    s3: S3Server,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = open_store(tmp_path / "data", per_requester=10)
    job = store.submit(request(make_clip(1.5))).id
    idle = RemoteQueue(redis_server.url, queue_name)  # a registered worker that takes nothing
    idle.workers.started(WorkerInfo("gpu0:1", "gpu0", "biggan-deep-128", "cuda"), 0.01)
    engine = SaqEngine(redis_server.url, queue_name, files=bucket_files(s3, queue_name))
    dispatcher = Dispatcher(store, engine)
    s3.stop()
    caplog.set_level("INFO")
    try:
        for _ in range(3):
            dispatcher.tick()  # no exception escapes a round
        errors = [r for r in caplog.records if r.levelname == "ERROR"]
        assert len(errors) == 1 and errors[0].exc_info is None, "one line, no traceback"
        assert errors[0].getMessage().startswith("The bucket cannot be reached (")
        assert "GANTERP_QUEUE_BUCKET" in errors[0].getMessage()
        assert store.get(job).status == "running" and engine.jobs([f"job-{job}"]) == [None], "waits in the job log"
        s3.start()
        dispatcher.tick()
        assert engine.jobs([f"job-{job}"])[0] is not None, "handed out once the bucket is back"
        assert s3.keys() == [f"deploy/{queue_name}/job-{job}/clip"]
        assert "the job engine is reachable again" in caplog.text
    finally:
        engine.close()
        idle.close()


def origin(s3: S3Server, name: str) -> BucketOrigin:
    """What a worker is told of the bucket: GANTERP_QUEUE_BUCKET and GANTERP_S3_ENDPOINT_URL, as the bot's."""
    return BucketOrigin.of(f"s3://{BUCKET}/deploy", name, s3.endpoint)


def test_the_workers_http_calls_end_in_one_sentence(s3: S3Server, tmp_path: Path) -> None:
    client = s3.client()
    links = BucketLinks(origin(s3, "q"))
    key = bucket_files(s3, "q").key

    def signed(method: str, job_id: int, kind: str) -> str:
        params = {"Bucket": BUCKET, "Key": key(job_id, kind)}
        return str(client.generate_presigned_url(method, Params=params, ExpiresIn=60))

    with pytest.raises(EngineUnavailable, match=r"^the bucket cannot be reached \(.*404.*\); check"):
        links.get(signed("get_object", 1, "clip"), 1, tmp_path, 100)
    client.put_object(Bucket=BUCKET, Key=key(2, "clip"), Body=b"RIFF" + b"x" * 5000, ContentType="audio/wav")
    with pytest.raises(PayloadRefused, match=r"^its clip is larger than this worker's cap \(1000 bytes\)$"):
        links.get(signed("get_object", 2, "clip"), 2, tmp_path, 1000)
    assert list(tmp_path.iterdir()) == [], "no partial file is left"
    closed = BucketLinks(BucketOrigin.of(f"s3://{BUCKET}/deploy", "q", f"http://127.0.0.1:{free_port()}"))
    url = f"{closed.origin.endpoint}/{BUCKET}/deploy/q/job-3/output?X-Amz-Signature=secret"
    with pytest.raises(EngineUnavailable) as unreachable:
        closed.put(url, 3, "output", b"video")
    message = str(unreachable.value)
    assert message.startswith("the bucket cannot be reached (ConnectionError)") and "secret" not in message
    assert "\n" not in message
    with pytest.raises(PayloadRefused, match=r"^its output link is not the job's object in the configured bucket$"):
        links.put(signed("put_object", 4, "preview"), 4, "output", b"video")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"GANTERP_QUEUE_BUCKET": "my-bucket/videos"}, "GANTERP_QUEUE_BUCKET must be an S3 URL such as s3://"),
        ({"GANTERP_QUEUE_BUCKET": "s3://Bad_Bucket/x"}, "GANTERP_QUEUE_BUCKET must be an S3 URL such as s3://"),
        ({"GANTERP_QUEUE_BUCKET": "s3://[oops/x"}, "GANTERP_QUEUE_BUCKET must be an S3 URL such as s3://"),
        ({"GANTERP_S3_ENDPOINT_URL": "minio:9000"}, "GANTERP_S3_ENDPOINT_URL must be an http(s) URL"),
        ({"GANTERP_S3_ENDPOINT_URL": "https://key:secret@minio:9000"}, "GANTERP_S3_ENDPOINT_URL must be an http(s)"),
        (
            {"GANTERP_QUEUE_BUCKET": "s3://ok-bucket", "GANTERP_QUEUE_FILE_TTL_S": "700000"},
            "GANTERP_QUEUE_FILE_TTL_S must be at most 604800",
        ),
    ],
)
def test_a_bad_bucket_setting_is_one_sentence(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as bad:
        Settings.load(environ, env_file=None)
    text = bad.value.user_message()
    assert text.startswith(message) and text.endswith(".") and "\n" not in text and "secret" not in text


def test_bucket_settings_are_read() -> None:
    settings = Settings.load(
        {"GANTERP_QUEUE_BUCKET": "s3://renders/ganterp/", "GANTERP_S3_ENDPOINT_URL": "http://127.0.0.1:9000"},
        env_file=None,
    )
    assert (settings.queue_bucket, settings.s3_endpoint_url) == ("s3://renders/ganterp/", "http://127.0.0.1:9000")
    assert Settings.load({}, env_file=None).queue_bucket is None


def test_only_the_bucket_module_imports_boto3_and_only_when_used() -> None:
    users = {
        str(module.relative_to(ROOT))
        for package in ("pipeline", "bot", "storage")
        for module in (ROOT / package).rglob("*.py")
        if "boto3" in module.read_text()
        and any(
            isinstance(node, ast.Import | ast.ImportFrom)
            for node in ast.walk(ast.parse(module.read_text()))
            if (isinstance(node, ast.Import) and any(a.name.startswith(("boto3", "botocore")) for a in node.names))
            or (isinstance(node, ast.ImportFrom) and (node.module or "").startswith(("boto3", "botocore")))
        )
    }
    assert users == {"bot/jobs/engine/bucket.py"}
    top_level = ast.parse((ROOT / "bot/jobs/engine/bucket.py").read_text()).body
    assert not [n for n in top_level if isinstance(n, ast.Import | ast.ImportFrom) and "boto" in ast.dump(n)]


def test_a_preview_over_the_cap_is_dropped_not_retried(s3: S3Server) -> None:
    files = bucket_files(s3, "q", max_file_bytes=1000)
    s3.client().put_object(Bucket=BUCKET, Key=files.key(7, "preview"), Body=b"\x89PNG" + b"\0" * 5000)
    assert files.take_preview(7) is None, "a first look is not worth a stuck job"
    stored = s3.keys()
    assert files.key(7, "preview") not in stored, "and it does not come back at every round"


def test_a_preview_not_sent_yet_reads_as_none_even_without_list_permission(s3: S3Server) -> None:
    from botocore.stub import Stubber

    files = bucket_files(s3, "q")
    with Stubber(files.client) as s3_answers:  # AWS's answer for a missing key to credentials without ListBucket
        s3_answers.add_client_error("get_object", service_error_code="AccessDenied", http_status_code=403)
        assert files.take_preview(8) is None
