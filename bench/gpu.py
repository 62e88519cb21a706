"""GPU throughput of ganterp: the generator at 128/256/512 px, the encoder, and the whole pipeline.

Usage: python bench/gpu.py [--quick] [--json PATH] [--weights DIR ...] [--skip-compile]

1. Generator alone, frames per second, for each model size (128, 256, 512), precision (float16,
   bfloat16), batch size and way of launching: plain (eager) kernels, CUDA graphs (ganterp's
   default on a GPU), and torch.compile (max-autotune, its cache in $TORCHINDUCTOR_CACHE_DIR;
   the compile time is reported cold, with an empty cache, and warm, in a second process).
2. Encoder alone: frames per second into an MP4 at 128/256/512/720 px with libx264 (the presets
   ganterp uses, with ffmpeg's automatic threads and fixed thread counts) and NVENC when this
   ffmpeg has it and the GPU has the hardware (an H100 has none).
3. The whole pipeline: `pipeline.render.render` on a planned clip, frames per second from the
   first batch to the finished MP4 (model already loaded), at 128 and 512 px, in ganterp's own
   choice of precision, batch, graphs and encoder. Goals on one H100: >= 2000 frames/s at 128 px,
   >= 200 at 512 px.

Weights: random, with the real architectures (the published BigGAN-deep configurations), unless
--weights names real folders; speed does not depend on the values. The encoder part runs
without a GPU too (it measures this machine's CPU); the rest says why it cannot run and exits 0.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

GOALS = {128: 2000.0, 512: 200.0}  # whole-pipeline frames per second on one H100
SIZES = (128, 256, 512)
PRECISIONS = ("float16", "bfloat16")
BATCHES = (16, 32, 64, 128)
ENCODE_SIZES = (128, 256, 512, 720)
ENCODE_THREADS = (0, 4, 8, 16)  # 0: ffmpeg's automatic choice
SEED = 1


def architecture(size: int) -> dict[str, Any]:
    """The published BigGAN-deep generator layouts: (upsample, in, out) widths × 128 channels per block.

    Each stage is a block that keeps the size and one that doubles it; attention sits at 64×64.
    """
    stages = {128: [16, 16, 8, 4, 2, 1], 256: [16, 16, 8, 8, 4, 2, 1], 512: [16, 16, 8, 8, 4, 2, 1, 1]}[size]
    layers = []
    for width_in, width_out in itertools.pairwise(stages):
        layers += [(False, width_in, width_in), (True, width_in, width_out)]
    return {
        "output_dim": size,
        "z_dim": 128,
        "class_embed_dim": 128,
        "channel_width": 128,
        "num_classes": 1000,
        "layers": layers,
        "attention_layer_position": 8,
        "eps": 1e-4,
        "n_stats": 51,
    }


@dataclass
class GeneratorRow:
    """One generator measurement."""

    size: int
    precision: str
    batch: int
    mode: str  # eager, graphs, compile
    frames_per_s: float
    peak_memory_gib: float
    compile_s: float | None = None


@dataclass
class EncoderRow:
    """One encoder measurement."""

    size: int
    codec: str
    preset: str
    threads: int
    frames_per_s: float
    bytes_per_frame: float


@dataclass
class PipelineRow:
    """One whole-pipeline measurement."""

    size: int
    model: str
    precision: str
    batch: int
    codec: str
    preset: str
    frames: int
    seconds: float
    frames_per_s: float
    goal: float | None


@dataclass
class Results:
    """Everything the benchmark measured."""

    machine: dict[str, str]
    generator: list[GeneratorRow] = field(default_factory=list)
    encoder: list[EncoderRow] = field(default_factory=list)
    pipeline: list[PipelineRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- entry point


def main() -> int:
    """Run what this machine can run and print the tables."""
    args = _parser().parse_args()
    if args.compile_worker:
        weights, precision, batch = args.compile_worker
        print(json.dumps(compile_once(Path(weights), precision, int(batch))))
        return 0
    import torch

    results = Results(machine=machine_info())
    print_header(results.machine)
    with tempfile.TemporaryDirectory(prefix="ganterp-gpu-bench-") as tmp:
        work = Path(tmp)
        results.encoder = bench_encoder(work, quick=args.quick)
        print_encoder(results.encoder)
        if not torch.cuda.is_available():
            results.notes.append("no CUDA GPU here: only the encoder was measured")
            print("\nno CUDA GPU on this machine: the generator and the whole pipeline were not measured.")
        else:
            folders = weights_folders(work, args.weights)
            results.generator = bench_generator(folders, quick=args.quick, compile_too=not args.skip_compile)
            print_generator(results.generator)
            results.pipeline = bench_pipeline(folders, work, quick=args.quick)
            print_pipeline(results.pipeline)
    if args.json:
        Path(args.json).write_text(json.dumps(asdict(results), indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer sizes, batches and frames (a smoke test)")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers as JSON here")
    parser.add_argument("--weights", nargs="*", default=[], help="real weights folders to use instead of random ones")
    parser.add_argument("--skip-compile", action="store_true", help="leave out torch.compile (minutes per shape)")
    parser.add_argument("--compile-worker", nargs=3, metavar=("WEIGHTS", "PRECISION", "BATCH"), help=argparse.SUPPRESS)
    return parser


def machine_info() -> dict[str, str]:
    """GPU, CUDA, torch, CPU count and what this ffmpeg can encode with."""
    import torch

    from pipeline.media.encode import nvenc_works

    gpu = "none"
    memory = ""
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        gpu, memory = props.name, f"{props.total_memory / 2**30:.0f} GiB"
    return {
        "gpu": gpu,
        "gpu_memory": memory,
        "cuda": str(torch.version.cuda),
        "torch": torch.__version__,
        "cpus": str(len(os.sched_getaffinity(0))),
        "python": platform.python_version(),
        "nvenc": "works" if nvenc_works() else "not available",
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def print_header(machine: dict[str, str]) -> None:
    """Say what runs where."""
    print("# ganterp GPU benchmark")
    print(f"GPU: {machine['gpu']} {machine['gpu_memory']}, CUDA {machine['cuda']}, torch {machine['torch']}, ", end="")
    print(f"{machine['cpus']} CPUs, NVENC: {machine['nvenc']}, load average {machine['load']}\n", flush=True)


def weights_folders(work: Path, given: list[str]) -> dict[int, Path]:
    """A weights folder per model size: the given real ones, else random weights in the real layouts."""
    import torch
    from pytorch_pretrained_biggan import BigGAN, BigGANConfig

    from pipeline.biggan.loading import read_config
    from pipeline.biggan.noise import save_biggan

    folders: dict[int, Path] = {}
    for folder in map(Path, given):
        folders[read_config(folder).output_dim] = folder
    for size in SIZES:
        if size not in folders:
            torch.manual_seed(SEED)
            config = BigGANConfig(**architecture(size))
            save_biggan(BigGAN(config).eval(), work / f"random-{size}")
            folders[size] = work / f"random-{size}"
    return folders


# ----------------------------------------------------------------------------- 1. generator alone


def bench_generator(folders: dict[int, Path], *, quick: bool, compile_too: bool) -> list[GeneratorRow]:
    """Frames per second of the generator alone, every size × precision × batch × launch mode."""
    import torch

    from pipeline.biggan.device import check_inputs
    from pipeline.biggan.generator import BigGANGenerator
    from pipeline.biggan.loading import read_config

    rows: list[GeneratorRow] = []
    sizes = (128, 512) if quick else SIZES
    batches = (32,) if quick else BATCHES
    for size in sizes:
        config = read_config(folders[size])
        for precision in PRECISIONS:
            for graphs in (False, True):
                generator = BigGANGenerator(folders[size], device="cuda", precision=precision, cuda_graphs=graphs)
                for batch in batches:
                    z, y = check_inputs(config, batch, seed=SEED)
                    generator.batch_size = batch
                    fps, peak = _frames_per_second(lambda g=generator, z=z, y=y: g.generate(z, y, 0.4), batch, quick)
                    mode = "graphs" if graphs else "eager"
                    rows.append(GeneratorRow(size, precision, batch, mode, fps, peak))
                    print(f"  {size} px {precision} batch {batch} {mode}: {fps:.0f} frames/s", flush=True)
                del generator
                torch.cuda.empty_cache()
            if compile_too:
                batch = 64 if size == 128 else 16
                for attempt in ("cold", "warm"):
                    row = _compile_in_subprocess(folders[size], precision, batch, empty_cache=attempt == "cold")
                    if row is not None:
                        rows.append(row)
                        print(
                            f"  {size} px {precision} batch {batch} compile ({attempt}): "
                            f"{row.frames_per_s:.0f} frames/s after {row.compile_s:.0f} s",
                            flush=True,
                        )
    return rows


def _frames_per_second(step: Any, batch: int, quick: bool) -> tuple[float, float]:
    """Frames per second of repeated `step()` calls (each a batch, copied to the host), and peak GPU memory."""
    import torch

    for _ in range(3):  # warm-up: kernel choice, graph capture
        step()
    torch.cuda.reset_peak_memory_stats()
    calls = 0
    started = time.perf_counter()
    budget = 1.0 if quick else 4.0
    while time.perf_counter() - started < budget or calls < 5:
        step()
        calls += 1
    seconds = time.perf_counter() - started
    return calls * batch / seconds, torch.cuda.max_memory_allocated() / 2**30


def _compile_in_subprocess(folder: Path, precision: str, batch: int, *, empty_cache: bool) -> GeneratorRow | None:
    cache = Path(os.environ.get("TORCHINDUCTOR_CACHE_DIR", Path.home() / ".cache" / "ganterp" / "inductor"))
    if empty_cache and cache.exists():
        import shutil

        shutil.rmtree(cache)
    env = {**os.environ, "TORCHINDUCTOR_CACHE_DIR": str(cache)}
    command = [sys.executable, str(Path(__file__).resolve()), "--compile-worker", str(folder), precision, str(batch)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        print(f"  torch.compile failed: {done.stderr.strip().splitlines()[-1:]}", flush=True)
        return None
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    return GeneratorRow(**measured)


def compile_once(folder: Path, precision: str, batch: int) -> dict[str, Any]:
    """In a fresh process: compile the model's forward, time the compile, then the frames per second."""
    import torch

    from pipeline.biggan.device import check_inputs
    from pipeline.biggan.generator import BigGANGenerator
    from pipeline.biggan.loading import read_config
    from pipeline.biggan.network import frames_of

    config = read_config(folder)
    generator = BigGANGenerator(folder, device="cuda", precision=precision, cuda_graphs=False)
    compiled = torch.compile(generator.model, mode="max-autotune-no-cudagraphs")
    z, y = check_inputs(config, batch, seed=SEED)
    z_d, y_d = torch.from_numpy(z).cuda(), torch.from_numpy(y).cuda()

    def step() -> None:
        with torch.inference_mode():
            frames, _ = frames_of(compiled, z_d, y_d, 0.4, config.output_dim)  # type: ignore[arg-type]
            frames.cpu()

    started = time.perf_counter()
    step()
    compile_s = time.perf_counter() - started
    fps, peak = _frames_per_second(step, batch, quick=False)
    return asdict(GeneratorRow(config.output_dim, precision, batch, "compile", fps, peak, compile_s))


# ----------------------------------------------------------------------------- 2. encoder alone


def bench_encoder(work: Path, *, quick: bool) -> list[EncoderRow]:
    """Frames per second into an MP4, per size, codec, preset and thread count."""
    from pipeline.media.encode import CPU_PRESET, FAST_PRESET, NVENC_MIN_SIZE, NVENC_PRESET, nvenc_works

    rows: list[EncoderRow] = []
    sizes = (128, 512) if quick else ENCODE_SIZES
    threads = (0,) if quick else ENCODE_THREADS
    for size in sizes:
        frames = synthetic_frames(size, 48 if quick else 120)
        for preset in (CPU_PRESET, FAST_PRESET):
            for count in threads:
                if count > os.cpu_count() * 2:  # type: ignore[operator]
                    continue
                rows.append(_encode(work, frames, "libx264", preset, count))
        if nvenc_works() and size >= NVENC_MIN_SIZE:
            rows.append(_encode(work, frames, "h264_nvenc", NVENC_PRESET, 0))
    return rows


def synthetic_frames(size: int, count: int) -> np.ndarray:
    """Frames that move like a GANterpretation: smooth colour fields drifting, some texture, no cuts."""
    rng = np.random.default_rng(SEED)
    grid = np.linspace(0, 2 * np.pi, size, dtype=np.float32)
    gx, gy = np.meshgrid(grid, grid)
    texture = rng.standard_normal((size, size, 3)).astype(np.float32) * 12
    frames = np.empty((count, size, size, 3), np.uint8)
    for i in range(count):
        t = i / 24
        channels = [np.sin(gx * (1 + c) + t * (0.7 + c)) + np.cos(gy * (2 - c * 0.5) - t) for c in range(3)]
        picture = 127 + 55 * np.stack(channels, axis=-1) + texture * np.sin(t + gx[..., None])
        frames[i] = np.clip(picture, 0, 255).astype(np.uint8)
    return frames


def _encode(work: Path, frames: np.ndarray, codec: str, preset: str, threads: int) -> EncoderRow:
    """Pipe the frames (looped to about 3 s of encoding) into ffmpeg with ganterp's flags; frames per second."""
    from pipeline.media.ffmpeg import base_command

    size = frames.shape[1]
    repeats = max(1, int(3000 / size**2 * 128**2 / len(frames)))  # small frames encode fast: loop them more
    output = work / f"encode-{size}-{codec}-{preset}-{threads}.mp4"
    quality = ["-rc", "vbr", "-cq", "20"] if codec == "h264_nvenc" else ["-crf", "20"]
    command = [
        *base_command(), "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{size}x{size}", "-framerate", "30",
        "-i", "pipe:0", "-c:v", codec, "-profile:v", "high", "-pix_fmt", "yuv420p", "-preset", preset, *quality,
        *(["-threads", str(threads)] if threads else []), "-movflags", "+faststart", str(output),
    ]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdin is not None
    for _ in range(repeats):
        process.stdin.write(frames.data.cast("B"))
    process.stdin.close()
    if process.wait() != 0:
        raise SystemExit(f"ffmpeg failed: {process.stderr.read().decode() if process.stderr else ''}")
    seconds = time.perf_counter() - started
    total = repeats * len(frames)
    row = EncoderRow(size, codec, preset, threads, total / seconds, output.stat().st_size / total)
    print(
        f"  encode {size} px {codec} {preset} threads {threads or 'auto'}: {row.frames_per_s:.0f} frames/s, "
        f"{row.bytes_per_frame / 1024:.1f} KiB/frame",
        flush=True,
    )
    return row


# ----------------------------------------------------------------------------- 3. whole pipeline


def bench_pipeline(folders: dict[int, Path], work: Path, *, quick: bool) -> list[PipelineRow]:
    """`render()` end to end with ganterp's own choices, model loaded: frames per second to the finished MP4."""
    from scipy.io import wavfile

    from pipeline.biggan.generator import BigGANGenerator
    from pipeline.media.encode import video_encoder
    from pipeline.render import RenderOptions, prepare, render

    seconds = 20.0 if quick else 60.0
    rng = np.random.default_rng(SEED)
    t = np.arange(int(seconds * 44_100)) / 44_100
    tone = np.sin(2 * np.pi * 220 * t * (1 + 0.5 * np.sin(t / 3))) * (0.5 + 0.5 * np.sin(t * 2)) ** 2
    clip = work / "pipeline.wav"
    wavfile.write(clip, 44_100, (np.stack([tone, tone], 1) * 20_000 + rng.normal(0, 300, (len(t), 2))).astype(np.int16))
    rows: list[PipelineRow] = []
    for size in (128, 512):
        generator = BigGANGenerator(folders[size], device="cuda")
        prepared = prepare(clip, RenderOptions(seed=SEED, fps=60.0, size=size))
        render(prepare(clip, RenderOptions(seed=SEED, fps=8.0, size=size)), work / "warm.mp4", generator)  # warm-up
        started = time.perf_counter()
        render(prepared, work / f"pipeline-{size}.mp4", generator)
        took = time.perf_counter() - started
        codec, preset = video_encoder(generator.device, size)
        frames = prepared.plan.n_frames
        row = PipelineRow(
            size,
            f"biggan-deep-{size}",
            generator.precision,
            generator.batch_size,
            codec,
            preset,
            frames,
            took,
            frames / took,
            GOALS.get(size),
        )
        rows.append(row)
        print(f"  pipeline {size} px: {row.frames_per_s:.0f} frames/s ({frames} frames in {took:.1f} s)", flush=True)
        del generator
    return rows


# ----------------------------------------------------------------------------- report


def print_encoder(rows: list[EncoderRow]) -> None:
    """The encoder table."""
    print("\n| size | codec | preset | threads | frames/s | KiB/frame |\n|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r.size} | {r.codec} | {r.preset} | {r.threads or 'auto'} | {r.frames_per_s:.0f} | "
            f"{r.bytes_per_frame / 1024:.1f} |"
        )


def print_generator(rows: list[GeneratorRow]) -> None:
    """The generator table."""
    print("\n| size | precision | batch | launch | frames/s | peak GiB | compile s |\n|---|---|---|---|---|---|---|")
    for r in rows:
        compiled = f"{r.compile_s:.0f}" if r.compile_s is not None else ""
        print(
            f"| {r.size} | {r.precision} | {r.batch} | {r.mode} | {r.frames_per_s:.0f} | "
            f"{r.peak_memory_gib:.1f} | {compiled} |"
        )


def print_pipeline(rows: list[PipelineRow]) -> None:
    """The whole-pipeline table, against the goals."""
    print("\n| size | precision | batch | encoder | frames | frames/s | goal |\n|---|---|---|---|---|---|---|")
    for r in rows:
        goal = "" if r.goal is None else f">= {r.goal:.0f} ({'met' if r.frames_per_s >= r.goal else 'NOT met'})"
        print(
            f"| {r.size} | {r.precision} | {r.batch} | {r.codec} {r.preset} | {r.frames} | "
            f"{r.frames_per_s:.0f} | {goal} |"
        )


if __name__ == "__main__":
    sys.exit(main())
