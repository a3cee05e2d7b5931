"""``briefbot serve slack|discord``: run one platform's bot (``briefbot run`` serves all configured ones)."""

from __future__ import annotations

import argparse
import asyncio
import importlib

from bots.bootstrap import run_platforms
from bots.discord_bot.shards import parse_shards
from briefings.errors import ConfigError
from briefings.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the Slack app or the Discord bot",
        description="Serve one platform. Slack: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP "
        "at /slack/events. Discord: DISCORD_TOKEN, app commands synced on start.",
    )
    p.add_argument("platform", choices=("slack", "discord"))
    p.add_argument(
        "--host", default="0.0.0.0", help="Slack HTTP mode: address to listen on (default 0.0.0.0)"
    )
    p.add_argument("--port", type=int, default=3000, help="Slack HTTP mode: port (default 3000)")
    p.add_argument(
        "--shards",
        metavar="IDS",
        help="Discord: run only these shards in this process, e.g. 0,1 or 0-3 (needs --shard-count)",
    )
    p.add_argument("--shard-count", type=int, metavar="N", help="Discord: the bot's total number of shards")
    p.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    # Each adapter checks its own settings first (an adapter may be absent from this install).
    module = {"slack": "bots.slack_app.serve", "discord": "bots.discord_bot.serve"}[args.platform]
    importlib.import_module(module).check_settings(settings)
    host = getattr(args, "host", "0.0.0.0")
    port = getattr(args, "port", 3000)
    if args.platform == "slack" and not 0 <= port <= 65535:
        raise ConfigError(f"--port must be between 0 and 65535 (0: any free port), got {port}")
    # Discord warms spaCy up before connecting; a Slack-only process freezes its heap once loaded.
    discord = args.platform == "discord"
    shards = parse_shards(args.shards, args.shard_count) if discord else None  # fails fast, one line
    asyncio.run(
        run_platforms(
            settings,
            [args.platform],
            host=host,
            port=port,
            warm_up=discord,
            freeze_heap=not discord,
            shards=shards,
        )
    )
    return 0
