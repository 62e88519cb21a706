"""The X front end's own state: the mentions cursor (since_id) and daily usage counters.

Both live in the job log's database, so a restart neither answers a mention twice nor
forgets how much of the day's read and post allowance is spent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Engine, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import utcnow
from storage.db import session_factory
from storage.models import Base, UTCDateTime


class XState(Base):
    """One named value of the X front end (e.g. since_id)."""

    __tablename__ = "x_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class XUsage(Base):
    """How many reads or posts were spent on one UTC day."""

    __tablename__ = "x_usage"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD, UTC
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # read, post
    count: Mapped[int] = mapped_column(Integer, default=0)


class XReply(Base):
    """A reply the bot decided to send to a mention; recorded before it is sent, so never sent twice."""

    __tablename__ = "x_replies"

    mention_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # refusal, failure
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class XStateStore:
    """Reads and writes the cursor and the counters, each in its own short transaction."""

    SINCE_ID = "since_id"

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._sessions = session_factory(engine)
        self.clock = clock

    def get(self, key: str) -> str | None:
        """A stored value, or None."""
        with self._sessions() as session:
            row = session.get(XState, key)
            return None if row is None else row.value

    def set(self, key: str, value: str) -> None:
        """Store a value, replacing the old one."""
        with self._sessions() as session, session.begin():
            row = session.get(XState, key)
            if row is None:
                session.add(XState(key=key, value=value))
            else:
                row.value = value

    def since_id(self) -> str | None:
        """The newest mention already handled."""
        return self.get(self.SINCE_ID)

    def advance_since_id(self, tweet_id: str) -> None:
        """Move the cursor forward to `tweet_id` (never back: ids grow with time)."""
        with self._sessions() as session, session.begin():
            row = session.get(XState, self.SINCE_ID)
            if row is None:
                session.add(XState(key=self.SINCE_ID, value=tweet_id))
            elif int(tweet_id) > int(row.value):
                row.value = tweet_id

    def claim_reply(self, mention_id: str, kind: str) -> bool:
        """Record that `mention_id` gets a reply of `kind`; False when one was already recorded.

        Recorded before the reply is sent: a crash in between loses one reply rather than
        sending it twice after the restart.
        """
        with self._sessions() as session, session.begin():
            if session.get(XReply, (mention_id, kind)) is not None:
                return False
            session.add(XReply(mention_id=mention_id, kind=kind, created_at=self.clock()))
            return True

    def replied(self, mention_id: str) -> bool:
        """Whether any reply to `mention_id` was recorded."""
        with self._sessions() as session:
            return session.scalar(select(XReply.kind).where(XReply.mention_id == mention_id).limit(1)) is not None

    def today(self) -> str:
        """The current UTC day as counters name it."""
        return self.clock().astimezone(dt.UTC).date().isoformat()

    def used(self, kind: str) -> int:
        """How many of `kind` were spent today."""
        with self._sessions() as session:
            return session.scalar(select(XUsage.count).where(XUsage.day == self.today(), XUsage.kind == kind)) or 0

    def spend(self, kind: str, amount: int = 1) -> int:
        """Add `amount` to today's counter of `kind`; returns the new total."""
        with self._sessions() as session, session.begin():
            row = session.get(XUsage, (self.today(), kind))
            if row is None:
                row = XUsage(day=self.today(), kind=kind, count=0)
                session.add(row)
            row.count += amount
            return row.count
