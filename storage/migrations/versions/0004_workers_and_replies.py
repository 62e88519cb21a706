"""What wait estimates and operators need (each job's frame count and clip name, the workers and their
speed), and the X replies already sent (so a crash cannot send one twice).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as jobs:
        jobs.add_column(sa.Column("n_frames", sa.Integer(), nullable=True))
        jobs.add_column(sa.Column("source_name", sa.String(length=256), nullable=True))
    op.create_table(
        "workers",
        sa.Column("worker_id", sa.String(length=128), nullable=False),
        sa.Column("host", sa.String(length=128), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("device", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("seconds_per_frame", sa.Float(), nullable=True),
        sa.Column("current_job_id", sa.Integer(), nullable=True),
        sa.Column("jobs_done", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("worker_id"),
    )
    op.create_table(
        "x_replies",
        sa.Column("mention_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("mention_id", "kind"),
    )


def downgrade() -> None:
    op.drop_table("x_replies")
    op.drop_table("workers")
    with op.batch_alter_table("jobs") as jobs:
        jobs.drop_column("source_name")
        jobs.drop_column("n_frames")
