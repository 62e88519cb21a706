"""Typed errors of the pipeline: each carries its data and one sentence for the user."""

from __future__ import annotations


class PipelineError(Exception):
    """An expected failure caused by the input or the environment, not by a bug."""

    def user_message(self) -> str:
        """One clear sentence for the person who asked for the video."""
        return str(self)


class InvalidOption(PipelineError):
    """A render or analysis option is out of range."""

    def __init__(self, name: str, value: object, expected: str) -> None:
        self.name, self.value, self.expected = name, value, expected
        super().__init__(f"{name} must be {expected} (got {value!r}).")


class ContradictoryOptions(PipelineError):
    """Options that each pick the same thing (the cuts' threshold) were given together."""

    def __init__(self, *names: str) -> None:
        self.names = names
        super().__init__(f"{' and '.join(names)} each choose how many cuts there are; give only one of them.")


class MediaNotFound(PipelineError):
    """The input path does not exist."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"{path} does not exist.")


class NotMedia(PipelineError):
    """ffmpeg cannot read the input as audio or video."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"{path} is not an audio or video file that ffmpeg can read.")


class NoAudioStream(PipelineError):
    """The input is media, but has no audio track."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"{path} has no audio track.")


class CorruptMedia(PipelineError):
    """The input's audio is damaged or truncated."""

    def __init__(self, path: str, detail: str) -> None:
        self.path, self.detail = path, detail
        super().__init__(f"{path} is damaged or truncated ({detail}).")


class AudioTooShort(PipelineError):
    """The (trimmed) audio is shorter than the analysis needs."""

    def __init__(self, min_s: float, got_s: float) -> None:
        self.min_s, self.got_s = min_s, got_s
        super().__init__(f"the audio is {got_s:.2f} s long; it must be at least {min_s:g} s.")


class AudioTooLong(PipelineError):
    """The (trimmed) audio is longer than the configured maximum."""

    def __init__(self, max_s: float) -> None:
        self.max_s = max_s
        super().__init__(
            f"the audio is longer than the maximum of {max_s:g} s; trim it with --start/--duration or raise the limit."
        )


class UnknownClass(PipelineError):
    """A class given by the user is neither an id in 0..999 nor an exact class name."""

    def __init__(self, word: str, suggestions: tuple[str, ...] = ()) -> None:
        self.word, self.suggestions = word, suggestions
        hint = f" (did you mean: {', '.join(suggestions)}?)" if suggestions else ""
        super().__init__(f"{word!r} is not a BigGAN class id (0-999) or class name{hint}.")


class WeightsUnavailable(PipelineError):
    """No BigGAN weights were found locally and none could be downloaded."""

    def __init__(self, model: str, folder: str, reason: str) -> None:
        self.model, self.folder, self.reason = model, folder, reason
        super().__init__(
            f"no weights for {model} ({reason}): put config.json and pytorch_model.bin in "
            f"{folder}, e.g. by running `ganterp download-weights --model {model}` on a machine "
            "with internet access and copying that folder here."
        )


class WeightsInvalid(PipelineError):
    """A weights folder exists but does not hold a loadable BigGAN."""

    def __init__(self, folder: str, detail: str) -> None:
        self.folder, self.detail = folder, detail
        super().__init__(f"the weights in {folder} cannot be loaded: {detail}.")


class OutputNotWritable(PipelineError):
    """The output path cannot be written."""

    def __init__(self, path: str, detail: str) -> None:
        self.path, self.detail = path, detail
        super().__init__(f"cannot write {path}: {detail}.")


class CannotFitSize(PipelineError):
    """The video cannot be made small enough for the byte limit."""

    def __init__(self, max_bytes: int, duration_s: float) -> None:
        self.max_bytes, self.duration_s = max_bytes, duration_s
        super().__init__(
            f"a {duration_s:.0f} s video cannot fit in {max_bytes / 2**20:.1f} MiB; "
            "shorten the clip or raise the limit."
        )


class EncoderFailed(PipelineError):
    """ffmpeg failed while writing the video."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(f"the video encoder failed: {detail}.")


class RenderCancelled(PipelineError):
    """The caller asked the render to stop."""

    def __init__(self) -> None:
        super().__init__("the render was cancelled.")
