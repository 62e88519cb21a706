"""A job's first look (a contact sheet of its classes) and what its status message says it will show,
and what a server's managers choose about styles and classes (the style by default, blocked classes,
random fill from the safe set only).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as jobs:
        jobs.add_column(sa.Column("preview_path", sa.Text(), nullable=True))
    with op.batch_alter_table("discord_posts") as posts:
        posts.add_column(sa.Column("summary", sa.Text(), nullable=True))
    with op.batch_alter_table("guild_settings") as guilds:
        guilds.add_column(sa.Column("style", sa.String(length=16), nullable=True))
        guilds.add_column(sa.Column("blocked_classes", sa.JSON(), nullable=True))
        guilds.add_column(sa.Column("random_safe_only", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guild_settings") as guilds:
        guilds.drop_column("random_safe_only")
        guilds.drop_column("blocked_classes")
        guilds.drop_column("style")
    with op.batch_alter_table("discord_posts") as posts:
        posts.drop_column("summary")
    with op.batch_alter_table("jobs") as jobs:
        jobs.drop_column("preview_path")
