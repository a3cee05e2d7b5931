"""Fan-out benchmark: 1,000 subscribed channels get their morning digest through the real SlackDeliverer
and outbox worker, against a loopback Slack Web API that enforces a rate limit. Prints the elapsed time
next to the rate limit's lower bound, and the duplicates (must be 0).

    .venv/bin/python benchmarks/fanout_bench.py [--channels 1000] [--rate 100] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import math
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

from briefings.clock import SystemClock
from briefings.deliver.digests import briefing_to_json
from briefings.deliver.outbox import OutboxWorker
from briefings.deliver.scheduler import Scheduler
from briefings.models import Briefing, Bullet, Speaker
from briefings.settings import Settings
from briefings.store import ArticleRow, Channel, ChannelItem, Feed, OutboxEntry, SubscriptionRow, open_store


class RateLimitedSlack:
    """chat.postMessage on loopback: a token bucket of ``rate``/s (``burst`` deep); 429 + Retry-After beyond it."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.last = time.monotonic()
        self.accepted: list[str] = []
        self.limited = 0
        self.first: float | None = None
        self.last_ok: float | None = None

    async def post_message(self, request: web.Request) -> web.Response:
        body = await request.json()
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens < 1:
            self.limited += 1
            wait = max(1, math.ceil((1 - self.tokens) / self.rate))  # Slack sends whole seconds
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(wait)}
            )
        self.tokens -= 1
        self.first = self.first or now
        self.last_ok = now
        key = body["metadata"]["event_payload"]["idempotency_key"]
        self.accepted.append(key)
        return web.json_response({"ok": True, "channel": body["channel"], "ts": f"{now:.6f}"})

    async def history(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "messages": []})


async def seed(store, n: int, due_local: str, tz: str) -> None:
    """n channels, each subscribed (digest at ``due_local``) with one new article waiting."""
    now = SystemClock().now()
    async with store.session() as session, session.begin():
        feed = Feed(url="https://bench.example/feed.xml", interval_s=900, consecutive_failures=0)
        session.add(feed)
        await session.flush()
        for i in range(n):
            ch = Channel(
                platform="slack", workspace="TBENCH", channel=f"C{i:06d}", timezone=tz, created_at=now
            )
            session.add(ch)
            await session.flush()
            session.add(
                SubscriptionRow(
                    channel_id=ch.id,
                    feed_id=feed.id,
                    times=due_local,
                    weekdays="mon-sun",
                    timezone=tz,
                    mode="digest",
                    active=True,
                    created_at=now - timedelta(hours=1),
                )
            )
            b = Briefing(
                headline=f"Council agrees budget {i}",
                source=f"https://bench.example/{i}",
                url=f"https://bench.example/{i}",
                speakers=[Speaker(name="Mayor Jane Doe", statements=2)],
                bullets=[Bullet("Mayor Jane Doe", "offer", "direct", "We will fund it", "said", 0, 15)],
                total_statements=2,
                counts={"offer": 1, "statement": 1},
            )
            h = hashlib.sha256(f"bench {i}".encode()).hexdigest()
            session.add(
                ArticleRow(
                    content_hash=h,
                    url=b.url,
                    title=b.headline,
                    text="",
                    briefing_json=briefing_to_json(b),
                    created_at=now,
                )
            )
            await session.flush()
            session.add(
                ChannelItem(
                    channel_id=ch.id,
                    feed_id=feed.id,
                    content_hash=h,
                    url=b.url,
                    title=b.headline,
                    discovered_at=now,
                )
            )


async def main(args: argparse.Namespace) -> None:
    from bots.bootstrap import platform_deliverers  # noqa: PLC0415 - the real Slack wiring

    slack = RateLimitedSlack(args.rate, args.burst)
    app = web.Application()
    app.router.add_post("/api/chat.postMessage", slack.post_message)
    app.router.add_post("/api/conversations.history", slack.history)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    tmp = Path(tempfile.mkdtemp(prefix="fanout-"))
    settings = Settings(
        data_dir=tmp,
        env={"SLACK_BOT_TOKEN": "xoxb-bench", "BRIEFBOT_SLACK_API_URL": f"http://127.0.0.1:{port}/api/"},
    )
    url = args.database_url or settings.effective_database_url
    clock = SystemClock()
    tz = "Europe/Berlin"
    due = (clock.now() - timedelta(minutes=1)).astimezone(ZoneInfo(tz)).strftime("%H:%M")
    try:
        async with open_store(url) as store:
            await seed(store, args.channels, due, tz)
            t0 = time.monotonic()
            decisions = await Scheduler(store, settings, clock).tick()
            t_decide = time.monotonic() - t0
            messages = sum(d.messages for d in decisions)
            async with platform_deliverers(settings, ["slack"]) as deliverers:
                worker = OutboxWorker(
                    store, deliverers, clock, rates={"slack": args.rate}, concurrency=args.concurrency
                )
                t1 = time.monotonic()
                # Real time is what is measured, so the worker's waits are real sleeps.
                while (wait := await worker.run_once()) is not None:  # noqa: ASYNC110
                    await asyncio.sleep(wait)
            elapsed = time.monotonic() - t1
            async with store.session() as session:
                sent = len(
                    (
                        await session.execute(
                            OutboxEntry.__table__.select().where(OutboxEntry.status == "sent")
                        )
                    ).all()
                )
    finally:
        await runner.cleanup()
    bound = max(0.0, (messages - args.burst) / args.rate)
    duplicates = len(slack.accepted) - len(set(slack.accepted))
    print(f"channels            {args.channels}")
    print(f"slot decisions      {len(decisions)} in {t_decide:.2f} s ({messages} messages queued)")
    print(f"platform limit      {args.rate:g} msg/s, burst {args.burst}")
    print(
        f"delivered           {len(slack.accepted)} accepted, {sent} recorded sent, {slack.limited} answered 429"
    )
    print(f"elapsed             {elapsed:.2f} s")
    print(
        f"rate-limit bound    {bound:.2f} s  ->  {elapsed / bound if bound else float('nan'):.3f}x the bound"
    )
    print(f"duplicates          {duplicates}")
    print(f"lost                {messages - len(set(slack.accepted))}")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--channels", type=int, default=1000)
    p.add_argument("--rate", type=float, default=100.0, help="the platform's limit, messages per second")
    p.add_argument("--burst", type=int, default=5)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--database-url", help="default: a fresh SQLite file")
    asyncio.run(main(p.parse_args()))
