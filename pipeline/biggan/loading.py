"""Reading a weights folder (config.json + pytorch_model.bin) into a checked, prepared BigGANDeep.

Spectral norm is folded into plain weights here, once; every weight is checked to be there with
the shape config.json asks for, and a folder that fails either check is named in one sentence.
Where the folder comes from (the cache, a download) is pipeline.biggan.weights' concern.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import torch
import torch.nn.functional as F

from pipeline.biggan.network import FLOAT32_UP_TO, BigGANDeep, ModelConfig
from pipeline.biggan.weights import CONFIG_FILE, WEIGHTS_FILE
from pipeline.errors import WeightsInvalid


def load_biggan(weights_dir: Path, dtype: torch.dtype = torch.float32) -> BigGANDeep:
    """BigGAN-deep from a folder with config.json + pytorch_model.bin, checked and prepared in `dtype`."""
    config = read_config(weights_dir)
    return build_model(config, read_weights(weights_dir), dtype, str(weights_dir))


def read_config(weights_dir: Path) -> ModelConfig:
    """The architecture in a weights folder's config.json."""
    try:
        return ModelConfig.from_file(weights_dir / CONFIG_FILE)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise WeightsInvalid(str(weights_dir), f"{CONFIG_FILE} is not a BigGAN config ({short_reason(exc)})") from exc


def read_weights(weights_dir: Path) -> dict[str, torch.Tensor]:
    """The tensors of pytorch_model.bin with spectral norm folded in (plain `weight`s, as the forward uses them)."""
    # Read, not mapped: spectral norm is then folded in place into memory of our own (a mapped
    # file's pages would each be copied on first write, which took longer than reading them).
    try:
        state = torch.load(weights_dir / WEIGHTS_FILE, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, EOFError, pickle.UnpicklingError) as exc:
        raise WeightsInvalid(str(weights_dir), f"{WEIGHTS_FILE} is not a PyTorch checkpoint of plain tensors") from exc
    if not isinstance(state, dict) or not all(isinstance(t, torch.Tensor) for t in state.values()):
        raise WeightsInvalid(str(weights_dir), f"{WEIGHTS_FILE} is not a state dict")
    return fold_spectral_norm(state, in_place=True)  # no second copy of every weight


def fold_spectral_norm(state: dict[str, torch.Tensor], *, in_place: bool = False) -> dict[str, torch.Tensor]:
    """Replace each spectral-normed `weight_orig` (+ `_u`, `_v`) by the weight it stands for in eval mode.

    In eval mode spectral norm does no power iteration: the weight is `weight_orig / σ` with
    σ = uᵀ·W·v from the stored vectors, a constant, so it is computed once here with torch's
    own arithmetic. Files from before `weight_v` was saved store the normalised `weight` itself,
    from which torch's loader derives σ; without either, one power step from `u` stands in.
    `in_place` divides the stored `weight_orig` tensors themselves. A weight without its `u` is
    left out (build_model then names it as missing).
    """
    bases = {key.removesuffix("_orig") for key in state if key.endswith("weight_orig")}
    folded = {}
    for key, tensor in state.items():
        base = key.removesuffix("_orig")
        if key.endswith("weight_orig"):
            if base + "_u" in state:
                folded[base] = _spectral_normed(state, base, in_place)
        elif not (key in bases or key.removesuffix("_u") in bases or key.removesuffix("_v") in bases):
            folded[key] = tensor
    return folded


def _spectral_normed(state: dict[str, torch.Tensor], base: str, in_place: bool) -> torch.Tensor:
    weight = state[base + "_orig"].float()
    matrix = weight.reshape(weight.shape[0], -1)
    u = state[base + "_u"].float()
    if base + "_v" in state:
        sigma = torch.dot(u, torch.mv(matrix, state[base + "_v"].float()))
    elif base in state:
        sigma = (weight / state[base].float()).mean()
    else:
        sigma = torch.dot(u, torch.mv(matrix, F.normalize(torch.mv(matrix.t(), u), dim=0, eps=1e-12)))
    return weight.div_(sigma) if in_place else weight / sigma


def build_model(
    config: ModelConfig,
    weights: dict[str, torch.Tensor],
    dtype: torch.dtype,
    source: str,
    float32_up_to: int = FLOAT32_UP_TO,
    *,
    channels_last: bool = True,
) -> BigGANDeep:
    """A prepared model from folded weights, checking each is there with the config's shape."""
    with torch.device("meta"):  # no initialisation of weights that are replaced at once
        model = BigGANDeep(config)
    expected = model.state_dict()
    missing = [key for key in expected if key not in weights]
    if missing:
        raise WeightsInvalid(source, f"{len(missing)} weights are missing, e.g. {missing[0]}")
    for key, tensor in expected.items():
        if tuple(weights[key].shape) != tuple(tensor.shape):
            shape = tuple(weights[key].shape)
            raise WeightsInvalid(source, f"{key} has shape {shape} but {CONFIG_FILE} asks for {tuple(tensor.shape)}")
    model.load_state_dict({key: weights[key].float() for key in expected}, assign=True)
    model.prepare(dtype, float32_up_to, channels_last=channels_last)
    return model


def short_reason(exc: BaseException) -> str:
    """The first line of an exception's message (at most 200 characters), or its type's name."""
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
