"""Queue load benchmark: 200 jobs from 20 requesters submitted at once, rendered by two workers.

Prints whether every job ran exactly once, how fairly requesters were served and
the throughput. Uses a tiny BigGAN and short clips: it measures the queue, not the GPU.

    python bench/queue_load.py [--jobs 200] [--requesters 20] [--workers 2] [--engine] [--both]

--engine runs the scale-out path instead: a redis-server of its own on a free loopback port, the
dispatcher (as `ganterp dispatch` runs it) in this process, and `ganterp worker --queue` processes.
--both runs the embedded queue and the engine on the same jobs, one after the other, and prints the
cost the engine adds per job.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from scipy.io import wavfile

from pipeline.biggan.testing import write_tiny_weights
from pipeline.render import RenderOptions
from storage.db import make_engine, migrate, sqlite_url
from storage.jobs import JobRequest, JobStore, QueueLimits
from storage.models import Job

ROOT = Path(__file__).resolve().parents[1]


def make_clip(folder: Path, seconds: float = 1.5) -> Path:
    """A short two-tone WAV."""
    t = np.arange(int(44_100 * seconds)) / 44_100
    tone = 0.3 * np.sin(2 * np.pi * np.where(t < seconds / 2, 220, 330) * t)
    path = folder / "clip.wav"
    wavfile.write(path, 44_100, (tone * 32767).astype(np.int16))
    return path


def submit_all(store: JobStore, clip: Path, jobs: int, requesters: int) -> float:
    """Every requester submits its share from its own thread, all at once; returns seconds taken."""
    per_requester = jobs // requesters
    options = RenderOptions(fps=4).as_dict()

    def submit_for(requester: int) -> None:
        name = f"user{requester}"
        for _ in range(per_requester):
            store.submit(JobRequest("cli", name, "file", clip.name, clip, seed=requester, options=options))

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=requesters) as pool:
        list(pool.map(submit_for, range(requesters)))
    return time.perf_counter() - started


def run_workers(data_dir: Path, weights: Path, workers: int) -> float:
    """Start the workers as separate processes (as on separate GPUs) and wait for the queue to drain."""
    env = {**os.environ, "GANTERP_DATA_DIR": str(data_dir), "GANTERP_WEIGHTS_DIR": str(weights)}
    command = [sys.executable, "-m", "bot.cli", "worker", "--once"]
    started = time.perf_counter()
    processes = [subprocess.Popen(command, env=env, cwd=ROOT) for _ in range(workers)]
    if any(process.wait() != 0 for process in processes):
        raise SystemExit("a worker failed")
    return time.perf_counter() - started


def run_engine_workers(data_dir: Path, weights: Path, workers: int, store: JobStore, jobs: int) -> float:
    """A redis-server, the dispatcher in this process and `ganterp worker --queue` processes; waits for all jobs."""
    from bot.jobs.dispatch import DispatchConfig, Dispatcher
    from bot.jobs.engine.saq_engine import SaqEngine

    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("--engine needs redis-server (apt-get install -y redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    redis = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(data_dir)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    env = {
        **os.environ,
        "GANTERP_WEIGHTS_DIR": str(weights),
        "GANTERP_LOG_LEVEL": "WARNING",
        "GANTERP_DATA_DIR": str(data_dir / "unused"),
    }
    command = [sys.executable, "-m", "bot.cli", "worker", "--queue", url]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        time.sleep(0.5)
        engine = SaqEngine(url, "bench", max_attempts=3)
        dispatcher = Dispatcher(store, engine, DispatchConfig())
        thread = threading.Thread(target=dispatcher.run, daemon=True)
        env["GANTERP_QUEUE_NAME"] = "bench"
        started = time.perf_counter()
        processes = [subprocess.Popen(command, env=env, cwd=ROOT) for _ in range(workers)]
        thread.start()
        while sum(job.status == "delivered" for job in store.recent(jobs * 2)) < jobs:
            if any(process.poll() is not None for process in processes):
                raise SystemExit("a worker failed")
            time.sleep(0.5)
        took = time.perf_counter() - started
        dispatcher.stop_event.set()
        thread.join(10)
        engine.close()
        return took
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(30)
        redis.kill()
        redis.wait()


def busy_span(jobs: list[Job]) -> float:
    """Seconds from the first job's start to the last one's end: the queue's own time, without process start-up."""
    starts = [job.started_at for job in jobs if job.started_at is not None]
    ends = [job.delivered_at for job in jobs if job.delivered_at is not None]
    return (max(ends) - min(starts)).total_seconds()


def fairness(jobs: list[Job], requesters: int) -> tuple[int, float]:
    """(requesters served among the first `requesters` starts, Jain's index of mean wait per requester)."""
    by_start = sorted(jobs, key=lambda job: (job.started_at, job.id))
    first_round = len({job.requester_id for job in by_start[:requesters]})
    waits: dict[str, list[float]] = {}
    for job in jobs:
        assert job.started_at is not None
        waits.setdefault(job.requester_id, []).append((job.started_at - job.created_at).total_seconds())
    means = [statistics.mean(values) for values in waits.values()]
    jain = sum(means) ** 2 / (len(means) * sum(m * m for m in means))
    return first_round, jain


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--requesters", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engine", action="store_true", help="scale-out: the job engine on a redis-server")
    parser.add_argument("--both", action="store_true", help="embedded, then the engine, and the difference")
    args = parser.parse_args()
    modes = [False, True] if args.both else [args.engine]
    spans = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        weights = folder / "tiny"
        write_tiny_weights(weights)
        clip = make_clip(folder)
        for engine_mode in modes:
            data = folder / ("engine" if engine_mode else "embedded")
            data.mkdir()
            engine = make_engine(sqlite_url(data))
            migrate(engine)
            per_requester = args.jobs // args.requesters
            store = JobStore(engine, data, QueueLimits(per_requester=per_requester, total=args.jobs))
            submit_s = submit_all(store, clip, args.jobs, args.requesters)
            if engine_mode:
                work_s = run_engine_workers(data, weights, args.workers, store, args.jobs)
            else:
                work_s = run_workers(data, weights, args.workers)
            jobs = store.recent(args.jobs * 2)
            print(f"--- {'engine (SAQ on Redis)' if engine_mode else 'embedded (SQLite)'}")
            report(jobs, args, submit_s, work_s)
            spans[engine_mode] = busy_span(jobs)
    if args.both:
        added = (spans[True] - spans[False]) * args.workers / args.jobs
        print(
            f"added cost per job through the engine: {added * 1000:.0f} ms of a worker's time "
            f"(busy span {spans[False]:.1f} s embedded, {spans[True]:.1f} s engine)"
        )


def report(jobs: list[Job], args: argparse.Namespace, submit_s: float, work_s: float) -> None:
    """Print exactly-once, fairness and throughput figures."""
    delivered = [job for job in jobs if job.status == "delivered"]
    once = all(job.attempts == 1 for job in jobs) and len({job.output_path for job in delivered}) == len(delivered)
    first_round, jain = fairness(delivered, args.requesters)
    print(f"jobs submitted: {len(jobs)} by {args.requesters} requesters in {submit_s:.2f} s (concurrently)")
    print(f"delivered: {len(delivered)}/{len(jobs)}, each exactly once: {once}")
    print(f"first {args.requesters} starts served {first_round}/{args.requesters} requesters (round robin)")
    print(f"Jain's fairness index of mean wait per requester: {jain:.3f} (1.0 = perfectly even)")
    print(f"throughput: {len(delivered) / work_s:.2f} jobs/s with {args.workers} workers ({work_s:.1f} s)")
    handed = [job for job in delivered if job.dispatched_at is not None and job.started_at is not None]
    if handed:  # engine mode: from the dispatcher's hand-out to a worker's start (a worker was free)
        latency = statistics.median((job.started_at - job.dispatched_at).total_seconds() for job in handed)  # type: ignore[operator]
        print(f"hand-out to start on a worker: median {latency * 1000:.0f} ms")
    span = busy_span(delivered)
    print(
        f"busy span (first start to last delivery, no process start-up): {span:.1f} s, "
        f"{len(delivered) / span:.2f} jobs/s"
    )
    if len(delivered) != len(jobs) or not once:
        raise SystemExit("FAILED: a job was lost or ran twice")


if __name__ == "__main__":
    main()
