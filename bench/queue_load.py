"""Queue load benchmark: 200 jobs from 20 requesters submitted at once, rendered by two workers.

Prints whether every job ran exactly once, how fairly requesters were served and
the throughput. Uses a tiny BigGAN and short clips: it measures the queue, not the GPU.

    python bench/queue_load.py [--jobs 200] [--requesters 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from scipy.io import wavfile

from pipeline.generator import build_random_biggan, save_biggan, tiny_config
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        weights = folder / "tiny"
        save_biggan(build_random_biggan(tiny_config(32)), weights)
        data = folder / "data"
        data.mkdir()
        engine = make_engine(sqlite_url(data))
        migrate(engine)
        per_requester = args.jobs // args.requesters
        store = JobStore(engine, data, QueueLimits(per_requester=per_requester, total=args.jobs))
        submit_s = submit_all(store, make_clip(folder), args.jobs, args.requesters)
        work_s = run_workers(data, weights, args.workers)
        jobs = store.recent(args.jobs * 2)
        report(jobs, args, submit_s, work_s)


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
    if len(delivered) != len(jobs) or not once:
        raise SystemExit("FAILED: a job was lost or ran twice")


if __name__ == "__main__":
    main()
