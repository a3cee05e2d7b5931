"""Shared fixtures: where ../shared is (skipped cleanly without it), the seed article, the NLP pipeline."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

import bots  # noqa: F401 - registers the platforms (console, Slack, Discord, ...) as the CLI does

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED = SEEDS / "iran-ready-to-help-end-ukraine-war.txt"
SHARED = Path(os.environ.get("BRIEFBOT_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (gold set, corpus); tests using it skip when a fresh clone has none."""
    if not (SHARED / "eval").is_dir():
        pytest.skip("../shared is not here (a fresh clone has no gold set or corpus)")
    return SHARED


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def nlp():
    """The default spaCy pipeline, loaded once per test session."""
    from briefings.extract import nlp as nlp_loader

    return nlp_loader.load()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    """No test sees the developer's tokens, database or home: HOME and the XDG folders point into the
    test's tmp dir (subprocesses inherit them), and each test gets its own data folder."""
    home = tmp_path / "home"
    for name, sub in (
        ("HOME", ""),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        folder = home / sub if sub else home
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(folder))
    for name in list(os.environ):
        if name.startswith(("SLACK_", "DISCORD_", "BRIEFBOT_")) and name not in (
            "BRIEFBOT_TEST_DATABASE_URL",
            "BRIEFBOT_TEST_REDIS_URL",
            "BRIEFBOT_SHARED",
        ):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(tmp_path / "briefbot-data"))


def _database_params() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    params.append(
        pytest.param(
            "postgresql",
            id="postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(
                    not os.environ.get("BRIEFBOT_TEST_DATABASE_URL"),
                    reason="BRIEFBOT_TEST_DATABASE_URL is not set",
                ),
            ],
        )
    )
    return params


@asynccontextmanager
async def _database_url(kind: str, tmp_path: Path) -> AsyncIterator[str]:
    """A clean, empty database URL: a SQLite file, or a fresh PostgreSQL schema (dropped afterwards)."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
        return
    import uuid

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    base = os.environ["BRIEFBOT_TEST_DATABASE_URL"]
    schema = f"t_{uuid.uuid4().hex[:16]}"
    yield f"{base}{'&' if '?' in base else '?'}schema={schema}"
    engine = create_async_engine(base)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await engine.dispose()


@pytest.fixture(params=_database_params())
async def db_url(request, tmp_path):
    """A clean, empty database URL per test: a SQLite file, or (when BRIEFBOT_TEST_DATABASE_URL is set)
    a fresh PostgreSQL schema selected with ``?schema=`` (dropped afterwards)."""
    async with _database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture(params=[pytest.param("memory", id="memory"), *_database_params()])
async def storage(request, tmp_path):
    """The storage port (``briefings.storage``), once in memory and once on each database: the
    contract tests run against every implementation, so the in-memory one cannot drift."""
    if request.param == "memory":
        from briefings.store.inmemory import MemoryStorage

        yield MemoryStorage()
        return
    from briefings.store import open_store

    async with _database_url(request.param, tmp_path) as url, open_store(url) as store:
        yield store
