"""BigGANGenerator's pictures: the library's, at every precision and size, and refused when broken."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from pytorch_pretrained_biggan import BigGAN

from pipeline.biggan.device import psnr_db
from pipeline.biggan.generator import BigGANGenerator
from pipeline.biggan.weights import WEIGHTS_FILE, resolve_weights
from pipeline.errors import InvalidOption
from tests.conftest import ClipMaker


def inputs(batch: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    z = (rng.standard_normal((batch, 128)) * 0.4).astype(np.float32)
    y = np.zeros((batch, 1000), np.float32)
    y[np.arange(batch), rng.integers(0, 1000, batch)] = 0.7
    y[np.arange(batch), rng.integers(0, 1000, batch)] += 0.3
    return z, y


@pytest.mark.parametrize("truncation", [0.2, 0.37, 1.0])
def test_prepared_model_draws_the_librarys_pictures(tiny_weights: Path, truncation: float) -> None:
    reference = BigGAN.from_pretrained(str(tiny_weights)).eval()
    z, y = inputs(5)
    with torch.no_grad():
        expected = reference(torch.from_numpy(z), torch.from_numpy(y), truncation).numpy()
    generator = BigGANGenerator(tiny_weights, device="cpu", precision="float32")
    frames = generator.generate(z, y, truncation)
    assert frames.shape == (5, 32, 32, 3) and frames.dtype == np.uint8
    expected_pixels = np.round((np.clip(expected, -1, 1) + 1) * 127.5).transpose(0, 2, 3, 1)
    assert np.abs(frames.astype(int) - expected_pixels).max() <= 1
    assert frames.std() > 1.0, "a blank picture would hide a broken model"


def test_spectral_norm_is_folded_and_frames_are_deterministic(tiny_weights: Path) -> None:
    generator = BigGANGenerator(tiny_weights, device="cpu", batch_size=3)
    assert not any(hasattr(m, "weight_orig") for m in generator.model.modules())
    z, y = inputs(6, seed=2)
    first = generator.generate(z, y, 0.2)
    np.testing.assert_array_equal(first, generator.generate(z, y, 0.2))
    assert generator.info.output_size == 32 and generator.info.device == "cpu"


def test_options_are_checked(tiny_weights: Path) -> None:
    with pytest.raises(InvalidOption, match="precision"):
        BigGANGenerator(tiny_weights, precision="float8")
    if not torch.cuda.is_available():
        with pytest.raises(InvalidOption, match="device"):
            BigGANGenerator(tiny_weights, device="cuda")


def test_the_tiny_model_draws_different_classes_differently(tiny_weights: Path) -> None:
    """Guards the other tests: a model that ignores its inputs would make every comparison pass."""
    generator = BigGANGenerator(tiny_weights, device="cpu")
    z = np.zeros((2, 128), np.float32)
    y = np.zeros((2, 1000), np.float32)
    y[0, 3], y[1, 700] = 1, 1
    a, b = generator.generate(z, y, 0.4)
    assert np.abs(a.astype(int) - b.astype(int)).mean() > 5


@pytest.mark.slow
def test_prepared_model_matches_the_library_at_full_biggan_deep_128_size(tmp_path: Path) -> None:
    """The fused paths at the real architecture's sizes (attention over 64×64), with random weights."""
    from pipeline.biggan.testing import write_random_weights

    write_random_weights(tmp_path)
    reference = BigGAN.from_pretrained(str(tmp_path)).eval()
    z, y = inputs(4)
    with torch.no_grad():
        expected = reference(torch.from_numpy(z), torch.from_numpy(y), 0.4).numpy()
    frames = BigGANGenerator(tmp_path, device="cpu", precision="float32").generate(z, y, 0.4)
    expected_pixels = np.round((np.clip(expected, -1, 1) + 1) * 127.5).transpose(0, 2, 3, 1)
    assert frames.shape == (4, 128, 128, 3)
    assert np.abs(frames.astype(int) - expected_pixels).max() <= 1


@pytest.mark.network
@pytest.mark.parametrize("model", ["biggan-deep-128"])
def test_real_weights_download_load_and_draw(tmp_path: Path, model: str) -> None:
    """Real weights from the internet (run with -m network where it is reachable)."""
    folder = resolve_weights(model, weights_dir=None, cache_dir=tmp_path)
    generator = BigGANGenerator(folder)
    z, y = inputs(2)
    frames = generator.generate(z, y, 0.4)
    assert frames.shape == (2, 128, 128, 3) and frames.std() > 10


def test_weights_that_make_nan_frames_stop_the_render_naming_them(
    tiny_weights: Path, tmp_path: Path, make_clip: ClipMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.main import main

    broken = tmp_path / "broken"
    shutil.copytree(tiny_weights, broken)
    state = torch.load(broken / WEIGHTS_FILE, weights_only=True)
    state["generator.conv_to_rgb.bias"] = torch.full_like(state["generator.conv_to_rgb.bias"], float("nan"))
    torch.save(state, broken / WEIGHTS_FILE)
    out = tmp_path / "v.mp4"
    assert main(["render", str(make_clip(1.5)), "-o", str(out), "--weights", str(broken), "--fps", "4"]) == 1
    err = capsys.readouterr().err
    assert f"the BigGAN weights in {broken} produce broken pictures" in err and err.count("\n") == 1
    assert not out.exists() and not list(tmp_path.glob(".*partial"))


# ----------------------------------------------------------------------------- precision, sizes, formats


def pre_tanh(generator: BigGANGenerator, z: np.ndarray, y: np.ndarray, truncation: float) -> torch.Tensor:
    """The model's output before tanh (where precision errors are not hidden by saturation)."""
    captured: list[torch.Tensor] = []
    hook = generator.model.generator.conv_to_rgb.register_forward_hook(lambda m, i, out: captured.append(out))
    with torch.inference_mode():
        generator.model(torch.from_numpy(z), torch.from_numpy(y), truncation)
    hook.remove()
    return captured[0].float()


def test_calibrated_weights_draw_mid_tones_not_black_and_white(calibrated_weights: Path) -> None:
    """Guards the precision tests: saturated pictures would hide any numerical error."""
    generator = BigGANGenerator(calibrated_weights, device="cpu", precision="float32")
    frames = generator.generate(*inputs(8), 0.4)
    assert np.mean((frames == 0) | (frames == 255)) < 0.02
    assert 30 < frames.std() < 90
    assert 0.3 < float(pre_tanh(generator, *inputs(8), 0.4).std()) < 0.8


@pytest.mark.parametrize("truncation", [0.2, 0.4, 1.0])
def test_bfloat16_frames_stay_within_40_db_of_float32(calibrated_weights: Path, truncation: float) -> None:
    full = BigGANGenerator(calibrated_weights, device="cpu", precision="float32")
    half = BigGANGenerator(calibrated_weights, device="cpu", precision="bfloat16")
    z, y = inputs(8, seed=4)
    assert psnr_db(full.generate(z, y, truncation), half.generate(z, y, truncation)) >= 40
    error = (pre_tanh(full, z, y, truncation) - pre_tanh(half, z, y, truncation)).abs()
    assert float(error.mean()) < 0.02 and float(error.max()) < 0.5


def test_half_precision_leaves_the_statistics_and_the_output_in_float32(calibrated_weights: Path) -> None:
    model = BigGANGenerator(calibrated_weights, device="cpu", precision="bfloat16").model
    blocks = model.blocks()
    assert blocks[0].dtype == torch.float32 and blocks[-1].dtype == torch.bfloat16
    assert blocks[-1].conv_1.weight.dtype == torch.bfloat16
    assert blocks[-1].conv_1.weight.is_contiguous(memory_format=torch.channels_last)
    rgb = model.generator.conv_to_rgb
    assert rgb.weight.dtype == torch.float32 and rgb.out_channels == 3, "only the 3 colours the library keeps"
    assert model.cond_weight.dtype == torch.float32 and model.generator.bn.running_vars.dtype == torch.float32


def test_auto_is_bfloat16_only_where_the_cpu_has_it(calibrated_weights: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.biggan.device as D

    monkeypatch.setattr(D, "cpu_has_native_bfloat16", lambda: False)
    assert BigGANGenerator(calibrated_weights, device="cpu").precision == "float32"
    monkeypatch.setattr(D, "cpu_has_native_bfloat16", lambda: True)
    generator = BigGANGenerator(calibrated_weights, device="cpu")
    assert generator.precision == "bfloat16" and generator.info.precision_psnr_db is None
    generator.generate(*inputs(3), 0.2)
    assert generator.precision == "bfloat16" and (generator.info.precision_psnr_db or 0) >= 40


def test_auto_falls_back_to_float32_when_the_first_frame_drifts(
    calibrated_weights: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.biggan.device as D
    import pipeline.biggan.generator as G

    monkeypatch.setattr(D, "cpu_has_native_bfloat16", lambda: True)
    monkeypatch.setattr(G, "MIN_PSNR_DB", 200.0)  # no half-precision frame is that close
    generator = BigGANGenerator(calibrated_weights, device="cpu")
    z, y = inputs(4)
    frames = generator.generate(z, y, 0.2)
    assert generator.precision == "float32" and generator.info.precision == "float32"
    full = BigGANGenerator(calibrated_weights, device="cpu", precision="float32")
    np.testing.assert_array_equal(frames, full.generate(z, y, 0.2))
    np.testing.assert_array_equal(generator.generate(z, y, 0.2), frames)


def test_frames_come_at_the_asked_size(calibrated_weights: Path) -> None:
    generator = BigGANGenerator(calibrated_weights, device="cpu", precision="float32")
    z, y = inputs(3)
    native = generator.generate(z, y, 0.4)
    np.testing.assert_array_equal(generator.generate(z, y, 0.4, 32), native)
    larger = generator.generate(z, y, 0.4, 96)
    assert larger.shape == (3, 96, 96, 3) and larger.dtype == np.uint8
    # The same as scaling the native frames bicubically (to the rounding of the native pixels).
    pictures = torch.from_numpy(native).permute(0, 3, 1, 2).float()
    scaled = torch.nn.functional.interpolate(pictures, size=(96, 96), mode="bicubic", antialias=True)
    expected = scaled.clamp(0, 255).round().permute(0, 2, 3, 1).numpy()
    assert np.abs(larger.astype(float) - expected).mean() < 1.0
    assert generator.generate(z, y, 0.4, 16).shape == (3, 16, 16, 3)


@pytest.mark.slow
def test_bfloat16_at_full_biggan_deep_128_size_stays_within_40_db(tmp_path: Path) -> None:
    """The issue's measure: a full-size model with weights that behave like trained ones, bfloat16 against float32."""
    from pipeline.biggan.testing import write_random_weights

    write_random_weights(tmp_path, seed=1, calibrated=True)
    full = BigGANGenerator(tmp_path, device="cpu", precision="float32")
    half = BigGANGenerator(tmp_path, device="cpu", precision="bfloat16")
    z, y = inputs(4, seed=5)
    for truncation in (0.2, 0.4):
        frames = full.generate(z, y, truncation)
        assert np.mean((frames == 0) | (frames == 255)) < 0.02, "calibrated: not black and white"
        assert psnr_db(frames, half.generate(z, y, truncation)) >= 40
        error = (pre_tanh(full, z, y, truncation) - pre_tanh(half, z, y, truncation)).abs()
        assert float(error.mean()) < 0.02
