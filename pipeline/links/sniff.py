"""What a downloaded body is, from its first bytes: a known media container, text, or unknown.

Servers say what they like in Content-Type, so the bytes decide. Text that ffmpeg could
read as a list of further addresses (playlists, manifests, concat scripts, SDP) or a web
page is refused however much white space or which byte-order mark comes first.
"""

from __future__ import annotations

HEAD_BYTES = 4096  # enough to see past padding before a playlist or page
UNKNOWN_SUFFIX = ".media"  # ffmpeg reads the content, not the name

# (offset, signature, suffix), checked in order.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"ID3", ".mp3"),
    (0, b"OggS", ".ogg"),
    (0, b"fLaC", ".flac"),
    (0, b"\x1aE\xdf\xa3", ".mkv"),  # Matroska / WebM
    (0, b"caff", ".caf"),
    (0, b"#!AMR", ".amr"),
    (0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", ".wma"),  # ASF
    (0, b".snd", ".au"),
    (0, b"wvpk", ".wv"),
    (0, b"MAC ", ".ape"),
    (0, b"FLV\x01", ".flv"),
    (4, b"ftyp", ".mp4"),
    (4, b"moov", ".mov"),
    (4, b"mdat", ".mov"),
    (4, b"wide", ".mov"),
    (4, b"free", ".mov"),
)
_RIFF_KINDS = {b"WAVE": ".wav", b"AVI ": ".avi"}
_IFF_KINDS = {b"AIFF": ".aiff", b"AIFC": ".aiff"}
# What text a body may start with that makes it a playlist, a manifest, a script or a page.
_TEXT_HEADS = (b"#EXT", b"[PLAYLIST]", b"FFCONCAT", b"<", b"V=0", b"HTTP://", b"HTTPS://", b"FILE:", b"{")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def media_suffix(head: bytes) -> str:
    """A file suffix for the media container `head` starts with, or UNKNOWN_SUFFIX."""
    if head[:4] == b"RIFF" and head[8:12] in _RIFF_KINDS:
        return _RIFF_KINDS[head[8:12]]
    if head[:4] == b"FORM" and head[8:12] in _IFF_KINDS:
        return _IFF_KINDS[head[8:12]]
    for offset, signature, suffix in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return suffix
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:  # an MPEG audio or ADTS frame header
        return ".mp3" if head[1] & 0x06 else ".aac"
    return UNKNOWN_SUFFIX


def looks_like_text(head: bytes) -> bool:
    """True when `head` is a playlist, manifest, concat script, SDP file, web page or JSON."""
    for bom in _BOMS:
        head = head.removeprefix(bom)
    if head[:2] in (b"\x00\x00",) or (len(head) > 1 and head[1:2] == b"\x00"):
        head = head.replace(b"\x00", b"")  # UTF-16 text
    text = head.lstrip().upper()
    return text.startswith(_TEXT_HEADS)
