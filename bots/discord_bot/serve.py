"""``briefbot serve discord``: validate the settings, open the resources, run the bot until stopped."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import aiohttp
import discord
from discord.http import Route

from briefings.errors import BriefbotError, ConfigError
from briefings.pipeline import Briefer
from briefings.settings import Settings

from .bot import BriefBot
from .config import discord_settings
from .rest import apply_api_base
from .shards import ShardPlan

if TYPE_CHECKING:
    from briefings.deliver.chat import ChatCommands

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"^[\w-]+\.[\w-]+\.[\w-]+$")


def check_settings(settings: Settings) -> None:
    """Fail fast, with one line naming the setting, before anything connects."""
    discord_settings(settings).require()
    token = discord_settings(settings).token or ""
    if token.lower().startswith("bot "):
        raise ConfigError("DISCORD_TOKEN must be the bare token, without the 'Bot ' prefix")
    if not _TOKEN.match(token):
        raise ConfigError(
            "DISCORD_TOKEN is malformed: expected three dot-separated parts "
            "(Developer Portal > your application > Bot > Reset Token)"
        )
    apply_api_base(settings)  # also validates BRIEFBOT_DISCORD_API_BASE


async def serve(
    settings: Settings, *, briefer: Briefer, chat: ChatCommands | None = None, shards: ShardPlan | None = None
) -> None:
    """Run the bot until cancelled. ``briefbot run`` calls this with its shared Briefer and chat commands;
    ``shards``: only these of the bot's shards (``--shards``/``--shard-count``)."""
    check_settings(settings)
    options = {}
    if shards is not None and shards.shard_count is not None:
        options = {"shard_ids": shards.shard_ids, "shard_count": shards.shard_count}
    async with BriefBot(settings, briefer=briefer, chat=chat, **options) as bot:
        try:
            await bot.start(discord_settings(settings).token or "")
        except discord.LoginFailure:
            raise ConfigError(
                "DISCORD_TOKEN was refused by Discord (reset it in the Developer Portal > Bot)"
            ) from None
        except discord.GatewayNotFound:
            raise BriefbotError(
                f"could not get Discord's gateway address from {Route.BASE}/gateway/bot"
                + (" (check BRIEFBOT_DISCORD_API_BASE)" if discord_settings(settings).api_base else "")
            ) from None
        except (aiohttp.ClientConnectionError, OSError) as exc:
            raise BriefbotError(f"could not reach Discord at {Route.BASE}: {exc}") from exc
