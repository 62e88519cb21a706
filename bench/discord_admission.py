"""Discord admission benchmark: a crowd sends large attachments at the same moment.

Every member's download is held open until all requests have arrived, so they overlap for
certain; then the bytes on disk in data/incoming plus those being read are sampled at every
step. Prints how many were admitted, how many refused before a byte was read, and the peak
against the cap (GANTERP_DISCORD_INFLIGHT_BYTES). Queueing itself is left out (it measures the
intake, not the analysis), so the numbers are the same on any machine.

    python -m bench.discord_admission [--members 20] [--mb 45] [--cap-mb 128]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import tempfile
from pathlib import Path
from typing import Any

from bot.discord.intake import queue_upload
from bot.discord.service import Ask, DiscordService, Origin
from bot.discord.text import ChatRefused
from bot.runner import build_service
from bot.settings import Settings
from storage.jobs import INCOMING

MB = 10**6
MIB = 2**20


class HeldUpload:
    """An attachment whose download waits until the whole crowd has arrived."""

    def __init__(self, number: int, data: bytes, gate: asyncio.Event, meter: Meter) -> None:
        self.filename, self.size, self.url = f"clip-{number}.wav", len(data), f"https://cdn.test/{number}/clip.wav"
        self.data, self.gate, self.meter = data, gate, meter

    async def read(self) -> bytes:
        """The bytes, once the gate opens; counted as in flight meanwhile."""
        self.meter.reading += self.size
        self.meter.reads += 1
        self.meter.sample()
        await self.gate.wait()
        self.meter.reading -= self.size
        return self.data


@dataclasses.dataclass
class Meter:
    """Bytes on disk in the incoming folder plus bytes being read; the peak of their sum."""

    incoming: Path
    reading: int = 0
    reads: int = 0
    peak: int = 0

    def sample(self) -> None:
        """Note the bytes in flight now."""
        on_disk = sum(p.stat().st_size for p in self.incoming.glob("*")) if self.incoming.is_dir() else 0
        self.peak = max(self.peak, on_disk + self.reading)


async def crowd(service: DiscordService, members: int, size: int) -> tuple[int, int, Meter]:
    """All members at once; returns (admitted, refused, meter)."""
    meter, gate = Meter(service.store.data_dir / INCOMING), asyncio.Event()
    data = bytes(size)

    def queued(origin: Origin, audio: Path, ask: Ask, **_: Any) -> None:
        meter.sample()  # the clip is on disk now; queueing it is not what is measured

    service.queue_admitted = queued  # type: ignore[assignment, method-assign]

    async def one(number: int) -> bool:
        try:
            origin = Origin(f"m{number}", f"m{number}", "1")
            await queue_upload(service, origin, HeldUpload(number, data, gate, meter), Ask(), max_bytes=MIB)
        except ChatRefused:
            return False
        return True

    tasks = [asyncio.create_task(one(n)) for n in range(members)]
    while meter.reads + sum(t.done() for t in tasks) < members:
        await asyncio.sleep(0.01)
    gate.set()
    admitted = sum(await asyncio.gather(*tasks))
    return admitted, members - admitted, meter


def main() -> None:
    """Run the crowd once and print what came in and the peak in flight."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--mb", type=float, default=45.0, help="each attachment's size in MB (10^6 bytes)")
    parser.add_argument("--cap-mb", type=float, default=128.0, help="GANTERP_DISCORD_INFLIGHT_BYTES in MiB")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ganterp-bench-") as folder:
        base = Settings.load(environ={}, env_file=None)
        cap = int(args.cap_mb * MIB)
        settings = dataclasses.replace(base, data_dir=Path(folder), database_url=None, discord_inflight_bytes=cap)
        admitted, refused, meter = asyncio.run(crowd(build_service(settings), args.members, int(args.mb * MB)))
    print(f"{args.members} members x {args.mb:g} MB at once, cap {args.cap_mb:g} MiB")
    print(f"admitted {admitted}, refused {refused} (downloads started: {meter.reads})")
    print(f"peak on disk + being read: {meter.peak / MIB:.1f} MiB ({meter.peak / cap:.2f} of the cap)")


if __name__ == "__main__":
    main()
