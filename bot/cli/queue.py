"""The queue's commands: submit, worker, dispatch, workers, jobs (list, show, cancel), stats."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.cli.options import generator_for, render_options
from bot.cli.wording import counted
from bot.jobs.housekeeping import start_housekeeping
from bot.jobs.worker import RenderQueue, Worker, WorkerConfig
from bot.listening import lyrics_listener
from bot.service import open_store, retention, submit_file
from bot.settings import Settings, SettingsError
from pipeline.links.urls import redacted
from storage.jobs import JobStore
from storage.models import Job, JobStatus, WorkerRecord

log = logging.getLogger(__name__)


def cmd_submit(args: argparse.Namespace, settings: Settings) -> int:
    """Queue one file and print its id, place and estimated wait."""
    store = open_store(settings)
    options = render_options(args, settings)
    accepted = submit_file(
        store, Path(args.source), options, platform="cli", requester_id=args.requester, words=args.classes
    )
    place = accepted.place
    where = f", position {place.position}, about {place.wait_s:.0f} s to wait" if place else ""
    print(f"job {accepted.job.id} queued{where}")
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Render queued jobs until SIGINT/SIGTERM (or, with --once, until the queue is empty).

    With --queue (or GANTERP_QUEUE_URL) the jobs come from the job engine: this machine needs only
    that URL and the weights; it never opens the job log.
    """
    from pipeline.biggan.device import pick_model  # torch, on the main thread before any other starts

    url = args.queue or settings.queue_url
    if url is not None and not url.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(f"--queue must be a Redis URL such as redis://host:6379/0 (got {redacted(url)!r}).")
    model = pick_model(args.model or settings.model, args.device or settings.device)
    lease_s = args.lease or settings.lease_s
    generator = generator_for(args, settings, model)  # missing weights: one sentence now, not a failed job later
    if url is None:
        store: RenderQueue | JobStore = open_store(settings)
        config = WorkerConfig(lease_s=lease_s, model_name=model, listener=lyrics_listener(settings))
    else:
        from bot.jobs.engine import open_remote_queue

        store = open_remote_queue(url, dataclasses.replace(settings, lease_s=lease_s))
        config = WorkerConfig(  # it waits in Redis instead of polling
            lease_s=lease_s, model_name=model, poll_s=0.0, listener=lyrics_listener(settings)
        )
    worker = Worker(store, lambda: generator, config)
    try:
        if url is not None:
            worker.warm_up()  # a dispatcher hands jobs only to the workers it knows
        if args.once:
            while worker.run_once():
                pass
            return 0
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: worker.stop_event.set())
        if isinstance(store, JobStore):  # the embedded queue: this process owns files of the job log too
            start_housekeeping(store, retention(settings), worker.stop_event)
        worker.run()
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            close()
    return 0


def cmd_dispatch(args: argparse.Namespace, settings: Settings) -> int:
    """Feed the job engine from the job log and mirror it back, until SIGINT/SIGTERM (no chat front end)."""
    from bot.jobs.dispatch import DispatchConfig, Dispatcher
    from bot.jobs.engine import open_engine, serve_dashboard

    if settings.queue_url is None:
        raise SettingsError("ganterp dispatch needs GANTERP_QUEUE_URL (redis://host:6379/0): where the workers listen.")
    store = open_store(settings)
    engine = open_engine(settings)
    dispatcher = Dispatcher(store, engine, DispatchConfig(lease_s=settings.lease_s))
    try:
        dispatcher.take_lease()  # one dispatcher per job log: a second one says so and exits
        dashboard = serve_dashboard(settings)
    except BaseException:
        dispatcher.give_back_lease()
        engine.close()
        raise
    if dashboard is not None:
        log.info("the engine's dashboard is at %s", dashboard.address)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: dispatcher.stop_event.set())
    try:
        start_housekeeping(store, retention(settings), dispatcher.stop_event)
        dispatcher.run()
    finally:
        if dashboard is not None:
            dashboard.close()
        engine.close()
    return 0


def cmd_workers(args: argparse.Namespace, settings: Settings) -> int:
    """The render workers the job log knows: where, what, how fast, alive or not; and the engine's queue."""
    store = open_store(settings)
    now = store.clock()
    rows = [_worker_row(w, now, settings.lease_s) for w in store.workers.all()]
    engine: dict[str, Any] | None = None
    if settings.queue_url is not None:
        from bot.jobs.dispatch import EngineUnavailable
        from bot.jobs.engine import open_engine

        try:
            connection = open_engine(settings)
            try:
                engine = {"reachable": True, **connection.counts()}
            finally:
                connection.close()
        except EngineUnavailable as exc:
            engine = {"reachable": False, "error": exc.reason}
    if args.json:
        print(json.dumps({"workers": rows, "engine": engine}, indent=2))
        return 0
    print(_workers_table(rows))
    if engine is not None:
        if engine["reachable"]:
            print(f"engine: {engine['queued']} waiting, {engine['active']} rendering, {engine['workers']} workers live")
        else:
            print(f"engine: cannot be reached ({engine['error']})")
    return 0


def _worker_row(worker: WorkerRecord, now: dt.datetime, lease_s: float) -> dict[str, Any]:
    """A worker as plain data for --json and for the table; one silent past its lease is "silent"."""
    silent_s = (now - worker.heartbeat_at).total_seconds()
    return {
        "worker": worker.worker_id,
        "host": worker.host,
        "model": worker.model,
        "device": worker.device,
        "state": worker.state if worker.state == "stopped" or silent_s <= lease_s else "silent",
        "job": worker.current_job_id,
        "jobs_done": worker.jobs_done,
        "ms_per_frame": round(worker.seconds_per_frame * 1000, 1) if worker.seconds_per_frame else None,
        "last_beat_s": round(silent_s, 1),
        "started_at": worker.started_at.isoformat(),
    }


def _workers_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no workers yet"
    lines = [f"{'worker':<28} {'state':<9} {'job':>5} {'done':>5} {'ms/frame':>9} {'beat':>7}  model, device"]
    for row in rows:
        job = "" if row["job"] is None else str(row["job"])
        speed = "" if row["ms_per_frame"] is None else f"{row['ms_per_frame']:.0f}"
        lines.append(
            f"{row['worker'][:28]:<28} {row['state']:<9} {job:>5} {row['jobs_done']:>5} {speed:>9} "
            f"{row['last_beat_s']:>6.0f}s  {row['model']}, {row['device']}"
        )
    return "\n".join(lines)


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
    if not stats["total"]:
        print("no jobs yet")
        return 0
    print(f"{counted(stats['total'], 'job')}: " + ", ".join(f"{n} {s}" for s, n in sorted(stats["by_status"].items())))
    for platform, entry in sorted(stats["by_platform"].items()):
        wait, took = entry["mean_wait_s"], entry["mean_render_s"]
        print(f"  {platform}: {counted(entry['jobs'], 'job')}, mean wait {_secs(wait)}, mean render {_secs(took)}")
    return 0


def job_record(job: Job, store: JobStore) -> dict[str, Any]:
    """A job as plain data for --json and for the table."""
    place = store.place(job.id) if job.status == "queued" else None
    times = {
        name: getattr(job, name).isoformat() if getattr(job, name) else None
        for name in ("created_at", "started_at", "rendered_at", "delivered_at", "failed_at", "cancelled_at")
    }
    return {
        "id": job.id,
        "platform": job.platform,
        "requester": job.requester_name or job.requester_id,
        "status": job.status,
        "stage": job.stage,
        "progress": round(job.progress, 3),
        "eta_s": job.eta_s,
        "attempts": job.attempts,
        "seed": job.seed,
        "classes": job.classes,
        "words": job.words,
        "source": job.source_ref,
        "output": job.output_path,
        "output_bytes": job.output_bytes,
        "error": job.user_error,
        "operator_error": job.operator_error,
        "position": place.position if place else None,
        "wait_s": round(place.wait_s, 1) if place else None,
        **times,
    }


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
