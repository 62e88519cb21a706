"""Where and how BigGAN runs: the device, the model size it affords, the precision, the batch size.

`auto` means: the GPU when CUDA has one, BigGAN-deep-512 where its memory allows (else 256, else
128; 128 on a CPU), half precision where the hardware computes it natively (float16 on CUDA,
bfloat16 on CPUs with AVX512-BF16 or AMX; the generator then checks the first frame against
float32's), and as many frames per forward as the device holds. Importing this module also
tunes glibc's allocator for the forward's large activations (reuse_freed_memory).
"""

from __future__ import annotations

import ctypes
import functools
import math
import platform
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from pipeline.biggan.network import ModelConfig
from pipeline.biggan.weights import PRECISIONS
from pipeline.errors import InvalidOption

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
CPU_BATCH = 8
# `auto` picks BigGAN-deep-512 on a GPU with this much free memory (weights, a batch of 16 in
# half precision and the CUDA workspace, with room to spare), else 256, else 128.
_GPU_MEMORY_FOR = {"biggan-deep-512": 12 * 2**30, "biggan-deep-256": 6 * 2**30}


# glibc's mallopt parameters.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
_KEEP_BYTES = 1 << 30


@functools.cache
def reuse_freed_memory() -> bool:
    """Let glibc keep freed large blocks for reuse instead of handing them back to the kernel (once per process).

    By default every block over 32 MiB is mapped fresh and unmapped when freed, and the heap's top
    is trimmed: a CPU forward allocates and frees dozens of such activations per batch, and the
    kernel zeroes every page of each again; that costs about a tenth of the forward (measured in
    the README). One arena for all threads, so what the loading thread frees (the float32
    reference) serves the rendering thread's activations. Called when this module is imported,
    which the commands do on their main thread before any other thread starts (an arena limit
    set later does not apply to threads that already allocated). The price: the process keeps its
    peak memory until it exits. False where the C library is not glibc (nothing is changed there).
    """
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        settings = ((_M_MMAP_THRESHOLD, _KEEP_BYTES), (_M_TRIM_THRESHOLD, _KEEP_BYTES), (_M_ARENA_MAX, 1))
        return all(bool(libc.mallopt(parameter, value)) for parameter, value in settings)
    except (OSError, AttributeError):
        return False


reuse_freed_memory()


def cpu_has_native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AVX512-BF16 or AMX), as torch sees it."""
    checks = [getattr(torch.cpu, name, None) for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    if any(callable(check) for check in checks):
        return any(bool(check()) for check in checks if callable(check))
    try:  # an older torch without the query: the kernel's list of CPU flags
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


def pick_device(device: str) -> torch.device:
    """`auto` → the GPU when CUDA has one, else the CPU; anything else is checked."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        picked = torch.device(device)
    except RuntimeError as exc:
        raise InvalidOption("device", device, "auto, cpu, cuda or cuda:N") from exc
    if picked.type == "cuda" and not torch.cuda.is_available():
        raise InvalidOption("device", device, "auto or cpu on a machine without CUDA")
    if picked.type not in ("cpu", "cuda"):
        raise InvalidOption("device", device, "auto, cpu, cuda or cuda:N")
    return picked


def pick_model(model: str, device: str = "auto") -> str:
    """`auto` → BigGAN-deep-512 on a GPU with the memory for it (else 256, else 128), 128 on a CPU."""
    if model != "auto":
        return model
    picked = pick_device(device)
    if picked.type != "cuda":
        return "biggan-deep-128"
    free, _ = torch.cuda.mem_get_info(picked)
    for name, needed in _GPU_MEMORY_FOR.items():
        if free >= needed:
            return name
    return "biggan-deep-128"


def check_precision(precision: str) -> str:
    """Return `precision` if it is one ganterp knows."""
    if precision not in PRECISIONS:
        raise InvalidOption("precision", precision, f"one of {', '.join(PRECISIONS)}")
    return precision


def preferred_precision(device: torch.device) -> str:
    """What `auto` tries first: half precision where the hardware computes it natively, float32 elsewhere."""
    if device.type == "cuda":
        return "float16"
    return "bfloat16" if cpu_has_native_bfloat16() else "float32"


@dataclass(frozen=True)
class Runtime:
    """What a render would run on here, for `ganterp doctor`."""

    torch_version: str
    cuda_version: str | None  # the CUDA torch was built with; None: a CPU-only build
    device: str
    device_name: str  # the GPU's name, or the CPU's architecture
    precision: str  # what `auto` tries first (half precision is then checked on the first frame)


def describe_runtime(device: str = "auto", precision: str = "auto") -> Runtime:
    """The torch build, the device `device` resolves to, and the precision `precision` would use there."""
    picked = pick_device(device)
    check_precision(precision)
    if picked.type == "cuda":
        free, total = torch.cuda.mem_get_info(picked)
        name = f"{torch.cuda.get_device_name(picked)}, {free / 2**30:.1f} of {total / 2**30:.1f} GiB free"
    else:
        name = platform.machine() or "CPU"
    return Runtime(
        torch_version=torch.__version__,
        cuda_version=torch.version.cuda,
        device=str(picked),
        device_name=name,
        precision=preferred_precision(picked) if precision == "auto" else precision,
    )


def psnr_db(a: np.ndarray, b: np.ndarray) -> float:
    """Peak signal-to-noise ratio of two uint8 pictures, in dB (infinite when equal)."""
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


def check_inputs(config: ModelConfig, frames: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded latents and class mixes like a render's, for comparing precisions."""
    rng = np.random.default_rng(seed)
    z = np.clip(rng.standard_normal((frames, config.z_dim)), -2, 2).astype(np.float32) * 0.4
    y = np.zeros((frames, config.num_classes), np.float32)
    rows = np.arange(frames)
    y[rows, rng.integers(0, config.num_classes, frames)] += 0.6
    y[rows, rng.integers(0, config.num_classes, frames)] += 0.4
    return z, y


def default_batch_size(config: ModelConfig, device: torch.device) -> int:
    """Frames per forward: 8 on a CPU; on a GPU as many as a quarter of its free memory holds, up to 64."""
    if device.type != "cuda":
        return CPU_BATCH
    free, _ = torch.cuda.mem_get_info(device)
    # The widest activation is the last block's input at full size; a forward holds a few of them.
    per_frame = 6 * 2 * config.channel_width * config.output_dim**2 * 2  # bytes, half precision
    return int(max(1, min(64, free // 4 // per_frame)))
