"""Fixtures for the scheduler tests: a migrated store per test, a fake clock, a feed server on
loopback (ETag/304, failures on demand) and a recording platform that plays Slack/Discord."""

from __future__ import annotations

import pytest
from sched_support import (
    T0,
    FeedServer,
    RecordingPlatform,
    Rows,
)

from briefings.clock import FakeClock
from briefings.settings import Settings
from briefings.store import open_store


@pytest.fixture
async def store(db_url):
    async with open_store(db_url) as s:
        yield s


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path, allow_private_hosts=True)


# ---------------------------------------------------------------- a platform that records what it got


@pytest.fixture
def platform(clock) -> RecordingPlatform:
    return RecordingPlatform(clock)


@pytest.fixture
async def feed_server():
    server = FeedServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def rows(store) -> Rows:
    return Rows(store)
