"""Shared fixtures of the X tests: X's API answered offline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses

from tests.bot.x.fake_x import x_api


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with x_api() as mock:
        yield mock
