"""The settings reference of the docs site, generated from bot/settings/ and .env.example so it cannot drift.

Every environment variable bot/settings/ reads is listed under the settings section that reads it
(paths, model, queue, Discord, X…), with the comment above it in .env.example, its example value
there and the type of the Settings field it fills. A setting read but not in .env.example stops the
docs build. Run directly to print the page's tables.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_SETTING = re.compile(r"^([A-Z0-9_]+)=(.*)$")
_TABLE_HEAD = ("| Setting | Example | Type | What it does |", "|---|---|---|---|")


class UndocumentedSetting(Exception):
    """bot/settings/ reads a variable that .env.example does not document."""


def settings_read(settings_source: str) -> set[str]:
    """The environment variables a settings source reads."""
    return set(re.findall(r'get\("([A-Z0-9_]+)"\)', settings_source))


def settings_source(root: Path = ROOT) -> str:
    """The source of every module of bot/settings/, the one place that reads the environment."""
    return "\n".join(path.read_text() for path in sorted((root / "bot" / "settings").glob("*.py")))


def reference_markdown(root: Path = ROOT) -> str:
    """The reference as Markdown: a table per settings section, in the order `Settings` composes them."""
    documented = _documented(root / ".env.example")
    out: list[str] = []
    missing: list[str] = []
    for title, variables, types in _sections():
        out += ["", f"## {title}", "", *_TABLE_HEAD]
        for name in variables:
            if name not in documented:
                missing.append(name)
                continue
            value, comment = documented[name]
            text = comment.replace("|", "\\|")
            out.append(f"| `{name}` | `{value}` | {types.get(_field_name(name), '')} | {text} |")
    if missing:
        raise UndocumentedSetting(f"bot/settings/ reads {sorted(missing)}, which .env.example does not document")
    return "\n".join(out).strip() + "\n"


def _documented(env_example: Path) -> dict[str, tuple[str, str]]:
    """Each setting of .env.example: its example value and the comment above it (settings in a row share one)."""
    documented: dict[str, tuple[str, str]] = {}
    comment: list[str] = []
    after_setting = False  # a comment after a setting starts the next one's
    for raw in env_example.read_text().splitlines()[2:]:  # past the file's own header
        line = raw.strip()
        if line.startswith("# ---"):
            comment, after_setting = [], False
        elif line.startswith("#"):
            comment = [] if after_setting else comment
            comment.append(line.lstrip("# ").strip())
            after_setting = False
        elif match := _SETTING.match(line):
            after_setting = True
            documented[match[1]] = (match[2], " ".join(comment))
        else:
            comment, after_setting = [], False
    return documented


def _sections() -> list[tuple[str, list[str], dict[str, str]]]:
    """Each section's title, the variables its reader asks for (in order) and its fields' types."""
    sys.path.insert(0, str(ROOT))
    from bot.settings import SECTIONS

    found = []
    for section in SECTIONS:
        asked: list[str] = []
        section.read(asked.append)  # nothing is set: every reader asks for its variables, then takes its defaults
        types = {f.name: f"`{f.type}`".replace("|", "\\|") for f in dataclasses.fields(section)}  # type: ignore[arg-type]
        found.append((section.title, list(dict.fromkeys(asked)), types))
    return found


def _field_name(variable: str) -> str:
    """GANTERP_X_POLL_S → x_poll_s, DISCORD_TOKEN → discord_token (names that differ get no type)."""
    return variable.removeprefix("GANTERP_").lower()


if __name__ == "__main__":
    print(reference_markdown())
