"""The Discord service without Discord: checks before a download, and the admission of clips."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.discord.service import Ask, DiscordService, Origin
from bot.runner import build_service
from bot.settings import Settings
from storage.jobs import QueueLimits, TooManyQueued
from tests.conftest import ClipMaker

WAIT_S = 120.0  # bound on waiting for another thread: generous, for a loaded machine


def test_limits_are_checked_before_a_link_is_downloaded(settings: Settings) -> None:
    fetched: list[str] = []

    def fetch(url: str, folder: Path, max_bytes: int, max_duration_s: float) -> Path:
        fetched.append(url)
        raise AssertionError("no download for a refused request")

    service = DiscordService(build_service(settings).store, build_service(settings).guilds, settings, fetch=fetch)
    service.store.limits = QueueLimits(per_requester=3, total=0)
    origin = Origin("7", "ann", "42")
    with pytest.raises(Exception, match="the queue is full"):
        service.submit_link(origin, "https://example.com/slow.mp3", Ask(), max_bytes=2**20)
    assert fetched == []


def test_one_clip_in_preparation_per_member_and_a_few_in_all(settings: Settings) -> None:
    import threading

    from bot.discord.service import MAX_PREPARING, Admission
    from bot.discord.text import StillPreparing, TooBusy
    from tests.conftest import wait_until

    admission = Admission()
    with admission.slot("ann"), pytest.raises(StillPreparing), admission.slot("ann"):
        pass
    release = threading.Event()

    def hold(member: str) -> None:
        with admission.slot(member):
            release.wait(WAIT_S)

    threads = [threading.Thread(target=hold, args=(f"m{i}",)) for i in range(MAX_PREPARING)]
    for thread in threads:
        thread.start()
    try:
        assert wait_until(lambda: len(admission._busy) == MAX_PREPARING, timeout=WAIT_S), "every slot is taken"
        with pytest.raises(TooBusy), admission.slot("zed"):
            pass
    finally:
        release.set()
        for thread in threads:
            thread.join(WAIT_S)
    assert not any(thread.is_alive() for thread in threads)
    with admission.slot("zed"):  # free again once the others are done
        pass


def test_a_servers_limit_holds_when_two_requests_pass_the_early_check_together(
    settings: Settings, make_clip: ClipMaker
) -> None:
    service = build_service(settings)
    service.guilds.update("g1", max_queued_per_member=1)
    first, second = Origin("7", "ann", "42", "g1", "m1"), Origin("7", "ann", "42", "g1", "m2")
    service.check_can_submit(first)
    service.check_can_submit(second)  # both asked before either was queued: the early look lets both through
    clip = make_clip(3.0)
    service.queue_admitted(first, clip, Ask(), max_bytes=2**23, source_kind="file", source_ref="a", source_name=None)
    with pytest.raises(TooManyQueued, match="already have 1 jobs waiting"):
        service.queue_admitted(
            second, clip, Ask(), max_bytes=2**23, source_kind="file", source_ref="b", source_name=None
        )
    assert len(service.store.recent(10)) == 1, "the job log's submit holds the server's limit too"
