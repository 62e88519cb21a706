"""Where a job log's schema stands against the newest migration this version ships (for `ganterp doctor`)."""

from __future__ import annotations

from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from storage.db import MIGRATIONS


@dataclass(frozen=True)
class SchemaLevel:
    """The database's migration and the newest one known here."""

    current: str | None  # None: no schema yet (made at first use)
    newest: str

    @property
    def known(self) -> bool:
        """Whether this version knows the database's migration (a newer ganterp may have moved it on)."""
        return self.current is None or self.current in _revisions()


def schema_level(engine: Engine) -> SchemaLevel:
    """Read the database's migration level; connects, changes nothing."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return SchemaLevel(current=current, newest=_scripts().get_current_head() or "")


def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def _revisions() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}
