"""Typed errors of the pipeline: each carries its data and one sentence for the user."""

from __future__ import annotations

from typing import Any


def shown(text: str, limit: int = 80) -> str:
    """`text` as it may appear in a message: printable, and cut to `limit` characters."""
    printable = "".join(c if c.isprintable() else "?" for c in text)
    return printable if len(printable) <= limit else printable[: limit - 1] + "…"


def quoted(name: str, limit: int = 60) -> str:
    """A file name as a message shows it: in quotes (so a sentence never capitalises it), its end kept if long."""
    printable = shown(name, len(name) + 1)
    return f'"{printable if len(printable) <= limit else "…" + printable[-(limit - 1) :]}"'


def sentence(text: str, *, capital: bool = True, full_stop: bool = True) -> str:
    """`text` as a sentence: its first letter upper-cased and a full stop at its end (unless it has one).

    `capital=False` keeps the first letter (a message after a prefix such as "ganterp: "); `full_stop=False`
    for a sentence that goes on ("…; retrying"). Only the first letter changes: str.capitalize would
    lower-case the setting names in it.
    """
    text = text.strip()
    if capital:
        text = text[:1].upper() + text[1:]
    if full_stop and text and not text.endswith((".", "?", "!")):
        text += "."
    return text


def called(name: str | None) -> str:
    """How a message names a clip: its sender's name for it in quotes, else "the clip"."""
    return quoted(name) if name else "the clip"


class UserError(Exception):
    """The one base of every expected failure a person is told about, in every room and front end.

    It is caused by the input or the environment, not by a bug, and carries one sentence for the
    person who asked. Each front end catches it in one place (the CLI's main, Discord's tree error
    handler, X's composer). `machine_fault` marks failures of this machine (weights, disk, encoder)
    rather than of the request: a bot tells the requester only that the renderer failed.
    """

    machine_fault = False

    def user_message(self) -> str:
        """One clear sentence for the person who asked for the video."""
        return str(self)

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take their data as constructor arguments, which pickle's default (calling the
        # class with the message) cannot replay; rebuilding from the message and the data can.
        return (_rebuild, (type(self), self.args, self.__dict__))


class PipelineError(UserError):
    """A failure of the pipeline itself: the clip, the words, the weights, the encoder."""


def _rebuild(kind: type[UserError], args: tuple[Any, ...], state: dict[str, Any]) -> UserError:
    error = kind.__new__(kind)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


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
    """The input file does not exist (`name` is the file as the user named it)."""

    def __init__(self, name: str | None) -> None:
        self.name = name
        super().__init__(f"{called(name)} does not exist.")


class NotMedia(PipelineError):
    """ffmpeg cannot read the input as audio or video."""

    def __init__(self, name: str | None) -> None:
        self.name = name
        super().__init__(f"{called(name)} is not an audio or video file that ffmpeg can read.")


class NoAudioStream(PipelineError):
    """The input is media, but has no audio track."""

    def __init__(self, name: str | None) -> None:
        self.name = name
        super().__init__(f"{called(name)} has no audio track.")


class CorruptMedia(PipelineError):
    """The input's audio is damaged or truncated."""

    def __init__(self, name: str | None, detail: str) -> None:
        self.name, self.detail = name, detail
        self.decoded_s = 0.0  # how much audio came out before the damage stopped the decoder
        super().__init__(f"{called(name)} is damaged or truncated ({detail}).")


class StartPastEnd(PipelineError):
    """--start is at or after the end of the audio."""

    def __init__(self, start_s: float, duration_s: float) -> None:
        self.start_s, self.duration_s = start_s, duration_s
        super().__init__(f"--start {start_s:g} s is past the end of the audio, which is {duration_s:.2f} s long.")


class AudioTooShort(PipelineError):
    """The (trimmed) audio is shorter than the analysis needs."""

    def __init__(self, min_s: float, got_s: float) -> None:
        self.min_s, self.got_s = min_s, got_s
        if got_s <= 0:
            super().__init__(f"the audio holds no sound that can be decoded; it must be at least {min_s:g} s long.")
        else:  # two decimals, or as many as a blip of a few samples needs ("0.00018 s", never "0.00 s")
            length = f"{got_s:.2f}" if got_s >= 0.01 else f"{got_s:.2g}"
            super().__init__(f"the audio is {length} s long; it must be at least {min_s:g} s.")


class SampleRateTooLow(PipelineError):
    """The audio's sample rate is too low to hold sound (ffmpeg's resampler keeps nothing of it)."""

    def __init__(self, rate: int, min_rate: int, length_s: float | None) -> None:
        self.rate, self.min_rate, self.length_s = rate, min_rate, length_s
        long = f" is {length_s:g} s long but its" if length_s is not None else "'s"
        super().__init__(
            f"the audio{long} sample rate is {rate} Hz; it must be at least {min_rate} Hz to hold any sound."
        )


class TooManyChannels(PipelineError):
    """An audio stream with more channels than ffmpeg mixes, in a format that cannot be mixed here."""

    def __init__(self, name: str | None, channels: int, most: int) -> None:
        self.name, self.channels, self.most = name, channels, most
        super().__init__(
            f"{called(name)} has {channels} audio channels in a compressed format; ffmpeg mixes at most "
            f"{most}: send it as a WAV or with fewer channels."
        )


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

    machine_fault = True

    def __init__(self, model: str, folder: str, reason: str) -> None:
        self.model, self.folder, self.reason = model, folder, reason
        # Every other way to get them, in one line: this is often the first thing a new user reads.
        super().__init__(
            f"no weights for {model} ({reason}): put config.json and pytorch_model.bin in {folder} "
            f"(copied from a machine where `ganterp download-weights --model {model}` worked), point --weights "
            "or GANTERP_WEIGHTS_DIR at such a folder, or set GANTERP_WEIGHTS_URLS to a mirror's address; "
            "to try ganterp without them, --noise-weights renders with random weights (the pictures are noise)."
        )


class WeightsInvalid(PipelineError):
    """A weights folder exists but does not hold a loadable BigGAN."""

    machine_fault = True

    def __init__(self, folder: str, detail: str) -> None:
        self.folder, self.detail = folder, detail
        super().__init__(f"the weights in {folder} cannot be loaded: {detail}.")


class OutputNotWritable(PipelineError):
    """The output path cannot be written."""

    machine_fault = True

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

    machine_fault = True

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(f"the video encoder failed: {detail}.")


class OutputMismatch(PipelineError):
    """A finished video does not hold what it was promised to (read back before it is called done)."""

    machine_fault = True

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(f"the finished video was not right: {detail}.")


class RenderCancelled(PipelineError):
    """The caller asked the render to stop."""

    def __init__(self) -> None:
        super().__init__("the render was cancelled.")


class BrokenFrames(PipelineError):
    """The generator made pixels that are not numbers (NaN or infinite): its weights are broken."""

    machine_fault = True

    def __init__(self, weights: str) -> None:
        self.weights = weights
        super().__init__(
            f"the BigGAN weights in {weights} produce broken pictures (NaN or infinite values); "
            "download them again with `ganterp download-weights`."
        )
