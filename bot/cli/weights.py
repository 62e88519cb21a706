"""The weights commands: download-weights (fetch and check BigGAN ahead of time) and noise-weights (try it offline)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from bot.settings import Settings
from pipeline.biggan.weights import MODELS, cached_folder, download_weights, has_weights, is_noise_weights
from pipeline.errors import InvalidOption


def cmd_download_weights(args: argparse.Namespace, settings: Settings) -> int:
    """Download the chosen models' weights (unless present) and check that each loads."""
    from pipeline.biggan.device import pick_model  # torch only when needed
    from pipeline.biggan.loading import load_biggan

    models = MODELS if args.all else (pick_model(args.model or settings.model, settings.device),)
    for model in models:
        folder = args.weights or cached_folder(settings.cache_dir, model)
        if args.again or not has_weights(Path(folder)):  # present ones are checked below, not fetched again
            print(f"{model}: downloading into {folder}", file=sys.stderr)
            download_weights(model, Path(folder), settings.weights_urls, _DownloadMeter(sys.stderr))
        loaded = load_biggan(Path(folder))
        params = sum(p.numel() for p in loaded.parameters())
        print(f"{model}: ok, {params / 1e6:.1f}M parameters, {loaded.config.output_dim}px, in {folder}")
    return 0


def cmd_noise_weights(args: argparse.Namespace, settings: Settings) -> int:
    """Write small random weights in BigGAN-deep's format into a new or empty folder."""
    from pipeline.biggan.noise import write_noise_weights  # torch only when needed

    folder = Path(args.folder)
    if folder.exists() and not (folder.is_dir() and (is_noise_weights(folder) or not any(folder.iterdir()))):
        raise InvalidOption("folder", args.folder, "a new or empty folder (or one this command made before)")
    write_noise_weights(folder)
    print(f"wrote random weights in BigGAN-deep's format to {folder}: the pictures they make are noise.")
    print(f"  render with them: ganterp render CLIP --weights {folder}")
    print(f"  bots and workers: GANTERP_WEIGHTS_DIR={folder}")
    return 0


class _DownloadMeter:
    """A line per 10 MiB downloaded (and one at the end of each file)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._last_mib = -1

    def __call__(self, name: str, done: int, total: int | None) -> None:
        mib = done >> 20
        if mib // 10 != self._last_mib // 10 or done == total:
            self._last_mib = mib
            size = f" of {total / 2**20:.0f}" if total else ""
            print(f"  {name}: {done / 2**20:.0f}{size} MiB", file=self._stream)
