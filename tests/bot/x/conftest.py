"""Shared fixtures of the X tests: X's API answered offline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses

from tests.bot.x.fake_x import (
    ME,
    TW,
)


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{TW}/2/users/me", json={"data": {"id": ME, "username": "ganterp"}})
        mock.post(f"{TW}/2/tweets", json={"data": {"id": "9999", "text": "ok"}})
        yield mock
