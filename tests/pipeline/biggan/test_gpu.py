"""The generator on a CUDA GPU: half precision, CUDA graphs, scaling on the GPU, a whole render (-m gpu)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from pipeline.biggan.device import pick_model, psnr_db
from pipeline.biggan.generator import BigGANGenerator
from pipeline.render import RenderOptions, prepare, render
from tests.conftest import ClipMaker
from tests.media import probe
from tests.pipeline.biggan.test_generator import inputs

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]


@pytest.mark.parametrize("precision", ["float16", "bfloat16"])
def test_half_precision_on_cuda_stays_within_40_db(calibrated_weights: Path, precision: str) -> None:
    full = BigGANGenerator(calibrated_weights, device="cuda", precision="float32", cuda_graphs=False)
    half = BigGANGenerator(calibrated_weights, device="cuda", precision=precision, cuda_graphs=False)
    z, y = inputs(16, seed=4)
    for truncation in (0.2, 0.4, 1.0):
        assert psnr_db(full.generate(z, y, truncation), half.generate(z, y, truncation)) >= 40


def test_cuda_graphs_draw_what_plain_launches_draw(calibrated_weights: Path) -> None:
    plain = BigGANGenerator(calibrated_weights, device="cuda", precision="float16", cuda_graphs=False, batch_size=8)
    graphs = BigGANGenerator(calibrated_weights, device="cuda", precision="float16", cuda_graphs=True, batch_size=8)
    assert graphs.info.cuda_graphs
    z, y = inputs(8, seed=2)
    for _ in range(3):  # capture, then replays
        assert np.abs(graphs.generate(z, y, 0.3).astype(int) - plain.generate(z, y, 0.3).astype(int)).max() <= 1
    short = graphs.generate(z[:3], y[:3], 0.3)  # a short last batch is padded to the captured size
    assert short.shape == (3, 32, 32, 3)
    assert np.abs(short.astype(int) - plain.generate(z[:3], y[:3], 0.3).astype(int)).max() <= 1
    assert graphs.generate(z, y, 0.5, 64).shape == (8, 64, 64, 3), "a new truncation and size capture anew"


def test_frames_are_scaled_on_the_gpu_as_on_the_cpu(calibrated_weights: Path) -> None:
    gpu = BigGANGenerator(calibrated_weights, device="cuda", precision="float32")
    cpu = BigGANGenerator(calibrated_weights, device="cpu", precision="float32")
    z, y = inputs(4)
    for size in (96, 16):
        on_gpu, on_cpu = gpu.generate(z, y, 0.4, size), cpu.generate(z, y, 0.4, size)
        assert on_gpu.shape == on_cpu.shape == (4, size, size, 3)
        assert np.abs(on_gpu.astype(int) - on_cpu.astype(int)).mean() < 1.0


def test_auto_on_cuda_is_float16_checked_on_the_first_frame(calibrated_weights: Path) -> None:
    generator = BigGANGenerator(calibrated_weights, device="cuda")
    assert generator.precision == "float16" and generator.batch_size >= 1
    generator.generate(*inputs(4), 0.2)
    assert generator.precision == "float16" and (generator.info.precision_psnr_db or 0) >= 40
    free, _ = torch.cuda.mem_get_info()
    expected = "biggan-deep-512" if free >= 12 * 2**30 else None
    if expected:
        assert pick_model("auto", "cuda") == expected


def test_a_render_on_cuda_writes_the_video_at_the_asked_size(
    calibrated_weights: Path, make_clip: ClipMaker, tmp_path: Path
) -> None:
    generator = BigGANGenerator(calibrated_weights, device="cuda")
    prepared = prepare(make_clip(3.0), RenderOptions(seed=3, fps=12, size=96))
    result = render(prepared, tmp_path / "gpu.mp4", generator, model_name="tiny")
    info = probe(result.output)
    assert (info.width, info.height) == (96, 96) and info.video.startswith("h264")
    sidecar = json.loads(result.sidecar.read_text())
    assert sidecar["device"].startswith("cuda") and sidecar["precision"] == generator.precision
    again = render(prepared, tmp_path / "again.mp4", generator)
    assert again.frames_sha256 == result.frames_sha256, "the same seed gives the same frames on the GPU too"


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["float16", "bfloat16"])
def test_half_precision_at_full_size_on_cuda(tmp_path: Path, precision: str) -> None:
    from pipeline.biggan.testing import write_random_weights

    write_random_weights(tmp_path, seed=1, calibrated=True)
    full = BigGANGenerator(tmp_path, device="cuda", precision="float32")
    half = BigGANGenerator(tmp_path, device="cuda", precision=precision)
    z, y = inputs(8, seed=5)
    assert psnr_db(full.generate(z, y, 0.2), half.generate(z, y, 0.2)) >= 40
