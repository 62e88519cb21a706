"""The queue's commands: submit, worker, jobs (list, show, cancel), stats."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.service import open_store, retention, submit_file
from bot.settings import Settings
from bot.worker import Worker, WorkerConfig
from pipeline.render import FrameGenerator, RenderOptions
from storage.jobs import JobStore
from storage.models import Job, JobStatus

log = logging.getLogger(__name__)

OptionsFrom = Callable[[argparse.Namespace, Settings], RenderOptions]
GeneratorFrom = Callable[[argparse.Namespace, Settings, str], FrameGenerator]


def cmd_submit(args: argparse.Namespace, settings: Settings, options_from: OptionsFrom) -> int:
    """Queue one file and print its id, place and estimated wait."""
    store = open_store(settings)
    accepted = submit_file(
        store, Path(args.source), options_from(args, settings),
        platform="cli", requester_id=args.requester, words=args.classes,
    )  # fmt: skip
    place = accepted.place
    where = f", position {place.position}, about {place.wait_s:.0f} s to wait" if place else ""
    print(f"job {accepted.job.id} queued{where}")
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings, generator_from: GeneratorFrom) -> int:
    """Render queued jobs until SIGINT/SIGTERM (or, with --once, until the queue is empty)."""
    from pipeline.generator import pick_model  # torch, on the main thread before any other starts

    store = open_store(settings)
    model = pick_model(args.model or settings.model, args.device or settings.device)
    config = WorkerConfig(lease_s=args.lease or settings.lease_s, model_name=model)
    generator = generator_from(args, settings, model)  # missing weights: one sentence now, not a failed job later
    worker = Worker(store, lambda: generator, config)
    if args.once:
        while worker.run_once():
            pass
        return 0
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: worker.stop_event.set())
    store.cleanup(retention(settings))
    worker.run()
    return 0


def cmd_jobs(args: argparse.Namespace, settings: Settings) -> int:
    """List recent jobs, show one, or cancel one."""
    store = open_store(settings)
    if args.action == "show":
        job = store.get(_job_id(args))
        _emit(job_record(job, store), args.json, _describe_job)
    elif args.action == "cancel":
        return _cancel(store, _job_id(args))
    else:
        jobs = [job_record(job, store) for job in store.recent(args.limit)]
        _emit(jobs, args.json, _table)
    return 0


def _cancel(store: JobStore, job_id: int) -> int:
    before = JobStatus(store.get(job_id).status)
    if before not in (JobStatus.QUEUED, JobStatus.RUNNING):
        print(
            f"ganterp: job {job_id} is {before.value}; only queued or running jobs can be cancelled.", file=sys.stderr
        )
        return 1
    running = store.cancel(job_id) is JobStatus.RUNNING
    print(f"job {job_id}: {'cancel requested; it stops within a few seconds' if running else 'cancelled'}")
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    """Counts by status, mean wait and render time per platform."""
    stats = open_store(settings).stats()
    if args.json:
        print(json.dumps(stats, indent=2))
        return 0
    print(f"{stats['total']} jobs: " + ", ".join(f"{n} {s}" for s, n in sorted(stats["by_status"].items())))
    for platform, entry in sorted(stats["by_platform"].items()):
        wait, took = entry["mean_wait_s"], entry["mean_render_s"]
        print(f"  {platform}: {entry['jobs']} jobs, mean wait {_secs(wait)}, mean render {_secs(took)}")
    return 0


def job_record(job: Job, store: JobStore) -> dict[str, Any]:
    """A job as plain data for --json and for the table."""
    place = store.place(job.id) if job.status == "queued" else None
    times = {
        name: getattr(job, name).isoformat() if getattr(job, name) else None
        for name in ("created_at", "started_at", "rendered_at", "delivered_at", "failed_at", "cancelled_at")
    }
    return {
        "id": job.id, "platform": job.platform, "requester": job.requester_name or job.requester_id,
        "status": job.status, "stage": job.stage, "progress": round(job.progress, 3), "eta_s": job.eta_s,
        "attempts": job.attempts, "seed": job.seed, "classes": job.classes, "words": job.words,
        "source": job.source_ref, "output": job.output_path, "output_bytes": job.output_bytes,
        "error": job.user_error, "operator_error": job.operator_error,
        "position": place.position if place else None, "wait_s": round(place.wait_s, 1) if place else None,
        **times,
    }  # fmt: skip


def _job_id(args: argparse.Namespace) -> int:
    if args.job_id is None:
        raise SystemExit("ganterp: give a job id, e.g. `ganterp jobs show 42`.")
    return int(args.job_id)


def _emit(data: Any, as_json: bool, render: Callable[[Any], str]) -> None:
    print(json.dumps(data, indent=2) if as_json else render(data))


def _table(jobs: list[dict[str, Any]]) -> str:
    if not jobs:
        return "no jobs yet"
    lines = [f"{'id':>5}  {'requester':<16} {'status':<10} {'progress':>8}  created"]
    for job in jobs:
        progress = f"{job['progress'] * 100:.0f}%" if job["status"] == "running" else ""
        lines.append(
            f"{job['id']:>5}  {job['requester'][:16]:<16} {job['status']:<10} {progress:>8}  {job['created_at'][:19]}"
        )
    return "\n".join(lines)


def _describe_job(job: dict[str, Any]) -> str:
    return "\n".join(f"{name:>15}: {value}" for name, value in job.items() if value not in (None, [], ""))


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"
