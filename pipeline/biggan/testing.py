"""Weights folders of seeded random BigGAN-deep models, for tests and benchmarks only.

No production module imports this (tests/test_architecture.py checks it). The models come from
pipeline.biggan.noise's builders, which `ganterp noise-weights` uses too, so what is saved is
the format real weights come in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.biggan.noise import build_random_biggan, calibrate_biggan, save_biggan, tiny_config

TINY_SIZE = 32  # pixels a side: a model small enough for a test to load and run in well under a second


def write_random_weights(folder: Path, config: Any = None, *, seed: int = 0, calibrated: bool = False) -> Path:
    """Save a seeded random BigGAN-deep of a library `config` (default: the real 128 architecture) to `folder`.

    Uncalibrated, its pictures saturate to black and white: fine for speed and shapes. Calibrated,
    they have mid-tones, as a trained model's do: for precision checks (a minute at full size on a CPU).
    """
    if config is None:
        from pytorch_pretrained_biggan import BigGANConfig

        config = BigGANConfig()  # its defaults are BigGAN-deep-128's architecture
    model = build_random_biggan(config, seed=seed)
    save_biggan(calibrate_biggan(model) if calibrated else model, folder)
    return folder


def write_tiny_weights(folder: Path, *, seed: int = 0, calibrated: bool = False, size: int = TINY_SIZE) -> Path:
    """Save a narrow random BigGAN-deep of `size` pixels a side (32 by default) to `folder`."""
    return write_random_weights(folder, tiny_config(size), seed=seed, calibrated=calibrated)
