"""Shared by the command line's tests: run `ganterp` in-process and take what it printed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.cli.main import main

Ganterp = Callable[..., tuple[int, str, str]]  # (*argv) -> (exit status, stdout, stderr)


@pytest.fixture
def ganterp(capsys: pytest.CaptureFixture[str]) -> Ganterp:
    """`ganterp ARGV…` in this process: its exit status and what it printed on stdout and stderr."""

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
