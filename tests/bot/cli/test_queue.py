"""The queue's commands: stats without jobs, and with one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.cli.conftest import Ganterp
from tests.conftest import ClipMaker


def test_stats_without_jobs_is_a_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ganterp: Ganterp) -> None:
    monkeypatch.setenv("GANTERP_DATA_DIR", str(tmp_path / "data"))
    code, out, _ = ganterp("stats")
    assert code == 0 and out.strip() == "no jobs yet"


def test_stats_counts_one_job_as_one_job(
    make_clip: ClipMaker,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    ganterp: Ganterp,
) -> None:
    monkeypatch.setenv("GANTERP_DATA_DIR", str(tmp_path / "data"))
    assert ganterp("submit", str(make_clip(1.0)), "--requester", "ann")[0] == 0
    code, out, _ = ganterp("stats")
    assert code == 0
    assert out.splitlines()[0] == "1 job: 1 queued" and "cli: 1 job," in out
