"""Crash reports go to the data folder and last no longer than its retention."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import threading
import time
from pathlib import Path

import pytest

import bot.cli.classes
from bot.cli.main import main
from bot.crashes import CRASH_FOLDER, remove_old_crash_logs
from bot.jobs.housekeeping import keep_tidy
from tests.storage.test_jobs import open_store


def _aged(path: Path, hours: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("Traceback (most recent call last):\n")
    then = time.time() - hours * 3600
    os.utime(path, (then, then))
    return path


@pytest.fixture
def crashing_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A `ganterp classes` with a bug, a data folder and a private temporary folder; returns the data folder."""

    def broken(*args: object) -> int:
        raise RuntimeError("a bug in the classes command")

    monkeypatch.setattr(bot.cli.classes, "cmd_classes", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("GANTERP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GANTERP_RETENTION_HOURS", "24")
    return tmp_path / "data"


def test_a_crash_report_is_written_in_the_data_folder(crashing_cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classes", "dog"]) == 3
    err = capsys.readouterr().err
    reports = list((crashing_cli / CRASH_FOLDER).iterdir())
    assert len(reports) == 1 and f"the details are in {reports[0]}." in err
    assert "RuntimeError: a bug in the classes command" in reports[0].read_text()
    assert list(Path(tempfile.gettempdir()).iterdir()) == [], "nothing left in the temporary folder (was /tmp)"


def test_a_crash_report_past_the_retention_goes_when_the_next_one_is_written(crashing_cli: Path) -> None:
    old = _aged(crashing_cli / CRASH_FOLDER / "crash-old.log", hours=25)
    recent = _aged(crashing_cli / CRASH_FOLDER / "crash-recent.log", hours=23)
    other = _aged(crashing_cli / CRASH_FOLDER / "notes.txt", hours=100)  # not a crash report: not ours to remove
    assert main(["classes", "dog"]) == 3
    assert not old.exists() and recent.exists() and other.exists()
    assert len(list((crashing_cli / CRASH_FOLDER).glob("crash-*.log"))) == 2


def test_housekeeping_removes_old_crash_reports(tmp_path: Path) -> None:
    store = open_store(tmp_path / "data")
    old = _aged(store.data_dir / CRASH_FOLDER / "crash-a.log", hours=3)
    recent = _aged(store.data_dir / CRASH_FOLDER / "crash-b.log", hours=1)
    stop = threading.Event()
    stop.set()  # one round
    keep_tidy(store, dt.timedelta(hours=2), stop)
    assert not old.exists() and recent.exists()
    assert remove_old_crash_logs(tmp_path / "nowhere", dt.timedelta(hours=1)) == 0
