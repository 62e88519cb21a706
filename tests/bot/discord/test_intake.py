"""Discord admission (issue 18): limits and the bytes in flight are checked before an attachment is read."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord

from bot.discord.app import GanterpBot
from bot.discord.intake import queue_upload
from bot.discord.service import MAX_DOWNLOAD_BYTES, MAX_PREPARING, Ask, DiscordService, Origin, Queued
from bot.discord.text import ChatRefused, StillPreparing, TooBusy, error_message
from bot.runner import build_service
from bot.settings import Settings, SettingsError
from storage.jobs import INCOMING
from tests.bot.discord.offline_settings import offline_settings
from tests.conftest import ClipMaker

pytestmark = pytest.mark.asyncio

WAIT_S = 120.0  # generous: the machine running the tests may be loaded


def settings_with(tmp_path: Path, inflight_bytes: int) -> Settings:
    return offline_settings(tmp_path, discord_inflight_bytes=inflight_bytes)


class Watch:
    """What is on disk in the incoming folder plus what is being read, sampled at every step; its peak."""

    def __init__(self, incoming: Path) -> None:
        self.incoming = incoming
        self.reading: dict[int, int] = {}  # read number → bytes being read
        self.peak = 0
        self.reads = 0

    def sample(self) -> None:
        on_disk = sum(p.stat().st_size for p in self.incoming.glob("*")) if self.incoming.is_dir() else 0
        self.peak = max(self.peak, on_disk + sum(self.reading.values()))


class GatedUpload:
    """An attachment whose download waits at a gate, so that a crowd's requests overlap for certain."""

    def __init__(self, upload_id: int, data: bytes, watch: Watch, gate: asyncio.Event) -> None:
        self.id, self.data, self.watch, self.gate = upload_id, data, watch, gate
        self.filename = f"clip-{upload_id}.wav"
        self.size = len(data)
        self.url = f"https://cdn.discordapp.test/attachments/1/{upload_id}/{self.filename}"

    async def read(self) -> bytes:
        self.watch.reads += 1
        number = self.watch.reads
        self.watch.reading[number] = self.size
        self.watch.sample()
        try:
            await self.gate.wait()
            return self.data
        finally:
            del self.watch.reading[number]


async def wait_for(condition: Any, what: str) -> None:
    """Until `condition()` holds (checked between the other tasks' steps), within a generous bound."""
    async with asyncio.timeout(WAIT_S):
        while not condition():
            await asyncio.sleep(0.01)
    assert condition(), what


async def test_a_crowd_of_large_attachments_never_puts_more_than_the_cap_in_flight(
    tmp_path: Path, make_clip: ClipMaker
) -> None:
    clips = [make_clip(1.5 + 0.25 * (i % 4), name=f"c{i}.wav", seed=i).read_bytes() for i in range(4)]
    cap = sum(sorted(len(c) for c in clips)[:3])  # room for about three, fewer than the four slots
    service = build_service(settings_with(tmp_path, cap))
    watch = Watch(service.store.data_dir / INCOMING)
    gate = asyncio.Event()
    real_queue = service.queue_admitted
    queued_paths: list[Path] = []

    def queue_admitted(origin: Origin, audio: Path, ask: Ask, **kwargs: Any) -> Queued:
        watch.sample()  # the clip is on disk now
        queued_paths.append(audio)
        return real_queue(origin, audio, ask, **kwargs)

    service.queue_admitted = queue_admitted  # type: ignore[method-assign]
    members = [f"member{i}" for i in range(12)]
    uploads = {m: GatedUpload(i, clips[i % len(clips)], watch, gate) for i, m in enumerate(members)}
    shared = GatedUpload(99, clips[0], watch, gate)  # one message GANterpreted by two members at once
    requests = [
        *uploads.items(),
        ("member0", GatedUpload(100, clips[1], watch, gate)),
        ("twin-a", shared),
        ("twin-b", shared),
    ]

    async def attempt(member: str, upload: GatedUpload) -> Queued | ChatRefused:
        try:
            return await queue_upload(service, Origin(member, member, "42"), upload, Ask(), max_bytes=8 * 2**20)
        except ChatRefused as refused:
            return refused

    # Everybody at once: each request either waits in its download or has already been refused.
    tasks = [asyncio.create_task(attempt(m, u)) for m, u in requests]
    await wait_for(lambda: len(watch.reading) + sum(t.done() for t in tasks) == len(tasks), "all requests arrived")
    in_download = len(watch.reading)
    assert 1 <= in_download <= MAX_PREPARING
    assert watch.peak <= cap, f"{watch.peak} bytes in flight, over the cap of {cap}"
    refused = [t.result() for t in tasks if t.done()]
    assert len(refused) == len(tasks) - in_download and watch.reads == in_download, "refused before any read"
    for refusal in refused:
        assert isinstance(refusal, TooBusy | StillPreparing)
        said = error_message(refusal)
        assert "\n" not in said and said.endswith(".") and said.count(". ") == 0, "one sentence"
    gate.set()
    outcomes = dict(zip(range(len(tasks)), await asyncio.gather(*tasks), strict=True))

    # Those refused come back (as the sentence asks) until everyone is in; nothing accepted is lost.
    accepted = {i: o for i, o in outcomes.items() if isinstance(o, Queued)}
    assert len(accepted) == in_download
    for _ in range(len(requests)):
        waiting = [i for i in range(len(requests)) if i not in accepted]
        if not waiting:
            break
        again = await asyncio.gather(*(attempt(*requests[i]) for i in waiting))
        accepted |= {i: o for i, o in zip(waiting, again, strict=True) if isinstance(o, Queued)}
    assert len(accepted) == len(requests), "every request got in, in the end"
    assert watch.peak <= cap and service.admission.bytes_in_flight == 0
    jobs = [service.store.get(q.job.id) for q in accepted.values()]
    assert len({job.id for job in jobs}) == len(requests), "one job per accepted request, none twice"
    for i, job in accepted.items():
        stored = service.store.get(job.job.id)
        assert stored.requester_id == requests[i][0] and stored.source_name == requests[i][1].filename
        assert Path(stored.audio_path or "").read_bytes() == requests[i][1].data, "each keeps its own clip"
    assert len(set(queued_paths)) == len(queued_paths), "two requests never share an incoming file"
    assert list(watch.incoming.iterdir()) == [], "the incoming folder is emptied"


async def test_a_link_reserves_its_download_cap_while_it_is_fetched(tmp_path: Path, make_clip: ClipMaker) -> None:
    clip = make_clip(2.0)
    settings = settings_with(tmp_path, 3 * 2**20)
    seen: list[tuple[int, int]] = []

    def fetch(url: str, folder: Path, max_bytes: int, max_duration_s: float) -> Path:
        seen.append((max_bytes, service.admission.bytes_in_flight))
        # Nothing more fits while the link may still grow to its cap.
        with pytest.raises(TooBusy), service.admission.slot("someone-else", 1):
            pass
        return Path(clip)

    built = build_service(settings)
    service = DiscordService(built.store, built.guilds, settings, fetch=fetch)
    service.submit_link(Origin("7", "ann", "42"), "https://example.com/a.wav", Ask(), max_bytes=8 * 2**20)
    assert seen == [(3 * 2**20, 3 * 2**20)] and service.admission.bytes_in_flight == 0


async def test_the_bytes_in_flight_setting() -> None:
    assert Settings.load(environ={}, env_file=None).discord_inflight_bytes == 128 * 2**20
    chosen = Settings.load(environ={"GANTERP_DISCORD_INFLIGHT_BYTES": "5000000"}, env_file=None)
    assert chosen.discord_inflight_bytes == 5_000_000
    for bad in ("1000", "0", "-5", "lots"):
        with pytest.raises(SettingsError, match="GANTERP_DISCORD_INFLIGHT_BYTES"):
            Settings.load(environ={"GANTERP_DISCORD_INFLIGHT_BYTES": bad}, env_file=None)


# ----------------------------------------------------------------------------- through Discord (simcord)


@pytest.fixture
def service(tmp_path: Path, make_clip: ClipMaker) -> DiscordService:
    return build_service(settings_with(tmp_path, 2 * 2**20))


@pytest.fixture
def simcord_bot(service: DiscordService) -> GanterpBot:
    return GanterpBot(service)


def response_text(result: simcord.InteractionResult) -> str:
    parts = [result.response.content or ""] if result.response else []
    return " ".join(parts + [f.content or "" for f in result.followups])


async def test_a_busy_bot_refuses_an_attachment_without_reading_it(
    simcord_env: simcord.Env, service: DiscordService, make_clip: ClipMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    real_read = discord.Attachment.read

    async def counted_read(self: discord.Attachment, **kwargs: Any) -> bytes:
        reads.append(self.filename)
        return await real_read(self, **kwargs)

    monkeypatch.setattr(discord.Attachment, "read", counted_read)
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("music")
    alice = guild.add_member(simcord_env.create_user("alice"))
    clip = make_clip(2.0).read_bytes()
    held, release = threading.Event(), threading.Event()

    def others_downloading() -> None:  # other members' clips fill what may be in flight
        with service.admission.slot("others", 2 * 2**20 - len(clip) + 1):
            held.set()
            release.wait(WAIT_S)

    thread = threading.Thread(target=others_downloading)
    thread.start()
    try:
        assert held.wait(WAIT_S)
        busy = await alice.slash(channel, "ganterp render", audio=("song.wav", clip))
        assert response_text(busy) == "I am fetching many clips right now; please try again in a minute."
        assert reads == [] and service.store.recent(10) == []
    finally:
        release.set()
        thread.join(WAIT_S)
    again = await alice.slash(channel, "ganterp render", audio=("song.wav", clip))
    assert "Job #1 is queued" in response_text(again) and reads == ["song.wav"]
    too_big = await alice.slash(channel, "ganterp render", audio=("big.wav", b"\0" * (2 * 2**20 + 1)))
    assert response_text(too_big) == '"big.wav" is 2.0 MiB; clips up to 2 MiB are accepted.'
    assert reads == ["song.wav"] and MAX_DOWNLOAD_BYTES > 2 * 2**20
