"""Fixtures for the Discord adapter: the loopback Discord, test settings, a logged-in bot, an article server.

This folder has no ``__init__.py`` on purpose: as a package named ``discord`` it
would shadow discord.py. Its helper modules are therefore prefixed ``discord_``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord.http
import pytest
from discord_articles import ArticleServer
from discord_fake import APPLICATION_ID, TOKEN, FakeDiscord
from discord_payloads import GUILD_ID

from briefings.settings import Settings


@pytest.fixture
async def fake_discord(monkeypatch) -> AsyncIterator[FakeDiscord]:
    # Route.BASE is process-wide: whatever the test points it at is put back afterwards.
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    server = FakeDiscord()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def discord_settings(fake_discord: FakeDiscord, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        allow_private_hosts=True,  # the articles of these tests are served on loopback
        env={
            "DISCORD_TOKEN": TOKEN,
            "BRIEFBOT_DISCORD_API_BASE": fake_discord.url,
            "DISCORD_APPLICATION_ID": APPLICATION_ID,
            "BRIEFBOT_DISCORD_GUILD": GUILD_ID,
        },
    )


@pytest.fixture
async def articles() -> AsyncIterator[ArticleServer]:
    server = ArticleServer()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def bot(discord_settings: Settings, fake_discord: FakeDiscord) -> AsyncIterator[Any]:
    """A BriefBot logged in to the loopback Discord (which syncs its commands), without a gateway."""
    from bots.discord_bot.bot import BriefBot
    from bots.discord_bot.rest import apply_api_base
    from briefings.pipeline import Briefer

    apply_api_base(discord_settings)
    briefer = Briefer(discord_settings)
    client = BriefBot(discord_settings, briefer=briefer, chat=None)
    await client.login(TOKEN)
    yield client
    await client.close()
    briefer.close()
