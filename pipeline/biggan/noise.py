"""Random BigGAN-deep weights in the real format: `ganterp noise-weights`, and the models tests build on.

The models are the library's own BigGAN (pytorch-pretrained-biggan, imported only when one is
built), so what is saved is the format real weights come in, spectral-norm vectors included.
A seeded random model saturates to black and white; `calibrate_biggan` makes one whose pictures
have mid-tones and colour, like a trained model's. Test and benchmark folders are written by
pipeline.biggan.testing from these same builders.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from pipeline.biggan.device import check_inputs
from pipeline.biggan.network import ModelConfig
from pipeline.biggan.weights import CONFIG_FILE, NOISE_MARKER, WEIGHTS_FILE, swap_in


def save_biggan(model: Any, folder: Path) -> None:
    """Write a library BigGAN as a weights folder (config.json + pytorch_model.bin), the library's format."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CONFIG_FILE).write_text(model.config.to_json_string())
    torch.save(model.state_dict(), folder / WEIGHTS_FILE)


def write_noise_weights(folder: Path, size: int = 128, seed: int = 0) -> Path:
    """Write random BigGAN-deep weights in the real format to `folder`, for trying ganterp without real ones.

    A narrow network (4.5 MiB at 128 px) calibrated so that its pictures have mid-tones and colour
    rather than black and white, and whose classes differ; still noise, never a dog. A marker file
    says so to whoever finds the folder. All or nothing: written beside `folder`, then renamed.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        save_biggan(calibrate_biggan(build_random_biggan(tiny_config(size, channel_width=8), seed=seed)), staging)
        (staging / NOISE_MARKER).write_text(
            "Random weights in BigGAN-deep's format, made by ganterp for trying it out: the pictures are noise.\n"
            "Real weights: `ganterp download-weights` (see the docs, Getting started).\n"
        )
        swap_in(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def tiny_config(output_dim: int = 32, channel_width: int = 4) -> Any:
    """A narrow BigGAN-deep-shaped library config: the noise weights' (128×128), or tests' (32×32 by default)."""
    from pytorch_pretrained_biggan import BigGANConfig

    # BigGAN-deep narrows 16 → 1 (× channel_width) by halving, and a block that narrows must
    # halve; blocks double the picture from 4×4 until it reaches output_dim.
    upsamples = int(math.log2(output_dim // 4))
    widths = [16, 8, 4, 2, 1] + [1] * max(0, upsamples - 4)
    layers = [(i < upsamples, widths[i], widths[i + 1]) for i in range(len(widths) - 1)]
    return BigGANConfig(
        output_dim=output_dim,
        channel_width=channel_width,
        layers=[(False, 16, 16), *layers],
        attention_layer_position=2,
    )


def build_random_biggan(config: Any, seed: int = 0) -> Any:
    """A library BigGAN of `config` (a BigGANConfig) with seeded random weights and plausible batch-norm statistics.

    Fine for speed and for the shape of things; its pictures saturate to black and white, which
    hides numerical error: `calibrate_biggan` makes one whose pictures behave like a trained model's.
    """
    from pytorch_pretrained_biggan import BigGAN
    from pytorch_pretrained_biggan.model import BigGANBatchNorm, SelfAttn

    torch.manual_seed(seed)
    model = BigGAN(config).eval()
    with torch.no_grad():
        # Unit-scale class embeddings, as trained ones are: the default init is so small that
        # every class would draw the same picture, and tests could not tell classes apart.
        model.embeddings.weight.normal_(0.0, 1.0)
        for module in model.modules():
            if isinstance(module, BigGANBatchNorm):
                module.running_vars.uniform_(0.5, 2.0)
                module.running_means.normal_(0.0, 0.1)
                if not module.conditional:  # the library leaves these uninitialised
                    module.weight.fill_(1.0)
                    module.bias.zero_()
            if isinstance(module, SelfAttn):
                module.gamma.fill_(0.5)  # a zero gamma would leave attention untested
        # One training-mode forward runs spectral norm's power iteration, as a trained model had.
        model.train()
        model(torch.zeros(1, model.config.z_dim), torch.zeros(1, model.config.num_classes), 0.5)
    return model.eval()


CALIBRATION_TRUNCATIONS = (0.2, 0.4, 1.0)


def calibrate_biggan(
    model: Any, truncations: Sequence[float] = CALIBRATION_TRUNCATIONS, frames: int = 8, seed: int = 0
) -> Any:
    """Make a random library BigGAN behave like a trained one, in place, for precision checks.

    - Spectral norm's vectors are the exact top singular vectors (where power iteration converges),
      so every layer has gain 1, as after training; one step from random vectors leaves σ too small.
    - Each batch norm's statistics are measured on the model's own activations, layer by layer in
      one forward per calibrated truncation (each norm sees the already calibrated layers before
      it), and interpolated between those truncations: every norm then really normalises.
    - The last norm's scale is set so that the output before tanh has a standard deviation of
      0.5: pictures with mid-tones and few saturated pixels, where numerical error shows.
    """
    from pytorch_pretrained_biggan.model import BigGANBatchNorm

    config = model.config
    with torch.no_grad():
        for module in model.modules():
            if hasattr(module, "weight_orig") and hasattr(module, "weight_v"):
                u, v = _top_singular_vectors(module.weight_orig.reshape(module.weight_orig.shape[0], -1))
                module.weight_u.copy_(u)
                module.weight_v.copy_(v)
        model.eval()
        norms = [m for m in model.modules() if isinstance(m, BigGANBatchNorm)]
        indices = [round(t * (config.n_stats - 1)) for t in truncations]

        def measure(index: int) -> Callable[[Any, tuple[Any, ...]], None]:
            def hook(module: Any, inputs: tuple[Any, ...]) -> None:
                x = inputs[0]
                module.running_means[index] = x.mean(dim=(0, 2, 3))
                module.running_vars[index] = x.var(dim=(0, 2, 3))

            return hook

        z, y = check_inputs(_config_of(config), frames, seed)
        for truncation, index in zip(truncations, indices, strict=True):
            hooks = [norm.register_forward_pre_hook(measure(index)) for norm in norms]
            model(torch.from_numpy(z / 0.4 * truncation), torch.from_numpy(y), index / (config.n_stats - 1))
            for hook in hooks:
                hook.remove()
        grid = np.arange(config.n_stats)
        for norm in norms:
            for stats in (norm.running_means, norm.running_vars):
                known = stats[indices].numpy()  # (calibrated, features)
                filled = np.stack([np.interp(grid, indices, known[:, c]) for c in range(known.shape[1])], axis=1)
                stats.copy_(torch.from_numpy(filled))
        trunk = model.generator
        trunk.bn.weight.fill_(1.0)
        trunk.bn.bias.zero_()
        trunk.conv_to_rgb.bias.zero_()
        middle = indices[len(indices) // 2] / (config.n_stats - 1)
        captured: list[torch.Tensor] = []
        hook = trunk.tanh.register_forward_pre_hook(lambda module, inputs: captured.append(inputs[0]))
        model(torch.from_numpy(z / 0.4 * middle), torch.from_numpy(y), middle)
        hook.remove()
        trunk.bn.weight.mul_(0.5 / float(captured[0].std()))
    return model


def _top_singular_vectors(matrix: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(u, v) of the largest singular value: where power iteration converges to, computed exactly.

    The top eigenvector of the smaller Gram matrix (at most 512 × 512 here) in float64: a full
    SVD of every layer would take minutes.
    """
    wide = matrix.double()
    if wide.shape[0] <= wide.shape[1]:
        u = torch.linalg.eigh(wide @ wide.T).eigenvectors[:, -1]
        v = F.normalize(wide.T @ u, dim=0)
    else:
        v = torch.linalg.eigh(wide.T @ wide).eigenvectors[:, -1]
        u = F.normalize(wide @ v, dim=0)
    if float(u @ wide @ v) < 0:  # a singular pair's sign is free; spectral norm's σ is positive
        v = -v
    return u.float(), v.float()


def _config_of(library_config: Any) -> ModelConfig:
    """Our view of a library config (for check_inputs)."""
    return ModelConfig(
        output_dim=library_config.output_dim,
        z_dim=library_config.z_dim,
        class_embed_dim=library_config.class_embed_dim,
        channel_width=library_config.channel_width,
        num_classes=library_config.num_classes,
        layers=tuple(tuple(layer) for layer in library_config.layers),
        attention_layer_position=library_config.attention_layer_position,
        eps=library_config.eps,
        n_stats=library_config.n_stats,
    )
