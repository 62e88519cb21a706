"""open_generator: the one way the bot and the commands build BigGAN from their settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.runner import load_generator
from bot.settings import Settings
from pipeline.biggan import device
from pipeline.biggan.generator import open_generator
from pipeline.biggan.weights import NOISE_MARKER, cached_folder
from pipeline.errors import WeightsUnavailable


def settings(cache: Path, **values: str) -> Settings:
    """Settings from an environment of their own (no .env file read)."""
    return Settings.load({"GANTERP_CACHE_DIR": str(cache), **values}, env_file=None)


def test_the_settings_weights_device_precision_and_batch_size_are_used(tiny_weights: Path, tmp_path: Path) -> None:
    chosen = settings(
        tmp_path / "cache",
        GANTERP_WEIGHTS_DIR=str(tiny_weights),
        GANTERP_DEVICE="cpu",
        GANTERP_PRECISION="bfloat16",
        GANTERP_BATCH_SIZE="3",
    )
    generator = open_generator(chosen)
    assert generator.weights_dir == tiny_weights and generator.device == "cpu"
    assert generator.precision == "bfloat16" and generator.batch_size == 3


def test_without_a_folder_the_models_cache_folder_is_loaded(tiny_weights: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(tiny_weights, cached_folder(cache, "biggan-deep-256"))
    chosen = settings(cache, GANTERP_MODEL="biggan-deep-256", GANTERP_DEVICE="cpu", GANTERP_ALLOW_DOWNLOAD="0")
    assert open_generator(chosen).weights_dir == cached_folder(cache, "biggan-deep-256")


def test_missing_weights_without_downloads_are_one_error(tmp_path: Path) -> None:
    chosen = settings(tmp_path / "cache", GANTERP_DEVICE="cpu", GANTERP_ALLOW_DOWNLOAD="0")
    with pytest.raises(WeightsUnavailable, match="downloads are turned off"):
        open_generator(chosen)


def test_noise_weights_are_announced_and_run_in_float32_under_auto(
    tiny_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(device, "cpu_has_native_bfloat16", lambda: True)  # where `auto` would try bfloat16
    noise = tmp_path / "noise"
    shutil.copytree(tiny_weights, noise)
    (noise / NOISE_MARKER).write_text("random")
    announced: list[Path] = []
    chosen = settings(tmp_path / "cache", GANTERP_WEIGHTS_DIR=str(noise), GANTERP_DEVICE="cpu")
    assert open_generator(chosen, on_noise=announced.append).precision == "float32"
    assert announced == [noise]
    asked = settings(
        tmp_path / "cache", GANTERP_WEIGHTS_DIR=str(noise), GANTERP_DEVICE="cpu", GANTERP_PRECISION="bfloat16"
    )
    assert open_generator(asked, on_noise=announced.append).precision == "bfloat16", "an explicit choice stays"


def test_the_bot_loads_through_it_and_logs_noise_weights(
    tiny_weights: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(device, "cpu_has_native_bfloat16", lambda: True)
    noise = tmp_path / "noise"
    shutil.copytree(tiny_weights, noise)
    (noise / NOISE_MARKER).write_text("random")
    generator = load_generator(settings(tmp_path / "cache", GANTERP_WEIGHTS_DIR=str(noise), GANTERP_DEVICE="cpu"))
    assert generator.info.precision == "float32"
    assert "random (ganterp noise-weights)" in caplog.text
