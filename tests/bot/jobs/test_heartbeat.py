"""Liveness for containers: long-running commands keep a heartbeat file fresh; `ganterp health` reads it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.jobs.heartbeat import Heartbeat, heartbeat_age_s
from tests.conftest import wait_until
from tests.paths import ROOT


def test_a_running_worker_is_healthy_and_a_stopped_one_is_not(
    tiny_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    beat = tmp_path / "run" / "heartbeat"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GANTERP_DATA_DIR": str(tmp_path / "data"),
        "GANTERP_WEIGHTS_DIR": str(tiny_weights),
        "GANTERP_HEARTBEAT_FILE": str(beat),
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", "import sys; from bot.cli.main import main; sys.exit(main())", "worker"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_until(beat.exists, timeout=120), "the worker never beat"
        monkeypatch.setenv("GANTERP_HEARTBEAT_FILE", str(beat))
        assert main(["health"]) == 0 and "healthy" in capsys.readouterr().out
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=120)
    assert not beat.exists(), "a stopped process is not alive"
    assert main(["health"]) == 1 and "no heartbeat" in capsys.readouterr().err


def test_a_stale_heartbeat_is_unhealthy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    beat = tmp_path / "heartbeat"
    Heartbeat(beat).beat()
    old = time.time() - 300
    os.utime(beat, (old, old))
    monkeypatch.setenv("GANTERP_HEARTBEAT_FILE", str(beat))
    assert main(["health"]) == 1 and "300 s old" in capsys.readouterr().err
    assert main(["health", "--max-age", "600"]) == 0


def test_the_thread_keeps_beating_until_stopped(tmp_path: Path) -> None:
    beating = Heartbeat(tmp_path / "hb", every_s=0.05).start()
    first = (tmp_path / "hb").stat().st_mtime_ns
    assert wait_until(lambda: (tmp_path / "hb").stat().st_mtime_ns != first, timeout=30)
    beating.stop()
    assert heartbeat_age_s(tmp_path / "hb") is None


def test_health_without_the_setting_is_one_sentence(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GANTERP_HEARTBEAT_FILE", raising=False)
    assert main(["health"]) == 1 and "GANTERP_HEARTBEAT_FILE" in capsys.readouterr().err
