"""Fixtures of the ingest tests: loopback HTTP servers, settings with or without private hosts, resolvers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ingest_loopback import LoopbackServer

from briefings.settings import Settings


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """A fresh server on 127.0.0.1 (reachable only with private hosts allowed)."""
    srv = LoopbackServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def private_ok() -> Settings:
    """Settings that may fetch from loopback: for tests whose subject is not the address check."""
    return Settings(allow_private_hosts=True)


@pytest.fixture
def public_only() -> Settings:
    """The default: private addresses refused."""
    return Settings()
