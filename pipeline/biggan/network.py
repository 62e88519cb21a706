"""BigGAN-deep's generator as an inference-only torch module, with per-layer precision.

Weights are pytorch-pretrained-biggan's files (config.json + pytorch_model.bin), but rendering
does not go through the library's classes: this module builds its own inference-only
BigGAN-deep from the same tensors, because

- importing the library costs about 0.75 s per process (it pulls in boto3, requests and
  scipy.stats for its download and sampling helpers), which a 10 s render cannot afford;
- each layer's precision must be chosen on its own (bfloat16 convolutions, float32
  statistics and output), which autocast cannot express;
- the library computes 128 colour channels at full size and keeps 3 (a fifth of the work).

Spectral norm is folded into plain weights once (pipeline.biggan.loading), every conditional
batch norm of the model is one matrix product per forward, batch norm + ReLU is one
multiply-add, the self-attention runs through `scaled_dot_product_attention` on a GPU and as
chunked matrix products on a CPU, convolutions are channels-last. In float32 the pictures are
the library's to float rounding; `tests/pipeline/biggan/test_generator.py` checks it, and the
precision of the others.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

_PAD = 1  # 3×3 convolutions keep the picture's size
# Blocks whose picture is at most this many pixels on a side stay in float32 in a half-precision model.
FLOAT32_UP_TO = 8


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
