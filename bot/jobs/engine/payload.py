"""A job's payload as a worker reads it from Redis: untrusted input, checked before anything is done with it.

Anyone who can write to the engine's Redis can write a payload, so a worker believes none of it
beyond its shape: the job id must be a number matching the engine key, the fields must have their
types and sane sizes, the file caps and times come from the worker's own settings (never from the
payload), and a file is fetched only from where the dispatcher could have put it: the job's own
Redis key, or the job's own object in the bucket the worker was configured with
(`BucketOrigin.check`). A payload that fails any check fails its job with one sentence, and no
request is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

from pipeline.classes import N_CLASSES

KINDS = ("clip", "output", "preview")
MAX_TEXT_CHARS = 256  # requester and clip names (the job log's columns are shorter still)
MAX_OPTIONS_CHARS = 8192  # a job's render options as JSON; real ones are a few hundred characters
MAX_URL_CHARS = 4096  # presigned URLs with session tokens run to two thousand characters
MAX_FRAMES = 10_000_000


class PayloadRefused(Exception):
    """A payload a worker will not act on; the message is one sentence for the operator's log."""


@dataclass(frozen=True)
class JobPayload:
    """What a worker may act on, checked."""

    job_id: int
    requester_id: str
    requester_name: str
    source_name: str | None
    n_frames: int | None
    options: dict[str, Any]
    classes: list[int]
    seed: int
    urls: dict[str, str] | None  # presigned URLs on the configured bucket; None: the files travel through Redis


def job_id_of(key: str) -> int | None:
    """The job log's id in an engine key `job-<id>` (None for any other key)."""
    number = key.removeprefix("job-")
    return int(number) if key.startswith("job-") and number.isdigit() and len(number) < 19 else None


def read_payload(key: str, payload: object) -> JobPayload:
    """The payload of the engine job `key`, checked; PayloadRefused says what is wrong."""
    if not isinstance(payload, dict):
        raise PayloadRefused("its payload is not a mapping")
    job_id = _integer(payload, "job_id", minimum=1)
    if job_id_of(key) != job_id:
        raise PayloadRefused(f"its payload's job_id {job_id} does not match its key")
    options = payload.get("options")
    if not isinstance(options, dict) or len(repr(options)) > MAX_OPTIONS_CHARS:
        raise PayloadRefused("its options are not a small mapping")
    classes = payload.get("classes")
    if not isinstance(classes, list) or not all(_is_int(c) and 0 <= c < N_CLASSES for c in classes):
        raise PayloadRefused(f"its classes are not a list of class numbers from 0 to {N_CLASSES - 1}")
    n_frames = payload.get("n_frames")
    return JobPayload(
        job_id=job_id,
        requester_id=_text(payload, "requester_id", required=True) or "",
        requester_name=_text(payload, "requester_name") or "",
        source_name=_text(payload, "source_name"),
        n_frames=None if n_frames is None else _integer(payload, "n_frames", minimum=0, maximum=MAX_FRAMES),
        options=options,
        classes=list(classes),
        seed=_integer(payload, "seed", minimum=-(2**63), maximum=2**63 - 1),
        urls=_urls(payload.get("urls")),
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _integer(payload: dict[str, Any], name: str, minimum: int, maximum: int = 2**62) -> int:
    value = payload.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise PayloadRefused(f"its {name} is not a whole number from {minimum} to {maximum}")
    return value


def _text(payload: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT_CHARS or (required and not value):
        raise PayloadRefused(f"its {name} is not a short text")
    return value


def _urls(urls: object) -> dict[str, str] | None:
    if urls is None:
        return None
    if (
        not isinstance(urls, dict)
        or set(urls) != set(KINDS)
        or not all(isinstance(url, str) and len(url) <= MAX_URL_CHARS for url in urls.values())
    ):
        raise PayloadRefused(f"its urls are not one link each for the {', '.join(KINDS)}")
    return {str(kind): str(url) for kind, url in urls.items()}


@dataclass(frozen=True)
class BucketOrigin:
    """The bucket a worker accepts presigned URLs for: GANTERP_QUEUE_BUCKET and GANTERP_S3_ENDPOINT_URL, as the bot's.

    A URL passes when it names this bucket's object for the job and kind (`<prefix>/<queue>/job-<id>/<kind>`),
    path-style or virtual-hosted, on the configured endpoint (or AWS's S3 hosts when none is set).
    """

    bucket: str
    prefix: str  # the bucket URL's prefix and the queue name: "<prefix>/<queue>" or "<queue>"
    endpoint: str | None  # scheme://host[:port] of an S3-compatible service; None: AWS (https only)

    @classmethod
    def of(cls, bucket_url: str, queue_name: str, endpoint_url: str | None) -> BucketOrigin:
        """The origin for the settings GANTERP_QUEUE_BUCKET (s3://bucket/prefix) and GANTERP_S3_ENDPOINT_URL."""
        bucket, prefix = split_bucket_url(bucket_url)
        endpoint = None
        if endpoint_url:
            parts = urlsplit(endpoint_url)
            endpoint = f"{parts.scheme}://{parts.netloc}".lower()
        return cls(bucket, object_prefix(prefix, queue_name), endpoint)

    def endpoint_host(self) -> str | None:
        """The configured endpoint's host name (its addresses are the operator's, so the link guard allows them)."""
        return urlsplit(self.endpoint).hostname if self.endpoint else None

    def check(self, url: str, job_id: int, kind: str) -> None:
        """PayloadRefused unless `url` is this bucket's object for `job_id` and `kind`."""
        try:
            parts = urlsplit(url)
            origin = f"{parts.scheme}://{parts.netloc}".lower()
            host = (parts.hostname or "").lower()
        except ValueError:
            raise PayloadRefused(f"its {kind} link is not a valid URL") from None
        key = f"{self.prefix}/job-{job_id}/{kind}"
        if (
            "@" in parts.netloc
            or parts.fragment
            or not any(path == unquote(parts.path) for path in self._paths(origin, host, parts, key))
        ):
            raise PayloadRefused(f"its {kind} link is not the job's object in the configured bucket")

    def _paths(self, origin: str, host: str, parts: SplitResult, key: str) -> list[str]:
        """The request paths that name `key` on this origin (none when the origin is not the bucket's)."""
        if self.endpoint is not None:
            scheme, _, netloc = self.endpoint.partition("://")
            if origin == self.endpoint:
                return [f"/{self.bucket}/{key}"]
            if origin == f"{scheme}://{self.bucket}.{netloc}":
                return [f"/{key}"]
            return []
        if parts.scheme != "https":
            return []
        if host == f"{self.bucket}.s3.amazonaws.com" or _is_regional(host, f"{self.bucket}.s3."):
            return [f"/{key}"]
        if host == "s3.amazonaws.com" or _is_regional(host, "s3."):
            return [f"/{self.bucket}/{key}"]
        return []


def _is_regional(host: str, start: str) -> bool:
    """`host` is `<start><region>.amazonaws.com`, one region label (such as eu-west-1) in between."""
    region = host.removeprefix(start).removesuffix(".amazonaws.com")
    return (
        host.startswith(start)
        and host.endswith(".amazonaws.com")
        and region.replace("-", "").isalnum()
        and "." not in region
    )


def split_bucket_url(url: str) -> tuple[str, str]:
    """s3://bucket/prefix → (bucket, prefix without slashes at its ends)."""
    parts = urlsplit(url)
    return parts.netloc, parts.path.strip("/")


def object_prefix(prefix: str, queue_name: str) -> str:
    """Where a queue's objects lie in the bucket: `<prefix>/<queue>`, or `<queue>` without a prefix."""
    return f"{prefix}/{queue_name}" if prefix else queue_name
