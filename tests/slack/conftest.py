"""Fixtures for the Slack adapter tests: Slack on loopback, and our real bolt app served over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_harness import RunningApp, start_app, stop_app
from slack_loopback import BOT_TOKEN, SIGNING_SECRET, SlackLoopback

from bots.bootstrap import Services, bootstrap
from bots.slack_app.app import SlackServices
from briefings.pipeline import Briefer
from briefings.settings import Settings


@pytest.fixture
async def slack() -> AsyncIterator[SlackLoopback]:
    loopback = await SlackLoopback().start()
    yield loopback
    await loopback.stop()


@pytest.fixture
def settings(slack: SlackLoopback, tmp_path) -> Settings:
    return Settings(
        allow_private_hosts=True,  # the articles are served on 127.0.0.1
        data_dir=tmp_path / "data",
        env={
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "BRIEFBOT_SLACK_API_URL": slack.base_url,
        },
    )


@pytest.fixture
def sleeps() -> list[float]:
    """Every wait the retry handlers asked for; they are recorded instead of slept."""
    return []


@pytest.fixture
async def briefer(settings: Settings) -> AsyncIterator[Briefer]:
    b = Briefer(settings)
    yield b
    b.close()


@pytest.fixture
async def core(settings: Settings, briefer: Briefer) -> AsyncIterator[Services]:
    """The core services from the composition root, on a SQLite file of this test's own."""
    async with bootstrap(settings, briefer=briefer) as services:
        yield services


@pytest.fixture
def slack_services(core: Services) -> SlackServices:
    return SlackServices(briefer=core.briefer, chat=core.chat)


@pytest.fixture
async def running_app(settings, slack_services, slack, sleeps) -> AsyncIterator[RunningApp]:
    app = await start_app(settings, slack_services, slack, sleeps)
    yield app
    await stop_app(app)
