"""``briefbot discord invite``: print the URL that adds the Discord bot to a server."""

from __future__ import annotations

import argparse

from bots.discord_bot.config import discord_settings
from briefings.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "discord",
        help="Discord helpers (invite URL)",
        description="Discord helpers. `briefbot discord invite` prints the OAuth2 URL that adds the bot to a server.",
    )
    actions = p.add_subparsers(dest="discord_command", metavar="ACTION", required=True)
    invite = actions.add_parser(
        "invite",
        help="print the OAuth2 invite URL",
        description="Print the invite URL with the bot and applications.commands scopes and exactly the "
        "permissions briefbot uses. Needs DISCORD_APPLICATION_ID (or DISCORD_TOKEN, which encodes the same id).",
    )
    invite.add_argument("--guild", type=int, help="preselect this server (guild id) on the invite page")
    invite.add_argument(
        "--threads",
        action="store_true",
        help="also allow opening a thread per article (/briefing digest threads:True)",
    )
    invite.set_defaults(func=cmd_invite)


def cmd_invite(args: argparse.Namespace) -> int:
    from bots.discord_bot.invite import application_id_of, invite_url  # noqa: PLC0415 - discord.py on demand

    settings = Settings.from_env()
    print(
        invite_url(
            application_id_of(settings),
            guild=args.guild or discord_settings(settings).guild,
            threads=args.threads,
        )
    )
    return 0
