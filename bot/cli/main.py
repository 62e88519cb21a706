"""The entry point of the `ganterp` command: settings and logging, the sub-command, and the one place errors end.

A `UserError` (bad input, a limit, a setting) is printed as its sentence and exits 1; anything else
is a bug: its traceback goes to a crash log and the person is told where.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import importlib
import os
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import cast

from bot.cli.arguments import build_parser
from bot.cli.exits import EXIT_BUG, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_TERMINATED
from bot.cli.wording import hide, say
from bot.logs import DEFAULT_LEVEL, LONG_RUNNING_LEVEL, LoggingState, configure_logging
from bot.settings import Settings
from pipeline.errors import UserError, sentence
from pipeline.words import configure as configure_words

Command = Callable[[argparse.Namespace, Settings], int]


class Terminated(BaseException):
    """SIGTERM arrived during a one-shot command: unwind like Ctrl-C, so partial files are removed."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `ganterp` console script."""
    logging_before = LoggingState.capture()
    try:
        return _main(argv)
    finally:
        if argv is None:  # the program itself (a test calling main() passes argv): the process exits next
            # Exit then skips a last scan of every object torch made: 0.2-0.3 s of a short render.
            gc.freeze()
        else:  # called in-process: its log handler, on a stderr that may be gone next, must not outlive the call
            logging_before.restore()


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    settings: Settings | None = None  # known once loaded: where a crash report goes
    try:
        with _terminate_as_exception():
            settings = Settings.load()
            hide(settings.secret_values())  # messages printed below never show them either
            configure_logging(settings, LONG_RUNNING_LEVEL if args.long_running else DEFAULT_LEVEL)
            configure_words(settings.words_model, settings.cache_dir, override=False)  # loaded on first use
            command = command_for(args.handler)
            with _heartbeat(settings, args.long_running):
                return command(args, settings)
    except KeyboardInterrupt:
        say("ganterp: interrupted; nothing was written.")
        return EXIT_INTERRUPTED
    except Terminated:
        say("ganterp: stopped; nothing was written.")
        return EXIT_TERMINATED
    except BrokenPipeError:
        # The reader went away (`ganterp classes --list | head`): what it took is all it wanted.
        _silence_stdout()
        return 0
    except UserError as exc:
        say(f"ganterp: {sentence(exc.user_message(), capital=False)}")
        return EXIT_INPUT
    except Exception:
        report = _save_traceback(settings)
        say(f"ganterp: something went wrong (a bug, not your input); the details are in {report}.")
        return EXIT_BUG


def command_for(handler: str) -> Command:
    """The function a sub-command names as "module:function", its module imported only now."""
    module, name = handler.split(":")
    return cast(Command, getattr(importlib.import_module(module), name))


@contextlib.contextmanager
def _heartbeat(settings: Settings, long_running: bool) -> Iterator[None]:
    """While a long-running command runs, touch GANTERP_HEARTBEAT_FILE (when set) for `ganterp health`."""
    if not (long_running and settings.heartbeat_file):
        yield
        return
    from bot.jobs.heartbeat import Heartbeat

    beating = Heartbeat(settings.heartbeat_file).start()
    try:
        yield
    finally:
        beating.stop()


@contextlib.contextmanager
def _terminate_as_exception() -> Iterator[None]:
    """While a command runs, SIGTERM raises Terminated in the main thread (long-running commands set their own)."""

    def terminate(signum: int, frame: object) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, terminate)
    except ValueError:  # not the main thread (tests calling main() from a thread)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail on the closed pipe."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _save_traceback(settings: Settings | None) -> str:
    """Where the traceback was saved: the data folder's crash reports, under its retention."""
    if settings is not None:
        from bot.crashes import save_crash_log

        with contextlib.suppress(OSError):  # an unwritable data folder: the system's temporary folder
            return str(save_crash_log(settings.data_dir, dt.timedelta(hours=settings.retention_h)))
    with tempfile.NamedTemporaryFile("w", prefix="ganterp-crash-", suffix=".log", delete=False) as handle:
        traceback.print_exc(file=handle)
        return handle.name


if __name__ == "__main__":
    sys.exit(main())
