"""The job log's files: a job's preview kept beside its video, and the clean-up of old and stray files."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from sqlalchemy import select, update

from pipeline.files import write_atomically
from storage.jobs.base import JobLogBase
from storage.models import FINISHED, Job

log = logging.getLogger(__name__)

STRAY_MIN_AGE = dt.timedelta(hours=1)
INCOMING = "incoming"  # under the data folder: attachments as they arrive, before their job is stored


class Files(JobLogBase):
    """Previews in, old files out."""

    def save_preview(self, job_id: int, png: bytes) -> Path:
        """Keep a job's first look (a PNG contact sheet of its classes) beside its video; returns its path."""
        path = self.output_dir / f"job-{job_id}.preview.png"
        write_atomically(path, png)
        with self._transaction() as session:
            session.execute(update(Job).where(Job.id == job_id).values(preview_path=str(path)))
        log.debug("job %d preview saved", job_id)
        return path

    def cleanup(self, retention: dt.timedelta) -> int:
        """Delete stored audio and outputs of jobs finished longer ago than `retention`; returns how many jobs."""
        cutoff = self.clock() - retention
        cleaned = 0
        with self._transaction() as session:
            old = session.scalars(
                select(Job).where(Job.status.in_([s.value for s in FINISHED]), Job.files_removed_at.is_(None))
            ).all()
            for job in old:
                ended = job.delivered_at or job.failed_at or job.cancelled_at
                if ended is None or ended > cutoff:
                    continue
                for name in (job.audio_path, job.output_path, job.preview_path):
                    if name:
                        Path(name).unlink(missing_ok=True)
                        Path(name).with_suffix(".json").unlink(missing_ok=True)
                job.files_removed_at = self.clock()
                cleaned += 1
        return cleaned

    def remove_strays(self, retention: dt.timedelta) -> int:
        """Delete files older than `retention` in the data folders that no job's record holds on to.

        What a killed process leaves: a download before its job was stored, a partial video,
        the files of a job whose record was never written. Returns how many files.
        """
        # Never younger than an hour, whatever the retention: a download or an encode may be writing it.
        cutoff = (self.clock() - max(retention, STRAY_MIN_AGE)).timestamp()
        with self._sessions() as session:
            rows = session.execute(
                select(Job.audio_path, Job.output_path, Job.preview_path).where(Job.files_removed_at.is_(None))
            ).all()
        kept = {Path(name) for row in rows for name in row if name}
        kept |= {path.with_suffix(".json") for path in kept}
        removed = 0
        for folder in (self.audio_dir, self.output_dir, self.data_dir / INCOMING):
            for path in folder.glob("*") if folder.is_dir() else ():
                if path.is_file() and path not in kept and path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed
