"""One dispatcher per job log: a lease row in the log itself (migration 0008).

Two dispatchers on one job log would both hand out jobs and mirror them back; the engine's keys
keep a job from rendering twice, but nothing else is safe. A dispatcher takes the lease when it
starts and renews it every few seconds; another one is refused while the lease is fresh, or its
holder, on this machine, still runs. A lease left by a dispatcher that was killed lapses after
`lease_s`, or at once when its process is known to be gone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from storage.db import session_factory
from storage.models import DispatcherLease

LEASE_NAME = "dispatcher"


@dataclass(frozen=True)
class LeaseHolder:
    """Who holds the lease, and when they last renewed it."""

    holder: str
    renewed_at: dt.datetime


class DispatcherLeases:
    """The `dispatcher_lease` table: take, renew and give back the one lease."""

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime]) -> None:
        self._sessions = session_factory(engine)
        self.clock = clock

    def take(self, holder: str, lease_s: float, holder_is_gone: Callable[[str], bool]) -> LeaseHolder | None:
        """Take the lease for `holder`; None when taken, else who holds it (fresh, and not known to be gone)."""
        now = self.clock()
        with self._sessions() as session, session.begin():
            row = session.get(DispatcherLease, LEASE_NAME, with_for_update=True)
            if row is None:
                session.add(DispatcherLease(name=LEASE_NAME, holder=holder, acquired_at=now, renewed_at=now))
                return None
            fresh = (now - row.renewed_at).total_seconds() < lease_s
            if row.holder != holder and fresh and not holder_is_gone(row.holder):
                return LeaseHolder(row.holder, row.renewed_at)
            row.holder, row.acquired_at, row.renewed_at = holder, now, now
            return None

    def renew(self, holder: str) -> bool:
        """Renew `holder`'s lease; False when another dispatcher holds it now."""
        with self._sessions() as session, session.begin():
            row = session.get(DispatcherLease, LEASE_NAME, with_for_update=True)
            if row is None or row.holder != holder:
                return False
            row.renewed_at = self.clock()
            return True

    def give_back(self, holder: str) -> None:
        """Give the lease back (a dispatcher that stops), so the next one need not wait."""
        with self._sessions() as session, session.begin():
            row = session.get(DispatcherLease, LEASE_NAME)
            if row is not None and row.holder == holder:
                session.delete(row)
