"""Links from an attacker: servers that trickle or lie, malformed links, addresses hidden inside addresses.

The slow servers here are raw sockets on 127.0.0.1 that misbehave in one way each; every
download must end, with one sentence, within its deadline plus a little, and leave nothing.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import PipelineError
from pipeline.links import AddressGuard, LinkRefused, LinkUnreachable, NotMediaLink, fetch_link
from pipeline.links.download import Deadline
from pipeline.links.guard import PUBLIC_ONLY, is_public
from pipeline.links.sites import run_in_child
from pipeline.links.urls import MAX_LINK_CHARS, parse_link, redacted
from tests.pipeline.links.test_links import LOCAL, WAV

DEADLINE_S = 1.0
# A fetch given up at the deadline returns within this, however loaded the machine; every misbehaviour
# below lasts far longer, so returning within it still proves the deadline, not the server, ended the fetch.
BOUND_S = 30.0

# ----------------------------------------------------------------------------- a server that misbehaves


Behaviour = Callable[[socket.socket, threading.Event], None]


def _trickle(conn: socket.socket, stop: threading.Event, data: bytes, every_s: float = 0.25) -> None:
    for byte in data:
        if stop.wait(every_s):
            return
        conn.sendall(bytes([byte]))


def _forever(conn: socket.socket, stop: threading.Event, piece: bytes, every_s: float) -> None:
    while not stop.wait(every_s):
        conn.sendall(piece)


HEAD_CHUNKED = b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\n\r\n"

BEHAVIOURS: dict[str, Behaviour] = {
    # A body sent with Connection: close and no length, a byte at a time: http.client drops the socket.
    "connection-close-body": lambda c, s: (
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nConnection: close\r\n\r\n" + WAV[:64]),
        _forever(c, s, b"\0", 0.05),
    ),
    "status-line-trickled": lambda c, s: _trickle(c, s, b"HTTP/1.1 200 OK" + b" " * 400),
    "header-every-quarter-second": lambda c, s: (
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\n"),
        _forever(c, s, b"X-Pad: y\r\n", 0.25),
    ),
    "header-line-trickled": lambda c, s: (
        c.sendall(b"HTTP/1.1 200 OK\r\n"),
        _trickle(c, s, b"X-Long: " + b"a" * 400),
    ),
    "chunk-size-trickled": lambda c, s: (c.sendall(HEAD_CHUNKED), _trickle(c, s, b"0" * 400)),
    "endless-trailers": lambda c, s: (
        c.sendall(HEAD_CHUNKED + b"%x\r\n" % len(WAV) + WAV + b"\r\n0\r\n"),
        _forever(c, s, b"X-Trailer: y\r\n", 0.05),
    ),
    "keep-alive-dribble": lambda c, s: (
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nContent-Length: 999999\r\n\r\n"),
        _forever(c, s, b"\0", 0.05),
    ),
    "silent-after-accept": lambda c, s: s.wait(10 * BOUND_S),
    # Answers that end early or hide text behind padding.
    "short-body": lambda c, s: c.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nContent-Length: %d\r\n\r\n" % (len(WAV) + 1000) + WAV
    ),
    "short-chunked-body": lambda c, s: c.sendall(HEAD_CHUNKED + b"%x\r\n" % (len(WAV) + 1000) + WAV),
    "two-lengths": lambda c, s: c.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nContent-Length: 10\r\nContent-Length: %d\r\n\r\n" % len(WAV)
        + WAV
    ),
    "padded-playlist": lambda c, s: _send_body(c, b" \r\n" * 300 + b"#EXTM3U\nhttp://10.0.0.1/a.mp3\n", "audio/mpeg"),
    "sdp": lambda c, s: _send_body(c, b"v=0\r\no=- 0 0 IN IP4 10.0.0.1\r\nm=audio 5004 RTP/AVP 0\r\n", "audio/wav"),
    "utf16-playlist": lambda c, s: _send_body(c, "\ufeff#EXTM3U\nhttp://10.0.0.1/\n".encode("utf-16-le"), None),
    "concat-script": lambda c, s: _send_body(c, b"ffconcat version 1.0\nfile secret.wav\n", "audio/mpeg"),
    "html-behind-whitespace": lambda c, s: _send_body(c, b"\n" * 2000 + b"<html>hello</html>", "audio/mpeg"),
}


def _send_body(conn: socket.socket, body: bytes, content_type: str | None) -> None:
    head = b"HTTP/1.1 200 OK\r\n" + (f"Content-Type: {content_type}\r\n".encode() if content_type else b"")
    conn.sendall(head + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)


class Misbehaving:
    """A raw HTTP server on 127.0.0.1 that runs BEHAVIOURS[path] for each request."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, behaviour: str) -> str:
        return f"http://127.0.0.1:{self.port}/{behaviour}"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                data = conn.recv(4096)
                if not data:
                    return
                request += data
            path = request.split(b" ", 2)[1].decode().lstrip("/")
            with contextlib.suppress(OSError):  # the client went away: that is the point
                BEHAVIOURS[path](conn, self.stop)

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


@pytest.fixture
def misbehaving() -> Iterator[Misbehaving]:
    server = Misbehaving()
    yield server
    server.close()


SLOW = [
    "connection-close-body",
    "status-line-trickled",
    "header-every-quarter-second",
    "header-line-trickled",
    "chunk-size-trickled",
    "endless-trailers",
    "keep-alive-dribble",
    "silent-after-accept",
]


@pytest.mark.parametrize("behaviour", SLOW)
def test_one_deadline_bounds_the_download_whatever_the_server_does(
    misbehaving: Misbehaving, tmp_path: Path, behaviour: str
) -> None:
    started = time.monotonic()
    with pytest.raises(LinkUnreachable, match=r"did not finish within 1 s"):
        fetch_link(misbehaving.url(behaviour), tmp_path, guard=LOCAL, timeout_s=DEADLINE_S)
    assert time.monotonic() - started < BOUND_S
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("behaviour", ["short-body", "short-chunked-body"])
def test_a_body_that_ends_early_is_not_kept(misbehaving: Misbehaving, tmp_path: Path, behaviour: str) -> None:
    with pytest.raises(LinkUnreachable, match="stopped before the end of the file"):
        fetch_link(misbehaving.url(behaviour), tmp_path, guard=LOCAL, timeout_s=5)
    assert list(tmp_path.iterdir()) == []


def test_conflicting_lengths_are_refused_not_cut_short(misbehaving: Misbehaving, tmp_path: Path) -> None:
    with pytest.raises(LinkUnreachable, match="conflicting lengths"):
        fetch_link(misbehaving.url("two-lengths"), tmp_path, guard=LOCAL, timeout_s=5)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "behaviour", ["padded-playlist", "sdp", "utf16-playlist", "concat-script", "html-behind-whitespace"]
)
def test_text_that_ffmpeg_would_follow_is_refused_however_it_starts(
    misbehaving: Misbehaving, tmp_path: Path, behaviour: str
) -> None:
    with pytest.raises(NotMediaLink, match="a playlist or a page"):
        fetch_link(misbehaving.url(behaviour), tmp_path, guard=LOCAL, timeout_s=5)
    assert list(tmp_path.iterdir()) == []


def test_a_slow_dns_answer_counts_against_the_deadline(tmp_path: Path) -> None:
    answer = threading.Event()

    def slow_resolver(host: str, port: int) -> list[ipaddress.IPv4Address]:
        answer.wait(10 * BOUND_S)  # answers only once the test is over
        return [ipaddress.IPv4Address("93.184.216.34")]

    started = time.monotonic()
    try:
        with pytest.raises(LinkUnreachable, match="did not finish within 1 s"):
            fetch_link("http://slow-dns.test/a.wav", tmp_path, timeout_s=DEADLINE_S, resolver=slow_resolver)
        assert time.monotonic() - started < BOUND_S
    finally:
        answer.set()


def test_a_known_site_download_runs_in_a_child_killed_at_the_deadline() -> None:
    started = time.monotonic()
    with pytest.raises(LinkUnreachable, match="did not finish within 1 s"):
        run_in_child(time.sleep, (10 * BOUND_S,), Deadline("https://youtu.be/x", DEADLINE_S))
    assert time.monotonic() - started < BOUND_S  # a fresh interpreter starts, then is killed


def test_a_refusal_raised_in_the_child_arrives_whole() -> None:
    with pytest.raises(LinkRefused, match="only http and https links are accepted") as refused:
        run_in_child(parse_link, ("ftp://example.com/a.mp3",), Deadline("ftp://example.com/a.mp3", 30))
    assert refused.value.url == "ftp://example.com/a.mp3"


# ----------------------------------------------------------------------------- https, pinned and bounded


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=media.test", "-addext", "subjectAltName=DNS:media.test"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _tls_server(cert: Path, key: Path, body: Callable[[ssl.SSLSocket], None]) -> tuple[int, Callable[[], None]]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
                conn = context.wrap_socket(raw, server_side=True)
                conn.recv(4096)
                body(conn)
                conn.close()
            except OSError:
                continue

    threading.Thread(target=serve, daemon=True).start()

    def close() -> None:
        stop.set()
        listener.close()

    return listener.getsockname()[1], close


def test_https_goes_to_the_checked_address_and_checks_the_certificate_name(
    certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    cert, key = certificate
    port, close = _tls_server(cert, key, lambda c: _send_body(c, WAV, "audio/wav"))  # type: ignore[arg-type]
    trusted = ssl.create_default_context(cafile=str(cert))
    resolver = lambda host, p: [ipaddress.IPv4Address("127.0.0.1")]  # noqa: E731
    try:
        media = fetch_link(f"https://media.test:{port}/a.wav", tmp_path, guard=LOCAL, resolver=resolver, tls=trusted)
        assert media.path.read_bytes() == WAV
        with pytest.raises(LinkUnreachable, match="secure connection could not be verified"):
            fetch_link(f"https://127.0.0.1:{port}/a.wav", tmp_path, guard=LOCAL, tls=trusted)  # wrong name
    finally:
        close()


def test_https_that_trickles_is_bounded_too(certificate: tuple[Path, Path], tmp_path: Path) -> None:
    cert, key = certificate
    stop = threading.Event()
    port, close = _tls_server(cert, key, lambda c: _trickle(c, stop, b"HTTP/1.1 200 OK" + b" " * 400))  # type: ignore[arg-type]
    trusted = ssl.create_default_context(cafile=str(cert))
    resolver = lambda host, p: [ipaddress.IPv4Address("127.0.0.1")]  # noqa: E731
    started = time.monotonic()
    try:
        with pytest.raises(LinkUnreachable, match="did not finish within 1 s"):
            fetch_link(
                f"https://media.test:{port}/",
                tmp_path,
                guard=LOCAL,
                resolver=resolver,
                tls=trusted,
                timeout_s=DEADLINE_S,
            )
        assert time.monotonic() - started < BOUND_S
    finally:
        stop.set()
        close()


# ----------------------------------------------------------------------------- malformed links


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1", "not a valid link"),
        ("http://[127.0.0.1]:80/", "not a valid link"),
        ("http://example.com\uff0fclip.mp3", "not a valid link"),  # full-width solidus
        ("http://example.com\uff03clip.mp3", "not a valid link"),  # full-width number sign
        ("http://example.com:99999/a.mp3", "not a valid link"),
        ("http://example.com:0/a.mp3", "port"),
        ("http://exa mple.com/a.mp3", "spaces or control characters"),
        ("http://\x00example.com/a.mp3", "spaces or control characters"),
        ("http://ex.com\\@evil.com/a.mp3", "user name or password"),
        ("http://" + "a" * 70 + ".com/", "host name is not valid"),  # a label over 63 characters
        ("http://a..b/", "host name is not valid"),
        ("http://-bad.com/", "host name is not valid"),
    ],
)
def test_a_malformed_link_is_refused_in_one_sentence(tmp_path: Path, url: str, reason: str) -> None:
    with pytest.raises(LinkRefused, match=reason):
        fetch_link(url, tmp_path, resolver=lambda host, port: [])


def test_a_huge_host_name_is_never_echoed_whole(tmp_path: Path) -> None:
    host = "a" * 60 + "." + ("b" * 60 + ".") * 1900 + "com"  # 120,000 characters
    with pytest.raises(LinkRefused) as refused:
        fetch_link(f"http://{host}/a.mp3", tmp_path)
    assert f"longer than {MAX_LINK_CHARS} characters" in str(refused.value)
    assert len(str(refused.value)) < 200


def test_a_host_that_does_not_resolve_is_named_but_cut(tmp_path: Path) -> None:
    host = ".".join(["abcdefghij"] * 20) + ".test"  # 225 characters, valid
    with pytest.raises(LinkUnreachable, match="could not be found") as failed:
        fetch_link(f"http://{host}/a.mp3", tmp_path, resolver=_no_such_host)
    assert len(str(failed.value)) < 250


def _no_such_host(host: str, port: int) -> list[ipaddress.IPv4Address]:
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:hunter2@example.com/w/{model}", "https://***@example.com/w/{model}"),
        ("https://token@example.com/a", "https://***@example.com/a"),
        ("https://example.com/a", "https://example.com/a"),
    ],
)
def test_credentials_in_a_url_are_redacted_for_logs(url: str, shown: str) -> None:
    assert redacted(url) == shown


# ----------------------------------------------------------------------------- addresses inside addresses


@pytest.mark.parametrize(
    "address",
    [
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of the metadata address
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "2001:db8::5efe:a00:1",  # ISATAP interface of 10.0.0.1
        "2606:4700::5efe:7f00:1",  # ISATAP of 127.0.0.1 under a public prefix
        "::a00:1",  # IPv4-compatible 10.0.0.1
        "::ffff:0:7f00:1",  # IPv4-translated 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of the metadata address
        "64:ff9b:1::1:2:3",  # local-use NAT64: where its IPv4 address sits is the operator's choice
        "::ffff:169.254.169.254",
    ],
)
def test_addresses_hidden_inside_ipv6_are_refused(address: str) -> None:
    assert not PUBLIC_ONLY.permits(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["2002:5db8:d822::1", "::ffff:93.184.216.34", "64:ff9b::5db8:d822"])
def test_public_addresses_inside_ipv6_stay_permitted(address: str) -> None:
    assert PUBLIC_ONLY.permits(ipaddress.ip_address(address))


def test_a_6to4_link_to_loopback_is_refused_before_any_connection(tmp_path: Path) -> None:
    with pytest.raises(LinkRefused, match="private, local or cloud-internal"):
        fetch_link("http://[2002:7f00:1::1]/a.wav", tmp_path)


# ----------------------------------------------------------------------------- properties


NON_PUBLIC_V4 = st.sampled_from(
    ["127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10",
     "0.0.0.0/8", "224.0.0.0/4", "240.0.0.0/4", "192.0.2.0/24", "198.18.0.0/15"]
).flatmap(
    lambda net: st.integers(0, ipaddress.IPv4Network(net).num_addresses - 1).map(
        lambda i: ipaddress.IPv4Network(net).network_address + i
    )
)  # fmt: skip


def _embeddings(v4: ipaddress.IPv4Address, prefix: int) -> list[ipaddress.IPv6Address]:
    value = int(v4)
    return [
        ipaddress.IPv6Address((0xFFFF << 32) | value),  # mapped
        ipaddress.IPv6Address(value),  # compatible
        ipaddress.IPv6Address((0xFFFF << 48) | value),  # translated
        ipaddress.IPv6Address((0x64FF9B << 96) | value),  # NAT64
        ipaddress.IPv6Address((0x2002 << 112) | (value << 80) | (prefix & 0xFFFF)),  # 6to4
        ipaddress.IPv6Address((prefix << 64) | (0x5EFE << 32) | value),  # ISATAP
        ipaddress.IPv6Address((0x20010000 << 96) | (value << 64) | (0xFFFFFFFF ^ value)),  # Teredo
    ]


@given(NON_PUBLIC_V4, st.integers(0, 2**64 - 1))
def test_no_embedding_of_a_private_ipv4_address_is_permitted(v4: ipaddress.IPv4Address, prefix: int) -> None:
    assert not PUBLIC_ONLY.permits(v4)
    for v6 in _embeddings(v4, prefix):
        assert not PUBLIC_ONLY.permits(v6), v6


@given(st.ip_addresses())
def test_what_the_guard_permits_is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    if PUBLIC_ONLY.permits(address) and isinstance(address, ipaddress.IPv4Address):
        assert is_public(address)
    if PUBLIC_ONLY.permits(address):
        assert not (address.is_loopback or address.is_private or address.is_link_local or address.is_multicast)


URLISH = st.text(
    alphabet=st.sampled_from([*"htps:/[]@%#?.:-_~!$&'()*+,;=0123456789abcxyzABC \t\x00\\", "\uff0f", "é", "ǅ"]),
    max_size=60,
).map(lambda tail: "http://" + tail)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(URLISH, st.text(max_size=80)))
def test_any_text_is_a_link_or_one_refusal(text: str) -> None:
    """Whatever a user types, the link check answers with a typed refusal, never a crash."""
    try:
        link = parse_link(text)
    except LinkRefused as refused:
        assert len(refused.user_message()) < 250
    else:
        assert link.scheme in ("http", "https") and link.host and 0 < link.port < 65536


@settings(max_examples=150, deadline=None)
@given(URLISH)
def test_fetching_any_text_fails_with_a_pipeline_error(text: str) -> None:
    guard = AddressGuard()  # nothing local is reachable, so nothing here can connect
    with pytest.raises(PipelineError):
        fetch_link(text, Path("/nonexistent"), guard=guard, resolver=_no_such_host, timeout_s=2)
