"""Where OAuth installations (one bot token per workspace) and OAuth states are kept: our own database.

slack_sdk's SQLAlchemy stores on an async engine for ``settings.effective_database_url``
(SQLite by default, PostgreSQL when configured). Their tables (``slack_bots``,
``slack_installations``, ``slack_oauth_states``) belong to the store's Alembic migrations
(``0003_slack_oauth_tables``), so any number of Slack frontends can share one PostgreSQL: an
installation made through one serves requests through all (nothing is kept in the process).
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.ext.asyncio import AsyncEngine

from briefings.errors import ConfigError
from briefings.settings import Settings
from briefings.store.engine import Store, make_engine

from .config import slack_settings

# How long an install link stays valid (Slack's own default).
STATE_EXPIRATION_SECONDS = 600


@dataclass
class SlackInstallations:
    """The two OAuth stores and the engine under them; ``close()`` when the app stops."""

    engine: AsyncEngine
    installation_store: AsyncSQLAlchemyInstallationStore
    state_store: AsyncSQLAlchemyOAuthStateStore
    owns_engine: bool = True

    async def close(self) -> None:
        if self.owns_engine:
            await self.engine.dispose()


async def open_installations(
    settings: Settings,
    *,
    engine: AsyncEngine | None = None,
) -> SlackInstallations:
    """Open the installation and OAuth-state tables (migrating the store to its latest revision first).

    ``engine`` lets the composition root share the core store's engine; otherwise one
    is made from ``settings.effective_database_url``.
    """
    client_id = slack_settings(settings).client_id
    if not client_id:
        raise ConfigError("SLACK_CLIENT_ID is not set (Slack app > Basic Information > App Credentials)")
    owns = engine is None
    schema = None
    if engine is None:
        # The core store's engine factory: same SQLite pragmas, same PostgreSQL ?schema= handling.
        engine, schema = make_engine(settings.effective_database_url)
    installation_store = AsyncSQLAlchemyInstallationStore(
        client_id=client_id,
        engine=engine,
        bots_table_name="slack_bots",
        installations_table_name="slack_installations",
    )
    state_store = AsyncSQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine, table_name="slack_oauth_states"
    )
    try:
        # We may open before the core store has migrated: the tables are Alembic's (idempotent).
        await Store(engine).migrate(schema)
    except Exception as exc:
        if owns:
            await engine.dispose()
        raise ConfigError(
            f"cannot open the database for Slack installations ({type(exc).__name__}); "
            "check BRIEFBOT_DATABASE_URL",
            detail=str(exc),
        ) from exc
    return SlackInstallations(engine, installation_store, state_store, owns_engine=owns)
