"""Where OAuth installations (one bot token per workspace) and OAuth states are kept: our own database.

slack_sdk's SQLAlchemy stores on an async engine for ``settings.effective_database_url``
(SQLite by default, PostgreSQL when configured). Their tables (``slack_bots``,
``slack_installations``, ``slack_oauth_states``) are created on open, beside the
core's tables and independent of its migrations.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from briefings.errors import ConfigError
from briefings.settings import Settings
from briefings.store.engine import make_engine

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
    table_prefix: str = "slack_",
) -> SlackInstallations:
    """Open (and create if needed) the installation and OAuth-state tables.

    ``engine`` lets the composition root share the core store's engine; otherwise one
    is made from ``settings.effective_database_url``. ``table_prefix`` lets tests on a
    shared PostgreSQL keep their tables apart.
    """
    if not settings.slack_client_id:
        raise ConfigError("SLACK_CLIENT_ID is not set (Slack app > Basic Information > App Credentials)")
    owns = engine is None
    schema = None
    if engine is None:
        # The core store's engine factory: same SQLite pragmas, same PostgreSQL ?schema= handling.
        engine, schema = make_engine(settings.effective_database_url)
    installation_store = AsyncSQLAlchemyInstallationStore(
        client_id=settings.slack_client_id,
        engine=engine,
        bots_table_name=f"{table_prefix}bots",
        installations_table_name=f"{table_prefix}installations",
    )
    state_store = AsyncSQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine, table_name=f"{table_prefix}oauth_states"
    )
    try:
        if schema and engine.dialect.name == "postgresql":
            # We may open before the core store has migrated (and created) its schema.
            async with engine.begin() as conn:
                await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        await installation_store.create_tables()
        await state_store.create_tables()
    except Exception as exc:
        if owns:
            await engine.dispose()
        raise ConfigError(
            f"cannot open the database for Slack installations ({type(exc).__name__}); "
            "check BRIEFBOT_DATABASE_URL",
            detail=str(exc),
        ) from exc
    return SlackInstallations(engine, installation_store, state_store, owns_engine=owns)
