"""``briefbot serve slack|discord``: run one platform's bot (``briefbot run`` serves all configured ones)."""

from __future__ import annotations

import argparse
import importlib


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
    module = {"slack": "bots.slack_app.serve", "discord": "bots.discord_bot.serve"}[args.platform]
    return int(importlib.import_module(module).main(args) or 0)
