"""What the engine's new checks cost: a worker's reconcile gate per claim round, and a payload's check.

    python -m bench.engine_checks [--rounds 2000]

Starts a redis-server of its own on a free loopback port. Prints the median time of a bare Redis
round trip (PING), of the gate a worker passes before each dequeue (INFO server + GET), and of
checking one job's payload with its three bucket URLs, and the gate's cost as a ratio to a PING.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from typing import Any

import redis

from bot.jobs.engine.payload import BucketOrigin, read_payload

PAYLOAD = {"job_id": 7, "platform": "cli", "requester_id": "ann", "requester_name": "ann", "source_name": "a.wav",
           "n_frames": 240, "options": {"fps": 24, "style": "music"}, "classes": [1, 2, 3], "seed": 3,
           "urls": {kind: f"https://minio.lan:9000/renders/q/job-7/{kind}?X-Amz-Signature={'a' * 64}"
                    for kind in ("clip", "output", "preview")}}  # fmt: skip


def median_us(call: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is missing: apt-get install -y redis-server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tempfile.mkdtemp(prefix="ganterp-bench-")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder, "--save", ""], stdout=subprocess.DEVNULL
    )
    try:
        client: Any = redis.Redis(port=port)  # redis-py types it as sync or async
        deadline = time.monotonic() + 30
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.set("saq:q:reconciled", str(client.info("server")["run_id"]))
        ping = median_us(client.ping, args.rounds)
        gate = median_us(lambda: (client.info("server")["run_id"], client.get("saq:q:reconciled")), args.rounds)
        origin = BucketOrigin.of("s3://renders", "q", "https://minio.lan:9000")

        def check() -> None:
            payload = read_payload("job-7", PAYLOAD)
            for kind, url in (payload.urls or {}).items():
                origin.check(url, 7, kind)

        checked = median_us(check, args.rounds)
        print(f"Redis PING: {ping:.0f} µs; a worker's gate (INFO server + GET): {gate:.0f} µs ({gate / ping:.1f}x)")
        print(f"checking a payload and its three bucket URLs: {checked:.0f} µs")
        print(f"an idle worker's claim round (it waits up to 1 s in Redis) grows by {gate / 1e4:.3f}%")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
