"""From an analysis to what each video frame shows: classes and latents per inflection point,
(segment, alpha) per frame at the video's frame rate, and the music style's motion between the
cuts (a pulse on percussive onsets, a drift with the loudness). Pure numpy, seeded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from pipeline.analysis import Analysis
from pipeline.classes import N_CLASSES, class_name
from pipeline.errors import InvalidOption
from pipeline.music import MusicAnalysis, drift_phase, pulse_curve
from pipeline.words.lyrics import HeardClass

Z_DIM = 128
_LATENT_SD = 0.88  # standard deviation of a normal truncated to [-2, 2]
MAX_FPS = 60.0


@dataclass(frozen=True)
class Segment:
    """The stretch between two inflection points: the picture morphs from one class to the next."""

    index: int
    start_s: float
    end_s: float
    class_id: int
    next_class_id: int
    asked: bool = False  # the class was the requester's, not random fill
    heard: HeardClass | None = None  # the word heard in the segment that chose its class (--lyrics)

    @property
    def class_name(self) -> str:
        """Name of the class shown at the segment's start."""
        return class_name(self.class_id)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form, as written in the sidecar."""
        return {
            "index": self.index,
            "start": round(self.start_s, 3),
            "end": round(self.end_s, 3),
            "length": round(self.end_s - self.start_s, 3),
            "class_id": self.class_id,
            "class_name": self.class_name,
            "next_class_id": self.next_class_id,
            "next_class_name": class_name(self.next_class_id),
            "asked": self.asked,
            "heard_word": self.heard.word if self.heard else None,
            "heard_at": round(self.heard.start_s, 3) if self.heard else None,
        }


@dataclass(frozen=True)
class Motion:
    """The music that moves the latent between cuts, and how much it may."""

    music: MusicAnalysis
    pulse: float = 0.0  # 0..1: on a full kick the latent is this much longer (a truncation kick)
    drift: float = 0.0  # 0..1: radius of the drift, in latents (1: as far as to another point)


@dataclass(frozen=True)
class RenderPlan:
    """Everything needed to compute any frame's generator input, without holding all frames."""

    fps: float
    n_frames: int
    truncation: float
    seed: int
    class_ids: np.ndarray  # (p,) one class per inflection point
    latents: np.ndarray  # (p, 128) float32, one z per inflection point
    frame_segment: np.ndarray  # (n_frames,) int
    frame_alpha: np.ndarray  # (n_frames,) float64
    segments: tuple[Segment, ...]
    unused_classes: tuple[int, ...]  # user classes beyond the last inflection point
    n_asked: int = 0  # the first n_asked class ids are the requester's; the rest are random fill
    frame_scale: np.ndarray | None = None  # (n_frames,) ≥ 1: the pulse's lengthening of z
    frame_drift: np.ndarray | None = None  # (n_frames, 2) drift offsets along `drift_axes`
    drift_axes: np.ndarray | None = None  # (2, 128) float32, two orthogonal directions in z

    def frame_inputs(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Latents (b, 128) and class mixes (b, 1000), float32, for frames [start, stop)."""
        segment = self.frame_segment[start:stop]
        alpha = self.frame_alpha[start:stop, None]
        z = (1 - alpha) * self.latents[segment] + alpha * self.latents[segment + 1]
        if self.frame_drift is not None and self.drift_axes is not None:
            z = z + self.frame_drift[start:stop] @ self.drift_axes
        if self.frame_scale is not None:
            z = z * self.frame_scale[start:stop, None]
        y = np.zeros((len(segment), N_CLASSES))
        rows = np.arange(len(segment))
        np.add.at(y, (rows, self.class_ids[segment]), 1 - alpha[:, 0])
        np.add.at(y, (rows, self.class_ids[segment + 1]), alpha[:, 0])
        return z.astype(np.float32), y.astype(np.float32)


def check_plan_options(fps: float, truncation: float) -> None:
    """Raise InvalidOption for a frame rate or truncation out of range."""
    if not 1 <= fps <= MAX_FPS:
        raise InvalidOption("--fps", fps, f"between 1 and {MAX_FPS:g}")
    if not 0 < truncation <= 1:
        raise InvalidOption("--truncation", truncation, "in (0, 1]")


def build_plan(
    analysis: Analysis,
    *,
    fps: float,
    seed: int,
    classes: Sequence[int] = (),
    truncation: float = 0.2,
    fixed_noise: bool = False,
    pool: Sequence[int] | None = None,
    motion: Motion | None = None,
    heard: Sequence[HeardClass | None] = (),
) -> RenderPlan:
    """Pick classes and latents for each inflection point, sample the alphas and the motion at each frame.

    The user's classes come first; the rest are drawn from `pool` (default: all 1000 classes;
    pipeline.words.safety.random_pool gives the safe-for-random pool); `heard[i]`, where given, is the
    class of segment i from the words heard in it, over its random one (never over the user's)."""
    check_plan_options(fps, truncation)
    rng = np.random.default_rng(seed)
    n_points = len(analysis.inflection_points)
    class_ids = _choose_classes(classes, n_points, rng, pool)
    n_asked = min(len(classes), n_points)
    # The random draw stays the same with or without words heard, so the other segments keep their classes.
    heard = [h if index >= n_asked else None for index, h in enumerate(heard[: n_points - 1])]
    for index, chosen in enumerate(heard):
        if chosen is not None:
            class_ids[index] = chosen.class_id
    latents = _sample_latents(n_points, truncation, fixed_noise, rng)
    duration_s = analysis.n_samples / analysis.sample_rate
    n_frames = max(1, round(duration_s * fps))
    # Each frame shows the column at its own time, so a cut lands on the nearest frame.
    frame_time = np.arange(n_frames) / fps
    column = np.minimum(np.rint(frame_time * analysis.columns_per_second).astype(np.int64), analysis.n_columns - 1)
    return RenderPlan(
        fps=fps,
        n_frames=n_frames,
        truncation=truncation,
        seed=seed,
        class_ids=class_ids,
        latents=latents,
        frame_segment=analysis.segment_of_column[column],
        frame_alpha=analysis.alphas[column],
        segments=_segments(analysis, class_ids, duration_s, n_asked, heard),
        unused_classes=tuple(classes[n_points:]),
        n_asked=n_asked,
        **_motion(motion, frame_time, truncation, rng),
    )


def _motion(
    motion: Motion | None, frame_time: np.ndarray, truncation: float, rng: np.random.Generator
) -> dict[str, np.ndarray | None]:
    """The pulse and drift of every frame (drawn after the classes and latents, so those stay as they were)."""
    if motion is None or (motion.pulse == 0 and motion.drift == 0):
        return {}
    for name, value in (("--pulse", motion.pulse), ("--motion", motion.drift)):
        if not 0 <= value <= 1:
            raise InvalidOption(name, value, "between 0 and 1")
    music = motion.music
    scale = 1 + motion.pulse * pulse_curve(music.rhythm, frame_time)
    # Two orthogonal directions, each as long as a typical latent: a circle in the plane they span,
    # travelled as fast as the music is loud, starting (and so continuous at cut 0) at the centre.
    axes, _ = np.linalg.qr(rng.standard_normal((Z_DIM, 2)))
    axes = axes.T * np.sqrt(Z_DIM) * _LATENT_SD * truncation
    phase = drift_phase(music.loudness, music.frame_rate, frame_time)
    drift = motion.drift * np.stack([np.cos(phase) - 1, np.sin(phase)], axis=1)
    return {"frame_scale": scale, "frame_drift": drift, "drift_axes": axes.astype(np.float32)}


def _choose_classes(
    classes: Sequence[int], n_points: int, rng: np.random.Generator, pool: Sequence[int] | None = None
) -> np.ndarray:
    """The user's classes in order, the rest drawn from the seed (from `pool` when given)."""
    for class_id in [*classes, *(pool or ())]:
        if not 0 <= class_id < N_CLASSES:
            raise InvalidOption("class id", class_id, f"in 0..{N_CLASSES - 1}")
    if pool is not None and not pool:
        raise InvalidOption("random class pool", "empty", "at least one class")
    chosen = list(classes[:n_points])
    # Without a pool the draw is the one it always was, so old seeds still make the same video.
    drawn = rng.integers(0, N_CLASSES if pool is None else len(pool), size=n_points - len(chosen))
    if pool is not None:
        drawn = np.asarray(pool, dtype=np.int64)[drawn]
    return np.array(chosen + drawn.tolist(), dtype=np.int64)


def _sample_latents(n_points: int, truncation: float, fixed_noise: bool, rng: np.random.Generator) -> np.ndarray:
    """Truncated-normal z per inflection point (the paper), or one z for all (the released code)."""
    rows = 1 if fixed_noise else n_points
    z = truncated_normal(rng, (rows, Z_DIM)) * truncation
    return np.repeat(z, n_points // rows, axis=0).astype(np.float32)


def truncated_normal(rng: np.random.Generator, size: tuple[int, ...], bound: float = 2.0) -> np.ndarray:
    """Standard normal samples truncated to [-bound, bound]: scipy.stats.truncnorm.rvs's numbers, to the bit.

    The same inverse-CDF sampling from one uniform draw each, in the same log-space arithmetic,
    so seeds keep their videos; scipy.stats itself costs 0.4 s to import, a tenth of a short render.
    """
    uniform = rng.uniform(size=size)
    log_mass = special.log1p(-special.ndtr(-bound) - special.ndtr(-bound))  # log P(-bound < x < bound)
    log_cdf = special.logsumexp([np.full(size, special.log_ndtr(-bound)), np.log(uniform) + log_mass], axis=0)
    samples: np.ndarray = special.ndtri_exp(log_cdf)
    return samples


def _segments(
    analysis: Analysis, class_ids: np.ndarray, duration_s: float, n_asked: int, heard: Sequence[HeardClass | None]
) -> tuple[Segment, ...]:
    times = analysis.inflection_times
    ends = [*times[1:-1], duration_s]
    return tuple(
        Segment(
            index,
            float(times[index]),
            float(end),
            int(class_ids[index]),
            int(class_ids[index + 1]),
            index < n_asked,
            heard[index] if index < len(heard) else None,
        )
        for index, end in enumerate(ends)
    )
