"""The store: Alembic migrations build the schema on SQLite and PostgreSQL; constraints hold; times stay UTC."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from briefings.errors import ConfigError
from briefings.settings import Settings
from briefings.store import Channel, Feed, OutboxEntry, SlotRun, SubscriptionRow, alembic_config, open_store

TABLES = {
    "channels",
    "feeds",
    "subscriptions",
    "seen_items",
    "articles",
    "channel_items",
    "slot_runs",
    "outbox",
    "alembic_version",
}
T0 = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)


async def test_migrations_build_every_table_and_reopen_is_idempotent(db_url):
    async with open_store(db_url) as store:
        async with store.engine.connect() as conn:
            names = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
            current = await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
        assert TABLES <= names
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert current == head
    async with open_store(db_url) as store:  # a restart migrates nothing and loses nothing
        async with store.session() as session:
            assert (await session.execute(select(Channel))).scalars().all() == []


async def _sub(session) -> SubscriptionRow:
    ch = Channel(platform="slack", workspace="T1", channel="C1", created_at=T0)
    feed = Feed(url="https://example.com/feed.xml", interval_s=900, consecutive_failures=0)
    session.add_all([ch, feed])
    await session.flush()
    sub = SubscriptionRow(
        channel_id=ch.id,
        feed_id=feed.id,
        times="07:30",
        weekdays="mon-sun",
        timezone="Europe/Berlin",
        mode="digest",
        active=True,
        created_at=T0,
    )
    session.add(sub)
    await session.flush()
    return sub


async def test_one_decision_per_subscription_date_and_slot(db_url):
    async with open_store(db_url) as store:
        async with store.session() as session, session.begin():
            sub = await _sub(session)
            session.add(
                SlotRun(
                    subscription_id=sub.id,
                    local_date="2026-03-29",
                    slot="07:30",
                    due_at=T0,
                    decided_at=T0,
                    status="queued",
                )
            )
        with pytest.raises(IntegrityError):
            async with store.session() as session, session.begin():
                session.add(
                    SlotRun(
                        subscription_id=sub.id,
                        local_date="2026-03-29",
                        slot="07:30",
                        due_at=T0,
                        decided_at=T0,
                        status="queued",
                    )
                )
        async with store.session() as session:
            assert len((await session.execute(select(SlotRun))).scalars().all()) == 1


async def test_outbox_idempotency_keys_are_unique(db_url):
    async with open_store(db_url) as store:
        async with store.session() as session, session.begin():
            sub = await _sub(session)
            channel_id = sub.channel_id
        row = {
            "channel_id": channel_id,
            "kind": "digest",
            "payload": "{}",
            "idempotency_key": "k" * 24,
            "next_attempt_at": T0,
            "created_at": T0,
        }
        async with store.session() as session, session.begin():
            session.add(OutboxEntry(**row))
        with pytest.raises(IntegrityError):
            async with store.session() as session, session.begin():
                session.add(OutboxEntry(**row))


async def test_times_come_back_as_the_same_utc_instant(db_url):
    berlin_evening = datetime(2026, 10, 25, 2, 30, tzinfo=timezone(timedelta(hours=2)))
    async with open_store(db_url) as store:
        async with store.session() as session, session.begin():
            session.add(Channel(platform="console", workspace="", channel="x", created_at=berlin_evening))
        async with store.session() as session:
            ch = (await session.execute(select(Channel))).scalar_one()
    assert ch.created_at == berlin_evening
    assert ch.created_at.tzinfo is UTC


async def test_default_sqlite_file_and_its_folder_are_created(tmp_path):
    settings = Settings(data_dir=tmp_path / "deep" / "er")
    async with open_store(settings.effective_database_url):
        pass
    assert (tmp_path / "deep" / "er" / "briefbot.sqlite3").is_file()


async def test_a_bad_database_url_is_one_clear_line():
    with pytest.raises(ConfigError, match="BRIEFBOT_DATABASE_URL"):
        async with open_store("nonsense"):
            pass


@pytest.mark.parametrize("command", ["migrate", "run"])
def test_a_data_folder_that_cannot_be_made_is_one_line(tmp_path, monkeypatch, capsys, command):
    """BRIEFBOT_DATA_DIR under a file (or read-only, or /proc): ``briefbot run`` and ``migrate`` were a
    FileNotFoundError traceback from mkdir."""
    from bots.cli import main

    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(tmp_path / "a-file" / "data"))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"briefbot: the data folder {tmp_path / 'a-file' / 'data'} cannot be created: Not a directory "
        "(set BRIEFBOT_DATA_DIR or BRIEFBOT_DATABASE_URL)\n"
    )


async def test_a_url_without_its_async_driver_gets_it(tmp_path, db_url):
    """``sqlite:///…`` and ``postgresql://…`` (the forms BRIEFBOT_DATABASE_URL's own message names) said
    "the loaded 'pysqlite' is not async" and "No module named 'psycopg'"; they mean aiosqlite and asyncpg."""
    bare = re.sub(r"^(sqlite|postgresql)\+\w+://", r"\1://", db_url)
    assert bare != db_url
    async with open_store(bare) as store:
        assert store.engine.dialect.driver in ("aiosqlite", "asyncpg")
