"""The OAuth2 URL that adds the bot to a server, with exactly the permissions it uses."""

from __future__ import annotations

import base64
import binascii

import discord

from briefings.errors import ConfigError
from briefings.settings import Settings

from .config import discord_settings

SCOPES = ("bot", "applications.commands")


def needed_permissions(*, threads: bool = False) -> discord.Permissions:
    """What the bot does in a channel, and nothing more.

    View + Send: post digests and "Brief this" replies; Embed Links: briefings are
    embeds; Read Message History: replying to a message, and ``already_sent``
    looking through recent messages. Slash-command answers go through the
    interaction webhook and need no channel permission at all. With ``threads``
    (``/briefing digest threads:True``): Create Public Threads and Send Messages in Threads.
    """
    permissions = discord.Permissions(
        view_channel=True, send_messages=True, embed_links=True, read_message_history=True
    )
    if threads:
        permissions.update(create_public_threads=True, send_messages_in_threads=True)
    return permissions


def application_id_of(settings: Settings) -> int:
    """DISCORD_APPLICATION_ID, or the bot user id encoded in the first part of DISCORD_TOKEN (the same id)."""
    cfg = discord_settings(settings)
    if cfg.application_id:
        return cfg.application_id
    if cfg.token:
        head = cfg.token.split(".", 1)[0]
        try:
            decoded = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)).decode("ascii")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            decoded = ""
        if decoded.isdigit():
            return int(decoded)
        raise ConfigError(
            "the invite URL needs your application id, and it could not be read from DISCORD_TOKEN "
            "(a bot token looks like three dot-separated parts, the first encoding the id); set "
            "DISCORD_APPLICATION_ID (Discord Developer Portal > your application > General Information > "
            "Application ID), or check that DISCORD_TOKEN is the bot token"
        )
    raise ConfigError(
        "DISCORD_APPLICATION_ID is not set (Discord Developer Portal > your application > General Information > "
        "Application ID)"
    )


def invite_url(application_id: int, *, guild: int | None = None, threads: bool = False) -> str:
    """The invite URL: ``bot`` + ``applications.commands`` scopes and ``needed_permissions()``."""
    return discord.utils.oauth_url(
        application_id,
        permissions=needed_permissions(threads=threads),
        scopes=SCOPES,
        guild=discord.Object(id=guild) if guild else discord.utils.MISSING,
    )
