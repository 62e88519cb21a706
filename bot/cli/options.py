"""What a render needs from the command line: its options and its generator (media, submit and worker)."""

from __future__ import annotations

import argparse
import dataclasses
import secrets
import threading
from pathlib import Path

from bot.cli.wording import say
from bot.settings import Settings
from pipeline.analysis import InflectionKind
from pipeline.biggan.weights import NOISE_FOLDER, cached_folder, has_weights
from pipeline.errors import InvalidOption
from pipeline.media.audio import Channel
from pipeline.media.layout import Layout
from pipeline.music import Signal, Snap, Style
from pipeline.render import FrameGenerator, RenderOptions
from pipeline.words.heard import Listener
from pipeline.words.lookup import LookupOptions, resolve_words


def render_options(args: argparse.Namespace, settings: Settings) -> RenderOptions:
    """The render options the arguments ask for; words that are unknown or misspelt are refused here."""
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


def listener(options: RenderOptions, settings: Settings) -> Listener | None:
    """The speech recogniser, when the classes come from the words heard (--lyrics)."""
    from bot.listening import lyrics_listener

    return lyrics_listener(settings) if options.lyrics else None


def generator_for(
    args: argparse.Namespace, settings: Settings, model: str, *, allow_download: bool = True
) -> FrameGenerator:
    """BigGAN as the arguments and settings choose it: weights, device, precision, batch size."""
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
    return open_generator(chosen, on_noise=lambda folder: say(NOISE_NOTICE))


NOISE_NOTICE = "ganterp: these weights are random, not BigGAN's: the pictures are noise (`ganterp download-weights`)."


_NOISE_LOCK = threading.Lock()  # the background loader and the main thread may both ask for them


def _noise_weights(settings: Settings) -> Path:
    """The cache's folder of random weights (--noise-weights), made on first use."""
    folder = cached_folder(settings.cache_dir, NOISE_FOLDER)
    with _NOISE_LOCK:
        if not has_weights(folder):
            from pipeline.biggan.noise import write_noise_weights

            say(f"ganterp: making random weights once, in {folder} (a few seconds)…")
            write_noise_weights(folder)
    return folder
