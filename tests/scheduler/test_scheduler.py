"""The scheduler on a real store with a moving clock: DST days, zones, downtime grace, restarts, races."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from briefings.deliver.scheduler import Scheduler
from briefings.settings import Settings
from briefings.store import ChannelItem, OutboxEntry, SlotRun, open_store


async def run_clock(scheduler: Scheduler, clock, until: datetime, step: timedelta, on_midnight=None):
    """Tick every ``step`` until ``until``; returns [(tick time, decision)]."""
    seen = []
    while clock.now() <= until:
        if on_midnight and clock.now().hour == 0 and clock.now().minute == 0:
            await on_midnight()
        for d in await scheduler.tick():
            seen.append((clock.now(), d))
        clock.advance(step)
    return seen


async def outbox(store, channel_id=None) -> list[OutboxEntry]:
    async with store.session() as session:
        q = select(OutboxEntry).order_by(OutboxEntry.id)
        if channel_id is not None:
            q = q.where(OutboxEntry.channel_id == channel_id)
        return list((await session.execute(q)).scalars())


@pytest.mark.parametrize(
    ("tz", "hhmm", "start", "dst_day", "expected_due"),
    [
        # spring forward: 02:30 does not exist -> runs once, at 03:00 local (the first valid instant)
        (
            "Europe/Berlin",
            "02:30",
            datetime(2026, 3, 27, 12, tzinfo=UTC),
            "2026-03-29",
            datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        ),
        (
            "America/New_York",
            "02:30",
            datetime(2026, 3, 6, 12, tzinfo=UTC),
            "2026-03-08",
            datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
        ),
        # fall back: 02:30 / 01:30 happen twice -> runs once, at the first
        (
            "Europe/Berlin",
            "02:30",
            datetime(2026, 10, 23, 12, tzinfo=UTC),
            "2026-10-25",
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        ),
        (
            "America/New_York",
            "01:30",
            datetime(2026, 10, 30, 12, tzinfo=UTC),
            "2026-11-01",
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        ),
    ],
)
async def test_dst_days_fire_exactly_once_at_the_right_instant(
    store, clock, rows, settings, tz, hhmm, start, dst_day, expected_due
):
    clock.set(start)
    sub, ch = await rows.subscription(times=hhmm, tz=tz, created_at=start)
    scheduler = Scheduler(store, settings, clock)

    async def news():
        await rows.pending(ch.id, 2, at=clock.now())

    await news()
    seen = await run_clock(
        scheduler, clock, start + timedelta(days=3), timedelta(minutes=10), on_midnight=news
    )
    by_date = {}
    for at, d in seen:
        by_date.setdefault(d.local_date, []).append((at, d))
    assert all(len(v) == 1 for v in by_date.values()), by_date  # once per local date, DST day included
    assert len(by_date) == 3
    at, decision = by_date[dst_day][0]
    assert decision.status == "queued" and decision.messages >= 1
    assert at == expected_due  # the first tick at or after the due instant
    async with store.session() as session:
        run = (await session.execute(select(SlotRun).where(SlotRun.local_date == dst_day))).scalar_one()
    assert run.due_at == expected_due


async def test_two_subscribers_in_different_zones_get_their_own_morning(store, clock, rows, settings):
    berlin, ch_b = await rows.subscription(channel="berlin", times="07:30", tz="Europe/Berlin")
    new_york, ch_n = await rows.subscription(channel="nyc", times="07:30", tz="America/New_York")
    await rows.pending(ch_b.id, 3)
    await rows.pending(ch_n.id, 2)
    scheduler = Scheduler(store, settings, clock)
    seen = await run_clock(scheduler, clock, datetime(2026, 3, 28, 23, 59, tzinfo=UTC), timedelta(minutes=5))
    fired = {d.subscription_id: at for at, d in seen if d.status == "queued"}
    assert fired == {
        berlin.id: datetime(2026, 3, 28, 6, 30, tzinfo=UTC),  # 07:30 CET
        new_york.id: datetime(2026, 3, 28, 11, 30, tzinfo=UTC),  # 07:30 EDT
    }
    b_msgs, n_msgs = await outbox(store, ch_b.id), await outbox(store, ch_n.id)
    assert b_msgs and n_msgs
    b_text = " ".join(m.payload for m in b_msgs)
    assert "Saturday 28 March" in b_text and "Story number 3" in b_text  # ranked first: it has an offer
    assert "Story number" in " ".join(m.payload for m in n_msgs)
    # Each channel got only its own articles.
    assert "Story number 4" not in b_text


async def test_digest_takes_pending_articles_once_ranked_and_capped(store, clock, rows, settings):
    sub, ch = await rows.subscription(times="07:30")
    await rows.pending(ch.id, 8, offers_every=4)  # stories 1..8; 4 and 8 carry an offer
    settings.digest_max_articles = 5
    scheduler = Scheduler(store, settings, clock)
    await run_clock(scheduler, clock, datetime(2026, 3, 29, 12, tzinfo=UTC), timedelta(minutes=15))
    msgs = await outbox(store, ch.id)
    payloads = [json.loads(m.payload) for m in msgs]
    text = json.dumps(payloads)
    assert text.index("Story number 8") < text.index("Story number 7")  # offers first, then newest
    assert text.index("Story number 4") < text.index("Story number 7")
    for n in range(1, 9):
        assert f"Story number {n}" in text  # capped ones are still listed (headline + link)
    async with store.session() as session:
        left = await session.scalar(
            select(func.count()).select_from(ChannelItem).where(ChannelItem.digested_at.is_(None))
        )
        runs = (await session.execute(select(SlotRun).order_by(SlotRun.id))).scalars().all()
    assert left == 0
    assert [r.status for r in runs] == ["queued", "empty"]  # Sunday had nothing new: nothing posted


@pytest.mark.parametrize(
    ("late", "status"),
    [(timedelta(hours=2, minutes=59), "queued"), (timedelta(hours=3, minutes=1), "skipped")],
)
async def test_after_downtime_a_missed_briefing_is_sent_within_grace_else_skipped(
    store, clock, rows, settings, caplog, late, status
):
    sub, ch = await rows.subscription(times="07:30")
    await rows.pending(ch.id, 2)
    scheduler = Scheduler(store, settings, clock)
    assert await scheduler.tick() == []
    clock.set(datetime(2026, 3, 28, 6, 30, tzinfo=UTC) + late)  # the process was down over 07:30 CET
    with caplog.at_level(logging.WARNING, logger="briefings.deliver.scheduler"):
        decisions = await scheduler.tick()
        again = await scheduler.tick()
    assert [d.status for d in decisions] == [status]
    assert again == []
    msgs = await outbox(store, ch.id)
    if status == "queued":
        assert msgs
        assert not any("grace" in r.message for r in caplog.records)
    else:
        assert msgs == []
        assert sum("grace window" in r.message for r in caplog.records) == 1


async def test_a_restart_does_not_fire_a_slot_again(db_url, clock, settings):
    async with open_store(db_url) as store:
        from sched_support import Rows  # noqa: PLC0415 - used across a restart

        rows = Rows(store)
        sub, ch = await rows.subscription(times="07:30")
        await rows.pending(ch.id, 2)
        clock.set(datetime(2026, 3, 28, 6, 31, tzinfo=UTC))
        assert [d.status for d in await Scheduler(store, settings, clock).tick()] == ["queued"]
        before = len(await outbox(store))
    clock.advance(timedelta(minutes=5))
    async with open_store(db_url) as store:  # a new process
        assert await Scheduler(store, settings, clock).tick() == []
        assert len(await outbox(store)) == before


async def test_two_schedulers_racing_decide_each_slot_once(store, clock, rows, settings):
    subs = []
    for i in range(5):
        sub, ch = await rows.subscription(channel=f"C{i}", times="07:30")
        await rows.pending(ch.id, 2)
        subs.append(sub)
    clock.set(datetime(2026, 3, 28, 6, 31, tzinfo=UTC))
    a, b = Scheduler(store, settings, clock), Scheduler(store, settings, clock)
    da, db = await asyncio.gather(a.tick(), b.tick())
    statuses = [d.status for d in da + db]
    assert statuses.count("queued") == 5
    async with store.session() as session:
        runs = (await session.execute(select(SlotRun))).scalars().all()
    assert len(runs) == 5
    keys = [m.idempotency_key for m in await outbox(store)]
    assert len(keys) == len(set(keys)) >= 5


async def test_no_catch_up_for_slots_before_the_subscription_existed(store, clock, rows, settings):
    # Subscribed at 09:00 Berlin on Saturday: that morning's 07:30 is not "missed".
    created = datetime(2026, 3, 28, 8, 0, tzinfo=UTC)
    clock.set(created)
    sub, ch = await rows.subscription(times="07:30", created_at=created)
    await rows.pending(ch.id, 1, at=created)
    scheduler = Scheduler(store, Settings(grace_hours=3), clock)
    assert await scheduler.tick() == []
    nxt = await scheduler.next_due()
    assert nxt == datetime(2026, 3, 29, 5, 30, tzinfo=UTC)  # Sunday 07:30 CEST


async def test_a_morning_of_many_channels_is_decided_channel_by_channel_each_article_once(
    store, clock, rows, settings
):
    """On PostgreSQL channels are decided side by side (``DECIDE_CONCURRENCY``), one channel's slots in
    order: a channel with two subscriptions due at once gets its pending articles in one digest, not two."""
    from briefings.deliver.scheduler import DECIDE_CONCURRENCY  # noqa: PLC0415
    from briefings.store import SubscriptionRow  # noqa: PLC0415

    subs = []
    for i in range(DECIDE_CONCURRENCY + 4):
        sub, ch = await rows.subscription(channel=f"C{i}", times="07:30")
        await rows.pending(ch.id, 2)
        subs.append(sub)
    shared = ch  # the last channel gets a second subscription (another feed), due at the same time
    async with store.session() as session, session.begin():
        second = SubscriptionRow(
            channel_id=shared.id,
            feed_id=subs[0].feed_id,
            times="07:30",
            weekdays="mon-sun",
            timezone="Europe/Berlin",
            mode="digest",
            active=True,
            created_at=subs[-1].created_at,
        )
        session.add(second)
    clock.set(datetime(2026, 3, 28, 6, 31, tzinfo=UTC))
    decisions = await Scheduler(store, settings, clock).tick()
    assert [d.subscription_id for d in decisions] == [s.id for s in subs] + [second.id]
    assert [d.status for d in decisions] == ["queued"] * len(subs) + ["empty"]
    for sub in subs:
        text = " ".join(m.payload for m in await outbox(store, sub.channel_id))
        assert text.count("Story number") >= 2
    # The second subscription found the channel's articles taken by the first: one digest, not two.
    first = {m.idempotency_key for m in await outbox(store, subs[0].channel_id)}
    assert len(await outbox(store, shared.id)) == len(first)


async def test_a_tick_in_parts_decides_each_channel_in_exactly_one_part(store, clock, rows, settings):
    """Workers decide a morning in parts (``Dispatcher.decide_parts`` tasks): the parts split the channels
    by id, together they decide every slot once, and only part 0 runs the housekeeping."""
    subs = []
    for i in range(7):
        sub, ch = await rows.subscription(channel=f"C{i}", times="07:30")
        await rows.pending(ch.id, 1)
        subs.append(sub)
    clock.set(datetime(2026, 3, 28, 6, 31, tzinfo=UTC))
    scheduler = Scheduler(store, settings, clock)
    housekeeping: list[datetime] = []

    async def job(now: datetime) -> None:
        housekeeping.append(now)

    scheduler.housekeeping.append(job)
    parts = [await scheduler.tick(part=p, parts=3) for p in (2, 0, 1)]
    decided = [d.subscription_id for part in parts for d in part]
    assert sorted(decided) == sorted(s.id for s in subs)  # each once
    for p, part in zip((2, 0, 1), parts, strict=True):
        assert {s.channel_id % 3 for s in subs if s.id in {d.subscription_id for d in part}} <= {p}
    assert len(housekeeping) == 1
    assert await scheduler.tick() == []  # nothing left for a whole tick
