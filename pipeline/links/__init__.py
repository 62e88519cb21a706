"""A link → a local media file, with the guards a public bot needs.

Anyone may hand the bot a link, so a link must not become a way into the machine: text
from a chat user is an http(s) link or nothing (`fetch_link` never reads it as a path),
and a link must not become a way into the machine's own network. One concern per room:

- `urls`: what counts as a link, parsing it without surprises, redacting it for logs;
- `guard`: which addresses a link may lead to (public only, however an address is written);
- `download`: the capped http(s) client (one deadline, byte cap, pinned connections);
- `sniff`: whether a body is media, from its first bytes;
- `sites`: the few known sites, through yt-dlp in a child process.

Only the command line's own arguments may be paths (`local_media`).
"""

from __future__ import annotations

import contextlib
import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipeline.links.download import Downloader, DownloadLimits
from pipeline.links.errors import LinkRefused, LinkTooLarge, LinkUnreachable, NotALink, NotMediaLink
from pipeline.links.guard import PUBLIC_ONLY, AddressGuard, Resolver, system_resolver
from pipeline.links.sites import fetch_from_site, site_extractor
from pipeline.links.urls import looks_like_link, parse_link, redacted

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DURATION_S",
    "DEFAULT_TIMEOUT_S",
    "PUBLIC_ONLY",
    "AddressGuard",
    "FetchedMedia",
    "LinkRefused",
    "LinkTooLarge",
    "LinkUnreachable",
    "NotALink",
    "NotMediaLink",
    "fetch_link",
    "local_media",
    "looks_like_link",
    "redacted",
]

DEFAULT_MAX_BYTES = 200 * 2**20
DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MAX_DURATION_S = 600.0
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class FetchedMedia:
    """A local media file, and where it came from."""

    path: Path
    source: str  # the path or link as the user gave it
    kind: Literal["link", "file"]
    content_type: str | None = None
    size_bytes: int | None = None
    extractor: str | None = None  # the yt-dlp extractor for a known site, None for a direct link


def fetch_link(
    text: str,
    dest_dir: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_duration_s: float = DEFAULT_MAX_DURATION_S,
    max_redirects: int = MAX_REDIRECTS,
    guard: AddressGuard = PUBLIC_ONLY,
    resolver: Resolver = system_resolver,
    tls: ssl.SSLContext | None = None,
) -> FetchedMedia:
    """Download the http(s) link in `text` into `dest_dir`; any other text is refused, never read as a path."""
    url = text.strip().removeprefix("<").removesuffix(">")  # Discord's <link> form that hides the preview
    if not looks_like_link(url):
        raise NotALink(text.strip())
    link = parse_link(url)
    extractor = site_extractor(link.url)
    if extractor is not None:
        site = fetch_from_site(
            url,
            extractor,
            dest_dir,
            max_bytes=max_bytes,
            timeout_s=timeout_s,
            max_duration_s=max_duration_s,
            guard=guard,
        )
        return FetchedMedia(site.path, url, "link", size_bytes=site.size_bytes, extractor=extractor)
    downloader = Downloader(guard, resolver, tls)
    body = downloader.download(url, dest_dir, DownloadLimits(max_bytes, timeout_s, max_redirects))
    return FetchedMedia(body.path, url, "link", content_type=body.content_type, size_bytes=body.size_bytes)


@contextlib.contextmanager
def local_media(
    source: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_duration_s: float = DEFAULT_MAX_DURATION_S,
    guard: AddressGuard = PUBLIC_ONLY,
) -> Iterator[FetchedMedia]:
    """The command line's own argument: a path passes through untouched, a link is fetched into a temporary folder."""
    if not looks_like_link(source):
        yield FetchedMedia(path=Path(source), source=source, kind="file")
        return
    with tempfile.TemporaryDirectory(prefix="ganterp-link-") as folder:
        yield fetch_link(
            source, Path(folder), max_bytes=max_bytes, timeout_s=timeout_s, max_duration_s=max_duration_s, guard=guard
        )
