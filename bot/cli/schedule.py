"""`ganterp schedule list` and `ganterp schedule run-now`: the daily post from the command line."""

from __future__ import annotations

import argparse
from zoneinfo import ZoneInfo

from bot.jobs.scheduler import ScheduleError, stored_next_run
from bot.runner import build_service, daily_poster
from bot.service import database_url
from bot.settings import Settings
from bot.x.bot import x_configured

NOT_SET = "no daily post is set: set GANTERP_DAILY_POST_TIME (HH:MM) and, if needed, GANTERP_DAILY_POST_TZ."


def cmd_schedule(args: argparse.Namespace, settings: Settings) -> int:
    """List the plan, or queue today's post now."""
    service = build_service(settings)
    poster = daily_poster(settings, service.store)
    if poster is None:
        if args.action == "list":  # nothing planned is an answer, not an error
            print(NOT_SET)
            return 0
        raise ScheduleError(NOT_SET)
    if args.action == "run-now":
        accepted = poster.post(force=args.again)
        if accepted is None:
            print(f"today's daily post ({poster.today()}) is already queued or done; `--again` posts another one.")
            return 0
        theme = accepted.job.source_ref.split(":", 2)[-1]
        print(f"daily post queued as job {accepted.job.id} ({theme}); the running `ganterp bot` renders and posts it.")
        return 0
    daily = poster.settings
    next_run = stored_next_run(database_url(settings))
    # One zone throughout: the schedule's own, in which the time was set.
    zone = ZoneInfo(daily.timezone)
    when = (
        f"{next_run.astimezone(zone):%Y-%m-%d %H:%M} {daily.timezone}"
        if next_run
        else "when `ganterp bot` first starts"
    )
    channels = service.guilds.daily_channels()
    print(f"daily post at {daily.at:%H:%M} {daily.timezone}, next {when}")
    print(f"  classes: {daily.theme or 'random'}; misfire grace {daily.misfire_grace_s} s")
    print(f"  Discord: {len(channels)} server daily channel(s); X: {'on' if _x_daily(settings) else 'off'}")
    return 0


def _x_daily(settings: Settings) -> bool:
    return x_configured(settings) and settings.daily_on_x
