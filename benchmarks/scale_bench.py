"""Scale benchmark: briefbot on Celery workers, everything real and on loopback. Starts Redis and
PostgreSQL (``.ci/start-redis``, ``.ci/start-postgres``), ``briefbot worker`` processes and a Slack that
enforces a rate limit, then measures and prints ONE JSON line:

* ``seconds_1_worker`` / ``seconds_2_workers`` / ``speedup``: the corpus's first ``briefings`` articles
  (../shared/corpus/articles.jsonl) briefed through ``CeleryBriefer`` by one, then two single-process
  workers (spaCy loaded before the clock starts);
* ``fanout_*``: a morning digest to ``fanout_channels`` Slack channels (one workspace), decided and
  delivered by two workers (the dispatcher queues the decisions in parts and the channels as they are
  decided), timed from the first accepted post to the last, against the loopback's rate-limit bound
  ``(channels - burst) / rate`` (its token bucket starts full: no sender can do better; the loopback
  runs in a process of its own, as Slack is not on the benchmark's event loop);
  ``fanout_429s`` counts the loopback's refusals, ``fanout_worker_cpu_ms_per_message`` the workers' CPU
  (their pool processes, deciding and sending) per message; ``duplicates`` / ``lost`` count posts (and
  briefings) over the whole run;
* ``interactive_p95_s_under_giants``: a chat /brief every half second while three users keep giant
  articles (``--giant-chars``) queued; worker 1 takes interactive, scheduled, polling and delivery,
  worker 2 the giant lane.

    .venv/bin/python benchmarks/scale_bench.py [--quick] [--briefings 200] [--channels 2000]
        [--parts briefings,fanout,giants] [--rate 100] [--send-rate R] [--trace FILE]

The workers are told the loopback's limit (``BRIEFBOT_SEND_RATES=slack=<--send-rate or --rate>``) and
share that budget through Redis, as a deployment shares Slack's per-workspace limit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "scale"))
from scale_support import (  # noqa: E402
    RateLimitedSlackProcess,
    Workers,
    drop_pg_schema,
    free_redis_db,
    pg_schema,
    release_redis_db,
    seed_fanout,
)

from briefings.models import Article  # noqa: E402
from briefings.settings import Settings  # noqa: E402
from briefings.store import OutboxEntry, open_store  # noqa: E402

CORPUS = Path(os.environ.get("BRIEFBOT_SHARED", ROOT.parent / "shared")) / "corpus" / "articles.jsonl"
SEED = ROOT / "seeds" / "iran-ready-to-help-end-ukraine-war.txt"
REDIS_URL = "redis://127.0.0.1:63790/0"
PG_URL = "postgresql+asyncpg://briefbot@127.0.0.1:54329/briefbot_test"


def corpus_articles(n: int) -> list[Article]:
    rows = [json.loads(line) for line in CORPUS.read_text("utf-8").splitlines() if line.strip()]
    out = []
    for row in (rows * (n // len(rows) + 1))[:n]:
        title = row.get("title") or ""
        out.append(
            Article(
                text=f"{title}\n{row['text']}",
                title=title,
                source=row.get("url") or row["id"],
                body_start=len(title) + 1,
            )
        )
    return out


def giant_article(chars: int) -> Article:
    title, _, body = SEED.read_text("utf-8").partition("\n")
    one = body.replace("\n", " ")
    return Article(
        text=title + "\n" + (one * (chars // len(one) + 1))[:chars],
        title=title,
        source="giant",
        body_start=len(title) + 1,
    )


async def up(app, workers: int) -> None:
    """Until ``workers`` workers answer a ping (their pool processes have loaded spaCy and opened their
    runtime: store, Deliverers)."""
    deadline = time.monotonic() + 300
    while len(await asyncio.to_thread(app.control.ping, timeout=1.0)) < workers:
        if time.monotonic() > deadline:
            raise SystemExit(f"{workers} workers did not come up")


async def warm(briefer, workers: int) -> None:
    """Until ``workers`` workers answer a ping, then a few untimed briefings."""
    await up(briefer.app, workers)
    small = corpus_articles(1)[0]
    await asyncio.gather(*(briefer.brief(small, priority="scheduled") for _ in range(workers * 3)))


async def brief_all(settings: Settings, articles: list[Article], workers: int) -> tuple[float, int]:
    from briefings.deliver.executor import CeleryBriefer

    briefer = CeleryBriefer(settings)
    try:
        await warm(briefer, workers)
        t0 = time.monotonic()
        results = await asyncio.gather(
            *(briefer.brief(a, priority="scheduled") for a in articles), return_exceptions=True
        )
        elapsed = time.monotonic() - t0
    finally:
        briefer.close()
    return elapsed, sum(1 for r in results if isinstance(r, BaseException))


async def fanout(
    settings: Settings, channels: int, slack: RateLimitedSlackProcess, workers: Workers
) -> dict[str, float]:
    from sqlalchemy import func, select

    from bots.bootstrap import bootstrap
    from briefings.deliver.workers import producer

    app = producer(settings)
    try:
        await up(app, 2)  # long-lived workers, as deployed: the morning does not find them booting
    finally:
        app.close()
    async with open_store(settings.database_url, migrate=False) as store:
        await seed_fanout(store, channels)
    stop = asyncio.Event()
    cpu0 = workers.cpu_seconds()
    async with bootstrap(settings) as services:
        t0 = time.monotonic()
        task = asyncio.ensure_future(services.run_background(stop))
        try:
            while True:
                async with services.store.session() as session:
                    sent = await session.scalar(
                        select(func.count()).select_from(OutboxEntry).where(OutboxEntry.status == "sent")
                    )
                if sent >= channels or time.monotonic() - t0 > 600:
                    break
                await asyncio.sleep(0.2)
        finally:
            stop.set()
            await task
    cpu = workers.cpu_seconds() - cpu0
    await slack.collect()
    # As benchmarks/fanout_bench.py: delivery from the first post to the last, against the bound; the
    # slot decisions before it are reported apart.
    elapsed = slack.last_ok - slack.first_ok if slack.last_ok else float("nan")
    bound = slack.bound(channels)
    return {
        "seconds": elapsed,
        "decide_seconds": slack.first_ok - t0,
        "bound": bound,
        "ratio": elapsed / bound,
        "limited": slack.limited,
        "cpu_ms_per_message": 1000 * cpu / channels,
    }


async def interactive_under_giants(settings: Settings, normal: int, giant_chars: int) -> tuple[float, int]:
    from briefings.deliver.executor import CeleryBriefer
    from briefings.deliver.tenants import tenant_scope

    briefer = CeleryBriefer(settings)
    giant = giant_article(giant_chars)
    small = Article(text=SEED.read_text("utf-8"), title="seed", source="seed", body_start=0)
    stop = asyncio.Event()
    giants_done = 0
    latencies: list[float] = []

    async def giant_user(n: int) -> None:
        nonlocal giants_done
        with tenant_scope(f"slack:TG{n}"):
            while not stop.is_set():
                await briefer.brief(giant)
                giants_done += 1

    try:
        await warm(briefer, 2)
        users = [asyncio.ensure_future(giant_user(n)) for n in range(3)]
        await asyncio.sleep(1.0)  # the giants are queued and running
        with tenant_scope("slack:TNORMAL"):
            for _ in range(normal):
                t = time.monotonic()
                await briefer.brief(small)
                latencies.append(time.monotonic() - t)
                await asyncio.sleep(0.5)
        stop.set()
        await asyncio.gather(*users)
    finally:
        briefer.close()
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, math.ceil(0.95 * len(latencies)) - 1)]
    return p95, giants_done


def start_services() -> None:
    for script in ("start-redis", "start-postgres"):
        subprocess.run(["bash", str(ROOT / ".ci" / script)], check=True, stdout=subprocess.DEVNULL)


async def main(args: argparse.Namespace) -> dict[str, object]:
    start_services()
    broker = free_redis_db(REDIS_URL)
    db = await pg_schema(PG_URL)
    tmp = Path(tempfile.mkdtemp(prefix="scale-bench-"))
    slack = RateLimitedSlackProcess(args.rate, args.burst)  # on its own event loop, as Slack is
    api = await slack.start()
    env = {
        **os.environ,
        "BRIEFBOT_BROKER_URL": broker,
        "BRIEFBOT_REDIS_URL": broker,  # per-channel pacing, 429 pauses and the Slack budget shared
        # The loopback's limit, as an operator configures the platform's (one workspace: one budget).
        "BRIEFBOT_SEND_RATES": f"slack={args.send_rate or args.rate:g}",
        "BRIEFBOT_DATABASE_URL": db,
        "BRIEFBOT_DATA_DIR": str(tmp / "data"),
        "BRIEFBOT_SLACK_API_URL": api,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "BRIEFBOT_CHAT_MAX_CHARS": str(max(200_000, args.giant_chars + 1000)),
    }
    settings = Settings(
        database_url=db,
        broker_url=broker,
        data_dir=tmp / "data",
        chat_max_chars=max(200_000, args.giant_chars + 1000),
        env={"BRIEFBOT_SLACK_API_URL": api, "SLACK_BOT_TOKEN": "xoxb-bench"},
    )
    workers = Workers(env=env, logs=tmp)
    parts = set(args.parts.split(","))
    out: dict[str, object] = {"load_average_1m_at_start": round(os.getloadavg()[0], 1)}
    try:
        async with open_store(db):  # migrate once
            pass
        lost = 0  # briefings that failed, posts never accepted
        if "briefings" in parts:
            articles = corpus_articles(args.briefings)
            workers.start("w1", concurrency=1)
            one, failed1 = await brief_all(settings, articles, 1)
            workers.start("w2", concurrency=1)
            two, failed2 = await brief_all(settings, articles, 2)
            lost += failed1 + failed2
            out |= {
                "briefings": args.briefings,
                "seconds_1_worker": round(one, 2),
                "seconds_2_workers": round(two, 2),
                "speedup": round(one / two, 2),
            }
            workers.stop_all()
            workers.procs.clear()
        if "fanout" in parts:
            for name in ("w1", "w2"):
                workers.start(name, queues="delivery,scheduled", concurrency=args.delivery_concurrency)
            fan = await fanout(settings, args.channels, slack, workers)
            keys = slack.accepted
            out |= {
                "fanout_channels": args.channels,
                "fanout_rate_limit": args.rate,
                "fanout_send_rate": args.send_rate or args.rate,
                "fanout_seconds": round(fan["seconds"], 2),
                "fanout_decide_seconds": round(fan["decide_seconds"], 2),
                "fanout_bound_seconds": round(fan["bound"], 2),
                "fanout_ratio_to_bound": round(fan["ratio"], 3),
                "fanout_429s": fan["limited"],
                # The workers' CPU (deciding and sending, their 8 pool processes) per message.
                "fanout_worker_cpu_ms_per_message": round(fan["cpu_ms_per_message"], 2),
                "duplicates": len(keys) - len(set(keys)),
            }
            lost += args.channels - len(set(keys))
            if args.trace:  # where the 429s fell: every accepted post and every refusal, timed
                args.trace.write_text(
                    json.dumps(
                        {"accepted": list(zip(slack.times, keys, strict=True)), "refused": slack.refused}
                    )
                )
            workers.stop_all()
            workers.procs.clear()
        out["lost"] = lost
        if "giants" in parts:
            workers.start("w1", queues="interactive,scheduled,polling,delivery", concurrency=1)
            workers.start("w2", queues="giant", concurrency=1)
            p95, giants = await interactive_under_giants(settings, args.normal, args.giant_chars)
            out |= {
                "interactive_p95_s_under_giants": round(p95, 3),
                "giants_done": giants,
                "giant_chars": args.giant_chars,
            }
        out |= {"cores": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 1)}
    finally:
        workers.stop_all()
        await slack.stop()
        release_redis_db(broker)
        await drop_pg_schema(PG_URL, db)
    return out


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="40 briefings, 300 channels, 6 interactive")
    p.add_argument("--briefings", type=int, default=200)
    p.add_argument("--channels", type=int, default=2000)
    p.add_argument("--rate", type=float, default=100.0, help="Slack's limit in the loopback, messages/s")
    p.add_argument("--burst", type=int, default=5)
    p.add_argument(
        "--send-rate",
        type=float,
        help="the workers' BRIEFBOT_SEND_RATES for Slack, messages/s (default: the loopback's --rate)",
    )
    p.add_argument(
        "--parts",
        default="briefings,fanout,giants",
        help="which measurements to run, comma-separated (default: all three)",
    )
    p.add_argument(
        "--delivery-concurrency", type=int, default=4, help="pool processes per worker in the fan-out"
    )
    p.add_argument(
        "--trace",
        type=Path,
        help="write the fan-out's accepted and refused posts (time, key) to this JSON file",
    )
    p.add_argument("--normal", type=int, default=20, help="interactive briefings measured under giants")
    p.add_argument("--giant-chars", type=int, default=200_000)
    a = p.parse_args()
    if a.quick:
        a.briefings, a.channels, a.normal = 40, 300, 6
    print(json.dumps(asyncio.run(main(a))))
