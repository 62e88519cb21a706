"""The form of a link: what counts as one, parsing it without surprises, and hiding its secrets in logs.

Anything a chat user types reaches this module as text. It becomes a `Link` only when it is
an http(s) URL of sane length whose every part parses; otherwise it is refused in one
sentence. Python's URL parser raises a bare ValueError on some inputs (an unclosed IPv6
bracket, an IPv4 address in brackets, full-width look-alikes of "/" or "#"), so every
access to a parsed part happens inside one guarded function.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import SplitResult, quote, urlsplit, urlunsplit

from pipeline.links.errors import LinkRefused

MAX_LINK_CHARS = 2048  # longer is not a link anyone pastes; it is a probe
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_HOST = re.compile(r"^[a-z0-9_.-]{1,253}$")  # an ASCII (IDNA) host name
# Characters that may stay as they are in a request path; anything else is percent-encoded.
_PATH_SAFE = "/?&=%:@!$'()*+,;~-._[]"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Link:
    """A parsed http(s) link: what to connect to and what to ask for."""

    url: str
    scheme: str  # http or https
    host: str  # ASCII, lower case: the Host header and the TLS name
    port: int
    request_path: str  # path and query, percent-encoded; never the fragment
    address: IPAddress | None  # the host when it is written as an address


def looks_like_link(text: str) -> bool:
    """True when `text` is written as a URL (scheme://…) rather than a file path."""
    return bool(_SCHEME.match(text))


def parse_link(url: str) -> Link:
    """The parts of an http(s) link, or LinkRefused saying in one sentence what is wrong with it."""
    if len(url) > MAX_LINK_CHARS:
        raise LinkRefused(url, f"it is longer than {MAX_LINK_CHARS} characters")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise LinkRefused(url, "it contains spaces or control characters")
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port
    except ValueError:  # malformed brackets, look-alike characters, a port out of range
        raise LinkRefused(url, "it is not a valid link") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise LinkRefused(url, "only http and https links are accepted")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise LinkRefused(url, "links with a user name or password are not accepted")
    if not hostname:
        raise LinkRefused(url, "it has no host name")
    host, address = _host(url, hostname)
    if port == 0:
        raise LinkRefused(url, "its port is not a number from 1 to 65535")
    return Link(url, scheme, host, port or (443 if scheme == "https" else 80), _request_path(parts), address)


def _host(url: str, hostname: str) -> tuple[str, IPAddress | None]:
    try:
        address = ipaddress.ip_address(hostname)
    except ValueError:
        pass
    else:
        return str(address), address
    try:
        host = hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise LinkRefused(url, "its host name is not valid") from None
    if not _HOST.match(host) or ".." in host or host.startswith(("-", ".")):
        raise LinkRefused(url, "its host name is not valid")
    return host, None


def _request_path(parts: SplitResult) -> str:
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return quote(path, safe=_PATH_SAFE)


def redacted(url: str) -> str:
    """`url` fit for a log line: any user name and password replaced, whatever the scheme."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<an unparsable URL>"
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))
