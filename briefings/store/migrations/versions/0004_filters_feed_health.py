"""subscription filters, paused subscriptions, a feed's last error time (issue 14 part B)

Revision ID: 0003_filters_feed_health
Revises: 0002
Create Date: 2026-11-30 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import briefings.store.models

revision = "0003_filters_feed_health"
down_revision = "0003_slack_oauth_tables"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch_op:
        batch_op.add_column(sa.Column("filters", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("paused_at", briefings.store.models.UTCDateTime(), nullable=True))
    with op.batch_alter_table("feeds") as batch_op:
        batch_op.add_column(sa.Column("last_error_at", briefings.store.models.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feeds") as batch_op:
        batch_op.drop_column("last_error_at")
    with op.batch_alter_table("subscriptions") as batch_op:
        batch_op.drop_column("paused_at")
        batch_op.drop_column("filters")
