"""The Discord platform as the core sees it (``briefings.deliver.platforms.Platform``): embeds renderer,
the REST-only Deliverer. Light to import: discord.py loads only with the deliverer."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator

from briefings.deliver.delivery import Deliverer
from briefings.deliver.platforms import Limits, angle_links
from briefings.errors import InputError
from briefings.settings import Settings

from .config import VARIABLES, discord_settings
from .embeds import DiscordRenderer

_CHANNEL = re.compile(r"^\d{5,25}$")


class DiscordPlatform:
    name = "discord"
    format = "discord"
    settings = VARIABLES
    renderer = DiscordRenderer()
    # Discord's global limit is 50 requests/s per bot: paced ahead at 45 so 429s stay rare.
    limits = Limits(pacing=0.5, rate=45.0)
    remote_target = False

    def plain_links(self, text: str) -> str:
        return angle_links(text)  # <https://…> suppresses the preview in Discord

    def configured(self, settings: Settings) -> bool:
        return bool(discord_settings(settings).token)

    def check_target(self, channel: str, settings: Settings) -> str:
        if not _CHANNEL.match(channel):
            raise InputError(f"a Discord channel id is a number such as 555000111, got {channel[:40]!r}")
        return channel

    def deliverer(self, settings: Settings) -> contextlib.AbstractAsyncContextManager[Deliverer]:
        return _discord_deliverer(settings)


@contextlib.asynccontextmanager
async def _discord_deliverer(settings: Settings) -> AsyncIterator[Deliverer]:
    from .deliver import DiscordDeliverer  # noqa: PLC0415 - discord.py loads only when Discord is configured

    discord_settings(settings).require()
    async with DiscordDeliverer(settings) as deliverer:
        yield deliverer


PLATFORM = DiscordPlatform()
