"""BigGANGenerator, the face the renderer sees: batches of (z, class mix) in, uint8 RGB frames out.

It loads the weights on the chosen device in the chosen precision (pipeline.biggan.loading,
pipeline.biggan.device), checks an `auto` half precision against float32 on the first frame,
replays CUDA graphs on a GPU (pipeline.biggan.graphs), and refuses frames that are not numbers.
`open_generator` is the one way the commands and the bot build it from their settings.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import torch

from pipeline.biggan.device import (
    DTYPES,
    check_precision,
    default_batch_size,
    pick_device,
    pick_model,
    preferred_precision,
    psnr_db,
)
from pipeline.biggan.graphs import CudaGraphs
from pipeline.biggan.loading import build_model, read_config, read_weights
from pipeline.biggan.network import BigGANDeep, frames_of
from pipeline.biggan.weights import is_noise_weights, resolve_weights
from pipeline.errors import BrokenFrames, InvalidOption

log = logging.getLogger(__name__)

# The check a half-precision model passes before `auto` keeps it: its first frame against float32's, in dB.
MIN_PSNR_DB = 40.0


@dataclass(frozen=True)
class GeneratorInfo:
    """What was loaded, and how it runs."""

    weights_dir: Path
    output_size: int
    parameters: int
    device: str
    precision: str
    precision_psnr_db: float | None = None  # the first half-precision frame against float32's, when `auto` checked it
    cuda_graphs: bool = False


class BigGANGenerator:
    """A loaded BigGAN-deep that turns batches of (z, class mix) into uint8 RGB frames at any size.

    With precision `auto` and half precision preferred here, the first frame generated is also
    computed in float32: half precision stays only if that frame is within MIN_PSNR_DB of
    float32's, else the batch is redone in float32 and the model stays float32. Checking on the
    first real frames costs one float32 frame once per process (a separate check would cost the
    half-precision frames too, and their warm-up), and it checks the render's own truncation.
    """

    def __init__(
        self,
        weights_dir: Path,
        *,
        device: str = "auto",
        precision: str = "auto",
        batch_size: int | None = None,
        cuda_graphs: bool | None = None,
    ) -> None:
        self.torch_device = pick_device(device)
        self.device = str(self.torch_device)
        check_precision(precision)
        if batch_size is not None and batch_size < 1:
            raise InvalidOption("batch size", batch_size, "at least 1")
        if self.torch_device.type == "cuda":
            torch.backends.cudnn.benchmark = True  # shapes repeat every batch: pick the fastest kernels once
            # float32 means float32 (cuDNN would round convolutions to TF32), for `--precision float32`
            # and for the reference frame half precision is checked against; half precision is unaffected.
            torch.backends.cudnn.allow_tf32 = False
        config = read_config(weights_dir)
        weights = read_weights(weights_dir)
        self.weights_dir = weights_dir
        self.output_size = config.output_dim
        self.precision = preferred_precision(self.torch_device) if precision == "auto" else precision
        self.model = build_model(config, weights, DTYPES[self.precision], str(weights_dir)).to(self.torch_device)
        self._reference: BigGANDeep | None = None  # the float32 model, until the first frames are compared
        if precision == "auto" and self.precision != "float32":
            # For one frame: the weights as read (no channels-last copies, ~160 MB less at 128 px).
            reference = build_model(config, weights, torch.float32, str(weights_dir), channels_last=False)
            self._reference = reference.to(self.torch_device)
        del weights
        self.batch_size = batch_size or default_batch_size(config, self.torch_device)
        use_graphs = self.torch_device.type == "cuda" and cuda_graphs is not False
        self._graphs = CudaGraphs(self._frames) if use_graphs else None
        self.info = GeneratorInfo(
            weights_dir=weights_dir,
            output_size=self.output_size,
            parameters=sum(p.numel() for p in self.model.parameters()),
            device=self.device,
            precision=self.precision,
            cuda_graphs=use_graphs,
        )
        log.info("loaded BigGAN from %s on %s (%s)", weights_dir, self.torch_device, self.precision)

    def generate(self, z: np.ndarray, y: np.ndarray, truncation: float, size: int | None = None) -> np.ndarray:
        """Frames (b, size, size, 3) uint8 for latents z (b, 128) and class mixes y (b, 1000); size: the model's."""
        size = size or self.output_size
        with torch.inference_mode():
            z_t = torch.from_numpy(np.ascontiguousarray(z, dtype=np.float32))
            y_t = torch.from_numpy(np.ascontiguousarray(y, dtype=np.float32))
            frames = self._generate(z_t, y_t, truncation, size)
            if self._reference is not None:
                frames = self._keep_half_precision_if_right(z_t, y_t, truncation, size, frames)
            return frames

    def _keep_half_precision_if_right(
        self, z: torch.Tensor, y: torch.Tensor, truncation: float, size: int, frames: np.ndarray
    ) -> np.ndarray:
        """Compare the first frame with float32's; below MIN_PSNR_DB switch to float32 and redo the batch."""
        reference, self._reference = self._reference, None
        assert reference is not None
        device = self.torch_device
        full, _ = frames_of(reference, z[:1].to(device), y[:1].to(device), truncation, size)
        measured = psnr_db(full.cpu().numpy(), frames[:1])
        if measured < MIN_PSNR_DB:
            log.warning(
                "%s frames are %.1f dB from float32's (< %g): using float32", self.precision, measured, MIN_PSNR_DB
            )
            self.model, self.precision = reference, "float32"
            if self._graphs is not None:
                self._graphs = CudaGraphs(self._frames)
            frames = self._generate(z, y, truncation, size)
        self.info = dataclasses.replace(self.info, precision=self.precision, precision_psnr_db=round(measured, 2))
        return frames

    def _generate(self, z: torch.Tensor, y: torch.Tensor, truncation: float, size: int) -> np.ndarray:
        if self.torch_device.type == "cpu":
            frames, finite = self._frames(z, y, truncation, size)
            if not bool(finite):  # broken weights would otherwise encode as black
                raise BrokenFrames(str(self.weights_dir))
            out: np.ndarray = frames.numpy()
            return out
        return self._generate_cuda(z, y, truncation, size)

    def _frames(
        self, z: torch.Tensor, y: torch.Tensor, truncation: float, size: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        return frames_of(self.model, z, y, truncation, size)

    def _generate_cuda(self, z: torch.Tensor, y: torch.Tensor, truncation: float, size: int) -> np.ndarray:
        """Inputs up, frames computed and converted on the GPU, then copied once into pinned memory."""
        z_d = z.pin_memory().to(self.torch_device, non_blocking=True)
        y_d = y.pin_memory().to(self.torch_device, non_blocking=True)
        if self._graphs is not None:
            frames, finite = self._graphs.run(z_d, y_d, truncation, size, self.batch_size)
        else:
            frames, finite = self._frames(z_d, y_d, truncation, size)
        host = torch.empty(frames.shape, dtype=torch.uint8, pin_memory=True)
        host.copy_(frames, non_blocking=True)
        finite_host = torch.empty((), dtype=torch.bool, pin_memory=True)
        finite_host.copy_(finite, non_blocking=True)
        torch.cuda.current_stream(self.torch_device).synchronize()  # the one wait per batch
        if not bool(finite_host):
            raise BrokenFrames(str(self.weights_dir))
        out: np.ndarray = host.numpy()
        return out


class GeneratorSettings(Protocol):
    """What a generator is built from: bot.settings.Settings is one, or a command's copy with its options in."""

    @property
    def cache_dir(self) -> Path: ...
    @property
    def weights_dir(self) -> Path | None: ...
    @property
    def model(self) -> str: ...
    @property
    def weights_urls(self) -> Sequence[str]: ...
    @property
    def allow_download(self) -> bool: ...
    @property
    def device(self) -> str: ...
    @property
    def precision(self) -> str: ...
    @property
    def batch_size(self) -> int | None: ...


def warn_of_noise(folder: Path) -> None:
    """Log that the weights in `folder` are random (the default notice of open_generator)."""
    log.warning("the weights in %s are random (ganterp noise-weights): every video will show noise", folder)


def open_generator(settings: GeneratorSettings, *, on_noise: Callable[[Path], None] = warn_of_noise) -> BigGANGenerator:
    """The generator `settings` ask for, from their weights folder, else the cache, else a download when allowed.

    Random weights (`ganterp noise-weights`) are announced through `on_noise` and run in float32
    under `auto`: checking half precision against float32 is pointless for noise, and it warns.
    """
    folder = resolve_weights(
        pick_model(settings.model, settings.device),
        weights_dir=settings.weights_dir,
        cache_dir=settings.cache_dir,
        allow_download=settings.allow_download,
        url_templates=settings.weights_urls,
    )
    precision = settings.precision
    if is_noise_weights(folder):
        on_noise(folder)
        precision = "float32" if precision == "auto" else precision
    return BigGANGenerator(folder, device=settings.device, precision=precision, batch_size=settings.batch_size)
