"""A server's choice of classes from the words heard in a clip (lyrics) by default.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-05 09:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("guild_settings") as guilds:
        guilds.add_column(sa.Column("lyrics", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guild_settings") as guilds:
        guilds.drop_column("lyrics")
