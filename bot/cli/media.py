"""The commands that read a clip: render (a video), preview (a contact sheet) and analyze (the cuts)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.cli.background import InBackground
from bot.cli.options import generator_for, listener, render_options
from bot.cli.progress import ProgressBar
from bot.cli.wording import counted
from bot.settings import Settings
from pipeline.biggan.weights import NOISE_FOLDER
from pipeline.errors import WeightsUnavailable
from pipeline.files import write_atomically
from pipeline.links import local_media
from pipeline.media.audio import check_exists
from pipeline.media.encode import check_output, check_writable
from pipeline.render import FrameGenerator, PreparedRender, RenderOptions, describe, prepare, render


def cmd_render(args: argparse.Namespace, settings: Settings) -> int:
    """`ganterp render`: the GANterpretation of a clip as an MP4, with its sidecar."""
    options = render_options(args, settings)  # bad words fail before a link is downloaded
    if args.output:
        check_writable(Path(args.output), (".mp4",))  # before any download or decoding
    # A link is downloaded to a temporary file that lives until the video, which muxes its audio, is written.
    with local_media(args.source, max_duration_s=options.max_duration_s) as media:
        output = Path(args.output) if args.output else Path(f"{media.path.stem}.ganterp.mp4")
        prepared, generator, model = _prepared_with_generator(
            args, settings, options, media.path, check=lambda source: check_output(output, source)
        )
        progress = ProgressBar(total=prepared.plan.n_frames, stream=sys.stderr)
        try:
            result = render(prepared, output, generator, progress=progress, model_name=model)
        finally:
            progress.close()
    print_segments(prepared, sys.stdout, seed_drawn=args.seed is None)
    print(f"wrote {result.output} ({result.size_bytes / 2**20:.2f} MiB) and {result.sidecar}")
    return 0


def cmd_preview(args: argparse.Namespace, settings: Settings) -> int:
    """`ganterp preview`: a PNG contact sheet, one frame per cut."""
    from pipeline.preview import contact_sheet

    options = render_options(args, settings)
    if args.output:
        check_writable(Path(args.output), (".png",))
    with local_media(args.source, max_duration_s=options.max_duration_s) as media:
        output = Path(args.output) if args.output else Path(f"{media.path.stem}.preview.png")
        prepared, generator, _ = _prepared_with_generator(
            args, settings, options, media.path, check=lambda source: check_writable(output, (".png",))
        )
        write_atomically(output, contact_sheet(prepared, generator))
    print_segments(prepared, sys.stdout, seed_drawn=args.seed is None)
    print(f"wrote {output}")
    return 0


def cmd_analyze(args: argparse.Namespace, settings: Settings) -> int:
    """`ganterp analyze`: where the cuts fall and which classes they get (a table, JSON or a plot)."""
    options = render_options(args, settings)
    if args.plot:
        check_writable(Path(args.plot), (".png",))  # before the analysis, not after it
    with local_media(args.source, max_duration_s=options.max_duration_s) as media:
        prepared = prepare(media.path, options, name=args.source, listener=listener(options, settings))
    if args.plot:
        from pipeline.plot import plot_analysis  # matplotlib is slow to import; only when asked

        plot_analysis(
            prepared.analysis,
            prepared.audio.samples,
            prepared.plan.class_ids,
            Path(args.plot),
            music=prepared.music,
            channel=prepared.options.channel.value,
        )
    if args.json:
        print(json.dumps(describe(prepared), indent=2))
    else:
        print_segments(prepared, sys.stdout, seed_drawn=args.seed is None)
        if args.plot:
            print(f"wrote {args.plot}")
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
    with InBackground(lambda: generator_for(args, settings, model, allow_download=False)) as loading:
        prepared = prepare(source, options, name=args.source, listener=listener(options, settings))
        generator = loading.result(unless=WeightsUnavailable) or generator_for(args, settings, model)
    return prepared, generator, model


def print_segments(prepared: PreparedRender, out: TextIO, *, seed_drawn: bool) -> None:
    """The plan as a person reads it: one line per segment, with the seed and how to repeat it."""
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


def _threshold_words(threshold: float) -> str:
    """The threshold, or that the cuts were chosen among the music's phrases (no threshold)."""
    return "cuts on phrases" if math.isnan(threshold) else f"threshold {threshold:.4g}"
