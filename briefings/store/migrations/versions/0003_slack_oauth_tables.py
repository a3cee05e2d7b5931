"""Slack OAuth tables owned by Alembic: slack_bots, slack_installations, slack_oauth_states, exactly as
slack_sdk's AsyncSQLAlchemyInstallationStore / AsyncSQLAlchemyOAuthStateStore define them (built with
their own table builders), so that every Slack frontend replica shares one PostgreSQL and none of them
creates tables at start. Tables that an older briefbot already created at start are kept as they are.

Revision ID: 0003_slack_oauth_tables
Revises: 0002
Create Date: 2026-11-30 06:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_slack_oauth_tables"
down_revision = "0002"
branch_labels = None
depends_on = None


def _metadata() -> sa.MetaData:
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    metadata = sa.MetaData()
    SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots")
    SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states")
    return metadata


def upgrade() -> None:
    _metadata().create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    _metadata().drop_all(op.get_bind(), checkfirst=True)
