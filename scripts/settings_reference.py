"""The settings reference of the docs site, generated from bot/settings.py and .env.example so it cannot drift.

Every environment variable bot/settings.py reads is listed, under its .env.example section, with the
comment above it there, its example value and the type of the Settings field it fills. A setting read
but not in .env.example stops the docs build. Run directly to print the page's table.
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
    """bot/settings.py reads a variable that .env.example does not document."""


def settings_read(settings_source: str) -> set[str]:
    """The environment variables bot/settings.py reads."""
    return set(re.findall(r'get\("([A-Z0-9_]+)"\)', settings_source))


def reference_markdown(root: Path = ROOT) -> str:
    """The reference as Markdown: a table per .env.example section."""
    read = settings_read((root / "bot" / "settings.py").read_text())
    fields = _field_types()
    out = [*_TABLE_HEAD]
    comment: list[str] = []
    after_setting = False  # a comment after a setting starts the next one's; settings in a row share one
    documented: set[str] = set()
    for raw in (root / ".env.example").read_text().splitlines()[2:]:  # past the file's own header
        line = raw.strip()
        if line.startswith("# ---"):
            out += ["", f"## {line.strip('# -').strip().capitalize()}", "", *_TABLE_HEAD]
            comment, after_setting = [], False
        elif line.startswith("#"):
            comment = [] if after_setting else comment
            comment.append(line.lstrip("# ").strip())
            after_setting = False
        elif match := _SETTING.match(line):
            after_setting = True
            name, value = match.groups()
            if name in read:
                documented.add(name)
                text = " ".join(comment).replace("|", "\\|")
                out.append(f"| `{name}` | `{value}` | {fields.get(_field_name(name), '')} | {text} |")
        else:
            comment, after_setting = [], False
    missing = read - documented
    if missing:
        raise UndocumentedSetting(f"bot/settings.py reads {sorted(missing)}, which .env.example does not document")
    return "\n".join(out).strip() + "\n"


def _field_types() -> dict[str, str]:
    sys.path.insert(0, str(ROOT))
    from bot.settings import Settings

    return {f.name: f"`{f.type}`".replace("|", "\\|") for f in dataclasses.fields(Settings)}


def _field_name(variable: str) -> str:
    """GANTERP_X_POLL_S → x_poll_s, DISCORD_TOKEN → discord_token (names that differ get no type)."""
    return variable.removeprefix("GANTERP_").lower()


if __name__ == "__main__":
    print(reference_markdown())
