"""Daily posts: clip rotation, one post a day, and APScheduler's stored schedule across restarts."""

from __future__ import annotations

import datetime as dt
import pickle
import re
import sqlite3
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from bot.jobs.scheduler import (
    DAILY_JOB_ID,
    DailyPoster,
    DailyPostSettings,
    ScheduleError,
    next_clip,
    planned,
    start_scheduler,
)
from storage.db import make_engine, migrate, sqlite_url
from storage.jobs import JobStore, QueueLimits
from storage.models import Job
from tests.conftest import ClipMaker, wait_until


@pytest.fixture
def store(tmp_path: Path) -> JobStore:
    data = tmp_path / "data"
    data.mkdir()
    engine = make_engine(sqlite_url(data))
    migrate(engine)
    return JobStore(engine, data, QueueLimits(per_requester=50))


@pytest.fixture
def clips(make_clip: ClipMaker) -> list[Path]:
    return [make_clip(1.5, name=f"{name}.wav", seed=i) for i, name in enumerate(["b", "a", "c"])]


def test_settings_are_checked() -> None:
    assert DailyPostSettings.parse("09:30", "Europe/Paris").at == dt.time(9, 30)
    with pytest.raises(ScheduleError, match="HH:MM"):
        DailyPostSettings.parse("9.30")
    with pytest.raises(ScheduleError, match="time zone"):
        DailyPostSettings.parse("09:30", "Mars/Olympus")


def test_no_clip_repeats_until_all_were_used(clips: list[Path]) -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    used: dict[str, dt.datetime] = {}
    order = []
    for day in range(6):
        clip = next_clip(clips, used)
        order.append(clip.name)
        used[clip.name] = now + dt.timedelta(days=day)
    assert order == ["a.wav", "b.wav", "c.wav", "a.wav", "b.wav", "c.wav"]
    with pytest.raises(ScheduleError, match="empty"):
        next_clip([], {})


def test_one_post_a_day_themed_and_rotating(store: JobStore, clips: list[Path]) -> None:
    today = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    clock = {"now": today}
    settings = DailyPostSettings.parse("09:00", "UTC", theme="jellyfish, volcano")
    poster = DailyPoster(store, lambda: clips, settings, clock=lambda: clock["now"])
    first = poster.post()
    assert first is not None and first.job.platform == "schedule"
    assert first.job.classes[:2] == [107, 980] and first.job.source_ref == "daily:2026-03-01:a.wav"
    assert poster.post() is None, "a second run on the same day does nothing"
    assert poster.post(force=True) is not None, "run-now posts anyway"
    clock["now"] = today + dt.timedelta(days=1)
    second = poster.post()
    assert second is not None and second.job.source_ref == "daily:2026-03-02:c.wav"


def set_stored_run_time(database: Path, when: dt.datetime) -> None:
    """Move the stored next run into the past, as if the bot had been down at that time.

    (Doing it through a live scheduler would race with its own shutdown.)
    """
    with sqlite3.connect(database) as db:
        (blob,) = db.execute("SELECT job_state FROM apscheduler_jobs WHERE id = ?", (DAILY_JOB_ID,)).fetchone()
        state = pickle.loads(blob)
        state["next_run_time"] = when
        db.execute(
            "UPDATE apscheduler_jobs SET job_state = ?, next_run_time = ? WHERE id = ?",
            (pickle.dumps(state, pickle.HIGHEST_PROTOCOL), when.timestamp(), DAILY_JOB_ID),
        )


def restart_with_missed_run(store: JobStore, clips: list[Path], missed_by: dt.timedelta, grace_s: int) -> int:
    """Start, note a run time in the past as if the bot had been down, restart; returns jobs queued."""
    url = sqlite_url(store.data_dir)
    # The daily time is half a day away, so only the stored, missed run can fire (a fixed time failed the
    # test when the suite ran within the grace time after it).
    daily_at = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=12)).strftime("%H:%M")
    settings = DailyPostSettings.parse(daily_at, "UTC", grace_s=grace_s)
    start_scheduler(url, DailyPoster(store, lambda: clips, settings)).shutdown()
    set_stored_run_time(store.data_dir / "ganterp.db", dt.datetime.now(dt.UTC) - missed_by)
    again = start_scheduler(url, DailyPoster(store, lambda: clips, settings))
    try:
        # The stored run is handled (made up or skipped) once the next run is in the future again.
        assert wait_until(lambda: _next_runs_ahead(again), timeout=120), "the missed run was handled"
        assert [name for name, _ in planned(again)] == ["daily post"], "one schedule, not doubled by the restart"
    finally:
        again.shutdown()  # waits for a made-up run still queueing its job
    return len(store.find_by_source("schedule", "daily:"))


def _next_runs_ahead(scheduler: BackgroundScheduler) -> bool:
    now = dt.datetime.now(dt.UTC)
    return all(next_run is not None and next_run > now for _, next_run in planned(scheduler))


def test_a_run_missed_within_the_grace_time_is_made_up_once(store: JobStore, clips: list[Path]) -> None:
    assert restart_with_missed_run(store, clips, dt.timedelta(seconds=30), grace_s=600) == 1


def test_a_run_missed_beyond_the_grace_time_is_skipped(store: JobStore, clips: list[Path]) -> None:
    assert restart_with_missed_run(store, clips, dt.timedelta(hours=3), grace_s=600) == 0


def test_daily_publisher_marks_the_outcome(store: JobStore, clips: list[Path]) -> None:
    from bot.runner import DailyPublisher

    poster = DailyPoster(store, lambda: clips, DailyPostSettings.parse("08:00"))
    ids = []
    for _ in range(3):
        accepted = poster.post(force=True)
        assert accepted is not None
        ids.append(accepted.job.id)
    for _ in ids:  # the worker renders each, then hands it to the publisher
        claimed = store.claim_next("w")
        assert claimed is not None and store.mark_rendered(claimed.id, Path("x.mp4"), 1, claimed.seed)
    posted: list[tuple[str, int]] = []

    def to_x(job: Job) -> bool:
        posted.append(("x", job.id))
        return True

    def broken_discord(job: Job) -> int:
        raise TimeoutError("gateway gone")

    DailyPublisher(store, to_discord=lambda job: posted.append(("discord", job.id)) or 2, to_x=to_x).publish(
        store.get(ids[0])
    )
    DailyPublisher(store, to_discord=lambda job: 0, to_x=None).publish(store.get(ids[1]))
    DailyPublisher(store, to_discord=broken_discord, to_x=to_x).publish(store.get(ids[2]))
    assert posted == [("discord", ids[0]), ("x", ids[0])]
    assert [store.get(i).status for i in ids] == ["delivered", "failed", "failed"]


def test_cli_schedule_list_and_run_now(
    tmp_path: Path, clips: list[Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.main import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GANTERP_DATA_DIR", str(tmp_path / "cli-data"))
    monkeypatch.setenv("GANTERP_CLIPS_DIR", str(clips[0].parent))
    assert main(["schedule", "list"]) == 0, "an empty plan is an answer, not an error"
    assert "no daily post is set" in capsys.readouterr().out
    assert main(["schedule", "run-now"]) == 1, "but there is nothing to run now"
    assert "no daily post is set" in capsys.readouterr().err
    monkeypatch.setenv("GANTERP_DAILY_POST_TIME", "07:45")
    monkeypatch.setenv("GANTERP_DAILY_POST_TZ", "Asia/Tokyo")
    assert main(["schedule", "list"]) == 0
    out = capsys.readouterr().out
    assert "daily post at 07:45 Asia/Tokyo" in out and "when `ganterp bot` first starts" in out
    assert main(["schedule", "run-now"]) == 0
    assert capsys.readouterr().out.startswith("daily post queued as job 1")
    assert main(["schedule", "run-now"]) == 0, "a second run the same day is not an error"
    assert "already queued or done; `--again` posts another one" in capsys.readouterr().out
    assert main(["schedule", "run-now", "--again"]) == 0
    assert capsys.readouterr().out.startswith("daily post queued as job 2")


def test_cli_schedule_list_shows_the_next_run_in_the_schedules_zone(
    tmp_path: Path, clips: list[Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.main import main
    from bot.service import database_url, open_store
    from bot.settings import Settings

    monkeypatch.setenv("GANTERP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GANTERP_CLIPS_DIR", str(clips[0].parent))
    monkeypatch.setenv("GANTERP_DAILY_POST_TIME", "07:45")
    monkeypatch.setenv("GANTERP_DAILY_POST_TZ", "Asia/Tokyo")
    settings = Settings.load(env_file=None)
    store = open_store(settings)
    start_scheduler(
        database_url(settings), DailyPoster(store, lambda: clips, DailyPostSettings.parse("07:45", "Asia/Tokyo"))
    ).shutdown()
    assert main(["schedule", "list"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"daily post at 07:45 Asia/Tokyo, next \d{4}-\d\d-\d\d 07:45 Asia/Tokyo", out), out


def test_daily_videos_fit_every_destination(tmp_path: Path, make_clip: ClipMaker) -> None:
    import dataclasses

    from bot.runner import daily_render_options
    from bot.settings import Settings

    base = Settings.load(environ={"GANTERP_DATA_DIR": str(tmp_path)}, env_file=None)
    discord_only = daily_render_options(base)
    assert discord_only.max_bytes is not None and discord_only.max_bytes < 10 * 2**20
    assert discord_only.duration_s == base.max_duration_s and discord_only.size == base.discord_size
    credentials = dict.fromkeys(
        ["x_consumer_key", "x_consumer_secret", "x_access_token", "x_access_token_secret", "x_bearer_token"], "k"
    )
    with_x = daily_render_options(dataclasses.replace(base, **credentials))  # type: ignore[arg-type]
    assert with_x.duration_s == with_x.max_duration_s == 140.0, "X takes at most 140 s"
