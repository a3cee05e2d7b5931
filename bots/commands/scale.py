"""``briefbot migrate``, ``briefbot scheduler``, ``briefbot outbox``: the services of a deployment past one
process (docs/scaling.md, compose.yaml), each a plain process on the shared database."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from bots.bootstrap import bootstrap, configured_platforms, platform_deliverers
from briefings.settings import Settings
from briefings.store import open_store


def register(sub: argparse._SubParsersAction) -> None:
    m = sub.add_parser(
        "migrate",
        help="bring the database to the latest schema, then exit (a one-shot deployment step)",
        description="Apply the Alembic migrations to BRIEFBOT_DATABASE_URL (idempotent) and exit.",
    )
    m.set_defaults(func=cmd_migrate)
    s = sub.add_parser(
        "scheduler",
        help="morning briefings and feed polling while this process leads (one leader per database)",
        description="Run the scheduler and the feed poller while this process holds the leadership "
        "(a PostgreSQL advisory lock; others wait to take over), and an outbox worker.",
    )
    s.set_defaults(func=cmd_background, leader=True)
    o = sub.add_parser(
        "outbox",
        help="an outbox worker: send queued messages (any number of them share the database and Redis)",
        description="Send queued messages to Slack and Discord (their REST APIs); start as many as "
        "needed: entries are claimed with FOR UPDATE SKIP LOCKED, pacing is shared through BRIEFBOT_REDIS_URL.",
    )
    o.set_defaults(func=cmd_background, leader=False)


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = Settings.from_env()

    async def migrate() -> None:
        async with open_store(settings.effective_database_url):
            pass

    asyncio.run(migrate())
    print("briefbot: database at the latest schema", flush=True)
    return 0


def cmd_background(args: argparse.Namespace) -> int:
    asyncio.run(_background(Settings.from_env(), leader=args.leader))
    return 0


async def _background(settings: Settings, *, leader: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with (
        platform_deliverers(settings, configured_platforms(settings)) as deliverers,
        bootstrap(settings, deliverers=deliverers) as services,
    ):
        print(f"briefbot: {'scheduler' if leader else 'outbox worker'} running", flush=True)
        if leader:
            await services.run_background(stop)
        else:
            await services.outbox.run(stop, idle_seconds=2.0)
