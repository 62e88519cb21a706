"""A server's layout by default, for clips that are videos (the GANterpretation beside, above or
inside the performer's picture).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("guild_settings") as guilds:
        guilds.add_column(sa.Column("layout", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guild_settings") as guilds:
        guilds.drop_column("layout")
