"""Which addresses a link may lead to: public ones only, whatever way an address is written.

An IPv6 address can carry an IPv4 address inside it. Translation prefixes (IPv4-mapped,
IPv4-compatible, IPv4-translated, NAT64) *are* that IPv4 address on the wire, so only the
IPv4 address is judged. Tunnels (6to4, Teredo, ISATAP) deliver to the IPv4 address they
carry, so the IPv6 address and every IPv4 address inside it must all be public.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.links.urls import IPAddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[IPAddress]]

# Cloud metadata endpoints hand out credentials: refused even inside an allowed network. (168.63.129.16 is
# Azure's host endpoint: a public address, but the machine's own platform service.)
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254", "168.63.129.16")
)
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog", "metadata", "instance-data"})

_V6 = ipaddress.IPv6Network
# Prefixes whose last 32 bits are the IPv4 address the packet goes to.
_TRANSLATION_PREFIXES = (
    _V6("::ffff:0:0/96"),  # IPv4-mapped
    _V6("::/96"),  # IPv4-compatible (deprecated, still routed by some stacks)
    _V6("::ffff:0:0:0/96"),  # IPv4-translated (SIIT)
    _V6("64:ff9b::/96"),  # NAT64 well-known prefix
)
# `::` and `::1` are IPv6's own unspecified and loopback addresses, never IPv4-compatible 0.0.0.0 and
# 0.0.0.1 (RFC 4291 leaves them out of that form): judged, and allowed, as themselves.
_NOT_TRANSLATED = _V6("::/127")
# Local-use NAT64 (RFC 8215) places the IPv4 address by an operator's prefix length, which cannot be
# known from outside: refused whole.
_OPAQUE_TRANSLATION = _V6("64:ff9b:1::/48")
_ISATAP_IDS = (0x0000_5EFE, 0x0200_5EFE)  # interface identifier ::[02]00:5efe:a.b.c.d


def _last_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)


def embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """Every IPv4 address a tunnel (6to4, Teredo, ISATAP) inside `address` would deliver to."""
    found: list[ipaddress.IPv4Address] = []
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)  # (server, client)
    if (int(address) >> 32) & 0xFFFF_FFFF in _ISATAP_IDS:
        found.append(_last_ipv4(address))
    return tuple(found)


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address, not loopback, private, link-local, shared or reserved."""
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


@dataclass(frozen=True)
class AddressGuard:
    """Which addresses a link may lead to: public ones, plus `allowed_networks` (tests, a trusted LAN)."""

    allowed_networks: tuple[Network, ...] = ()

    def permits(self, address: IPAddress) -> bool:
        """True when a connection to `address` is allowed."""
        if not isinstance(address, ipaddress.IPv6Address):
            return self._permits_one(address)
        translated = _translated(address)
        if translated is not None:  # what goes on the wire, so what is judged
            return self._permits_one(translated)
        if address in _OPAQUE_TRANSLATION:
            return False
        return self._permits_one(address) and all(self._permits_one(v4) for v4 in embedded_ipv4(address))

    def permits_host(self, host: str) -> bool:
        """False for host names that reach cloud metadata services whatever they resolve to."""
        return host.rstrip(".").lower() not in METADATA_HOSTS

    def _permits_one(self, address: IPAddress) -> bool:
        if address in METADATA_ADDRESSES:
            return False
        return self._allows(address) or is_public(address)

    def _allows(self, address: IPAddress) -> bool:
        return any(address in network for network in self.allowed_networks)


def _translated(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a translation prefix makes of `address`, None when it has none."""
    if address in _NOT_TRANSLATED or not any(address in prefix for prefix in _TRANSLATION_PREFIXES):
        return None
    return _last_ipv4(address)


PUBLIC_ONLY = AddressGuard()


def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Every address the system resolver gives for `host`."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))


def resolve_within(resolver: Resolver, host: str, port: int, timeout_s: float) -> Sequence[IPAddress] | None:
    """`resolver(host, port)`, or None when it takes longer than `timeout_s` (a lookup cannot be interrupted).

    The lookup runs in a daemon thread so a slow DNS server costs the caller at most `timeout_s`;
    the thread ends when the system resolver gives up.
    """
    outcome: list[Sequence[IPAddress] | BaseException] = []

    def lookup() -> None:
        try:
            outcome.append(resolver(host, port))
        except BaseException as exc:  # handed to the caller below
            outcome.append(exc)

    thread = threading.Thread(target=lookup, name="ganterp-dns", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if not outcome:
        return None
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


class GuardedSockets:
    """Every name lookup in this process answers only with addresses the guard permits.

    For code whose connections ganterp does not make itself (yt-dlp's extractors and
    downloaders): Python's sockets, urllib and urllib3 all resolve through
    `socket.getaddrinfo`, so a lookup that would lead anywhere private fails there, for
    literal addresses and redirects alike, and `refused` records that it happened.
    Installed for a whole child process; `restore` undoes it (tests).
    """

    def __init__(self, guard: AddressGuard) -> None:
        self.guard = guard
        self.refused: str | None = None  # the first host refused
        self._original = socket.getaddrinfo

    def install(self) -> GuardedSockets:
        socket.getaddrinfo = self._getaddrinfo  # type: ignore[assignment]
        return self

    def restore(self) -> None:
        socket.getaddrinfo = self._original

    def _getaddrinfo(self, host: object, port: object, *args: object, **kwargs: object) -> list[object]:
        infos = self._original(host, port, *args, **kwargs)  # type: ignore[arg-type]
        name = host.decode() if isinstance(host, bytes) else str(host)
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        # As for direct links: one bad address refuses the host, whichever a connection would pick.
        if not self.guard.permits_host(name) or not all(self.guard.permits(a) for a in addresses):
            self.refused = self.refused or name
            raise socket.gaierror(socket.EAI_NONAME, "a private, local or cloud-internal address")
        return list(infos)
