"""Feeds served on loopback: no flood on first subscribe, backfill, conditional GET, failure then
recovery (one warning), dedupe across a channel's feeds, instant mode - with the real fetcher and NLP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sched_support import ARTICLE, T0, FeedItem
from sqlalchemy import func, select

from briefings.deliver.dedupe import canonical_url
from briefings.deliver.delivery import ChannelRef
from briefings.deliver.polling import Poller
from briefings.deliver.scheduler import Scheduler
from briefings.deliver.subscriptions import SubscriptionService
from briefings.errors import BriefbotError
from briefings.pipeline import Briefer
from briefings.store import ChannelItem, Feed, OutboxEntry, SeenItem

CH = ChannelRef("slack", "C1", "T1")


@pytest.fixture
async def svc(store, settings, clock):
    briefer = Briefer(settings)
    poller = Poller(store, settings, clock, briefer.brief)
    yield SubscriptionService(store, poller, settings, clock)
    briefer.close()


async def count(store, model, *where) -> int:
    async with store.session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def pending_titles(store) -> list[str]:
    async with store.session() as session:
        rows = await session.execute(
            select(ChannelItem.title).where(ChannelItem.digested_at.is_(None)).order_by(ChannelItem.id)
        )
        return list(rows.scalars())


async def poll_when_due(svc, clock, hours: float, step_minutes: int = 5):
    """Let time pass, polling whatever is due (as the run loop does)."""
    reports = []
    end = clock.now() + timedelta(hours=hours)
    while clock.now() < end:
        clock.advance(timedelta(minutes=step_minutes))
        r = await svc.poller.poll_due()
        if r.feeds:
            reports.append((clock.now(), r))
    return reports


async def test_first_subscription_with_50_old_entries_does_not_flood(
    svc, store, clock, settings, feed_server
):
    feed_server.add("news", 50)
    sub = await svc.subscribe(CH, feed_server.url("news"), times=["07:30"], tz="Europe/Berlin")
    assert sub.backfilled == 0 and sub.marked_seen == 50
    assert await pending_titles(store) == []
    assert await count(store, SeenItem) == 100  # 50 GUIDs + 50 links remembered
    # The next morning has nothing to post...
    clock.set(datetime(2026, 3, 28, 6, 31, tzinfo=UTC))
    [decision] = await Scheduler(store, settings, clock).tick()
    assert decision.status == "empty" and await count(store, OutboxEntry) == 0
    # ... until the feed has something new.
    feed_server.add("news", 1, start=50)
    await poll_when_due(svc, clock, 0.5)
    assert await pending_titles(store) == ["Libraries plan number 50"]
    clock.set(datetime(2026, 3, 29, 5, 31, tzinfo=UTC))
    [decision] = await Scheduler(store, settings, clock).tick()
    assert decision.status == "queued"
    [msg] = [json.loads(m.payload) for m in await _outbox(store)]
    assert "Libraries plan number 50" in json.dumps(msg)


async def _outbox(store):
    async with store.session() as session:
        return list((await session.execute(select(OutboxEntry).order_by(OutboxEntry.id))).scalars())


async def test_backfill_files_the_latest_entries(svc, store, feed_server):
    feed_server.add("news", 50)
    sub = await svc.subscribe(CH, feed_server.url("news"), backfill=3)
    assert sub.backfilled == 3 and sub.marked_seen == 47
    assert await pending_titles(store) == [f"Libraries plan number {n}" for n in (47, 48, 49)]
    digest = await svc.digest_now(CH)
    assert digest is not None and len(digest.items) == 3
    assert await svc.digest_now(CH) is None  # taken: not again


async def test_polls_are_conditional_gets(svc, store, clock, feed_server):
    feed_server.add("news", 5)
    await svc.subscribe(CH, feed_server.url("news"))
    reports = await poll_when_due(svc, clock, 1)
    assert len(reports) >= 3  # every ~15 min, with jitter
    assert all(r.not_modified == 1 for _, r in reports)
    assert feed_server.not_modified == len(reports)
    assert all("If-None-Match" in h for _, h in feed_server.requests[1:])
    gaps = [(b - a).total_seconds() / 60 for (a, _), (b, _) in zip(reports, reports[1:], strict=False)]
    assert all(12 <= g <= 20 for g in gaps), gaps


async def test_a_failing_feed_warns_once_after_24h_shows_why_and_recovers(svc, store, clock, feed_server):
    feed_server.add("news", 3)
    await svc.subscribe(CH, feed_server.url("news"))
    feed_server.fail["news"] = 500
    reports = await poll_when_due(svc, clock, 30, step_minutes=10)
    [view] = await svc.list(CH)
    assert view.status == "failing" and "500" in (view.failing_reason or "")
    assert "FAILING" in view.describe()
    warnings = [m for m in await _outbox(store) if m.kind == "warning"]
    assert len(warnings) == 1  # one warning, not one per poll
    assert "failing for more than 24 hours" in warnings[0].payload
    # Exponential backoff: the gaps between attempts grow (to a cap), far fewer than one per 15 min.
    times = [at for at, _ in reports]
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
    assert gaps[-1] > 4 * gaps[0]
    assert len(reports) < 15
    # Recovery: status back to ok, new entries filed, and a later failure spell would warn again.
    del feed_server.fail["news"]
    feed_server.add("news", 1, start=3)
    await poll_when_due(svc, clock, 7, step_minutes=10)
    [view] = await svc.list(CH)
    assert view.status == "ok" and view.failing_reason is None
    assert await pending_titles(store) == ["Libraries plan number 3"]
    async with store.session() as session:
        feed = (await session.execute(select(Feed))).scalar_one()
    assert feed.warned_at is None and feed.consecutive_failures == 0


def _item(guid: str, link: str, title: str, who: str = "Mayor Jane Doe") -> FeedItem:
    return FeedItem(
        guid=guid,
        link=link,
        title=title,
        published=T0,
        text=ARTICLE.format(title=title, who=who, day="Monday", n=3),
    )


async def test_the_same_story_in_two_feeds_is_filed_once(svc, store, clock, feed_server):
    feed_server.add("a", 2)
    feed_server.add("b", 2, host="other.example")
    await svc.subscribe(CH, feed_server.url("a"))
    await svc.subscribe(CH, feed_server.url("b"))
    # The same story by link (tracking parameters, fragment, case differ) ...
    feed_server.feeds["a"].append(
        _item("a-x", "https://news.example/x/story?utm_source=rss&id=7", "Bridge reopens")
    )
    feed_server.feeds["b"].append(
        _item("b-x", "HTTPS://News.Example/x/story?id=7#comments", "Bridge reopens")
    )
    # ... and by text (syndicated under another address).
    feed_server.feeds["a"].append(
        _item("a-y", "https://news.example/y", "Port strike ends", who="Minister Ann Lee")
    )
    feed_server.feeds["b"].append(
        _item("b-y", "https://wire.example/port", "Port strike ends", who="Minister Ann Lee")
    )
    reports = await poll_when_due(svc, clock, 0.5)
    assert sorted(await pending_titles(store)) == ["Bridge reopens", "Port strike ends"]
    assert (
        sum(r.duplicates for _, r in reports) == 1
    )  # the text match; the link match never fetched the entry


async def test_instant_mode_posts_each_new_article(svc, store, clock, feed_server):
    feed_server.add("news", 4)
    await svc.subscribe(CH, feed_server.url("news"), mode="instant")
    assert await _outbox(store) == []
    feed_server.add("news", 2, start=4)
    await poll_when_due(svc, clock, 0.5)
    msgs = await _outbox(store)
    assert [m.kind for m in msgs] == ["instant", "instant"]
    assert "Libraries plan number 4" in msgs[0].payload and "Libraries plan number 5" in msgs[1].payload
    assert await pending_titles(store) == []  # nothing left for a digest


async def test_subscribe_refuses_what_is_not_a_feed(svc, store, feed_server):
    with pytest.raises(BriefbotError) as missing:
        await svc.subscribe(CH, feed_server.url("nothing-here"))
    assert "404" in missing.value.message
    assert await svc.list(CH) == []


async def test_list_and_unsubscribe_by_number(svc, store, feed_server):
    for name in ("one", "two", "three"):
        feed_server.add(name, 1)
        await svc.subscribe(
            CH, feed_server.url(name), times=["06:00", "18:00"], weekdays="mon-fri", tz="America/New_York"
        )
    views = await svc.list(CH)
    assert [v.n for v in views] == [1, 2, 3]
    assert views[0].describe().startswith("1. Feed one <http://127.0.0.1:")
    assert "mon-fri 06:00, 18:00 (America/New_York)" in views[0].describe()
    gone = await svc.unsubscribe(CH, 2)
    assert gone.feed_url.endswith("/two")
    assert [v.feed_url.rsplit("/", 1)[1] for v in await svc.list(CH)] == ["one", "three"]
    with pytest.raises(BriefbotError, match="no subscription number 5"):
        await svc.unsubscribe(CH, 5)
    assert await svc.list(ChannelRef("slack", "elsewhere", "T1")) == []


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://WWW.Example.COM/a/b/?utm_source=x&utm_medium=y&id=3#frag", "https://example.com/a/b?id=3"),
        ("http://example.com:80/a?fbclid=1", "https://example.com/a"),
        ("https://example.com:8443/a?b=2&a=1", "https://example.com:8443/a?b=2&a=1"),
    ],
)
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


async def test_an_updated_entry_is_reposted_only_when_its_text_changed_materially(
    svc, store, clock, feed_server
):
    old_item, posted = feed_server.add("news", 2)
    await svc.subscribe(CH, feed_server.url("news"), backfill=1)
    assert await pending_titles(store) == ["Libraries plan number 1"]
    assert await svc.digest_now(CH) is not None  # the channel has had it
    # A typo fixed: the entry changed, its text barely did -> not posted again.
    posted.text = posted.text.replace("Opposition leaders", "Opposition politicians")
    # The old entry (history when subscribing) is rewritten entirely -> still history.
    old_item.text = (
        ARTICLE.format(title=old_item.title, who="Governor Max Roe", day="Friday", n=40) + " Later on."
    )
    reports = await poll_when_due(svc, clock, 0.5)
    assert sum(r.new_items for _, r in reports) == 0
    assert await pending_titles(store) == []
    # Rewritten with new developments (most of the words new) -> posted again.
    posted.text = (
        "Libraries plan number 1\n\n"
        "The city council on Tuesday rejected the mayor's library plan after the audit found the budget "
        "was short by forty million dollars. Council President Ada Park said the vote was final and "
        "that no new buildings would be approved this year. The mayor said she would appeal to the state "
        "government for emergency funding, and demanded that the council publish the full audit. "
        "Residents of the northern districts protested outside city hall into the night."
    )
    reports = await poll_when_due(svc, clock, 0.5)
    assert sum(r.new_items for _, r in reports) == 1
    assert await pending_titles(store) == ["Libraries plan number 1"]
