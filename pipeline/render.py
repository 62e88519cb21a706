"""One GANterpretation, as numbered steps: decode → analyse → plan → render + encode → sidecar.

`prepare` does everything that can reject the input (cheap, before any model is
loaded); `render` streams frames from a loaded generator into the encoder.
"""

from __future__ import annotations

import dataclasses
import json
import math
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from pipeline.analysis import Analysis, InflectionKind, analyse
from pipeline.classes import class_name
from pipeline.errors import ContradictoryOptions, InvalidOption, RenderCancelled
from pipeline.files import temporary_path
from pipeline.media.audio import Channel, DecodedAudio, decode_audio
from pipeline.media.encode import VideoSpec, VideoWriter, check_output, fit_to_limit, video_encoder
from pipeline.media.layout import Layout, Picture, geometry, picture_budget_note, probe_picture, resolve
from pipeline.music import (
    STYLES,
    MusicAnalysis,
    MusicSettings,
    Signal,
    Snap,
    Style,
    analyse_music,
    count_note,
    loudness_curve,
)
from pipeline.music import features as music_features
from pipeline.music import rhythm as music_rhythm
from pipeline.plan import Motion, RenderPlan, build_plan, check_plan_options
from pipeline.words.heard import Hearing, Listener
from pipeline.words.lyrics import HeardClass, cuts_on_words, heard_classes, per_segment
from pipeline.words.safety import random_pool

MAX_OUTPUT_SIZE = 2048
SMALLEST_MODEL_SIZE = 128
SIDECAR_VERSION = 1
MAX_SEGMENT_S = 3600.0  # an hour: longer than any clip allowed; inf or 1e308 would overflow the column counts


class FrameGenerator(Protocol):
    """What the renderer needs from a generator (pipeline.biggan.generator.BigGANGenerator is one)."""

    output_size: int  # the model's own picture side, in pixels
    batch_size: int
    device: str  # "cpu", "cuda:0"…: where frames come from (the encoder keeps up with a GPU's pace)
    precision: str  # float32, bfloat16 or float16 (recorded in the sidecar)

    def generate(self, z: np.ndarray, y: np.ndarray, truncation: float, size: int | None = None) -> np.ndarray:
        """Frames (b, size, size, 3) uint8 for latents (b, 128) and class mixes (b, 1000); size None: output_size."""
        ...


@dataclass(frozen=True)
class RenderOptions:
    """Everything a user can choose about one video; `None` leaves a choice to the style."""

    classes: tuple[int, ...] = ()
    seed: int | None = None
    fps: float = 30.0
    size: int | None = None  # output side in pixels; None keeps the model's
    threshold: float | None = None  # a fixed δ; None: the style's (music: from the music, paper: 0.035)
    segments: int | None = None  # pick the threshold that gives this many segments
    segment_seconds: float | None = None  # or segments of about this many seconds, over the whole clip
    kind: InflectionKind = InflectionKind.MIN
    truncation: float = 0.2
    start_s: float = 0.0
    duration_s: float | None = None
    channel: Channel = Channel.LEFT
    fixed_noise: bool = False
    max_bytes: int | None = None
    max_duration_s: float = 600.0
    # Random fill: leave out the unsafe-for-random classes (pipeline/words/safety.py), and these
    # (a server's blocked classes). The defaults keep all 1000, as the CLI does.
    safe_random: bool = False
    exclude_random: tuple[int, ...] = ()
    style: Style = Style.MUSIC
    signal: Signal | None = None  # the 1-D signal whose inflection points are cuts
    snap: Snap | None = None  # what cuts move to
    pulse: float | None = None  # 0..1: a kick of the latent on percussive onsets
    motion: float | None = None  # 0..1: the latent drifting with loudness between cuts
    layout: Layout = Layout.AUTO  # where the GANterpretation goes beside a clip's own video (pipeline/media/layout.py)
    max_frame_side: int | None = None  # the whole frame's longer side, at most (X takes 1280)
    lyrics: bool = False  # classes from the words heard in the clip (pipeline/words/lyrics.py)

    @classmethod
    def from_dict(cls, values: dict[str, Any], **overrides: Any) -> RenderOptions:
        """The inverse of as_dict (unknown keys are ignored, so old job records still load).

        A record without a style was made before styles existed, under the paper's analysis (its
        threshold is recorded as 0.035): it is read as the paper style, so it renders as it was
        promised; its threshold gave way to its segment count then, and does so here too.
        """
        known = {name: value for name, value in values.items() if name in cls.__dataclass_fields__}
        if "layout" not in known:  # recorded before layouts: the GANterpretation alone, as it was promised
            known["layout"] = Layout.GAN
        if "style" not in known:
            known["style"] = Style.PAPER
            if known.get("segments") is not None or known.get("segment_seconds") is not None:
                known["threshold"] = None
        known |= overrides
        enums: dict[str, type[StrEnum]] = {
            "kind": InflectionKind,
            "channel": Channel,
            "style": Style,
            "signal": Signal,
            "snap": Snap,
            "layout": Layout,
        }
        for name, enum in enums.items():
            if known.get(name) is not None:
                known[name] = enum(known[name])
        known["classes"] = tuple(known.get("classes", ()))
        known["exclude_random"] = tuple(known.get("exclude_random", ()))
        return cls(**known)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, as recorded in the sidecar."""
        values = asdict(self)
        for name in ("kind", "channel", "style", "signal", "snap", "layout"):
            value = getattr(self, name)
            values[name] = value.value if value is not None else None
        values["classes"] = list(self.classes)
        values["exclude_random"] = list(self.exclude_random)
        return values

    def music_settings(self) -> MusicSettings:
        """The analysis options with the style's defaults filled in."""
        defaults = STYLES[self.style]
        asked_count = self.segments is not None or self.segment_seconds is not None
        return MusicSettings(
            signal=self.signal or defaults.signal,
            kind=self.kind,
            snap=self.snap or defaults.snap,
            threshold=self.threshold if self.threshold is not None or asked_count else defaults.threshold,
            segments=self.segments,
            segment_seconds=self.segment_seconds,
            paper_filter=self.style is Style.PAPER,
        )

    @property
    def pulse_strength(self) -> float:
        """The pulse with the style's default filled in."""
        return self.pulse if self.pulse is not None else STYLES[self.style].pulse

    @property
    def motion_strength(self) -> float:
        """The motion with the style's default filled in."""
        return self.motion if self.motion is not None else STYLES[self.style].motion


@dataclass(frozen=True)
class Progress:
    """One progress report: a stage and how far it is."""

    stage: str  # decode, analyse, render, encode, done
    done: int
    total: int
    elapsed_s: float

    @property
    def fraction(self) -> float:
        """Share of the stage done, 0..1."""
        return self.done / self.total if self.total else 1.0

    @property
    def eta_s(self) -> float | None:
        """Seconds left in the stage at the rate so far, if known."""
        if self.done <= 0 or self.total <= self.done:
            return None if self.done <= 0 else 0.0
        return self.elapsed_s / self.done * (self.total - self.done)


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class PreparedRender:
    """A checked request: decoded audio, its analysis and the plan of every frame."""

    source: Path
    options: RenderOptions
    seed: int
    audio: DecodedAudio
    analysis: Analysis
    plan: RenderPlan
    size: int | None = None  # output side: the asked one, or smaller to fit a byte limit; None = the model's
    name: str = ""  # the clip as its sender named it (messages and the sidecar never show a stored copy's path)
    music: MusicAnalysis | None = None  # onsets, beats, tempo and how the cuts were chosen
    notes: tuple[str, ...] = ()  # what could not be done as asked, one sentence each
    picture: Picture | None = None  # the clip's own moving picture, when it has one and a layout shows it
    layout: Layout = Layout.GAN  # the layout the video gets (auto resolved by the clip's picture)
    hearing: Hearing | None = None  # the words heard (--lyrics), None when nobody listened


@dataclass(frozen=True)
class RenderResult:
    """A finished video and what it shows."""

    output: Path
    sidecar: Path
    size_bytes: int
    frames_sha256: str
    prepared: PreparedRender
    timings: dict[str, float] = field(default_factory=dict)


def check_options(options: RenderOptions) -> None:
    """Raise InvalidOption for any option out of range, before any work."""
    check_plan_options(options.fps, options.truncation)
    if options.size is not None and not (16 <= options.size <= MAX_OUTPUT_SIZE and options.size % 2 == 0):
        raise InvalidOption("--size", options.size, f"an even number of pixels from 16 to {MAX_OUTPUT_SIZE}")
    if options.threshold is not None and not 0 <= options.threshold <= 1:
        raise InvalidOption("--threshold", options.threshold, "between 0 and 1")
    if options.segments is not None and options.segments < 1:
        raise InvalidOption("--segments", options.segments, "at least 1")
    if options.segment_seconds is not None and not 1 <= options.segment_seconds <= MAX_SEGMENT_S:
        raise InvalidOption("--segment-seconds", options.segment_seconds, "from 1 to 3600 seconds")
    asked = [
        name
        for name, value in (
            ("--threshold", options.threshold),
            ("--segments", options.segments),
            ("--segment-seconds", options.segment_seconds),
        )
        if value is not None
    ]
    if len(asked) > 1:
        raise ContradictoryOptions(*asked)
    for name, value in (("--pulse", options.pulse), ("--motion", options.motion)):
        if value is not None and not 0 <= value <= 1:
            raise InvalidOption(name, value, "between 0 and 1")
    if options.max_bytes is not None and options.max_bytes < 100_000:
        raise InvalidOption("--max-bytes", options.max_bytes, "at least 100000")
    if options.seed is not None and not 0 <= options.seed < 2**63:
        raise InvalidOption("--seed", options.seed, "a whole number from 0 to 2^63 - 1")


def prepare(
    source: Path,
    options: RenderOptions,
    progress: ProgressCallback | None = None,
    *,
    name: str | None = None,
    listener: Listener | None = None,
) -> PreparedRender:
    """Steps 1-7: check options, decode and analyse the audio, lay out, listen, fit, plan every frame.

    `name` is how errors and the sidecar call the clip (what its sender called it); errors say
    "the clip" and the sidecar the file's name when it is None. With `options.lyrics`, `listener`
    hears the clip's words and they choose classes; without a listener (a bot checking a request
    before queueing it) the plan keeps random classes until the job runs with one.
    """
    report = _Reporter(progress)
    # 1. Check the options before touching the file.
    check_options(options)
    seed = options.seed if options.seed is not None else secrets.randbelow(2**31)
    # 2. Decode one channel at the analysis rate, trimmed; meanwhile ffmpeg looks at the clip's own
    #    picture (a video of someone playing keeps it, beside the GANterpretation).
    report("decode", 0, 1)
    with ThreadPoolExecutor(1, thread_name_prefix="ganterp-picture") as beside:
        looking = beside.submit(_picture, source, options)
        audio = decode_audio(
            source,
            start_s=options.start_s,
            duration_s=options.duration_s,
            channel=options.channel,
            max_duration_s=options.max_duration_s,
            name=name,
        )
        # 3. Analyse: spectrogram → TV → smoothing → inflection points → alphas (the paper's, or the
        #    music style's: another signal, the threshold picked from the music, cuts snapped to onsets).
        report("analyse", 0, 1)
        analysis, music, notes = _analyse(audio, options)
        notes = audio.notes + notes
        # 4. The layout, by the clip's picture.
        picture, layout = looking.result()
    if picture is not None and (too_costly := picture_budget_note(picture)) is not None:
        # Beyond the budget the picture would hold the worker longer than the render: shown alone instead.
        picture, layout, notes = None, Layout.GAN, (*notes, too_costly)
    elif layout is Layout.GAN and options.layout not in (Layout.AUTO, Layout.GAN):
        notes += (
            f"the clip has no moving picture, so the {options.layout.value} layout shows the GANterpretation alone.",
        )
    # 5. Listen: the words heard, the best one to show in each segment, and a cut moved onto its word
    #    where the two are close (--lyrics).
    hearing, heard, heard_notes = _listen(audio, analysis, options, seed, listener, report)
    analysis = cuts_on_words(analysis, heard)
    notes += heard_notes
    # 6. Fit a byte limit: the bitrate first, then a smaller picture or fewer frames if need be.
    size, fps = _fit(options, audio.duration_s, picture)
    # 7. Plan: classes and latents per inflection point, (segment, alpha) per frame.
    plan = build_plan(
        analysis,
        fps=fps,
        seed=seed,
        classes=options.classes,
        truncation=options.truncation,
        fixed_noise=options.fixed_noise,
        pool=_random_pool(options),
        motion=_motion(music, options),
        heard=heard,
    )
    return PreparedRender(
        source, options, seed, audio, analysis, plan, size, name or source.name, music, notes, picture, layout, hearing
    )


def _listen(
    audio: DecodedAudio,
    analysis: Analysis,
    options: RenderOptions,
    seed: int,
    listener: Listener | None,
    report: _Reporter,
) -> tuple[Hearing | None, list[HeardClass | None], tuple[str, ...]]:
    """What was heard, the word chosen for each segment (None: random), and a note when nothing could be used."""
    if not options.lyrics or listener is None:
        return None, [], ()
    report("listen", 0, 1)
    hearing = listener.hear(audio.samples, audio.sample_rate)
    report("listen", 1, 1)
    found = heard_classes(hearing.words, seed, blocked=frozenset(options.exclude_random), safe_only=options.safe_random)
    times = analysis.inflection_times
    cuts = [*times[:-1].tolist(), audio.duration_s]
    heard = per_segment(found, cuts, first=len(options.classes))
    if not hearing.words:
        return hearing, heard, ("no words were heard in the clip, so its classes are random",)
    if not any(heard):
        return (
            hearing,
            heard,
            (f"{len(hearing.words)} words were heard, but none names a thing to show, so the classes are random",),
        )
    return hearing, heard, ()


def _picture(source: Path, options: RenderOptions) -> tuple[Picture | None, Layout]:
    """The clip's moving picture (None without one, or when the GANterpretation is asked for alone), and the layout."""
    picture = None if options.layout is Layout.GAN else probe_picture(source)
    return picture, resolve(options.layout, picture)


def _random_pool(options: RenderOptions) -> tuple[int, ...] | None:
    """The classes random fill draws from; None keeps the plain draw over all 1000 (old seeds, same videos)."""
    if not options.safe_random and not options.exclude_random:
        return None
    return random_pool(safe=options.safe_random, exclude=options.exclude_random)


LONG_SINGLE_SEGMENT_S = 20.0  # one segment over a clip this long is worth a note in the paper style


def _analyse(audio: DecodedAudio, options: RenderOptions) -> tuple[Analysis, MusicAnalysis, tuple[str, ...]]:
    """The paper's analysis where the options are the paper's, else the music style's; rhythm either way."""
    settings = options.music_settings()
    paper_exact = settings.signal is Signal.TV and settings.snap is Snap.NONE and settings.segment_seconds is None
    if not (options.style is Style.PAPER and paper_exact):
        analysis, music = analyse_music(audio.samples, audio.sample_rate, settings)
        chosen = settings.threshold is None and settings.segments is None and settings.segment_seconds is None
        if chosen and len(options.classes) > len(analysis.inflection_points):
            # The music asked for fewer cuts than the requester named classes: every named class is
            # shown, so ask for as many segments as it takes (the notes say if the clip cannot).
            wanted = dataclasses.replace(settings, segments=len(options.classes) - 1)
            analysis, music = analyse_music(audio.samples, audio.sample_rate, wanted)
        return analysis, music, music.notes
    analysis = analyse(
        audio.samples, audio.sample_rate, threshold=settings.threshold, segments=settings.segments, kind=options.kind
    )
    # The rhythm is reported (analyze --json, the plot) but changes nothing in the paper style,
    # unless --pulse or --motion ask for it.
    feats = music_features(audio.samples, audio.sample_rate)
    music = MusicAnalysis(
        music_rhythm(feats),
        settings.signal,
        settings.snap,
        None,
        analysis.inflection_points,
        loudness=loudness_curve(feats),
        frame_rate=feats.frame_rate,
    )
    got = len(analysis.inflection_points) - 1
    notes: tuple[str, ...] = ()
    if settings.segments not in (None, got):
        notes = (count_note(settings.segments or 0, got, audio.duration_s),)
    if settings.segments is None and got == 1 and audio.duration_s >= LONG_SINGLE_SEGMENT_S:
        # Exact, as the released code would do; but one morph for a whole song should not pass in silence.
        notes += (
            f"the paper's fixed threshold {analysis.threshold:g} found no cut in {audio.duration_s:.0f} s of this "
            "clip, so it is one slow morph; --style music (the default) picks cuts that suit the music",
        )
    return analysis, music, notes


def _motion(music: MusicAnalysis, options: RenderOptions) -> Motion | None:
    if options.pulse_strength == 0 and options.motion_strength == 0:
        return None
    return Motion(music, pulse=options.pulse_strength, drift=options.motion_strength)


def _fit(options: RenderOptions, duration_s: float, picture: Picture | None) -> tuple[int | None, float]:
    """The GANterpretation's side and the frame rate: as asked, or smaller where the byte limit needs it."""
    if options.max_bytes is None:
        return options.size, options.fps
    # The model's own size is not known before it loads; the smallest BigGAN's stands in for it.
    asked = options.size or SMALLEST_MODEL_SIZE
    # A layout's frame holds more pixels than the GANterpretation: the budget is shared by all of them.
    frame = geometry(options.layout, asked, picture, options.max_frame_side)
    size, fps = fit_to_limit(options.max_bytes, duration_s, asked, options.fps, frame.width * frame.height / asked**2)
    return (size if size != asked or options.size else None), fps


def render(
    prepared: PreparedRender,
    output: Path,
    generator: FrameGenerator,
    *,
    progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
    model_name: str = "",
) -> RenderResult:
    """Steps 8-9: stream frames through the generator into the encoder, then write the sidecar."""
    check_output(output, prepared.source)
    report = _Reporter(progress)
    plan, options = prepared.plan, prepared.options
    # The GANterpretation's side, and the whole frame around it when the clip's own video shares it.
    frame = geometry(prepared.layout, prepared.size or generator.output_size, prepared.picture, options.max_frame_side)
    codec, preset = video_encoder(generator.device, max(frame.width, frame.height))
    spec = VideoSpec(
        output_size=frame.gan.width,  # the generator scales its frames to this (on the GPU if any)
        fps=options.fps,
        audio_source=prepared.source,
        audio_start_s=options.start_s,
        duration_s=prepared.audio.duration_s,
        max_bytes=options.max_bytes,
        preset=preset,
        codec=codec,
        layout=frame if frame.source is not None else None,
    )
    # 8. Render in batches; each batch goes to the encoder (which hashes it) while the next one is computed.
    started = time.perf_counter()
    report("render", 0, plan.n_frames)
    with VideoWriter(output, spec) as writer:
        for first in range(0, plan.n_frames, generator.batch_size):
            if should_stop is not None and should_stop():
                raise RenderCancelled()
            stop = min(first + generator.batch_size, plan.n_frames)
            frames = generator.generate(*plan.frame_inputs(first, stop), plan.truncation, spec.output_size)
            writer.write(frames)
            report("render", stop, plan.n_frames)
        rendered = time.perf_counter()
        report("encode", 0, 1)
        size = writer.finish()
    finished = time.perf_counter()
    # 9. Record what the video shows, next to it.
    timings = {"render_s": rendered - started, "encode_tail_s": finished - rendered}
    sidecar = sidecar_path(output)
    result = RenderResult(output, sidecar, size, writer.frames_sha256, prepared, timings)
    fields = _result_fields(result, spec, model_name) | {"precision": generator.precision, "device": generator.device}
    _write_json(sidecar, describe(prepared) | fields)
    report("done", 1, 1)
    return result


def sidecar_path(output: Path) -> Path:
    """Where a video's JSON description lives."""
    return output.with_suffix(".json")


def read_sidecar(output: Path) -> dict[str, Any]:
    """A rendered video's description (seed, classes, segments…); empty if it is gone or unreadable."""
    try:
        described = json.loads(sidecar_path(output).read_text())
    except (OSError, ValueError):
        return {}
    return described if isinstance(described, dict) else {}


def describe(prepared: PreparedRender) -> dict[str, Any]:
    """What the analysis found and the plan shows: the `analyze --json` object and the sidecar's core."""
    analysis, plan = prepared.analysis, prepared.plan
    core = {
        "version": SIDECAR_VERSION,
        "source": prepared.name,
        "seed": prepared.seed,
        "options": prepared.options.as_dict(),
        "sample_rate": analysis.sample_rate,
        "duration_s": round(prepared.audio.duration_s, 6),
        "threshold": None if math.isnan(analysis.threshold) else analysis.threshold,  # NaN: cuts on phrases
        "kind": analysis.kind.value,
        "inflection_points": analysis.inflection_points.tolist(),
        "inflection_times": [round(t, 4) for t in analysis.inflection_times.tolist()],
        "classes": [
            {"class_id": int(c), "class_name": class_name(int(c)), "asked": i < plan.n_asked} | _heard_field(plan, i)
            for i, c in enumerate(plan.class_ids)
        ],
        "unused_classes": list(plan.unused_classes),
        "segments": [segment.as_dict() for segment in plan.segments],
        "fps": plan.fps,
        "n_frames": plan.n_frames,
        "layout": prepared.layout.value,
        "picture": None
        if prepared.picture is None
        else {"width": prepared.picture.width, "height": prepared.picture.height},
    }
    return core | _music_fields(prepared) | _lyrics_fields(prepared)


def _heard_field(plan: RenderPlan, point: int) -> dict[str, Any]:
    """The word heard that chose the class at a cut, with its time, where one did."""
    heard = plan.segments[point].heard if point < len(plan.segments) else None
    return {} if heard is None else {"heard_word": heard.word, "heard_at": round(heard.start_s, 3)}


def _lyrics_fields(prepared: PreparedRender) -> dict[str, Any]:
    """The words heard (--lyrics): the model, every word kept with its time, and how long listening took."""
    hearing = prepared.hearing
    if hearing is None:
        return {}
    return {
        "lyrics": {
            "model": hearing.model,
            "language": hearing.language,
            "seconds": round(hearing.seconds, 3),
            "dropped": hearing.dropped,
            "words": [word.as_dict() for word in hearing.words],
        }
    }


def _music_fields(prepared: PreparedRender) -> dict[str, Any]:
    """What the music style used and found: style, signal, snapping, motion, onsets, beats, tempo."""
    options, music = prepared.options, prepared.music
    fields: dict[str, Any] = {
        "style": options.style.value,
        "signal": options.music_settings().signal.value,
        "snap": options.music_settings().snap.value,
        "pulse": options.pulse_strength,
        "motion": options.motion_strength,
        "notes": list(prepared.notes),
    }
    if music is not None:
        fields |= {
            "target_segment_s": None if music.target_s is None else round(music.target_s, 3),
            "tempo": None if music.rhythm.tempo_bpm is None else round(music.rhythm.tempo_bpm, 2),
            "onsets": [round(t, 4) for t in music.rhythm.onsets.tolist()],
            "beats": [round(t, 4) for t in music.rhythm.beats.tolist()],
        }
    return fields


def _result_fields(result: RenderResult, spec: VideoSpec, model_name: str) -> dict[str, Any]:
    return {
        "output": result.output.name,
        "model": model_name,
        "width": spec.layout.width if spec.layout else spec.output_size,
        "height": spec.layout.height if spec.layout else spec.output_size,
        "size_bytes": result.size_bytes,
        "frames_sha256": result.frames_sha256,
    }


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    partial = temporary_path(path)
    partial.write_text(json.dumps(payload, indent=2) + "\n")
    partial.replace(path)


class _Reporter:
    """Turns (stage, done, total) into Progress events with the time spent in the stage."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self._callback = callback
        self._stage = ""
        self._stage_started = time.perf_counter()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._callback is None:
            return
        if stage != self._stage:
            self._stage, self._stage_started = stage, time.perf_counter()
        self._callback(Progress(stage, done, total, time.perf_counter() - self._stage_started))
