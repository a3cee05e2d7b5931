"""The database: an async engine + session factory, migrated to the latest schema when opened."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from ..errors import ConfigError
from .repositories import SqlUnitOfWork, sql_unit_of_work

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str = "", *, schema: str | None = None) -> Config:
    """Alembic configuration pointing at the migrations inside the package (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["schema"] = schema
    return cfg


class Store:
    """Owns the engine; ``unit_of_work()`` opens the storage port's repositories on one transaction,
    ``session()`` a bare session (the code not yet behind the port). Create with ``open_store``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.session = async_sessionmaker(engine, expire_on_commit=False, class_=AsyncSession)

    def unit_of_work(self) -> AbstractAsyncContextManager[SqlUnitOfWork]:
        """The storage port (``briefings.storage``): repositories on one transaction."""
        return sql_unit_of_work(self.session)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def concurrent(self) -> bool:
        """Units of work run side by side on PostgreSQL; SQLite has one writer (one connection)."""
        return self.dialect == "postgresql"

    async def migrate(self, schema: str | None = None) -> None:
        """Bring the schema to the latest Alembic revision (idempotent)."""

        def upgrade(conn: Connection) -> None:
            cfg = alembic_config(schema=schema)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

        async with self.engine.begin() as conn:
            if schema and self.dialect == "postgresql":
                await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            await conn.run_sync(upgrade)

    async def close(self) -> None:
        await self.engine.dispose()


def make_engine(url: str, *, schema: str | None = None) -> tuple[AsyncEngine, str | None]:
    """An async engine for ``url`` (and the PostgreSQL schema it uses, from ``?schema=`` or ``schema``).

    SQLite gets its folder created, WAL, a busy timeout and foreign keys.
    """
    kwargs: dict[str, Any] = {}
    try:
        parsed = make_url(url)
    except (SQLAlchemyError, ValueError):
        raise ConfigError(
            "BRIEFBOT_DATABASE_URL is not a database URL (e.g. postgresql+asyncpg://user:pass@host/db)"
        ) from None
    # "sqlite://…" and "postgresql://…" name SQLAlchemy's blocking drivers; the store needs the async ones.
    async_driver = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}.get(parsed.drivername)
    if async_driver:
        parsed = parsed.set(drivername=async_driver)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path and path != ":memory:":
            folder = Path(path).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    f"the data folder {folder} cannot be created: {exc.strerror or exc} "
                    "(set BRIEFBOT_DATA_DIR or BRIEFBOT_DATABASE_URL)"
                ) from None
        kwargs["connect_args"] = {"timeout": 30}
        # One connection, shared in turn: SQLite has one writer anyway, and waiting for the pool is an
        # asyncio wait, where two connections would collide on the file lock and back off in sleeps.
        kwargs["pool_size"] = 1
        kwargs["max_overflow"] = 0
    else:
        schema = parsed.query.get("schema", schema)  # type: ignore[assignment]
        if isinstance(schema, tuple):
            schema = schema[0]
        parsed = parsed.difference_update_query(["schema"])
        if schema:
            if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
                raise ConfigError(f"the database schema must be a lower-case identifier, got {schema!r}")
            kwargs["connect_args"] = {"server_settings": {"search_path": schema}}
    try:
        engine = create_async_engine(parsed, **kwargs)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise ConfigError(f"BRIEFBOT_DATABASE_URL cannot be used: {exc}") from None
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a commit survives a process crash (what exactly-once relies on); only an OS
            # crash or power cut may lose the last commits. FULL would fsync every commit and make the
            # outbox (two commits per message) disk-bound.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    return engine, schema


@asynccontextmanager
async def open_store(url: str, *, schema: str | None = None, migrate: bool = True) -> AsyncIterator[Store]:
    """Open (and by default migrate) the database at ``url``; dispose of it on exit."""
    engine, schema = make_engine(url, schema=schema)
    store = Store(engine)
    try:
        if migrate:
            try:
                await store.migrate(schema)
            except (OSError, SQLAlchemyError) as exc:
                raise ConfigError(f"the database at {_safe(url)} cannot be opened: {exc}") from None
        yield store
    finally:
        await store.close()


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://…@{rest.split('@', 1)[1]}"
    return url
