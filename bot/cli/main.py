"""The `ganterp` command: render, analyze, download-weights, noise-weights, doctor, health, and the queue's submit,
worker, dispatch, workers, jobs, stats."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import gc
import json
import logging
import math
import os
import secrets
import signal
import sys
import tempfile
import threading
import traceback
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Generic, TextIO, TypeVar

from bot.cli.progress import ProgressLines
from bot.cli.wording import counted
from bot.logs import DEFAULT_LEVEL, LONG_RUNNING_LEVEL, LoggingState, configure_logging
from bot.settings import Settings, SettingsError
from pipeline.analysis import DEFAULT_THRESHOLD, InflectionKind
from pipeline.biggan.weights import (
    MODEL_CHOICES,
    MODELS,
    NOISE_FOLDER,
    PRECISIONS,
    cached_folder,
    download_weights,
    has_weights,
    is_noise_weights,
)
from pipeline.classes import all_classes
from pipeline.errors import InvalidOption, PipelineError, WeightsUnavailable
from pipeline.links import local_media
from pipeline.media.audio import Channel, check_exists
from pipeline.media.encode import check_output, check_writable
from pipeline.media.layout import Layout
from pipeline.music import Signal, Snap, Style
from pipeline.render import FrameGenerator, PreparedRender, Progress, RenderOptions, describe, prepare, render
from pipeline.words import configure as configure_words
from pipeline.words.heard import Listener
from pipeline.words.lookup import DEFAULT_MAX_WORDS, LookupOptions, Match, Method, lookup, resolve_words

log = logging.getLogger("ganterp")
T = TypeVar("T")

EXIT_INPUT = 1  # the request could not be done: bad input, missing weights…
EXIT_BUG = 3  # something went wrong that is not the user's doing
EXIT_INTERRUPTED = 130  # Ctrl-C
EXIT_TERMINATED = 143  # SIGTERM


class Terminated(BaseException):
    """SIGTERM arrived during a one-shot command: unwind like Ctrl-C, so partial files are removed."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `ganterp` console script."""
    logging_before = LoggingState.capture()
    try:
        return _main(argv)
    finally:
        if argv is None:  # the program itself (a test calling main() passes argv): the process exits next
            # Exit then skips a last scan of every object torch made: 0.2-0.3 s of a short render.
            gc.freeze()
        else:  # called in-process: its log handler, on a stderr that may be gone next, must not outlive the call
            logging_before.restore()


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    settings: Settings | None = None  # known once loaded: where a crash report goes
    try:
        with _terminate_as_exception():
            settings = Settings.load()
            _HIDDEN[:] = settings.secret_values()  # messages printed below never show them either
            configure_logging(settings, LONG_RUNNING_LEVEL if args.long_running else DEFAULT_LEVEL)
            configure_words(settings.words_model, settings.cache_dir, override=False)  # loaded on first use
            handler: Callable[[argparse.Namespace, Settings], int] = args.handler
            with _heartbeat(settings, args.long_running):
                return handler(args, settings)
    except KeyboardInterrupt:
        _say("ganterp: interrupted; nothing was written.")
        return EXIT_INTERRUPTED
    except Terminated:
        _say("ganterp: stopped; nothing was written.")
        return EXIT_TERMINATED
    except BrokenPipeError:
        # The reader went away (`ganterp classes --list | head`): what it took is all it wanted.
        _silence_stdout()
        return 0
    except Exception as exc:
        if _is_users_error(exc):
            _say(f"ganterp: {_sentence(str(exc))}")
            return EXIT_INPUT
        report = _save_traceback(settings)
        _say(f"ganterp: something went wrong (a bug, not your input); the details are in {report}.")
        return EXIT_BUG


# ----------------------------------------------------------------------------- commands


def _cmd_render(args: argparse.Namespace, settings: Settings) -> int:
    options = _options(args, settings)  # bad words fail before a link is downloaded
    if args.output:
        check_writable(Path(args.output), (".mp4",))  # before any download or decoding
    # A link is downloaded to a temporary file that lives until the video, which muxes its audio, is written.
    with local_media(args.source, max_duration_s=options.max_duration_s) as media:
        output = Path(args.output) if args.output else Path(f"{media.path.stem}.ganterp.mp4")
        prepared, generator, model = _prepared_with_generator(
            args, settings, options, media.path, check=lambda source: check_output(output, source)
        )
        progress = _ProgressBar(total=prepared.plan.n_frames, stream=sys.stderr)
        try:
            result = render(prepared, output, generator, progress=progress, model_name=model)
        finally:
            progress.close()
    _print_segments(prepared, sys.stdout, seed_drawn=args.seed is None)
    print(f"wrote {result.output} ({result.size_bytes / 2**20:.2f} MiB) and {result.sidecar}")
    return 0


def _cmd_preview(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.preview import contact_sheet

    options = _options(args, settings)
    if args.output:
        check_writable(Path(args.output), (".png",))
    with local_media(args.source, max_duration_s=options.max_duration_s) as media:
        output = Path(args.output) if args.output else Path(f"{media.path.stem}.preview.png")
        prepared, generator, _ = _prepared_with_generator(
            args, settings, options, media.path, check=lambda source: check_writable(output, (".png",))
        )
        partial = output.with_name(f".{output.name}.partial")
        try:
            partial.write_bytes(contact_sheet(prepared, generator))
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
    _print_segments(prepared, sys.stdout, seed_drawn=args.seed is None)
    print(f"wrote {output}")
    return 0


def _prepared_with_generator(
    args: argparse.Namespace, settings: Settings, options: RenderOptions, source: Path, check: Callable[[Path], None]
) -> tuple[PreparedRender, FrameGenerator, str]:
    """Decode and analyse `source` while BigGAN loads; `check` refuses the output before any of it."""
    check_exists(source, args.source)
    check(source)
    # torch is imported here, on the main thread, before any other thread runs: SciPy inspects
    # sys.modules["torch"] when it meets an array, and a half-imported torch makes it crash.
    from pipeline.biggan.device import pick_model

    model = (
        NOISE_FOLDER if args.noise_weights else pick_model(args.model or settings.model, args.device or settings.device)
    )
    if options.max_bytes is not None and options.size is None:
        # The byte budget is shared by the model's own pixels: 512 on a GPU is not 128.
        options = dataclasses.replace(options, size=int(model.rsplit("-", 1)[1]))
    # Loading BigGAN takes a moment: do it while the audio is decoded and analysed, but only
    # from weights already on disk, so no download starts for input that may yet be refused.
    with _InBackground(lambda: _generator_for(args, settings, model, allow_download=False)) as loading:
        prepared = prepare(source, options, name=args.source, listener=_listener(options, settings))
        generator = loading.result(unless=WeightsUnavailable) or _generator_for(args, settings, model)
    return prepared, generator, model


def _cmd_analyze(args: argparse.Namespace, settings: Settings) -> int:
    options = _options(args, settings)
    if args.plot:
        check_writable(Path(args.plot), (".png",))  # before the analysis, not after it
    with local_media(args.source, max_duration_s=options.max_duration_s) as media:
        prepared = prepare(media.path, options, name=args.source, listener=_listener(options, settings))
    if args.plot:
        from pipeline.plot import plot_analysis  # matplotlib is slow to import; only when asked

        plot_analysis(
            prepared.analysis, prepared.audio.samples, prepared.plan.class_ids, Path(args.plot),
            music=prepared.music, channel=prepared.options.channel.value,
        )  # fmt: skip
    if args.json:
        print(json.dumps(describe(prepared), indent=2))
    else:
        _print_segments(prepared, sys.stdout, seed_drawn=args.seed is None)
        if args.plot:
            print(f"wrote {args.plot}")
    return 0


def _cmd_download_weights(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.biggan.device import pick_model  # torch only when needed
    from pipeline.biggan.loading import load_biggan

    models = MODELS if args.all else (pick_model(args.model or settings.model, settings.device),)
    for model in models:
        folder = args.weights or cached_folder(settings.cache_dir, model)
        if args.again or not has_weights(Path(folder)):  # present ones are checked below, not fetched again
            print(f"{model}: downloading into {folder}", file=sys.stderr)
            download_weights(model, Path(folder), settings.weights_urls, _DownloadMeter(sys.stderr))
        loaded = load_biggan(Path(folder))
        params = sum(p.numel() for p in loaded.parameters())
        print(f"{model}: ok, {params / 1e6:.1f}M parameters, {loaded.config.output_dim}px, in {folder}")
    return 0


def _cmd_noise_weights(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.biggan.noise import write_noise_weights  # torch only when needed

    folder = Path(args.folder)
    if folder.exists() and not (folder.is_dir() and (is_noise_weights(folder) or not any(folder.iterdir()))):
        raise InvalidOption("folder", args.folder, "a new or empty folder (or one this command made before)")
    write_noise_weights(folder)
    print(f"wrote random weights in BigGAN-deep's format to {folder}: the pictures they make are noise.")
    print(f"  render with them: ganterp render CLIP --weights {folder}")
    print(f"  bots and workers: GANTERP_WEIGHTS_DIR={folder}")
    return 0


def _cmd_classes(args: argparse.Namespace, settings: Settings) -> int:
    if args.list:
        for cls in all_classes():
            print(f"{cls.id:>3}  {', '.join(cls.names)}")
        return 0
    # Read as the bots read words (typos fixed), and say where render and analyze, which refuse a
    # typo rather than guess silently, would need the fixed word.
    matches = lookup(args.words or "", seed=args.seed, options=LookupOptions(max_words=args.max_words))
    if args.json:
        records = [m.as_json() | {"render_refuses": _render_refuses(m)} for m in matches]
        print(json.dumps(records, indent=2, ensure_ascii=False))
    else:
        _print_matches(matches, sys.stdout)
        if any(len(m.choices) > 1 for m in matches):
            # render and analyze draw a seed of their own unless given one: say how to see these there
            # (on stderr: stdout stays the table, one line per word, for scripts).
            print(
                f"where a word has several kinds, seed {args.seed} picked one (--seed picks others); "
                f"render and analyze draw a random seed unless given --seed {args.seed}",
                file=sys.stderr,
            )
    # Unknown words are shown with the rest; the status tells scripts that some failed.
    return EXIT_INPUT if any(m.class_id is None for m in matches) else 0


# The queue, scheduler and bot commands import their modules (SQLAlchemy, APScheduler, discord.py)
# only when run, so `ganterp render` starts without them.


def _cmd_submit(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.queue import cmd_submit

    return cmd_submit(args, settings, _options)


def _cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.queue import cmd_worker

    return cmd_worker(args, settings, _generator_for)


def _cmd_dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.queue import cmd_dispatch

    return cmd_dispatch(args, settings)


def _cmd_workers(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.queue import cmd_workers

    return cmd_workers(args, settings)


def _cmd_jobs(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.queue import cmd_jobs

    return cmd_jobs(args, settings)


def _cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.queue import cmd_stats

    return cmd_stats(args, settings)


def _cmd_schedule(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.schedule import cmd_schedule  # discord.py and the schedulers only for this command

    return cmd_schedule(args, settings)


def _cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.doctor import run_checks

    return run_checks(settings, sys.stdout)


def _cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    from bot.jobs.heartbeat import MAX_AGE_S, heartbeat_age_s

    if settings.heartbeat_file is None:
        raise SettingsError(
            "GANTERP_HEARTBEAT_FILE is not set: `ganterp health` reads the file that `ganterp bot`, `dispatch` "
            "or `worker` touches while it runs (the image sets it)."
        )
    age = heartbeat_age_s(settings.heartbeat_file)
    limit = args.max_age if args.max_age is not None else MAX_AGE_S
    if age is None:
        _say("ganterp: unhealthy: no heartbeat yet (the process has not started, or has stopped).")
        return EXIT_INPUT
    if age > limit:
        _say(f"ganterp: unhealthy: the last heartbeat is {age:.0f} s old (more than {limit:g} s).")
        return EXIT_INPUT
    print(f"healthy: last heartbeat {age:.0f} s ago")
    return 0


def _cmd_bot(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runner import run_bot  # discord.py only for this command

    return run_bot(settings)


# ----------------------------------------------------------------------------- helpers


def _options(args: argparse.Namespace, settings: Settings) -> RenderOptions:
    batch_size = getattr(args, "batch_size", None)
    if batch_size is not None and batch_size < 1:
        raise InvalidOption("--batch-size", batch_size, "at least 1")
    # The words need the seed ("dog" → which breed), so an unset seed is drawn here, as prepare() would.
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    # A render does not show how words were read, so a typo is refused with its fix, not silently fixed.
    classes = resolve_words(args.classes, seed, LookupOptions(fix_spelling=False)) if args.classes else []
    return RenderOptions(
        classes=tuple(classes),
        seed=seed,
        fps=args.fps,
        size=getattr(args, "size", None),
        threshold=args.threshold,
        segments=args.segments,
        segment_seconds=args.segment_seconds,
        kind=InflectionKind(args.kind),
        truncation=args.truncation,
        start_s=args.start,
        duration_s=args.duration,
        channel=Channel(args.channel),
        fixed_noise=args.fixed_noise,
        safe_random=args.safe_random,
        layout=Layout(getattr(args, "layout", Layout.GAN.value)),
        max_bytes=getattr(args, "max_bytes", None),
        max_duration_s=args.max_duration if args.max_duration is not None else settings.max_duration_s,
        style=Style(args.style),
        signal=Signal(args.signal) if args.signal else None,
        snap=Snap(args.snap) if args.snap else None,
        pulse=args.pulse,
        motion=args.motion,
        lyrics=args.lyrics,
    )


def _listener(options: RenderOptions, settings: Settings) -> Listener | None:
    """The speech recogniser, when the classes come from the words heard (--lyrics)."""
    from bot.listening import lyrics_listener

    return lyrics_listener(settings) if options.lyrics else None


def _generator_for(
    args: argparse.Namespace, settings: Settings, model: str, *, allow_download: bool = True
) -> FrameGenerator:
    """The generator the settings with this command's options in ask for (`model` already picked)."""
    from pipeline.biggan.generator import open_generator  # torch only when a render needs it

    explicit = Path(args.weights) if args.weights else settings.weights_dir
    chosen = dataclasses.replace(
        settings,
        model=model,
        weights_dir=_noise_weights(settings) if args.noise_weights else explicit,
        allow_download=settings.allow_download and allow_download,
        device=args.device or settings.device,
        precision=getattr(args, "precision", None) or settings.precision,
        batch_size=args.batch_size or settings.batch_size,
    )
    return open_generator(chosen, on_noise=lambda folder: _say(_NOISE_NOTICE))


_NOISE_NOTICE = "ganterp: these weights are random, not BigGAN's: the pictures are noise (`ganterp download-weights`)."


def _threshold_words(threshold: float) -> str:
    """The threshold, or that the cuts were chosen among the music's phrases (no threshold)."""
    return "cuts on phrases" if math.isnan(threshold) else f"threshold {threshold:.4g}"


_NOISE_LOCK = threading.Lock()  # the background loader and the main thread may both ask for them


def _noise_weights(settings: Settings) -> Path:
    """The cache's folder of random weights (--noise-weights), made on first use."""
    folder = cached_folder(settings.cache_dir, NOISE_FOLDER)
    with _NOISE_LOCK:
        if not has_weights(folder):
            from pipeline.biggan.noise import write_noise_weights

            _say(f"ganterp: making random weights once, in {folder} (a few seconds)…")
            write_noise_weights(folder)
    return folder


def _print_segments(prepared: PreparedRender, out: TextIO, *, seed_drawn: bool) -> None:
    analysis, music = prepared.analysis, prepared.music
    tempo = f", {music.rhythm.tempo_bpm:.0f} bpm" if music and music.rhythm.tempo_bpm else ""
    print(
        f"{counted(len(prepared.plan.segments), 'segment')}, seed {prepared.seed}, "
        f"style {prepared.options.style.value}, "
        f"{_threshold_words(analysis.threshold)} ({analysis.kind.value}), {prepared.audio.duration_s:.2f} s{tempo}",
        file=out,
    )
    if seed_drawn:
        print(f"  the seed was drawn at random: add --seed {prepared.seed} to get these classes again", file=out)
    for note in prepared.notes:
        print(f"  note: {note}", file=out)
    for segment in prepared.plan.segments:
        heard = f'  (heard "{segment.heard.word}" at {segment.heard.start_s:.2f} s)' if segment.heard else ""
        print(
            f"  {segment.start_s:8.2f} s  {segment.class_id:>3} {segment.class_name}  → {segment.next_class_id}{heard}",
            file=out,
        )
    if prepared.plan.unused_classes:
        unused = ", ".join(map(str, prepared.plan.unused_classes))
        print(f"  not used (more classes than cuts): {unused}", file=out)


def _print_matches(matches: Sequence[Match], out: TextIO) -> None:
    width = max(terminal_width(m.short_query) for m in matches)
    for match in matches:
        chosen = f"{match.class_id:>3} {match.class_name}" if match.class_id is not None else "  ?"
        also = f"  (also {', '.join(map(str, match.alternatives))})" if match.alternatives else ""
        padding = " " * (width - terminal_width(match.short_query))
        explain = match.explain()
        if match.class_id is not None:  # why, and how sure: "exact", "WordNet", "curated", "meaning"…
            explain += f"; {match.reason}, {match.confidence:.0%} sure"
        if match.method is Method.SPELLING:
            explain += f"; render and analyze refuse the typo: write {match.via!r}"
        print(f"{match.short_query}{padding}  → {chosen}  [{explain}]{also}", file=out)


def _render_refuses(match: Match) -> bool:
    """Whether `render --classes` refuses the word: unknown, or a typo it will not fix silently."""
    return match.class_id is None or match.method is Method.SPELLING


def terminal_width(text: str) -> int:
    """Columns `text` takes in a terminal: emoji and East Asian wide letters take two, joiners and marks none."""
    columns, last = 0, 0
    for char in text:
        if char == "\ufe0f":  # emoji presentation: the narrow symbol before it (☀, ❤) is drawn wide
            columns, last = columns + last, 0
        elif unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue  # accents, other variation selectors, zero-width joiners
        else:
            last = 1 if unicodedata.east_asian_width(char) not in ("W", "F") else 0
            columns += 2 - last
    return columns


class _InBackground(Generic[T]):
    """Runs a function in a thread while the block runs; `result` waits and re-raises what it raised.

    Leaving the block, however it is left, waits for the function to end: a refused input must
    not exit while torch is still loading in a thread, or torch's C++ threads are torn down
    while running and the process aborts ("terminate called without an active exception").
    """

    def __init__(self, function: Callable[[], T]) -> None:
        self._function = function
        self._value: T | None = None
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="ganterp-load")

    def __enter__(self) -> _InBackground[T]:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._thread.join()

    def _run(self) -> None:
        try:
            self._value = self._function()
        except Exception as exc:  # handed to the caller by result()
            self._error = exc

    def result(self, unless: type[Exception]) -> T | None:
        """The function's value; None if it raised `unless`; any other error is raised here."""
        self._thread.join()
        if isinstance(self._error, unless):
            return None
        if self._error is not None:
            raise self._error
        return self._value


class _ProgressBar:
    """A tqdm bar of frames on a terminal; else (docker logs, a journal) a line per tenth with frames/s and ETA."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self._bar = None
        self._lines: ProgressLines | None = None
        if stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="frame", file=stream, dynamic_ncols=True, desc="render")
        else:
            self._lines = ProgressLines(stream)

    def __call__(self, event: Progress) -> None:
        if self._lines is not None:
            self._lines(event)
        if self._bar is None:
            return
        if event.stage == "render":
            self._bar.update(event.done - self._bar.n)
        elif event.stage == "encode":
            self._bar.set_description("encode")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class _DownloadMeter:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._last_mib = -1

    def __call__(self, name: str, done: int, total: int | None) -> None:
        mib = done >> 20
        if mib // 10 != self._last_mib // 10 or done == total:
            self._last_mib = mib
            size = f" of {total / 2**20:.0f}" if total else ""
            print(f"  {name}: {done / 2**20:.0f}{size} MiB", file=self._stream)


def _is_users_error(exc: Exception) -> bool:
    """A typed refusal (bad input, a limit, a setting) rather than a bug.

    Every such error carries a `user_message` (pipeline, queue, front ends); matching on that
    keeps this command from importing the queue and scheduler modules it may not need.
    """
    return isinstance(exc, PipelineError | SettingsError) or callable(getattr(exc, "user_message", None))


_HIDDEN: list[str] = []  # the secrets of the loaded settings


def _say(message: str) -> None:
    for secret in _HIDDEN:
        message = message.replace(secret, "***")
    print(message, file=sys.stderr)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


@contextlib.contextmanager
def _heartbeat(settings: Settings, long_running: bool) -> Iterator[None]:
    """While a long-running command runs, touch GANTERP_HEARTBEAT_FILE (when set) for `ganterp health`."""
    if not (long_running and settings.heartbeat_file):
        yield
        return
    from bot.jobs.heartbeat import Heartbeat

    beating = Heartbeat(settings.heartbeat_file).start()
    try:
        yield
    finally:
        beating.stop()


@contextlib.contextmanager
def _terminate_as_exception() -> Iterator[None]:
    """While a command runs, SIGTERM raises Terminated in the main thread (long-running commands set their own)."""

    def terminate(signum: int, frame: object) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, terminate)
    except ValueError:  # not the main thread (tests calling main() from a thread)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail on the closed pipe."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _save_traceback(settings: Settings | None) -> str:
    """Where the traceback was saved: the data folder's crash reports, under its retention."""
    if settings is not None:
        from bot.crashes import save_crash_log

        with contextlib.suppress(OSError):  # an unwritable data folder: the system's temporary folder
            return str(save_crash_log(settings.data_dir, dt.timedelta(hours=settings.retention_h)))
    with tempfile.NamedTemporaryFile("w", prefix="ganterp-crash-", suffix=".log", delete=False) as handle:
        traceback.print_exc(file=handle)
        return handle.name


# ----------------------------------------------------------------------------- arguments


def _parser() -> argparse.ArgumentParser:
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
    render_cmd.set_defaults(handler=_cmd_render)

    preview_cmd = commands.add_parser("preview", help="a contact sheet of what the video will show (one frame per cut)")
    preview_cmd.add_argument("source", help="audio or video file, or a link")
    preview_cmd.add_argument("-o", "--output", help="PNG to write (default: SOURCE.preview.png here)")
    _analysis_arguments(preview_cmd)
    _generator_arguments(preview_cmd)
    preview_cmd.set_defaults(handler=_cmd_preview)

    analyze_cmd = commands.add_parser("analyze", help="show where the cuts fall and which classes they get")
    analyze_cmd.add_argument("source", help="audio or video file, or a link")
    _analysis_arguments(analyze_cmd)
    analyze_cmd.add_argument("--plot", help="write a PNG: spectrogram, TV distances with the cuts, alphas")
    analyze_cmd.add_argument("--json", action="store_true", help="print the analysis as JSON")
    analyze_cmd.set_defaults(handler=_cmd_analyze)

    download_cmd = commands.add_parser("download-weights", help="fetch and check BigGAN weights ahead of time")
    download_cmd.add_argument(
        "--model", choices=MODEL_CHOICES, help="which model (default: GANTERP_MODEL or auto: this machine's)"
    )
    download_cmd.add_argument("--all", action="store_true", help="all three models")
    download_cmd.add_argument("--weights", help="folder to download into (default: the cache)")
    download_cmd.add_argument("--again", action="store_true", help="download even where the files are present")
    download_cmd.set_defaults(handler=_cmd_download_weights)

    noise_cmd = commands.add_parser(
        "noise-weights", help="write small random weights in BigGAN's format, to try ganterp offline (noise pictures)"
    )
    noise_cmd.add_argument("folder", help="folder to write config.json and pytorch_model.bin into")
    noise_cmd.set_defaults(handler=_cmd_noise_weights)

    classes_cmd = commands.add_parser("classes", help="show which BigGAN classes words turn into")
    classes_cmd.add_argument("words", nargs="?", help='words, ids or class names, e.g. "dog, ocean, rocket ship, 207"')
    classes_cmd.add_argument("--json", action="store_true", help="print a JSON list, one object per word")
    classes_cmd.add_argument("--list", action="store_true", help="print all 1000 classes with their ids")
    classes_cmd.add_argument("--seed", type=int, default=0, help="seed choosing among kinds, e.g. dog breeds (0)")
    classes_cmd.add_argument("--max-words", type=int, default=DEFAULT_MAX_WORDS, help=argparse.SUPPRESS)
    classes_cmd.set_defaults(handler=_cmd_classes)

    queue_parsers = _queue_commands(commands)
    queue_parsers["submit"].set_defaults(handler=_cmd_submit)
    queue_parsers["worker"].set_defaults(handler=_cmd_worker, long_running=True)
    queue_parsers["dispatch"].set_defaults(handler=_cmd_dispatch, long_running=True)
    queue_parsers["workers"].set_defaults(handler=_cmd_workers)
    queue_parsers["jobs"].set_defaults(handler=_cmd_jobs)
    queue_parsers["stats"].set_defaults(handler=_cmd_stats)

    schedule_cmd = commands.add_parser("schedule", help="the daily post: `schedule list`, `schedule run-now`")
    schedule_cmd.add_argument("action", choices=["list", "run-now"], nargs="?", default="list")
    schedule_cmd.add_argument("--again", action="store_true", help="run-now: post again although today's is done")
    schedule_cmd.set_defaults(handler=_cmd_schedule)

    doctor_cmd = commands.add_parser(
        "doctor", help="check this machine: ffmpeg, torch, weights, data folder, database, Redis, tokens (exit 1: fix)"
    )
    doctor_cmd.set_defaults(handler=_cmd_doctor)

    health_cmd = commands.add_parser(
        "health", help="exit 0 if the bot, dispatcher or worker here beat recently (GANTERP_HEARTBEAT_FILE)"
    )
    health_cmd.add_argument("--max-age", type=float, help="seconds a heartbeat stays fresh (default 90)")
    health_cmd.set_defaults(handler=_cmd_health)

    bot_cmd = commands.add_parser("bot", help="run the Discord and/or X bots, the daily post and the render worker")
    bot_cmd.set_defaults(handler=_cmd_bot, long_running=True)
    return parser


def _queue_commands(commands: Any) -> dict[str, argparse.ArgumentParser]:
    """Register submit, worker, dispatch, workers, jobs and stats on the `ganterp` parser."""
    submit = commands.add_parser("submit", help="queue a render job and print its id")
    submit.add_argument("source", help="audio or video file")
    submit.add_argument("--requester", default="cli", help="who asks (for fairness and limits)")
    _analysis_arguments(submit)
    submit.add_argument("--size", type=int, help="output side in pixels")
    submit.add_argument("--max-bytes", type=int, help="fit the file under this many bytes")
    _layout_argument(submit)
    worker = commands.add_parser("worker", help="render queued jobs until stopped")
    _generator_arguments(worker)
    worker.add_argument("--once", action="store_true", help="stop when the queue is empty")
    worker.add_argument("--lease", type=float, help="seconds without heartbeat before a running job is requeued")
    worker.add_argument(
        "--queue", metavar="URL",
        help="take jobs from the job engine at this Redis URL (default: GANTERP_QUEUE_URL; none: the local job log)",
    )  # fmt: skip
    dispatch = commands.add_parser(
        "dispatch", help="feed remote workers from the job log through the engine (GANTERP_QUEUE_URL), no chat bot"
    )
    workers = commands.add_parser("workers", help="the render workers: where, how fast, alive; the engine's queue")
    workers.add_argument("--json", action="store_true")
    jobs = commands.add_parser("jobs", help="recent jobs; `jobs show ID`, `jobs cancel ID`")
    jobs.add_argument("action", nargs="?", choices=["list", "show", "cancel"], default="list")
    jobs.add_argument("job_id", nargs="?", type=_job_id)
    jobs.add_argument("--json", action="store_true")
    jobs.add_argument("--limit", type=_count, default=20)
    stats = commands.add_parser("stats", help="counts by status, mean wait and render time, per platform")
    stats.add_argument("--json", action="store_true")
    return {"submit": submit, "worker": worker, "dispatch": dispatch, "workers": workers, "jobs": jobs, "stats": stats}


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
        "--layout", choices=[layout.value for layout in Layout], default=Layout.AUTO.value,
        help="a clip that is a video: the GANterpretation beside it (side), above it (stack), as a corner inset "
        "over it (inset) or alone (gan); auto: stack for portrait videos, side for the rest, gan for audio (auto)",
    )  # fmt: skip


def _generator_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", choices=MODEL_CHOICES,
        help="BigGAN-deep size; auto: 512 on a GPU with memory for it, 128 on a CPU (default: GANTERP_MODEL or auto)",
    )  # fmt: skip
    weights = parser.add_mutually_exclusive_group()
    weights.add_argument("--weights", help="folder with config.json + pytorch_model.bin (overrides the cache)")
    weights.add_argument(
        "--noise-weights", action="store_true",
        help="random weights in BigGAN's format, made once in the cache: try ganterp without the real ones "
        "(the pictures are noise)",
    )  # fmt: skip
    parser.add_argument("--device", help="auto, cpu, cuda or cuda:N (default: GANTERP_DEVICE or auto)")
    parser.add_argument("--batch-size", type=int, help="frames per generator call (default 8 on CPU, up to 64 on GPU)")
    parser.add_argument(
        "--precision", choices=PRECISIONS,
        help="auto: bfloat16 on CPUs with native support, float16 on GPU, where pictures stay right; "
        "else float32 (default: GANTERP_PRECISION or auto)",
    )  # fmt: skip


def _analysis_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--classes", help='one class per cut, in order: words, class names or ids, e.g. "dog, ocean, 107"'
    )
    parser.add_argument("--seed", type=int, help="seed for random classes and latents (default: random, printed)")
    parser.add_argument("--fps", type=float, default=30.0, help="video frame rate (default 30)")
    parser.add_argument(
        "--style", choices=[s.value for s in Style], default=Style.MUSIC.value,
        help="music: cuts that suit and follow the music, pulse and drift (default); "
        "paper: the released code's analysis exactly",
    )  # fmt: skip
    parser.add_argument(
        "--threshold", type=float,
        help=f"a fixed inflection threshold δ, lower gives more cuts (default: picked; paper {DEFAULT_THRESHOLD})",
    )  # fmt: skip
    parser.add_argument(
        "--segments", type=_segments_arg, default=None, metavar="auto|N",
        help="auto: as many segments as suit the music (default), or about N",
    )  # fmt: skip
    parser.add_argument("--segment-seconds", type=float, help="segments of about this many seconds, all through")
    parser.add_argument(
        "--signal", choices=[s.value for s in Signal],
        help="what the cuts follow: tv (the paper's), flux, onset, rms (default: music rms, paper tv)",
    )  # fmt: skip
    parser.add_argument(
        "--snap", choices=[s.value for s in Snap],
        help="move each cut to the nearest onset or beat, or choose cuts on phrase starts then bar lines "
        "(default: music onsets, paper none)",
    )  # fmt: skip
    parser.add_argument("--pulse", type=float, help="0..1: a kick on percussive onsets (default: music 0.3, paper 0)")
    parser.add_argument("--motion", type=float, help="0..1: drift with the loudness (default: music 0.3, paper 0)")
    parser.add_argument("--kind", choices=[k.value for k in InflectionKind], default="min",
                        help="which extrema are cuts (default min, as the released code)")  # fmt: skip
    parser.add_argument("--truncation", type=float, default=0.2, help="BigGAN truncation in (0, 1] (default 0.2)")
    parser.add_argument("--start", type=float, default=0.0, help="start at this second")
    parser.add_argument("--duration", type=float, help="use this many seconds")
    parser.add_argument("--channel", choices=[c.value for c in Channel], default="left",
                        help="channel that drives the cuts (default left, as the released code)")  # fmt: skip
    parser.add_argument("--fixed-noise", action="store_true", help="one z for the whole video (the released code)")
    parser.add_argument(
        "--safe-random", action="store_true",
        help="random classes from the safe set only (no weapons etc., as the bots do; default: all 1000)",
    )  # fmt: skip
    parser.add_argument(
        "--max-duration", type=float, help="refuse longer audio (default GANTERP_MAX_DURATION_S or 600)"
    )
    parser.add_argument(
        "--lyrics", action="store_true",
        help="classes from the words sung or spoken in the clip: each segment shows the thing named in it "
        "(speech model: GANTERP_LYRICS_MODEL); --classes still come first, the rest stay random",
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
