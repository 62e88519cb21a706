"""Reading the job log: one job, the newest, by source, the failed and the undelivered of a front end."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.jobs.base import JobLogBase
from storage.jobs.errors import JobNotFound
from storage.models import FINISHED, Job, JobStatus


class Reads(JobLogBase):
    """Queries the front ends and the operator's commands make."""

    def get(self, job_id: int) -> Job:
        """One job, or JobNotFound."""
        with self._sessions() as session:
            job = session.get(Job, job_id)
            if job is None:
                raise JobNotFound(job_id)
            return job

    def status_of(self, job_id: int) -> str | None:
        """A job's status, or None when the job log has no such job."""
        with self._sessions() as session:
            return session.scalar(select(Job.status).where(Job.id == job_id))

    def recent(self, limit: int = 20, requester_id: str | None = None) -> list[Job]:
        """The newest jobs first."""
        query = select(Job).order_by(Job.id.desc()).limit(limit)
        if requester_id is not None:
            query = query.where(Job.requester_id == requester_id)
        with self._sessions() as session:
            return list(session.scalars(query).all())

    def find_by_source(self, platform: str, source_prefix: str) -> list[Job]:
        """Jobs of a platform whose source reference starts with `source_prefix`, oldest first."""
        query = select(Job).where(Job.platform == platform, Job.source_ref.startswith(source_prefix, autoescape=True))
        with self._sessions() as session:
            return list(session.scalars(query.order_by(Job.id)).all())

    def find_by_tweet(self, platform: str, tweet_id: str) -> list[Job]:
        """The jobs queued for one post (the X mention they answer)."""
        with self._sessions() as session:
            return list(session.scalars(select(Job).where(Job.platform == platform, Job.tweet_id == tweet_id)).all())

    def failed_after(self, platform: str, after_id: int) -> list[Job]:
        """Failed jobs of a platform with ids above `after_id`, oldest first (for telling their requesters)."""
        query = select(Job).where(Job.platform == platform, Job.status == JobStatus.FAILED.value, Job.id > after_id)
        with self._sessions() as session:
            return list(session.scalars(query.order_by(Job.id)).all())

    def all_finished_through(self, platform: str, after_id: int) -> int:
        """The highest job id from `after_id` on up to which every job of `platform` has finished."""
        unfinished = [s.value for s in JobStatus if s not in FINISHED]
        where = (Job.platform == platform, Job.id > after_id)
        with self._sessions() as session:
            first_open = session.scalar(select(func.min(Job.id)).where(*where, Job.status.in_(unfinished)))
            if first_open is not None:
                return int(first_open) - 1
            return int(session.scalar(select(func.max(Job.id)).where(*where)) or after_id)

    def undelivered(self, platform: str) -> list[Job]:
        """Rendered jobs a front end has not posted yet (after a restart too), oldest first."""
        with self._sessions() as session:
            query = select(Job).where(Job.status == JobStatus.RENDERED.value, Job.platform == platform)
            return list(session.scalars(query.order_by(Job.id)).all())
