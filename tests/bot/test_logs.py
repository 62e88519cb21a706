"""Logging configured for a block is undone after it, so no handler outlives its stderr (the CLI: tests/bot/cli)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.logs import LoggingState, configure_logging, configured_logging
from bot.settings import Settings


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
