"""``/brief url:|text:`` and the message context menu "Brief this": interaction -> Briefer -> embeds."""

from __future__ import annotations

import logging
import re

import discord
from discord import app_commands

from briefings.deliver.tenants import tenant_of, tenant_scope
from briefings.errors import BriefbotError
from briefings.ingest.source import is_url, load_source
from briefings.models import Briefing
from briefings.pipeline import Briefer

from .replies import briefing_payload, defer, message_kwargs, notice, send_error, send_public

log = logging.getLogger(__name__)

# Links as Discord shows them: bare, or in <...> to suppress the preview. Trailing punctuation
# is sentence punctuation, not part of the link.
_LINK = re.compile(r"https?://[^\s<>|\"]+", re.IGNORECASE)
MAX_LINKS = 3  # "Brief this" on a message with many links briefs the first few


def links_in(text: str) -> list[str]:
    """The http(s) links of a message, in order, without duplicates."""
    found: list[str] = []
    for match in _LINK.finditer(text):
        link = match.group(0).rstrip(".,;:!?)]}'")
        if link not in found:
            found.append(link)
    return found


class BriefHandlers:
    """What ``/brief`` and "Brief this" do; the app-command objects only forward here."""

    def __init__(self, briefer: Briefer) -> None:
        self.briefer = briefer

    async def _brief(self, source: str, *, is_link: bool, interaction: discord.Interaction) -> Briefing:
        # At most a few briefings in progress per user and per channel (refused at once beyond).
        guild = str(interaction.guild_id) if interaction.guild_id else None
        with (
            self.briefer.limits.hold(str(interaction.user.id), f"discord:{interaction.channel_id}"),
            tenant_scope(tenant_of("discord", guild, str(interaction.channel_id))),
        ):
            # Pasted text is never read as a URL or a local path.
            article = await load_source(source, self.briefer.settings, pasted=not is_link)
            return await self.briefer.brief(article)

    async def brief(self, interaction: discord.Interaction, *, url: str | None, text: str | None) -> None:
        url, text = (url or "").strip(), (text or "").strip()
        problem = None
        if url and text:
            problem = "Give either url or text, not both."
        elif not url and not text:
            problem = "Give a link with /brief url:<link>, or paste the article with /brief text:<article>."
        elif url and not is_url(url):
            problem = "url must be a single http:// or https:// link."
        if problem:  # answered at once: nothing slow has started
            await send_error(interaction, problem)
            return
        # Briefing takes longer than Discord's 3 s to acknowledge: "thinking" first, then the work.
        await defer(interaction, public=True)
        try:
            briefing = await self._brief(url or text, is_link=bool(url), interaction=interaction)
        except BriefbotError as exc:
            log.info("/brief failed: %s", exc.detail)
            await send_error(interaction, exc.message)
            return
        await send_public(interaction, [briefing_payload(briefing)])

    async def brief_this(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Brief the links of a message (or its text), posted as replies to it."""
        # Deferred privately: the user sees progress and any error; the channel sees only briefings.
        await defer(interaction, public=False)
        # Links in the text first, then those of embeds (a shared article's card, another bot's post).
        embedded = " ".join(e.url for e in message.embeds if e.url)
        links = links_in(f"{message.content or ''} {embedded}")[:MAX_LINKS]
        sources = [(link, True) for link in links] or [(message.content or "", False)]
        if not sources[0][0].strip():
            await send_error(interaction, "That message has no text or link to brief.")
            return
        posted = 0
        failures: list[str] = []
        for source, is_link in sources:
            try:
                briefing = await self._brief(source, is_link=is_link, interaction=interaction)
            except BriefbotError as exc:
                failures.append(f"{source}: {exc.message}" if is_link else exc.message)
                continue
            payload = briefing_payload(briefing)
            try:
                await message.reply(**message_kwargs(payload), mention_author=False)
                posted += 1
            except discord.Forbidden:
                # The bot may not post in this channel (or is installed for the user only):
                # the briefing goes to the invoking user instead, which is answer enough.
                await interaction.followup.send(**message_kwargs(payload), ephemeral=True)
        if failures:
            await send_error(interaction, " ".join(failures))
        elif posted:
            plural = "s" if posted > 1 else ""
            await interaction.followup.send(
                **message_kwargs(notice(f"Posted {posted} briefing{plural} as a reply to the message.")),
                ephemeral=True,
            )


def brief_command(handlers: BriefHandlers) -> app_commands.Command:
    """The ``/brief`` slash command."""

    @app_commands.command(
        name="brief", description="Brief a news article: who said what, offers and demands first"
    )
    @app_commands.describe(url="a link to the article", text="the article's text, pasted")
    async def brief(
        interaction: discord.Interaction,
        url: app_commands.Range[str, 1, 2000] | None = None,
        text: app_commands.Range[str, 1, 6000] | None = None,
    ) -> None:
        await handlers.brief(interaction, url=url, text=text)

    return brief


def brief_this_menu(handlers: BriefHandlers) -> app_commands.ContextMenu:
    """The message context menu "Brief this"."""

    async def brief_this(interaction: discord.Interaction, message: discord.Message) -> None:
        await handlers.brief_this(interaction, message)

    return app_commands.ContextMenu(name="Brief this", callback=brief_this)
