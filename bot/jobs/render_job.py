"""A render is a plain function: `run_render_job(spec, generator, context, output_dir)` turns one job into a video.

It knows nothing of queues: the embedded worker (SQLite) and the remote worker (the job engine on
Redis) both claim a job, call this with a `JobContext` of their own, and record what it returns or
raises. The context carries progress out and "stop" in, and takes the preview; the video is the
return value. A cancel raises RenderCancelled; a bad clip raises its PipelineError.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.prepared import PreparedJobs
from pipeline.errors import RenderCancelled
from pipeline.preview import contact_sheet
from pipeline.render import FrameGenerator, PreparedRender, Progress, RenderOptions, prepare, render
from pipeline.words.heard import Listener
from storage.jobs import JobSpec

log = logging.getLogger(__name__)


class JobContext(Protocol):
    """What a running job says to its runner and hears from it."""

    def progress(self, event: Progress) -> None:
        """A stage moved on (throttled and recorded by the runner)."""

    def should_stop(self) -> bool:
        """True to stop the render as cancelled; a runner that is stopping raises instead."""

    def stop_asked_at_the_end(self) -> bool:
        """Asked once more after the last frame: whether a cancel came while the encoder finished."""

    def preview(self, png: bytes) -> None:
        """The job's first look (a contact sheet), handed over before the frames are rendered."""


@dataclass(frozen=True)
class RenderedVideo:
    """A job's video, ready to be recorded and handed over."""

    output: Path
    size_bytes: int
    seed: int
    frames: int
    render_s: float


def run_render_job(
    spec: JobSpec,
    generator: Callable[[], FrameGenerator],
    context: JobContext,
    output_dir: Path,
    *,
    listener: Listener | None = None,
    model_name: str = "",
    submitted: PreparedJobs | None = None,
) -> RenderedVideo:
    """Prepare the job's clip, hand over its preview, render its video into `output_dir`.

    `generator` gives the loaded generator; it is asked for only once the clip has passed its checks,
    so a clip that fails never waits for (or loads) the model. `submitted` holds what the submission
    already prepared in this process: the clip is then not decoded and analysed a second time.
    """
    options = RenderOptions.from_dict(spec.options, classes=spec.classes, seed=spec.seed)
    prepared = submitted.take(spec.audio_path, options, spec.source_name) if submitted is not None else None
    if prepared is None:
        prepared = prepare(
            spec.audio_path, options, progress=context.progress, name=spec.source_name, listener=listener
        )
    _log_prepared(spec.id, prepared)
    loaded = generator()
    _send_preview(spec.id, prepared, loaded, context)
    output = output_dir / f"job-{spec.id}.mp4"
    for leftover in output_dir.glob(f".{output.name}.*"):  # from an attempt that was killed
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    result = render(
        prepared, output, loaded, progress=context.progress, should_stop=context.should_stop, model_name=model_name
    )
    took = time.perf_counter() - started
    if context.stop_asked_at_the_end():  # asked while the encoder finished: the video is not posted
        raise RenderCancelled()
    return RenderedVideo(result.output, result.size_bytes, prepared.seed, prepared.plan.n_frames, took)


def _log_prepared(job_id: int, prepared: PreparedRender) -> None:
    if prepared.hearing is not None:
        log.info(
            "job %d heard %d words in %.1f s (%s)",
            job_id,
            len(prepared.hearing.words),
            prepared.hearing.seconds,
            prepared.hearing.model,
        )
    log.info(
        "job %d prepared: %.1f s of audio, %d segments, %d frames",
        job_id,
        prepared.audio.duration_s,
        len(prepared.plan.segments),
        prepared.plan.n_frames,
    )


def _send_preview(job_id: int, prepared: PreparedRender, generator: FrameGenerator, context: JobContext) -> None:
    """The job's first look (one frame per cut), for the requester to see while the video renders."""
    started = time.perf_counter()
    try:
        context.preview(contact_sheet(prepared, generator))
    except (OSError, ValueError, RuntimeError) as exc:  # a missing first look must not cost the video
        log.warning("job %d: no preview (%s)", job_id, exc)
        return
    log.info("job %d preview: %d cuts in %.1f s", job_id, len(prepared.plan.class_ids), time.perf_counter() - started)
