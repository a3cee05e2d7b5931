"""Feed health people can see and act on, on SQLite and PostgreSQL: `/brief list` shows last success,
last error and next poll in the channel's time zone; a feed failing for BRIEFBOT_FEED_PAUSE_DAYS is
paused (not polled, the channel told once through the outbox) until `/brief resume`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from briefings.deliver.chat import ChatCommands
from briefings.deliver.delivery import ChannelRef
from briefings.deliver.polling import Poller
from briefings.deliver.subscriptions import SubscriptionService
from briefings.pipeline import Briefer
from briefings.store import Feed, OutboxEntry, SubscriptionRow

CH = ChannelRef("slack", "C1", "T1")


@pytest.fixture
async def svc(store, settings, clock):
    briefer = Briefer(settings)
    poller = Poller(store, settings, clock, briefer.brief)
    yield SubscriptionService(store, poller, settings, clock)
    briefer.close()


@pytest.fixture
def chat(svc, settings, clock):
    return ChatCommands(briefer=svc.poller, subscriptions=svc, settings=settings, clock=clock)


async def _run(svc, clock, hours: float, step_minutes: int = 30) -> int:
    polls = 0
    end = clock.now() + timedelta(hours=hours)
    while clock.now() < end:
        clock.advance(timedelta(minutes=step_minutes))
        polls += (await svc.poller.poll_due()).feeds
    return polls


async def _outbox(store, kind: str | None = None) -> list[OutboxEntry]:
    async with store.session() as session:
        rows = (await session.execute(select(OutboxEntry).order_by(OutboxEntry.id))).scalars()
        return [r for r in rows if kind is None or r.kind == kind]


async def test_list_shows_last_success_next_poll_and_last_error_in_the_channel_zone(
    chat, svc, clock, feed_server
):
    feed_server.add("news", 2)
    await chat.handle(
        f"subscribe {feed_server.url('news')} daily 07:30 tz Asia/Tokyo",
        channel=CH,
        user="U1",
        can_manage=True,
    )
    # T0 is Fri 27 Mar 12:00 UTC = 21:00 in Tokyo.
    listed = (await chat.handle("list", channel=CH, user="U1", can_manage=True)).text
    assert "- ok\n   last success Fri 27 Mar 21:00 · next poll Fri 27 Mar 21:" in listed
    assert "last error" not in listed
    feed_server.fail["news"] = 503
    await _run(svc, clock, 1)
    listed = (await chat.handle("list", channel=CH, user="U1", can_manage=True)).text
    assert "FAILING since" in listed and "last error Fri 27 Mar 2" in listed and "503" in listed
    del feed_server.fail["news"]
    await _run(svc, clock, 8)
    listed = (await chat.handle("list", channel=CH, user="U1", can_manage=True)).text
    assert "- ok\n" in listed and "last error Fri 27 Mar" in listed  # the last error stays visible
    assert "last success Sat 28 Mar" in listed


async def test_a_feed_failing_for_days_is_paused_told_once_and_resumed(
    chat, svc, store, clock, settings, feed_server
):
    assert settings.feed_pause_days == 3
    feed_server.add("news", 2)
    await chat.handle(f"subscribe {feed_server.url('news')}", channel=CH, user="U1", can_manage=True)
    feed_server.fail["news"] = 500
    await _run(svc, clock, 71)
    async with store.session() as session:
        assert (await session.execute(select(SubscriptionRow.paused_at))).scalar_one() is None
    await _run(svc, clock, 8)  # past 3 days of failure
    async with store.session() as session:
        assert (await session.execute(select(SubscriptionRow.paused_at))).scalar_one() is not None
    paused = [m for m in await _outbox(store, "warning") if "paused" in m.payload]
    assert len(paused) == 1 and "failing for more than 3 days" in paused[0].payload
    assert "/brief resume" in paused[0].payload
    # Paused: not polled any more, and nobody is told again.
    requests = len(feed_server.requests)
    assert await _run(svc, clock, 48) == 0 and len(feed_server.requests) == requests
    assert len([m for m in await _outbox(store, "warning") if "paused" in m.payload]) == 1
    listed = (await chat.handle("list", channel=CH, user="U1", can_manage=True)).text
    assert "PAUSED since" in listed and "(/brief resume 1)" in listed and "not polled while paused" in listed
    # Only its creator or an admin may resume; then it is polled at once and, fixed, recovers.
    refused = await chat.handle("resume 1", channel=CH, user="U2", can_manage=False)
    assert refused.error
    wrong = await chat.handle("resume 7", channel=CH, user="U1", can_manage=True)
    assert wrong.error and "no subscription number 7" in wrong.text
    del feed_server.fail["news"]
    feed_server.add("news", 1, start=2)
    resumed = await chat.handle("resume 1", channel=CH, user="U1", can_manage=True)
    assert not resumed.error and resumed.text.startswith("Resumed Feed news")
    assert (await chat.handle("resume 1", channel=CH, user="U1", can_manage=True)).text.endswith(
        "is not paused; `/brief list` shows its status"
    )
    assert await _run(svc, clock, 0.5) == 1
    listed = (await chat.handle("list", channel=CH, user="U1", can_manage=True)).text
    assert "- ok\n" in listed and "PAUSED" not in listed


async def test_a_resumed_feed_still_failing_gets_another_pause_period(chat, svc, store, clock, feed_server):
    feed_server.add("news", 1)
    await svc.subscribe(CH, feed_server.url("news"))
    feed_server.fail["news"] = 500
    await _run(svc, clock, 24 * 3 + 8, step_minutes=60)
    await svc.resume(CH, feed_server.url("news"))  # by address works as well as by number
    async with store.session() as session:
        feed = (await session.execute(select(Feed))).scalar_one()
        assert feed.next_poll_at == clock.now() and feed.failing_since == clock.now()
    await _run(svc, clock, 24, step_minutes=60)
    async with store.session() as session:
        assert (await session.execute(select(SubscriptionRow.paused_at))).scalar_one() is None
    await _run(svc, clock, 24 * 2 + 8, step_minutes=60)
    async with store.session() as session:
        assert (await session.execute(select(SubscriptionRow.paused_at))).scalar_one() is not None
    assert len([m for m in await _outbox(store, "warning") if "paused" in m.payload]) == 2
