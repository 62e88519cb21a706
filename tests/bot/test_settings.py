"""Settings: every one is documented in .env.example, .env is read, the environment wins, bad values are named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError
from tests.paths import ROOT


def test_every_setting_read_is_listed_with_a_comment_in_env_example() -> None:
    source = "\n".join(path.read_text() for path in (ROOT / "bot" / "settings").glob("*.py"))
    read = set(re.findall(r'get\("([A-Z0-9_]+)"\)', source))
    example = (ROOT / ".env.example").read_text().splitlines()
    listed = {line.split("=", 1)[0] for line in example if re.match(r"^[A-Z0-9_]+=", line)}
    assert read and read <= listed, f"missing from .env.example: {sorted(read - listed)}"
    for index, line in enumerate(example):
        if re.match(r"^[A-Z0-9_]+=", line):
            above = index - 1
            while above >= 0 and re.match(r"^[A-Z0-9_]+=", example[above]):  # a group shares one comment
                above -= 1
            assert above >= 0 and example[above].startswith("#"), f"{line} has no comment above it"


def test_env_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("GANTERP_MODEL=biggan-deep-256\nGANTERP_MAX_QUEUE=7\n# a comment\n")
    settings = Settings.load(environ={"GANTERP_MAX_QUEUE": "9"}, env_file=env_file)
    assert settings.model == "biggan-deep-256" and settings.max_queue == 9
    defaults = Settings.load(environ={}, env_file=None)
    assert defaults.model == "auto" and defaults.precision == "auto"
    assert defaults.discord_token is None and defaults.allow_download


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GANTERP_BATCH_SIZE", "eight"),
        ("GANTERP_ALLOW_DOWNLOAD", "maybe"),
        ("GANTERP_MAX_DURATION_S", "long"),
        ("GANTERP_MAX_DURATION_S", "1e308"),  # finite, yet its byte cap overflowed in the decoder
        ("GANTERP_MODEL", "biggan-deep-1024"),
        ("GANTERP_PRECISION", "float8"),
    ],
)
def test_a_malformed_setting_is_named(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.load(environ={name: value}, env_file=None)


def test_a_token_is_never_shown_in_the_settings_repr() -> None:
    settings = Settings.load(environ={"DISCORD_TOKEN": "secret-token-value"}, env_file=None)
    assert "secret-token-value" not in repr(settings)


def test_scale_out_settings_are_checked_and_the_queue_password_never_shows() -> None:
    settings = Settings.load(
        environ={"GANTERP_QUEUE_URL": "redis://:hunter2-pass@redis:6379/0", "GANTERP_DISCORD_SHARDS": "auto",
                 "GANTERP_DASHBOARD_PORT": "8790"},
        env_file=None,
    )  # fmt: skip
    assert settings.queue_url == "redis://:hunter2-pass@redis:6379/0" and settings.discord_shards == "auto"
    assert "hunter2-pass" not in repr(settings) and "hunter2-pass" in settings.secret_values()
    assert settings.dashboard_host == "127.0.0.1" and settings.dashboard_port == 8790
    defaults = Settings.load(environ={}, env_file=None)
    assert defaults.queue_url is None and defaults.discord_shards is None and defaults.dashboard_port is None
    assert Settings.load(environ={"GANTERP_DISCORD_SHARDS": "4"}, env_file=None).discord_shards == 4
    bad = [("GANTERP_QUEUE_URL", "amqp://rabbit"), ("GANTERP_DISCORD_SHARDS", "many"),
           ("GANTERP_DASHBOARD_PORT", "70000"), ("GANTERP_QUEUE_MAX_FILE_BYTES", "999999999999")]  # fmt: skip
    for name, value in bad:
        with pytest.raises(SettingsError, match=name):
            Settings.load(environ={name: value}, env_file=None)
