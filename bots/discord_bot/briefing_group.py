"""``/briefing subscribe|list|unsubscribe|digest``: forwarded to the core's chat commands.

The adapter only turns options into the chat-command text and the core's
``Reply`` into messages; schedules, feeds and the store live in the core.
``default_permissions(manage_channels=True)`` hides the group from other members
by default; since server admins can widen that, changes are also checked here,
server side, from the member's resolved permissions in the channel.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands

from briefings.deliver.delivery import ChannelRef
from briefings.models import Digest

from .embeds import DiscordRenderer
from .recall_embed import discord_recall
from .replies import briefing_payload, defer, notice, send_ephemeral, send_error, send_public
from .threads import post_article_threads

if TYPE_CHECKING:
    from briefings.deliver.chat import ChatCommands, Reply

log = logging.getLogger(__name__)

THREADS_FORBIDDEN = (
    "I may not open threads here: give me Create Public Threads and Send Messages in Threads "
    "(or re-invite me with the URL from `briefbot discord invite --threads`)."
)
NO_STORE = "Subscriptions need briefbot's store: run the bot with `briefbot serve discord` or `briefbot run`."


def reply_payloads(reply: Reply) -> list[dict[str, Any]]:
    """The core's Reply as Discord payloads (rendered by the templates)."""
    if reply.kind == "briefing" and reply.briefing is not None:
        return [briefing_payload(reply.briefing)]
    if reply.recall is not None:
        return [discord_recall(reply.recall)]
    if reply.code is not None:  # an OPML export: code blocks
        return DiscordRenderer().code(reply.text, reply.code, lang="xml")
    return [notice(reply.text or "Done.")]  # never nothing: "thinking" must always be answered


def _single_token(name: str, value: str | None) -> str | None:
    """Options are spliced into a command line: a value with spaces would smuggle in other options."""
    if value is None:
        return None
    value = value.strip()
    if not value or any(c.isspace() for c in value):
        raise ValueError(f"{name} must be a single word without spaces, got {value!r}")
    return value


def filter_words(**options: str | None) -> list[str]:
    """Discord's filter options as the shared syntax's words; a value with spaces is quoted as one
    phrase (unless it is already quoted or a /regex/)."""
    words: list[str] = []
    for kind, value in options.items():
        if not value or not value.strip():
            continue
        value = value.strip()
        if kind == "only":
            value = value.replace(" ", "")
        elif " " in value and not (value[0] in '"“/' and value[-1] in '"”/i'):
            value = '"' + value.replace('"', "") + '"'
        words += [kind, value]
    return words


def can_manage(interaction: discord.Interaction) -> bool:
    """Manage Channels (or Administrator) in this channel, from the permissions Discord resolved for the member."""
    permissions = interaction.permissions
    return permissions.manage_channels or permissions.administrator


def can_manage_server(interaction: discord.Interaction) -> bool:
    """Manage Server (or Administrator): who may make briefbot forget the server's statements."""
    permissions = interaction.permissions
    return permissions.manage_guild or permissions.administrator


class BriefingHandlers:
    """Runs a /briefing subcommand through ``ChatCommands.handle`` and posts its Reply."""

    def __init__(self, chat: ChatCommands | None) -> None:
        self.chat = chat

    async def run(
        self,
        interaction: discord.Interaction,
        text: str,
        *,
        public: bool,
        threads: bool = False,
        server_admin: bool = False,
    ) -> None:
        if self.chat is None:
            await send_error(interaction, NO_STORE)
            return
        if interaction.channel_id is None:
            await send_error(interaction, "Use /briefing in a server channel.")
            return
        # Feeds may be fetched and articles briefed: acknowledge first. Confirmations and lists are
        # for the invoking user; a digest is for the channel.
        await defer(interaction, public=public)
        channel = ChannelRef(
            "discord",
            str(interaction.channel_id),
            str(interaction.guild_id) if interaction.guild_id else None,
        )
        reply = await self.chat.handle(
            text,
            channel=channel,
            user=str(interaction.user.id),
            can_manage=can_manage_server(interaction) if server_admin else can_manage(interaction),
        )
        payloads = reply_payloads(reply)
        if reply.error or reply.ephemeral or not public:
            await send_ephemeral(interaction, payloads)
        else:
            await send_public(interaction, payloads)
        # A digest is posted by the outbox (retried if Discord fails); the threads follow it here.
        if threads and reply.digest_messages is not None:
            await self._threads(interaction, reply.digest_messages)

    async def _threads(self, interaction: discord.Interaction, digest: Digest) -> None:
        if not isinstance(interaction.channel, discord.TextChannel):
            await send_error(interaction, "Threads per article can only be opened in a text channel.")
            return
        try:
            await post_article_threads(interaction.channel, digest)
        except discord.Forbidden:
            await send_error(interaction, THREADS_FORBIDDEN)


def briefing_group(handlers: BriefingHandlers) -> app_commands.Group:
    """The ``/briefing`` command group."""
    group = app_commands.Group(
        name="briefing",
        description="Morning briefings and digests of news feeds for this channel",
        default_permissions=discord.Permissions(manage_channels=True),
        guild_only=True,
    )

    @group.command(name="subscribe", description="Post briefings of a news feed in this channel")
    @app_commands.describe(
        feed="the feed's URL (RSS or Atom)",
        time="local time of the daily digest, HH:MM (default 07:30)",
        timezone="IANA time zone such as Europe/Berlin (default: the bot's)",
        mode="digest: one morning digest; instant: each new article as it comes",
        backfill="include the feed's latest N items (default 0: the items it has now count as seen)",
        only="only articles with these acts: offer, demand, denial, accusation (comma-separated)",
        include='only articles matching: a word, "a phrase" or /regex/i',
        exclude='leave out articles matching: a word, "a phrase" or /regex/i',
        speaker="only articles quoting this speaker (e.g. Kuleba)",
    )
    async def subscribe(
        interaction: discord.Interaction,
        feed: app_commands.Range[str, 1, 2000],
        time: app_commands.Range[str, 1, 40] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        mode: Literal["digest", "instant"] | None = None,
        backfill: app_commands.Range[int, 0, 100] | None = None,
        only: app_commands.Range[str, 1, 100] | None = None,
        include: app_commands.Range[str, 1, 110] | None = None,
        exclude: app_commands.Range[str, 1, 110] | None = None,
        speaker: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        try:
            parts = ["subscribe", _single_token("feed", feed)]
            if time:
                parts += ["daily", _single_token("time", time)]
            if timezone:
                parts += ["tz", _single_token("timezone", timezone)]
        except ValueError as exc:
            await send_error(interaction, str(exc))
            return
        if mode:
            parts += ["mode", mode]
        if backfill:
            parts += ["backfill", str(backfill)]
        parts += filter_words(only=only, include=include, exclude=exclude, speaker=speaker)
        await handlers.run(interaction, " ".join(p for p in parts if p), public=False)

    @group.command(name="list", description="List this channel's subscriptions")
    async def list_(interaction: discord.Interaction) -> None:
        await handlers.run(interaction, "list", public=False)

    @group.command(name="unsubscribe", description="Stop a subscription (its number from /briefing list)")
    @app_commands.describe(number="the subscription's number in /briefing list")
    async def unsubscribe(interaction: discord.Interaction, number: app_commands.Range[int, 1, 1000]) -> None:
        await handlers.run(interaction, f"unsubscribe {number}", public=False)

    @group.command(name="resume", description="Poll a paused feed again (its number from /briefing list)")
    @app_commands.describe(number="the subscription's number in /briefing list")
    async def resume(interaction: discord.Interaction, number: app_commands.Range[int, 1, 1000]) -> None:
        await handlers.run(interaction, f"resume {number}", public=False)

    @group.command(name="export", description="This channel's feeds as OPML")
    async def export(interaction: discord.Interaction) -> None:
        await handlers.run(interaction, "export", public=False)

    @group.command(name="digest", description="Post this channel's digest now")
    @app_commands.describe(threads="also open a thread per article with its full briefing")
    async def digest(interaction: discord.Interaction, threads: bool = False) -> None:
        await handlers.run(interaction, "digest", public=False, threads=threads)

    @group.command(name="who", description="What a person or organisation said in what was briefed here")
    @app_commands.describe(name="a name, e.g. Amir-Abdollahian", days="only the last N days")
    async def who(
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 100],
        days: app_commands.Range[int, 1, 3650] | None = None,
    ) -> None:
        text = f"who {' '.join(name.split())}" + (f" {days}d" if days else "")
        await handlers.run(interaction, text, public=False)

    @group.command(
        name="track", description="Tell this channel when its feeds bring a statement that matches"
    )
    @app_commands.describe(term="a name or keyword", acts="only these acts, e.g. offer,denial")
    async def track(
        interaction: discord.Interaction,
        term: app_commands.Range[str, 1, 100],
        acts: app_commands.Range[str, 1, 80] | None = None,
    ) -> None:
        text = f"track {' '.join(term.split())}" + (f" acts {acts}" if acts else "")
        await handlers.run(interaction, text, public=False)

    @group.command(
        name="untrack", description="Stop tracking (its number from /briefing tracking, or the term)"
    )
    @app_commands.describe(track="the number from /briefing tracking, or the tracked name or keyword")
    async def untrack(interaction: discord.Interaction, track: app_commands.Range[str, 1, 100]) -> None:
        await handlers.run(interaction, f"untrack {' '.join(track.split())}", public=False)

    @group.command(name="tracking", description="What this channel tracks")
    async def tracking(interaction: discord.Interaction) -> None:
        await handlers.run(interaction, "tracking", public=False)

    @group.command(name="forget", description="Forget every statement briefed in this server (Manage Server)")
    async def forget(interaction: discord.Interaction) -> None:
        await handlers.run(interaction, "forget", public=False, server_admin=True)

    return group
