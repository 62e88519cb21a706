"""Logging set up by the commands is undone when they run in-process, so no handler outlives its stderr."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.logs import LoggingState, configure_logging, configured_logging
from bot.settings import Settings


def test_main_called_in_process_leaves_the_logging_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setenv("GANTERP_DATA_DIR", str(tmp_path / "data"))
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    for _ in range(2):
        assert main(["bot"]) == 1  # a long-running command: it configured logging at INFO
        assert root.handlers == handlers and root.level == level
    capsys.readouterr()


def test_configured_logging_puts_back_what_it_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings.load(environ={"GANTERP_DATA_DIR": str(tmp_path)}, env_file=None)
    root = logging.getLogger()
    before = LoggingState.capture()
    configure_logging(settings)  # as the program does, once
    outer = [h for h in root.handlers if h not in before.handlers]
    try:
        with configured_logging(settings, "DEBUG"):
            assert root.level == logging.DEBUG and not set(outer) & set(root.handlers), "replaced, not doubled"
            assert logging.getLogger("urllib3").level == logging.DEBUG
        assert [h for h in root.handlers if h not in before.handlers] == outer, "the program's handler is back"
        assert logging.getLogger("urllib3").level == logging.WARNING
    finally:
        before.restore()
    assert root.handlers == list(before.handlers) and root.level == before.level
    capsys.readouterr()
