"""The refusals a link can get; each names the link (shortened) and says why in one sentence."""

from __future__ import annotations

from pipeline.errors import PipelineError, shown

HOST_SHOWN_CHARS = 60


class LinkRefused(PipelineError):
    """The link is not one ganterp will open: a private address, another scheme, credentials, a playlist."""

    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"the link {shown(url)} was refused: {reason}.")


class NotALink(PipelineError):
    """Text from a chat user that is not an http(s) link; never read as a path on this machine."""

    def __init__(self, text: str) -> None:
        self.text = text  # kept for logs; the message does not echo it, so it says nothing about any path
        super().__init__("that is not a link; give an http or https link to an audio or video file.")


class LinkUnreachable(PipelineError):
    """The link could not be downloaded: no connection, too slow, an error status."""

    def __init__(self, url: str, detail: str) -> None:
        self.url, self.detail = url, detail
        super().__init__(f"could not download {shown(url)}: {detail}.")


class LinkTooLarge(PipelineError):
    """The linked file is larger than the download limit."""

    def __init__(self, url: str, max_bytes: int) -> None:
        self.url, self.max_bytes = url, max_bytes
        super().__init__(f"{shown(url)} is larger than the download limit of {max_bytes / 2**20:.1f} MiB.")


class NotMediaLink(PipelineError):
    """The link leads to something that is not audio or video (a web page, an image…)."""

    def __init__(self, url: str, content_type: str) -> None:
        self.url, self.content_type = url, content_type
        super().__init__(
            f"{shown(url)} is not an audio or video file (the server says it is {shown(content_type, 60)})."
        )
