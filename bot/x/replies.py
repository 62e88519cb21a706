"""What the X front end says: the polite refusals and the text under a posted video (never a link or a path)."""

from __future__ import annotations

from pathlib import Path

from bot.shown import ShownClass, shown_classes
from bot.text import NoClip, fit, without_paths
from pipeline.classes import class_name
from pipeline.errors import AudioTooShort, CorruptMedia, NoAudioStream, NotMedia, UserError
from pipeline.render import read_sidecar
from storage.models import Job

MAX_POST_CHARS = 270  # X counts 280 with its own weights; stay clear of the edge


class Refusal(UserError):
    """A mention that gets no video; the message is what the author is told."""


def no_clip() -> NoClip:
    """The refusal of a mention when neither it nor the post it answers or quotes has a video."""
    return NoClip("I found no video with sound here: mention me on, or in reply to, a post with a clip.")


class UnsupportedMedia(Refusal):
    """The post has media, but nothing with sound that the bot downloads."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(f"I can only use videos with sound, and this post has {kind}.")


class ClipTooLarge(Refusal):
    """The post's video is over the download cap."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"that clip is larger than my limit of {max_bytes / 2**20:.0f} MB.")


def post_text(text: str, limit: int = MAX_POST_CHARS) -> str:
    """`text` cut to what a post may hold."""
    return fit(text, limit)


def _about_the_clip(exc: UserError) -> str | None:
    """X's shorter words for what a post's video was found to be (its name is not worth quoting back)."""
    match exc:
        case NoAudioStream():
            return "that clip has no sound."
        case NotMedia() | CorruptMedia():
            return "I could not read that clip."
        case AudioTooShort(min_s=min_s):
            return f"that clip is too short (it needs at least {min_s:g} s of sound)."
    return None


def refusal_text(exc: BaseException) -> str:
    """The polite sentence for a mention that gets no video (never a local path, never a bug's text)."""
    if not isinstance(exc, UserError) or exc.machine_fault:
        reason = "something went wrong with that clip."
    else:
        reason = _about_the_clip(exc) or exc.user_message()
    return post_text(f"Sorry, {without_paths(reason)}")


def failure_text(job: Job) -> str:
    """The reply to a mention whose render failed."""
    return post_text(f"Sorry, {without_paths(job.user_error or 'something went wrong.')}")


def reply_text(job: Job) -> str:
    """The reply under the video: the classes in order (random fill marked *) and the seed, no links."""
    shown = shown_classes(read_sidecar(Path(job.output_path))) if job.output_path else ()
    names = [entry.name + _how_chosen(entry) for entry in shown]
    if not names:
        names = [class_name(c) for c in job.classes]
    classes = " → ".join(names) if names else "random classes"
    tail = (" · *random" if any(name.endswith("*") for name in names) else "") + f" · seed {job.seed}"
    return post_text(f"Your GANterpretation: {post_text(classes, MAX_POST_CHARS - len(tail) - 22)}{tail}")


def _how_chosen(shown: ShownClass) -> str:
    """After a class's name: nothing when asked for, the word and its time when heard, * when random."""
    if shown.heard_word is not None and shown.heard_at is not None:
        minutes, seconds = divmod(shown.heard_at, 60)
        return f' ("{shown.heard_word}" {int(minutes)}:{seconds:04.1f})'
    return "" if shown.asked else "*"


def daily_text(job: Job) -> str:
    """The daily post's text: the classes in order and the seed, no links."""
    return "Today's" + reply_text(job).removeprefix("Your")
