"""Settings for a Discord bot under test: its own data folder, small fast videos, room for a few jobs each."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from bot.settings import Settings


def offline_settings(tmp_path: Path, **changes: Any) -> Settings:
    """Defaults read from no environment, with the test's folders and `changes` on top."""
    quick = {
        "data_dir": tmp_path / "data",
        "database_url": None,
        "clips_dir": tmp_path / "clips",
        "discord_fps": 6.0,
        "discord_size": None,
        "max_queued_per_requester": 5,
    }
    return dataclasses.replace(Settings.load(environ={}, env_file=None), **(quick | changes))
