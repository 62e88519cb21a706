"""Settings: every one is documented in .env.example, .env is read, the environment wins, bad values are named."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bot.settings import SECTIONS, Settings, SettingsError, section_fields
from bot.settings.front_ends import XSettings
from pipeline.errors import UserError
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
        environ={
            "GANTERP_QUEUE_URL": "redis://:hunter2-pass@redis:6379/0",
            "GANTERP_DISCORD_SHARDS": "auto",
            "GANTERP_DASHBOARD_PORT": "8790",
        },
        env_file=None,
    )
    assert settings.queue_url == "redis://:hunter2-pass@redis:6379/0" and settings.discord_shards == "auto"
    assert "hunter2-pass" not in repr(settings) and "hunter2-pass" in settings.secret_values()
    assert settings.dashboard_host == "127.0.0.1" and settings.dashboard_port == 8790
    defaults = Settings.load(environ={}, env_file=None)
    assert defaults.queue_url is None and defaults.discord_shards is None and defaults.dashboard_port is None
    assert Settings.load(environ={"GANTERP_DISCORD_SHARDS": "4"}, env_file=None).discord_shards == 4
    bad = [
        ("GANTERP_QUEUE_URL", "amqp://rabbit"),
        ("GANTERP_DISCORD_SHARDS", "many"),
        ("GANTERP_DASHBOARD_PORT", "70000"),
        ("GANTERP_QUEUE_MAX_FILE_BYTES", "999999999999"),
    ]
    for name, value in bad:
        with pytest.raises(SettingsError, match=name):
            Settings.load(environ={name: value}, env_file=None)


def test_the_settings_are_the_sections_each_field_in_one_of_them() -> None:
    names = [name for section in SECTIONS for name in section_fields(section)]
    assert len(names) == len(set(names)), "a field in two sections"
    assert set(names) == {f.name for f in dataclasses.fields(Settings)}
    assert len(SECTIONS) >= 8 and all(section.title for section in SECTIONS)


def test_a_section_reads_and_checks_only_its_own_variables() -> None:
    environ = {"GANTERP_X_VIDEO_SIZE": "640", "GANTERP_LEASE_S": "not a number"}
    assert XSettings.read(environ.get).x_video_size == 640  # the queue's bad lease is not its business
    with pytest.raises(SettingsError, match="GANTERP_LEASE_S"):
        Settings.load(environ=environ, env_file=None)
    settings = Settings.load(environ={"GANTERP_X_VIDEO_SIZE": "640"}, env_file=None)
    assert settings.x_video_size == 640 and dataclasses.replace(settings, lease_s=9.0).lease_s == 9.0


def test_a_settings_error_is_a_user_error() -> None:
    with pytest.raises(UserError, match="GANTERP_MODEL"):
        Settings.load(environ={"GANTERP_MODEL": "huge"}, env_file=None)
