"""``briefbot serve discord``: validate the settings, open the resources, run the bot until stopped."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import re
import signal
from typing import TYPE_CHECKING

import aiohttp
import discord
from discord.http import Route

from briefings.errors import BriefbotError, ConfigError
from briefings.pipeline import Briefer
from briefings.settings import Settings

from .bot import BriefBot
from .rest import apply_api_base
from .shards import ShardPlan, parse_shards

if TYPE_CHECKING:
    from briefings.chat import ChatCommands

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"^[\w-]+\.[\w-]+\.[\w-]+$")


def check_settings(settings: Settings) -> None:
    """Fail fast, with one line naming the setting, before anything connects."""
    settings.require_discord()
    token = settings.discord_token or ""
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
            await bot.start(settings.discord_token or "")
        except discord.LoginFailure:
            raise ConfigError(
                "DISCORD_TOKEN was refused by Discord (reset it in the Developer Portal > Bot)"
            ) from None
        except discord.GatewayNotFound:
            raise BriefbotError(
                f"could not get Discord's gateway address from {Route.BASE}/gateway/bot"
                + (" (check BRIEFBOT_DISCORD_API_BASE)" if settings.discord_api_base else "")
            ) from None
        except (aiohttp.ClientConnectionError, OSError) as exc:
            raise BriefbotError(f"could not reach Discord at {Route.BASE}: {exc}") from exc


def main(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    check_settings(settings)
    parse_shards(getattr(args, "shards", None), getattr(args, "shard_count", None))  # fail fast
    asyncio.run(_main(settings, args))
    return 0


async def _main(settings: Settings, args: argparse.Namespace) -> None:
    """The bot plus what makes subscriptions work: store, feed polling, scheduler, outbox (REST deliverer)."""
    from bots.bootstrap import bootstrap, platform_deliverers, serve_platforms  # noqa: PLC0415

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with platform_deliverers(settings, ["discord"]) as deliverers:
        async with bootstrap(settings, deliverers=deliverers) as services:
            await asyncio.to_thread(services.briefer.warm_up)  # the first /brief should not wait for spaCy
            background = asyncio.ensure_future(services.run_background(stop))
            try:
                await serve_platforms(
                    services,
                    ["discord"],
                    stop,
                    host=args.host,
                    port=args.port,
                    shards=parse_shards(getattr(args, "shards", None), getattr(args, "shard_count", None)),
                )
            finally:
                stop.set()
                await asyncio.wait_for(asyncio.gather(background, return_exceptions=True), timeout=10)
