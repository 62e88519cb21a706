"""What the Discord front end does with a request, without Discord: check, read words, queue, look up.

The glue in bot/discord/app.py turns interactions and messages into these calls and their
results (or typed refusals) into messages; everything here is plain and tested without Discord.
Everything here blocks (the database, files, downloads): the bot calls it through asyncio.to_thread.

Each way in (`submit_file`, `submit_link`, `submit_library_clip`, `resubmit`, and intake's
`queue_upload`) checks the request once before any clip is read (`check_can_submit`); the job
log's own submit then enforces the queue's limits in the transaction that stores the job.
"""

from __future__ import annotations

import contextlib
import logging
import random
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot import clips
from bot.discord.text import (
    AttachmentTooLarge,
    AudioGone,
    ChannelNotAllowed,
    NotAudioAttachment,
    StillPreparing,
    TooBusy,
)
from bot.service import Accepted
from bot.service import submit_file as queue_file
from bot.settings import Settings
from pipeline.media.layout import Layout
from pipeline.music import Style
from pipeline.render import RenderOptions, read_sidecar
from pipeline.words.lookup import BlockedWords, LookupOptions, Match, Method, NoWords, UnknownWords, lookup
from storage.guilds import GuildStore, ServerSettings
from storage.jobs import JobNotFound, JobStore
from storage.models import Job, JobStatus

log = logging.getLogger(__name__)

PLATFORM = "discord"
DEFAULT_UPLOAD_LIMIT = 10 * 2**20  # Discord's upload limit without boosts
UPLOAD_HEADROOM = 64 * 2**10  # the message around the file counts too
MAX_DOWNLOAD_BYTES = 50 * 2**20
MAX_PREPARING = 4  # clips fetched and checked at once; the rest are asked to come back in a minute
MAX_INFLIGHT_BYTES = 128 * 2**20  # the bytes of those clips (GANTERP_DISCORD_INFLIGHT_BYTES)
AUDIO_SUFFIXES = clips.MEDIA_SUFFIXES | {".mov", ".mkv", ".wma", ".aiff", ".aif", ".m4v", ".3gp"}

# (link, folder, max_bytes, max_duration_s) → a local media file; raises PipelineError subclasses.
FetchLink = Callable[[str, Path, int, float], Path]


def fetch_link(url: str, folder: Path, max_bytes: int, max_duration_s: float) -> Path:
    """Download a link with the pipeline's guarded fetcher (private addresses refused, byte cap)."""
    from pipeline.links import fetch_link

    return fetch_link(url, folder, max_bytes=max_bytes, max_duration_s=max_duration_s).path


@dataclass(frozen=True)
class Origin:
    """Who asks, and where to answer."""

    requester_id: str
    requester_name: str
    channel_id: str
    guild_id: str | None = None
    message_id: str | None = None  # the message holding the clip, when there is one


@dataclass(frozen=True)
class Ask:
    """What the requester chose: words (None: random classes), a seed, a couple of chat-sized options."""

    words: str | None = None
    seed: int | None = None
    segments: int | None = None
    start_s: float = 0.0
    duration_s: float | None = None
    style: Style | None = None  # None: the server's default, else the bot's
    layout: Layout | None = None  # None: the server's default, else auto
    lyrics: bool | None = None  # classes from the words heard in the clip; None: the server's default


@dataclass(frozen=True)
class Queued:
    """A job accepted from chat, and how its words were read."""

    accepted: Accepted
    matches: tuple[Match, ...] = field(default_factory=tuple)

    @property
    def job(self) -> Job:
        """The queued job."""
        return self.accepted.job


def check_attachment(filename: str, content_type: str | None, size: int, max_bytes: int = MAX_DOWNLOAD_BYTES) -> None:
    """Refuse an attachment that is not audio/video by type or name, or is over `max_bytes`."""
    suffix = Path(filename).suffix.lower()
    media_type = (content_type or "").split(";")[0].strip().lower()
    if not (media_type.startswith(("audio/", "video/")) or suffix in AUDIO_SUFFIXES):
        raise NotAudioAttachment(filename, content_type)
    if size > max_bytes:
        raise AttachmentTooLarge(filename, size, max_bytes)


def read_words(words: str | None, seed: int, blocked: frozenset[int] = frozenset()) -> tuple[Match, ...]:
    """Each word's class (never one of `blocked`); refuses only when no word is known (the others are skipped)."""
    if words is None or not words.strip():
        return ()
    matches = tuple(lookup(words, seed=seed, options=LookupOptions(blocked=blocked)))
    if not matches:
        raise NoWords(words)
    refused = tuple(m for m in matches if m.class_id is None)
    if len(refused) == len(matches):
        raise BlockedWords(refused) if all(m.method is Method.BLOCKED for m in refused) else UnknownWords(refused)
    return matches


class Admission:
    """At most one clip in preparation (download, decode, analysis) per member, `limit` clips and
    `max_bytes` of them in all.

    A slot is taken before a byte of the clip is read and held until it is queued or refused:
    preparing a clip holds a thread for up to the download's time limit and its bytes on disk, so
    without this a few members pasting slow links, or a crowd sending large files at once, could
    take every thread and fill the disk before anyone is refused.
    """

    def __init__(self, limit: int = MAX_PREPARING, max_bytes: int = MAX_INFLIGHT_BYTES) -> None:
        self._limit, self._max_bytes = limit, max_bytes
        self._busy: set[str] = set()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def bytes_in_flight(self) -> int:
        """The bytes reserved by the clips in preparation now."""
        with self._lock:
            return self._bytes

    @contextlib.contextmanager
    def slot(self, requester_id: str, size: int = 0) -> Iterator[None]:
        """Hold the requester's slot and `size` bytes while their clip is prepared; refuse at once if none is free."""
        with self._lock:
            if requester_id in self._busy:
                raise StillPreparing()
            if len(self._busy) >= self._limit or self._bytes + size > self._max_bytes:
                busy, held = len(self._busy), self._bytes
                log.info("clip of member %s refused: %d clips, %d bytes in preparation", requester_id, busy, held)
                raise TooBusy()
            self._busy.add(requester_id)
            self._bytes += size
        try:
            yield
        finally:
            with self._lock:
                self._busy.discard(requester_id)
                self._bytes -= size


class DiscordService:
    """The Discord front end's operations on the job log and the per-server settings."""

    def __init__(self, store: JobStore, guilds: GuildStore, settings: Settings, fetch: FetchLink = fetch_link) -> None:
        self.store, self.guilds, self.settings = store, guilds, settings
        self._fetch = fetch
        self.clips_dir = settings.clips_dir or settings.data_dir / "clips"
        self.admission = Admission(max_bytes=settings.discord_inflight_bytes)
        # The largest clip fetched: never more than may be in flight at all, so it is refused for its size
        # (one clear sentence) rather than asked to come back in a minute forever.
        self.max_download_bytes = min(MAX_DOWNLOAD_BYTES, settings.discord_inflight_bytes)

    # ------------------------------------------------------------------ checks

    def server(self, guild_id: str | None) -> ServerSettings:
        """A server's settings (defaults in DMs)."""
        return self.guilds.settings(guild_id) if guild_id else ServerSettings("")

    def check_can_submit(self, origin: Origin) -> None:
        """Every refusal that needs no clip (channel, the server's and the queue's limits), before any download."""
        server = self.server(origin.guild_id)
        if not server.answers_in(origin.channel_id):
            raise ChannelNotAllowed(server.answer_channels)
        # The job log's own rule, as its submit will apply it: an early answer, before a clip is fetched.
        self.store.check_limits(origin.requester_id, server.max_queued_per_member)

    # ------------------------------------------------------------------ submitting

    def submit_file(
        self,
        origin: Origin,
        audio: Path,
        ask: Ask,
        *,
        max_bytes: int,
        source_kind: str,
        source_ref: str,
        source_name: str | None = None,
    ) -> Queued:
        """Read the words, check the audio and limits, queue the job; raises a typed refusal otherwise."""
        self.check_can_submit(origin)
        with self.admission.slot(origin.requester_id):
            return self.queue_admitted(
                origin,
                audio,
                ask,
                max_bytes=max_bytes,
                source_kind=source_kind,
                source_ref=source_ref,
                source_name=source_name,
            )

    def queue_admitted(
        self,
        origin: Origin,
        audio: Path,
        ask: Ask,
        *,
        max_bytes: int,
        source_kind: str,
        source_ref: str,
        source_name: str | None,
    ) -> Queued:
        """Read the words, check the audio, queue the job: for a clip whose admission slot the caller holds."""
        seed = ask.seed if ask.seed is not None else secrets.randbelow(2**31)
        server = self.server(origin.guild_id)
        matches = read_words(ask.words, seed, frozenset(server.blocked_classes))
        classes = tuple(m.class_id for m in matches if m.class_id is not None)
        options = RenderOptions(
            classes=classes,
            seed=seed,
            fps=self.settings.discord_fps,
            size=self.settings.discord_size,
            segments=ask.segments,  # None: as many as the music asks for, and at least one per named class
            start_s=ask.start_s,
            duration_s=ask.duration_s,
            max_bytes=max(max_bytes - UPLOAD_HEADROOM, 2**20),
            max_duration_s=self._max_duration(server),
            style=ask.style or Style(server.style or Style.MUSIC),
            layout=ask.layout or Layout(server.layout or Layout.AUTO),
            # Random fill on a public server: the safe set (unless its managers chose all), never a blocked class.
            safe_random=server.random_safe_only,
            exclude_random=server.blocked_classes,
            # Words heard go through the same block list and safe set (pipeline/words/lyrics.py).
            lyrics=ask.lyrics if ask.lyrics is not None else server.lyrics,
        )
        # The job row keeps the guild, channel and message, so a restarted bot still answers in the right place
        # (the delivery loop posts a job that has no status message yet there); the status message is recorded
        # once it is posted.
        accepted = queue_file(
            self.store,
            audio,
            options,
            platform=PLATFORM,
            requester_id=origin.requester_id,
            requester_name=origin.requester_name,
            source_kind=source_kind,
            source_ref=source_ref,
            source_name=source_name,
            words=ask.words,
            guild_id=origin.guild_id,
            channel_id=origin.channel_id,
            message_id=origin.message_id,
            max_queued=server.max_queued_per_member,  # enforced with the operator's limits as the job is stored
        )
        return Queued(accepted, matches)

    def submit_link(self, origin: Origin, url: str, ask: Ask, *, max_bytes: int) -> Queued:
        """Download the link (guarded: a link or nothing, never a path) into a temporary folder, then queue it.

        Every limit is checked before the download starts, and a member has one clip in preparation at a time.
        """
        self.check_can_submit(origin)
        cap = self.max_download_bytes  # its size is known only once downloaded: the most it may be is reserved
        with (
            self.admission.slot(origin.requester_id, cap),
            tempfile.TemporaryDirectory(prefix="ganterp-discord-") as folder,
        ):
            path = self._fetch(url, Path(folder), cap, self._max_duration(self.server(origin.guild_id)))
            return self.queue_admitted(
                origin, path, ask, max_bytes=max_bytes, source_kind="link", source_ref=url, source_name=url
            )

    def submit_library_clip(self, origin: Origin, ask: Ask, *, max_bytes: int) -> Queued:
        """A random clip from the library (made on first use), random classes unless words were given."""
        clip = clips.pick(self.clips_dir, random.Random(ask.seed))
        return self.submit_file(
            origin, clip, ask, max_bytes=max_bytes, source_kind="library", source_ref=clip.name, source_name=clip.name
        )

    def resubmit(self, job_id: int, origin: Origin, *, same_classes: bool, max_bytes: int) -> Queued:
        """Re-roll (new random classes) or remix (same classes, new seed) a job's stored clip."""
        old = self.store.get(job_id)
        if not old.audio_path or not Path(old.audio_path).is_file():
            raise AudioGone(job_id)
        classes = _rendered_classes(old) if same_classes else []
        ask = Ask(
            words=", ".join(map(str, classes)) or None,
            start_s=float(old.options.get("start_s") or 0.0),
            duration_s=old.options.get("duration_s"),
            segments=old.options.get("segments"),
            style=Style(old.options.get("style") or Style.PAPER),  # a record without a style predates them
            layout=Layout(old.options.get("layout") or Layout.GAN),
            # A remix's classes already hold the words heard; a re-roll hears them again.
            lyrics=bool(old.options.get("lyrics")) and not same_classes,
        )
        kind = "remix" if same_classes else "reroll"
        return self.submit_file(
            origin,
            Path(old.audio_path),
            ask,
            max_bytes=max_bytes,
            source_kind=kind,
            source_ref=f"job:{job_id}",
            source_name=old.source_name,
        )

    def _max_duration(self, server: ServerSettings) -> float:
        own = server.max_duration_s
        return min(self.settings.max_duration_s, own) if own else self.settings.max_duration_s

    # ------------------------------------------------------------------ looking up

    def my_jobs(self, requester_id: str) -> list[tuple[Job, int | None, float | None]]:
        """The requester's unfinished Discord jobs with queue position and wait."""
        rows = []
        for job in reversed(self.store.recent(50, requester_id)):
            if job.platform != PLATFORM or job.status not in (JobStatus.QUEUED.value, JobStatus.RUNNING.value):
                continue
            place = self.store.place(job.id)
            rows.append((job, place.position if place else None, place.wait_s if place else None))
        return rows

    def cancel(self, requester_id: str, job_id: int | None) -> tuple[int, JobStatus] | None:
        """Cancel the given job of the requester, or their newest unfinished one; None when there is none."""
        if job_id is None:
            mine = self.my_jobs(requester_id)
            if not mine:
                return None
            job_id = mine[-1][0].id
        job = self.store.get(job_id)
        if job.platform != PLATFORM:
            raise JobNotFound(job_id)
        return job_id, self.store.cancel(job_id, requester_id)

    def place(self, job: Job) -> tuple[int | None, float | None]:
        """Position and wait of a queued job (None, None once it started)."""
        place = self.store.place(job.id)
        return (place.position, place.wait_s) if place else (None, None)


def _rendered_classes(job: Job) -> list[int]:
    """The classes a job's video showed (random ones included, from its sidecar), else those it asked for."""
    shown = read_sidecar(Path(job.output_path)).get("classes") if job.output_path else None
    if shown:
        return [int(c["class_id"]) for c in shown]
    return list(job.classes)
