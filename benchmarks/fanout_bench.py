"""Fan-out benchmark: 1,000 subscribed channels get their morning digest through the real SlackDeliverer
and outbox worker, against a loopback Slack Web API that enforces a rate limit. Prints the elapsed time
next to the rate limit's lower bound, and the duplicates (must be 0).

    .venv/bin/python benchmarks/fanout_bench.py [--channels 1000] [--rate 100] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from briefings.clock import SystemClock
from briefings.deliver.outbox import OutboxWorker
from briefings.deliver.scheduler import Scheduler
from briefings.settings import Settings
from briefings.store import OutboxEntry, open_store

# The loopback Slack and the seed are the scale tests' (one implementation for tests and benchmarks).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "scale"))
from scale_support import RateLimitedSlackProcess, seed_fanout  # noqa: E402


async def main(args: argparse.Namespace) -> None:
    from bots.bootstrap import platform_deliverers  # noqa: PLC0415 - the real Slack wiring

    slack = RateLimitedSlackProcess(args.rate, args.burst)  # its own event loop, not the worker's
    api = await slack.start()
    tmp = Path(tempfile.mkdtemp(prefix="fanout-"))
    settings = Settings(data_dir=tmp, env={"SLACK_BOT_TOKEN": "xoxb-bench", "BRIEFBOT_SLACK_API_URL": api})
    url = args.database_url or settings.effective_database_url
    clock = SystemClock()
    try:
        async with open_store(url) as store:
            await seed_fanout(store, args.channels)
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
        await slack.collect()
    finally:
        await slack.stop()
    bound = slack.bound(messages)
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
