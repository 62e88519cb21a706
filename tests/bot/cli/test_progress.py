"""Progress without a terminal: one line per tenth of a render, with frames/s and the time left."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.cli.progress import ProgressLines
from pipeline.render import Progress
from tests.conftest import ClipMaker


def test_one_line_per_tenth_with_rate_and_eta() -> None:
    out = io.StringIO()
    lines = ProgressLines(out)
    for done in range(0, 301, 8):  # batches of 8 frames, 10 frames/s
        lines(Progress("render", min(done, 300), 300, elapsed_s=min(done, 300) / 10))
    lines(Progress("render", 300, 300, elapsed_s=30.0))
    lines(Progress("encode", 0, 1, elapsed_s=0.0))
    lines(Progress("encode", 1, 1, elapsed_s=1.0))
    printed = out.getvalue().splitlines()
    percents = [int(re.findall(r"(\d+)%", line)[0]) for line in printed[:-1]]
    assert [p // 10 for p in percents] == list(range(1, 11)), percents  # the first batch past each tenth
    assert "10.0 frames/s" in printed[0] and "about 27 s left" in printed[0]
    assert printed[-1].startswith("encode:") and len(printed) == 11


def test_a_batch_larger_than_a_tenth_prints_one_line_not_several() -> None:
    out = io.StringIO()
    lines = ProgressLines(out)
    lines(Progress("render", 64, 100, elapsed_s=2.0))
    lines(Progress("render", 100, 100, elapsed_s=3.0))
    assert out.getvalue().splitlines() == [
        "render: 64% (64/100 frames), 32.0 frames/s, about 1 s left",
        "render: 100% (100/100 frames), 33.3 frames/s",
    ]


def test_a_render_without_a_terminal_prints_progress_lines(
    make_clip: ClipMaker, tiny_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "v.mp4"
    args = ["render", str(make_clip(3.0)), "-o", str(out), "--weights", str(tiny_weights), "--fps", "10", "--seed", "1"]
    assert main(args) == 0
    err = capsys.readouterr().err  # capsys's stderr is not a terminal, as in docker logs
    progress = [line for line in err.splitlines() if line.startswith("render: ")]
    assert 1 <= len(progress) <= 10 and progress[-1].startswith("render: 100% (30/30 frames)")
    assert "frames/s" in progress[-1]


def test_the_worker_logs_a_line_per_tenth_with_speed_and_time_left(caplog: pytest.LogCaptureFixture) -> None:
    import threading

    from bot.jobs.worker import _ProgressReporter

    class Store:
        def report_progress(self, job_id: int, stage: str, progress: float, eta_s: float | None) -> bool:
            return False

    reporter = _ProgressReporter(Store(), 7, every_s=60.0, stop_event=threading.Event())  # type: ignore[arg-type]
    with caplog.at_level("INFO", logger="bot.jobs.worker"):
        for done in range(8, 201, 8):
            reporter(Progress("render", min(done, 200), 200, elapsed_s=min(done, 200) / 20))
    lines = [r.getMessage() for r in caplog.records if "rendering" in r.getMessage()]
    assert [int(re.findall(r"(\d+)%", line)[0]) for line in lines] == [10, 20, 30, 40, 50, 60, 70, 80, 90]
    assert all("20.0 frames/s" in line and "s left" in line for line in lines), lines
