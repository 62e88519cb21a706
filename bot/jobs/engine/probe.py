"""One request each to Redis and to the bucket, to tell `ganterp doctor` whether they answer."""

from __future__ import annotations

from bot.jobs.engine.bucket import BucketFiles
from bot.jobs.engine.saq_base import reason

TIMEOUT_S = 5.0


def redis_answers(url: str) -> str:
    """Ping Redis at `url`; its version. Raises with the reason when it does not answer."""
    import redis  # the client the engine uses, without starting an engine

    client = redis.Redis.from_url(url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S)
    try:
        client.ping()
        info: dict[str, object] = client.info("server")  # type: ignore[assignment]  # sync client: a dict
        return str(info.get("redis_version", "?"))
    finally:
        client.close()


def bucket_answers(url: str, endpoint_url: str | None) -> None:
    """One HEAD of the bucket in `url` (s3://bucket/prefix). Raises with the reason when it cannot be reached."""
    files = BucketFiles(url, "doctor", endpoint_url=endpoint_url, ttl_s=60, max_file_bytes=1)
    try:
        files.client.head_bucket(Bucket=files.bucket)
    except Exception as exc:  # botocore's errors: said as one reason, never with a key
        raise ConnectionError(reason(exc)) from None
    finally:
        files.close()
