"""`ganterp bot` without a usable token: one sentence on stderr, exit 1, no traceback; the clip library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import discord
import pytest

from bot import clips
from bot.cli.main import main


def test_missing_token_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setenv("GANTERP_DATA_DIR", str(tmp_path / "data"))
    assert main(["bot"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "DISCORD_TOKEN is not set" in err and "Traceback" not in err


def test_wrong_token_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def refuse(self: discord.Client, token: str) -> None:
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-token")
    monkeypatch.setenv("GANTERP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(discord.Client, "login", refuse)
    assert main(["bot"]) == 1
    err = capsys.readouterr().err
    assert "Discord refused DISCORD_TOKEN" in err and "not-a-token" not in err and "Traceback" not in err


def test_a_fresh_library_makes_its_own_clips(tmp_path: Path) -> None:
    made = clips.library(tmp_path / "clips")
    assert [p.name for p in made] == ["arpeggio.wav", "drift.wav", "pulse.wav"]
    assert clips.library(tmp_path / "clips") == made  # made once


@pytest.mark.parametrize(
    "failure",
    [
        lambda: OSError(101, "Network is unreachable"),
        lambda: __import__("aiohttp").ClientConnectionError("Cannot connect to host discord.com:443"),
        lambda: TimeoutError(),
    ],
)
def test_discord_out_of_reach_is_one_sentence_not_a_bug(
    failure: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def unreachable(self: discord.Client, token: str) -> None:
        raise failure()

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", "abc")
    monkeypatch.setenv("GANTERP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(discord.Client, "login", unreachable)
    assert main(["bot"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ganterp: Discord cannot be reached (")
    assert "a bug" not in err[0] and "abc" not in err[0].split("reached")[1]


@pytest.mark.parametrize(("shards", "count"), [("", None), ("auto", None), ("3", 3)])
def test_shards_when_configured(shards: str, count: int | None, tmp_path: Path) -> None:
    from bot.runner import build_service, discord_client
    from bot.settings import Settings

    settings = Settings.load(
        environ={"GANTERP_DATA_DIR": str(tmp_path / "data"), "GANTERP_DISCORD_SHARDS": shards}, env_file=None
    )
    bot = discord_client(build_service(settings))
    assert isinstance(bot, discord.AutoShardedClient) == bool(shards)
    assert bot.shard_count == count
    assert bot.tree.get_command("ganterp") is not None, "the same commands either way"
