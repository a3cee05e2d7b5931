"""Several outbox workers (real processes) on one PostgreSQL outbox: each entry claimed by one of them
(``FOR UPDATE SKIP LOCKED`` + lease) and sent exactly once; with Redis (``BRIEFBOT_TEST_REDIS_URL``) they
pace each channel together, share one platform-wide rate budget (never over it, whatever the number of
workers), and a 429 on one channel pauses that channel only, in every worker."""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from sched_support import T0, Rows
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "slack"))
from slack_loopback import SlackLoopback  # noqa: E402

from briefings.clock import FakeClock, SystemClock  # noqa: E402
from briefings.deliver.outbox import PACE_BURST, OutboxWorker, enqueue  # noqa: E402
from briefings.deliver.pacing import LocalPacer, RedisPacer  # noqa: E402
from briefings.settings import Settings  # noqa: E402
from briefings.store import OutboxEntry, open_store  # noqa: E402

CHILD = Path(__file__).with_name("outbox_child.py")
ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("BRIEFBOT_TEST_REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="BRIEFBOT_TEST_REDIS_URL is not set")


class CountingSlack(SlackLoopback):
    """Counts posts by idempotency key, worker (token) and channel, with their times; no history scope, so
    nothing can hide a second post of one entry. ``limit`` maps a channel to the 429s it answers first
    (``Retry-After: retry_after``)."""

    def __init__(self, limit: dict[str, int] | None = None, retry_after: int = 2) -> None:
        super().__init__()
        self.keys: list[str] = []
        self.by_token: Counter[str] = Counter()
        self.posts: dict[str, list[float]] = defaultdict(list)
        self.limited: dict[str, list[float]] = defaultdict(list)
        self.limit = dict(limit or {})
        self.retry_after = retry_after

    async def _api(self, request):  # type: ignore[no-untyped-def]
        if request.match_info["method"] == "chat.postMessage":
            params = (
                await request.json() if request.content_type == "application/json" else await request.post()
            )
            channel = str(params.get("channel", ""))
            if self.limit.get(channel):
                self.limit[channel] -= 1
                self.limited[channel].append(time.monotonic())
                from aiohttp import web  # noqa: PLC0415

                return web.json_response(
                    {"ok": False, "error": "ratelimited"},
                    status=429,
                    headers={"Retry-After": str(self.retry_after)},
                )
        return await super()._api(request)

    def _answer(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if method == "conversations.history":
            return {"ok": False, "error": "missing_scope", "needed": "channels:history"}
        if method == "chat.postMessage":
            self.keys.append(params["metadata"]["event_payload"]["idempotency_key"])
            self.by_token[token or ""] += 1
            self.posts[params["channel"]].append(time.monotonic())
        return super()._answer(method, params, token)


def _most_in_a_window(times: list[float], window: float) -> int:
    """The most of ``times`` that fall in any half-open window of ``window`` seconds."""
    times = sorted(times)
    most, first = 0, 0
    for last, t in enumerate(times):
        while t - times[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


async def _fill(store, channels: int, per_channel: int) -> None:
    rows = Rows(store)
    for c in range(channels):
        _sub, ch = await rows.subscription(channel=f"C{c}")
        async with store.session() as session, session.begin():
            await enqueue(
                session,
                ch.id,
                "digest",
                [{"text": f"C{c} part {i}"} for i in range(per_channel)],
                key=f"fanout-{c}",
                now=T0,
            )


async def _workers(db_url: str, slack: SlackLoopback, n: int, **env: str) -> list[int]:
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(CHILD),
            db_url,
            slack.base_url,
            "4",
            cwd=str(ROOT),
            env={**os.environ, "PYTHONPATH": str(ROOT), "OUTBOX_CHILD_TOKEN": f"xoxb-worker-{i}", **env},
        )
        for i in range(n)
    ]
    return [await asyncio.wait_for(p.wait(), 300) for p in procs]  # a guard against a hang


async def _statuses(store) -> Counter[str]:
    async with store.session() as session:
        return Counter((await session.execute(select(OutboxEntry.status))).scalars())


def _postgres_only(db_url: str) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite keeps the single-process outbox")


async def test_two_worker_processes_claiming_concurrently_send_every_entry_exactly_once(db_url):
    _postgres_only(db_url)
    channels, per_channel = 40, 10
    async with open_store(db_url) as store:
        await _fill(store, channels, per_channel)
        slack = await CountingSlack().start()
        try:
            assert await _workers(db_url, slack, 2) == [0, 0]
        finally:
            await slack.stop()
        statuses = await _statuses(store)
    counts = Counter(slack.keys)
    assert len(counts) == channels * per_channel  # none lost
    assert max(counts.values()) == 1, counts.most_common(3)  # none twice
    assert statuses == {"sent": channels * per_channel}
    assert set(slack.by_token) == {"xoxb-worker-0", "xoxb-worker-1"}  # both workers did send


@needs_redis
async def test_two_workers_pace_each_channel_together_through_redis(db_url, tmp_path):
    _postgres_only(db_url)
    channels, per_channel, pacing = 3, 8, 0.5
    prefix = f"test:{uuid.uuid4().hex}"
    async with open_store(db_url) as store:
        await _fill(store, channels, per_channel)
        slack = await CountingSlack().start()
        try:
            codes = await _workers(
                db_url,
                slack,
                2,
                OUTBOX_CHILD_REDIS=REDIS_URL,
                OUTBOX_CHILD_REDIS_PREFIX=prefix,
                OUTBOX_CHILD_PACING=str(pacing),
                # both start sending together: one started late would find nothing left to send
                OUTBOX_CHILD_BARRIER=str(tmp_path),
                OUTBOX_CHILD_BARRIER_N="2",
            )
            assert codes == [0, 0]
        finally:
            await slack.stop()
    assert Counter(Counter(slack.keys).values()) == {1: channels * per_channel}
    for channel, times in slack.posts.items():
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        # Whichever worker sends, one channel gets one message per `pacing` seconds (paced when a send
        # starts; the first request of a worker also opens its connection, so arrivals jitter a little).
        # Each worker pacing on its own would let the other post right behind it (gaps of milliseconds).
        assert min(gaps) >= 0.8 * pacing, (channel, gaps)
    assert set(slack.by_token) == {"xoxb-worker-0", "xoxb-worker-1"}


@needs_redis
async def test_a_429_on_one_channel_pauses_only_that_channel_across_two_workers(db_url):
    _postgres_only(db_url)
    channels, per_channel, retry_after = 6, 40, 2
    prefix = f"test:{uuid.uuid4().hex}"
    async with open_store(db_url) as store:
        await _fill(store, channels, per_channel)
        # Each 429 reaches the outbox (Slack's client does not retry it), which pauses C0 in both workers.
        slack = await CountingSlack(limit={"C0": 3}, retry_after=retry_after).start()
        try:
            codes = await _workers(
                db_url,
                slack,
                2,
                OUTBOX_CHILD_REDIS=REDIS_URL,
                OUTBOX_CHILD_REDIS_PREFIX=prefix,
                OUTBOX_CHILD_PACING="0.2",
            )
            assert codes == [0, 0]
        finally:
            await slack.stop()
    assert Counter(Counter(slack.keys).values()) == {1: channels * per_channel}
    last_429 = slack.limited["C0"][-1]
    # No worker posted to C0 inside its Retry-After window ...
    assert min(slack.posts["C0"]) >= last_429 + retry_after - 0.05
    # ... while the other channels went on being served in that window.
    others = [t for c, ts in slack.posts.items() if c != "C0" for t in ts]
    assert any(last_429 < t < last_429 + retry_after for t in others)


async def test_a_429_goes_back_to_the_outbox_and_its_resend_takes_a_slot_of_the_budget(db_url, tmp_path):
    """Through the real Slack wiring (``platform_deliverers``): slack_sdk does not retry the 429 itself
    (outside the budget, and before Retry-After has passed for the other workers); the outbox pauses the
    channel for Retry-After and sends again on a new slot of the rate budget."""
    from bots.bootstrap import platform_deliverers  # noqa: PLC0415 - the composition root

    async with open_store(db_url) as store:
        await _fill(store, 1, 1)
        slack = await CountingSlack(limit={"C0": 1}, retry_after=7).start()
        settings = Settings(
            data_dir=tmp_path, env={"SLACK_BOT_TOKEN": "xoxb-test", "BRIEFBOT_SLACK_API_URL": slack.base_url}
        )
        clock = FakeClock(T0)
        try:
            async with platform_deliverers(settings, ["slack"]) as deliverers:
                worker = OutboxWorker(store, deliverers, clock, pacing={"slack": 0.0}, rates={"slack": 1.0})
                assert await worker.run_once() == 7.0  # refused: C0 waits its Retry-After ...
                assert len(slack.limited["C0"]) == 1 and slack.keys == []  # ... and nobody retried it
                clock.advance(7.0)
                assert await worker.run_once() is None
        finally:
            await slack.stop()
        assert await _statuses(store) == {"sent": 1}
    assert len(slack.keys) == 1 and worker.stats.rate_limited == 1  # posted once, after the 429
    # The resend took a slot of the budget (1/s, burst PACE_BURST = 2): one more is free now, not two.
    assert PACE_BURST == 2
    now = clock.now()
    assert [await worker.pacer.take("rate:slack", 1.0, now, burst=2) for _ in range(2)] == [0.0, 1.0]


async def test_local_and_redis_pacers_agree():
    """The embedded pacer and the Redis one give the same answers (GCRA, 429 blocks per bucket)."""
    from datetime import timedelta  # noqa: PLC0415

    pacers = [LocalPacer()]
    if REDIS_URL:
        pacers.append(RedisPacer.from_url(REDIS_URL, prefix=f"test:{uuid.uuid4().hex}"))
    for pacer in pacers:
        try:
            t = T0
            assert await pacer.take("slack::A", 1.0, t) == 0
            assert await pacer.take("slack::A", 1.0, t) == 1.0  # one per second per channel
            assert await pacer.take("slack::B", 1.0, t) == 0  # another channel is free
            assert await pacer.take("slack::A", 1.0, t + timedelta(seconds=1)) == 0
            await pacer.block("slack::B", t + timedelta(seconds=30), t)
            assert await pacer.take("slack::B", 1.0, t + timedelta(seconds=10)) == 20.0
            assert await pacer.take("slack::A", 1.0, t + timedelta(seconds=10)) == 0  # A not paused
            # A platform bucket with a burst of 2 at 10/s: two at once, then 0.1 s apart.
            assert [await pacer.take("discord", 0.1, t, burst=2) for _ in range(3)] == [0, 0, 0.1]
            # reserve: the next slot, now or later, taken at once; the caller is told when it is.
            assert [await pacer.reserve("slack:T", 0.1, t, burst=2) for _ in range(4)] == [0, 0, 0.1, 0.2]
            assert await pacer.take("slack:T", 0.1, t + timedelta(seconds=0.25), burst=2) == 0.05
            assert await pacer.reserve("slack:T", 0.1, t + timedelta(seconds=5), burst=2) == 0  # idle: now
        finally:
            await pacer.close()


@needs_redis
async def test_two_pacers_on_two_connections_share_one_platform_budget_and_never_exceed_it():
    """Two RedisPacers (two connections, as two worker processes have), three senders each, take from one
    platform-wide bucket of 50/s for 1.5 s of real time: over any window W they are granted at most
    PACE_BURST + 50 W slots together (GCRA), and together they use the budget. (Which pacer gets a slot is
    a race the bucket does not arbitrate: on a loaded machine one of them can take them all, so the share
    is not asserted; the next test shows both connections draw on the one state.)"""
    rate, seconds = 50.0, 1.5
    prefix = f"test:{uuid.uuid4().hex}"
    pacers = [RedisPacer.from_url(REDIS_URL, prefix=prefix) for _ in range(2)]
    clock = SystemClock()
    granted: list[tuple[int, float]] = []  # (pacer, the time its slot was granted at)
    end = time.monotonic() + seconds

    async def sender(i: int) -> None:
        while time.monotonic() < end:
            now = clock.now()
            wait = await pacers[i].take("rate:slack:T1", 1 / rate, now, burst=PACE_BURST)
            if wait == 0:
                granted.append((i, now.timestamp()))
            else:
                await asyncio.sleep(wait)

    try:
        await asyncio.gather(*(sender(i) for i in (0, 0, 0, 1, 1, 1)))
        # Another workspace has a budget of its own.
        assert await pacers[0].take("rate:slack:T2", 1 / rate, clock.now(), burst=PACE_BURST) == 0
    finally:
        for pacer in pacers:
            await pacer.close()
    times = [t for _, t in granted]
    for window in (0.1, 0.5, 1.0):
        assert _most_in_a_window(times, window) <= PACE_BURST + rate * window + 1e-6, window
    assert len(times) >= 0.8 * rate * seconds  # the budget is used


async def test_pacers_grant_exactly_the_budget_whichever_connection_asks():
    """At one instant two pacers of one bucket get PACE_BURST slots between them, then one per interval;
    the interval keeps its microseconds (1/95 s is not rounded to 10 ms, which would be 100/s)."""
    from datetime import timedelta  # noqa: PLC0415

    prefix = f"test:{uuid.uuid4().hex}"
    pairs = [(shared := LocalPacer(), shared)]
    if REDIS_URL:
        pairs.append(
            (RedisPacer.from_url(REDIS_URL, prefix=prefix), RedisPacer.from_url(REDIS_URL, prefix=prefix))
        )
    for a, b in pairs:
        try:
            t = T0
            got = [await p.take("rate:discord", 1 / 95, t, burst=2) for p in (a, b, a, b)]
            assert got[:2] == [0, 0] and all(w > 0 for w in got[2:])
            assert got[2] == pytest.approx(1 / 95, abs=1e-6)
            # Over 1 s at one take per interval: 95 more slots, not 100.
            n, when = 0, t
            while when < t + timedelta(seconds=1):
                wait = await (a if n % 2 else b).take("rate:discord", 1 / 95, when, burst=2)
                if wait == 0:
                    n += 1
                else:
                    when += timedelta(seconds=wait)
            assert n == 95
        finally:
            await a.close()
            if b is not a:
                await b.close()


@needs_redis
async def test_two_worker_processes_share_one_slack_rate_through_redis(db_url):
    """Two real outbox processes, 60 channels of one workspace, a budget of 20 messages/s: together they
    post at most PACE_BURST + 20 W in any window W at the loopback (a little arrival jitter allowed), so
    the fan-out takes the budget's time, not the workers' (each alone would send at 20/s)."""
    _postgres_only(db_url)
    channels, rate = 60, 20.0
    prefix = f"test:{uuid.uuid4().hex}"
    async with open_store(db_url) as store:
        await _fill(store, channels, 1)
        slack = await CountingSlack().start()
        try:
            codes = await _workers(
                db_url,
                slack,
                2,
                OUTBOX_CHILD_REDIS=REDIS_URL,
                OUTBOX_CHILD_REDIS_PREFIX=prefix,
                OUTBOX_CHILD_RATE=str(rate),
            )
            assert codes == [0, 0]
        finally:
            await slack.stop()
    assert Counter(Counter(slack.keys).values()) == {1: channels}  # none lost, none twice
    assert set(slack.by_token) == {"xoxb-worker-0", "xoxb-worker-1"}
    times = sorted(t for ts in slack.posts.values() for t in ts)
    # Arrivals jitter by the time a request takes to build and cross loopback (a busy machine: 0.1 s).
    assert _most_in_a_window(times, 1.0) <= PACE_BURST + rate * 1.1
    assert times[-1] - times[0] >= 0.9 * (channels - PACE_BURST) / rate
