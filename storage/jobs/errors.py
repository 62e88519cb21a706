"""What a requester is told when the job log refuses a request: one sentence each, nothing stored."""

from __future__ import annotations

from pipeline.errors import UserError


class QueueRefused(UserError):
    """A submission beyond a limit (or a job that is not there); nothing was stored."""


class QueueFull(QueueRefused):
    """Every place in the queue is taken."""

    def __init__(self, size: int) -> None:
        super().__init__(f"the queue is full ({size} jobs waiting); please try again later.")


class TooManyQueued(QueueRefused):
    """The requester already has as many jobs waiting as one person may."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"you already have {limit} jobs waiting; wait for one to finish.")


class CoolingDown(QueueRefused):
    """The requester asked again sooner than the cooldown allows."""

    def __init__(self, wait_s: float) -> None:
        self.wait_s = wait_s
        super().__init__(f"please wait {wait_s:.0f} s before asking for another video.")


class JobNotFound(QueueRefused):
    """No job has this id (or none of the requester's)."""

    def __init__(self, job_id: int) -> None:
        super().__init__(f"there is no job #{job_id}.")
