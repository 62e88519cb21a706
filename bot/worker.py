"""The render worker: claims jobs one at a time, keeps the model loaded, reports progress, survives crashes.

One worker per GPU. Jobs a crashed worker left running are requeued by the next
worker that starts (or by any worker, once their heartbeat is older than the lease).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipeline.errors import PipelineError, RenderCancelled, WeightsInvalid, WeightsUnavailable
from pipeline.render import FrameGenerator, Progress, RenderOptions, prepare, render
from storage.models import Job

log = logging.getLogger(__name__)

Deliver = Callable[[Job], None]


class RenderQueue(Protocol):
    """The queue as the worker sees it; storage.jobs.JobStore is the embedded (SQLite) one.

    A scale-out queue (workers on other machines) implements the same few calls.
    """

    output_dir: Path

    def recover_stale(self, lease_s: float, worker_is_dead: Callable[[str], bool] | None = None) -> list[int]: ...
    def claim_next(self, worker_id: str) -> Job | None: ...
    def report_progress(self, job_id: int, stage: str, progress: float, eta_s: float | None) -> bool: ...
    def heartbeat(self, job_id: int) -> None: ...
    def mark_rendered(self, job_id: int, output: Path, size_bytes: int, seed: int) -> None: ...
    def mark_delivered(self, job_id: int) -> None: ...
    def mark_failed(self, job_id: int, user_error: str, operator_error: str) -> None: ...
    def mark_cancelled(self, job_id: int) -> None: ...
    def release(self, job_id: int) -> None: ...
    def get(self, job_id: int) -> Job: ...


@dataclass(frozen=True)
class WorkerConfig:
    """How often to poll, heartbeat and report, and when a silent job counts as abandoned."""

    lease_s: float = 120.0
    poll_s: float = 1.0
    heartbeat_s: float = 10.0
    progress_every_s: float = 1.0
    model_name: str = ""
    setup_retry_s: float = 60.0  # how long to wait before loading the model again after it failed


def default_worker_id() -> str:
    """host:pid, unique among live workers."""
    return f"{socket.gethostname()}:{os.getpid()}"


def is_dead_local_worker(worker_id: str) -> bool:
    """Whether `worker_id` names a worker process on this machine that no longer runs.

    Lets a restarted worker take back what a killed one was rendering at once, instead
    of waiting out the heartbeat lease (which still covers workers on other machines).
    """
    host, _, pid = worker_id.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Worker:
    """Renders queued jobs until stopped; the generator is loaded on the first job and kept."""

    def __init__(
        self,
        store: RenderQueue,
        load_generator: Callable[[], FrameGenerator],
        config: WorkerConfig | None = None,
        worker_id: str | None = None,
        deliver: dict[str, Deliver] | None = None,
    ) -> None:
        self.store = store
        self.config = config or WorkerConfig()
        self.worker_id = worker_id or default_worker_id()
        self._load_generator = load_generator
        self._generator: FrameGenerator | None = None
        self._deliver = deliver or {}
        self.stop_event = threading.Event()

    def run(self) -> None:
        """Loop until `stop_event` is set: recover abandoned jobs, then render whatever is next."""
        log.info("worker %s started", self.worker_id)
        while not self.stop_event.is_set():
            if not self.run_once():
                self.stop_event.wait(self.config.poll_s)
        log.info("worker %s stopped", self.worker_id)

    def run_once(self) -> bool:
        """Render the next job if there is one; returns whether one was taken."""
        self.store.recover_stale(self.config.lease_s, is_dead_local_worker)
        job = self.store.claim_next(self.worker_id)
        if job is None:
            return False
        with _Heartbeat(self.store, job.id, self.config.heartbeat_s):
            self._process(job)
        return True

    def _process(self, job: Job) -> None:
        try:
            output = self._render(job)
        except _SetupProblem as problem:
            # The machine's fault (no weights, a broken weights folder), not the job's: it goes back
            # to the queue unharmed, the operator reads the log, and the worker tries again later.
            self.store.release(job.id)
            log.error("cannot render (job %d is back in the queue): %s", job.id, problem.__cause__)
            self.stop_event.wait(self.config.setup_retry_s)
            return
        except RenderCancelled:
            self.store.mark_cancelled(job.id)
            return
        except PipelineError as exc:
            self.store.mark_failed(job.id, _without_paths(exc.user_message(), job), f"{type(exc).__name__}: {exc}")
            return
        except Exception:
            log.exception("job %d failed", job.id)
            self.store.mark_failed(job.id, f"something went wrong (job #{job.id}).", traceback.format_exc())
            return
        self._hand_over(job.id, output)

    def _render(self, job: Job) -> Path:
        options = RenderOptions.from_dict(job.options, classes=tuple(job.classes), seed=job.seed)
        reporter = _ProgressReporter(self.store, job.id, self.config.progress_every_s)
        assert job.audio_path is not None
        prepared = prepare(Path(job.audio_path), options, progress=reporter)
        if self._generator is None:
            self.store.report_progress(job.id, "load", 0.0, None)
            try:
                self._generator = self._load_generator()
            except (WeightsUnavailable, WeightsInvalid) as exc:
                raise _SetupProblem() from exc
        output = self.store.output_dir / f"job-{job.id}.mp4"
        for leftover in output.parent.glob(f".{output.name}.*"):  # from an attempt that was killed
            leftover.unlink(missing_ok=True)
        result = render(
            prepared, output, self._generator, progress=reporter, should_stop=reporter.should_stop,
            model_name=self.config.model_name,
        )  # fmt: skip
        self.store.mark_rendered(job.id, result.output, result.size_bytes, prepared.seed)
        return result.output

    def _hand_over(self, job_id: int, output: Path) -> None:
        job = self.store.get(job_id)
        deliver = self._deliver.get(job.platform)
        if deliver is None:
            if job.platform == "cli":  # the file in the outputs folder is the delivery
                self.store.mark_delivered(job_id)
            return  # a front end picks rendered jobs up with JobStore.undelivered()
        deliver(job)


class _SetupProblem(Exception):
    """The generator cannot be loaded on this machine; the cause is chained."""


def _without_paths(message: str, job: Job) -> str:
    """A user's error names "the clip", never the stored copy's path on this machine."""
    if job.audio_path:
        message = message.replace(job.audio_path, "the clip").replace(Path(job.audio_path).name, "the clip")
    return message


class _ProgressReporter:
    """Writes progress to the job log at most every `every_s` seconds, and remembers a cancel."""

    def __init__(self, store: RenderQueue, job_id: int, every_s: float) -> None:
        self._store, self._job_id, self._every_s = store, job_id, every_s
        self._last = 0.0
        self._cancelled = False

    def __call__(self, event: Progress) -> None:
        now = time.monotonic()
        if now - self._last < self._every_s and event.stage == "render" and event.done < event.total:
            return
        self._last = now
        fraction = event.fraction if event.stage == "render" else 0.0
        self._cancelled = self._store.report_progress(self._job_id, event.stage, fraction, event.eta_s)

    def should_stop(self) -> bool:
        return self._cancelled


class _Heartbeat:
    """A background thread that keeps a running job's heartbeat fresh while it renders."""

    def __init__(self, store: RenderQueue, job_id: int, every_s: float) -> None:
        self._store, self._job_id, self._every_s = store, job_id, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                self._store.heartbeat(self._job_id)
            except Exception:  # a missed beat is not worth killing the render for
                log.warning("heartbeat for job %d failed", self._job_id, exc_info=True)
