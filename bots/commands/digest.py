"""``briefbot digest --to console|<platform>:<channel> PATH|URL|FEED...``: brief the given articles and
feeds and post them as one digest (REST only: no gateway, no scheduler) - for cron. Any registered
platform is a target (slack:C0123ABCD, discord:555000111, ...)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from zoneinfo import ZoneInfo

from bots.bootstrap import platform_deliverers
from bots.discord_bot.config import discord_settings
from bots.slack_app.config import slack_settings
from briefings.clock import Clock, SystemClock
from briefings.deliver import platforms
from briefings.deliver.delivery import ChannelRef, DeliveryError
from briefings.deliver.scheduler import digest_title
from briefings.errors import BriefbotError, InputError
from briefings.ingest.source import load_articles
from briefings.models import Briefing
from briefings.pipeline import Briefer
from briefings.present.compose import digest_of
from briefings.present.render import plural
from briefings.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "digest",
        help="brief articles and feeds and post them as one digest",
        description="Brief each article (file or URL) and each feed's newest entries, rank them "
        "(offers and demands first) and post one digest to the console or a channel of any platform of "
        "this install (REST only; each platform's settings, e.g. SLACK_BOT_TOKEN / DISCORD_TOKEN).",
    )
    p.add_argument(
        "sources",
        nargs="+",
        metavar="PATH|URL|FEED",
        help="article files, article URLs, feed files or feed URLs",
    )
    p.add_argument(
        "--to",
        default="console",
        metavar="TARGET",
        help="console (default) or <platform>:<channel>, e.g. slack:C0123ABCD or discord:555000111",
    )
    p.add_argument(
        "--max-entries",
        type=int,
        default=10,
        help="at most this many entries per feed, newest first (default 10)",
    )
    p.add_argument(
        "--title",
        help="the digest's title (default: '<Morning|Afternoon|Evening> digest, <weekday> <day> <month>')",
    )
    p.set_defaults(func=cmd_digest)


def parse_target(text: str, settings: Settings) -> ChannelRef:
    """``console`` or ``<platform>:<channel>`` of a registered platform, checked by that platform."""
    if text == "console":
        return ChannelRef("console", "stdout")
    others = ", ".join(f"{p.name}:<id>" for p in platforms.registered() if p.name != "console")
    name, sep, channel = text.partition(":")
    try:
        platform = platforms.get(name) if sep and name != "console" else None
    except BriefbotError:
        platform = None
    if platform is None:
        raise InputError(f"--to must be console or one of {others}, got {text!r}")
    try:
        return ChannelRef(platform.name, platform.check_target(channel, settings))
    except InputError as exc:
        raise InputError(f"--to {text}: {exc.message}") from None


def cmd_digest(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    target = parse_target(args.to, settings)
    if not 1 <= args.max_entries <= 50:
        raise InputError("--max-entries must be between 1 and 50")
    if target.platform == "slack" and not slack_settings(settings).bot_token:
        raise InputError(
            "SLACK_BOT_TOKEN is not set (Slack app > OAuth & Permissions > Bot User OAuth Token)"
        )
    if target.platform == "discord":
        discord_settings(settings).require()
    return asyncio.run(_digest(settings, target, args))


def _skipped(name: str, exc: BriefbotError) -> None:
    print(f"briefbot: skipped {name}: {exc.message}", file=sys.stderr)


async def _digest(
    settings: Settings, target: ChannelRef, args: argparse.Namespace, clock: Clock | None = None
) -> int:
    clock = clock or SystemClock()

    failures = 0
    briefed: list[tuple[Briefing, str | None]] = []
    briefer = Briefer(settings)
    try:
        for source in args.sources:
            try:
                for article in await load_articles(source, settings, args.max_entries, skipped=_skipped):
                    briefed.append((await briefer.brief(article, priority="scheduled"), article.url))
            except BriefbotError as exc:
                failures += 1
                print(f"briefbot: {exc.message}", file=sys.stderr)
    finally:
        briefer.close()
    if not briefed:
        raise InputError("nothing to post: none of the sources could be briefed")
    # Newest first, as digest_of expects (ties keep the order given).
    now = clock.now()
    title = args.title or digest_title(now, ZoneInfo(settings.default_timezone), "digest").replace(
        "briefing", "digest"
    )
    digest = digest_of(
        briefed,
        title=title,
        cap=settings.digest_max_articles,
        generated_at=now.isoformat(),
        max_listed=settings.digest_max_listed,
    )
    payloads = platforms.get(target.platform).renderer.digest(digest, tz=settings.default_timezone)
    if target.platform == "console":
        for payload in payloads:
            sys.stdout.write(str(payload).rstrip("\n") + "\n")
        return 2 if failures else 0

    key = uuid.uuid4().hex[:16]  # one run, one digest: a cron re-run posts a new one
    async with platform_deliverers(settings, [target.platform]) as deliverers:
        deliverer = deliverers[target.platform]
        for seq, payload in enumerate(payloads):
            try:
                await deliverer.send(target, payload, idempotency_key=f"{key}{seq:04d}")
            except DeliveryError as exc:
                print(f"briefbot: could not post to {target}: {exc}", file=sys.stderr)
                return 1
    print(
        f"briefbot: posted a digest of {plural(len(briefed), 'article')} to {target} "
        f"in {plural(len(payloads), 'message')}",
        file=sys.stderr,
    )
    return 2 if failures else 0
