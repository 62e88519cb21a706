"""Speed and memory of `ganterp render` against the plain pytorch-pretrained-biggan loop, on this machine.

Usage: python bench/render_speed.py [--quick] [--json PATH]

Both variants run in fresh subprocesses, so imports and model loading are counted
for both; they render the same frames (same z and class mixes, batch 8) from the
same randomly initialised BigGAN-deep-128 saved on disk. Also measured, each in fresh
processes: the generator's forward alone in ganterp's precision and in float32, the
imports a render pays, and this CPU's matrix-product speed (the yardstick for the rest).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parents[1]
SAMPLE_RATE = 44_100
SEED = 1
BATCH = 8
SPEED_FPS = 12.0
# Memory runs use a lower rate: a 60 s clip at 12 fps would take too long on a 2-core CPU,
# and peak memory is about how it grows with the clip, not with the frame rate.
MEMORY_FPS = 4.0
GNU_TIME = Path("/usr/bin/time")
GOAL_SPEEDUP = 2.5
IMPORT_RUNS = 3
GOAL_OUTSIDE = 0.10
GOAL_MEMORY = 0.15


@dataclass(frozen=True)
class Scale:
    """Clip lengths of one benchmark run."""

    speed_s: float
    memory_s: tuple[float, float]


FULL = Scale(speed_s=10.0, memory_s=(10.0, 60.0))
QUICK = Scale(speed_s=3.0, memory_s=(3.0, 9.0))


@dataclass(frozen=True)
class Results:
    """Every number the benchmark prints."""

    machine: dict[str, str]
    frames: int
    precision: str
    naive_s: float
    ganterp_s: float
    forward_s: float
    forward_median_s: float
    forward_float32_s: float
    imports_s: dict[str, float]
    naive_fps: float
    ganterp_fps: float
    speedup: float
    outside_share: float
    outside_share_median: float
    memory_fps: float
    memory_clips_s: tuple[float, float]
    memory_frames: tuple[int, int]
    peak_rss_mib: tuple[float, float]
    memory_ratio: float
    memory_method: str


# ----------------------------------------------------------------------------- entry point


def main() -> int:
    """Run the benchmark, or the naive variant when called as its own worker."""
    args = _parser().parse_args()
    if args.naive_worker:
        weights, clip, out_dir = (Path(p) for p in args.naive_worker)
        print(json.dumps({"frames": naive_render(weights, clip, out_dir)}))
        return 0
    if args.forward_worker:
        weights, clip, precision = args.forward_worker
        print(json.dumps({"batch_s": forward_batches(Path(weights), Path(clip), precision)}))
        return 0
    results = run_benchmark(QUICK if args.quick else FULL)
    report(results)
    if args.json:
        Path(args.json).write_text(json.dumps(asdict(results), indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3 s clips instead of 10 s and 60 s (a smoke test)")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers as JSON here")
    # The measured variants re-enter this script in a fresh interpreter; not for users.
    parser.add_argument("--naive-worker", nargs=3, metavar=("WEIGHTS", "CLIP", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--forward-worker", nargs=3, metavar=("WEIGHTS", "CLIP", "PRECISION"), help=argparse.SUPPRESS)
    return parser


def run_benchmark(scale: Scale) -> Results:
    """Build the model and clips, then time both variants and measure memory."""
    machine = machine_info()
    print_header(machine, scale)
    with tempfile.TemporaryDirectory(prefix="ganterp-bench-") as tmp:
        work = Path(tmp)
        weights = work / "weights"
        make_weights(weights)
        clip = write_clip(work / "speed.wav", scale.speed_s, seed=0)
        frames = plan_frames(clip, SPEED_FPS)
        imports = time_imports(work)
        naive_s = time_naive(weights, clip, work)
        ganterp_s, precision = time_ganterp(weights, clip, work, frames)
        forward_s, forward_median_s = time_forward(weights, clip, work, "auto")
        forward_float32_s, _ = time_forward(weights, clip, work, "float32")
        memory_clips = [write_clip(work / f"memory{s:g}.wav", s, seed=0) for s in scale.memory_s]
        peaks = [peak_rss_mib(weights, c, work) for c in memory_clips]
        memory_frames = tuple(plan_frames(c, MEMORY_FPS) for c in memory_clips)
    machine["load_after"] = _load()
    return Results(
        machine=machine,
        frames=frames,
        precision=precision,
        naive_s=naive_s,
        ganterp_s=ganterp_s,
        forward_s=forward_s,
        forward_median_s=forward_median_s,
        forward_float32_s=forward_float32_s,
        imports_s=imports,
        naive_fps=frames / naive_s,
        ganterp_fps=frames / ganterp_s,
        speedup=naive_s / ganterp_s,
        outside_share=1 - forward_s / ganterp_s,
        outside_share_median=1 - forward_median_s / ganterp_s,
        memory_fps=MEMORY_FPS,
        memory_clips_s=scale.memory_s,
        memory_frames=(memory_frames[0], memory_frames[1]),
        peak_rss_mib=(peaks[0], peaks[1]),
        memory_ratio=peaks[1] / peaks[0],
        memory_method="GNU time -v" if GNU_TIME.exists() else "getrusage(RUSAGE_CHILDREN)",
    )


# ----------------------------------------------------------------------------- setup


def machine_info() -> dict[str, str]:
    """CPU count and model, torch version and accelerator, for the header and the JSON."""
    import torch  # imported late everywhere: the naive worker re-runs this file and must pay for its own imports

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": _cpu_model(),
        "torch": torch.__version__,
        "torch_threads": str(torch.get_num_threads()),
        "gpu": gpu,
        "python": platform.python_version(),
        "load_before": _load(),
        "matmul_gflops_float32": f"{matmul_gflops(torch.float32):.0f}",
        "matmul_gflops_bfloat16": f"{matmul_gflops(torch.bfloat16):.0f}",
    }


def matmul_gflops(dtype: object) -> float:
    """This CPU's matrix-product speed (2048², best of 10): what the forward's speed should be read against."""
    import torch

    assert isinstance(dtype, torch.dtype)
    a = torch.randn(2048, 2048, dtype=dtype)
    a @ a
    best = min(_seconds(lambda: a @ a) for _ in range(10))
    return 2 * 2048**3 / best / 1e9


def _seconds(step: object) -> float:
    assert callable(step)
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def _load() -> str:
    """The 1, 5 and 15 minute load averages: other work on the machine skews every number here."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    text = cpuinfo.read_text() if cpuinfo.exists() else ""
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or "unknown"


def print_header(machine: dict[str, str], scale: Scale) -> None:
    """Say what runs where, before the long part starts."""
    print("# ganterp render benchmark")
    print(f"machine: {machine['nproc']} CPUs ({machine['cpu']}), torch {machine['torch']} ", end="")
    print(f"with {machine['torch_threads']} threads, GPU: {machine['gpu']}, Python {machine['python']}")
    print(f"load average before: {machine['load_before']} (anything well above 0 means other work competes)")
    print(f"matrix products: {machine['matmul_gflops_float32']} GFLOP/s float32, ", end="")
    print(f"{machine['matmul_gflops_bfloat16']} GFLOP/s bfloat16")
    print(f"model: BigGAN-deep-128, random weights; batch {BATCH}; seed {SEED}")
    print(f"speed: {scale.speed_s:g} s clip at {SPEED_FPS:g} fps; memory: ", end="")
    print(f"{scale.memory_s[0]:g} s and {scale.memory_s[1]:g} s clips at {MEMORY_FPS:g} fps\n", flush=True)


def make_weights(folder: Path) -> None:
    """Save a random BigGAN-deep-128 once, so both variants load the same file from disk."""
    from pipeline.biggan.testing import write_random_weights

    write_random_weights(folder, seed=SEED)  # the model is gone once written: no memory pressure from it


def write_clip(path: Path, seconds: float, seed: int) -> Path:
    """A music-like stereo WAV: notes that change pitch, timbre and loudness every 0.5-2.5 s."""
    from scipy.io import wavfile

    rng = np.random.default_rng(seed)
    n = round(seconds * SAMPLE_RATE)
    mono = np.zeros(n)
    start = 0
    while start < n:
        length = min(n - start, round(rng.uniform(0.5, 2.5) * SAMPLE_RATE))
        mono[start : start + length] = _section(length, rng)
        start += length
    # A slightly different right channel, as a real mix has; the analysis reads the left one.
    stereo = np.stack([mono, 0.8 * mono + 0.05 * rng.standard_normal(n)], axis=1)
    pcm = (np.clip(stereo / np.abs(stereo).max(), -1, 1) * 32000).astype(np.int16)
    wavfile.write(path, SAMPLE_RATE, pcm)
    return path


def _section(length: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    """One section: a note with a few harmonics, beats of a fixed tempo, some noise."""
    t = np.arange(length) / SAMPLE_RATE
    f0 = 110.0 * 2 ** (int(rng.integers(0, 36)) / 12)
    tone = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, int(rng.integers(2, 9))))
    beat = np.exp(-((t * rng.uniform(2, 6)) % 1.0) * 8)  # decaying pulses, a drum-like envelope
    noise = rng.uniform(0, 0.6) * rng.standard_normal(length)
    section: npt.NDArray[np.float64] = rng.uniform(0.2, 1.0) * (tone * (0.4 + beat) + noise * beat)
    return section


def plan_frames(clip: Path, fps: float) -> int:
    """How many frames ganterp plans for this clip at this rate."""
    from pipeline.render import RenderOptions, prepare

    return prepare(clip, RenderOptions(fps=fps, seed=SEED)).plan.n_frames


# ----------------------------------------------------------------------------- variant (a): naive


def naive_render(weights: Path, clip: Path, out_dir: Path) -> int:
    """The README's loop: from_pretrained, no_grad forward per batch, convert_to_images, one PNG each."""
    import PIL.Image  # noqa: F401  # convert_to_images uses PIL.Image but imports only PIL
    import torch
    from pytorch_pretrained_biggan import BigGAN, convert_to_images

    from pipeline.render import RenderOptions, prepare

    # The frame inputs come from ganterp's plan, so both variants render the same frames
    # and both pay for decoding and analysing the audio.
    plan = prepare(clip, RenderOptions(fps=SPEED_FPS, seed=SEED)).plan
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # eval() is not in the README; it is added so the pictures match ganterp's (no power iteration).
    model = BigGAN.from_pretrained(str(weights)).eval().to(device)
    out_dir.mkdir(parents=True, exist_ok=True)
    for first in range(0, plan.n_frames, BATCH):
        z, y = plan.frame_inputs(first, min(first + BATCH, plan.n_frames))
        with torch.no_grad():
            output = model(torch.from_numpy(z).to(device), torch.from_numpy(y).to(device), plan.truncation)
        for i, image in enumerate(convert_to_images(output.to("cpu"))):
            image.save(out_dir / f"frame{first + i:06d}.png")
    return plan.n_frames


def time_naive(weights: Path, clip: Path, work: Path) -> float:
    """Wall clock of the naive variant in a fresh interpreter."""
    command = [sys.executable, str(Path(__file__).resolve()), "--naive-worker", str(weights), str(clip)]
    seconds, stdout = _timed([*command, str(work / "naive-frames")], work)
    print(f"(a) naive loop: {seconds:.1f} s for {json.loads(stdout)['frames']} frames", flush=True)
    return seconds


# ----------------------------------------------------------------------------- variant (b): ganterp


def ganterp_command(weights: Path, clip: Path, output: Path, fps: float) -> list[str]:
    """The real command line, batch size pinned so both variants run the same batches."""
    return [
        *(sys.executable, "-m", "bot.cli", "render", str(clip), "-o", str(output)),
        *("--weights", str(weights), "--fps", f"{fps:g}", "--seed", str(SEED), "--batch-size", str(BATCH)),
    ]


def time_ganterp(weights: Path, clip: Path, work: Path, frames: int) -> tuple[float, str]:
    """Wall clock of `ganterp render` in a fresh interpreter, and the precision it chose; checks the frame count."""
    output = work / "speed.mp4"
    seconds, _ = _timed(ganterp_command(weights, clip, output, SPEED_FPS), work)
    sidecar = json.loads(output.with_suffix(".json").read_text())
    if sidecar["n_frames"] != frames:
        raise SystemExit(f"ganterp rendered {sidecar['n_frames']} frames, the naive loop {frames}")
    print(f"(b) ganterp render: {seconds:.1f} s for {frames} frames, in {sidecar['precision']}", flush=True)
    return seconds, str(sidecar["precision"])


def forward_batches(weights: Path, clip: Path, precision: str) -> list[float]:
    """Seconds inside BigGANGenerator.generate for each batch of the plan, called as (b) calls it."""
    from pipeline.biggan.generator import BigGANGenerator
    from pipeline.render import RenderOptions, prepare

    plan = prepare(clip, RenderOptions(fps=SPEED_FPS, seed=SEED)).plan
    generator = BigGANGenerator(weights, batch_size=BATCH, precision=precision)
    seconds = []
    for first in range(0, plan.n_frames, BATCH):
        z, y = plan.frame_inputs(first, min(first + BATCH, plan.n_frames))
        started = time.perf_counter()  # only the generator; building inputs is outside it, as in (b)
        generator.generate(z, y, plan.truncation)
        seconds.append(time.perf_counter() - started)
    return seconds


def time_forward(weights: Path, clip: Path, work: Path, precision: str) -> tuple[float, float]:
    """Generator time over all batches, summed and as median batch × batches, in a fresh interpreter like (b)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--forward-worker", str(weights), str(clip), precision]
    batch_s: list[float] = json.loads(_timed(command, work)[1])["batch_s"]
    # Shared cloud CPUs stall now and then; the median batch shows the forward without those stalls.
    total, typical = sum(batch_s), float(np.median(batch_s)) * len(batch_s)
    print(
        f"    generator forward alone ({precision}): {total:.1f} s (median batch × batches: {typical:.1f} s)",
        flush=True,
    )
    return total, typical


IMPORTS = {
    "python": "pass",
    "bot.cli.main (the command, numpy, scipy's fft)": "import bot.cli.main",
    "torch": "import torch",
    "everything a render imports (the command, the generator)": "import bot.cli.main, pipeline.biggan.generator",
    "what the library adds (pytorch_pretrained_biggan)": "import torch, time; t = time.perf_counter(); "
    "import pytorch_pretrained_biggan; print(time.perf_counter() - t)",
}


def time_imports(work: Path) -> dict[str, float]:
    """Seconds a fresh interpreter takes for each import set, median of IMPORT_RUNS (the last one times itself)."""
    measured = {}
    for label, code in IMPORTS.items():
        runs = []
        for _ in range(IMPORT_RUNS):
            seconds, stdout = _timed([sys.executable, "-c", code], work)
            runs.append(float(stdout) if stdout.strip() else seconds)
        measured[label] = float(np.median(runs))
        print(f"    import {label}: {measured[label]:.2f} s", flush=True)
    return measured


def peak_rss_mib(weights: Path, clip: Path, work: Path) -> float:
    """Peak resident memory of one `ganterp render` at the memory frame rate, in MiB."""
    command = ganterp_command(weights, clip, work / f"{clip.stem}.mp4", MEMORY_FPS)
    if GNU_TIME.exists():
        report_file = work / f"{clip.stem}.time.txt"
        _timed([str(GNU_TIME), "-v", "-o", str(report_file), *command], work)
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report_file.read_text())
        if match is None:
            raise SystemExit(f"no peak memory in {report_file}")
        kib = int(match.group(1))
    else:
        # A wrapper interpreter per run, so RUSAGE_CHILDREN covers this run's process tree only.
        wrapper = "import resource,subprocess,sys;subprocess.run(sys.argv[1:],check=True,stdout=subprocess.DEVNULL);"
        wrapper += "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        kib = int(_timed([sys.executable, "-c", wrapper, *command], work)[1])
    seconds = clip.stem.removeprefix("memory")
    print(f"    peak RSS, {seconds} s clip at {MEMORY_FPS:g} fps: {kib / 1024:.0f} MiB", flush=True)
    return kib / 1024


def _timed(command: list[str], work: Path) -> tuple[float, str]:
    """Run a command to completion; its wall clock and stdout. Exits with its stderr if it fails."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=work, env=_clean_env(), capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:6])}… failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return seconds, done.stdout


def _clean_env() -> dict[str, str]:
    """The environment without GANTERP_* settings, which could change device, batch or precision."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GANTERP_")}
    env["GANTERP_ALLOW_DOWNLOAD"] = "false"  # the weights are local; never fetch anything
    # Subprocesses run in the temp folder (no stray .env is read there), so the repo goes on the path.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


# ----------------------------------------------------------------------------- report


def report(r: Results) -> None:
    """Print the table, the ratios against their goals and a markdown table for the README."""
    print(f"\n{'variant':<28}{'wall s':>9}{'frames':>8}{'frames/s':>10}")
    print(f"{'(a) naive loop':<28}{r.naive_s:>9.1f}{r.frames:>8}{r.naive_fps:>10.2f}")
    print(f"{'(b) ganterp render':<28}{r.ganterp_s:>9.1f}{r.frames:>8}{r.ganterp_fps:>10.2f}")
    print(f"{'    generator forward only':<28}{r.forward_s:>9.1f}{r.frames:>8}{r.frames / r.forward_s:>10.2f}")
    print(
        f"{'    same in float32':<28}{r.forward_float32_s:>9.1f}{r.frames:>8}{r.frames / r.forward_float32_s:>10.2f}\n"
    )
    print(
        f"ganterp's precision: {r.precision}; forward {r.forward_median_s / r.frames * 1000:.1f} ms/frame "
        f"(median batch), float32 {r.forward_float32_s / r.frames * 1000:.1f} ms/frame\n"
    )
    for label, value, goal in _checks(r):
        print(f"{label:<44}{value:>12}" + (f"   goal {goal}" if goal else ""))
    if r.outside_share < 0:
        print("(a negative share is noise: the forward alone ran slower than the whole render did)")
    print(f"\nload average before: {r.machine['load_before']}, after: {r.machine['load_after']}")
    print(f"(peak RSS by {r.memory_method}; memory runs at {r.memory_fps:g} fps, to keep the long clip affordable)")
    print("\n" + markdown_table(r))


def _checks(r: Results) -> list[tuple[str, str, str]]:
    """(label, value, goal with pass/fail) for each ratio the project aims at."""
    short, long = r.memory_clips_s
    rss_short, rss_long = r.peak_rss_mib

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    return [
        (
            "speed-up (b)/(a), frames/s",
            f"{r.speedup:.2f}×",
            f">= {GOAL_SPEEDUP}× ({verdict(r.speedup >= GOAL_SPEEDUP)})",
        ),
        (
            "(b) wall time outside the generator",
            f"{r.outside_share:.1%}",
            f"< {GOAL_OUTSIDE:.0%} ({verdict(r.outside_share < GOAL_OUTSIDE)})",
        ),
        ("  same, from median batch × batches", f"{r.outside_share_median:.1%}", ""),
        (f"(b) peak RSS, {short:g} s clip", f"{rss_short:.0f} MiB", ""),
        (f"(b) peak RSS, {long:g} s clip", f"{rss_long:.0f} MiB", ""),
        (
            f"peak RSS {long:g} s / {short:g} s",
            f"{r.memory_ratio:.3f}",
            f"within {GOAL_MEMORY:.0%} ({verdict(abs(r.memory_ratio - 1) <= GOAL_MEMORY)})",
        ),
    ]


def markdown_table(r: Results) -> str:
    """The results as a markdown table, ready to paste into the README."""
    m = r.machine
    lines = [
        f"Measured with `python bench/render_speed.py` on {m['nproc']} CPUs ({m['cpu']}), torch {m['torch']}, "
        f"GPU: {m['gpu']}; BigGAN-deep-128 (random weights), batch {BATCH}, {r.frames} frames at {SPEED_FPS:g} fps.",
        "",
        "| measure | value | goal |",
        "|---|---|---|",
        f"| naive pytorch-pretrained-biggan loop (PNGs) | {r.naive_fps:.2f} frames/s ({r.naive_s:.1f} s) | |",
        f"| `ganterp render` (MP4) | {r.ganterp_fps:.2f} frames/s ({r.ganterp_s:.1f} s) | |",
        f"| speed-up | {r.speedup:.2f}× | ≥ {GOAL_SPEEDUP}× |",
        f"| generator forward ({r.precision}), median batch | {r.forward_median_s / r.frames * 1000:.1f} ms/frame | |",
        f"| generator forward (float32), all batches | {r.forward_float32_s / r.frames * 1000:.1f} ms/frame | |",
        f"| `ganterp render` wall time outside the generator | {r.outside_share:.1%} "
        f"({r.outside_share_median:.1%} from the median batch) | < {GOAL_OUTSIDE:.0%} |",
    ]
    for seconds, mib in zip(r.memory_clips_s, r.peak_rss_mib, strict=True):
        lines.append(f"| peak RSS, {seconds:g} s clip at {r.memory_fps:g} fps | {mib:.0f} MiB | |")
    lines.append(f"| peak RSS ratio, long / short clip | {r.memory_ratio:.3f} | within {GOAL_MEMORY:.0%} |")
    for label, seconds in r.imports_s.items():
        lines.append(f"| import {label} | {seconds:.2f} s | |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
