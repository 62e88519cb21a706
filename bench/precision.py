"""Half precision against float32 on a full-size BigGAN-deep-128 whose weights behave like trained ones.

Usage: python bench/precision.py [--precision bfloat16] [--frames 8] [--json PATH]

Random weights saturate to black and white, which hides numerical error; calibrate_biggan gives
them exact spectral norms, batch-norm statistics measured layer by layer on the model's own
activations, and an output inside tanh's range. For ganterp's layer choice and for the other
choices of how many early blocks stay in float32, it prints the PSNR of the frames against
float32's, the error before tanh, and the forward's milliseconds per frame (all variants timed
in turns in one process, so machine load hits them alike). Takes about two minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TRUNCATIONS = (0.2, 0.4, 1.0)
GOAL_PSNR_DB = 40.0
SEED = 1


@dataclass(frozen=True)
class Row:
    """One layer choice at one truncation."""

    float32_up_to: int  # blocks whose picture is at most this many pixels a side stay float32 (0: none)
    truncation: float
    psnr_db: float
    pre_tanh_mean_error: float
    pre_tanh_max_error: float
    ms_per_frame: float


def main() -> int:
    """Calibrate, compare, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--precision", default="bfloat16", choices=["bfloat16", "float16"])
    parser.add_argument("--frames", type=int, default=8, help="frames per comparison and per timed batch")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers as JSON here")
    args = parser.parse_args()

    import torch

    from pipeline.biggan.device import check_inputs, psnr_db, reuse_freed_memory
    from pipeline.biggan.loading import build_model, read_config, read_weights
    from pipeline.biggan.testing import write_random_weights

    reuse_freed_memory()
    print(f"# {args.precision} against float32, BigGAN-deep-128 with calibrated random weights")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    with tempfile.TemporaryDirectory(prefix="ganterp-precision-") as tmp:
        started = time.perf_counter()
        write_random_weights(Path(tmp), seed=SEED, calibrated=True)
        print(f"calibrated in {time.perf_counter() - started:.0f} s", flush=True)
        config, weights = read_config(Path(tmp)), read_weights(Path(tmp))
    dtype = {"bfloat16": torch.bfloat16, "float16": torch.float16}[args.precision]
    reference = build_model(config, weights, torch.float32, "calibrated")
    choices = {up_to: build_model(config, weights, dtype, "calibrated", up_to) for up_to in (0, 4, 8, 16)}
    z, y = check_inputs(config, args.frames, seed=SEED)
    saturated = []
    rows = []
    timings = _time(reference, choices, z, y, args.frames)
    for truncation in TRUNCATIONS:
        zt = (z / 0.4 * truncation).astype(np.float32)  # latents scaled with the truncation, as a render's are
        full, full_pre = _frames(reference, zt, y, truncation)
        saturated.append(float(np.mean((full == 0) | (full == 255))))
        for up_to, model in choices.items():
            frames, pre = _frames(model, zt, y, truncation)
            error = (pre - full_pre).abs()
            psnr = psnr_db(full, frames)
            rows.append(Row(up_to, truncation, psnr, float(error.mean()), float(error.max()), timings[up_to]))
    report(rows, timings, saturated, args.precision)
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")
    return 0


def _frames(model: Any, z: np.ndarray, y: np.ndarray, truncation: float) -> tuple[np.ndarray, Any]:
    """Frames and the output before tanh."""
    import torch

    from pipeline.biggan.network import BigGANDeep, frames_of

    assert isinstance(model, BigGANDeep)
    captured: list[torch.Tensor] = []
    hook = model.generator.conv_to_rgb.register_forward_hook(lambda m, i, out: captured.append(out.float()))
    with torch.inference_mode():
        frames, _ = frames_of(model, torch.from_numpy(z), torch.from_numpy(y), truncation, model.config.output_dim)
    hook.remove()
    return frames.numpy(), captured[0]


def _time(reference: Any, choices: dict[int, Any], z: np.ndarray, y: np.ndarray, batch: int) -> dict[int, float]:
    """Milliseconds per frame of each model's forward: the median of 5 turns, all models timed in turn."""
    import torch

    models: dict[int, Any] = {-1: reference, **choices}
    seconds: dict[int, list[float]] = {key: [] for key in models}
    zt, yt = torch.from_numpy(z), torch.from_numpy(y)
    with torch.inference_mode():
        for model in models.values():
            model(zt, yt, 0.2)  # warm-up
        for _ in range(5):
            for key, model in models.items():
                started = time.perf_counter()
                model(zt, yt, 0.2)
                seconds[key].append(time.perf_counter() - started)
    return {key: float(np.median(values)) / batch * 1000 for key, values in seconds.items()}


def report(rows: list[Row], timings: dict[int, float], saturated: list[float], precision: str) -> None:
    """The table: one line per layer choice, PSNR at each truncation, the worst error before tanh, speed."""
    from pipeline.biggan.network import FLOAT32_UP_TO

    print(
        f"\nfloat32 forward: {timings[-1]:.1f} ms/frame; saturated pixels in float32's frames: "
        f"{', '.join(f'{s:.2%}' for s in saturated)} at truncation {', '.join(map(str, TRUNCATIONS))}"
    )
    header = " | ".join(f"PSNR t={t:g}" for t in TRUNCATIONS)
    print(f"\n| float32 blocks | {header} | pre-tanh error mean / max | ms/frame | |")
    print("|---|" + "---|" * len(TRUNCATIONS) + "---|---|---|")
    for up_to in sorted({r.float32_up_to for r in rows}):
        mine = [r for r in rows if r.float32_up_to == up_to]
        psnrs = " | ".join(f"{r.psnr_db:.1f} dB" for r in mine)
        mean = max(r.pre_tanh_mean_error for r in mine)
        worst = max(r.pre_tanh_max_error for r in mine)
        label = "none" if up_to == 0 else f"up to {up_to}×{up_to}"
        chosen = "ganterp's" if up_to == FLOAT32_UP_TO else ""
        ok = "" if min(r.psnr_db for r in mine) >= GOAL_PSNR_DB else f"< {GOAL_PSNR_DB:g} dB"
        print(f"| {label} | {psnrs} | {mean:.4f} / {worst:.3f} | {mine[0].ms_per_frame:.1f} | {chosen}{ok} |")
    print(f"\n({precision}; load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    sys.exit(main())
