"""What a layout costs beside the render itself, and whether memory stays flat with the clip's length.

Run: `python -m bench.layout_cost` (about three minutes on two cores). A drawn performer video
(bench/performer_clips.py) is rendered by fresh `ganterp render` processes with a random
BigGAN-deep-128: the same 10 s clip with each layout (wall time, median of --runs), then a 10 s
and a 60 s clip side by side at a low frame rate (peak memory of the whole process tree: Python
and both ffmpeg processes). Ratios are measured in this one run.

`python -m bench.layout_cost --hostile` measures only the clips people send to hurt (a few minutes):
for each, the clip's picture decoded as the single filter graph did before (the whole picture, every
frame, through `trim`/`fps`) against what a render now does (the header's budget check and, within it,
the decoder of pipeline.media.picture over the trimmed window), printed as seconds and a ratio.
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
from pipeline.media.ffmpeg import base_command, describe, picture_input
from pipeline.media.layout import Layout, _is_still, geometry, picture_budget_note, probe_picture
from pipeline.media.picture import decoder_command

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


# (name, how ffmpeg makes its picture, seconds, the window a render takes: start, duration)
HOSTILE = (
    ("16x16 at 100,000 fps", "testsrc2=size=16x16:rate=100000", 3.0, (0.0, 3.0)),
    # Grain, as a camera's: a picture that costs its decoder what real footage does.
    ("3840x2160 at 60 fps, grainy", "testsrc2=size=3840x2160:rate=60,noise=alls=12:allf=t", 2.0, (0.0, 2.0)),
    ("1920x1080 at 60 fps, grainy", "testsrc2=size=1920x1080:rate=60,noise=alls=12:allf=t", 4.0, (0.0, 4.0)),
    ("1280x720 at 30 fps, 5 s of 60", "testsrc2=size=1280x720:rate=30", 60.0, (50.0, 5.0)),
)
HOSTILE_FPS, HOSTILE_SIDE = 24, 256


def lasting(source: str, seconds: float) -> str:
    """The lavfi graph `source` with its first filter (the source) lasting `seconds`."""
    first, _, rest = source.partition(",")
    return f"{first}:duration={seconds}" + (f",{rest}" if rest else "")


def hostile_clip(folder: Path, index: int, source: str, seconds: float) -> Path:
    """A clip whose picture is `source` (an ffmpeg lavfi graph) with `seconds` of sound."""
    path = folder / f"hostile-{index}.mp4"
    subprocess.run([*base_command(), "-y", "-f", "lavfi", "-i", lasting(source, seconds), "-f", "lavfi",
                    "-i", f"sine=duration={seconds}", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
                    str(path)], check=True)  # fmt: skip
    return path


def timed(command: list[str]) -> float:
    """Wall seconds of one command, its output thrown away."""
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def decode_before(clip: Path, start_s: float, duration_s: float, box: tuple[int, int]) -> float:
    """The single filter graph's cost before: the probe, then the picture decoded from 0, trimmed after."""
    started = time.perf_counter()
    describe(clip)
    _is_still(clip)  # the probe sampled every picture's frames
    probed = time.perf_counter() - started
    chain = f"trim=start={start_s}:duration={duration_s},setpts=PTS-STARTPTS,fps={HOSTILE_FPS},scale={box[0]}:{box[1]}"
    frames = str(round(duration_s * HOSTILE_FPS))  # the graph stopped with the window's last frame
    return probed + timed(
        [*base_command(), *picture_input(clip), "-map", "0:v:0", "-vf", chain, "-frames:v", frames, "-f", "null", "-"]
    )


def decode_after(clip: Path, start_s: float, duration_s: float) -> tuple[float, str]:
    """What a render now spends on the picture: the probe and budget, then (within it) the window's decoder."""
    started = time.perf_counter()
    picture = probe_picture(clip)
    if picture is None or picture_budget_note(picture) is not None:
        return time.perf_counter() - started, "gan, with a note"
    frame = geometry(Layout.SIDE, HOSTILE_SIDE, picture)
    command = decoder_command(clip, frame, HOSTILE_FPS, start_s, duration_s)
    return time.perf_counter() - started + timed(command), "side"


def hostile(work: Path) -> None:
    """Print the picture's decoding cost before and after for each hostile clip, as a ratio."""
    print(f"the clip's picture beside a {HOSTILE_SIDE} px GANterpretation at {HOSTILE_FPS} fps: before / after")
    for index, (name, source, seconds, (start_s, duration_s)) in enumerate(HOSTILE):
        clip = hostile_clip(work, index, source, seconds)
        picture = probe_picture(clip)
        box = geometry(Layout.SIDE, HOSTILE_SIDE, picture).source if picture else None
        before = decode_before(clip, start_s, duration_s, (box.width, box.height) if box else (256, 256))
        after, shown = decode_after(clip, start_s, duration_s)
        print(
            f"  {name:<32} {clip.stat().st_size / 2**20:6.1f} MiB  before {before:7.2f} s  after {after:6.2f} s "
            f"({shown})  ×{before / after:.1f} less"
        )


def main() -> int:
    """Print the cost of each layout and the memory of 10 s against 60 s clips (or the hostile clips' cost)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="renders per layout (the median is printed)")
    parser.add_argument("--hostile", action="store_true", help="only the hostile clips' decoding cost")
    args = parser.parse_args()
    if args.hostile:
        with tempfile.TemporaryDirectory(prefix="ganterp-hostile-") as folder:
            hostile(Path(folder))
        return 0
    with tempfile.TemporaryDirectory(prefix="ganterp-layout-") as folder:
        work = Path(folder)
        weights = work / "weights"
        make_weights(weights)
        short = make_clip(work / "short.mp4", 640, 360, seconds=10.0)
        long = make_clip(work / "long.mp4", 640, 360, seconds=60.0)
        print(f"10 s performer clip (640x360, 30 fps) at {FPS} fps, BigGAN-deep-128 at 256 px, {args.runs} runs")
        times: dict[str, float] = {}
        for layout in LAYOUTS:
            walls = [
                run(render_command(weights, short, work / f"{layout}.mp4", layout, FPS))[0] for _ in range(args.runs)
            ]
            times[layout] = statistics.median(walls)
            extra = times[layout] / times["gan"] - 1
            print(f"  {layout:<6} {times[layout]:6.2f} s  ({extra:+.1%} against the GANterpretation alone)")
        memory = {
            name: run(render_command(weights, clip, work / f"m-{name}.mp4", "side", MEMORY_FPS))[1]
            for name, clip in (("10 s", short), ("60 s", long))
        }
        ratio = memory["60 s"] / memory["10 s"]
        print(
            f"peak memory of the process tree, side by side at {MEMORY_FPS} fps: 10 s {memory['10 s']:.0f} MiB, "
            f"60 s {memory['60 s']:.0f} MiB (×{ratio:.3f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
