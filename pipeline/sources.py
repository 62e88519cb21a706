"""A link or a path → a local media file, with the guards a public bot needs.

Anyone may hand the bot a link, so a link must not become a way into the
machine's own network: every address a host name resolves to is checked, at
every redirect, and the connection goes to the address that was checked (a
second DNS answer cannot swap it for a private one). Downloads stop at a byte
cap and a total time limit, and only media is kept. Links to a few known sites
go through yt-dlp, restricted to those sites' extractors, audio only.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import logging
import re
import socket
import ssl
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urljoin, urlsplit

from pipeline.errors import AudioTooLong, PipelineError
from pipeline.ffmpeg import ffmpeg_exe

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[IPAddress]]

DEFAULT_MAX_BYTES = 200 * 2**20
DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MAX_DURATION_S = 600.0
MAX_REDIRECTS = 5

_CHUNK_BYTES = 64 * 1024
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_URL_SHOWN_CHARS = 80

# Cloud metadata endpoints hand out credentials: refused even inside an allowed network.
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
_METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog", "metadata", "instance-data"})
# NAT64 gateways forward 64:ff9b::a.b.c.d to the IPv4 address a.b.c.d, so that address is the one to judge.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

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

_MEDIA_TYPE_SUFFIXES = {
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/wav": ".wav",
    "audio/wave": ".wav",
    "audio/x-wav": ".wav",
    "audio/vnd.wave": ".wav",
    "audio/ogg": ".ogg",
    "application/ogg": ".ogg",
    "audio/opus": ".opus",
    "audio/flac": ".flac",
    "audio/x-flac": ".flac",
    "audio/mp4": ".m4a",
    "audio/x-m4a": ".m4a",
    "audio/aac": ".aac",
    "audio/webm": ".webm",
    "audio/aiff": ".aiff",
    "audio/x-aiff": ".aiff",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "video/quicktime": ".mov",
    "video/x-matroska": ".mkv",
}
_OPAQUE_TYPES = frozenset({"application/octet-stream", "binary/octet-stream"})
# Playlists and manifests name further URLs that ffmpeg would open itself, past the address guard.
_PLAYLIST_TYPES = frozenset(
    {
        "audio/mpegurl",
        "audio/x-mpegurl",
        "application/x-mpegurl",
        "application/vnd.apple.mpegurl",
        "audio/x-scpls",
        "application/dash+xml",
        "video/vnd.mpeg.dash.mpd",
    }
)
_PLAYLIST_HEADS = (b"#EXTM3U", b"[PLAYLIST]", b"FFCONCAT", b"<")  # "<": MPD manifests, SMIL, web pages
_UNKNOWN_SUFFIX = ".media"  # ffmpeg reads the content, not the name
SAFE_SUFFIXES = frozenset({*_MEDIA_TYPE_SUFFIXES.values(), _UNKNOWN_SUFFIX})

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# Characters that may stay as they are in a request path; anything else is percent-encoded.
_PATH_SAFE = "/?&=%:@!$'()*+,;~-._[]"


# ----------------------------------------------------------------------------- errors


def _shown(url: str) -> str:
    return url if len(url) <= _URL_SHOWN_CHARS else url[: _URL_SHOWN_CHARS - 1] + "…"


class LinkRefused(PipelineError):
    """The link is not one ganterp will open: a private address, another scheme, credentials, a playlist."""

    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"the link {_shown(url)} was refused: {reason}.")


class LinkUnreachable(PipelineError):
    """The link could not be downloaded: no connection, too slow, an error status."""

    def __init__(self, url: str, detail: str) -> None:
        self.url, self.detail = url, detail
        super().__init__(f"could not download {_shown(url)}: {detail}.")


class LinkTooLarge(PipelineError):
    """The linked file is larger than the download limit."""

    def __init__(self, url: str, max_bytes: int) -> None:
        self.url, self.max_bytes = url, max_bytes
        super().__init__(f"{_shown(url)} is larger than the download limit of {max_bytes / 2**20:.1f} MiB.")


class NotMediaLink(PipelineError):
    """The link leads to something that is not audio or video (a web page, an image…)."""

    def __init__(self, url: str, content_type: str) -> None:
        self.url, self.content_type = url, content_type
        super().__init__(f"{_shown(url)} is not an audio or video file (the server says it is {content_type}).")


_PRIVATE = "it leads to a private, local or cloud-internal address"


# ----------------------------------------------------------------------------- results and guard


@dataclass(frozen=True)
class FetchedMedia:
    """A local media file, and where it came from."""

    path: Path
    source: str  # the path or link as the user gave it
    kind: Literal["link", "file"]
    content_type: str | None = None
    size_bytes: int | None = None
    extractor: str | None = None  # the yt-dlp extractor for a known site, None for a direct link


@dataclass(frozen=True)
class AddressGuard:
    """Which addresses a link may lead to: public ones, plus `allowed_networks` (tests, a trusted LAN)."""

    allowed_networks: tuple[Network, ...] = ()

    def permits(self, address: IPAddress) -> bool:
        """True when a connection to `address` is allowed."""
        address = _embedded_ipv4(address)
        if address in _METADATA_ADDRESSES:
            return False
        if any(address in network for network in self.allowed_networks):
            return True
        return _is_public(address)


PUBLIC_ONLY = AddressGuard()


def _embedded_ipv4(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _is_public(address: IPAddress) -> bool:
    special = (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    )
    return address.is_global and not special


def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Every address the system resolver gives for `host`."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))


# ----------------------------------------------------------------------------- entry points


def is_link(source: str) -> bool:
    """True when `source` is written as a URL (scheme://…) rather than a file path."""
    return bool(_SCHEME.match(source))


def fetch(
    source: str,
    dest_dir: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_duration_s: float = DEFAULT_MAX_DURATION_S,
    max_redirects: int = MAX_REDIRECTS,
    guard: AddressGuard = PUBLIC_ONLY,
    resolver: Resolver = system_resolver,
) -> FetchedMedia:
    """A local path as it is; a link downloaded into `dest_dir`, through yt-dlp for known sites."""
    if not is_link(source):
        return FetchedMedia(path=Path(source), source=source, kind="file")
    _check_link_form(source)
    extractor = site_extractor(source)
    if extractor is not None:
        return _fetch_from_site(source, extractor, dest_dir, max_bytes, timeout_s, max_duration_s)
    limits = _Limits(max_bytes, _Deadline(source, timeout_s), max_redirects)
    return _fetch_direct(source, dest_dir, limits, guard, resolver)


@contextlib.contextmanager
def local_media(
    source: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_duration_s: float = DEFAULT_MAX_DURATION_S,
    guard: AddressGuard = PUBLIC_ONLY,
) -> Iterator[FetchedMedia]:
    """`fetch` into a temporary folder removed on exit; a local path passes through untouched."""
    if not is_link(source):
        yield fetch(source, Path())
        return
    with tempfile.TemporaryDirectory(prefix="ganterp-link-") as folder:
        yield fetch(
            source, Path(folder), max_bytes=max_bytes, timeout_s=timeout_s, max_duration_s=max_duration_s, guard=guard
        )


def site_extractor(url: str) -> str | None:
    """The yt-dlp extractor key for a link to a known site, or None for any other link."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    domain = next((d for d in _SITES if host == d or host.endswith("." + d)), None)
    if domain is None:
        return None
    from yt_dlp.extractor import get_info_extractor  # yt-dlp only when a known site is linked

    key = _SITES[domain]
    # A known site's other extractors (playlists, albums, channels) are not on the list: one link, one clip.
    if not get_info_extractor(key).suitable(url):
        raise LinkRefused(url, f"only a single track or video from {domain} is accepted, not a playlist or profile")
    return key


# ----------------------------------------------------------------------------- direct links


@dataclass(frozen=True)
class _Deadline:
    """One time limit for the whole download, redirects included."""

    url: str
    timeout_s: float
    at: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", time.monotonic() + self.timeout_s)

    def left_s(self) -> float:
        """Seconds left; raises once none are."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise self.expired()
        return left

    def expired(self) -> LinkUnreachable:
        """The error of a download that ran out of time."""
        return LinkUnreachable(self.url, f"it did not finish within {self.timeout_s:g} s")


@dataclass(frozen=True)
class _Limits:
    max_bytes: int
    deadline: _Deadline
    max_redirects: int


@dataclass(frozen=True)
class _Target:
    """A URL whose host has been resolved and every address checked."""

    url: str
    scheme: str
    host: str
    port: int
    request_path: str
    addresses: tuple[IPAddress, ...]


def _check_link_form(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise LinkRefused(url, "only http and https links are accepted")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise LinkRefused(url, "links with a user name or password are not accepted")
    if not parts.hostname:
        raise LinkRefused(url, "it has no host name")


def _fetch_direct(url: str, dest_dir: Path, limits: _Limits, guard: AddressGuard, resolver: Resolver) -> FetchedMedia:
    current = url
    for _ in range(limits.max_redirects + 1):
        target = _checked_target(current, guard, resolver)
        with _opened(target, limits.deadline) as (connection, response):
            if response.status in _REDIRECT_STATUSES:
                current = _redirect_location(target, response)
                continue
            if response.status != 200:
                raise LinkUnreachable(url, f"the server answered {response.status} {response.reason}".rstrip())
            content_type = _checked_content_type(url, response, limits.max_bytes)
            return _save_response(url, content_type, connection, response, dest_dir, limits)
    raise LinkUnreachable(url, f"it redirects more than {limits.max_redirects} times")


def _checked_target(url: str, guard: AddressGuard, resolver: Resolver) -> _Target:
    _check_link_form(url)  # again: a redirect may point anywhere
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = _ascii_host(url, parts.hostname or "")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise LinkRefused(url, "its port is not a number from 1 to 65535") from None
    if host.rstrip(".") in _METADATA_HOSTS:
        raise LinkRefused(url, _PRIVATE)
    addresses = _addresses(url, host, port, resolver)
    # One bad address is enough: which one a connection would use is not ours to choose.
    if not addresses or not all(guard.permits(address) for address in addresses):
        raise LinkRefused(url, _PRIVATE)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return _Target(url, scheme, host, port, quote(path, safe=_PATH_SAFE), addresses)


def _ascii_host(url: str, host: str) -> str:
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise LinkRefused(url, "its host name is not valid") from None


def _addresses(url: str, host: str, port: int, resolver: Resolver) -> tuple[IPAddress, ...]:
    with contextlib.suppress(ValueError):
        return (ipaddress.ip_address(host),)
    try:
        return tuple(resolver(host, port))
    except OSError:
        raise LinkUnreachable(url, f"the host name {host} could not be found") from None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to `host` (in the Host header) over a socket to an address that was checked."""

    def __init__(self, host: str, port: int, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self._address), self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to `host` (Host header, SNI and certificate name) over a socket to an address that was checked."""

    def __init__(self, host: str, port: int, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address
        self._tls = ssl.create_default_context()

    def connect(self) -> None:
        raw = socket.create_connection((str(self._address), self.port), self.timeout)
        try:
            self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


@contextlib.contextmanager
def _opened(
    target: _Target, deadline: _Deadline
) -> Iterator[tuple[http.client.HTTPConnection, http.client.HTTPResponse]]:
    connection = _connected(target, deadline)
    try:
        try:
            connection.request("GET", target.request_path, headers={"User-Agent": "ganterp", "Accept": "*/*"})
            response = connection.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            raise _unreachable(target.url, exc, deadline) from exc
        yield connection, response
    finally:
        connection.close()


def _connected(target: _Target, deadline: _Deadline) -> http.client.HTTPConnection:
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    failure: OSError | None = None
    for address in target.addresses:
        connection = kind(target.host, target.port, address, timeout=deadline.left_s())
        try:
            connection.connect()
            return connection
        except OSError as exc:
            connection.close()
            failure = exc
    assert failure is not None  # _checked_target never returns a target without addresses
    raise _unreachable(target.url, failure, deadline) from failure


def _unreachable(url: str, exc: Exception, deadline: _Deadline) -> LinkUnreachable:
    if isinstance(exc, TimeoutError):
        return deadline.expired()
    if isinstance(exc, ConnectionRefusedError):
        return LinkUnreachable(url, "the server refused the connection")
    if isinstance(exc, ssl.SSLError):
        return LinkUnreachable(url, "its secure connection could not be verified")
    if isinstance(exc, http.client.HTTPException):
        return LinkUnreachable(url, "the server's answer was not valid HTTP")
    return LinkUnreachable(url, "the connection failed")


def _redirect_location(target: _Target, response: http.client.HTTPResponse) -> str:
    location = response.getheader("Location")
    if not location:
        raise LinkUnreachable(target.url, f"the server answered {response.status} without saying where to go")
    return urljoin(target.url, location.strip())


def _checked_content_type(url: str, response: http.client.HTTPResponse, max_bytes: int) -> str | None:
    content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower() or None
    if content_type is not None and not _is_media_type(content_type):
        raise NotMediaLink(url, content_type)
    length = (response.getheader("Content-Length") or "").strip()
    if length.isdigit() and int(length) > max_bytes:
        raise LinkTooLarge(url, max_bytes)
    return content_type


def _is_media_type(content_type: str) -> bool:
    if content_type in _PLAYLIST_TYPES:
        return False
    major = content_type.split("/")[0]
    return major in ("audio", "video") or content_type in _OPAQUE_TYPES or content_type in _MEDIA_TYPE_SUFFIXES


def _save_response(
    url: str,
    content_type: str | None,
    connection: http.client.HTTPConnection,
    response: http.client.HTTPResponse,
    dest_dir: Path,
    limits: _Limits,
) -> FetchedMedia:
    partial = dest_dir / f"{_new_stem()}.part"
    try:
        size = _copy_body(url, connection, response, partial, limits)
        head = _head(partial)
        if _is_playlist_or_page(head):
            raise NotMediaLink(url, "a playlist or a page rather than media")
        suffix = _suffix(content_type, head)
        if content_type is None and suffix == _UNKNOWN_SUFFIX:
            raise NotMediaLink(url, "an unknown type")
        final = partial.with_suffix(suffix)
        partial.replace(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return FetchedMedia(path=final, source=url, kind="link", content_type=content_type, size_bytes=size)


def _copy_body(
    url: str,
    connection: http.client.HTTPConnection,
    response: http.client.HTTPResponse,
    partial: Path,
    limits: _Limits,
) -> int:
    size = 0
    with partial.open("wb") as out:
        while True:
            # The socket waits at most until the deadline, so a stalled server cannot hold the download open.
            if connection.sock is not None:
                connection.sock.settimeout(limits.deadline.left_s())
            try:
                chunk = response.read1(_CHUNK_BYTES)  # read1: a dribbling server still returns to this loop
            except (OSError, http.client.HTTPException) as exc:
                raise _unreachable(url, exc, limits.deadline) from exc
            if not chunk:
                return size
            size += len(chunk)
            if size > limits.max_bytes:  # Content-Length may be absent (chunked) or wrong
                raise LinkTooLarge(url, limits.max_bytes)
            out.write(chunk)


# ----------------------------------------------------------------------------- file names


def _new_stem() -> str:
    return f"link-{uuid.uuid4().hex[:12]}"


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(64)


def _is_playlist_or_page(head: bytes) -> bool:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip().upper()
    return text.startswith(_PLAYLIST_HEADS)


def _suffix(content_type: str | None, head: bytes) -> str:
    from_type = _MEDIA_TYPE_SUFFIXES.get(content_type or "")
    return from_type or _sniffed_suffix(head)


def _sniffed_suffix(head: bytes) -> str:
    """A suffix from the file's first bytes, for servers that send no useful content type."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return ".wav"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return ".aiff"
    if head[4:8] == b"ftyp":
        return ".mp4"
    signatures = {b"ID3": ".mp3", b"OggS": ".ogg", b"fLaC": ".flac", b"\x1aE\xdf\xa3": ".mkv"}
    for signature, suffix in signatures.items():
        if head.startswith(signature):
            return suffix
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:  # an MPEG audio frame header
        return ".mp3"
    return _UNKNOWN_SUFFIX


def _safe_suffix(extension: object) -> str:
    suffix = f".{extension}".lower()
    return suffix if suffix in SAFE_SUFFIXES else _UNKNOWN_SUFFIX


# ----------------------------------------------------------------------------- known sites (yt-dlp)


class _Watchdog:
    """A yt-dlp progress hook that stops a download past the deadline or the byte cap."""

    def __init__(self, max_bytes: int, deadline: _Deadline) -> None:
        self.max_bytes, self.deadline = max_bytes, deadline
        self.tripped: PipelineError | None = None

    def __call__(self, status: dict[str, Any]) -> None:
        from yt_dlp.utils import DownloadCancelled

        if time.monotonic() > self.deadline.at:
            self.tripped = self.deadline.expired()
        elif int(status.get("downloaded_bytes") or 0) > self.max_bytes:
            self.tripped = LinkTooLarge(self.deadline.url, self.max_bytes)
        if self.tripped is not None:
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
        "format": "bestaudio/best",
        "noplaylist": True,
        "max_filesize": max_bytes,
        "outtmpl": {"default": outtmpl},
        "socket_timeout": timeout_s,
        "ffmpeg_location": ffmpeg_exe(),
        "cachedir": False,
        "restrictfilenames": True,
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "logger": _YtDlpLog(),
    }


def _fetch_from_site(
    url: str, extractor: str, dest_dir: Path, max_bytes: int, timeout_s: float, max_duration_s: float
) -> FetchedMedia:
    from yt_dlp import YoutubeDL

    stem = _new_stem()
    watchdog = _Watchdog(max_bytes, _Deadline(url, timeout_s))
    options = ytdlp_options(extractor, str(dest_dir / f"{stem}.%(ext)s"), max_bytes, timeout_s)
    options["progress_hooks"] = [watchdog]
    try:
        with YoutubeDL(options) as ydl:
            info = _site_info(ydl, url, extractor)
            check_site_info(url, info, max_bytes=max_bytes, max_duration_s=max_duration_s)
            _site_download(ydl, url, info, watchdog)
        return _adopt_download(url, dest_dir, stem, extractor, max_bytes)
    except BaseException:
        for leftover in dest_dir.glob(f"{stem}*"):  # yt-dlp's .part and .ytdl files
            leftover.unlink(missing_ok=True)
        raise


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


def _adopt_download(url: str, dest_dir: Path, stem: str, extractor: str, max_bytes: int) -> FetchedMedia:
    done = [p for p in dest_dir.glob(f"{stem}.*") if p.suffix not in (".part", ".ytdl")]
    if not done:
        # yt-dlp skips, without raising, a file whose announced size is over max_filesize.
        raise LinkTooLarge(url, max_bytes)
    final = dest_dir / f"{stem}{_safe_suffix(done[0].suffix.lstrip('.'))}"
    done[0].replace(final)
    return FetchedMedia(path=final, source=url, kind="link", size_bytes=final.stat().st_size, extractor=extractor)


def _ytdlp_reason(exc: BaseException) -> str:
    text = str(exc).removeprefix("ERROR: ").strip()
    first_line = text.splitlines()[0] if text else "no reason given"
    return first_line.rstrip(".")[:160]
