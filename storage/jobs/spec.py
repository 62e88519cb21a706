"""A job as a renderer sees it: what to render and for whom, without the job log's row."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.models import Job


@dataclass(frozen=True)
class JobSpec:
    """Everything a render needs, and the little its log lines name; the same for a local and a remote worker."""

    id: int
    attempt: int  # 1 for the first try
    audio_path: Path
    seed: int
    options: dict[str, Any] = field(default_factory=dict)
    classes: tuple[int, ...] = ()
    source_name: str | None = None
    n_frames: int | None = None
    requester: str = ""  # a name for the log

    @classmethod
    def of(cls, job: Job) -> JobSpec:
        """The specification of a job in the job log."""
        return cls(
            id=job.id,
            attempt=job.attempts,
            audio_path=Path(job.audio_path or ""),
            seed=job.seed,
            options=dict(job.options),
            classes=tuple(job.classes),
            source_name=job.source_name,
            n_frames=job.n_frames,
            requester=job.requester_name or job.requester_id,
        )
