"""Feed flood benchmark: a feed of 100,000 entries (about 8 MB of RSS) served on loopback, subscribed to
by one channel (every entry marked seen in one transaction), then re-polled unchanged (the server sends no
validators, so the whole feed is read and deduplicated again). Prints JSON: subscribe seconds, unchanged
re-poll seconds, peak RSS. Targets (issue 11): <= 10 s, <= 2 s, <= 400 MB.

    .venv/bin/python benchmarks/feed_bench.py [--entries 100000] [--database-url URL] [--read-all]

``--read-all`` lifts briefings.ingest.feeds.MAX_FEED_ENTRIES so every entry is parsed and deduplicated (the
batched store path alone, without the cap on entries read per feed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web

import briefings.ingest.feeds
from briefings.clock import SystemClock
from briefings.deliver.delivery import ChannelRef
from briefings.deliver.polling import Poller
from briefings.deliver.subscriptions import SubscriptionService
from briefings.models import Article, Briefing
from briefings.settings import Settings
from briefings.store import Feed, open_store


def feed_body(n: int) -> bytes:
    items = "".join(
        f"<item><guid isPermaLink='false'>e{i}</guid><title>Entry {i}</title></item>" for i in range(n, 0, -1)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Flood</title>"
        f"<link>https://flood.example/</link>{items}</channel></rss>"
    ).encode()


async def never_briefed(article: Article) -> Briefing:
    raise AssertionError(f"nothing is new in this benchmark, yet {article.source} was briefed")


async def run(entries: int, database_url: str) -> dict[str, float | int | str]:
    body = feed_body(entries)

    async def serve(_request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/rss+xml")  # no ETag: a full re-read

    app = web.Application()
    app.router.add_get("/feed.xml", serve)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/feed.xml"
    settings = Settings(allow_private_hosts=True, max_fetch_bytes=64 * 1024 * 1024)
    clock = SystemClock()
    try:
        async with open_store(database_url) as store:
            poller = Poller(store, settings, clock, never_briefed)
            service = SubscriptionService(store, poller, settings, clock)
            t0 = time.perf_counter()
            await service.subscribe(ChannelRef("slack", "C0FLOOD", "T0"), url)
            subscribe_s = time.perf_counter() - t0
            async with store.session() as session:
                feed_id = (await session.execute(Feed.__table__.select())).first().id  # type: ignore[union-attr]
            t0 = time.perf_counter()
            report = await poller.poll_feed(feed_id)
            repoll_s = time.perf_counter() - t0
            assert report.new_items == 0 and not report.errors, report
    finally:
        await runner.cleanup()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "entries": entries,
        "feed_mb": round(len(body) / 1e6, 2),
        "database": database_url.split(":", 1)[0],
        "subscribe_s": round(subscribe_s, 2),
        "unchanged_repoll_s": round(repoll_s, 2),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "entries_read_per_poll": min(entries, briefings.ingest.feeds.MAX_FEED_ENTRIES),
        "targets": "subscribe <= 10 s, re-poll <= 2 s, peak RSS <= 400 MB",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    parser.add_argument("--read-all", action="store_true", help="parse every entry (no MAX_FEED_ENTRIES)")
    args = parser.parse_args()
    if args.read_all:
        briefings.ingest.feeds.MAX_FEED_ENTRIES = 10**9
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        result = asyncio.run(run(args.entries, url))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
