"""Scale-out through the job engine (SAQ) on a real redis-server, with real worker processes.

Workers get only the queue URL and the weights (their data folder must never appear); the
dispatcher owns the SQLite job log, as `ganterp bot` or `ganterp dispatch` would.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.jobs.dispatch import DispatchConfig, Dispatcher
from bot.jobs.engine.files import FileCarrier
from bot.jobs.engine.payload import BucketOrigin
from bot.jobs.engine.remote_queue import RemoteQueue
from bot.jobs.engine.saq_engine import SaqEngine
from bot.jobs.worker import Worker, WorkerConfig
from pipeline.biggan.generator import BigGANGenerator
from storage.jobs import JobStore
from storage.models import JobStatus
from storage.workers import WorkerInfo
from tests.conftest import ClipMaker, RedisServer, free_port, wait_until
from tests.paths import ROOT
from tests.storage.test_jobs import open_store, request

LEASE_S = 6.0  # short, so a killed worker's job comes back quickly
# How long a test waits for another process or thread to do something. Generous: on a loaded machine (CI,
# other jobs) everything is slow, and wait_until returns as soon as the event happens, so it costs nothing.
EVENT_S = 300.0


class Dispatching:
    """A dispatcher on its own thread, as `ganterp dispatch` runs it; stop() and start() again like a restart.

    `files`: where the engine's files travel (default: its Redis).
    """

    def __init__(
        self, store: JobStore, url: str, name: str, lease_s: float = LEASE_S, files: FileCarrier | None = None
    ) -> None:
        self.store, self.url, self.name, self.lease_s, self.files = store, url, name, lease_s, files
        self.dispatcher: Dispatcher | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> Dispatching:
        engine = SaqEngine(self.url, self.name, lease_s=self.lease_s, max_attempts=3, files=self.files)
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
    return env | {
        "GANTERP_DATA_DIR": str(tmp_path / "never-used"),
        "GANTERP_WEIGHTS_DIR": str(weights),
        "GANTERP_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": str(ROOT),
        "GANTERP_LOG_LEVEL": "INFO",
    }


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
    tmp_path: Path,
    make_clip: ClipMaker,
    tiny_weights: Path,
    redis_server: RedisServer,
    queue_name: str,
    remote_workers: list[subprocess.Popen[bytes]],
) -> None:
    store = open_store(tmp_path / "data", per_requester=10)
    dispatching = Dispatching(store, redis_server.url, queue_name).start()
    try:
        workers = [start_worker(remote_workers, tmp_path, tiny_weights, redis_server.url, queue_name) for _ in "ab"]
        assert wait_until(lambda: live_workers(store) == 2, timeout=EVENT_S), "both workers registered"
        job = store.submit(request(make_clip(8.0), fps=60)).id
        assert wait_until(lambda: store.get(job).progress > 0.05, timeout=EVENT_S)
        first = store.get(job).worker_id or ""
        victim = next(w for w in workers if first.endswith(f":{w.pid}"))
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        killed_at = time.monotonic()
        # Generous bounds: on a loaded machine the sweep, the other worker and the re-render all run slowly.
        assert wait_until(lambda: store.get(job).worker_id not in (first, None), timeout=EVENT_S), "taken by the other"
        taken_s = time.monotonic() - killed_at
        assert wait_until(lambda: store.get(job).status == "delivered", timeout=EVENT_S)
        recovered_s = time.monotonic() - killed_at
        done = store.get(job)
        assert done.attempts == 2 and done.worker_id != first, "the other worker rendered attempt 2"
        assert (
            Path(done.output_path or "").is_file() and Path(done.output_path or "").stat().st_size == done.output_bytes
        )
        assert list(store.output_dir.glob("job-*.mp4")) == [Path(done.output_path or "")]
        assert wait_until(lambda: not store.in_engine(), timeout=EVENT_S)
        print(f"kill -9 mid-render: taken again after {taken_s:.1f} s, delivered after {recovered_s:.1f} s")
    finally:
        dispatching.stop()


class InProcessWorker:
    """A remote worker on a thread of this process (faster to start than a process, for tests that kill nothing)."""

    def __init__(
        self, url: str, name: str, weights: Path, lease_s: float = LEASE_S, bucket: BucketOrigin | None = None
    ) -> None:
        self.queue = RemoteQueue(url, name, lease_s=lease_s, bucket=bucket)
        generator = BigGANGenerator(weights, batch_size=1)
        config = WorkerConfig(lease_s=lease_s, poll_s=0.0, progress_every_s=0.2)  # as `ganterp worker` makes it
        self.worker = Worker(self.queue, lambda: generator, config)
        self.worker.warm_up()
        self.thread = threading.Thread(target=self.worker.run, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.worker.stop_event.set()
        self.thread.join(20)
        self.queue.close()


def test_redis_restarted_without_its_data_mid_queue_loses_nothing(
    tmp_path: Path, make_clip: ClipMaker, tiny_weights: Path, redis_server: RedisServer, queue_name: str
) -> None:
    store = open_store(tmp_path / "data", per_requester=10)
    dispatching = Dispatching(store, redis_server.url, queue_name).start()
    worker = InProcessWorker(redis_server.url, queue_name, tiny_weights)
    try:
        clip = make_clip(4.0)
        jobs = [store.submit(request(clip, who, fps=30)).id for who in ("ann", "bob", "ann", "bob")]
        assert wait_until(lambda: store.get(jobs[0]).progress > 0.1, timeout=EVENT_S)
        redis_server.kill()  # no AOF: the engine's queue, the running job and the files are gone
        time.sleep(1.0)
        redis_server.start()
        assert wait_until(lambda: all(store.get(j).status == "delivered" for j in jobs), timeout=EVENT_S)
        done = [store.get(j) for j in jobs]
        assert len({job.output_path for job in done}) == 4 and all(Path(j.output_path or "").is_file() for j in done)
        assert done[0].attempts == 2, "the lost attempt counts, the job ran to the end once more"
        assert sorted(p.name for p in store.output_dir.glob("job-*.mp4")) == sorted(f"job-{j}.mp4" for j in jobs)
    finally:
        worker.stop()
        dispatching.stop()


def test_the_dispatchers_restart_loses_and_doubles_nothing(
    tmp_path: Path, make_clip: ClipMaker, tiny_weights: Path, redis_server: RedisServer, queue_name: str
) -> None:
    store = open_store(tmp_path / "data", per_requester=10)
    clip = make_clip(4.0)
    # Stopped between recording a hand-out and making it: the next dispatcher makes it.
    first = store.submit(request(clip, "ann", fps=30)).id
    assert (claimed := store.claim_for_engine(lambda job_id: f"job-{job_id}")) is not None and claimed.id == first
    worker = InProcessWorker(redis_server.url, queue_name, tiny_weights)
    dispatching = Dispatching(store, redis_server.url, queue_name).start()
    try:
        assert wait_until(lambda: store.get(first).status == "delivered", timeout=EVENT_S)
        # Stopped while a job renders: its result waits in the engine and is taken when the dispatcher is back.
        second = store.submit(request(make_clip(6.0), "bob", fps=30)).id
        assert wait_until(lambda: store.get(second).progress > 0.05, timeout=EVENT_S)
        dispatching.stop()
        engine = SaqEngine(redis_server.url, queue_name)
        completed = lambda: (engine.jobs([f"job-{second}"])[0] or Exception).status == "complete"  # noqa: E731
        assert wait_until(completed, timeout=EVENT_S)
        engine.close()
        assert store.get(second).status == "running", "nobody mirrored it meanwhile"
        dispatching.start()
        assert wait_until(lambda: store.get(second).status == "delivered", timeout=EVENT_S)
        assert store.get(second).attempts == 1 and store.get(first).attempts == 1
        assert sorted(p.name for p in store.output_dir.glob("job-*.mp4")) == [f"job-{first}.mp4", f"job-{second}.mp4"]
    finally:
        worker.stop()
        dispatching.stop()


def test_a_remote_render_is_cancelled_within_seconds_and_its_preview_comes_back(
    tmp_path: Path, make_clip: ClipMaker, tiny_weights: Path, redis_server: RedisServer, queue_name: str
) -> None:
    store = open_store(tmp_path / "data", per_requester=10)
    dispatching = Dispatching(store, redis_server.url, queue_name).start()
    worker = InProcessWorker(redis_server.url, queue_name, tiny_weights)
    try:
        job = store.submit(request(make_clip(20.0), fps=60)).id
        assert wait_until(lambda: store.get(job).progress > 0.02, timeout=EVENT_S)
        # The worker sends its first look (a contact sheet) before rendering; it comes back to the job log.
        assert wait_until(lambda: store.get(job).preview_path is not None, timeout=EVENT_S)
        assert Path(store.get(job).preview_path or "").read_bytes().startswith(b"\x89PNG")
        assert store.cancel(job) is JobStatus.RUNNING
        asked = time.monotonic()
        assert wait_until(lambda: store.get(job).status == "cancelled", timeout=EVENT_S)
        print(f"cancelled {time.monotonic() - asked:.1f} s after it was asked")
        assert store.get(job).progress < 0.9 and not list(store.output_dir.glob(f"job-{job}*.mp4"))
        after = store.submit(request(make_clip(2.0), fps=8)).id  # the worker is free again
        assert wait_until(lambda: store.get(after).status == "delivered", timeout=EVENT_S)
    finally:
        worker.stop()
        dispatching.stop()


class FullDisk:
    """`folder` on a full filesystem: a small tmpfs mounted there and filled (as root), else ENOSPC at each write.

    `make_room()` frees it. A real filesystem is preferred; where mounting is not allowed (a container
    without the capability), every write into the folder stops half way with ENOSPC, as a full disk's does.
    """

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folder, self.filler = folder, folder / "filler"
        self.mounted = (
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True, check=False
            ).returncode
            == 0
        )
        self.full = True
        if self.mounted:
            with self.filler.open("wb") as filler, contextlib.suppress(OSError):
                while True:
                    filler.write(b"\0" * 65536)
                    filler.flush()
        else:
            monkeypatch.setattr(Path, "write_bytes", self._write_bytes(Path.write_bytes))

    def _write_bytes(self, real: Any) -> Any:
        def write_bytes(path: Path, data: bytes) -> int:
            if self.full and path.parent == self.folder:
                real(path, data[: len(data) // 2])
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return int(real(path, data))

        return write_bytes

    def make_room(self) -> None:
        self.full = False
        self.filler.unlink(missing_ok=True)

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.folder)], capture_output=True, check=False)


def test_a_job_whose_video_cannot_be_saved_goes_back_and_frees_its_slot(
    tmp_path: Path,
    make_clip: ClipMaker,
    tiny_weights: Path,
    redis_server: RedisServer,
    queue_name: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = open_store(tmp_path / "data", per_requester=10)
    disk = FullDisk(store.output_dir, monkeypatch)
    clip = make_clip(1.5)
    stuck, other = store.submit(request(clip, "ann")).id, store.submit(request(clip, "bob")).id
    caplog.set_level("INFO")
    dispatching = Dispatching(store, redis_server.url, queue_name).start()
    worker = InProcessWorker(redis_server.url, queue_name, tiny_weights)  # one worker: one slot
    try:
        assert wait_until(lambda: f"job {stuck}: its video could not be saved" in caplog.text, timeout=EVENT_S)
        # The disk is still full, and the only slot goes to the next job: the first does not keep it.
        assert wait_until(lambda: store.get(other).engine_key is not None, timeout=EVENT_S), "the slot was freed"
        assert store.get(stuck).status in ("queued", "running"), "back in the queue, not lost"
        assert not list(store.output_dir.glob(".*partial")), "no partial file stays"
        disk.make_room()
        assert wait_until(lambda: store.get(stuck).status == store.get(other).status == "delivered", timeout=EVENT_S)
        assert dispatching.thread is not None and dispatching.thread.is_alive()
        assert store.get(stuck).attempts >= 2, "rendered again once there was room"
        assert caplog.text.count(f"job {stuck}: its video could not be saved") == store.get(stuck).attempts - 1
        assert "following it failed" not in caplog.text
        assert not list(store.output_dir.glob(".*partial"))
        assert wait_until(lambda: not list(worker.queue.output_dir.iterdir()), timeout=EVENT_S), "no scratch left"
        print(f"a real full filesystem: {disk.mounted}")
    finally:
        worker.stop()
        dispatching.stop()
        disk.close()


def test_a_video_that_cannot_be_saved_at_its_last_attempt_fails_its_job(
    tmp_path: Path,
    make_clip: ClipMaker,
    tiny_weights: Path,
    redis_server: RedisServer,
    queue_name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = open_store(tmp_path / "data", per_requester=10)
    disk = FullDisk(store.output_dir, monkeypatch)
    job = store.submit(request(make_clip(1.5), "ann")).id
    dispatching = Dispatching(store, redis_server.url, queue_name).start()
    worker = InProcessWorker(redis_server.url, queue_name, tiny_weights)
    try:
        assert wait_until(lambda: store.get(job).status == "failed", timeout=EVENT_S)
        failed = store.get(job)
        assert failed.attempts == store.limits.max_attempts and "outputs folder" in (failed.operator_error or "")
        assert failed.user_error is not None and "operator can see why" in failed.user_error
        assert wait_until(lambda: not store.in_engine(), timeout=EVENT_S)
        assert not list(store.output_dir.glob(".*partial")) and not list(store.output_dir.glob("job-*.mp4"))
    finally:
        worker.stop()
        dispatching.stop()
        disk.close()


def test_a_killed_workers_scratch_folder_is_removed_by_the_next(tmp_path: Path) -> None:
    from bot.jobs.engine.remote_queue import SCRATCH_PREFIX, remove_scratch_of_dead_workers

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = tmp_path / f"{SCRATCH_PREFIX}{dead.pid}-x1"
    running = tmp_path / f"{SCRATCH_PREFIX}{os.getpid()}-x2"
    for folder in (left, running):
        folder.mkdir()
        (folder / "job-1.clip").write_bytes(b"clip")
    remove_scratch_of_dead_workers(tmp_path)
    assert not left.exists() and (running / "job-1.clip").is_file()


def test_the_engine_gets_only_as_many_jobs_as_idle_workers_in_fair_order(
    tmp_path: Path, make_clip: ClipMaker, redis_server: RedisServer, queue_name: str
) -> None:
    store = open_store(tmp_path / "data", per_requester=10)
    clip = make_clip(1.5)
    ann = [store.submit(request(clip, "ann")).id for _ in range(4)]
    bob, cat = store.submit(request(clip, "bob")).id, store.submit(request(clip, "cat")).id
    registered = [RemoteQueue(redis_server.url, queue_name) for _ in range(2)]  # two workers that take nothing
    for index, queue in enumerate(registered):
        queue.workers.started(WorkerInfo(f"gpu{index}:1", f"gpu{index}", "biggan-deep-128", "cuda"), 0.01)
    engine = SaqEngine(redis_server.url, queue_name)
    dispatcher = Dispatcher(store, engine)
    try:
        dispatcher.tick()
        dispatcher.tick()
        assert [job.id for job in store.in_engine()] == [ann[0], bob], "one slot each, round robin"
        assert [state and state.status for state in engine.jobs([f"job-{ann[0]}", f"job-{bob}"])] == ["queued"] * 2
        assert store.place(cat) is not None and store.place(cat).position == 1  # type: ignore[union-attr]
        assert {w.worker_id for w in store.workers.alive(30)} == {"gpu0:1", "gpu1:1"}, "mirrored for estimates"
        registered[0].workers.stopped("gpu0:1")
        store.cancel(bob)  # a job the engine holds but no worker took: ends at once
        dispatcher.tick()
        dispatcher.tick()
        assert store.get(bob).status == "cancelled" and engine.jobs([f"job-{bob}"]) == [None]
        assert [job.id for job in store.in_engine()] == [ann[0]], "one live worker left: nothing more handed out"
    finally:
        engine.close()
        for queue in registered:
            queue.close()


def test_sigterm_stops_a_remote_worker_and_puts_its_job_back_uncounted(
    tmp_path: Path,
    make_clip: ClipMaker,
    tiny_weights: Path,
    redis_server: RedisServer,
    queue_name: str,
    remote_workers: list[subprocess.Popen[bytes]],
) -> None:
    store = open_store(tmp_path / "data", per_requester=10)
    dispatching = Dispatching(store, redis_server.url, queue_name).start()
    try:
        process = start_worker(remote_workers, tmp_path, tiny_weights, redis_server.url, queue_name)
        job = store.submit(request(make_clip(12.0), fps=60)).id
        assert wait_until(lambda: store.get(job).progress > 0.05, timeout=EVENT_S)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=EVENT_S)
        assert process.returncode == 0, stderr.decode()
        assert "released back to the queue" in stderr.decode()
        assert wait_until(lambda: store.get(job).stage == "waiting for a renderer", timeout=EVENT_S)
        back = store.get(job)
        assert back.status == "running" and back.attempts == 0, "in the engine's queue again, no attempt counted"
        assert wait_until(lambda: live_workers(store) == 0, timeout=EVENT_S), "it said it stopped"
    finally:
        dispatching.stop()


def test_submit_then_ganterp_dispatch_feeds_a_worker_and_serves_the_dashboard(
    tmp_path: Path,
    make_clip: ClipMaker,
    tiny_weights: Path,
    redis_server: RedisServer,
    queue_name: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli.main import main

    port = free_port()
    settings = {
        "GANTERP_DATA_DIR": str(tmp_path / "data"),
        "GANTERP_QUEUE_URL": redis_server.url,
        "GANTERP_QUEUE_NAME": queue_name,
        "GANTERP_DASHBOARD_PORT": str(port),
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    assert main(["submit", str(make_clip(2.0)), "--requester", "ann", "--fps", "8"]) == 0
    assert capsys.readouterr().out.startswith("job 1 queued")
    env = remote_env(tmp_path, tiny_weights) | settings
    dispatch = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "dispatch"], env=env, cwd=ROOT, stderr=subprocess.PIPE
    )
    worker = InProcessWorker(redis_server.url, queue_name, tiny_weights)
    try:
        store = open_store(tmp_path / "data")
        assert wait_until(lambda: store.get(1).status == "delivered", timeout=EVENT_S)
        expected_workers = [(worker.worker.worker_id, "idle", 1)]
        expected_engine = {"reachable": True, "queued": 0, "active": 0, "workers": 1}
        listed: dict[str, Any] = {}

        def settled() -> bool:
            # The worker writes its own state after the job's result is in, so the job may read as
            # delivered a moment before its worker reads as idle: wait for the listing to settle.
            nonlocal listed
            assert main(["workers", "--json"]) == 0
            listed = json.loads(capsys.readouterr().out)
            workers = [(w["worker"], w["state"], w["jobs_done"]) for w in listed["workers"]]
            return workers == expected_workers and listed["engine"] == expected_engine

        assert wait_until(settled, timeout=EVENT_S), listed
        page = ""

        def dashboard_shows_the_worker() -> bool:
            # The page fills itself by script; on a busy machine one load may end before it has.
            nonlocal page
            page = dashboard_dom(f"http://127.0.0.1:{port}/queues/{queue_name}")
            return f">{queue_name}<" in page and worker.worker.worker_id.replace(":", "/") in page

        assert wait_until(dashboard_shows_the_worker, timeout=EVENT_S), page[-2000:]
    finally:
        worker.stop()
        dispatch.send_signal(signal.SIGTERM)
        _, stderr = dispatch.communicate(timeout=EVENT_S)
    assert dispatch.returncode == 0, stderr.decode()
    assert "dispatcher stopped" in stderr.decode()


def dashboard_dom(address: str) -> str:
    """The page as a real browser shows it, scripts run (Debian's chromium, headless)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        if os.environ.get("CI"):
            raise AssertionError("chromium is missing: apt-get install -y chromium (.ci/run does)")
        pytest.skip("chromium is not installed (apt-get install -y chromium); CI installs it")
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--virtual-time-budget=5000", "--dump-dom", address]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=EVENT_S, check=True).stdout


def test_redis_restored_from_an_older_snapshot_renders_no_delivered_job_again(
    tmp_path: Path,
    make_clip: ClipMaker,
    tiny_weights: Path,
    redis_server: RedisServer,
    queue_name: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import redis

    store = open_store(tmp_path / "data", per_requester=10)
    caplog.set_level("INFO")
    dispatching = Dispatching(store, redis_server.url, queue_name).start()
    worker = InProcessWorker(redis_server.url, queue_name, tiny_weights)
    try:
        # Long enough to be still rendering when the snapshot is taken, however fast the machine is.
        job = store.submit(request(make_clip(30.0), fps=60)).id
        assert wait_until(lambda: store.get(job).progress > 0.1, timeout=EVENT_S)
        with redis.Redis.from_url(redis_server.url) as client:
            client.save()  # the snapshot: the job rendering, its clip in Redis
        snapshot = (redis_server.folder / "dump.rdb").read_bytes()
        assert wait_until(lambda: store.get(job).status == "delivered", timeout=EVENT_S)
        redis_server.kill()
        (redis_server.folder / "dump.rdb").write_bytes(snapshot)
        redis_server.start()  # loads the older snapshot: the delivered job is back, active, with its clip
        assert wait_until(
            lambda: f"job {job} is delivered in the job log but was in the engine" in caplog.text, timeout=EVENT_S
        )
        later = store.submit(request(make_clip(1.5), "bob")).id
        assert wait_until(lambda: store.get(later).status == "delivered", timeout=EVENT_S), "the engine works on"
        assert caplog.text.count(f"job {job} claimed by") == 1, "the delivered job was never taken again"
        assert store.get(job).attempts == 1 and store.get(job).status == "delivered"
        with redis.Redis.from_url(redis_server.url) as client:
            left = [key.decode() for key in client.scan_iter(match=f"*{queue_name}*")]
        assert not [key for key in left if key.endswith((f"job-{job}", f":{job}"))], left
    finally:
        worker.stop()
        dispatching.stop()


def test_a_redis_outage_is_one_line_per_worker_and_loses_nothing(
    tmp_path: Path,
    make_clip: ClipMaker,
    tiny_weights: Path,
    redis_server: RedisServer,
    queue_name: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    redis_server.kill()
    redis_server.start(appendonly=True)  # an outage, not a loss: Redis comes back with its data
    store = open_store(tmp_path / "data", per_requester=10)
    dispatching = Dispatching(store, redis_server.url, queue_name, lease_s=30.0).start()  # longer than the outage
    worker = InProcessWorker(redis_server.url, queue_name, tiny_weights, lease_s=8.0)  # beats every 2 s
    try:
        job = store.submit(request(make_clip(40.0), fps=60)).id  # 2400 frames: it renders through the outage
        assert wait_until(lambda: store.get(job).progress > 0.05, timeout=EVENT_S)
        caplog.set_level("INFO")
        redis_server.kill()
        time.sleep(6.0)  # the outage itself, as in the report: what is measured is what it logs meanwhile
        redis_server.start(appendonly=True)
        assert wait_until(lambda: store.get(job).status == "delivered", timeout=EVENT_S)
        assert store.get(job).attempts == 1, "the render went on through the outage"
        worker_lines = [r for r in caplog.records if r.name.startswith(("bot.jobs.engine", "bot.jobs.worker"))]
        troubles = [r for r in worker_lines if r.levelno >= logging.WARNING]
        assert len(troubles) == 1 and troubles[0].exc_info is None, [r.getMessage() for r in troubles]
        assert troubles[0].getMessage().startswith("The job engine cannot be reached (")
        assert "Traceback" not in caplog.text
    finally:
        worker.stop()
        dispatching.stop()
