"""The job log and queue: one class made of its concerns (submitting, claims, the dispatcher's side, reads,
estimates, files), each a module of this package."""

from __future__ import annotations

from storage.jobs.claimed import ClaimedQueue
from storage.jobs.claims import Claims
from storage.jobs.dispatched import Dispatched
from storage.jobs.estimates import Estimates
from storage.jobs.files import Files
from storage.jobs.reads import Reads
from storage.jobs.submit import Submitting


class JobStore(Submitting, Claims, Dispatched, Reads, Estimates, Files):
    """The job log and queue on one database and data folder."""

    def for_worker(self, worker_id: str) -> ClaimedQueue:
        """This queue as one worker writes to it: every write fenced by that worker's claims."""
        return ClaimedQueue(self, worker_id)
