"""A direct download over http(s) that no server can stretch past its limits.

Every address the host resolves to is checked (at every redirect, followed by hand), and
the connection goes to an address that was checked, so a second DNS answer cannot swap
in a private one. One deadline bounds the whole download from the DNS lookup to the last
byte: besides socket timeouts, a watchdog shuts the connection down when the deadline
passes, which also stops servers that trickle a status line, headers, chunk sizes or
trailers a byte at a time, or close the connection early (Connection: close). A body
must arrive whole (its Content-Length, or its final chunk) and under the byte cap.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from pipeline.errors import shown
from pipeline.links.errors import HOST_SHOWN_CHARS, LinkRefused, LinkTooLarge, LinkUnreachable, NotMediaLink
from pipeline.links.guard import AddressGuard, Resolver, resolve_within
from pipeline.links.sniff import HEAD_BYTES, UNKNOWN_SUFFIX, looks_like_text, media_suffix
from pipeline.links.urls import IPAddress, Link, parse_link

_CHUNK_BYTES = 64 * 1024
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PRIVATE_ADDRESS = "it leads to a private, local or cloud-internal address"

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
        "application/sdp",
    }
)


def new_stem() -> str:
    """A fresh file name stem for a download: never anything the link or the server chose."""
    return f"link-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class Downloaded:
    """A body saved under a generated name."""

    path: Path
    content_type: str | None
    size_bytes: int


class Deadline:
    """One time limit for a whole download, redirects included."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self.url, self.timeout_s = url, timeout_s
        self.at = time.monotonic() + timeout_s

    def left_s(self) -> float:
        """Seconds left; raises the expiry error once none are."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise self.expired()
        return left

    def expired(self) -> LinkUnreachable:
        """The error of a download that ran out of time."""
        return LinkUnreachable(self.url, f"it did not finish within {self.timeout_s:g} s")


class _Watchdog:
    """Shuts down every socket of a download when its deadline passes, whatever the socket is doing.

    It keeps a duplicate of each socket's descriptor: shutdown() acts on the connection
    itself, so it reaches a socket that http.client has handed to a response (Connection:
    close) or that TLS has wrapped.
    """

    def __init__(self, deadline: Deadline) -> None:
        self._deadline = deadline
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.fired = False
        self._timer = threading.Timer(max(0.0, deadline.at - time.monotonic()), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def watch(self, sock: socket.socket) -> None:
        """Shut `sock` down at the deadline (at once if it already passed)."""
        duplicate = socket.socket(sock.family, sock.type, sock.proto, fileno=_dup(sock))
        with self._lock:
            self._sockets.append(duplicate)
            if self.fired:
                _shutdown(duplicate)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shutdown(sock)

    def failure(self, url: str, exc: BaseException) -> LinkUnreachable:
        """The error to report for `exc` raised while the download ran."""
        if self.fired or isinstance(exc, TimeoutError):
            return self._deadline.expired()
        return _unreachable(url, exc)


def _dup(sock: socket.socket) -> int:
    return os.dup(sock.fileno())


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to `host` (in the Host header) over a socket to an address that was checked."""

    def __init__(self, link: Link, address: IPAddress, deadline: Deadline, watchdog: _Watchdog) -> None:
        super().__init__(link.host, link.port, timeout=deadline.left_s())
        self._address, self._deadline, self._watchdog = address, deadline, watchdog

    def _open_socket(self) -> socket.socket:
        raw = socket.socket(socket.AF_INET6 if self._address.version == 6 else socket.AF_INET, socket.SOCK_STREAM)
        self._watchdog.watch(raw)
        raw.settimeout(self._deadline.left_s())
        try:
            raw.connect((str(self._address), self.port))
        except BaseException:
            raw.close()
            raise
        return raw

    def connect(self) -> None:
        self.sock = self._open_socket()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """HTTPS to `host` (Host header, SNI and certificate name) over a socket to an address that was checked."""

    def __init__(
        self, link: Link, address: IPAddress, deadline: Deadline, watchdog: _Watchdog, tls: ssl.SSLContext
    ) -> None:
        super().__init__(link, address, deadline, watchdog)
        self._tls = tls

    def connect(self) -> None:
        raw = self._open_socket()
        try:
            wrapped = self._tls.wrap_socket(raw, server_hostname=self.host, do_handshake_on_connect=False)
            wrapped.settimeout(self._deadline.left_s())
            wrapped.do_handshake()
        except BaseException:
            raw.close()
            raise
        self.sock = wrapped


@dataclass(frozen=True)
class _Target:
    """A link whose host was resolved and every address checked."""

    link: Link
    addresses: tuple[IPAddress, ...]


@dataclass(frozen=True)
class DownloadLimits:
    """The caps of one download."""

    max_bytes: int
    timeout_s: float
    max_redirects: int = 5


@dataclass
class Downloader:
    """Downloads direct links under the given caps, to the addresses the guard permits."""

    guard: AddressGuard
    resolver: Resolver
    tls: ssl.SSLContext | None = None

    def download(self, url: str, dest_dir: Path, limits: DownloadLimits) -> Downloaded:
        """Follow redirects by hand, checking each hop, and save the media body under a generated name."""
        deadline = Deadline(url, limits.timeout_s)
        current = url
        with _Watchdog(deadline) as watchdog:
            for _ in range(limits.max_redirects + 1):
                target = self._checked(parse_link(current), deadline)
                with self._opened(target, deadline, watchdog) as response:
                    if response.status in _REDIRECT_STATUSES:
                        current = _redirect_location(target.link, response)
                        continue
                    if response.status != 200:
                        status = f"{response.status} {shown(response.reason or '', 40)}".rstrip()
                        raise LinkUnreachable(url, f"the server answered {status}")
                    content_type = _checked_content_type(url, response, limits.max_bytes)
                    return self._save(url, content_type, response, dest_dir, limits.max_bytes, watchdog)
            raise LinkUnreachable(url, f"it redirects more than {limits.max_redirects} times")

    def _checked(self, link: Link, deadline: Deadline) -> _Target:
        if not self.guard.permits_host(link.host):
            raise LinkRefused(link.url, PRIVATE_ADDRESS)
        addresses = self._addresses(link, deadline)
        # One bad address is enough: which one a connection would use is not ours to choose.
        if not all(self.guard.permits(address) for address in addresses):
            raise LinkRefused(link.url, PRIVATE_ADDRESS)
        return _Target(link, addresses)

    def _addresses(self, link: Link, deadline: Deadline) -> tuple[IPAddress, ...]:
        if link.address is not None:
            return (link.address,)
        try:
            found = resolve_within(self.resolver, link.host, link.port, deadline.left_s())
        except (OSError, UnicodeError, ValueError):
            host = shown(link.host, HOST_SHOWN_CHARS)
            raise LinkUnreachable(link.url, f"the host name {host} could not be found") from None
        if found is None:
            raise deadline.expired()
        if not found:
            host = shown(link.host, HOST_SHOWN_CHARS)
            raise LinkUnreachable(link.url, f"the host name {host} could not be found")
        return tuple(found)

    @contextlib.contextmanager
    def _opened(self, target: _Target, deadline: Deadline, watchdog: _Watchdog) -> Iterator[http.client.HTTPResponse]:
        link = target.link
        connection = self._connected(target, deadline, watchdog)
        try:
            try:
                connection.request("GET", link.request_path, headers={"User-Agent": "ganterp", "Accept": "*/*"})
                response = connection.getresponse()
            except (OSError, http.client.HTTPException, ValueError) as exc:
                raise watchdog.failure(link.url, exc) from exc
            yield response
        finally:
            connection.close()

    def _connected(self, target: _Target, deadline: Deadline, watchdog: _Watchdog) -> http.client.HTTPConnection:
        link = target.link
        failure: BaseException | None = None
        for address in target.addresses:
            connection: _PinnedHTTPConnection
            if link.scheme == "https":
                connection = _PinnedHTTPSConnection(link, address, deadline, watchdog, self.tls or _default_tls())
            else:
                connection = _PinnedHTTPConnection(link, address, deadline, watchdog)
            try:
                connection.connect()
                return connection
            except (OSError, ValueError) as exc:
                connection.close()
                failure = exc
        assert failure is not None  # _checked never returns a link without addresses
        raise watchdog.failure(link.url, failure) from failure

    def _save(
        self,
        url: str,
        content_type: str | None,
        response: http.client.HTTPResponse,
        dest_dir: Path,
        max_bytes: int,
        watchdog: _Watchdog,
    ) -> Downloaded:
        partial = dest_dir / f"{new_stem()}.part"
        try:
            size = _copy_body(url, response, partial, max_bytes, watchdog)
            suffix = _checked_media(url, content_type, _head(partial))
            final = partial.with_suffix(suffix)
            partial.replace(final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return Downloaded(final, content_type, size)


def _default_tls() -> ssl.SSLContext:
    return ssl.create_default_context()


def _unreachable(url: str, exc: BaseException) -> LinkUnreachable:
    if isinstance(exc, ConnectionRefusedError):
        return LinkUnreachable(url, "the server refused the connection")
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return LinkUnreachable(url, "its secure connection could not be verified")
    if isinstance(exc, http.client.IncompleteRead):
        return LinkUnreachable(url, "the server stopped before the end of the file")
    if isinstance(exc, http.client.HTTPException):
        return LinkUnreachable(url, "the server's answer was not valid HTTP")
    return LinkUnreachable(url, "the connection failed")


def _redirect_location(link: Link, response: http.client.HTTPResponse) -> str:
    location = response.getheader("Location")
    if not location:
        raise LinkUnreachable(link.url, f"the server answered {response.status} without saying where to go")
    try:
        return urljoin(link.url, location.strip())
    except ValueError:
        raise LinkRefused(link.url, "it redirects to an invalid link") from None


def _checked_content_type(url: str, response: http.client.HTTPResponse, max_bytes: int) -> str | None:
    content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower() or None
    if content_type is not None and not _is_media_type(content_type):
        raise NotMediaLink(url, content_type)
    lengths = {part.strip() for value in response.headers.get_all("Content-Length") or [] for part in value.split(",")}
    if len(lengths) > 1:  # which one http.client would count by is not ours to guess (RFC 9110 §8.6)
        raise LinkUnreachable(url, "the server sent conflicting lengths for the file")
    length = next(iter(lengths), "")
    if length.isdigit() and int(length) > max_bytes:
        raise LinkTooLarge(url, max_bytes)
    return content_type


def _is_media_type(content_type: str) -> bool:
    if content_type in _PLAYLIST_TYPES:
        return False
    major = content_type.split("/")[0]
    return major in ("audio", "video") or content_type in _OPAQUE_TYPES or content_type in _MEDIA_TYPE_SUFFIXES


def _copy_body(url: str, response: http.client.HTTPResponse, partial: Path, max_bytes: int, watchdog: _Watchdog) -> int:
    size = 0
    with partial.open("wb") as out:
        while True:
            try:
                chunk = response.read1(_CHUNK_BYTES)  # read1: a dribbling server still returns to this loop
            except (OSError, http.client.HTTPException, ValueError) as exc:
                raise watchdog.failure(url, exc) from exc
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:  # Content-Length may be absent (chunked) or wrong
                raise LinkTooLarge(url, max_bytes)
            out.write(chunk)
    if watchdog.fired:  # the watchdog's shutdown looks like an ordinary end of the body
        raise watchdog.failure(url, TimeoutError())
    if response.length:  # http.client's count of Content-Length bytes still owed
        raise LinkUnreachable(url, "the server stopped before the end of the file")
    return size


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def _checked_media(url: str, content_type: str | None, head: bytes) -> str:
    """The saved file's suffix; refuses pages, playlists and bodies that are nothing recognisable."""
    if looks_like_text(head):
        raise NotMediaLink(url, "a playlist or a page rather than media")
    sniffed = media_suffix(head)
    if sniffed != UNKNOWN_SUFFIX:
        return sniffed
    if content_type is None or content_type in _OPAQUE_TYPES:
        raise NotMediaLink(url, "an unknown type")
    return _MEDIA_TYPE_SUFFIXES.get(content_type, UNKNOWN_SUFFIX)
