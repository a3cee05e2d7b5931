"""The outbox worker: pacing per channel, 5xx and 429 storms, permanent failures, a crash mid fan-out,
and a platform on loopback HTTP."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from aiohttp import web
from sched_support import T0, ProcessDied, RecordingPlatform, Rows
from sqlalchemy import select

from briefings.clock import FakeClock
from briefings.deliver.delivery import ChannelRef, DeliveryError, RateLimited
from briefings.deliver.outbox import OutboxWorker, enqueue
from briefings.deliver.scheduler import Scheduler
from briefings.store import OutboxEntry, open_store


async def drain(worker: OutboxWorker, clock, *, max_rounds: int = 10_000) -> int:
    """Run the worker until the outbox is empty, moving the fake clock instead of sleeping."""
    for n in range(max_rounds):
        wait = await worker.run_once()
        if wait is None:
            return n
        clock.advance(max(wait, 0.001))
    raise AssertionError("outbox never drained")


async def queue(store, clock, channel_id: int, n: int, key: str) -> None:
    async with store.session() as session, session.begin():
        await enqueue(
            session,
            channel_id,
            "digest",
            [{"text": f"{key} part {i}"} for i in range(n)],
            key=key,
            now=clock.now(),
        )


async def entries(store) -> list[OutboxEntry]:
    async with store.session() as session:
        return list((await session.execute(select(OutboxEntry).order_by(OutboxEntry.id))).scalars())


async def test_channels_in_parallel_each_in_order_and_paced(store, clock, rows, platform):
    channels = []
    for i in range(3):
        _sub, ch = await rows.subscription(channel=f"C{i}")
        await queue(store, clock, ch.id, 3, f"digest-{i}")
        channels.append(ch)
    start = clock.now()
    worker = OutboxWorker(store, {"slack": platform}, clock)
    await drain(worker, clock)
    assert len(platform.sent) == 9
    for i, ch in enumerate(channels):
        mine = [s for s in platform.sent if s.channel.channel == ch.channel]
        assert [s.payload["text"] for s in mine] == [f"digest-{i} part {n}" for n in range(3)]  # in order
        gaps = [(b.at - a.at).total_seconds() for a, b in zip(mine, mine[1:], strict=False)]
        assert all(g >= 1.0 for g in gaps), gaps  # about one message per second per channel
        assert mine[0].at == start  # channels do not wait for each other
    assert all(e.status == "sent" and e.message_id for e in await entries(store))


async def test_a_5xx_storm_is_retried_with_growing_backoff_and_sent_once(store, clock, rows, platform):
    _sub, ch = await rows.subscription()
    await queue(store, clock, ch.id, 1, "storm")
    platform.script = ["5xx"] * 5
    worker = OutboxWorker(store, {"slack": platform}, clock, max_attempts=8)
    await drain(worker, clock)
    assert len(platform.sent) == 1
    times = [at for _key, at in platform.attempts]
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
    assert len(gaps) == 5
    assert all(b > a for a, b in zip(gaps, gaps[1:], strict=False)), gaps  # exponential
    # After an ambiguous 5xx the platform might have posted: history is checked before re-sending.
    assert platform.history_checks == 5
    [entry] = await entries(store)
    assert entry.status == "sent" and entry.attempts == 6


class RateLimitedChannel:
    """The recording platform, except that channel ``only`` answers 429 (Retry-After ``seconds``) to its
    first ``times`` attempts."""

    platform = "slack"

    def __init__(self, inner, only: str, times: int, seconds: float) -> None:
        self.inner, self.only, self.left, self.seconds = inner, only, times, seconds
        self.limited: list[datetime] = []

    async def send(self, channel: ChannelRef, payload, *, idempotency_key: str) -> str:
        if channel.channel == self.only and self.left:
            self.left -= 1
            self.limited.append(self.inner.clock.now())
            raise RateLimited("rate limited", retry_after=self.seconds)
        return await self.inner.send(channel, payload, idempotency_key=idempotency_key)

    async def already_sent(self, channel: ChannelRef, idempotency_key: str) -> str | None:
        return await self.inner.already_sent(channel, idempotency_key)


async def test_a_429_storm_on_one_channel_honours_retry_after_and_pauses_only_that_channel(
    store, clock, rows, platform
):
    _s1, a = await rows.subscription(channel="A")
    _s2, b = await rows.subscription(channel="B")
    await queue(store, clock, a.id, 2, "a")
    await queue(store, clock, b.id, 2, "b")
    deliverer = RateLimitedChannel(platform, only="A", times=4, seconds=30)
    worker = OutboxWorker(store, {"slack": deliverer}, clock, max_attempts=2, concurrency=1)
    start = clock.now()
    await drain(worker, clock)
    sent = {s.payload["text"]: (s.at - start).total_seconds() for s in platform.sent}
    # Channel B is not held up by A's 429s: its two messages go at once, one pacing second apart.
    assert sent["b part 0"] == 0 and sent["b part 1"] == 1.0
    # Nothing was attempted on A inside a Retry-After window: its attempts are >= 30 s apart.
    gaps = [(y - x).total_seconds() for x, y in zip(deliverer.limited, deliverer.limited[1:], strict=False)]
    assert len(gaps) == 3 and all(g >= 30 for g in gaps), gaps
    assert sent["a part 0"] >= 120 and sent["a part 1"] >= sent["a part 0"] + 1.0
    # 429s are pacing, not failures: four of them did not exhaust max_attempts=2, and no history check.
    assert all(e.status == "sent" for e in await entries(store))
    assert platform.history_checks == 0
    assert worker.stats.rate_limited == 4


async def test_permanent_failure_is_recorded_and_the_rest_goes_on(store, clock, rows, platform, caplog):
    _s1, a = await rows.subscription(channel="A")
    _s2, b = await rows.subscription(channel="B")
    await queue(store, clock, a.id, 1, "a")
    await queue(store, clock, b.id, 1, "b")
    platform.script = ["gone"]
    with caplog.at_level(logging.ERROR, logger="briefings.deliver.outbox"):
        await drain(OutboxWorker(store, {"slack": platform}, clock, concurrency=1), clock)
    statuses = sorted(e.status for e in await entries(store))
    assert statuses == ["failed", "sent"]
    assert any("channel_not_found" in r.message for r in caplog.records)


async def test_retries_give_up_loudly_after_max_attempts(store, clock, rows, platform, caplog):
    _s, ch = await rows.subscription()
    await queue(store, clock, ch.id, 2, "doomed")
    platform.script = ["5xx"] * 3  # the first message fails three times; then the platform is fine
    with caplog.at_level(logging.ERROR, logger="briefings.deliver.outbox"):
        await drain(OutboxWorker(store, {"slack": platform}, clock, max_attempts=3), clock)
    first, second = await entries(store)
    assert first.status == "failed" and first.attempts == 3 and "503" in (first.last_error or "")
    assert second.status == "sent"  # the channel is not blocked forever by one bad message
    assert any("after 3 attempts" in r.message for r in caplog.records)


async def test_restart_in_the_middle_of_a_fan_out_loses_nothing_and_duplicates_nothing(
    db_url, clock, settings, platform
):
    async with open_store(db_url) as store:
        rows = Rows(store)
        for i in range(20):
            _sub, ch = await rows.subscription(channel=f"C{i:02d}", times="07:30")
            await rows.pending(ch.id, 7)  # seven articles: one digest (one or more messages) per channel
        clock.set(datetime(2026, 3, 28, 6, 30, tzinfo=UTC))
        decisions = await Scheduler(store, settings, clock).tick()
        assert sum(d.messages for d in decisions) >= 20
        total = len(await entries(store))
        # The platform accepts the 9th message, then the process dies before recording it.
        platform.script = ["ok"] * 8 + ["crash"]
        worker = OutboxWorker(store, {"slack": platform}, clock, concurrency=4)
        with pytest.raises(ProcessDied):
            await drain(worker, clock)
        assert 9 <= len(platform.sent) < total
    clock.advance(timedelta(minutes=1))
    platform.dead = False
    async with open_store(db_url) as store:  # a new process on the same database
        assert await Scheduler(store, settings, clock).tick() == []  # no slot is decided twice
        worker = OutboxWorker(store, {"slack": platform}, clock)
        await drain(worker, clock)
        final = await entries(store)
    keys = [s.key for s in platform.sent]
    assert len(keys) == len(set(keys)) == total  # every message exactly once
    assert {e.idempotency_key for e in final} == set(keys)
    assert all(e.status == "sent" for e in final)
    assert worker.stats.recovered >= 1  # the one sent before the crash was found, not re-sent


# ---------------------------------------------------------------- a platform on loopback HTTP


class LoopbackPlatform:
    """An HTTP 'chat API' on 127.0.0.1: every 3rd post gets 429 + Retry-After, every 5th a 503
    (after storing the message, as an overloaded proxy might), and history can be read back."""

    def __init__(self) -> None:
        self.posts = 0
        self.messages: list[dict] = []
        self.url = ""

    async def post(self, request: web.Request) -> web.Response:
        self.posts += 1
        body = await request.json()
        if self.posts % 3 == 0:
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "7"}
            )
        self.messages.append(body)
        if self.posts % 5 == 0:
            return web.json_response({"ok": False}, status=503)
        return web.json_response({"ok": True, "ts": str(len(self.messages))})

    async def history(self, request: web.Request) -> web.Response:
        channel = request.query["channel"]
        return web.json_response({"messages": [m for m in self.messages if m["channel"] == channel]})


class HttpDeliverer:
    """The client side of the loopback platform (what a Slack/Discord adapter does over REST)."""

    platform = "slack"

    def __init__(self, base: str, client: httpx.AsyncClient) -> None:
        self.base = base
        self.client = client

    async def send(self, channel: ChannelRef, payload, *, idempotency_key: str) -> str:
        r = await self.client.post(
            f"{self.base}/post", json={"channel": channel.channel, "key": idempotency_key, **payload}
        )
        if r.status_code == 429:
            raise RateLimited("429", retry_after=float(r.headers["Retry-After"]))
        if r.status_code >= 500:
            raise DeliveryError(f"HTTP {r.status_code}")
        return r.json()["ts"]

    async def already_sent(self, channel: ChannelRef, idempotency_key: str) -> str | None:
        r = await self.client.get(f"{self.base}/history", params={"channel": channel.channel})
        for n, m in enumerate(r.json()["messages"], 1):
            if m["key"] == idempotency_key:
                return str(n)
        return None


async def test_a_loopback_http_platform_gets_every_message_exactly_once(store, clock, rows):
    server = LoopbackPlatform()
    app = web.Application()
    app.router.add_post("/post", server.post)
    app.router.add_get("/history", server.history)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    try:
        for i in range(6):
            _s, ch = await rows.subscription(channel=f"C{i}")
            await queue(store, clock, ch.id, 3, f"d{i}")
        async with httpx.AsyncClient() as client:
            worker = OutboxWorker(store, {"slack": HttpDeliverer(base, client)}, clock)
            await drain(worker, clock)
    finally:
        await runner.cleanup()
    keys = [m["key"] for m in server.messages]
    assert len(keys) == len(set(keys)) == 18
    for i in range(6):
        assert [m["text"] for m in server.messages if m["channel"] == f"C{i}"] == [
            f"d{i} part {n}" for n in range(3)
        ]
    assert worker.stats.recovered >= 1  # a 503 after storing: found in history, not posted twice
    assert worker.stats.rate_limited >= 1
    assert all(e.status == "sent" for e in await entries(store))
    assert json.loads((await entries(store))[0].payload) == {"text": "d0 part 0"}


async def test_a_platform_rate_spreads_a_fan_out_without_bunching(store, clock, rows, platform):
    for i in range(30):
        _s, ch = await rows.subscription(channel=f"C{i:02d}")
        await queue(store, clock, ch.id, 1, f"fan-{i}")
    start = clock.now()
    worker = OutboxWorker(store, {"slack": platform}, clock, rates={"slack": 10.0}, concurrency=8)
    await drain(worker, clock)
    times = sorted((s.at - start).total_seconds() for s in platform.sent)
    assert len(times) == 30
    # 10 per second: never more than 2 (the burst) in any 0.1 s, 30 messages in about 3 s.
    assert all(b - a >= 0.1 - 1e-9 for a, b in zip(times, times[2:], strict=False)), times
    assert 2.8 <= times[-1] <= 3.0


class StallingClock(FakeClock):
    """A fake clock whose ``stall_at``-th sleep oversleeps by ``stall`` seconds (the process or the
    machine held up, as a loaded one is)."""

    def __init__(self, start: datetime, stall_at: int, stall: float) -> None:
        super().__init__(start)
        self.sleeps, self.stall_at, self.stall = 0, stall_at, stall

    async def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        await super().sleep(seconds + (self.stall if self.sleeps == self.stall_at else 0.0))


async def test_a_budget_slot_overslept_is_given_up_not_bunched_with_the_next(store, rows):
    """The rate budget's slots are reserved ahead and slept to; one woken a second late does not go out
    at once beside the fresh slots of an idle budget (3 at one instant with a burst of 2): it takes a
    fresh slot, so the sends stay within the burst after the stall too."""
    clock = StallingClock(T0, stall_at=3, stall=1.0)
    platform = RecordingPlatform(clock)
    for i in range(10):
        _s, ch = await rows.subscription(channel=f"C{i:02d}")
        await queue(store, clock, ch.id, 1, f"fan-{i}")
    worker = OutboxWorker(store, {"slack": platform}, clock, rates={"slack": 10.0}, concurrency=8)
    await drain(worker, clock)
    times = sorted((s.at - T0).total_seconds() for s in platform.sent)
    assert len(times) == 10 and worker.stats.late_slots == 1
    assert any(b - a > 0.9 for a, b in zip(times, times[1:], strict=False))  # the stall is there
    assert all(b - a >= 0.1 - 1e-9 for a, b in zip(times, times[2:], strict=False)), times  # burst 2
