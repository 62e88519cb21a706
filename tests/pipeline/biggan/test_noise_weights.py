"""A first video without the real weights: random weights in the real format, and the one-line missing-weights error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.cli.main import main
from pipeline.biggan.weights import NOISE_FOLDER, has_weights, is_noise_weights
from tests.conftest import ClipMaker, free_port
from tests.paths import ROOT


def test_noise_weights_load_through_the_real_loader_and_classes_differ(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.biggan.generator import BigGANGenerator

    folder = tmp_path / "noise"
    assert main(["noise-weights", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "noise" in out and f"GANTERP_WEIGHTS_DIR={folder}" in out
    assert has_weights(folder) and is_noise_weights(folder)
    generator = BigGANGenerator(folder, device="cpu", precision="float32")
    assert generator.output_size == 128
    z = np.zeros((2, 128), np.float32)
    y = np.zeros((2, 1000), np.float32)
    y[0, 1], y[1, 500] = 1.0, 1.0
    frames = generator.generate(z, y, truncation=0.4)
    assert frames.shape == (2, 128, 128, 3)
    assert frames.std() > 20 and np.abs(frames[0].astype(int) - frames[1]).mean() > 5, "mid-tones; classes differ"


def test_noise_weights_refuse_a_used_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    assert main(["noise-weights", str(tmp_path)]) == 1
    assert "a new or empty folder" in capsys.readouterr().err
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_render_with_noise_weights_makes_them_once_and_says_the_pictures_are_noise(
    make_clip: ClipMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GANTERP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("GANTERP_ALLOW_DOWNLOAD", "false")
    clip = str(make_clip(1.5))
    for attempt in range(2):
        out = tmp_path / f"first-{attempt}.mp4"
        assert main(["render", clip, "-o", str(out), "--noise-weights", "--fps", "4", "--seed", "1"]) == 0
        err = capsys.readouterr().err
        assert "the pictures are noise" in err
        assert ("making random weights once" in err) == (attempt == 0), "made once, then reused"
        assert out.is_file() and out.stat().st_size > 1000
    assert is_noise_weights(tmp_path / "cache" / "weights" / NOISE_FOLDER)


def _cli(*argv: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import sys; from bot.cli.main import main; sys.exit(main())", *argv],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def offline_env(tmp_path: Path) -> dict[str, str]:
    root = ROOT
    return {
        **os.environ,
        "PYTHONPATH": str(root),
        "GANTERP_CACHE_DIR": str(tmp_path / "cache"),
        "GANTERP_WEIGHTS_URLS": f"http://127.0.0.1:{free_port()}/{{model}}/{{file}},http://127.0.0.1:{free_port()}/x",
        "GANTERP_LOG_LEVEL": "",
    }


def test_missing_weights_is_one_line_with_every_way_to_get_them(
    make_clip: ClipMaker, tmp_path: Path, offline_env: dict[str, str]
) -> None:
    done = _cli("render", str(make_clip(1.5)), "-o", str(tmp_path / "x.mp4"), env=offline_env, cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # no WARNING lines repeating each failed address first
    assert lines[0].startswith("ganterp: no weights for biggan-deep-128")
    for way in ("GANTERP_WEIGHTS_DIR", "GANTERP_WEIGHTS_URLS", "--noise-weights", "download-weights"):
        assert way in lines[0]


def test_failed_download_weights_says_where_else_the_files_can_come_from(
    tmp_path: Path, offline_env: dict[str, str]
) -> None:
    done = _cli("download-weights", env=offline_env, cwd=tmp_path)
    assert done.returncode == 1
    assert "WARNING" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert "GANTERP_WEIGHTS_URLS" in last and "a mirror" in last and "GANTERP_WEIGHTS_DIR" in last
