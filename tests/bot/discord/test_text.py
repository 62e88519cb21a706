"""What the Discord front end says: one sentence per refusal, each fitting in a message."""

from __future__ import annotations

import pytest

from pipeline.errors import NotMedia


@pytest.mark.filterwarnings("ignore")
def test_not_media_has_a_sentence() -> None:
    from bot.discord.text import error_message

    # The file keeps its own spelling: a sentence never capitalises a name the user chose.
    assert error_message(NotMedia("x.mp3")) == '"x.mp3" is not an audio or video file that ffmpeg can read.'


def test_every_reply_fits_in_a_discord_message() -> None:
    from bot.discord.text import MESSAGE_LIMIT, error_message
    from pipeline.links import LinkUnreachable

    huge = LinkUnreachable("https://example.com/" + "a" * 5000, "x" * 5000)
    text = error_message(huge)
    assert len(text) <= MESSAGE_LIMIT and text.endswith("…")
