"""`ganterp health`: whether the bot, dispatcher or worker on this machine beat recently (a container's probe)."""

from __future__ import annotations

import argparse

from bot.cli.exits import EXIT_INPUT
from bot.cli.wording import say
from bot.settings import Settings, SettingsError


def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    """0 and "healthy" if the heartbeat file is fresh; else one sentence and 1."""
    from bot.jobs.heartbeat import MAX_AGE_S, heartbeat_age_s

    if settings.heartbeat_file is None:
        raise SettingsError(
            "GANTERP_HEARTBEAT_FILE is not set: `ganterp health` reads the file that `ganterp bot`, `dispatch` "
            "or `worker` touches while it runs (the image sets it)."
        )
    age = heartbeat_age_s(settings.heartbeat_file)
    limit = args.max_age if args.max_age is not None else MAX_AGE_S
    if age is None:
        say("ganterp: unhealthy: no heartbeat yet (the process has not started, or has stopped).")
        return EXIT_INPUT
    if age > limit:
        say(f"ganterp: unhealthy: the last heartbeat is {age:.0f} s old (more than {limit:g} s).")
        return EXIT_INPUT
    print(f"healthy: last heartbeat {age:.0f} s ago")
    return 0
