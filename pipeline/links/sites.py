"""Links to a few known sites (YouTube, SoundCloud, Bandcamp, Vimeo, X), downloaded through yt-dlp.

yt-dlp is restricted to the one extractor of the linked site (its catch-all generic
extractor is never available, so a page cannot hand the download to any address it
likes), audio only, one item, with duration and size checked before the download.
It runs in a child process that is killed at the deadline: yt-dlp's own connections
have only per-read timeouts, and a process is the one thing that can be stopped for sure.
In that child every name lookup goes through the address guard (`GuardedSockets`), and
yt-dlp downloads with its own Python code only, never by handing a URL to ffmpeg, so a
site's answer cannot point a connection at the machine's own network either.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipeline.errors import AudioTooLong, PipelineError
from pipeline.links.download import PRIVATE_ADDRESS, Deadline, new_stem
from pipeline.links.errors import LinkRefused, LinkTooLarge, LinkUnreachable
from pipeline.links.guard import AddressGuard, GuardedSockets
from pipeline.links.sniff import UNKNOWN_SUFFIX

log = logging.getLogger(__name__)

# Known sites: host (or parent domain) → the one yt-dlp extractor allowed for it.
_SITES = {
    "youtube.com": "Youtube",
    "youtu.be": "Youtube",
    "youtube-nocookie.com": "Youtube",
    "soundcloud.com": "Soundcloud",
    "bandcamp.com": "Bandcamp",
    "vimeo.com": "Vimeo",
    "x.com": "Twitter",
    "twitter.com": "Twitter",
}
ALLOWED_EXTRACTORS = frozenset(_SITES.values())
SAFE_SUFFIXES = frozenset(
    {".mp3", ".m4a", ".mp4", ".webm", ".ogg", ".opus", ".flac", ".wav", ".aac", ".mkv", ".mov", UNKNOWN_SUFFIX}
)
# Formats yt-dlp fetches with its own HTTP client (progressive files, native HLS and DASH):
# its other protocols (rtmp, rtsp, mms, ffmpeg's HLS) open connections the guard cannot see.
_GUARDED_FORMATS = "/".join(
    f"{quality}[protocol{test}]" for quality in ("bestaudio", "best") for test in ("^=http", "=m3u8_native")
)
# A path where no ffmpeg is: yt-dlp then never delegates a download to ffmpeg (it would connect
# past the guard). Nothing else needs it here: our own decoder reads what yt-dlp saves as it is.
_NO_FFMPEG = "/nonexistent/ganterp-no-ffmpeg"
_CHILD_GRACE_S = 5.0  # a child that sent its answer gets this long to exit before it is killed


@dataclass(frozen=True)
class SiteDownload:
    """A file yt-dlp saved under a generated name."""

    path: Path
    size_bytes: int
    extractor: str


def site_extractor(url: str) -> str | None:
    """The yt-dlp extractor key for a link to a known site, or None for any other link."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    domain = next((d for d in _SITES if host == d or host.endswith("." + d)), None)
    if domain is None:
        return None
    from yt_dlp.extractor import get_info_extractor  # yt-dlp only when a known site is linked

    key = _SITES[domain]
    # A known site's other extractors (playlists, albums, channels) are not on the list: one link, one clip.
    if not get_info_extractor(key).suitable(url):
        raise LinkRefused(url, f"only a single track or video from {domain} is accepted, not a playlist or profile")
    return key


def fetch_from_site(
    url: str,
    extractor: str,
    dest_dir: Path,
    *,
    max_bytes: int,
    timeout_s: float,
    max_duration_s: float,
    guard: AddressGuard,
) -> SiteDownload:
    """Download one clip of a known site in a child process that cannot outlive `timeout_s`."""
    deadline = Deadline(url, timeout_s)
    arguments = (url, extractor, dest_dir, max_bytes, timeout_s, max_duration_s, guard)
    answer = run_in_child(download_from_site, arguments, deadline)
    assert isinstance(answer, SiteDownload)
    return answer


def run_in_child(function: Callable[..., Any], args: tuple[Any, ...], deadline: Deadline) -> Any:
    """`function(*args)` in a fresh process, killed when the deadline passes; its errors are re-raised here."""
    context = multiprocessing.get_context("spawn")  # never fork a process that runs threads
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child_main, args=(sender, function, args), name="ganterp-site", daemon=True)
    child.start()
    sender.close()
    answered = False
    try:
        if not receiver.poll(max(0.0, deadline.at - time.monotonic())):
            raise deadline.expired()
        try:
            ok, value = receiver.recv()
        except EOFError:  # the child died without answering (killed, out of memory)
            raise LinkUnreachable(deadline.url, "the download stopped unexpectedly") from None
        answered = True
    finally:
        receiver.close()
        child.join(_CHILD_GRACE_S if answered else 0.0)
        if child.is_alive():
            child.kill()
            child.join()
    if not ok:
        raise value
    return value


def _child_main(sender: Any, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        answer: tuple[bool, Any] = (True, function(*args))
    except PipelineError as exc:
        answer = (False, exc)
    except Exception as exc:  # an unexpected error: only its kind crosses over, never a traceback
        answer = (False, LinkUnreachable(str(args[0]), f"the download failed ({type(exc).__name__})"))
    sender.send(answer)
    sender.close()


class _Watchdog:
    """A yt-dlp progress hook that stops a download past the byte cap (the deadline is the parent's)."""

    def __init__(self, url: str, max_bytes: int) -> None:
        self.url, self.max_bytes = url, max_bytes
        self.tripped: PipelineError | None = None

    def __call__(self, status: dict[str, Any]) -> None:
        from yt_dlp.utils import DownloadCancelled

        if int(status.get("downloaded_bytes") or 0) > self.max_bytes:
            self.tripped = LinkTooLarge(self.url, self.max_bytes)
            raise DownloadCancelled(str(self.tripped))


class _YtDlpLog:
    """Sends yt-dlp's chatter to logging instead of the terminal."""

    def debug(self, message: str) -> None:
        log.debug("yt-dlp: %s", message)

    def info(self, message: str) -> None:
        log.debug("yt-dlp: %s", message)

    def warning(self, message: str) -> None:
        log.info("yt-dlp: %s", message)

    def error(self, message: str) -> None:
        log.info("yt-dlp: %s", message)


def ytdlp_options(extractor: str, outtmpl: str, max_bytes: int, timeout_s: float) -> dict[str, Any]:
    """YoutubeDL parameters: only `extractor`, the best audio, one item, capped in size."""
    from yt_dlp.extractor import get_info_extractor

    return {
        # Without the generic extractor and the others, a site's page cannot hand the download to any URL it likes.
        "allowed_extractors": [re.escape(get_info_extractor(extractor).IE_NAME)],
        "format": _GUARDED_FORMATS,
        "external_downloader": "native",
        "noplaylist": True,
        "max_filesize": max_bytes,
        "outtmpl": {"default": outtmpl},
        "socket_timeout": timeout_s,
        "proxy": "",  # no proxy from the environment: the guard must see where connections really go
        "ffmpeg_location": _NO_FFMPEG,
        "fixup": "never",
        "cachedir": False,
        "restrictfilenames": True,
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "logger": _YtDlpLog(),
    }


def download_from_site(
    url: str,
    extractor: str,
    dest_dir: Path,
    max_bytes: int,
    timeout_s: float,
    max_duration_s: float,
    guard: AddressGuard,
) -> SiteDownload:
    """The download itself (run by `fetch_from_site` in a child process): check, then fetch audio only."""
    from yt_dlp import YoutubeDL

    stem = new_stem()
    watchdog = _Watchdog(url, max_bytes)
    options = ytdlp_options(extractor, str(dest_dir / f"{stem}.%(ext)s"), max_bytes, timeout_s)
    options["progress_hooks"] = [watchdog]
    sockets = GuardedSockets(guard).install()
    try:
        with YoutubeDL(options) as ydl:
            info = _site_info(ydl, url, extractor)
            check_site_info(url, info, max_bytes=max_bytes, max_duration_s=max_duration_s)
            _site_download(ydl, url, info, watchdog)
        return _adopt_download(url, dest_dir, stem, extractor, max_bytes)
    except BaseException as exc:
        for leftover in dest_dir.glob(f"{stem}*"):  # yt-dlp's .part and .ytdl files
            leftover.unlink(missing_ok=True)
        if sockets.refused is not None and isinstance(exc, Exception):
            # yt-dlp reports the refused lookup as a network error (or skips the format): say what happened.
            raise LinkRefused(url, PRIVATE_ADDRESS) from exc
        raise
    finally:
        sockets.restore()


def _site_info(ydl: Any, url: str, extractor: str) -> dict[str, Any]:
    from yt_dlp.utils import DownloadError

    try:
        info = ydl.extract_info(url, download=False, ie_key=extractor)
    except DownloadError as exc:
        raise LinkUnreachable(url, f"the site would not give its media ({_ytdlp_reason(exc)})") from exc
    if not isinstance(info, dict):
        raise LinkUnreachable(url, "the site would not give its media")
    return info


def check_site_info(url: str, info: dict[str, Any], *, max_bytes: int, max_duration_s: float) -> None:
    """Refuse, before any download, what yt-dlp found but ganterp does not take."""
    if info.get("_type", "video") != "video":
        raise LinkRefused(url, "it is a playlist or a collection, not a single track or video")
    if info.get("extractor_key") not in ALLOWED_EXTRACTORS:
        raise LinkRefused(url, "its media is hosted on a site ganterp does not download from")
    if info.get("is_live") or info.get("live_status") in ("is_live", "is_upcoming"):
        raise LinkRefused(url, "live streams are not accepted")
    duration = info.get("duration")
    if isinstance(duration, int | float) and duration > max_duration_s:
        raise AudioTooLong(max_duration_s)
    size = info.get("filesize") or info.get("filesize_approx")
    if isinstance(size, int | float) and size > max_bytes:
        raise LinkTooLarge(url, max_bytes)


def _site_download(ydl: Any, url: str, info: dict[str, Any], watchdog: _Watchdog) -> None:
    from yt_dlp.utils import DownloadCancelled, DownloadError

    try:
        ydl.process_ie_result(info, download=True)
    except (DownloadCancelled, DownloadError) as exc:
        if watchdog.tripped is not None:
            raise watchdog.tripped from exc
        raise LinkUnreachable(url, f"the download failed ({_ytdlp_reason(exc)})") from exc


def _adopt_download(url: str, dest_dir: Path, stem: str, extractor: str, max_bytes: int) -> SiteDownload:
    done = [p for p in dest_dir.glob(f"{stem}.*") if p.suffix not in (".part", ".ytdl")]
    if not done:
        # yt-dlp skips, without raising, a file whose announced size is over max_filesize.
        raise LinkTooLarge(url, max_bytes)
    suffix = done[0].suffix.lower()
    final = dest_dir / f"{stem}{suffix if suffix in SAFE_SUFFIXES else UNKNOWN_SUFFIX}"
    done[0].replace(final)
    return SiteDownload(final, final.stat().st_size, extractor)


def _ytdlp_reason(exc: BaseException) -> str:
    text = str(exc).removeprefix("ERROR: ").strip()
    first_line = text.splitlines()[0] if text else "no reason given"
    return first_line.rstrip(".")[:160]
