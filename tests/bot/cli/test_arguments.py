"""The parser: each sub-command's help, and every sub-command names a function that exists."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.cli.arguments import build_parser
from bot.cli.main import command_for
from tests.paths import ROOT


@pytest.mark.parametrize("command", ["render", "analyze", "preview"])
def test_help_says_the_source_may_be_a_link(command: str) -> None:
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    source = next(a for a in subparsers.choices[command]._actions if a.dest == "source")
    assert "link" in (source.help or "")


def test_every_sub_command_names_a_command_function_of_the_cli() -> None:
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(subparsers.choices) == {
        *("render", "preview", "analyze", "classes", "download-weights", "noise-weights", "doctor", "health", "bot"),
        *("submit", "worker", "dispatch", "workers", "jobs", "stats", "schedule"),
    }
    for name, parser in subparsers.choices.items():
        handler = parser.get_default("handler")
        command = command_for(handler)
        assert handler.startswith("bot.cli.") and callable(command), name
        assert command.__name__ == f"cmd_{name.replace('-', '_')}", f"{name} runs {command.__name__}"


def test_only_the_long_running_commands_say_so() -> None:
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    long_running = {name for name, parser in subparsers.choices.items() if parser.get_default("long_running")}
    assert long_running == {"worker", "dispatch", "bot"}


def test_a_render_imports_no_queue_scheduler_or_bot_library() -> None:
    snippet = (
        "import sys; from bot.cli.main import command_for; command_for('bot.cli.media:cmd_render'); "
        "libraries = ('sqlalchemy', 'apscheduler', 'discord', 'tweepy', 'bot.cli.queue'); "
        "print(sorted(m for m in libraries if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", snippet], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout
