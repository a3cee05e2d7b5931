"""``briefbot run``: the console chat with the scheduler on SQLite; with platform tokens, Slack and/or
Discord served in the same process, sharing one store and scheduler."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bots.bootstrap import (
    bootstrap,
    configured_platforms,
    platform_deliverers,
    serve_platforms,
    stop_on_signals,
)
from bots.console import Console, ConsoleDeliverer, stdin_lines
from briefings.clock import ShiftedClock
from briefings.deliver.scheduler import parse_timezone
from briefings.errors import InputError
from briefings.redact import redact_urls
from briefings.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run the bot: console chat + scheduler (and Slack/Discord when their tokens are set)",
        description="Run briefbot. With no platform tokens: a console chat on the terminal "
        "(/brief <file|url|text>, /brief subscribe <feed> daily 07:30 tz Europe/Berlin, /brief list, "
        "/brief digest, /advance 10m, quit) with the scheduler running on SQLite. With SLACK_* or "
        "DISCORD_TOKEN set, also serves those platforms.",
    )
    when = p.add_mutually_exclusive_group()
    when.add_argument(
        "--now", metavar="ISO", help="start the clock at this time, e.g. 2026-11-28T07:29:30+01:00"
    )
    when.add_argument("--at", metavar="HH:MM[:SS]", help="start the clock at this time today (in --tz)")
    p.add_argument("--tz", help="time zone for --at and the console clock (default BRIEFBOT_TIMEZONE or UTC)")
    p.add_argument("--no-console", action="store_true", help="do not read commands from standard input")
    p.add_argument(
        "--host", default="0.0.0.0", help="Slack HTTP mode: address to listen on (default 0.0.0.0)"
    )
    p.add_argument("--port", type=int, default=3000, help="Slack HTTP mode: port (default 3000)")
    p.set_defaults(func=cmd_run)


def start_time(args: argparse.Namespace, tz: ZoneInfo, now: datetime) -> datetime | None:
    """The clock's start from --now/--at (None: real time)."""
    if args.now:
        try:
            when = datetime.fromisoformat(args.now)
        except ValueError:
            raise InputError(
                f"--now must be an ISO 8601 time such as 2026-11-28T07:29:30+01:00, got {args.now!r}"
            ) from None
        return when if when.tzinfo else when.replace(tzinfo=tz)
    if args.at:
        try:
            at = time.fromisoformat(args.at)
        except ValueError:
            raise InputError(f"--at must be HH:MM or HH:MM:SS, got {args.at!r}") from None
        return datetime.combine(now.astimezone(tz).date(), at, tzinfo=tz)
    return None


def cmd_run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if args.tz:
        parse_timezone(args.tz)
        settings.default_timezone = args.tz
    tz = ZoneInfo(settings.default_timezone)
    clock = ShiftedClock(start_time(args, tz, ShiftedClock().now()))
    asyncio.run(_run(settings, clock, args))
    return 0


async def _run(settings: Settings, clock: ShiftedClock, args: argparse.Namespace) -> None:
    platforms = configured_platforms(settings)
    stop = asyncio.Event()
    stop_on_signals(stop)
    console_on = not args.no_console and (not platforms or sys.stdin.isatty())
    async with platform_deliverers(settings, platforms) as deliverers:
        deliverers["console"] = ConsoleDeliverer(sys.stdout)
        async with bootstrap(settings, clock=clock, deliverers=deliverers) as services:
            where = redact_urls(settings.effective_database_url.split("///")[-1])
            print(
                f"briefbot: running; store {where}; clock {clock.now().astimezone(ZoneInfo(settings.default_timezone)):%Y-%m-%d %H:%M %Z}"
                + (f"; serving {', '.join(platforms)}" if platforms else "")
                + ("; type /brief help" if console_on else ""),
                flush=True,
            )
            background = asyncio.ensure_future(services.run_background(stop))
            served = asyncio.ensure_future(
                serve_platforms(services, platforms, stop, host=args.host, port=args.port)
            )
            try:
                if console_on:
                    console = Console(services, out=sys.stdout, advance=clock.advance)
                    reader = asyncio.ensure_future(console.run(stdin_lines()))
                    stopper = asyncio.ensure_future(stop.wait())
                    # Without platforms, leaving the console ends the run; with them, it runs on.
                    waits = {reader, stopper, served} if platforms else {reader, stopper}
                    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
                    stopper.cancel()
                    if reader.done() and reader.exception():
                        raise reader.exception()  # type: ignore[misc]
                    reader.cancel()
                    if not platforms:
                        await services.outbox.run_once()  # what is due now is shown before leaving
                        stop.set()
                if platforms:
                    if console_on and not served.done():
                        print(
                            f"briefbot: console closed; still serving {', '.join(platforms)} (Ctrl-C stops)",
                            flush=True,
                        )
                    await asyncio.wait(
                        {served, asyncio.ensure_future(stop.wait())}, return_when=asyncio.FIRST_COMPLETED
                    )
                if served.done() and served.exception():
                    raise served.exception()  # type: ignore[misc]
            finally:
                stop.set()
                await asyncio.wait_for(asyncio.gather(background, served, return_exceptions=True), timeout=10)
