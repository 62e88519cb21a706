"""Per-server settings of the Discord bot, and the Discord messages of each job.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guild_settings",
        sa.Column("guild_id", sa.String(length=32), nullable=False),
        sa.Column("answer_channels", sa.JSON(), nullable=False),
        sa.Column("daily_channel_id", sa.String(length=32), nullable=True),
        sa.Column("max_queued_per_member", sa.Integer(), nullable=True),
        sa.Column("max_duration_s", sa.Double(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id"),
    )
    op.create_table(
        "discord_posts",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("status_message_id", sa.String(length=32), nullable=True),
        sa.Column("reply_to_id", sa.String(length=32), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("job_id"),
    )


def downgrade() -> None:
    op.drop_table("discord_posts")
    op.drop_table("guild_settings")
