"""The job log: `JobStore` and what its callers hand it and get back; each concern is a module here.

submit (requests and limits), claims (claiming and every state change), claimed (one worker's fenced
view), dispatched (the job engine's side), reads, estimates (queue places, statistics), files
(previews, clean-up), order (fair order), errors (what a requester is told).
"""

from storage.jobs.base import QueueLimits
from storage.jobs.claimed import ClaimedQueue
from storage.jobs.claims import Claim
from storage.jobs.errors import CoolingDown, JobNotFound, QueueFull, QueueRefused, TooManyQueued
from storage.jobs.estimates import (
    DEFAULT_SECONDS_PER_FRAME,
    JOB_OVERHEAD_S,
    LISTEN_OVERHEAD_S,
    LISTEN_S_PER_AUDIO_S,
    QueuePlace,
    estimator,
)
from storage.jobs.files import INCOMING
from storage.jobs.order import fair_order
from storage.jobs.spec import JobSpec
from storage.jobs.store import JobStore
from storage.jobs.submit import JobRequest

__all__ = [
    "DEFAULT_SECONDS_PER_FRAME",
    "INCOMING",
    "JOB_OVERHEAD_S",
    "LISTEN_OVERHEAD_S",
    "LISTEN_S_PER_AUDIO_S",
    "Claim",
    "ClaimedQueue",
    "CoolingDown",
    "JobNotFound",
    "JobRequest",
    "JobSpec",
    "JobStore",
    "QueueFull",
    "QueueLimits",
    "QueuePlace",
    "QueueRefused",
    "TooManyQueued",
    "estimator",
    "fair_order",
]
