"""Files through an S3-compatible bucket (GANTERP_QUEUE_BUCKET): the only module that imports boto3.

The dispatcher uploads the clip and signs three URLs per job (GET the clip, PUT the video, PUT the
preview), valid for GANTERP_QUEUE_FILE_TTL_S; the worker needs nothing but those URLs. The dispatcher
reads the video and the preview back and deletes the job's objects when the job ends, as it deletes
Redis keys; a lifecycle rule on the prefix catches what a lost job log leaves behind.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from bot.jobs.dispatch import EngineUnavailable, FileTooLarge
from bot.jobs.engine.payload import KINDS, object_prefix, split_bucket_url
from bot.jobs.engine.saq_base import reason

log = logging.getLogger(__name__)

PREVIEW_POLL_S = 2.0  # a running job's preview is looked for at most this often (a GET per look, not a Redis GETDEL)
# A clip may be in any container ffmpeg reads: its type says media, so a worker's guarded download takes it as such.
CLIP_CONTENT_TYPE = "audio/x-ganterp-clip"
CHECK = "GANTERP_QUEUE_BUCKET, GANTERP_S3_ENDPOINT_URL and the AWS credentials of the bot's machine"


class BucketFiles:
    """A job's files as objects `<prefix>/<queue>/job-<id>/<kind>` in a bucket (a bot.jobs.engine.files.FileCarrier)."""

    def __init__(self, url: str, queue_name: str, *, endpoint_url: str | None, ttl_s: int, max_file_bytes: int) -> None:
        import boto3  # only here: a deployment without a bucket does not need it
        from botocore.config import Config

        self.bucket, prefix = split_bucket_url(url)
        self.prefix = object_prefix(prefix, queue_name)
        self.ttl_s, self.max_file_bytes = ttl_s, max_file_bytes
        config = Config(connect_timeout=10, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"})
        self.client: Any = boto3.client("s3", endpoint_url=endpoint_url, config=config)
        self._preview_looked: dict[int, float] = {}  # job id → when its preview was last looked for (monotonic)

    def key(self, job_id: int, kind: str) -> str:
        """The object name of one of a job's files."""
        return f"{self.prefix}/job-{job_id}/{kind}"

    def put_clip(self, job_id: int, clip: bytes) -> dict[str, Any]:
        """Upload the clip; the payload gets the three presigned URLs the worker uses."""
        key = self.key(job_id, "clip")
        self._call(self.client.put_object, Bucket=self.bucket, Key=key, Body=clip, ContentType=CLIP_CONTENT_TYPE)
        urls = {
            "clip": self._sign("get_object", job_id, "clip"),
            "output": self._sign("put_object", job_id, "output"),
            "preview": self._sign("put_object", job_id, "preview"),
        }
        return {"urls": urls}

    def _sign(self, method: str, job_id: int, kind: str) -> str:
        params = {"Bucket": self.bucket, "Key": self.key(job_id, kind)}
        return str(self._call(self.client.generate_presigned_url, method, Params=params, ExpiresIn=self.ttl_s))

    def output(self, job_id: int) -> bytes | None:
        """The MP4 a worker sent (None: none, or it expired); FileTooLarge past the cap, unread."""
        self._preview_looked.pop(job_id, None)  # the job has ended: the next look for its preview is not put off
        return self._get(job_id, "output", "video")

    def take_preview(self, job_id: int) -> bytes | None:
        """The preview sheet, once (None when there is none new); looked for every PREVIEW_POLL_S at most."""
        now = time.monotonic()
        if now - self._preview_looked.get(job_id, -PREVIEW_POLL_S) < PREVIEW_POLL_S:
            return None
        self._preview_looked[job_id] = now
        try:
            # Without s3:ListBucket, AWS answers a missing object with AccessDenied, not NoSuchKey: a preview
            # not sent yet must not stop the round. (The video is read only once the engine says it is there.)
            png = self._get(job_id, "preview", "preview", missing=("NoSuchKey", "404", "AccessDenied", "403"))
            taken = png is not None
        except FileTooLarge as exc:  # a first look is not worth a stuck job: dropped
            log.warning("job %d: its preview is not shown (%s)", job_id, exc)
            png, taken = None, True
        if taken:
            self._call(self.client.delete_object, Bucket=self.bucket, Key=self.key(job_id, "preview"))
        return png

    def _get(self, job_id: int, kind: str, what: str, missing: tuple[str, ...] = ("NoSuchKey", "404")) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            answer = self._call(self.client.get_object, Bucket=self.bucket, Key=self.key(job_id, kind))
        except EngineUnavailable as exc:
            if isinstance(exc.__cause__, ClientError) and _code(exc.__cause__) in missing:
                return None
            raise
        size = int(answer.get("ContentLength") or 0)
        body = answer["Body"]
        try:
            if size > self.max_file_bytes:
                raise FileTooLarge(what, size, self.max_file_bytes)
            return bytes(self._call(body.read))
        finally:
            body.close()

    def forget(self, job_id: int) -> None:
        """Delete the job's objects; a bucket that cannot be reached leaves them to its lifecycle rule."""
        self._preview_looked.pop(job_id, None)
        objects = [{"Key": self.key(job_id, kind)} for kind in KINDS]
        try:  # deleting an object that is not there is no error in S3
            self._call(self.client.delete_objects, Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True})
        except EngineUnavailable as exc:  # the job has ended in the job log: its delivery must not wait for this
            log.warning("job %d: its files stay in the bucket (%s)", job_id, exc.reason)

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()

    def _call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        """Call the S3 client; any trouble (unreachable, refused, no credentials) becomes EngineUnavailable."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return function(*args, **kwargs)
        except ClientError as exc:
            raise EngineUnavailable(f"{_code(exc)} for s3://{self.bucket}", what="the bucket", check=CHECK) from exc
        except (BotoCoreError, OSError) as exc:
            raise EngineUnavailable(reason(exc), what="the bucket", check=CHECK) from exc


def _code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code") or "error")
