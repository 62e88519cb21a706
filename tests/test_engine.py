"""Scale-out through the job engine (SAQ) on a real redis-server, with real worker processes.

Workers get only the queue URL and the weights (their data folder must never appear); the
dispatcher owns the SQLite job log, as `ganterp bot` or `ganterp dispatch` would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.dispatch import DispatchConfig, Dispatcher
from bot.engine.saq_engine import RemoteQueue, SaqEngine
from bot.worker import Worker, WorkerConfig
from pipeline.generator import BigGANGenerator
from storage.jobs import JobStore
from storage.models import JobStatus
from storage.workers import WorkerInfo
from tests.conftest import ClipMaker, RedisServer, wait_until
from tests.test_jobs import ROOT, open_store, request

LEASE_S = 6.0  # short, so a killed worker's job comes back quickly


class Dispatching:
    """A dispatcher on its own thread, as `ganterp dispatch` runs it; stop() and start() again like a restart."""

    def __init__(self, store: JobStore, url: str, name: str, lease_s: float = LEASE_S) -> None:
        self.store, self.url, self.name, self.lease_s = store, url, name, lease_s
        self.dispatcher: Dispatcher | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> Dispatching:
        engine = SaqEngine(self.url, self.name, lease_s=self.lease_s, max_attempts=3)
        self.dispatcher = Dispatcher(self.store, engine, DispatchConfig(poll_s=0.05, lease_s=self.lease_s))
        self.thread = threading.Thread(target=self.dispatcher.run, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        assert self.dispatcher is not None and self.thread is not None
        self.dispatcher.stop_event.set()
        self.thread.join(10)
        self.dispatcher.engine.close()


@pytest.fixture
def queue_name(request: pytest.FixtureRequest) -> str:
    return f"t{abs(hash(request.node.name)) % 10**8}"


def remote_env(tmp_path: Path, weights: Path) -> dict[str, str]:
    """A GPU machine's environment: weights and a cache, a data folder that must stay unused, no bot token."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GANTERP_", "DISCORD_"))}
    return env | {"GANTERP_DATA_DIR": str(tmp_path / "never-used"), "GANTERP_WEIGHTS_DIR": str(weights),
                  "GANTERP_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT),
                  "GANTERP_LOG_LEVEL": "INFO"}  # fmt: skip


@pytest.fixture
def remote_workers(tmp_path: Path, tiny_weights: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not (tmp_path / "never-used").exists(), "a remote worker opened a data folder"


def start_worker(
    started: list[subprocess.Popen[bytes]], tmp_path: Path, weights: Path, url: str, name: str
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bot.cli", "worker", "--queue", url, "--batch-size", "1"]
    env = remote_env(tmp_path, weights) | {"GANTERP_QUEUE_NAME": name}
    process = subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.PIPE)
    started.append(process)
    return process


def live_workers(store: JobStore) -> int:
    return len([w for w in store.workers.alive(30) if w.state != "stopped"])


def test_two_workers_kill_9_one_mid_render_and_the_other_finishes_it_once(
    tmp_path: Path, make_clip: ClipMaker, tiny_weights: Path, redis_server: RedisServer, queue_name: str,
    remote_workers: list[subprocess.Popen[bytes]],
) -> None:  # fmt: skip
    store = open_store(tmp_path / "data", per_requester=10)
    dispatching = Dispatching(store, redis_server.url, queue_name).start()
    try:
        workers = [start_worker(remote_workers, tmp_path, tiny_weights, redis_server.url, queue_name) for _ in "ab"]
        assert wait_until(lambda: live_workers(store) == 2, timeout=90), "both workers registered"
        job = store.submit(request(make_clip(12.0), fps=60)).id
        assert wait_until(lambda: store.get(job).progress > 0.05, timeout=60)
        first = store.get(job).worker_id or ""
        victim = next(w for w in workers if first.endswith(f":{w.pid}"))
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        killed_at = time.monotonic()
        assert wait_until(lambda: store.get(job).status == "delivered", timeout=90)
        recovered_s = time.monotonic() - killed_at
        done = store.get(job)
        assert done.attempts == 2 and done.worker_id != first, "the other worker rendered attempt 2"
        assert recovered_s < 60, f"back and rendered within the lease: {recovered_s:.1f} s"
        assert Path(done.output_path or "").is_file() and Path(done.output_path or "").stat().st_size == done.output_bytes
        assert list(store.output_dir.glob("job-*.mp4")) == [Path(done.output_path or "")]
        assert wait_until(lambda: not store.in_engine(), timeout=5)
        print(f"kill -9 mid-render: delivered by the other worker {recovered_s:.1f} s after the kill")
    finally:
        dispatching.stop()
