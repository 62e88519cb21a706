"""The docs site: every docs path the code or .env.example names exists; the settings page cannot drift."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

from tests.paths import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from settings_reference import UndocumentedSetting, reference_markdown, settings_read, settings_source

from bot.settings import SECTIONS


def test_every_docs_path_mentioned_exists() -> None:
    sources = [ROOT / ".env.example", ROOT / "compose.yaml", ROOT / "Dockerfile"]
    sources += [p for package in ("bot", "pipeline", "storage", "scripts") for p in (ROOT / package).rglob("*.py")]
    mentioned = {m for source in sources for m in re.findall(r"docs/[\w./-]+\.md", source.read_text())}
    assert {"docs/x.md", "docs/discord.md"} <= mentioned
    assert [path for path in sorted(mentioned) if not (ROOT / path).is_file()] == []


def test_every_page_is_in_the_nav() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text().replace("!!python", "#"))

    def pages(entries: list[object]) -> set[str]:
        found: set[str] = set()
        for entry in entries:
            value = next(iter(entry.values())) if isinstance(entry, dict) else entry
            found |= pages(value) if isinstance(value, list) else {str(value)}
        return found

    in_nav = pages(config["nav"])
    on_disk = {p.name for p in (ROOT / "docs").glob("*.md")} - {"README-draft.md"}
    assert on_disk <= in_nav, f"not in mkdocs.yml's nav: {sorted(on_disk - in_nav)}"


def test_the_settings_reference_lists_every_setting_read() -> None:
    page = reference_markdown()
    read = settings_read(settings_source())
    listed = re.findall(r"^\| `([A-Z0-9_]+)` \|", page, re.MULTILINE)
    assert sorted(listed) == sorted(read), "every setting read is listed, once"
    assert "| `GANTERP_HEARTBEAT_FILE` |" in page and "`Path \\| None`" in page


def test_the_settings_reference_is_grouped_by_the_section_that_reads_each_setting() -> None:
    page = reference_markdown()
    titles = re.findall(r"^## (.+)$", page, re.MULTILINE)
    assert titles == [section.title for section in SECTIONS]
    tables = dict(zip(titles, re.split(r"^## .+$", page, flags=re.MULTILINE)[1:], strict=True))
    assert "`DISCORD_TOKEN`" in tables["Discord"] and "`GANTERP_X_POLL_S`" in tables["X (Twitter)"]
    assert "`GANTERP_X_POLL_S`" not in tables["Discord"]


def test_a_setting_read_but_not_documented_stops_the_build(tmp_path: Path) -> None:
    example = (ROOT / ".env.example").read_text().splitlines()
    (tmp_path / ".env.example").write_text("\n".join(line for line in example if "GANTERP_X_POLL_S=" not in line))
    with pytest.raises(UndocumentedSetting, match="GANTERP_X_POLL_S"):
        reference_markdown(tmp_path)
