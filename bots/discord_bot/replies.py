"""Rendered Discord payloads -> discord.py send calls, for interactions (public or ephemeral).

The payload dicts come from ``embeds.DiscordRenderer`` (``content``, ``embeds``,
``allowed_mentions``); here they only become discord.py objects. Mentions are
always off, whatever the payload says: article text must never ping anyone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import discord

from briefings.models import Briefing

from .embeds import DiscordRenderer

log = logging.getLogger(__name__)

DISCORD = DiscordRenderer()

NO_MENTIONS = discord.AllowedMentions.none()
EPHEMERAL_FLAG = 64  # discord.MessageFlags.ephemeral, as it appears on the wire


def message_kwargs(payload: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``send``/``followup.send``/``edit_original_response`` from one payload."""
    kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
    if payload.get("content"):
        kwargs["content"] = payload["content"]
    embeds = payload.get("embeds") or []
    if embeds:
        kwargs["embeds"] = [discord.Embed.from_dict(e) for e in embeds]
    return kwargs


def briefing_payload(briefing: Briefing) -> dict[str, Any]:
    """One briefing as a Discord payload (embeds from the templates)."""
    payload = DISCORD.briefing(briefing)
    assert isinstance(payload, dict)  # the discord format always renders to a dict
    return payload


def notice(text: str) -> dict[str, Any]:
    """A short plain notice (an error, a confirmation) as a Discord payload, escaped by the renderer."""
    payload = DISCORD.message(text)
    assert isinstance(payload, dict)  # the discord format always renders to a dict
    return payload


async def defer(interaction: discord.Interaction, *, public: bool) -> None:
    """Acknowledge within Discord's 3 s ("thinking"), remembering the visibility for error paths."""
    interaction.extras["deferred_public"] = public
    await interaction.response.defer(thinking=True, ephemeral=not public)


def deferred_public(interaction: discord.Interaction) -> bool:
    """Whether this interaction was deferred publicly (so an error must hide the placeholder)."""
    return bool(interaction.extras.get("deferred_public")) and interaction.response.is_done()


async def send_public(interaction: discord.Interaction, payloads: Sequence[dict[str, Any]]) -> None:
    """Answer a publicly deferred interaction: the first followup replaces "thinking", the rest follow."""
    for payload in payloads:
        await interaction.followup.send(**message_kwargs(payload))
        # The placeholder is now the answer: a later error must not delete it, and can be ephemeral.
        interaction.extras["deferred_public"] = False


async def send_ephemeral(interaction: discord.Interaction, payloads: Sequence[dict[str, Any]]) -> None:
    """Show payloads to the invoking user only.

    An answer inherits the visibility of its deferral, so after a public
    "thinking" the placeholder is deleted first; the followups are then new
    messages and can carry the ephemeral flag.
    """
    if not interaction.response.is_done():
        first, *rest = payloads
        await interaction.response.send_message(**message_kwargs(first), ephemeral=True)
        payloads = rest
    elif deferred_public(interaction):
        interaction.extras["deferred_public"] = False
        try:
            await interaction.delete_original_response()
        except discord.NotFound:  # already gone: nothing to hide
            pass
    for payload in payloads:
        await interaction.followup.send(**message_kwargs(payload), ephemeral=True)


async def send_error(interaction: discord.Interaction, message: str) -> None:
    """A one-line error, to the invoking user only."""
    await send_ephemeral(interaction, [notice(message)])
