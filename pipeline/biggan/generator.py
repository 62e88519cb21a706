"""BigGAN-deep for inference: loading, device, precision, model size, batched frames.

The only module of the project that imports torch. Weights are pytorch-pretrained-biggan's
files (config.json + pytorch_model.bin), but rendering does not go through the library's
classes: it builds its own inference-only BigGAN-deep from the same tensors, because

- importing the library costs about 0.75 s per process (it pulls in boto3, requests and
  scipy.stats for its download and sampling helpers), which a 10 s render cannot afford;
- each layer's precision must be chosen on its own (bfloat16 convolutions, float32
  statistics and output), which autocast cannot express;
- the library computes 128 colour channels at full size and keeps 3 (a fifth of the work).

Spectral norm is folded into plain weights once, every conditional batch norm of the
model is one matrix product per forward, batch norm + ReLU is one multiply-add, the
self-attention runs through `scaled_dot_product_attention` on a GPU and as chunked matrix
products on a CPU, convolutions are channels-last. In float32 the pictures are the library's
to float rounding; `tests/pipeline/biggan/test_generator.py` checks it, and the precision of the others.
"""

from __future__ import annotations

import ctypes
import dataclasses
import functools
import json
import logging
import math
import pickle
import platform
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from pipeline.biggan.weights import CONFIG_FILE, NOISE_MARKER, PRECISIONS, WEIGHTS_FILE, swap_in
from pipeline.errors import BrokenFrames, InvalidOption, WeightsInvalid

log = logging.getLogger(__name__)

_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
# The check a half-precision model passes before `auto` keeps it: its first frame against float32's, in dB.
MIN_PSNR_DB = 40.0
CPU_BATCH = 8
# `auto` picks BigGAN-deep-512 on a GPU with this much free memory (weights, a batch of 16 in
# half precision and the CUDA workspace, with room to spare), else 256, else 128.
_GPU_MEMORY_FOR = {"biggan-deep-512": 12 * 2**30, "biggan-deep-256": 6 * 2**30}
_PAD = 1  # 3×3 convolutions keep the picture's size
# Blocks whose picture is at most this many pixels on a side stay in float32 in a half-precision model.
FLOAT32_UP_TO = 8


# ----------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class ModelConfig:
    """A BigGAN-deep architecture, read from the library's config.json."""

    output_dim: int = 128
    z_dim: int = 128
    class_embed_dim: int = 128
    channel_width: int = 128
    num_classes: int = 1000
    layers: tuple[tuple[bool, int, int], ...] = ()
    attention_layer_position: int = 8
    eps: float = 1e-4
    n_stats: int = 51

    @classmethod
    def from_file(cls, path: Path) -> ModelConfig:
        """Read config.json; the library's defaults stand in for absent keys, as its own reader does."""
        raw = json.loads(path.read_text())
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
        known = {name: raw[name] for name in cls.__dataclass_fields__ if name in raw}
        layers = tuple((bool(up), int(a), int(b)) for up, a, b in known.pop("layers", ()))
        config = cls(layers=layers, **{name: type(getattr(cls(), name))(value) for name, value in known.items()})
        if not layers:
            raise ValueError("it has no layers")
        return config

    @property
    def cond_dim(self) -> int:
        """Width of the condition vector: the latent and the class embedding side by side."""
        return self.z_dim + self.class_embed_dim


# ----------------------------------------------------------------------------- the model


class _CondNorm(nn.Module):
    """Conditional batch norm's weights: statistics per truncation, a linear scale and offset of the condition."""

    running_means: torch.Tensor  # (n_stats, features)
    running_vars: torch.Tensor

    def __init__(self, features: int, cond_dim: int, n_stats: int) -> None:
        super().__init__()
        self.register_buffer("running_means", torch.zeros(n_stats, features))
        self.register_buffer("running_vars", torch.ones(n_stats, features))
        self.scale = nn.Linear(cond_dim, features, bias=False)
        self.offset = nn.Linear(cond_dim, features, bias=False)


class _Block(nn.Module):
    """A BigGAN-deep residual block: bottleneck 1×1, two 3×3, 1×1 back out, each after norm + ReLU."""

    def __init__(self, in_size: int, out_size: int, cond_dim: int, up_sample: bool, n_stats: int) -> None:
        super().__init__()
        middle = in_size // 4
        self.up_sample = up_sample
        self.drop_channels = in_size != out_size
        self.bn_0 = _CondNorm(in_size, cond_dim, n_stats)
        self.conv_0 = nn.Conv2d(in_size, middle, 1)
        self.bn_1 = _CondNorm(middle, cond_dim, n_stats)
        self.conv_1 = nn.Conv2d(middle, middle, 3, padding=_PAD)
        self.bn_2 = _CondNorm(middle, cond_dim, n_stats)
        self.conv_2 = nn.Conv2d(middle, middle, 3, padding=_PAD)
        self.bn_3 = _CondNorm(middle, cond_dim, n_stats)
        self.conv_3 = nn.Conv2d(middle, out_size, 1)
        self.dtype = torch.float32  # of its weights and activations; see BigGANDeep.prepare()

    def norms(self) -> list[_CondNorm]:
        """The block's four norms, in the order the forward applies them."""
        return [self.bn_0, self.bn_1, self.bn_2, self.bn_3]

    def forward(self, x: torch.Tensor, affine: list[tuple[torch.Tensor, torch.Tensor]]) -> torch.Tensor:
        """x (b, in, h, w) → (b, out, h or 2h, w or 2w); `affine` is each norm's per-sample (scale, shift)."""
        x = x.to(self.dtype)
        h = self.conv_0(_affine_relu(x, *affine[0]))
        h = _affine_relu(h, *affine[1])
        if self.up_sample:
            h = F.interpolate(h, scale_factor=2, mode="nearest")
        h = self.conv_1(h)
        h = self.conv_2(_affine_relu(h, *affine[2]))
        h = self.conv_3(_affine_relu(h, *affine[3]))
        skip = x[:, : x.shape[1] // 2] if self.drop_channels else x
        if self.up_sample:
            skip = F.interpolate(skip, scale_factor=2, mode="nearest")
        out: torch.Tensor = h.add_(skip)
        return out


def _affine_relu(x: torch.Tensor, scale: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    """Batch norm with per-sample scale and shift (b, c), then ReLU, as one multiply-add."""
    return torch.addcmul(shift[:, :, None, None], x, scale[:, :, None, None]).relu_()


class _Attention(nn.Module):
    """BigGAN's self-attention: unscaled dot products, keys and values pooled 2×2, the result scaled by gamma."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.snconv1x1_theta = nn.Conv2d(channels, channels // 8, 1, bias=False)
        self.snconv1x1_phi = nn.Conv2d(channels, channels // 8, 1, bias=False)
        self.snconv1x1_g = nn.Conv2d(channels, channels // 2, 1, bias=False)
        self.snconv1x1_o_conv = nn.Conv2d(channels // 2, channels, 1, bias=False)
        self.gamma = nn.Parameter(torch.zeros(1))
        self.dtype = torch.float32
        self.gain = 0.0  # gamma as a number, read once (reading a GPU tensor every forward would wait for it)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (b, c, h, w) → the same shape, with what each place attends to added."""
        x = x.to(self.dtype)
        query = self.snconv1x1_theta(x)  # (b, c/8, h, w)
        key = F.max_pool2d(self.snconv1x1_phi(x), 2)  # (b, c/8, h/2, w/2)
        value = F.max_pool2d(self.snconv1x1_g(x), 2)  # (b, c/2, h/2, w/2)
        attend = _attend_fused if x.is_cuda else _attend_in_chunks
        return torch.add(x, self.snconv1x1_o_conv(attend(query, key, value)), alpha=self.gain)


def _attend_fused(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
    """Attention through scaled_dot_product_attention's fused kernels (on a GPU).

    The values are 4× wider than queries and keys, which the fused kernels do not take;
    splitting them into 4 heads that share one query and key does.
    """
    b, inner, h, w = query.shape
    heads = value.shape[1] // inner
    q = query.reshape(b, 1, inner, h * w).transpose(2, 3)  # (b, 1, hw, c/8)
    k = key.reshape(b, 1, inner, h * w // 4).transpose(2, 3)
    v = value.reshape(b, heads, inner, h * w // 4).transpose(2, 3)
    # Copies, not stride-0 views: the fused kernels want plain strides, and q and k are small.
    q, k = q.expand(b, heads, h * w, inner).contiguous(), k.expand(b, heads, h * w // 4, inner).contiguous()
    attended = F.scaled_dot_product_attention(q, k, v.contiguous(), scale=1.0)  # (b, heads, hw, c/8)
    return attended.transpose(2, 3).reshape(b, heads * inner, h, w)


_ATTENTION_ROWS = 512  # queries per chunk: the float32 logits (512 × 1024 at 64×64) stay in cache


def _attend_in_chunks(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
    """Attention as plain matrix products, a chunk of queries at a time (on a CPU).

    Queries and keys are shared by all value channels, so the logits are computed once (the
    fused kernel, fed 4 heads, computes them 4 times and is 2.4× slower here); they are float32
    whatever the model's precision, because a softmax of rounded logits is where bfloat16 errs
    most; the weights then meet the values in the model's precision.
    """
    b, inner, h, w = query.shape
    queries = query.permute(0, 2, 3, 1).reshape(b, h * w, inner).float()  # (b, hw, c/8); channels-last: a view
    keys = key.permute(0, 2, 3, 1).reshape(b, -1, inner).float().transpose(1, 2)  # (b, c/8, hw/4)
    values = value.permute(0, 2, 3, 1).reshape(b, -1, value.shape[1])  # (b, hw/4, c/2)
    out = torch.empty((b, h * w, value.shape[1]), dtype=value.dtype, device=value.device)
    for i in range(b):
        for start in range(0, h * w, _ATTENTION_ROWS):
            rows = slice(start, start + _ATTENTION_ROWS)
            weights = torch.softmax(torch.mm(queries[i, rows], keys[i]), dim=-1).to(values.dtype)
            torch.mm(weights, values[i], out=out[i, rows])
    return out.view(b, h, w, -1).permute(0, 3, 1, 2)  # (b, c/2, h, w), channels-last


class _OutputNorm(nn.Module):
    """The last batch norm: statistics per truncation and a plain (unconditional) scale and bias."""

    running_means: torch.Tensor  # (n_stats, features)
    running_vars: torch.Tensor

    def __init__(self, features: int, n_stats: int) -> None:
        super().__init__()
        self.register_buffer("running_means", torch.zeros(n_stats, features))
        self.register_buffer("running_vars", torch.ones(n_stats, features))
        self.weight = nn.Parameter(torch.ones(features))
        self.bias = nn.Parameter(torch.zeros(features))


class _Trunk(nn.Module):
    """The library's `generator` submodule: named as it is, so the weights file loads by name."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        ch = config.channel_width
        self.gen_z = nn.Linear(config.cond_dim, 4 * 4 * 16 * ch)
        layers: list[nn.Module] = []
        for index, (up_sample, width_in, width_out) in enumerate(config.layers):
            if index == config.attention_layer_position:
                layers.append(_Attention(ch * width_in))
            layers.append(_Block(ch * width_in, ch * width_out, config.cond_dim, up_sample, config.n_stats))
        self.layers = nn.ModuleList(layers)
        self.bn = _OutputNorm(ch, config.n_stats)
        self.conv_to_rgb = nn.Conv2d(ch, ch, 3, padding=_PAD)


class BigGANDeep(nn.Module):
    """BigGAN-deep's generator for inference, with per-layer precision (see `prepare`)."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.embeddings = nn.Linear(config.num_classes, config.z_dim, bias=False)
        self.generator = _Trunk(config)
        self.dtype = torch.float32  # of the convolutions and activations; see prepare()
        self._stats: dict[float, tuple[torch.Tensor, torch.Tensor]] = {}
        self._stats_lock = threading.Lock()
        self.register_buffer("cond_weight", torch.empty(0), persistent=False)

    def blocks(self) -> list[_Block]:
        """The residual blocks, in order."""
        return [layer for layer in self.generator.layers if isinstance(layer, _Block)]

    def norms(self) -> list[_CondNorm]:
        """Every conditional norm, in the order the forward applies them."""
        return [norm for block in self.blocks() for norm in block.norms()]

    def prepare(self, dtype: torch.dtype, float32_up_to: int = FLOAT32_UP_TO, *, channels_last: bool = True) -> None:
        """Set each layer's precision and gather the norms' condition weights into one matrix.

        In `dtype` (bfloat16 or float16 where asked): the convolutions and the attention from the
        first block whose picture is larger than `float32_up_to` pixels a side (8) on, which are
        nearly all the work, and the activations between them. In float32: the blocks up to 8×8
        (they lay out the whole picture, so their rounding shows most: bench/precision.py), the
        class embedding, the first linear layer, every norm's statistics and per-sample scale and
        shift (small, and where range and precision matter), and the output: the last norm, the
        convolution to colour and tanh. Only the 3 colour channels the library keeps are computed.
        `channels_last=False` keeps the weights as read (the one-frame float32 reference).
        """
        trunk = self.generator
        with torch.no_grad():
            rgb = trunk.conv_to_rgb
            assert rgb.bias is not None
            rgb.weight = nn.Parameter(rgb.weight[:3].clone(), requires_grad=False)
            rgb.bias = nn.Parameter(rgb.bias[:3].clone(), requires_grad=False)
            rgb.out_channels = 3
            _convert(rgb, torch.float32, channels_last)
            norms = self.norms()
            self.cond_weight = torch.cat([n.scale.weight for n in norms] + [n.offset.weight for n in norms])
            for norm in norms:  # their weights now live in cond_weight
                del norm.scale, norm.offset
            side = 4
            for layer in trunk.layers:
                if isinstance(layer, _Block):
                    side *= 2 if layer.up_sample else 1
                    layer.dtype = dtype if side > float32_up_to else torch.float32
                else:
                    assert isinstance(layer, _Attention)
                    layer.dtype = dtype if side > float32_up_to else torch.float32
                    layer.gain = float(layer.gamma)
                for conv in layer.modules():
                    if isinstance(conv, nn.Conv2d):
                        _convert(conv, layer.dtype, channels_last)
        self.dtype = dtype
        self.requires_grad_(False)
        self.eval()

    def statistics(self, truncation: float) -> tuple[torch.Tensor, torch.Tensor]:
        """Every norm's mean and 1/std at this truncation, concatenated; cached (a render keeps one truncation)."""
        with self._stats_lock:
            cached = self._stats.get(truncation)
            if cached is None:
                norms = self.norms()
                means = torch.cat([_at_truncation(n.running_means, truncation, self.config) for n in norms])
                variances = torch.cat([_at_truncation(n.running_vars, truncation, self.config) for n in norms])
                cached = means, torch.rsqrt(variances + self.config.eps)
                self._stats = {truncation: cached}
            return cached

    def forward(self, z: torch.Tensor, y: torch.Tensor, truncation: float) -> torch.Tensor:
        """Pictures (b, 3, h, w) in [-1, 1], float32, for latents z (b, z_dim) and class mixes y (b, classes)."""
        trunk, config = self.generator, self.config
        cond = torch.cat((z, self.embeddings(y)), dim=1)  # (b, cond_dim)
        affine = self._affine(cond, truncation)
        x = trunk.gen_z(cond).view(-1, 4, 4, 16 * config.channel_width).permute(0, 3, 1, 2)  # channels-last view
        block = 0
        for layer in trunk.layers:
            if isinstance(layer, _Block):
                x = layer(x, affine[4 * block : 4 * block + 4])
                block += 1
            else:
                x = layer(x)
        bn = trunk.bn
        mean = _at_truncation(bn.running_means, truncation, config)
        scale = torch.rsqrt(_at_truncation(bn.running_vars, truncation, config) + config.eps) * bn.weight
        shift = bn.bias - mean * scale
        # float32 from here: one pass reads the half-precision activations and writes float32.
        x = torch.addcmul(shift[None, :, None, None], x, scale[None, :, None, None]).relu_()
        return torch.tanh(trunk.conv_to_rgb(x))

    def _affine(self, cond: torch.Tensor, truncation: float) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Each norm's per-sample (scale, shift), from one product of the condition with every norm's weights."""
        means, inv_std = self.statistics(truncation)
        total = means.shape[0]
        scale_offset = cond @ self.cond_weight.T  # (b, 2 × all features)
        scale = (1 + scale_offset[:, :total]) * inv_std
        shift = scale_offset[:, total:] - means * scale
        half = scale.to(self.dtype), shift.to(self.dtype)
        pieces, start = [], 0
        for block in self.blocks():
            pair = (scale, shift) if block.dtype == torch.float32 else half
            for norm in block.norms():
                stop = start + norm.running_means.shape[1]
                pieces.append((pair[0][:, start:stop], pair[1][:, start:stop]))
                start = stop
        return pieces


def _convert(conv: nn.Conv2d, dtype: torch.dtype, channels_last: bool = True) -> None:
    """A convolution's weights in `dtype`, channels-last (oneDNN's and cuDNN's fastest layout) unless told not to."""
    layout = torch.channels_last if channels_last else torch.preserve_format
    conv.weight = nn.Parameter(conv.weight.to(dtype=dtype, memory_format=layout), requires_grad=False)
    if conv.bias is not None:
        conv.bias = nn.Parameter(conv.bias.to(dtype), requires_grad=False)


def _at_truncation(stats: torch.Tensor, truncation: float, config: ModelConfig) -> torch.Tensor:
    """The stored statistics interpolated at this truncation, as the library does."""
    coef, index = math.modf(truncation / (1.0 / (config.n_stats - 1)))  # the library's arithmetic, to the bit
    start = int(index)
    if coef == 0.0:
        return stats[start]
    return stats[start] * coef + stats[start + 1] * (1 - coef)


# ----------------------------------------------------------------------------- loading


def load_biggan(weights_dir: Path, dtype: torch.dtype = torch.float32) -> BigGANDeep:
    """BigGAN-deep from a folder with config.json + pytorch_model.bin, checked and prepared in `dtype`."""
    config = read_config(weights_dir)
    return build_model(config, read_weights(weights_dir), dtype, str(weights_dir))


def read_config(weights_dir: Path) -> ModelConfig:
    """The architecture in a weights folder's config.json."""
    try:
        return ModelConfig.from_file(weights_dir / CONFIG_FILE)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise WeightsInvalid(str(weights_dir), f"{CONFIG_FILE} is not a BigGAN config ({_short(exc)})") from exc


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


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


# ----------------------------------------------------------------------------- device, precision, model size


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


# ----------------------------------------------------------------------------- frames


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
        self.model = build_model(config, weights, _DTYPES[self.precision], str(weights_dir)).to(self.torch_device)
        self._reference: BigGANDeep | None = None  # the float32 model, until the first frames are compared
        if precision == "auto" and self.precision != "float32":
            # For one frame: the weights as read (no channels-last copies, ~160 MB less at 128 px).
            reference = build_model(config, weights, torch.float32, str(weights_dir), channels_last=False)
            self._reference = reference.to(self.torch_device)
        del weights
        self.batch_size = batch_size or default_batch_size(config, self.torch_device)
        use_graphs = self.torch_device.type == "cuda" and cuda_graphs is not False
        self._graphs = _CudaGraphs(self._frames) if use_graphs else None
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
                self._graphs = _CudaGraphs(self._frames)
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


def frames_of(
    model: BigGANDeep, z: torch.Tensor, y: torch.Tensor, truncation: float, size: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Frames (b, size, size, 3) uint8 on the model's device, and whether every value was a number."""
    images = model(z, y, truncation)  # (b, 3, h, w) float32 in [-1, 1]
    finite = torch.isfinite(images).all()
    if size != images.shape[-1]:  # scaled here, on the GPU when there is one, not by the encoder
        images = F.interpolate(images, size=(size, size), mode="bicubic", align_corners=False, antialias=True)
    pixels = images.clamp(-1, 1).add_(1).mul_(127.5).round_().to(torch.uint8)
    return pixels.permute(0, 2, 3, 1).contiguous(), finite


def default_batch_size(config: ModelConfig, device: torch.device) -> int:
    """Frames per forward: 8 on a CPU; on a GPU as many as a quarter of its free memory holds, up to 64."""
    if device.type != "cuda":
        return CPU_BATCH
    free, _ = torch.cuda.mem_get_info(device)
    # The widest activation is the last block's input at full size; a forward holds a few of them.
    per_frame = 6 * 2 * config.channel_width * config.output_dim**2 * 2  # bytes, half precision
    return int(max(1, min(64, free // 4 // per_frame)))


class _CudaGraphs:
    """Each (batch, truncation, size) captured once as a CUDA graph and replayed: one launch per batch.

    A short last batch is padded to the generator's batch size. Capture failing (an old driver,
    an operation that cannot be captured) falls back to plain launches, said once in the log.
    """

    def __init__(
        self, frames: Callable[[torch.Tensor, torch.Tensor, float, int], tuple[torch.Tensor, torch.Tensor]]
    ) -> None:
        self._frames = frames
        self._captured: dict[tuple[int, float, int], tuple[Any, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]]
        self._captured = {}
        self.failed = False

    def run(
        self, z: torch.Tensor, y: torch.Tensor, truncation: float, size: int, batch: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Frames for z, y through the graph captured for `batch` frames (captured on first use)."""
        n = z.shape[0]
        if self.failed:
            return self._frames(z, y, truncation, size)
        key = (max(n, batch), truncation, size)
        if key not in self._captured:
            try:
                # One graph at a time: a render keeps one batch size, truncation and size.
                self._captured = {key: self._capture(key[0], z, y, truncation, size)}
            except RuntimeError as exc:
                log.warning("CUDA graphs are off: capture failed (%s)", _short(exc))
                self.failed = True
                return self._frames(z, y, truncation, size)
        graph, z_in, y_in, frames, finite = self._captured[key]
        z_in[:n].copy_(z)
        y_in[:n].copy_(y)
        if n < key[0]:
            z_in[n:].zero_()
            y_in[n:].zero_()
        graph.replay()
        return frames[:n], finite

    def _capture(
        self, batch: int, z: torch.Tensor, y: torch.Tensor, truncation: float, size: int
    ) -> tuple[Any, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        z_in = torch.zeros((batch, *z.shape[1:]), dtype=z.dtype, device=z.device)
        y_in = torch.zeros((batch, *y.shape[1:]), dtype=y.dtype, device=y.device)
        side = torch.cuda.Stream(z.device)  # type: ignore[no-untyped-call]
        side.wait_stream(torch.cuda.current_stream(z.device))
        with torch.cuda.stream(side):  # warm-up outside the graph: kernels pick their algorithms
            for _ in range(2):
                self._frames(z_in, y_in, truncation, size)
        torch.cuda.current_stream(z.device).wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            frames, finite = self._frames(z_in, y_in, truncation, size)
        return graph, z_in, y_in, frames, finite


# ----------------------------------------------------------------------------- models for tests and benchmarks
# These build the library's own BigGAN (imported only here), so what they save is the format real
# weights come in, spectral-norm vectors included.


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
    """A BigGAN-deep-shaped library config small enough for tests and CPU benchmarks (32×32 by default)."""
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


def build_random_biggan(config: Any = None, seed: int = 0) -> Any:
    """A library BigGAN with seeded random weights and plausible batch-norm statistics (default: the 128 one).

    Fine for speed and for the shape of things; its pictures saturate to black and white, which
    hides numerical error: `calibrate_biggan` makes one whose pictures behave like a trained model's.
    """
    from pytorch_pretrained_biggan import BigGAN, BigGANConfig
    from pytorch_pretrained_biggan.model import BigGANBatchNorm, SelfAttn

    torch.manual_seed(seed)
    model = BigGAN(config or BigGANConfig()).eval()
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
