"""``briefbot digest --to console|slack:<channel>|discord:<channel> PATH|URL|FEED...``: brief the given
articles and feeds and post them as one digest (REST only: no gateway, no scheduler) - for cron."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import uuid
from zoneinfo import ZoneInfo

from bots.bootstrap import platform_deliverers
from briefings.clock import Clock, SystemClock
from briefings.deliver.delivery import ChannelRef, DeliveryError
from briefings.deliver.digests import render_format
from briefings.deliver.scheduler import digest_title
from briefings.errors import BriefbotError, InputError
from briefings.ingest.source import load_articles
from briefings.models import Briefing
from briefings.pipeline import Briefer
from briefings.present.compose import digest_of
from briefings.present.render import render_digest
from briefings.settings import Settings

_TARGET = re.compile(r"^(console|slack:[A-Z0-9]{2,30}|discord:\d{5,25})$")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "digest",
        help="brief articles and feeds and post them as one digest",
        description="Brief each article (file or URL) and each feed's newest entries, rank them "
        "(offers and demands first) and post one digest to the console, a Slack channel or a Discord "
        "channel (REST only; tokens from SLACK_BOT_TOKEN / DISCORD_TOKEN).",
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
        help="console (default), slack:<channel_id> or discord:<channel_id>",
    )
    p.add_argument(
        "--max-entries",
        type=int,
        default=10,
        help="at most this many entries per feed, newest first (default 10)",
    )
    p.add_argument("--title", help="the digest's title (default: 'Digest, <weekday> <day> <month>')")
    p.set_defaults(func=cmd_digest)


def parse_target(text: str) -> ChannelRef:
    if not _TARGET.match(text):
        raise InputError(
            f"--to must be console, slack:<channel id> (e.g. slack:C0123ABCD) or discord:<channel id>, got {text!r}"
        )
    platform, _, channel = text.partition(":")
    return ChannelRef(platform, channel or "stdout")


def cmd_digest(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    target = parse_target(args.to)
    if not 1 <= args.max_entries <= 50:
        raise InputError("--max-entries must be between 1 and 50")
    if target.platform == "slack" and not settings.slack_bot_token:
        raise InputError(
            "SLACK_BOT_TOKEN is not set (Slack app > OAuth & Permissions > Bot User OAuth Token)"
        )
    if target.platform == "discord":
        settings.require_discord()
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
    payloads = render_digest(digest, render_format(target.platform), tz=settings.default_timezone)
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
        f"briefbot: posted a digest of {len(briefed)} article(s) to {target} in {len(payloads)} message(s)",
        file=sys.stderr,
    )
    return 2 if failures else 0
