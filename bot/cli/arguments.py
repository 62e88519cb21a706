"""The `ganterp` command's arguments: one parser, each sub-command mapped to the function that runs it.

A sub-command names its function as "module:function" (`bot.cli.main` imports it when run), so
`ganterp render` starts without the queue's, the scheduler's or the bots' libraries.
"""

from __future__ import annotations

import argparse
from typing import Any

from pipeline.analysis import DEFAULT_THRESHOLD, InflectionKind
from pipeline.biggan.weights import MODEL_CHOICES, PRECISIONS
from pipeline.media.audio import Channel
from pipeline.media.layout import Layout
from pipeline.music import Signal, Snap, Style
from pipeline.words.lookup import DEFAULT_MAX_WORDS


def build_parser() -> argparse.ArgumentParser:
    """The `ganterp` parser: each sub-command names the function that runs it, as "module:function"."""
    parser = argparse.ArgumentParser(prog="ganterp", description="GANterpretations: BigGAN music videos from audio.")
    parser.set_defaults(long_running=False)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    render_cmd = commands.add_parser("render", help="render a GANterpretation MP4 from any audio or video file")
    render_cmd.add_argument(
        "source",
        help="audio or video file (wav, mp3, ogg, flac, m4a, mp4, mov, webm, mkv…) or a link "
        "(YouTube, SoundCloud, Bandcamp, Vimeo, X, or a direct https link to a media file)",
    )
    render_cmd.add_argument("-o", "--output", help="MP4 to write (default: SOURCE.ganterp.mp4 here)")
    _analysis_arguments(render_cmd)
    render_cmd.add_argument("--size", type=int, help="output side in pixels, scaled up for posting (e.g. 512)")
    render_cmd.add_argument("--max-bytes", type=int, help="fit the file under this many bytes (Discord: 10485760)")
    _layout_argument(render_cmd)
    _generator_arguments(render_cmd)
    render_cmd.set_defaults(handler="bot.cli.media:cmd_render")

    preview_cmd = commands.add_parser("preview", help="a contact sheet of what the video will show (one frame per cut)")
    preview_cmd.add_argument("source", help="audio or video file, or a link")
    preview_cmd.add_argument("-o", "--output", help="PNG to write (default: SOURCE.preview.png here)")
    _analysis_arguments(preview_cmd)
    _generator_arguments(preview_cmd)
    preview_cmd.set_defaults(handler="bot.cli.media:cmd_preview")

    analyze_cmd = commands.add_parser("analyze", help="show where the cuts fall and which classes they get")
    analyze_cmd.add_argument("source", help="audio or video file, or a link")
    _analysis_arguments(analyze_cmd)
    analyze_cmd.add_argument("--plot", help="write a PNG: spectrogram, TV distances with the cuts, alphas")
    analyze_cmd.add_argument("--json", action="store_true", help="print the analysis as JSON")
    analyze_cmd.set_defaults(handler="bot.cli.media:cmd_analyze")

    download_cmd = commands.add_parser("download-weights", help="fetch and check BigGAN weights ahead of time")
    download_cmd.add_argument(
        "--model", choices=MODEL_CHOICES, help="which model (default: GANTERP_MODEL or auto: this machine's)"
    )
    download_cmd.add_argument("--all", action="store_true", help="all three models")
    download_cmd.add_argument("--weights", help="folder to download into (default: the cache)")
    download_cmd.add_argument("--again", action="store_true", help="download even where the files are present")
    download_cmd.set_defaults(handler="bot.cli.weights:cmd_download_weights")

    noise_cmd = commands.add_parser(
        "noise-weights", help="write small random weights in BigGAN's format, to try ganterp offline (noise pictures)"
    )
    noise_cmd.add_argument("folder", help="folder to write config.json and pytorch_model.bin into")
    noise_cmd.set_defaults(handler="bot.cli.weights:cmd_noise_weights")

    classes_cmd = commands.add_parser("classes", help="show which BigGAN classes words turn into")
    classes_cmd.add_argument("words", nargs="?", help='words, ids or class names, e.g. "dog, ocean, rocket ship, 207"')
    classes_cmd.add_argument("--json", action="store_true", help="print a JSON list, one object per word")
    classes_cmd.add_argument("--list", action="store_true", help="print all 1000 classes with their ids")
    classes_cmd.add_argument("--seed", type=int, default=0, help="seed choosing among kinds, e.g. dog breeds (0)")
    classes_cmd.add_argument("--max-words", type=int, default=DEFAULT_MAX_WORDS, help=argparse.SUPPRESS)
    classes_cmd.set_defaults(handler="bot.cli.classes:cmd_classes")

    _queue_commands(commands)

    schedule_cmd = commands.add_parser("schedule", help="the daily post: `schedule list`, `schedule run-now`")
    schedule_cmd.add_argument("action", choices=["list", "run-now"], nargs="?", default="list")
    schedule_cmd.add_argument("--again", action="store_true", help="run-now: post again although today's is done")
    schedule_cmd.set_defaults(handler="bot.cli.schedule:cmd_schedule")

    doctor_cmd = commands.add_parser(
        "doctor", help="check this machine: ffmpeg, torch, weights, data folder, database, Redis, tokens (exit 1: fix)"
    )
    doctor_cmd.set_defaults(handler="bot.cli.doctor:cmd_doctor")

    health_cmd = commands.add_parser(
        "health", help="exit 0 if the bot, dispatcher or worker here beat recently (GANTERP_HEARTBEAT_FILE)"
    )
    health_cmd.add_argument("--max-age", type=float, help="seconds a heartbeat stays fresh (default 90)")
    health_cmd.set_defaults(handler="bot.cli.health:cmd_health")

    bot_cmd = commands.add_parser("bot", help="run the Discord and/or X bots, the daily post and the render worker")
    bot_cmd.set_defaults(handler="bot.cli.bots:cmd_bot", long_running=True)
    return parser


def _queue_commands(commands: Any) -> None:
    """Register submit, worker, dispatch, workers, jobs and stats on the `ganterp` parser."""
    submit = commands.add_parser("submit", help="queue a render job and print its id")
    submit.set_defaults(handler="bot.cli.queue:cmd_submit")
    submit.add_argument("source", help="audio or video file")
    submit.add_argument("--requester", default="cli", help="who asks (for fairness and limits)")
    _analysis_arguments(submit)
    submit.add_argument("--size", type=int, help="output side in pixels")
    submit.add_argument("--max-bytes", type=int, help="fit the file under this many bytes")
    _layout_argument(submit)
    worker = commands.add_parser("worker", help="render queued jobs until stopped")
    worker.set_defaults(handler="bot.cli.queue:cmd_worker", long_running=True)
    _generator_arguments(worker)
    worker.add_argument("--once", action="store_true", help="stop when the queue is empty")
    worker.add_argument("--lease", type=float, help="seconds without heartbeat before a running job is requeued")
    worker.add_argument(
        "--queue",
        metavar="URL",
        help="take jobs from the job engine at this Redis URL (default: GANTERP_QUEUE_URL; none: the local job log)",
    )
    dispatch = commands.add_parser(
        "dispatch", help="feed remote workers from the job log through the engine (GANTERP_QUEUE_URL), no chat bot"
    )
    dispatch.set_defaults(handler="bot.cli.queue:cmd_dispatch", long_running=True)
    workers = commands.add_parser("workers", help="the render workers: where, how fast, alive; the engine's queue")
    workers.set_defaults(handler="bot.cli.queue:cmd_workers")
    workers.add_argument("--json", action="store_true")
    jobs = commands.add_parser("jobs", help="recent jobs; `jobs show ID`, `jobs cancel ID`")
    jobs.set_defaults(handler="bot.cli.queue:cmd_jobs")
    jobs.add_argument("action", nargs="?", choices=["list", "show", "cancel"], default="list")
    jobs.add_argument("job_id", nargs="?", type=_job_id)
    jobs.add_argument("--json", action="store_true")
    jobs.add_argument("--limit", type=_count, default=20)
    stats = commands.add_parser("stats", help="counts by status, mean wait and render time, per platform")
    stats.set_defaults(handler="bot.cli.queue:cmd_stats")
    stats.add_argument("--json", action="store_true")


_LARGEST_ID = 2**63 - 1  # SQLite's integers


def _job_id(text: str) -> int:
    """A job id as the job log can hold it (1 … 2^63−1)."""
    value = int(text) if text.strip().isdecimal() and text.isascii() else 0
    if not 1 <= value <= _LARGEST_ID:
        raise argparse.ArgumentTypeError(f"{text[:30]!r} is not a job id (a whole number from 1)")
    return value


def _count(text: str) -> int:
    """How many jobs to list (1 … 10,000)."""
    value = int(text) if text.strip().isdecimal() and text.isascii() else 0
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"{text[:30]!r} is not a count from 1 to 10000")
    return value


def _segments_arg(text: str) -> int | None:
    """`auto` (None: the style decides) or a whole number of segments."""
    if text.strip().lower() == "auto":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected auto or a whole number, got {text!r}") from None


def _layout_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--layout",
        choices=[layout.value for layout in Layout],
        default=Layout.AUTO.value,
        help="a clip that is a video: the GANterpretation beside it (side), above it (stack), as a corner inset "
        "over it (inset) or alone (gan); auto: stack for portrait videos, side for the rest, gan for audio (auto)",
    )


def _generator_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        choices=MODEL_CHOICES,
        help="BigGAN-deep size; auto: 512 on a GPU with memory for it, 128 on a CPU (default: GANTERP_MODEL or auto)",
    )
    weights = parser.add_mutually_exclusive_group()
    weights.add_argument("--weights", help="folder with config.json + pytorch_model.bin (overrides the cache)")
    weights.add_argument(
        "--noise-weights",
        action="store_true",
        help="random weights in BigGAN's format, made once in the cache: try ganterp without the real ones "
        "(the pictures are noise)",
    )
    parser.add_argument("--device", help="auto, cpu, cuda or cuda:N (default: GANTERP_DEVICE or auto)")
    parser.add_argument("--batch-size", type=int, help="frames per generator call (default 8 on CPU, up to 64 on GPU)")
    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        help="auto: bfloat16 on CPUs with native support, float16 on GPU, where pictures stay right; "
        "else float32 (default: GANTERP_PRECISION or auto)",
    )


def _analysis_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--classes", help='one class per cut, in order: words, class names or ids, e.g. "dog, ocean, 107"'
    )
    parser.add_argument("--seed", type=int, help="seed for random classes and latents (default: random, printed)")
    parser.add_argument("--fps", type=float, default=30.0, help="video frame rate (default 30)")
    parser.add_argument(
        "--style",
        choices=[s.value for s in Style],
        default=Style.MUSIC.value,
        help="music: cuts that suit and follow the music, pulse and drift (default); "
        "paper: the released code's analysis exactly",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        help=f"a fixed inflection threshold δ, lower gives more cuts (default: picked; paper {DEFAULT_THRESHOLD})",
    )
    parser.add_argument(
        "--segments",
        type=_segments_arg,
        default=None,
        metavar="auto|N",
        help="auto: as many segments as suit the music (default), or about N",
    )
    parser.add_argument("--segment-seconds", type=float, help="segments of about this many seconds, all through")
    parser.add_argument(
        "--signal",
        choices=[s.value for s in Signal],
        help="what the cuts follow: tv (the paper's), flux, onset, rms (default: music rms, paper tv)",
    )
    parser.add_argument(
        "--snap",
        choices=[s.value for s in Snap],
        help="choose cuts on phrase starts then bar lines, or move each cut to the nearest onset or beat "
        "(default: music phrases, paper none)",
    )
    parser.add_argument("--pulse", type=float, help="0..1: a kick on percussive onsets (default: music 0.3, paper 0)")
    parser.add_argument("--motion", type=float, help="0..1: drift with the loudness (default: music 0.3, paper 0)")
    parser.add_argument(
        "--kind",
        choices=[k.value for k in InflectionKind],
        default="min",
        help="which extrema are cuts (default min, as the released code)",
    )
    parser.add_argument("--truncation", type=float, default=0.2, help="BigGAN truncation in (0, 1] (default 0.2)")
    parser.add_argument("--start", type=float, default=0.0, help="start at this second")
    parser.add_argument("--duration", type=float, help="use this many seconds")
    parser.add_argument(
        "--channel",
        choices=[c.value for c in Channel],
        default="left",
        help="channel that drives the cuts (default left, as the released code)",
    )
    parser.add_argument("--fixed-noise", action="store_true", help="one z for the whole video (the released code)")
    parser.add_argument(
        "--safe-random",
        action="store_true",
        help="random classes from the safe set only (no weapons etc., as the bots do; default: all 1000)",
    )
    parser.add_argument(
        "--max-duration", type=float, help="refuse longer audio (default GANTERP_MAX_DURATION_S or 600)"
    )
    parser.add_argument(
        "--lyrics",
        action="store_true",
        help="classes from the words sung or spoken in the clip: each segment shows the thing named in it "
        "(speech model: GANTERP_LYRICS_MODEL); --classes still come first, the rest stay random",
    )
