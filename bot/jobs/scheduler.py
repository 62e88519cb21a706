"""Scheduled daily posts: APScheduler 3 with its jobs stored in the job log's database.

A restart neither loses nor doubles a post: the schedule's next run time lives in
the database, a run missed while the bot was down is made up once if it is within
the grace time (else skipped), and each day's post is recorded as a job, so a
second run for the same day finds it and does nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from bot.service import Accepted, submit_file
from pipeline.errors import UserError
from pipeline.render import RenderOptions
from pipeline.words.lookup import LookupOptions, resolve_words
from storage.clock import utcnow
from storage.jobs import JobStore

log = logging.getLogger(__name__)

DAILY_JOB_ID = "ganterp-daily-post"
PLATFORM = "schedule"
_SOURCE_PREFIX = "daily"


class ScheduleError(UserError, ValueError):
    """A schedule setting is malformed, or the library is empty; the message says which."""

    def user_message(self) -> str:
        """One sentence for the operator."""
        return str(self)


@dataclass(frozen=True)
class DailyPostSettings:
    """When and what to post every day."""

    at: dt.time
    timezone: str = "UTC"
    theme: str | None = None  # words for the classes; random classes when None
    misfire_grace_s: int = 3600

    @classmethod
    def parse(cls, at: str, timezone: str = "UTC", theme: str | None = None, grace_s: int = 3600) -> DailyPostSettings:
        """From settings text ("09:30", "Europe/Paris"); raises ScheduleError naming the bad one."""
        try:
            hour, minute = (int(part) for part in at.split(":"))
            time_of_day = dt.time(hour, minute)
        except ValueError:
            raise ScheduleError(f"GANTERP_DAILY_POST_TIME must be HH:MM (got {at!r}).") from None
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ScheduleError(
                f"GANTERP_DAILY_POST_TZ must be a time zone such as Europe/Paris (got {timezone!r})."
            ) from None
        return cls(time_of_day, timezone, theme or None, grace_s)

    def trigger(self) -> CronTrigger:
        """Every day at the set time in the set zone."""
        return CronTrigger(hour=self.at.hour, minute=self.at.minute, timezone=ZoneInfo(self.timezone))


class DailyPoster:
    """Queues one video a day from the clip library; the platform "schedule" jobs are delivered by the front ends."""

    def __init__(
        self,
        store: JobStore,
        clips: Callable[[], Sequence[Path]],
        settings: DailyPostSettings,
        clock: Callable[[], dt.datetime] | None = None,
        render_options: RenderOptions | None = None,
    ) -> None:
        self.store, self.clips, self.settings = store, clips, settings
        # What every daily video is rendered with (size, rate, byte limit, length) so it posts everywhere.
        self.render_options = render_options or RenderOptions()
        self.clock = clock or utcnow

    def today(self) -> str:
        """The local date of the schedule's time zone, as the day's key."""
        return self.clock().astimezone(ZoneInfo(self.settings.timezone)).date().isoformat()

    def post(self, *, force: bool = False) -> Accepted | None:
        """Queue today's post; without `force`, nothing if today's was already queued."""
        day = self.today()
        if not force and self.store.find_by_source(PLATFORM, f"{_SOURCE_PREFIX}:{day}:"):
            log.info("daily post for %s already queued; skipping", day)
            return None
        clip = next_clip(self.clips(), self._last_used())
        seed = secrets.randbelow(2**31)
        theme = self.settings.theme
        classes = tuple(resolve_words(theme, seed, LookupOptions(fix_spelling=False))) if theme else ()
        accepted = submit_file(
            self.store,
            clip,
            dataclasses.replace(self.render_options, seed=seed, classes=classes),
            platform=PLATFORM,
            requester_id=PLATFORM,
            requester_name="daily post",
            source_kind="file",
            source_ref=f"{_SOURCE_PREFIX}:{day}:{clip.name}",
            words=theme,
        )
        log.info("daily post for %s queued as job %d (%s)", day, accepted.job.id, clip.name)
        return accepted

    def _last_used(self) -> dict[str, dt.datetime]:
        used: dict[str, dt.datetime] = {}
        for job in self.store.find_by_source(PLATFORM, f"{_SOURCE_PREFIX}:"):
            name = job.source_ref.split(":", 2)[-1]
            used[name] = max(used.get(name, job.created_at), job.created_at)
        return used


def next_clip(clips: Sequence[Path], last_used: dict[str, dt.datetime]) -> Path:
    """A clip never posted yet (by name), else the one posted longest ago: no repeat until all were used."""
    if not clips:
        raise ScheduleError("the clip library is empty; add audio files to it.")
    never = sorted((clip for clip in clips if clip.name not in last_used), key=lambda clip: clip.name)
    if never:
        return never[0]
    return min(clips, key=lambda clip: (last_used[clip.name], clip.name))


# APScheduler stores a reference to a module-level function, so the live poster is registered here.
_active_poster: DailyPoster | None = None


def run_daily_post() -> None:
    """The scheduled job: post today's video with the poster the running bot registered."""
    if _active_poster is None:
        log.warning("daily post fired with no poster registered; skipped")
        return
    try:
        _active_poster.post()
    except Exception:  # a failed post must not stop tomorrow's
        log.exception("daily post failed")


def start_scheduler(database_url: str, poster: DailyPoster) -> BackgroundScheduler:
    """Start the background scheduler with the daily post, keeping a stored run time so a missed run is honoured."""
    global _active_poster
    _active_poster = poster
    settings = poster.settings
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=database_url, tablename="apscheduler_jobs")},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": settings.misfire_grace_s},
        timezone=ZoneInfo(settings.timezone),
    )
    scheduler.start(paused=True)
    trigger = settings.trigger()
    existing = scheduler.get_job(DAILY_JOB_ID)
    # Replacing an unchanged job would move its stored run time past a run missed while down.
    if existing is None or str(existing.trigger) != str(trigger):
        scheduler.add_job(run_daily_post, trigger, id=DAILY_JOB_ID, replace_existing=True, name="daily post")
    scheduler.resume()
    return scheduler


def stored_next_run(database_url: str) -> dt.datetime | None:
    """When the stored daily post runs next, read without starting a scheduler (None: never started)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            value = connection.execute(
                text("SELECT next_run_time FROM apscheduler_jobs WHERE id = :id"), {"id": DAILY_JOB_ID}
            ).scalar()
    except OperationalError:  # the scheduler never ran, so its table does not exist yet
        return None
    finally:
        engine.dispose()
    return None if value is None else dt.datetime.fromtimestamp(float(value), dt.UTC)


def planned(scheduler: BackgroundScheduler) -> list[tuple[str, dt.datetime | None]]:
    """(name, next run time) of every scheduled job."""
    return [(job.name, job.next_run_time) for job in scheduler.get_jobs()]
