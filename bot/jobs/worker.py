"""The render worker: claims jobs one at a time, keeps the model loaded, reports progress, survives crashes.

One worker per GPU. Jobs a crashed worker left running are requeued by the next
worker that starts (or by any worker, once their heartbeat is older than the lease).
A worker asked to stop (SIGTERM, Ctrl-C, the bot closing) puts the job it was
rendering back in the queue, uncounted, within one batch of frames.

It logs one line per state change of a job it handles (claimed, prepared, progress
by tenths, rendered, failed, cancelled, released), with the job id and timings.
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

import numpy as np

from bot.jobs.render_job import RenderedVideo, run_render_job
from bot.outage import Outage
from bot.prepared import PREPARED
from pipeline.classes import N_CLASSES
from pipeline.errors import PipelineError, RenderCancelled, WeightsInvalid, WeightsUnavailable
from pipeline.render import FrameGenerator, Progress
from pipeline.words.heard import Listener
from storage.jobs import JobSpec, JobStore
from storage.models import Job
from storage.workers import WorkerInfo

log = logging.getLogger(__name__)

Deliver = Callable[[Job], None]
MACHINE_FAULT_MESSAGE = "the renderer failed on its side (job #{job_id}); the operator can see why."


class WorkerBoard(Protocol):
    """Where a worker says it lives, how fast it is, what it does: storage.workers.WorkerRegistry, or the engine's."""

    def started(self, info: WorkerInfo, seconds_per_frame: float | None) -> None: ...
    def beat(self, worker_id: str, state: str, job_id: int | None) -> None: ...
    def finished_job(self, worker_id: str, seconds_per_frame: float) -> None: ...
    def stopped(self, worker_id: str) -> None: ...


class RenderQueue(Protocol):
    """The queue as a worker sees it: storage.jobs.ClaimedQueue on the job log (embedded), or
    bot.jobs.engine.remote_queue.RemoteQueue on the job engine (a worker on another machine)."""

    @property
    def output_dir(self) -> Path: ...
    @property
    def workers(self) -> WorkerBoard: ...

    def recover_stale(self, lease_s: float, worker_is_dead: Callable[[str], bool] | None = None) -> list[int]: ...
    def claim_next(self, worker_id: str) -> JobSpec | None: ...
    def report_progress(self, job_id: int, stage: str, progress: float, eta_s: float | None) -> bool: ...
    def save_preview(self, job_id: int, png: bytes) -> Path | None: ...
    def heartbeat(self, job_id: int) -> None: ...
    # The end of a job: each returns False when the job is no longer this worker's to end (it was taken
    # back after its lease ran out and may be running elsewhere), and then changes nothing.
    def mark_rendered(self, job_id: int, output: Path, size_bytes: int, seed: int) -> bool: ...
    def mark_failed(self, job_id: int, user_error: str, operator_error: str) -> bool: ...
    def mark_cancelled(self, job_id: int) -> bool: ...
    def release(self, job_id: int) -> bool: ...


class DeliveryLog(Protocol):
    """What a hand-over needs of the job log: the job, and recording a command-line job as delivered."""

    def get(self, job_id: int) -> Job: ...
    def mark_delivered(self, job_id: int) -> bool: ...


@dataclass(frozen=True)
class WorkerConfig:
    """How often to poll, heartbeat and report, and when a silent job counts as abandoned."""

    lease_s: float = 120.0
    poll_s: float = 1.0
    heartbeat_s: float = 10.0
    progress_every_s: float = 1.0
    model_name: str = ""
    setup_retry_s: float = 60.0  # how long to wait before loading the model again after it failed
    max_backoff_s: float = 60.0  # the longest pause after a round that failed (the database locked, a full disk)
    listener: Listener | None = None  # hears the words of --lyrics jobs (its model loads on the first one)

    @property
    def beat_every_s(self) -> float:
        """How often a running job's heartbeat is written: at least four beats per lease, however short."""
        return min(self.heartbeat_s, self.lease_s / 4)


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


def measure_seconds_per_frame(generator: FrameGenerator, frames: int = 4) -> float:
    """Seconds one frame takes on `generator`, timed on a small warm batch (the first call warms up)."""
    z = np.zeros((frames, 128), dtype=np.float32)
    y = np.zeros((frames, N_CLASSES), dtype=np.float32)
    y[:, 0] = 1.0
    generator.generate(z[:1], y[:1], 0.4)
    started = time.perf_counter()
    generator.generate(z, y, 0.4)
    return (time.perf_counter() - started) / frames


class Worker:
    """Claims jobs and runs each with `run_render_job` until stopped; the generator is loaded on the first job and kept.

    The runner of the plain function on either queue: it claims, keeps the job's heartbeat, turns
    what the function returns or raises into the job's end state, and hands a rendered job over.
    """

    def __init__(
        self,
        store: RenderQueue | JobStore,
        load_generator: Callable[[], FrameGenerator],
        config: WorkerConfig | None = None,
        worker_id: str | None = None,
        deliver: dict[str, Deliver] | None = None,
    ) -> None:
        self.config = config or WorkerConfig()
        self.worker_id = worker_id or default_worker_id()
        # On the job log, its writes are fenced by its own claims, and it hands a rendered job to its front
        # end itself; a remote queue serves one worker, and the dispatcher hands its jobs over.
        self.store: RenderQueue = store.for_worker(self.worker_id) if isinstance(store, JobStore) else store
        self._delivery = store if isinstance(store, JobStore) else None
        if self._delivery is not None:
            PREPARED.expect_a_taker()
        self._load_generator = load_generator
        self._generator: FrameGenerator | None = None
        self._deliver = deliver or {}
        self.stop_event = threading.Event()
        self._last_beat = 0.0

    def run(self) -> None:
        """Loop until `stop_event` is set: recover abandoned jobs, then render whatever is next.

        A round that fails unexpectedly (the database locked past its timeout, a full disk) is
        logged and retried after a growing pause: the worker never ends while its process runs.
        A job caught in such a round stays running until its lease runs out, then is queued again.
        """
        log.info("worker %s started", self.worker_id)
        failures = Outage("the worker round", self.config.poll_s, self.config.max_backoff_s)
        try:
            while not self.stop_event.is_set():
                try:
                    took_one = self.run_once()
                except Exception as exc:
                    self.stop_event.wait(failures.failed(exc))
                    continue
                failures.succeeded()
                if not took_one:
                    self._beat_when_due("idle")
                    self.stop_event.wait(self.config.poll_s)
        finally:
            self._say_stopped()
            log.info("worker %s stopped", self.worker_id)

    def _say_stopped(self) -> None:
        if self._generator is None:
            return
        try:
            self.store.workers.stopped(self.worker_id)
        except Exception as exc:  # the registry's entry ages out by itself
            log.warning("worker %s: could not record its stop (%s)", self.worker_id, exc)

    def run_once(self) -> bool:
        """Render the next job if there is one; returns whether one was taken."""
        self.store.recover_stale(self.config.lease_s, is_dead_local_worker)
        spec = self.store.claim_next(self.worker_id)
        if spec is None:
            return False
        frames = f"{spec.n_frames} frames" if spec.n_frames else "frames not counted"
        log.info(
            "job %d claimed by %s (attempt %d, %s, from %s)",
            spec.id,
            self.worker_id,
            spec.attempt,
            frames,
            spec.requester,
        )
        with _Heartbeat(self.store, spec.id, self.worker_id, self.config.beat_every_s):
            self._process(spec)
        return True

    def _beat_when_due(self, state: str) -> None:
        if self._generator is None or time.monotonic() - self._last_beat < self.config.beat_every_s:
            return
        self._last_beat = time.monotonic()
        try:
            self.store.workers.beat(self.worker_id, state, None)
        except Exception:  # a missed beat only makes wait estimates a little worse
            log.warning("worker heartbeat failed", exc_info=True)

    def _process(self, spec: JobSpec) -> None:
        """Run the job function and record how the job ended."""
        started = time.monotonic()
        context = _ProgressReporter(self.store, spec.id, self.config.progress_every_s, self.stop_event)
        try:
            video = run_render_job(
                spec,
                lambda: self._ensure_generator(spec.id),
                context,
                self.store.output_dir,
                listener=self.config.listener,
                model_name=self.config.model_name,
                submitted=PREPARED if self._delivery is not None else None,  # a remote worker has only the clip
            )
        except _SetupProblem as problem:
            # The machine's fault (no weights, a broken weights folder), not the job's: it goes back
            # to the queue unharmed, the operator reads the log, and the worker tries again later.
            log.error("job %d: cannot render on this machine: %s", spec.id, problem.__cause__)
            _ended(spec.id, self.store.release(spec.id), "released back to the queue")
            self.stop_event.wait(self.config.setup_retry_s)
        except _Interrupted:
            _ended(spec.id, self.store.release(spec.id), "released back to the queue: the worker is stopping")
        except RenderCancelled:
            cancelled = self.store.mark_cancelled(spec.id)
            if cancelled:  # a cancel that came as the encoder finished leaves a video nobody will post
                for path in self.store.output_dir.glob(f"job-{spec.id}.*"):
                    path.unlink(missing_ok=True)
            _ended(spec.id, cancelled, f"cancelled after {time.monotonic() - started:.1f} s")
        except PipelineError as exc:
            self._fail(spec, exc)
        except Exception:
            log.exception("job %d failed", spec.id)
            failed = self.store.mark_failed(spec.id, f"something went wrong (job #{spec.id}).", traceback.format_exc())
            _ended(spec.id, failed, "failed")
        else:
            self._record(spec, video)

    def _record(self, spec: JobSpec, video: RenderedVideo) -> None:
        """Record the video (unless the job was taken back meanwhile) and hand it over."""
        if not self.store.mark_rendered(spec.id, video.output, video.size_bytes, video.seed):
            _ended(spec.id, False, "rendered")
            return
        self.store.workers.finished_job(self.worker_id, video.render_s / max(1, video.frames))
        log.info(
            "job %d rendered in %.1f s (%d frames, %.1f frames/s, %.2f MiB)",
            spec.id,
            video.render_s,
            video.frames,
            video.frames / max(video.render_s, 1e-9),
            video.size_bytes / 2**20,
        )
        if self._delivery is not None:
            hand_over(self._delivery, self._deliver, spec.id, video.output)

    def _fail(self, spec: JobSpec, exc: PipelineError) -> None:
        operator_error = f"{type(exc).__name__}: {exc} (stored clip: {spec.audio_path})"
        if exc.machine_fault:  # the details name this machine's files: for the operator only
            log.error("job %d failed on this machine: %s", spec.id, operator_error)
            failed = self.store.mark_failed(spec.id, MACHINE_FAULT_MESSAGE.format(job_id=spec.id), operator_error)
        else:
            log.info("job %d failed: %s", spec.id, exc)
            failed = self.store.mark_failed(spec.id, exc.user_message(), operator_error)
        _ended(spec.id, failed, "failed")

    def warm_up(self) -> None:
        """Load the generator and register this worker now, not at its first job.

        A dispatcher hands out jobs only to workers it knows, so a remote worker announces itself first.
        """
        self._ensure_generator(None)

    def _ensure_generator(self, job_id: int | None) -> FrameGenerator:
        """The generator, loaded (and its speed measured and registered) on the first job."""
        if self._generator is None:
            if job_id is not None:
                self.store.report_progress(job_id, "load", 0.0, None)
            try:
                generator = self._load_generator()
            except (WeightsUnavailable, WeightsInvalid) as exc:
                raise _SetupProblem() from exc
            speed = measure_seconds_per_frame(generator)
            device = str(getattr(getattr(generator, "info", None), "device", "cpu"))
            info = WorkerInfo(self.worker_id, socket.gethostname(), self.config.model_name, device)
            self.store.workers.started(info, speed)
            log.info("worker %s ready: %s on %s, %.0f ms per frame", self.worker_id, info.model, device, speed * 1000)
            self._generator = generator
        return self._generator


def hand_over(store: DeliveryLog, deliver: dict[str, Deliver], job_id: int, output: Path) -> None:
    """Give a rendered job to its front end (the worker here, or the dispatcher in scale-out mode)."""
    job = store.get(job_id)
    front_end = deliver.get(job.platform)
    if front_end is None:
        if job.platform == "cli":  # the file in the outputs folder is the delivery
            store.mark_delivered(job_id)
            log.info("job %d delivered: %s", job_id, output.name)
        return  # a front end picks rendered jobs up with JobStore.undelivered()
    front_end(job)


def _ended(job_id: int, written: bool, what: str) -> None:
    """Log how a job ended here, or that its end was dropped because the job is no longer this worker's."""
    if written:
        log.info("job %d %s", job_id, what)
    else:
        log.warning("job %d: no longer this worker's (taken back after its lease ran out); not %s", job_id, what)


class _SetupProblem(Exception):
    """The generator cannot be loaded on this machine; the cause is chained."""


class _Interrupted(Exception):
    """The worker was asked to stop in the middle of a render."""


class _ProgressReporter:
    """The worker's JobContext: writes progress at most every `every_s` seconds, logs each tenth, remembers a cancel."""

    def __init__(self, store: RenderQueue, job_id: int, every_s: float, stop_event: threading.Event) -> None:
        self._store, self._job_id, self._every_s, self._stop_event = store, job_id, every_s, stop_event
        self._last = 0.0
        self._cancelled = False
        self._tenth = 0

    def progress(self, event: Progress) -> None:
        """Record a stage's progress (a render's at most every `every_s`), and whether a cancel was asked."""
        if event.stage == "render":
            self._log_tenth(event)
        now = time.monotonic()
        if now - self._last < self._every_s and event.stage == "render" and event.done < event.total:
            return
        self._last = now
        fraction = event.fraction if event.stage == "render" else 0.0
        self._cancelled = self._store.report_progress(self._job_id, event.stage, fraction, event.eta_s)

    __call__ = progress

    def _log_tenth(self, event: Progress) -> None:
        # A line per tenth, with the speed: a service's journal shows a long render moving.
        tenth = int(event.fraction * 10)
        if 0 < tenth < 10 and tenth > self._tenth:
            self._tenth = tenth
            eta = f", about {event.eta_s:.0f} s left" if event.eta_s is not None else ""
            rate = f", {event.done / event.elapsed_s:.1f} frames/s" if event.elapsed_s > 0 else ""
            done = f"{event.done}/{event.total} frames"
            log.info("job %d rendering: %d%% (%s%s%s)", self._job_id, tenth * 10, done, rate, eta)

    def should_stop(self) -> bool:
        """True to stop the render: a cancel asked for (raises nothing) or the worker stopping (raises)."""
        if self._stop_event.is_set():
            raise _Interrupted()
        return self._cancelled

    def stop_asked_at_the_end(self) -> bool:
        """Whether a cancel arrived after the last frame (while the encoder finished): asked once more."""
        self._cancelled = self._cancelled or self._store.report_progress(self._job_id, "encode", 1.0, 0.0)
        return self._cancelled

    def preview(self, png: bytes) -> None:
        """Hand the preview sheet to the queue (the job log keeps it; a remote queue sends it back)."""
        self._store.save_preview(self._job_id, png)


class _Heartbeat:
    """A background thread that keeps a running job's heartbeat (and its worker's) fresh while it renders.

    The one heartbeat of a job, on either queue: on the job log it is the row's heartbeat_at, on the
    job engine it is SAQ's own (the job's `touched`, which SAQ's sweep reads), since SAQ leaves
    beating to the job function.
    """

    def __init__(self, store: RenderQueue, job_id: int, worker_id: str, every_s: float) -> None:
        self._store, self._job_id, self._worker_id, self._every_s = store, job_id, worker_id, every_s
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
                self._store.workers.beat(self._worker_id, "rendering", self._job_id)
            except Exception:  # a missed beat is not worth killing the render for
                log.warning("heartbeat for job %d failed", self._job_id, exc_info=True)
