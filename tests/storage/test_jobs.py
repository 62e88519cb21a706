"""The job log and queue on real SQLite files: limits, fairness, cancel, crash recovery, racing workers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from alembic.script import ScriptDirectory

from bot.cli.main import main
from bot.jobs.worker import Worker, WorkerConfig
from pipeline.biggan.generator import BigGANGenerator
from pipeline.render import RenderOptions
from storage.db import MIGRATIONS, make_engine, migrate, sqlite_url
from storage.jobs import ClaimedQueue, CoolingDown, JobRequest, JobStore, QueueFull, QueueLimits, TooManyQueued
from storage.models import JobStatus
from tests.conftest import ClipMaker, wait_until
from tests.paths import ROOT

WAIT_S = 120.0  # bound on waiting for another thread or process: generous, for a loaded machine


def open_store(data_dir: Path, **limits: float) -> JobStore:
    engine = make_engine(sqlite_url(data_dir))
    data_dir.mkdir(parents=True, exist_ok=True)
    migrate(engine)
    return JobStore(engine, data_dir, QueueLimits(**limits))  # type: ignore[arg-type]


def request(audio: Path, requester: str = "alice", **options: object) -> JobRequest:
    return JobRequest(
        platform="cli",
        requester_id=requester,
        source_kind="file",
        source_ref=audio.name,
        audio_file=audio,
        seed=1,
        options=RenderOptions(**({"fps": 4} | options)).as_dict(),  # type: ignore[arg-type]
    )


def test_schema_comes_from_migrations_and_sqlite_uses_wal(tmp_path: Path, make_clip: ClipMaker) -> None:
    store = open_store(tmp_path / "data")
    migrate(make_engine(sqlite_url(tmp_path / "data")))  # a second start changes nothing
    with sqlite3.connect(tmp_path / "data" / "ganterp.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        newest = ScriptDirectory(str(MIGRATIONS)).get_current_head()  # any later migration moves the head
        assert db.execute("SELECT version_num FROM alembic_version").fetchone()[0] == newest
    job = store.submit(request(make_clip(1.5)))
    assert job.id == 1 and job.status == "queued"
    stored = store.get(job.id)
    assert stored.created_at.tzinfo is not None and stored.created_at <= dt.datetime.now(dt.UTC)
    assert Path(stored.audio_path or "").parent == tmp_path / "data" / "audio"


def test_limits_refuse_with_nothing_half_created(tmp_path: Path, make_clip: ClipMaker) -> None:
    store = open_store(tmp_path / "data", per_requester=2, total=3)
    clip = make_clip(1.5)
    store.submit(request(clip, "alice"))
    store.submit(request(clip, "alice"))
    with pytest.raises(TooManyQueued, match="already have 2 jobs"):
        store.submit(request(clip, "alice"))
    store.submit(request(clip, "bob"))
    with pytest.raises(QueueFull):
        store.submit(request(clip, "carol"))
    assert len(store.recent(50)) == 3
    assert len(list(store.audio_dir.iterdir())) == 3, "a refused job leaves no stored audio"
    cooling = open_store(tmp_path / "other", cooldown_s=60)
    cooling.submit(request(clip, "dave"))
    with pytest.raises(CoolingDown, match="please wait"):
        cooling.submit(request(clip, "dave"))


def test_fair_between_requesters_and_queue_place(tmp_path: Path, make_clip: ClipMaker) -> None:
    store = open_store(tmp_path / "data", per_requester=10)
    clip = make_clip(1.5)
    busy = [store.submit(request(clip, "alice")).id for _ in range(4)]
    bob = store.submit(request(clip, "bob")).id
    place = store.place(bob)
    assert place is not None and place.position == 2 and place.wait_s > 0
    order = [store.claim_next("w").id for _ in range(5)]  # type: ignore[union-attr]
    assert order == [busy[0], bob, busy[1], busy[2], busy[3]]
    assert store.claim_next("w") is None


def test_worker_renders_and_cancel_stops_queued_and_running(
    tmp_path: Path, make_clip: ClipMaker, tiny_weights: Path
) -> None:
    store = open_store(tmp_path / "data", per_requester=10)
    clip = make_clip(3.0)
    done = store.submit(request(clip)).id
    never = store.submit(request(clip)).id
    assert store.cancel(never) is JobStatus.CANCELLED
    worker = Worker(store, lambda: BigGANGenerator(tiny_weights), WorkerConfig(progress_every_s=0.0))
    assert worker.run_once() and not worker.run_once()
    finished = store.get(done)
    assert finished.status == "delivered" and finished.attempts == 1 and Path(finished.output_path or "").is_file()
    assert store.get(never).started_at is None

    running = store.submit(request(make_clip(20.0), fps=30)).id
    slow = _SlowGenerator(BigGANGenerator(tiny_weights, batch_size=2))
    thread = threading.Thread(target=Worker(store, lambda: slow, WorkerConfig(progress_every_s=0.0)).run_once)
    thread.start()
    assert slow.started.wait(WAIT_S), "the render started"
    assert store.cancel(running) is JobStatus.RUNNING
    thread.join(WAIT_S)
    assert not thread.is_alive()
    cancelled = store.get(running)
    assert cancelled.status == "cancelled" and cancelled.progress < 0.5
    assert not list(store.output_dir.glob(f"job-{running}.mp4")) and not list(store.output_dir.glob(".*partial"))
    assert cancelled.preview_path, "the first look came before the video"


class _SlowGenerator:
    def __init__(self, inner: BigGANGenerator) -> None:
        self.inner, self.output_size, self.batch_size = inner, inner.output_size, inner.batch_size
        self.device, self.precision = inner.device, inner.precision
        self.started = threading.Event()

    def generate(self, z: np.ndarray, y: np.ndarray, truncation: float, size: int | None = None) -> np.ndarray:
        self.started.set()
        time.sleep(0.02)
        return self.inner.generate(z, y, truncation, size)


def test_failed_jobs_keep_the_users_and_the_operators_error(tmp_path: Path, make_clip: ClipMaker) -> None:
    store = open_store(tmp_path / "data", per_requester=5)
    damaged = store.submit(request(make_clip(2.0))).id
    stored = Path(store.get(damaged).audio_path or "")
    stored.write_bytes(stored.read_bytes()[:40_001])  # the stored copy was damaged after it was accepted
    crashing = store.submit(request(make_clip(2.0))).id

    def broken_loader() -> BigGANGenerator:
        raise MemoryError("out of GPU memory")

    worker = Worker(store, broken_loader)
    worker.run_once()
    worker.run_once()
    first, second = store.get(damaged), store.get(crashing)
    assert first.status == "failed" and (first.user_error or "").startswith("the clip is damaged or truncated")
    assert str(stored) not in (first.user_error or "") and str(stored) in (first.operator_error or "")
    assert (first.operator_error or "").startswith("CorruptMedia")
    assert second.status == "failed" and second.user_error == f"something went wrong (job #{crashing})."
    assert "MemoryError: out of GPU memory" in (second.operator_error or "")


def worker_env(data_dir: Path, weights: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GANTERP_DATA_DIR": str(data_dir),
        "GANTERP_WEIGHTS_DIR": str(weights),
        "GANTERP_CACHE_DIR": str(data_dir / "cache"),
        "PYTHONPATH": str(ROOT),
    }


def test_kill_9_mid_render_then_restart_finishes_the_job_once(
    tmp_path: Path, make_clip: ClipMaker, tiny_weights: Path
) -> None:
    data = tmp_path / "data"
    store = open_store(data, per_requester=10)
    long_job = store.submit(request(make_clip(12.0), fps=60)).id
    waiting = store.submit(request(make_clip(2.0))).id
    env = worker_env(data, tiny_weights)
    worker = subprocess.Popen([sys.executable, "-m", "bot.cli", "worker", "--batch-size", "1"], env=env, cwd=ROOT)
    try:
        assert wait_until(lambda: store.get(long_job).progress > 0.05, timeout=WAIT_S)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert store.get(long_job).status == "running", "killed mid-render"
    # No waiting for the lease: the new worker sees the old one's process is gone.
    command = [sys.executable, "-m", "bot.cli", "worker", "--once"]
    subprocess.run(command, env=env, cwd=ROOT, check=True, timeout=5 * WAIT_S)
    redone, other = store.get(long_job), store.get(waiting)
    assert redone.status == other.status == "delivered"
    assert redone.attempts == 2 and other.attempts == 1
    assert Path(redone.output_path or "").is_file()
    assert not list(store.output_dir.glob(".*partial*")), "the killed attempt's partial file is not left as output"


def test_an_abandoned_job_fails_after_max_attempts(tmp_path: Path, make_clip: ClipMaker) -> None:
    store = open_store(tmp_path / "data", max_attempts=2)
    job = store.submit(request(make_clip(1.5))).id
    for attempt in (1, 2):
        claimed = store.claim_next(f"w{attempt}")
        assert claimed is not None and claimed.id == job
        store.clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)  # the lease runs out
        assert store.recover_stale(lease_s=60) == [job]
        store.clock = lambda: dt.datetime.now(dt.UTC)
    failed = store.get(job)
    assert failed.status == "failed" and "stopped 2 times" in (failed.user_error or "")


def _taken_back(store: JobStore, worker: ClaimedQueue, job: int) -> None:
    """`worker` holds `job`; its lease runs out (paused, cut off) and the job is queued again."""
    claimed = worker.claim_next(worker.worker_id)
    assert claimed is not None and claimed.id == job
    now = store.clock
    store.clock = lambda: now() + dt.timedelta(minutes=10)
    assert store.recover_stale(lease_s=60) == [job]
    store.clock = now


def test_a_worker_whose_job_was_taken_back_changes_nothing(tmp_path: Path, make_clip: ClipMaker) -> None:
    store = open_store(tmp_path / "data")
    old, new = store.for_worker("host:1"), open_store(tmp_path / "data").for_worker("host:2")  # two workers
    job = store.submit(request(make_clip(1.5))).id
    _taken_back(store, old, job)
    assert old.report_progress(job, "render", 0.5, None), "told to stop: the job is not running under its claim"
    assert not old.mark_cancelled(job), "a requeued job is not cancelled by a worker that lost it"
    assert store_status(store, job) == "queued" and not store.get(job).cancel_requested

    again = new.claim_next("host:2")
    assert again is not None and again.attempt == 2
    old.heartbeat(job)
    assert old.report_progress(job, "render", 0.9, None)
    assert not old.mark_rendered(job, old.output_dir / "old.mp4", 1, 1)
    assert not old.mark_failed(job, "no.", "no") and not old.release(job)
    assert store.get(job).worker_id == "host:2" and store.get(job).progress == 0.0
    assert not new.report_progress(job, "render", 0.5, None)
    assert new.mark_rendered(job, new.output_dir / "new.mp4", 1, 1)
    assert store.mark_delivered(job), "the front end, in the old worker's process too, is never refused"
    assert not new.mark_rendered(job, new.output_dir / "late.mp4", 1, 1), "a delivered job never goes back"
    assert not store.mark_rendered(job, store.output_dir / "late.mp4", 1, 1)
    assert not store.mark_delivered(job) and not store.mark_failed(job, "late.", "late")
    final = store.get(job)
    assert final.status == "delivered" and final.output_path == str(store.output_dir / "new.mp4")
    assert store.undelivered("cli") == []


def test_two_workers_of_one_process_are_never_taken_for_each_other(tmp_path: Path, make_clip: ClipMaker) -> None:
    store = open_store(tmp_path / "data")
    stalled, live = store.for_worker("host:7"), store.for_worker("host:7")  # one process, two threads, one id
    job = store.submit(request(make_clip(1.5))).id
    _taken_back(store, stalled, job)
    assert live.claim_next("host:7") is not None
    assert stalled.report_progress(job, "render", 0.5, None) and not stalled.mark_rendered(job, Path("a.mp4"), 1, 1)
    assert not live.report_progress(job, "render", 0.5, None) and live.mark_rendered(job, Path("b.mp4"), 1, 1)
    assert store.get(job).output_path == "b.mp4"


def store_status(store: JobStore, job: int) -> str:
    return store.get(job).status


def test_a_worker_whose_job_was_taken_back_drops_its_video(
    tmp_path: Path, make_clip: ClipMaker, tiny_weights: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_store(tmp_path / "data")
    job = store.submit(request(make_clip(1.5))).id
    worker = Worker(store, lambda: BigGANGenerator(tiny_weights), WorkerConfig(progress_every_s=0.0))
    real_mark = store.mark_rendered

    def lose_it_first(*args: object, **kwargs: object) -> bool:
        store.clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
        store.recover_stale(lease_s=60)  # another worker's sweep, while this one encoded
        store.clock = lambda: dt.datetime.now(dt.UTC)
        return real_mark(*args, **kwargs)  # type: ignore[arg-type]

    store.mark_rendered = lose_it_first  # type: ignore[method-assign]
    with caplog.at_level("INFO"):
        assert worker.run_once()
    assert store.get(job).status == "queued" and "no longer this worker's" in caplog.text


def test_a_cancel_that_arrives_as_the_encoder_finishes_is_kept(
    tmp_path: Path, make_clip: ClipMaker, tiny_weights: Path
) -> None:
    store = open_store(tmp_path / "data")
    job = store.submit(request(make_clip(1.5))).id
    generator = BigGANGenerator(tiny_weights)
    worker = Worker(store, lambda: generator, WorkerConfig(progress_every_s=1e9))  # no report during the frames
    real_finish_encode = generator.generate
    frames_done = threading.Event()

    def last_batch_then_cancel(*args: object, **kwargs: object) -> np.ndarray:
        frames = real_finish_encode(*args, **kwargs)  # type: ignore[arg-type]
        if store.get(job).status == "running":
            store.cancel(job)
            frames_done.set()
        return frames

    generator.generate = last_batch_then_cancel  # type: ignore[method-assign]
    assert worker.run_once() and frames_done.is_set()
    assert store.get(job).status == "cancelled"
    assert not list(store.output_dir.glob(f"job-{job}.*")), "no video is left for anyone to post"


def test_the_worker_outlives_a_round_that_fails(
    tmp_path: Path, make_clip: ClipMaker, tiny_weights: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import sqlalchemy.exc

    store = open_store(tmp_path / "data")
    real_claim = store.claim_next
    failures = iter([True, True, False])

    def locked_twice(worker_id: str) -> object:
        if next(failures, False):
            raise sqlalchemy.exc.OperationalError("claim", {}, Exception("database is locked"))
        return real_claim(worker_id)

    store.claim_next = locked_twice  # type: ignore[assignment]
    worker = Worker(store, lambda: BigGANGenerator(tiny_weights), WorkerConfig(poll_s=0.01, max_backoff_s=0.6))
    job = store.submit(request(make_clip(1.5))).id
    thread = threading.Thread(target=worker.run)
    with caplog.at_level("INFO"):
        thread.start()
        try:
            assert wait_until(lambda: store.get(job).status == "delivered", timeout=WAIT_S)
            assert thread.is_alive()
        finally:
            worker.stop_event.set()
            thread.join(WAIT_S)
    assert not thread.is_alive()
    assert caplog.text.count("worker round failed") == 1, "one log line for the same failure in a row"
    assert "the worker round works again after 2 failed tries" in caplog.text


def test_two_workers_racing_take_each_job_once(tmp_path: Path, make_clip: ClipMaker, tiny_weights: Path) -> None:
    data = tmp_path / "data"
    store = open_store(data, per_requester=20)
    clip = make_clip(1.5)
    ids = [store.submit(request(clip, f"user{i % 3}")).id for i in range(8)]
    env = worker_env(data, tiny_weights)
    command = [sys.executable, "-m", "bot.cli", "worker", "--once"]
    workers = [subprocess.Popen(command, env=env, cwd=ROOT) for _ in range(2)]
    assert [w.wait(timeout=5 * WAIT_S) for w in workers] == [0, 0]
    jobs = [store.get(i) for i in ids]
    assert all(job.status == "delivered" and job.attempts == 1 for job in jobs)
    assert len({job.output_path for job in jobs}) == 8


def test_rendered_jobs_wait_for_their_front_end(tmp_path: Path, make_clip: ClipMaker, tiny_weights: Path) -> None:
    store = open_store(tmp_path / "data")
    clip = make_clip(1.5)
    for_discord = store.submit(dataclasses.replace(request(clip, "ann"), platform="discord", channel_id="42")).id
    Worker(store, lambda: BigGANGenerator(tiny_weights)).run_once()
    assert [job.id for job in store.undelivered("discord")] == [for_discord], "handed over again after a restart"
    posted: list[int] = []
    delivering = Worker(store, lambda: BigGANGenerator(tiny_weights), deliver={"x": lambda job: posted.append(job.id)})
    for_x = store.submit(dataclasses.replace(request(clip, "bea"), platform="x", tweet_id="7")).id
    delivering.run_once()
    assert posted == [for_x] and store.get(for_x).status == "rendered"


def test_cleanup_removes_old_files_and_keeps_the_log(tmp_path: Path, make_clip: ClipMaker) -> None:
    store = open_store(tmp_path / "data")
    job = store.submit(request(make_clip(1.5))).id
    store.cancel(job)
    audio = Path(store.get(job).audio_path or "")
    assert audio.is_file()
    assert store.cleanup(dt.timedelta(hours=1)) == 0
    store.clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    assert store.cleanup(dt.timedelta(hours=1)) == 1
    assert not audio.exists() and store.get(job).files_removed_at is not None


def test_stray_files_of_killed_processes_go_after_the_retention(tmp_path: Path, make_clip: ClipMaker) -> None:
    store = open_store(tmp_path / "data")
    live = store.submit(request(make_clip(1.5))).id
    (store.data_dir / "incoming").mkdir()
    strays = [
        store.data_dir / "incoming" / "1234.mp3",
        store.output_dir / ".job-9.mp4.77.partial",
        store.audio_dir / "0123abcd",
    ]
    for stray in strays:
        stray.write_bytes(b"left by a killed process")
    assert store.remove_strays(dt.timedelta(hours=1)) == 0, "young files may belong to work in progress"
    store.clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)
    assert store.remove_strays(dt.timedelta(minutes=1)) == 0, "never younger than an hour, whatever the retention"
    store.clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    assert store.remove_strays(dt.timedelta(hours=1)) == 3
    assert not any(stray.exists() for stray in strays)
    assert Path(store.get(live).audio_path or "").is_file(), "a queued job keeps its clip however old"


def test_housekeeping_runs_while_the_process_runs(tmp_path: Path, make_clip: ClipMaker) -> None:
    from bot.jobs.housekeeping import start_housekeeping

    store = open_store(tmp_path / "data")
    job = store.submit(request(make_clip(1.5))).id
    audio = Path(store.get(job).audio_path or "")
    stop = threading.Event()
    thread = start_housekeeping(store, dt.timedelta(seconds=0.2), stop, every_s=0.1)
    try:
        store.cancel(job)
        assert wait_until(lambda: not audio.exists(), timeout=WAIT_S), "removed by a later round, not only at start"
    finally:
        stop.set()
        thread.join(WAIT_S)
    assert not thread.is_alive()


def test_cli_submit_jobs_show_cancel_and_stats(
    tmp_path: Path, make_clip: ClipMaker, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GANTERP_DATA_DIR", str(tmp_path / "data"))
    clip = make_clip(2.0)
    assert main(["submit", str(clip), "--classes", "jellyfish", "--requester", "alice", "--seed", "3"]) == 0
    assert capsys.readouterr().out.startswith("job 1 queued, position 1")
    assert main(["submit", str(tmp_path / "missing.wav")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["jobs", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(j["id"], j["requester"], j["status"], j["classes"]) for j in listed] == [(1, "alice", "queued", [107])]
    assert main(["jobs", "show", "1"]) == 0 and "alice" in capsys.readouterr().out
    assert main(["jobs", "cancel", "1"]) == 0 and "cancelled" in capsys.readouterr().out
    assert main(["jobs", "cancel", "1"]) == 1, "a finished job cannot be cancelled"
    assert "job 1 is cancelled; only queued or running jobs can be cancelled." in capsys.readouterr().err
    assert main(["jobs", "show", "7"]) == 1 and "no job #7" in capsys.readouterr().err
    for beyond in (["jobs", "show", "99999999999999999999"], ["jobs", "cancel", "-3"], ["jobs", "--limit", "0"]):
        with pytest.raises(SystemExit) as refused:  # argparse: usage and one sentence, never a traceback
            main(beyond)
        assert refused.value.code == 2 and "is not a" in capsys.readouterr().err
    assert main(["stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["by_status"] == {"cancelled": 1}


def test_a_machine_without_weights_leaves_jobs_queued(tmp_path: Path, make_clip: ClipMaker, tiny_weights: Path) -> None:
    from pipeline.errors import WeightsUnavailable

    store = open_store(tmp_path / "data")
    job = store.submit(request(make_clip(1.5))).id

    def no_weights() -> BigGANGenerator:
        raise WeightsUnavailable("biggan-deep-128", "/cache/weights/biggan-deep-128", "no network")

    assert Worker(store, no_weights, WorkerConfig(setup_retry_s=0.0)).run_once()
    waiting = store.get(job)
    assert waiting.status == "queued" and waiting.attempts == 0 and waiting.user_error is None
    assert Worker(store, lambda: BigGANGenerator(tiny_weights)).run_once()
    assert store.get(job).status == "delivered"


def test_cli_worker_without_weights_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GANTERP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GANTERP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("GANTERP_ALLOW_DOWNLOAD", "false")
    assert main(["worker", "--once"]) == 1
    assert "put config.json and pytorch_model.bin in" in capsys.readouterr().err


def test_wait_estimates_come_from_frames_and_the_measured_speed(tmp_path: Path, make_clip: ClipMaker) -> None:
    from storage.jobs import DEFAULT_SECONDS_PER_FRAME, JOB_OVERHEAD_S
    from storage.workers import WorkerInfo

    store = open_store(tmp_path / "data", per_requester=10)
    clip = make_clip(1.5)
    first = store.submit(dataclasses.replace(request(clip, "ann"), n_frames=300)).id
    second = store.submit(dataclasses.replace(request(clip, "bob"), n_frames=100)).id
    # No worker has measured itself and nothing was rendered: a default speed.
    place = store.place(second)
    assert place is not None and place.wait_s == pytest.approx(2 * JOB_OVERHEAD_S + 400 * DEFAULT_SECONDS_PER_FRAME)
    # A worker measured 20 ms per frame: 300 + 100 frames at that speed, plus the fixed part of each job.
    store.workers.started(WorkerInfo("box:1", "box", "biggan-deep-128", "cpu"), 0.02)
    place = store.place(second)
    assert place is not None and place.wait_s == pytest.approx(2 * JOB_OVERHEAD_S + 400 * 0.02)
    # Two live workers share the queue ahead.
    store.workers.started(WorkerInfo("box:2", "box", "biggan-deep-128", "cpu"), 0.02)
    place = store.place(second)
    assert place is not None and place.wait_s == pytest.approx((JOB_OVERHEAD_S + 6.0) / 2 + JOB_OVERHEAD_S + 2.0)
    store.workers.stopped("box:1")
    store.workers.stopped("box:2")
    assert store.place(first) is not None and store.workers.alive(60) == []


def test_the_worker_logs_one_line_per_state_change(
    tmp_path: Path, make_clip: ClipMaker, tiny_weights: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    store = open_store(tmp_path / "data")
    job = store.submit(dataclasses.replace(request(make_clip(1.5)), n_frames=6)).id
    with caplog.at_level(logging.INFO, logger="bot.jobs"):
        Worker(store, lambda: BigGANGenerator(tiny_weights)).run_once()
    lines = [r.getMessage() for r in caplog.records if r.name in ("bot.jobs.worker", "bot.jobs.render_job")]
    assert [line.split(" ")[2] for line in lines if line.startswith(f"job {job} ")] == [
        "claimed",
        "prepared:",
        "preview:",
        "rendered",
        "delivered:",
    ]
    assert any(line.startswith("worker ") and "ms per frame" in line for line in lines)
    [worker] = store.workers.all()
    assert worker.seconds_per_frame and worker.jobs_done == 1


def test_the_migrations_make_exactly_the_models_tables(tmp_path: Path) -> None:
    """A model changed without a migration (or the reverse) fails here, not on someone's server."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.db import make_engine, migrate, sqlite_url
    from storage.models import Base
    from storage.x_state import XReply, XState, XUsage  # their tables join Base.metadata

    assert {XState.__tablename__, XUsage.__tablename__, XReply.__tablename__} <= set(Base.metadata.tables)

    engine = make_engine(sqlite_url(tmp_path))
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    # SQLAlchemy's Float and the migrations' Double are the same SQLite type.
    real = [d for d in differences if not (isinstance(d, list) and d and d[0][0] == "modify_type")]
    assert [d for d in real if d[0] != "remove_table" or d[1].name != "apscheduler_jobs"] == []
