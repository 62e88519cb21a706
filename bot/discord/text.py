"""Everything the Discord front end says to people, in one place: plain functions of plain data."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot import text as shared
from bot.shown import ShownClass
from bot.text import NoClip, without_paths
from pipeline.classes import class_name
from pipeline.errors import UserError, quoted, sentence
from pipeline.render import PreparedRender
from pipeline.words.lookup import Match, Method
from storage.guilds import ServerSettings
from storage.models import Job, JobStatus

log = logging.getLogger(__name__)

MAX_LISTED_CLASSES = 12  # in a posted video's text
MESSAGE_LIMIT = 2000  # Discord's characters per message


class ChatRefused(UserError):
    """A request the Discord front end refuses before anything is queued; subclasses carry the data."""


def no_clip(where: str = "") -> NoClip:
    """The refusal of a request with no attachment or link; `where` says where else one was looked for."""
    return NoClip(
        "attach an audio or video clip, or give a link to one"
        + (f" ({where})" if where else "")
        + "; e.g. `/ganterp render audio:<file> classes:dog, ocean`."
    )


class NotAudioAttachment(ChatRefused):
    """The attachment is not audio or video by its type or name."""

    def __init__(self, filename: str, content_type: str | None) -> None:
        self.filename, self.content_type = filename, content_type
        kind = f" ({quoted(content_type)[1:-1]})" if content_type else ""
        super().__init__(
            f"{quoted(filename)}{kind} is not an audio or video file; attach a clip such as mp3, wav, ogg or mp4."
        )


class AttachmentTooLarge(ChatRefused):
    """The attachment is over the download cap."""

    def __init__(self, filename: str, size: int, max_bytes: int) -> None:
        self.filename, self.size, self.max_bytes = filename, size, max_bytes
        super().__init__(
            f"{quoted(filename)} is {size / 2**20:.1f} MiB; clips up to {max_bytes / 2**20:.0f} MiB are accepted."
        )


class ChannelNotAllowed(ChatRefused):
    """The server's managers chose other channels for the bot."""

    def __init__(self, channels: Sequence[str]) -> None:
        self.channels = tuple(channels)
        where = ", ".join(f"<#{c}>" for c in self.channels)
        super().__init__(f"I only answer in {where} on this server.")


class CannotPost(ChatRefused):
    """The bot lacks a permission it needs to answer in the channel."""

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = tuple(missing)
        names = " and ".join(m.replace("_", " ").title() for m in self.missing)
        super().__init__(f"I can't post the video in this channel: I need the {names} permission here.")


class StillPreparing(ChatRefused):
    """The member's previous clip is still being downloaded or checked."""

    def __init__(self) -> None:
        super().__init__("your previous clip is still being fetched and checked; send the next one when it is queued.")


class TooBusy(ChatRefused):
    """Too many clips are being fetched and checked at once."""

    def __init__(self) -> None:
        super().__init__("I am fetching many clips right now; please try again in a minute.")


class WordsTooSlow(ChatRefused):
    """Reading a request's words took longer than a member is kept waiting (a very busy machine)."""

    def __init__(self, waited_s: float) -> None:
        self.waited_s = waited_s
        super().__init__(f"reading those words took more than {waited_s:g} s; please try again in a minute.")


class MessageContentOff(ChatRefused):
    """A replied-to message looked empty because the message-content intent is off."""

    def __init__(self) -> None:
        super().__init__(
            "I can't see the clip in the message you replied to (the bot runs without the message-content "
            "intent); right-click that message → Apps → GANterpret instead."
        )


class NotAllowed(ChatRefused):
    """A member tried something only the requester or a moderator may do."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(f"only the requester or a moderator can {what}.")


class ManagersOnly(ChatRefused):
    """A server setting was changed by someone without Manage Server."""

    def __init__(self) -> None:
        super().__init__("only members with the Manage Server permission can change the bot's settings here.")


class AudioGone(ChatRefused):
    """A re-roll or remix of a job whose stored audio was already cleaned up."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        super().__init__(f"the clip of job #{job_id} is no longer stored; send it again.")


def error_message(exc: BaseException, job_id: int | None = None) -> str:
    """The one sentence a person sees for an exception; unexpected ones are logged with their traceback."""
    if isinstance(exc, UserError) and exc.machine_fault:
        log.error("the renderer failed%s: %s", f" (job #{job_id})" if job_id else "", exc)
        return sentence("the renderer failed on its side; please try again later")
    if isinstance(exc, UserError):
        return fit(sentence(without_paths(exc.user_message())))
    log.error("unexpected error%s", f" (job #{job_id})" if job_id else "", exc_info=exc)
    return sentence(f"something went wrong (job #{job_id})" if job_id else "something went wrong; please try again")


def duration(seconds: float | None) -> str:
    """A short human duration: 45 s, 3 min, 1 h 5 min."""
    if seconds is None:
        return "a moment"
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


MAX_LISTED_RANDOM = 8


def word_lines(matches: Sequence[Match], seed: int | None = None) -> list[str]:
    """How each word was read, one line each, saying exactly what `seed` renders (or what it picks among);
    unknown and blocked words are named, with suggestions, as skipped."""
    lines = []
    for match in matches:
        if match.class_id is None:
            hint = f" — did you mean {', '.join(match.suggestions)}?" if match.suggestions else ""
            why = "blocked on this server" if match.method is Method.BLOCKED else "not a class"
            lines.append(f"• {match.short_query} → {why}, skipped{hint}")
        else:
            lines.append(f"• {match.preview(seed)}")
    return lines


def classes_text(matches: Sequence[Match], seed: int | None = None) -> str:
    """The answer of `/ganterp classes`: what each word renders as with `seed`, or what the seed picks among."""
    head = f"With seed {seed}, these words become:" if seed is not None else "These words would become:"
    return fit("\n".join([head, *word_lines(matches, seed)]))


def plan_summary(matches: Sequence[Match], prepared: PreparedRender) -> str:
    """What the video will show, exactly: the words as the seed reads them, then the random fill, and any notes."""
    plan = prepared.plan
    lines = word_lines(matches, prepared.seed) if matches else []
    fill = [class_name(int(c)) for c in plan.class_ids[plan.n_asked :]]
    if fill and prepared.options.lyrics and prepared.hearing is None:
        # The words are heard when the job runs: the random classes listed now would mislead.
        lines.append(
            f"• {'then ' if plan.n_asked else ''}the things named in the clip, heard when it renders; the rest random"
        )
    elif fill:
        more = f" and {len(fill) - MAX_LISTED_RANDOM} more" if len(fill) > MAX_LISTED_RANDOM else ""
        shown = ", ".join(fill[:MAX_LISTED_RANDOM]) + more
        lines.append(
            f"• {'then ' if plan.n_asked else ''}{len(fill)} random {'class' if len(fill) == 1 else 'classes'}: {shown}"
        )
    if plan.unused_classes:
        unused = ", ".join(class_name(c) for c in plan.unused_classes)
        lines.append(f"• not shown (more classes than the clip has cuts): {unused}")
    lines += [f"• {sentence(note)}" for note in prepared.notes]
    lines.append(
        f"• {len(plan.segments)} scenes over {prepared.audio.duration_s:.0f} s, style {prepared.options.style.value}"
    )
    return "\n".join(lines)


def accepted_text(job_id: int, requester_mention: str, position: int | None, wait_s: float | None, summary: str) -> str:
    """The status message posted when a job is queued."""
    where = f"#{position} in the queue, ready in about {duration(wait_s)}" if position else "starting now"
    return fit("\n".join([f"{requester_mention} job **#{job_id}** accepted: {where}.", summary]))


def status_text(job: Job, position: int | None, wait_s: float | None, requester_mention: str, summary: str = "") -> str:
    """The status message of a job as it moves along (edited in place), what it will show kept below."""
    line = _status_line(job, position, wait_s, requester_mention)
    return fit(f"{line}\n{summary}" if summary else line)


def _status_line(job: Job, position: int | None, wait_s: float | None, requester_mention: str) -> str:
    head = f"{requester_mention} job **#{job.id}**"
    status = JobStatus(job.status)
    if status is JobStatus.QUEUED:
        where = f"#{position} in the queue" if position else "queued"
        return f"{head}: {where}, ready in about {duration(wait_s)}."
    if status is JobStatus.RUNNING:
        stage = job.stage or "starting"
        eta = f", about {duration(job.eta_s)} left" if job.eta_s is not None else ""
        return f"{head}: {stage} {job.progress * 100:.0f}%{eta}."
    if status is JobStatus.RENDERED:
        return f"{head}: rendered, posting…"
    if status is JobStatus.DELIVERED:
        return f"{head}: done, the video is below."
    if status is JobStatus.CANCELLED:
        return f"{head}: cancelled."
    return f"{head}: failed. {sentence(job.user_error or 'something went wrong')}"


def delivered_text(job: Job, shown: Sequence[ShownClass], requester_mention: str) -> str:
    """The text of the posted video: who asked, every class it shows (time → class, asked or random), the seed."""
    head = f"{requester_mention} your GANterpretation, job #{job.id} (seed {job.seed}):"
    return fit("\n".join([head, *class_lines(shown)]))


def daily_text(job: Job, shown: Sequence[ShownClass]) -> str:
    """The text of the daily post: every class it shows (time → class) and the seed."""
    return fit("\n".join([f"Today's GANterpretation (seed {job.seed}):", *class_lines(shown)]))


def class_lines(shown: Sequence[ShownClass]) -> list[str]:
    """One line per class, the last scene's destination included: when the picture is that class, its name,
    and "random" for classes nobody asked for."""
    lines = []
    for entry in shown[:MAX_LISTED_CLASSES]:
        when = f"`{_clock(entry.at_s)}` " if entry.at_s is not None else ""
        fill = "" if entry.asked else " · random"
        if entry.heard_word is not None and entry.heard_at is not None:
            fill = f' · heard "{entry.heard_word}" at {_clock(entry.heard_at)}'
        lines.append(f"{when}{entry.name} ({entry.class_id}){fill}")
    if len(shown) > MAX_LISTED_CLASSES:
        lines.append(f"… and {len(shown) - MAX_LISTED_CLASSES} more classes")
    return lines


def queue_text(rows: Sequence[tuple[Job, int | None, float | None]]) -> str:
    """The answer of `/ganterp queue`: the requester's unfinished jobs."""
    if not rows:
        return "You have no jobs waiting or rendering."
    lines = ["Your jobs:"]
    for job, position, wait_s in rows:
        if job.status == JobStatus.QUEUED.value:
            lines.append(f"• #{job.id}: #{position} in the queue, about {duration(wait_s)}")
        elif job.status == JobStatus.RUNNING.value:
            lines.append(f"• #{job.id}: {job.stage or 'running'} {job.progress * 100:.0f}%")
        else:
            lines.append(f"• #{job.id}: {job.status}")
    return fit("\n".join(lines))


def cancelled_text(job_id: int, status: JobStatus) -> str:
    """The answer of `/ganterp cancel`."""
    if status is JobStatus.CANCELLED:
        return f"Job #{job_id} is cancelled."
    if status is JobStatus.RUNNING:
        return f"Job #{job_id} will stop within a few seconds."
    return f"Job #{job_id} is already {status.value}."


def nothing_to_cancel() -> str:
    """`/ganterp cancel` with no job waiting."""
    return "You have no job waiting or rendering."


def resubmitted_text(job_id: int, kind: str) -> str:
    """The ephemeral answer to Re-roll and Remix."""
    return f"{kind} queued as job #{job_id}; I'll post it here."


def deleted_text() -> str:
    """The ephemeral answer to Delete."""
    return "Deleted."


def queued_ephemeral(job_id: int) -> str:
    """The private answer to a slash command once the public status message is up."""
    return f"Job #{job_id} is queued; I'll post the video in this channel."


def cannot_deliver(detail: str) -> str:
    """What a job's log says when the finished video could not be posted."""
    return f"the video was made but could not be posted ({detail})"


def server_settings_text(server: ServerSettings) -> str:
    """The answer of the server-settings commands."""
    channels = ", ".join(f"<#{c}>" for c in server.answer_channels) if server.answer_channels else "every channel"
    blocked = ", ".join(f"{class_name(c)} ({c})" for c in server.blocked_classes) or "none"
    limit, longest = server.max_queued_per_member, server.max_duration_s
    return fit(
        "\n".join(
            [
                f"Answers in: {channels}",
                f"Daily post: {f'<#{server.daily_channel_id}>' if server.daily_channel_id else 'off'}",
                f"Waiting videos per member: {limit if limit is not None else 'server default'}",
                f"Longest clip: {f'{longest:g} s' if longest is not None else 'server default'}",
                f"Style: {server.style or 'music (the bot default)'}",
                f"Layout for videos: {server.layout or 'auto (stack for portrait, side for the rest)'}",
                f"Random classes: {'the safe set' if server.random_safe_only else 'all 1000'}",
                f"Classes from the words heard (lyrics): {'on' if server.lyrics else 'off'}",
                f"Blocked classes: {blocked}",
            ]
        )
    )


def help_text() -> str:
    """The answer of `/ganterp help`."""
    return "\n".join(
        [
            "**GANterpretations**: a BigGAN video that changes with your music.",
            "• `/ganterp render audio:<clip>` or `link:<url>`, optional `classes:dog, ocean 🌊`, `seed`, `style`, "
            "`lyrics` (the things named in the clip's words)",
            "• `/ganterp random`: random classes (a clip from the library when you give none)",
            "• Right-click a message with a clip → Apps → **GANterpret**",
            "• Mention me with words on a message with a clip, or in a reply to one: `@ganterp dog, ocean`",
            "• `/ganterp classes <words> [seed]`: what words become; `/ganterp queue`; `/ganterp cancel [job]`",
            "• Server managers: `/ganterp-server show | answer-in | answer-everywhere | daily | limits | style | "
            "lyrics | block | unblock | random-fill`",
            "Buttons on a video: Re-roll (new classes), Remix (same classes, new seed), Delete.",
        ]
    )


def fit(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """`text` cut to Discord's message length."""
    return shared.fit(text, limit)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"
