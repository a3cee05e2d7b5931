"""The Discord bot: app commands wired to the core, synced on start, mentions off for everything.

``AutoShardedBot`` asks Discord for the recommended shard count at connect time,
so a small bot runs one shard and a large one as many as Discord requires.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from briefings.pipeline import Briefer
from briefings.settings import Settings

from .brief_commands import BriefHandlers, brief_command, brief_this_menu
from .briefing_group import BriefingHandlers, briefing_group
from .config import discord_settings
from .replies import NO_MENTIONS, send_error
from .shards import IdentifyPacer

if TYPE_CHECKING:
    from briefings.deliver.chat import ChatCommands

log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong on briefbot's side; the error was logged."


class BriefTree(app_commands.CommandTree):
    """The command tree: an unexpected failure is logged and told to the invoking user only."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        log.error("command %r failed", interaction.command and interaction.command.name, exc_info=error)
        try:
            await send_error(interaction, UNEXPECTED)
        except discord.HTTPException:
            log.warning("could not report the failure to the user", exc_info=True)


class BriefBot(commands.AutoShardedBot):
    """``/brief``, "Brief this" and ``/briefing``; resources are passed in, nothing opened here."""

    def __init__(
        self, settings: Settings, *, briefer: Briefer, chat: ChatCommands | None = None, **options: Any
    ) -> None:
        # App commands need no privileged intents: the interaction carries the message and member.
        options.setdefault("intents", discord.Intents(guilds=True))
        if discord_settings(settings).application_id:  # else discord.py learns it at login
            options.setdefault("application_id", discord_settings(settings).application_id)
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            allowed_mentions=NO_MENTIONS,
            tree_cls=BriefTree,
            **options,
        )
        self.settings = settings
        self.identify_pacer = IdentifyPacer()  # max_concurrency learnt from /gateway/bot at login
        self.briefer = briefer
        self.chat = chat
        brief = BriefHandlers(briefer, chat)
        self.tree.add_command(brief_command(brief))
        self.tree.add_command(brief_this_menu(brief))
        self.tree.add_command(briefing_group(BriefingHandlers(chat)))

    async def setup_hook(self) -> None:
        await self.sync_commands()
        if self.shard_ids is not None:
            # Shards started by number: learn the gateway's identify concurrency (discord.py alone waits
            # 5 s before each shard after the first) and its URL (it would otherwise use the default).
            _count, url, limits = await self.http.get_bot_gateway()
            self.identify_pacer = IdentifyPacer(int(limits.get("max_concurrency", 1)))
            self.shard_gateway = url

    async def launch_shards(self) -> None:
        gateway = getattr(self, "shard_gateway", None)
        if self.shard_ids is None or self.shard_count is None or not gateway:
            await super().launch_shards()
            return
        self._connection.shard_count = self.shard_count
        self._connection.shard_ids = self.shard_ids
        for shard_id in self.shard_ids:
            await self.launch_shard(yarl.URL(gateway), shard_id, initial=shard_id == self.shard_ids[0])

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        await self.identify_pacer.wait()

    async def on_ready(self) -> None:
        log.info(
            "logged in as %s in %d server(s), %d shard(s)", self.user, len(self.guilds), self.shard_count or 1
        )

    async def sync_commands(self) -> list[app_commands.AppCommand]:
        """Register the commands with Discord: in one guild for development, else globally."""
        guild_id = discord_settings(self.settings).guild
        if guild_id:
            guild = discord.Object(id=guild_id)
            # Guild commands appear at once; global ones can take a while to reach every client.
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to guild %s", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands", len(synced))
        return synced
