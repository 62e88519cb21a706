"""Links → local files: direct downloads against a real local HTTP server, the address guard, yt-dlp routing."""

from __future__ import annotations

import http.server
import io
import ipaddress
import math
import struct
import threading
import time
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main
from pipeline.errors import AudioTooLong
from pipeline.links import (
    PUBLIC_ONLY,
    AddressGuard,
    LinkRefused,
    LinkTooLarge,
    LinkUnreachable,
    NotALink,
    NotMediaLink,
    fetch_link,
    local_media,
)
from pipeline.links.sites import check_site_info, download_from_site, site_extractor, ytdlp_options
from pipeline.links.urls import IPAddress
from pipeline.media.audio import decode_audio

# The test server listens on 127.0.0.1 only; every other private address stays forbidden.
LOCAL = AddressGuard(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),))


def wav_bytes(seconds: float = 1.5, rate: int = 44_100) -> bytes:
    """A mono 16-bit WAV of a 440 Hz tone."""
    frames = b"".join(
        struct.pack("<h", int(12_000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(int(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


WAV = wav_bytes()
# A fetch given up at its deadline returns within this on a loaded machine; a slow server outlasts it.
BOUND_S = 30.0


@dataclass
class Served:
    """The running test server: its base URL and what it saw."""

    base: str
    hosts: list[str] = field(default_factory=list)  # the Host header of every request
    paths: list[str] = field(default_factory=list)
    stopped: threading.Event = field(default_factory=threading.Event)  # set when the test is over


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked bodies need it
    served: Served

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.served.hosts.append(self.headers.get("Host", ""))
        self.served.paths.append(self.path)
        route = self.path.split("?")[0]
        if route.startswith("/hop/"):
            left = int(route.removeprefix("/hop/"))
            self._redirect(f"/hop/{left - 1}" if left > 1 else "/clip.wav")
        elif route == "/to":
            self._redirect(self.path.split("?", 1)[1])
        else:
            ROUTES.get(route, _not_found)(self)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def body(self, data: bytes, content_type: str | None, length: int | None = None) -> None:
        self.send_response(200)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data) if length is None else length))
        self.end_headers()
        self.wfile.write(data)

    def chunked(self, data: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for start in range(0, len(data), 1000):
            piece = data[start : start + 1000]
            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def dribble(self, stall: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "audio/mpeg")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        for _ in range(round(2 * BOUND_S / 0.1)):  # far longer than BOUND_S; stops when the test is over
            if self.served.stopped.wait(0.1):
                return
            if not stall:
                try:
                    self.wfile.write(b"\xff")
                    self.wfile.flush()
                except BrokenPipeError:  # the client gave up, as it should
                    return


def _not_found(handler: _Handler) -> None:
    handler.send_error(404, "Not Found")


ROUTES: dict[str, Callable[[_Handler], None]] = {
    "/clip.wav": lambda h: h.body(WAV, "audio/wav"),
    "/download": lambda h: h.body(WAV, "application/octet-stream"),
    "/untyped": lambda h: h.body(WAV, None),
    "/untyped-page": lambda h: h.body(b"<!doctype html><p>hello</p>", None),
    "/untyped-noise": lambda h: h.body(bytes(range(256)) * 4, None),
    "/page.html": lambda h: h.body(b"<!doctype html><p>hello</p>", "text/html; charset=utf-8"),
    "/big.mp3": lambda h: h.body(b"\xff" * 5000, "audio/mpeg"),
    "/chunked-big.mp3": lambda h: h.chunked(b"\xff" * 5000, "audio/mpeg"),
    "/chunked-clip.wav": lambda h: h.chunked(WAV, "audio/x-wav"),
    "/slow.mp3": lambda h: h.dribble(stall=False),
    "/stall.mp3": lambda h: h.dribble(stall=True),
    "/loop": lambda h: h._redirect("/loop"),
    "/list.m3u": lambda h: h.body(b"#EXTM3U\nhttp://10.0.0.1/a.mp3\n", "audio/x-mpegurl"),
    "/list-opaque": lambda h: h.body(b"\xef\xbb\xbf#EXTM3U\nhttp://10.0.0.1/a.mp3\n", "application/octet-stream"),
    "/manifest": lambda h: h.body(b'<?xml version="1.0"?><MPD></MPD>', "video/mp4"),
}


@pytest.fixture
def server() -> Iterator[Served]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    served = Served(f"http://127.0.0.1:{httpd.server_address[1]}")
    _Handler.served = served
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield served
    served.stopped.set()
    httpd.shutdown()
    httpd.server_close()


def leftovers(folder: Path) -> list[Path]:
    return sorted(folder.iterdir())


# ----------------------------------------------------------------------------- direct downloads


def test_an_audio_link_is_downloaded_under_a_name_of_our_own(server: Served, tmp_path: Path) -> None:
    media = fetch_link(f"{server.base}/clip.wav?name=../../evil", tmp_path, guard=LOCAL)
    assert media.kind == "link" and media.content_type == "audio/wav" and media.size_bytes == len(WAV)
    assert media.path.parent == tmp_path and media.path.name.startswith("link-") and media.path.suffix == ".wav"
    assert media.path.read_bytes() == WAV
    assert leftovers(tmp_path) == [media.path]  # no .part left behind
    assert decode_audio(media.path).duration_s == pytest.approx(1.5, abs=0.01)


@pytest.mark.parametrize(("path", "content_type"), [("/download", "application/octet-stream"), ("/untyped", None)])
def test_an_opaque_or_untyped_body_is_kept_when_it_looks_like_media(
    server: Served, tmp_path: Path, path: str, content_type: str | None
) -> None:
    media = fetch_link(server.base + path, tmp_path, guard=LOCAL)
    assert media.content_type == content_type and media.path.suffix == ".wav"  # sniffed from RIFF....WAVE


def test_a_chunked_body_within_the_cap_is_downloaded(server: Served, tmp_path: Path) -> None:
    assert fetch_link(f"{server.base}/chunked-clip.wav", tmp_path, guard=LOCAL).path.read_bytes() == WAV


@pytest.mark.parametrize("path", ["/big.mp3", "/chunked-big.mp3"])  # Content-Length first, then counted bytes
def test_a_body_over_the_byte_cap_is_refused_and_removed(server: Served, tmp_path: Path, path: str) -> None:
    with pytest.raises(LinkTooLarge, match="larger than the download limit"):
        fetch_link(server.base + path, tmp_path, guard=LOCAL, max_bytes=3000)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("path", ["/slow.mp3", "/stall.mp3"])
def test_the_time_limit_covers_the_whole_download(server: Served, tmp_path: Path, path: str) -> None:
    started = time.monotonic()
    with pytest.raises(LinkUnreachable, match=r"did not finish within 0\.5 s"):
        fetch_link(server.base + path, tmp_path, guard=LOCAL, timeout_s=0.5)
    assert time.monotonic() - started < BOUND_S, "the deadline ended it, not the server"
    assert leftovers(tmp_path) == []


def test_an_error_status_is_unreachable(server: Served, tmp_path: Path) -> None:
    with pytest.raises(LinkUnreachable, match="the server answered 404"):
        fetch_link(f"{server.base}/missing.wav", tmp_path, guard=LOCAL)


def test_a_closed_port_is_unreachable(tmp_path: Path) -> None:
    with pytest.raises(LinkUnreachable, match="refused the connection"):
        fetch_link("http://127.0.0.1:9/clip.wav", tmp_path, guard=LOCAL)


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/page.html", "text/html"),
        ("/untyped-page", "a playlist or a page"),
        ("/untyped-noise", "an unknown type"),
        ("/list.m3u", "audio/x-mpegurl"),  # ffmpeg would follow its URLs past the guard
        ("/list-opaque", "a playlist or a page"),
        ("/manifest", "a playlist or a page"),
    ],
)
def test_a_web_page_is_not_media(server: Served, tmp_path: Path, path: str, said: str) -> None:
    with pytest.raises(NotMediaLink, match=f"not an audio or video file .the server says it is {said}"):
        fetch_link(server.base + path, tmp_path, guard=LOCAL)
    assert leftovers(tmp_path) == []


def test_a_redirect_chain_is_followed(server: Served, tmp_path: Path) -> None:
    url = f"{server.base}/hop/4"
    media = fetch_link(url, tmp_path, guard=LOCAL)
    assert media.source == url and media.path.read_bytes() == WAV
    assert server.paths == ["/hop/4", "/hop/3", "/hop/2", "/hop/1", "/clip.wav"]


def test_too_many_redirects_are_unreachable(server: Served, tmp_path: Path) -> None:
    with pytest.raises(LinkUnreachable, match="redirects more than 5 times"):
        fetch_link(f"{server.base}/loop", tmp_path, guard=LOCAL)
    assert len(server.paths) == 6


@pytest.mark.parametrize(
    "forbidden",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/clip.wav",
        "http://127.0.0.2/clip.wav",
        "http://[::1]/clip.wav",
        "http://metadata.google.internal/computeMetadata/v1/",
        "file:///etc/passwd",
    ],
)
def test_a_redirect_to_a_forbidden_address_is_refused(server: Served, tmp_path: Path, forbidden: str) -> None:
    with pytest.raises(LinkRefused, match="was refused"):
        fetch_link(f"{server.base}/to?{forbidden}", tmp_path, guard=LOCAL)
    assert server.paths == [f"/to?{forbidden}"]  # the allowed first hop only


# ----------------------------------------------------------------------------- the address guard


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/clip.wav",  # the live server: refused without a connection
        "http://localhost:{port}/clip.wav",
        "http://10.1.2.3/clip.wav",
        "http://192.168.1.1/clip.wav",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/clip.wav",
        "http://[::ffff:127.0.0.1]/clip.wav",
        "http://[fd00:ec2::254]/",
        "http://168.63.129.16/machine?comp=goalstate",  # Azure's host endpoint: public, yet the platform's own
        "http://[fe80::1]/",
        "http://0.0.0.0/clip.wav",
        "http://224.0.0.1/clip.wav",
        "http://100.64.0.1/clip.wav",
        "http://metadata.google.internal/",
    ],
)
def test_the_guard_refuses_private_addresses(server: Served, tmp_path: Path, url: str) -> None:
    port = server.base.rsplit(":", 1)[1]
    with pytest.raises(LinkRefused, match="private, local or cloud-internal address"):
        fetch_link(url.format(port=port), tmp_path)
    assert server.paths == []


def test_metadata_addresses_stay_refused_inside_an_allowed_network(tmp_path: Path) -> None:
    guard = AddressGuard(allowed_networks=(ipaddress.ip_network("169.254.0.0/16"),))
    assert guard.permits(ipaddress.ip_address("169.254.1.1"))
    with pytest.raises(LinkRefused):
        fetch_link("http://169.254.169.254/latest/meta-data/", tmp_path, guard=guard)


@pytest.mark.parametrize(
    ("address", "public"),
    [("93.184.216.34", True), ("2606:4700::1111", True), ("172.16.0.1", False), ("64:ff9b::a00:1", False)],
)
def test_public_only_permits_public_addresses(address: str, public: bool) -> None:
    assert PUBLIC_ONLY.permits(ipaddress.ip_address(address)) is public


class FakeDNS:
    """A resolver with fixed answers that counts its questions."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers, self.asked = answers, 0

    def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.asked += 1
        return [ipaddress.ip_address(a) for a in self.answers[host]]


def test_a_host_is_refused_when_any_of_its_addresses_is_private(tmp_path: Path) -> None:
    dns = FakeDNS({"cdn.test": ["93.184.216.34", "10.0.0.7"]})
    with pytest.raises(LinkRefused):
        fetch_link("http://cdn.test/clip.wav", tmp_path, resolver=dns)


def test_the_connection_goes_to_the_checked_address_with_the_host_name(server: Served, tmp_path: Path) -> None:
    port = server.base.rsplit(":", 1)[1]
    dns = FakeDNS({"media.test": ["127.0.0.1"]})
    media = fetch_link(f"http://media.test:{port}/clip.wav", tmp_path, guard=LOCAL, resolver=dns)
    assert media.path.read_bytes() == WAV
    assert dns.asked == 1  # resolved once: no second answer can differ from the one checked
    assert server.hosts == [f"media.test:{port}"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/clip.mp3", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("http://user:secret@example.com/clip.mp3", "user name or password"),
        ("http://@example.com/clip.mp3", "user name or password"),
        ("http:///clip.mp3", "no host name"),
    ],
)
def test_links_of_the_wrong_form_are_refused(tmp_path: Path, url: str, reason: str) -> None:
    with pytest.raises(LinkRefused, match=reason):
        fetch_link(url, tmp_path, resolver=FakeDNS({}))


# ----------------------------------------------------------------------------- paths and the temporary folder


@pytest.mark.parametrize("path", ["song.mp3", "/music/a b.wav", "clips/x.webm", "C:\\music\\song.mp3"])
def test_the_command_lines_own_paths_pass_through(path: str) -> None:
    with local_media(path) as media:
        assert media.kind == "file" and media.path == Path(path) and media.source == path


@pytest.mark.parametrize(
    "text",
    ["/etc/passwd", "../../data/ganterp.db", "song.mp3", "~/music/a.wav", "/definitely/missing.wav", "C:\\x.mp3",
     "file:/etc/passwd", "data:audio/wav;base64,AAAA", "javascript:alert(1)", ""],
)  # fmt: skip
def test_text_from_a_chat_user_is_never_a_path(tmp_path: Path, text: str) -> None:
    with pytest.raises(NotALink) as refused:
        fetch_link(text, tmp_path)
    # The same sentence whether the path exists or not: a refusal must not tell what is on the disk.
    said = "that is not a link; give an http or https link to an audio or video file."
    assert refused.value.user_message() == said
    assert leftovers(tmp_path) == []


def test_local_media_removes_the_download_afterwards(server: Served) -> None:
    with local_media(f"{server.base}/clip.wav", guard=LOCAL) as media:
        assert media.path.read_bytes() == WAV
        folder = media.path.parent
    assert not folder.exists()


# ----------------------------------------------------------------------------- known sites (no network)


@pytest.mark.parametrize(
    ("url", "extractor"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "Youtube"),
        ("https://youtu.be/dQw4w9WgXcQ", "Youtube"),
        ("https://music.youtube.com/watch?v=dQw4w9WgXcQ", "Youtube"),
        ("https://soundcloud.com/artist/a-track", "Soundcloud"),
        ("https://artist.bandcamp.com/track/a-song", "Bandcamp"),
        ("https://vimeo.com/76979871", "Vimeo"),
        ("https://x.com/someone/status/1234567890", "Twitter"),
        ("https://twitter.com/someone/status/1234567890", "Twitter"),
        ("https://example.com/clip.mp3", None),
        ("https://notyoutube.com/watch?v=dQw4w9WgXcQ", None),
        ("https://youtube.com.evil.test/watch?v=dQw4w9WgXcQ", None),
    ],
)
def test_known_sites_go_to_their_own_extractor(url: str, extractor: str | None) -> None:
    assert site_extractor(url) == extractor


@pytest.fixture
def ytdlp_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Record YoutubeDL's network steps; extraction answers with a one-hour video."""
    import yt_dlp

    calls: list[tuple[str, Any]] = []

    def extract_info(self: Any, url: str, download: bool = True, ie_key: str | None = None, **_: Any) -> Any:
        calls.append(("extract_info", (url, download, ie_key)))
        return {"_type": "video", "extractor_key": ie_key, "duration": 3600, "title": "long"}

    def process_ie_result(self: Any, info: Any, download: bool = True, **_: Any) -> Any:
        calls.append(("process_ie_result", download))
        raise AssertionError("a refused link must not be downloaded")

    monkeypatch.setattr(yt_dlp.YoutubeDL, "extract_info", extract_info)
    monkeypatch.setattr(yt_dlp.YoutubeDL, "process_ie_result", process_ie_result)
    return calls


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/playlist?list=PL59FEE129ADFF2B12",
        "https://www.youtube.com/@somechannel",
        "https://soundcloud.com/artist/sets/an-album",
        "https://artist.bandcamp.com/album/an-album",
    ],
)
def test_playlists_of_known_sites_are_refused_before_yt_dlp_runs(
    ytdlp_calls: list[tuple[str, Any]], tmp_path: Path, url: str
) -> None:
    with pytest.raises(LinkRefused, match="only a single track or video"):
        fetch_link(url, tmp_path)
    assert ytdlp_calls == []


def test_a_known_site_link_is_extracted_with_its_extractor_only_and_checked_before_download(
    ytdlp_calls: list[tuple[str, Any]], tmp_path: Path
) -> None:
    url = "https://youtu.be/dQw4w9WgXcQ"
    with pytest.raises(AudioTooLong):
        download_from_site(url, "Youtube", tmp_path, 10**6, 10.0, 600.0, PUBLIC_ONLY)
    assert ytdlp_calls == [("extract_info", (url, False, "Youtube"))]
    assert leftovers(tmp_path) == []


def test_yt_dlp_is_given_no_generic_extractor(tmp_path: Path) -> None:
    from yt_dlp import YoutubeDL
    from yt_dlp.utils import DownloadError

    options = ytdlp_options("Youtube", str(tmp_path / "x.%(ext)s"), max_bytes=1000, timeout_s=1)
    assert options["external_downloader"] == "native" and options["noplaylist"] and options["max_filesize"] == 1000
    with YoutubeDL(options) as ydl:
        # With every other extractor left out, any page that is not YouTube fails here, before a connection.
        for ie_key in (None, "Generic"):
            with pytest.raises(DownloadError, match="No suitable extractor"):
                ydl.extract_info("https://example.com/page.html", download=False, ie_key=ie_key)


def site_answering(monkeypatch: pytest.MonkeyPatch, formats: list[dict[str, Any]]) -> None:
    """A known site whose page (extraction stubbed) names these formats; yt-dlp's own download code runs."""
    import yt_dlp
    from yt_dlp.utils import ExtractorError

    def extract_info(self: Any, url: str, download: bool = True, ie_key: str | None = None, **_: Any) -> Any:
        info: dict[str, Any] = {"_type": "video", "id": "clip", "title": "clip", "duration": 1.5}
        info.update(extractor=ie_key, extractor_key=ie_key, formats=formats, webpage_url=url)
        try:
            return self.process_ie_result(info, download=False)
        except ExtractorError as exc:  # as yt-dlp's own extract_info reports it
            self.report_error(str(exc))

    monkeypatch.setattr(yt_dlp.YoutubeDL, "extract_info", extract_info)


def http_format(url: str) -> dict[str, Any]:
    return {"format_id": "a", "url": url, "ext": "wav", "protocol": "http", "acodec": "pcm", "vcodec": "none"}


def test_media_a_site_puts_on_a_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, server: Served, tmp_path: Path
) -> None:
    import socket

    site_answering(monkeypatch, [http_format(f"{server.base}/clip.wav")])
    lookup = socket.getaddrinfo
    with pytest.raises(LinkRefused, match="private, local or cloud-internal address"):
        download_from_site("https://youtu.be/dQw4w9WgXcQ", "Youtube", tmp_path, 10**6, 10.0, 600.0, PUBLIC_ONLY)
    assert server.paths == [] and leftovers(tmp_path) == []
    assert socket.getaddrinfo is lookup  # the guard is undone for the code that runs next


def test_media_a_site_puts_on_an_allowed_address_is_downloaded_by_yt_dlp_itself(
    monkeypatch: pytest.MonkeyPatch, server: Served, tmp_path: Path
) -> None:
    site_answering(monkeypatch, [http_format(f"{server.base}/clip.wav")])
    got = download_from_site("https://youtu.be/dQw4w9WgXcQ", "Youtube", tmp_path, 10**6, 10.0, 600.0, LOCAL)
    assert got.path.read_bytes() == WAV and got.path.parent == tmp_path


def test_a_proxy_in_the_environment_is_not_used_for_sites(
    monkeypatch: pytest.MonkeyPatch, server: Served, tmp_path: Path
) -> None:
    # Through a proxy the guard would see only the proxy's address, never where the request goes.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there: a proxied request fails
    site_answering(monkeypatch, [http_format(f"{server.base}/clip.wav")])
    got = download_from_site("https://youtu.be/dQw4w9WgXcQ", "Youtube", tmp_path, 10**6, 10.0, 600.0, LOCAL)
    assert got.path.read_bytes() == WAV


@pytest.mark.parametrize("protocol", ["m3u8", "rtmp", "rtsp", "mms"])
def test_formats_that_would_connect_outside_python_are_never_chosen(
    monkeypatch: pytest.MonkeyPatch, server: Served, tmp_path: Path, protocol: str
) -> None:
    # ffmpeg (or another program) would open these itself, where the address guard cannot see.
    site_answering(monkeypatch, [{**http_format(f"{server.base}/clip.wav"), "protocol": protocol}])
    with pytest.raises(LinkUnreachable, match="would not give its media"):
        download_from_site("https://youtu.be/dQw4w9WgXcQ", "Youtube", tmp_path, 10**6, 10.0, 600.0, LOCAL)
    assert server.paths == []


@pytest.mark.parametrize(
    ("info", "error"),
    [
        ({"_type": "playlist", "extractor_key": "Youtube"}, LinkRefused),
        ({"_type": "video", "extractor_key": "Generic"}, LinkRefused),
        ({"extractor_key": "Youtube", "is_live": True}, LinkRefused),
        ({"extractor_key": "Soundcloud", "duration": 601.0}, AudioTooLong),
        ({"extractor_key": "Vimeo", "filesize": 2000}, LinkTooLarge),
        ({"extractor_key": "Vimeo", "filesize_approx": 2000}, LinkTooLarge),
    ],
)
def test_what_yt_dlp_finds_is_checked(info: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        check_site_info("https://vimeo.com/1", info, max_bytes=1000, max_duration_s=600)


def test_a_single_short_clip_from_a_known_site_passes_the_checks() -> None:
    info = {"_type": "video", "extractor_key": "Bandcamp", "duration": 200.0, "filesize": 900}
    check_site_info("https://a.bandcamp.com/track/b", info, max_bytes=1000, max_duration_s=600)


# ----------------------------------------------------------------------------- the command line


@pytest.mark.parametrize("command", ["analyze", "render"])
def test_the_command_line_refuses_a_private_link_in_one_sentence(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    assert main([command, "http://127.0.0.1:9/x.wav"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        "ganterp: the link http://127.0.0.1:9/x.wav was refused: "
        "it leads to a private, local or cloud-internal address."
    )


@pytest.mark.parametrize(
    ("allowed", "admitted", "refused"),
    [
        ("::1/128", ["::1"], ["::", "::2", "::ffff:127.0.0.1", "127.0.0.1", "0.0.0.1"]),
        ("::/128", ["::"], ["::1", "0.0.0.0"]),
        ("::/127", ["::", "::1"], ["::2"]),
        ("0.0.0.0/8", ["0.0.0.1", "::5", "::ffff:0.0.0.1"], ["::1", "::"]),  # ::5 is IPv4-compatible 0.0.0.5
    ],
)
def test_an_allowance_of_ipv6_loopback_or_unspecified_means_what_it_says(
    allowed: str, admitted: list[str], refused: list[str]
) -> None:
    guard = AddressGuard(allowed_networks=(ipaddress.ip_network(allowed),))
    # ::1 was judged as IPv4-compatible 0.0.0.1, so "::1/128" never admitted [::1].
    assert [a for a in admitted if not guard.permits(ipaddress.ip_address(a))] == []
    assert [a for a in refused if guard.permits(ipaddress.ip_address(a))] == []


def test_without_an_allowance_ipv6_loopback_and_unspecified_stay_refused() -> None:
    assert not any(PUBLIC_ONLY.permits(ipaddress.ip_address(a)) for a in ("::1", "::", "::ffff:127.0.0.1", "::7f00:1"))
