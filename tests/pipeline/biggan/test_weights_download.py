"""`ganterp download-weights` leaves present weights alone (compose's one-shot service runs it at every start)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.conftest import free_port


def test_present_weights_are_checked_not_fetched_again(
    tiny_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "cache" / "weights" / "biggan-deep-128"
    shutil.copytree(tiny_weights, folder)
    monkeypatch.setenv("GANTERP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("GANTERP_WEIGHTS_URLS", f"http://127.0.0.1:{free_port()}/{{model}}/{{file}}")  # unreachable
    assert main(["download-weights", "--model", "biggan-deep-128"]) == 0
    captured = capsys.readouterr()
    assert "downloading" not in captured.err and "biggan-deep-128: ok" in captured.out
    assert main(["download-weights", "--model", "biggan-deep-128", "--again"]) == 1, "--again does fetch"
