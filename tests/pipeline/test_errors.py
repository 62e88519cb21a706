"""The foundation's sentence: one way to make a message a sentence, for every front end."""

from __future__ import annotations

import pytest

from pipeline.errors import sentence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the clip is too short", "The clip is too short."),
        ("  is it?  ", "Is it?"),
        ("done!", "Done!"),
        ("GANTERP_QUEUE_URL is not set", "GANTERP_QUEUE_URL is not set."),  # setting names keep their case
        ("", ""),
    ],
)
def test_a_sentence_starts_with_a_capital_and_ends_with_a_stop(text: str, expected: str) -> None:
    assert sentence(text) == expected


def test_a_sentence_after_a_prefix_or_going_on_keeps_what_it_is_asked_to() -> None:
    assert sentence("the clip does not exist", capital=False) == "the clip does not exist."
    assert sentence("the job engine cannot be reached", full_stop=False) == "The job engine cannot be reached"
