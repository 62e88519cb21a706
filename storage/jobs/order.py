"""The queue's order: round robin between requesters, arrival order within each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Job, JobStatus


def queued_in_order(session: Session) -> list[Job]:
    """The queued jobs in the order they will start."""
    queued = session.scalars(_queued_query()).all()
    return fair_order(queued, _last_started(session))


def next_in_order(session: Session) -> Job | None:
    """The queued job that starts next (None when nothing waits): the one both claims take."""
    order = queued_in_order(session)
    return order[0] if order else None


def fair_order(queued: Sequence[Job], last_started: dict[str, dt.datetime]) -> list[Job]:
    """Round-robin between requesters, in arrival order within each.

    Requesters take turns: the one whose last job started longest ago (or never) goes
    first, then the next; one person's ten jobs do not hold everyone else back.
    """
    per_requester: dict[str, list[Job]] = {}
    for job in queued:  # already in arrival order
        per_requester.setdefault(job.requester_id, []).append(job)
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    turns = sorted(per_requester, key=lambda r: (last_started.get(r, epoch), per_requester[r][0].id))
    order: list[Job] = []
    depth = 0
    while len(order) < len(queued):
        order += [per_requester[r][depth] for r in turns if depth < len(per_requester[r])]
        depth += 1
    return order


def _queued_query() -> Any:
    return select(Job).where(Job.status == JobStatus.QUEUED.value).order_by(Job.created_at, Job.id)


def _last_started(session: Session) -> dict[str, dt.datetime]:
    rows = session.execute(
        select(Job.requester_id, func.max(Job.started_at)).where(Job.started_at.is_not(None)).group_by(Job.requester_id)
    ).all()
    return {requester: started.replace(tzinfo=dt.UTC) for requester, started in rows if started is not None}
