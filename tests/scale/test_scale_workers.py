"""Scale tests: two real ``briefbot worker`` processes on a real Redis broker and PostgreSQL store, the
frontend path in this process, Slack on loopback counting posts; one worker is killed with kill -9 in
the middle of a briefing and in the middle of a fan-out. Nothing may be lost or posted twice.

Needs BRIEFBOT_TEST_REDIS_URL and BRIEFBOT_TEST_DATABASE_URL (``.ci/run`` starts both); skipped without.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from pathlib import Path

import pytest
from scale_support import (
    WORKER_TOKENS,
    CountingSlack,
    Workers,
    drop_pg_schema,
    free_redis_db,
    pg_schema,
    release_redis_db,
    seed_fanout,
    wait_until,
)
from sqlalchemy import func, select

from briefings.deliver.delivery import ChannelRef
from briefings.settings import Settings
from briefings.store import OutboxEntry, open_store

REDIS = os.environ.get("BRIEFBOT_TEST_REDIS_URL")
PG = os.environ.get("BRIEFBOT_TEST_DATABASE_URL")
SEED = Path(__file__).resolve().parents[2] / "seeds" / "iran-ready-to-help-end-ukraine-war.txt"
VISIBILITY = 5  # seconds before the broker hands a dead worker's task to another
HANG_GUARD = 150  # seconds: a guard against hangs, not a timing assertion

pytestmark = [
    pytest.mark.skipif(not REDIS, reason="BRIEFBOT_TEST_REDIS_URL is not set (.ci/start-redis)"),
    pytest.mark.skipif(not PG, reason="BRIEFBOT_TEST_DATABASE_URL is not set (.ci/start-postgres)"),
    pytest.mark.timeout(240),
]


@pytest.fixture
async def cluster(tmp_path):
    """A Redis database, a PostgreSQL schema (migrated), loopback Slack, and workers to start."""
    from briefings.store import open_store

    broker = free_redis_db(REDIS)
    db = await pg_schema(PG)
    async with open_store(db):  # migrated once, by the frontend's side
        pass
    slack = await CountingSlack().start()
    env = {
        **os.environ,
        "BRIEFBOT_BROKER_URL": broker,
        "BRIEFBOT_DATABASE_URL": db,
        "BRIEFBOT_TASK_VISIBILITY_SECONDS": str(VISIBILITY),
        # a killed worker's claimed sends are taken over after this (300 s by default)
        "BRIEFBOT_OUTBOX_LEASE_SECONDS": "10",
        "BRIEFBOT_SLACK_API_URL": slack.base_url,
        "BRIEFBOT_DATA_DIR": str(tmp_path / "data"),
    }
    workers = Workers(env=env, logs=tmp_path)
    settings = Settings(
        database_url=db,
        broker_url=broker,
        task_visibility_seconds=VISIBILITY,
        outbox_lease_seconds=10,
        data_dir=tmp_path / "data",
        max_briefings_per_user=50,
        max_briefings_per_channel=50,
        env={"BRIEFBOT_SLACK_API_URL": slack.base_url},
    )
    try:
        yield settings, workers, slack
    finally:
        workers.stop_all()
        await slack.stop()
        release_redis_db(broker)
        await drop_pg_schema(PG, db)


async def test_kill_9_mid_briefing_every_chat_briefing_posted_once(cluster):
    """Worker A starts alone and is killed -9 while it briefs (its tenant lease shows it is); worker B
    redoes the lost task. Each /brief's reply is posted exactly once."""
    import redis
    from slack_sdk.web.async_client import AsyncWebClient

    from bots.bootstrap import bootstrap
    from briefings.deliver.tenants import TenantLeases
    from briefings.present.render import render

    settings, workers, slack = cluster
    seed = SEED.read_text("utf-8")
    title, _, body = seed.partition("\n")
    # About 60,000 characters: long enough (a second or more of NLP) that the kill lands mid-briefing.
    article = title + "\n" + "\n".join([body] * 8)
    n = 8
    workers.start("a", SLACK_BOT_TOKEN=WORKER_TOKENS["a"])
    client = AsyncWebClient(token="xoxb-frontend", base_url=slack.base_url)
    r = redis.Redis.from_url(settings.broker_url)
    async with bootstrap(settings) as services:

        async def one(i: int) -> None:
            ref = ChannelRef("slack", f"CB{i}", f"T{i % 4}")
            reply = await services.chat.handle(article, channel=ref, user=f"U{i}", can_manage=False)
            assert reply.kind == "briefing", reply.text
            await client.chat_postMessage(channel=ref.channel, text=render(reply.briefing, "text"))

        jobs = asyncio.gather(*(one(i) for i in range(n)))
        # A's pool process holds a tenant lease only while it briefs.
        await wait_until(
            lambda: any(r.zcard(TenantLeases.key(f"slack:T{t}")) for t in range(4)),
            HANG_GUARD,
            "worker A to start a briefing",
            step=0.05,
        )
        workers.kill("a")
        workers.start("b", SLACK_BOT_TOKEN=WORKER_TOKENS["b"])
        await asyncio.wait_for(jobs, HANG_GUARD)
    posts = Counter(c.params["channel"] for c in slack.calls_to("chat.postMessage"))
    assert posts == {f"CB{i}": 1 for i in range(n)}  # none lost, none twice


async def test_kill_9_mid_fan_out_nothing_lost_nothing_twice(cluster):
    """Worker A delivers a morning fan-out to 40 channels and is killed -9 right after Slack accepted its
    5th post (A never records it); worker B, started at that moment, finishes the morning and redoes A's
    task: the entry A left ``sending`` is found in the channel's history, not posted again. (B starts at
    the kill, not before: with both running from the start, B could take every task and A never post 5,
    which made the kill a race the test did not control.)"""
    from bots.bootstrap import bootstrap

    settings, workers, slack = cluster
    channels = 40
    async with open_store(settings.database_url, migrate=False) as store:
        await seed_fanout(store, channels)
    workers.start("a", SLACK_BOT_TOKEN=WORKER_TOKENS["a"], queues="delivery,scheduled", concurrency=2)

    def kill_a_start_b() -> None:
        workers.kill("a")
        workers.start("b", SLACK_BOT_TOKEN=WORKER_TOKENS["b"], queues="delivery,scheduled", concurrency=2)

    slack.kill_token, slack.kill_at = WORKER_TOKENS["a"], 5
    slack.kill_worker = kill_a_start_b
    stop = asyncio.Event()
    async with bootstrap(settings) as services:
        frontend = asyncio.ensure_future(services.run_background(stop))  # the dispatcher
        try:

            async def sent() -> bool:
                async with services.store.session() as session:
                    done = await session.scalar(
                        select(func.count()).select_from(OutboxEntry).where(OutboxEntry.status == "sent")
                    )
                return done == channels

            await wait_until(sent, HANG_GUARD, "every digest to be recorded sent")
            async with services.store.session() as session:
                # The entry A had claimed was claimed again by B, found already in Slack, recorded sent.
                redone = await session.scalar(
                    select(func.count()).select_from(OutboxEntry).where(OutboxEntry.attempts > 1)
                )
        finally:
            stop.set()
            await frontend
    keys = Counter(slack.keys())
    assert slack.killed and redone >= 1
    assert slack.posts_by_token.get(WORKER_TOKENS["a"], 0) >= 5
    assert slack.posts_by_token.get(WORKER_TOKENS["b"], 0) >= 1  # B finished the morning
    assert len(keys) == channels  # none lost
    assert max(keys.values()) == 1, keys.most_common(3)  # none twice
