"""MkDocs hooks (mkdocs.yml `hooks:`): the settings page's tables, generated at build time."""

from __future__ import annotations

from typing import Any

from settings_reference import reference_markdown  # scripts/ is on the path: MkDocs loads hooks by file

PLACEHOLDER = "<!-- settings-reference -->"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Fill the settings page's placeholder with the reference; other pages pass through."""
    if PLACEHOLDER not in markdown:
        return markdown
    return markdown.replace(PLACEHOLDER, reference_markdown())
