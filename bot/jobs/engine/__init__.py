"""The job engine on Redis (SAQ): the only package that imports it.

`remote_queue.RemoteQueue` is the render queue a remote worker sees (bot.jobs.worker.RenderQueue);
`saq_engine.SaqEngine` is the engine the dispatcher feeds (bot.jobs.dispatch.JobEngine);
`dashboard.Dashboard` serves SAQ's own web page; `saq_base` is what they share. Everything else
talks to those faces, and builds them through the three functions below, which import SAQ only
when called.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from bot.settings import SettingsError

if TYPE_CHECKING:
    from bot.jobs.engine.dashboard import Dashboard
    from bot.jobs.engine.remote_queue import RemoteQueue
    from bot.jobs.engine.saq_engine import SaqEngine
    from bot.settings import Settings


def open_engine(settings: Settings) -> SaqEngine:
    """The dispatcher's engine at GANTERP_QUEUE_URL, with the configured caps, lease, attempts and file carrier."""
    from bot.jobs.engine.saq_engine import SaqEngine

    assert settings.queue_url is not None
    files = None
    if settings.queue_bucket is not None:
        from bot.jobs.engine.bucket import BucketFiles

        if importlib.util.find_spec("boto3") is None:
            raise SettingsError("GANTERP_QUEUE_BUCKET needs boto3 on the bot's machine: pip install 'ganterp[s3]'.")
        files = BucketFiles(
            settings.queue_bucket,
            settings.queue_name,
            endpoint_url=settings.s3_endpoint_url,
            ttl_s=settings.queue_file_ttl_s,
            max_file_bytes=settings.queue_max_file_bytes,
        )
    return SaqEngine(
        settings.queue_url,
        settings.queue_name,
        max_file_bytes=settings.queue_max_file_bytes,
        file_ttl_s=settings.queue_file_ttl_s,
        lease_s=settings.lease_s,
        max_attempts=settings.max_attempts,
        files=files,
    )


def open_remote_queue(url: str, settings: Settings) -> RemoteQueue:
    """A remote worker's render queue at `url`, with this machine's own caps, lease, attempts and bucket."""
    from bot.jobs.engine.payload import BucketOrigin
    from bot.jobs.engine.remote_queue import RemoteQueue

    bucket = None
    if settings.queue_bucket is not None:
        bucket = BucketOrigin.of(settings.queue_bucket, settings.queue_name, settings.s3_endpoint_url)
    return RemoteQueue(
        url,
        settings.queue_name,
        lease_s=settings.lease_s,
        max_file_bytes=settings.queue_max_file_bytes,
        file_ttl_s=settings.queue_file_ttl_s,
        max_attempts=settings.max_attempts,
        bucket=bucket,
    )


def serve_dashboard(settings: Settings) -> Dashboard | None:
    """SAQ's dashboard on GANTERP_DASHBOARD_HOST:PORT when a port and a queue URL are set; read-only without a token."""
    if settings.dashboard_port is None or settings.queue_url is None:
        return None
    from bot.jobs.engine.dashboard import Dashboard

    return Dashboard(
        settings.queue_url,
        settings.queue_name,
        settings.dashboard_host,
        settings.dashboard_port,
        token=settings.dashboard_token,
    )
