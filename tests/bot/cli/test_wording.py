"""The command line's small pieces of wording: nouns that agree with their number."""

from __future__ import annotations

import pytest

from bot.cli.wording import counted, hide, say


def test_counted_nouns_agree_with_their_number() -> None:
    assert [counted(n, "segment") for n in (0, 1, 2)] == ["0 segments", "1 segment", "2 segments"]
    assert counted(1, "class", "classes") == "1 class" and counted(3, "class", "classes") == "3 classes"


def test_what_the_command_says_never_shows_a_secret(capsys: pytest.CaptureFixture[str]) -> None:
    hide(("hunter2-token",))
    try:
        say("ganterp: the token hunter2-token was refused")
    finally:
        hide(())
    assert capsys.readouterr().err == "ganterp: the token *** was refused\n"
