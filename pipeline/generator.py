"""BigGAN-deep through pytorch-pretrained-biggan: loading, device, precision, batched frames.

The only module of the project that imports torch. After loading, the model is
prepared for inference once: spectral norm is folded into plain weights (it
would otherwise be recomputed every forward), each block's conditional batch
norm + ReLU becomes one fused multiply-add, the self-attention runs through
`scaled_dot_product_attention` (no 4096×1024 attention matrix in memory), and
convolutions use channels-last memory. The pictures are the library's to
float rounding; `tests/test_generator.py` checks it.
"""

from __future__ import annotations

import logging
import math
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from pytorch_pretrained_biggan import BigGAN, BigGANConfig
from pytorch_pretrained_biggan.model import BigGANBatchNorm, GenBlock, SelfAttn

from pipeline.errors import BrokenFrames, InvalidOption, WeightsInvalid
from pipeline.weights import CONFIG_FILE, WEIGHTS_FILE

log = logging.getLogger(__name__)

PRECISIONS = ("auto", "float32", "float16", "bfloat16")
_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


@dataclass(frozen=True)
class GeneratorInfo:
    """What was loaded, and where it runs."""

    weights_dir: Path
    output_size: int
    parameters: int
    device: str
    precision: str


class BigGANGenerator:
    """A loaded BigGAN that turns batches of (z, class mix) into uint8 RGB frames."""

    def __init__(
        self,
        weights_dir: Path,
        *,
        device: str = "auto",
        precision: str = "auto",
        batch_size: int | None = None,
    ) -> None:
        self.device = _pick_device(device)
        self.precision = _pick_precision(precision, self.device)
        model = load_biggan(weights_dir)
        prepare_for_inference(model)
        self.model = model.to(self.device, memory_format=torch.channels_last)
        self.output_size = int(model.config.output_dim)
        self.batch_size = batch_size or (32 if self.device.type == "cuda" else 8)
        if self.batch_size < 1:
            raise InvalidOption("batch size", self.batch_size, "at least 1")
        self.info = GeneratorInfo(
            weights_dir=weights_dir,
            output_size=self.output_size,
            parameters=sum(p.numel() for p in model.parameters()),
            device=str(self.device),
            precision=self.precision,
        )
        log.info("loaded BigGAN from %s on %s (%s)", weights_dir, self.device, self.precision)

    def generate(self, z: np.ndarray, y: np.ndarray, truncation: float) -> np.ndarray:
        """Frames (b, size, size, 3) uint8 for latents z (b, 128) and class mixes y (b, 1000)."""
        with torch.inference_mode(), self._autocast():
            z_t = torch.from_numpy(z).to(self.device)
            y_t = torch.from_numpy(y).to(self.device)
            images = self.model(z_t, y_t, truncation)  # (b, 3, h, w) in [-1, 1]
            if not bool(torch.isfinite(images).all()):  # broken weights would otherwise encode as black
                raise BrokenFrames(str(self.info.weights_dir))
            pixels = images.float().clamp_(-1, 1).add_(1).mul_(127.5).round_().to(torch.uint8)
            frames: np.ndarray = pixels.permute(0, 2, 3, 1).contiguous().cpu().numpy()
            return frames

    def _autocast(self) -> torch.autocast:
        dtype = _DTYPES[self.precision]
        return torch.autocast(self.device.type, dtype=dtype, enabled=dtype is not torch.float32)


def _pick_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        picked = torch.device(device)
    except RuntimeError as exc:
        raise InvalidOption("device", device, "auto, cpu, cuda or cuda:N") from exc
    if picked.type == "cuda" and not torch.cuda.is_available():
        raise InvalidOption("device", device, "auto or cpu on a machine without CUDA")
    return picked


def _pick_precision(precision: str, device: torch.device) -> str:
    if precision not in PRECISIONS:
        raise InvalidOption("precision", precision, f"one of {', '.join(PRECISIONS)}")
    if precision == "auto":
        # Half precision under autocast keeps batch-norm statistics and softmax in float32,
        # which is what keeps BigGAN's pictures right; on CPUs it is slower or lossy, so no.
        return "float16" if device.type == "cuda" else "float32"
    return precision


def load_biggan(weights_dir: Path) -> BigGAN:
    """Build BigGAN from a folder with config.json + pytorch_model.bin, checking every weight is there."""
    try:
        config = BigGANConfig.from_json_file(str(weights_dir / CONFIG_FILE))
        model = BigGAN(config)
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
        raise WeightsInvalid(str(weights_dir), f"{CONFIG_FILE} is not a BigGAN config ({_short(exc)})") from exc
    try:
        state = torch.load(weights_dir / WEIGHTS_FILE, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, EOFError, pickle.UnpicklingError) as exc:
        raise WeightsInvalid(str(weights_dir), f"{WEIGHTS_FILE} is not a PyTorch checkpoint of plain tensors") from exc
    if not isinstance(state, dict):
        raise WeightsInvalid(str(weights_dir), f"{WEIGHTS_FILE} is not a state dict")
    try:
        result = model.load_state_dict(state, strict=False)
    except RuntimeError as exc:  # shape mismatch: the config does not fit the weights
        raise WeightsInvalid(str(weights_dir), _short(exc)) from exc
    # Spectral norm recomputes its `weight_v` vectors from older files, so only those may be absent.
    missing = [key for key in result.missing_keys if not key.endswith("weight_v")]
    if missing:
        raise WeightsInvalid(str(weights_dir), f"{len(missing)} weights are missing, e.g. {missing[0]}")
    return model.eval()


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def prepare_for_inference(model: BigGAN) -> None:
    """Fold spectral norm into plain weights and switch blocks to their fused inference forward."""
    model.eval()
    for module in model.modules():
        for hook in list(module._forward_pre_hooks.values()):
            if type(hook).__name__ == "SpectralNorm":
                # In eval mode spectral norm does no power iteration: weight_orig / sigma is a
                # constant, so computing it once gives the same numbers as every forward.
                torch.nn.utils.remove_spectral_norm(module)
        if type(module) is GenBlock:
            module.__class__ = _FusedGenBlock
        elif type(module) is SelfAttn:
            module.__class__ = _FlashSelfAttn
    for parameter in model.parameters():
        parameter.requires_grad_(False)


def _bn_relu(bn: BigGANBatchNorm, x: torch.Tensor, truncation: float, cond: torch.Tensor) -> torch.Tensor:
    """The library's conditional batch norm followed by ReLU, as one per-sample scale and shift."""
    coef, index = math.modf(truncation / bn.step_size)
    start = int(index)
    if coef != 0.0:  # the library interpolates the stored statistics between two truncations
        mean = bn.running_means[start] * coef + bn.running_means[start + 1] * (1 - coef)
        var = bn.running_vars[start] * coef + bn.running_vars[start + 1] * (1 - coef)
    else:
        mean, var = bn.running_means[start], bn.running_vars[start]
    scale = (1 + bn.scale(cond)) * torch.rsqrt(var + bn.eps)  # (b, c)
    shift = bn.offset(cond) - mean * scale
    return torch.addcmul(shift[:, :, None, None], x, scale[:, :, None, None]).relu_()


class _FusedGenBlock(GenBlock):  # type: ignore[misc]  # the library is untyped
    """GenBlock with batch norm and ReLU fused; same weights, same result."""

    def forward(self, x: torch.Tensor, cond_vector: torch.Tensor, truncation: float) -> torch.Tensor:
        skip = x
        h = self.conv_0(_bn_relu(self.bn_0, x, truncation, cond_vector))
        h = _bn_relu(self.bn_1, h, truncation, cond_vector)
        if self.up_sample:
            h = F.interpolate(h, scale_factor=2, mode="nearest")
        h = self.conv_1(h)
        h = self.conv_2(_bn_relu(self.bn_2, h, truncation, cond_vector))
        h = self.conv_3(_bn_relu(self.bn_3, h, truncation, cond_vector))
        if self.drop_channels:
            skip = skip[:, : skip.shape[1] // 2]
        if self.up_sample:
            skip = F.interpolate(skip, scale_factor=2, mode="nearest")
        out: torch.Tensor = h.add_(skip)
        return out


class _FlashSelfAttn(SelfAttn):  # type: ignore[misc]
    """SelfAttn through scaled_dot_product_attention (unscaled, as in BigGAN); same result.

    The values are 4× wider than queries and keys, which sends the CPU to the slow
    generic kernel; splitting them into 4 heads that share one query and key
    (a view, no copy) gives the same result through the fused flash kernel.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, ch, h, w = x.shape
        inner, heads = ch // 8, (ch // 2) // (ch // 8)
        query = self.snconv1x1_theta(x).reshape(b, 1, inner, h * w).transpose(2, 3)  # (b, 1, hw, c/8)
        key = self.maxpool(self.snconv1x1_phi(x)).reshape(b, 1, inner, h * w // 4).transpose(2, 3)
        value = self.maxpool(self.snconv1x1_g(x)).reshape(b, heads, inner, h * w // 4).transpose(2, 3)
        attended = F.scaled_dot_product_attention(
            query.expand(b, heads, h * w, inner), key.expand(b, heads, h * w // 4, inner), value, scale=1.0
        )  # (b, heads, hw, c/8)
        attended = attended.transpose(2, 3).reshape(b, ch // 2, h, w)
        return torch.add(x, self.snconv1x1_o_conv(attended), alpha=float(self.gamma))


def save_biggan(model: BigGAN, folder: Path) -> None:
    """Write a model as a weights folder (config.json + pytorch_model.bin), the library's format."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CONFIG_FILE).write_text(model.config.to_json_string())
    torch.save(model.state_dict(), folder / WEIGHTS_FILE)


def tiny_config(output_dim: int = 32, channel_width: int = 4) -> BigGANConfig:
    """A BigGAN-deep-shaped config small enough for tests and CPU benchmarks (32×32 by default)."""
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


def build_random_biggan(config: BigGANConfig, seed: int = 0) -> BigGAN:
    """A BigGAN with seeded random weights and plausible batch-norm statistics (for tests and benchmarks)."""
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
        model(torch.zeros(1, config.z_dim), torch.zeros(1, config.num_classes), 0.5)
    return model.eval()
