"""What a layout costs beside the render itself, and whether memory stays flat with the clip's length.

Run: `python -m bench.layout_cost` (about three minutes on two cores). A drawn performer video
(bench/performer_clips.py) is rendered by fresh `ganterp render` processes with a random
BigGAN-deep-128: the same 10 s clip with each layout (wall time, median of --runs), then a 10 s
and a 60 s clip side by side at a low frame rate (peak memory of the whole process tree: Python
and both ffmpeg processes). Ratios are measured in this one run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.performer_clips import make_clip
from bench.render_speed import make_weights

LAYOUTS = ("gan", "side", "stack", "inset")
FPS, MEMORY_FPS = 12, 4


def render_command(weights: Path, clip: Path, output: Path, layout: str, fps: int) -> list[str]:
    """A `ganterp render` of `clip` with one layout, at the bots' Discord size."""
    return [sys.executable, "-m", "bot.cli", "render", str(clip), "-o", str(output), "--weights", str(weights),
            "--layout", layout, "--fps", str(fps), "--size", "256", "--seed", "1",
            "--model", "biggan-deep-128"]  # fmt: skip


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB (read from /proc)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        stack += [int(child) for child in children]
    return total / 1024


def run(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak MiB of the whole process tree) of one command."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak, done = 0.0, threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.wait(0.05):
            peak = max(peak, tree_rss_mib(process.pid))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    code = process.wait()
    done.set()
    watcher.join()
    if code != 0:
        raise SystemExit(f"{' '.join(command)} failed ({code})")
    return time.perf_counter() - started, peak


def main() -> int:
    """Print the cost of each layout and the memory of 10 s against 60 s clips."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="renders per layout (the median is printed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ganterp-layout-") as folder:
        work = Path(folder)
        weights = work / "weights"
        make_weights(weights)
        short = make_clip(work / "short.mp4", 640, 360, seconds=10.0)
        long = make_clip(work / "long.mp4", 640, 360, seconds=60.0)
        print(f"10 s performer clip (640x360, 30 fps) at {FPS} fps, BigGAN-deep-128 at 256 px, {args.runs} runs")
        times: dict[str, float] = {}
        for layout in LAYOUTS:
            walls = [run(render_command(weights, short, work / f"{layout}.mp4", layout, FPS))[0]
                     for _ in range(args.runs)]  # fmt: skip
            times[layout] = statistics.median(walls)
            extra = times[layout] / times["gan"] - 1
            print(f"  {layout:<6} {times[layout]:6.2f} s  ({extra:+.1%} against the GANterpretation alone)")
        memory = {
            name: run(render_command(weights, clip, work / f"m-{name}.mp4", "side", MEMORY_FPS))[1]
            for name, clip in (("10 s", short), ("60 s", long))
        }
        ratio = memory["60 s"] / memory["10 s"]
        print(f"peak memory of the process tree, side by side at {MEMORY_FPS} fps: 10 s {memory['10 s']:.0f} MiB, "
              f"60 s {memory['60 s']:.0f} MiB (×{ratio:.3f})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
