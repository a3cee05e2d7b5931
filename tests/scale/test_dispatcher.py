"""The frontend's Dispatcher on real Redis and PostgreSQL (no worker): what one round queues."""

from __future__ import annotations

import os

import pytest
from scale_support import drop_pg_schema, free_redis_db, pg_schema, release_redis_db, seed_fanout

from briefings.clock import SystemClock
from briefings.settings import Settings
from briefings.store import open_store

REDIS = os.environ.get("BRIEFBOT_TEST_REDIS_URL")
PG = os.environ.get("BRIEFBOT_TEST_DATABASE_URL")

pytestmark = [
    pytest.mark.skipif(not REDIS, reason="BRIEFBOT_TEST_REDIS_URL is not set (.ci/start-redis)"),
    pytest.mark.skipif(not PG, reason="BRIEFBOT_TEST_DATABASE_URL is not set (.ci/start-postgres)"),
]


async def test_a_morning_backlog_is_queued_once_then_offered_again_only_after_requeue_after(tmp_path):
    """60 channels with a digest each: one round queues them in tasks of 25 and the decisions in 4 parts;
    the next rounds do not offer them to Redis again (a backlog of thousands would cost a SET NX each,
    every second) until ``requeue_after`` has passed, and then only those whose task let go of them."""
    import redis

    from briefings.deliver.executor import Dispatcher
    from briefings.deliver.scheduler import Scheduler
    from briefings.deliver.workers import LOCK_PREFIX

    broker = free_redis_db(REDIS)
    db = await pg_schema(PG)
    settings = Settings(database_url=db, broker_url=broker, data_dir=tmp_path)
    clock = SystemClock()
    try:
        async with open_store(db) as store:
            await seed_fanout(store, 60)
            await Scheduler(store, settings, clock).tick()  # the digests are in the outbox
            dispatcher = Dispatcher(store, settings, clock, requeue_after=3600)
            try:
                await dispatcher.round()
                assert dispatcher.queued == 3 + 4  # 25 + 25 + 10 channels; the decisions in 4 parts
                r = redis.Redis.from_url(broker)
                locks = [k for k in r.scan_iter(f"{LOCK_PREFIX}outbox:*")]
                assert len(locks) == 60
                r.delete(*locks)  # as if every task had finished without sending
                await dispatcher.round()
                assert dispatcher.queued == 7  # not offered again yet
                dispatcher.requeue_after = 0
                await dispatcher.round()
                assert dispatcher.queued == 7 + 3  # now they are
            finally:
                await dispatcher.close()
    finally:
        release_redis_db(broker)
        await drop_pg_schema(PG, db)
