"""``briefbot feeds import FILE --to TARGET`` and ``briefbot feeds export [--from TARGET]``: a channel's
subscriptions in and out as OPML, the feed-list format of every feed reader."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from briefings.clock import SystemClock
from briefings.deliver.delivery import ChannelRef
from briefings.deliver.opml import OpmlFeed, parse_opml, to_opml
from briefings.deliver.polling import Poller
from briefings.deliver.scheduler import parse_times, parse_timezone
from briefings.deliver.subscriptions import SubscriptionService
from briefings.errors import BriefbotError, InputError
from briefings.settings import Settings
from briefings.store import Channel, Feed, SubscriptionRow, open_store

from .digest import parse_target


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "feeds",
        help="import or export subscriptions as OPML",
        description="Move feed lists between briefbot and feed readers (OPML).",
    )
    feeds = p.add_subparsers(dest="feeds_command", metavar="import|export")
    imp = feeds.add_parser(
        "import",
        help="subscribe a channel to every feed of an OPML file",
        description="Subscribe a channel to each feed of an OPML file (daily 07:30 digest unless given); "
        "the feeds' current items count as seen. A feed that cannot be read is reported and skipped.",
    )
    imp.add_argument("file", metavar="FILE", help="the OPML file ('-' reads standard input)")
    imp.add_argument(
        "--to", required=True, metavar="TARGET", help="console, slack:<channel_id> or discord:<channel_id>"
    )
    imp.add_argument("--time", default="07:30", help="local time(s) of the digest, HH:MM[,HH:MM]")
    imp.add_argument(
        "--tz", help="IANA time zone of the digests (default: the channel's or BRIEFBOT_TIMEZONE)"
    )
    imp.add_argument("--mode", choices=("digest", "instant"), default="digest")
    imp.set_defaults(func=cmd_import)
    exp = feeds.add_parser(
        "export",
        help="print the subscribed feeds as OPML",
        description="Print the feeds of one channel (--from) or of every channel as OPML.",
    )
    exp.add_argument("--from", dest="source", metavar="TARGET", help="console, slack:<id> or discord:<id>")
    exp.add_argument("-o", "--output", help="write to this file instead of standard output")
    exp.set_defaults(func=cmd_export)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


async def _no_briefing(article: Any) -> Any:
    """Importing briefs nothing: a feed's current items count as seen (no backfill)."""
    raise InputError("importing feeds briefs nothing")


async def _channel(store: Any, target: ChannelRef) -> ChannelRef:
    """``slack:C…`` names a channel; its workspace is the one the store knows it in (Slack and Discord
    address subscriptions by workspace and channel)."""
    if target.platform == "console":
        return ChannelRef("console", "terminal")
    async with store.session() as session:
        rows = (
            await session.execute(
                select(Channel.workspace).where(
                    Channel.platform == target.platform, Channel.channel == target.channel
                )
            )
        ).all()
    if len(rows) == 1:
        return ChannelRef(target.platform, target.channel, rows[0][0] or None)
    return target


def cmd_import(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    target = parse_target(args.to, settings)
    # Checked once here, not refused again for every feed after fetching it.
    for option, value, check in (("--time", args.time, parse_times), ("--tz", args.tz, parse_timezone)):
        try:
            if value is not None:
                check(value)
        except InputError as exc:
            raise InputError(f"{option}: {exc.message}") from None
    name = "standard input" if args.file == "-" else args.file
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
    feeds = parse_opml(data, name=name)
    return asyncio.run(_import(settings, target, feeds, args))


async def _import(settings: Settings, target: ChannelRef, feeds: list[Any], args: argparse.Namespace) -> int:
    failed = 0
    clock = SystemClock()
    async with open_store(settings.effective_database_url) as store:
        subscriptions = SubscriptionService(
            store, Poller(store, settings, clock, _no_briefing), settings, clock
        )
        channel = await _channel(store, target)
        for feed in feeds:
            try:
                sub = await subscriptions.subscribe(
                    channel, feed.url, times=args.time.split(","), tz=args.tz, mode=args.mode
                )
            except BriefbotError as exc:
                failed += 1
                print(f"briefbot: skipped {feed.url}: {exc.message}", file=sys.stderr)
                continue
            print(f"subscribed {channel} to {sub.feed_title or feed.title or feed.url} <{feed.url}>")
    print(f"briefbot: {len(feeds) - failed} of {len(feeds)} feeds subscribed", file=sys.stderr)
    return 2 if failed else 0


def cmd_export(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    source = parse_target(args.source, settings) if args.source else None
    document = asyncio.run(_export(settings, source))
    if args.output:
        try:
            Path(args.output).write_text(document, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(document)
    return 0


async def _export(settings: Settings, source: ChannelRef | None) -> str:
    async with open_store(settings.effective_database_url) as store:
        query = (
            select(Feed.url, Feed.title)
            .join(SubscriptionRow, SubscriptionRow.feed_id == Feed.id)
            .join(Channel, Channel.id == SubscriptionRow.channel_id)
            .where(SubscriptionRow.active.is_(True))
            .order_by(SubscriptionRow.id)
        )
        title = "briefbot subscriptions"
        if source is not None:
            channel = await _channel(store, source)
            query = query.where(
                Channel.platform == channel.platform,
                Channel.channel == channel.channel,
                Channel.workspace == (channel.workspace or ""),
            )
            title += f" of {channel}"
        async with store.session() as session:
            rows = (await session.execute(query)).all()
    feeds: list[OpmlFeed] = []
    for url, feed_title in rows:
        if url not in {f.url for f in feeds}:
            feeds.append(OpmlFeed(url, feed_title))
    return to_opml(feeds, title=title, created=datetime.now(UTC))
