"""The storage port's contract, run against every implementation (in memory, SQLite, PostgreSQL) by the
parametrised ``storage`` fixture: what one does, the others do, so service tests on the in-memory one
mean something."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from briefings.storage import (
    ArticleRecord,
    ChannelItemRecord,
    Conflict,
    FeedRecord,
    SeenRecord,
    SlotRecord,
    SubscriptionRecord,
    TrackRecord,
)

T0 = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)


def _sub(channel_id: int, feed_id: int, **kw) -> SubscriptionRecord:
    values = dict(
        id=0,
        channel_id=channel_id,
        feed_id=feed_id,
        times=("07:30", "18:00"),
        weekdays="mon-fri",
        timezone="Europe/Berlin",
        mode="digest",
        active=True,
        created_at=T0,
        created_by="U1",
    )
    return SubscriptionRecord(**(values | kw))


async def _setup(storage, url="https://example.com/feed.xml"):
    async with storage.unit_of_work() as uow:
        ch = await uow.channels.get_or_add("slack", "T1", "C1", now=T0)
        feed = await uow.feeds.add(FeedRecord(id=0, url=url, title="Example", next_poll_at=T0))
        sub = await uow.subscriptions.add(_sub(ch.id, feed.id))
    return ch, feed, sub


async def test_channels_are_one_per_address(storage):
    async with storage.unit_of_work() as uow:
        assert await uow.channels.find("slack", "T1", "C1") is None
        a = await uow.channels.get_or_add("slack", "T1", "C1", now=T0)
        b = await uow.channels.get_or_add("slack", "T1", "C1", now=T0 + timedelta(hours=1))
        other = await uow.channels.get_or_add("console", None, "#terminal", now=T0)
        await uow.channels.set_timezone(a.id, "Europe/Berlin")
    assert a.id == b.id != other.id
    assert other.workspace == ""
    async with storage.unit_of_work() as uow:
        found = await uow.channels.find("slack", "T1", "C1")
        assert found is not None and found.timezone == "Europe/Berlin" and found.created_at == T0
        assert (await uow.channels.find("console", "", "#terminal")).id == other.id


async def test_feeds_are_one_per_url_and_saved_state_comes_back(storage):
    _ch, feed, _sub = await _setup(storage)
    with pytest.raises(Conflict):
        async with storage.unit_of_work() as uow:
            await uow.feeds.add(FeedRecord(id=0, url=feed.url))
    async with storage.unit_of_work() as uow:
        got = await uow.feeds.by_url(feed.url)
        assert got == feed and got.next_poll_at.tzinfo is not None
        got.consecutive_failures, got.last_error, got.failing_since = 2, "HTTP 500", T0
        await uow.feeds.save(got)
        got.title = "not saved: changed after save"
    async with storage.unit_of_work() as uow:
        again = await uow.feeds.get(feed.id)
    assert (again.consecutive_failures, again.last_error, again.failing_since, again.title) == (
        2,
        "HTTP 500",
        T0,
        "Example",
    )


async def test_subscriptions_one_per_channel_and_feed_with_times_as_a_tuple(storage):
    ch, feed, sub = await _setup(storage)
    assert sub.times == ("07:30", "18:00") and sub.id > 0
    with pytest.raises(Conflict):
        async with storage.unit_of_work() as uow:
            await uow.subscriptions.add(_sub(ch.id, feed.id, mode="instant"))
    async with storage.unit_of_work() as uow:
        found = await uow.subscriptions.find(ch.id, feed.id)
        assert found == sub
        assert await uow.subscriptions.count_active(ch.id) == 1
        [(listed, its_feed)] = await uow.subscriptions.of_channel(ch.id)
        assert listed == sub and its_feed.id == feed.id
        [(scheduled, its_channel)] = await uow.subscriptions.scheduled()
        assert scheduled.id == sub.id and its_channel.id == ch.id
        await uow.subscriptions.save(replace(found, times=("06:00",), mode="instant"))
    async with storage.unit_of_work() as uow:
        assert (await uow.subscriptions.find(ch.id, feed.id)).times == ("06:00",)
        assert await uow.subscriptions.scheduled() == []  # instant: no slots
        await uow.subscriptions.save(replace(sub, active=False))
    async with storage.unit_of_work() as uow:
        assert await uow.subscriptions.count_active(ch.id) == 0
        assert await uow.subscriptions.of_channel(ch.id) == []


async def test_a_failed_unit_of_work_keeps_nothing(storage):
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with storage.unit_of_work() as uow:
            await uow.channels.get_or_add("slack", "T1", "C1", now=T0)
            raise Boom
    async with storage.unit_of_work() as uow:
        assert await uow.channels.find("slack", "T1", "C1") is None


async def test_one_decision_per_subscription_date_and_slot(storage):
    _ch, _feed, sub = await _setup(storage)
    run = SlotRecord(sub.id, "2026-03-29", "07:30", T0, T0, "queued", 3)
    async with storage.unit_of_work() as uow:
        await uow.slots.record(run)
    with pytest.raises(Conflict):
        async with storage.unit_of_work() as uow:
            await uow.outbox.enqueue(sub.channel_id, "digest", [{"text": "lost"}], key="k", now=T0)
            await uow.slots.record(replace(run, status="empty"))
    async with storage.unit_of_work() as uow:
        assert await uow.slots.decided_since(T0 - timedelta(seconds=1)) == {run.key}
        assert await uow.slots.decided_since(T0) == set()
        assert await uow.outbox.pending(sub.channel_id) == []  # rolled back with the decision


async def test_outbox_keeps_order_and_refuses_a_key_twice(storage):
    ch, _feed, _sub = await _setup(storage)
    async with storage.unit_of_work() as uow:
        assert await uow.outbox.enqueue(ch.id, "digest", [{"n": 1}, {"n": 2}], key="slot:1", now=T0) == 2
        await uow.outbox.enqueue(ch.id, "notice", ["three"], key="more:1", now=T0)
    with pytest.raises(Conflict):
        async with storage.unit_of_work() as uow:
            await uow.outbox.enqueue(ch.id, "digest", [{"n": 1}], key="slot:1", now=T0)
    async with storage.unit_of_work() as uow:
        assert await uow.outbox.pending(ch.id) == [
            ("digest", {"n": 1}),
            ("digest", {"n": 2}),
            ("notice", "three"),
        ]


async def test_seen_items_one_per_channel_and_key(storage):
    ch, feed, _sub = await _setup(storage)
    rows = [SeenRecord(ch.id, f"g:{i}", feed.id, f"fp{i}", None, T0) for i in range(3)]
    async with storage.unit_of_work() as uow:
        await uow.seen.add_many(rows)
    with pytest.raises(Conflict):
        async with storage.unit_of_work() as uow:
            await uow.seen.add_many([SeenRecord(ch.id, "g:new", feed.id, None, None, T0), rows[0]])
    async with storage.unit_of_work() as uow:
        found = await uow.seen.lookup([ch.id], ["g:0", "g:2", "g:new", "g:0"])
    assert found == {(ch.id, "g:0"): rows[0], (ch.id, "g:2"): rows[2]}


async def test_feeds_due_are_those_someone_subscribes_to_unpaused(storage):
    ch, feed, sub = await _setup(storage)
    async with storage.unit_of_work() as uow:
        other = await uow.feeds.add(FeedRecord(id=0, url="https://other.example/rss", next_poll_at=T0))
        later = await uow.feeds.add(
            FeedRecord(id=0, url="https://later.example/rss", next_poll_at=T0 + timedelta(hours=1))
        )
        await uow.subscriptions.add(_sub(ch.id, later.id))
        assert await uow.feeds.due(T0) == [feed.id]  # ``other`` has no subscriber
        assert await uow.feeds.due(T0 + timedelta(hours=2)) == [feed.id, later.id]
        assert await uow.feeds.next_due() == T0
        await uow.subscriptions.save(replace(sub, paused_at=T0))
    async with storage.unit_of_work() as uow:
        assert await uow.feeds.due(T0 + timedelta(hours=2)) == [later.id]
        assert await uow.feeds.next_due() == T0 + timedelta(hours=1)
        assert await uow.subscriptions.of_feed(feed.id) == []  # paused: not filed for either
        [(s, c)] = await uow.subscriptions.of_feed(later.id)
        assert (s.feed_id, c.id) == (later.id, ch.id)
        assert await uow.subscriptions.of_feed(later.id, only_channel=ch.id + 999) == []
    assert other.id not in (feed.id, later.id)


async def test_seen_fingerprints_are_updated_in_place(storage):
    ch, feed, _sub = await _setup(storage)
    async with storage.unit_of_work() as uow:
        await uow.seen.add_many([SeenRecord(ch.id, k, feed.id, "old", "h1", T0) for k in ("g:1", "u:1")])
        await uow.seen.set_fingerprint([ch.id], ["g:1"], "new", None)  # None keeps the article hash
        await uow.seen.set_fingerprint([ch.id], ["u:1"], "newer", "h2")
    async with storage.unit_of_work() as uow:
        found = await uow.seen.lookup([ch.id], ["g:1", "u:1"])
    assert (found[(ch.id, "g:1")].fingerprint, found[(ch.id, "g:1")].content_hash) == ("new", "h1")
    assert (found[(ch.id, "u:1")].fingerprint, found[(ch.id, "u:1")].content_hash) == ("newer", "h2")


async def test_articles_are_cached_once_and_items_need_their_article(storage):
    ch, feed, _sub = await _setup(storage)
    story = ArticleRecord("c" * 64, "https://x.example/1", "One", None, "text", '{"b": 1}', None, T0)
    async with storage.unit_of_work() as uow:
        assert await uow.articles.get(story.content_hash) is None
        await uow.articles.add(story)
        await uow.articles.add(replace(story, title="Two"))  # the first one stays
        await uow.items.add(ChannelItemRecord(ch.id, feed.id, story.content_hash, story.url, "One", T0))
    async with storage.unit_of_work() as uow:
        assert await uow.articles.get(story.content_hash) == story
    with pytest.raises(Conflict):
        async with storage.unit_of_work() as uow:
            await uow.items.add(ChannelItemRecord(ch.id, feed.id, "d" * 64, None, "no such story", T0))


async def test_scheduled_subscriptions_split_into_parts_by_channel(storage):
    _ch, feed, sub = await _setup(storage)
    async with storage.unit_of_work() as uow:
        other = await uow.channels.get_or_add("slack", "T1", "C2", now=T0)
        second = await uow.subscriptions.add(_sub(other.id, feed.id))
        everything = await uow.subscriptions.scheduled()
        parts = [await uow.subscriptions.scheduled(part=p, parts=2) for p in (0, 1)]
    assert [s.id for s, _c in everything] == [sub.id, second.id]
    assert sorted(s.id for part in parts for s, _c in part) == [sub.id, second.id]
    assert all(c.id % 2 == p for p, part in enumerate(parts) for _s, c in part)


async def _file(storage, ch, feed, n: int, *, at: datetime, briefed: bool = True) -> None:
    story = ArticleRecord(
        f"{n:064d}",
        f"https://x.example/{n}",
        f"Story {n}",
        None,
        f"text {n}",
        '{"b": 1}' if briefed else None,
        None,
        T0,
    )
    async with storage.unit_of_work() as uow:
        await uow.articles.add(story)
        await uow.items.add(ChannelItemRecord(ch.id, feed.id, story.content_hash, story.url, story.title, at))


async def test_pending_items_newest_first_with_their_story_until_a_digest_takes_them(storage):
    ch, feed, _sub = await _setup(storage)
    async with storage.unit_of_work() as uow:
        other = await uow.channels.get_or_add("slack", "T1", "C2", now=T0)
    await _file(storage, ch, feed, 1, at=T0)
    await _file(storage, ch, feed, 2, at=T0 + timedelta(minutes=5), briefed=False)
    await _file(storage, ch, feed, 3, at=T0)  # as old as 1, filed later: before it
    await _file(storage, other, feed, 1, at=T0)
    async with storage.unit_of_work() as uow:
        pending = await uow.items.pending(ch.id)
        assert [p.item.title for p in pending] == ["Story 2", "Story 3", "Story 1"]
        assert len({p.id for p in pending}) == 3
        assert pending[0].article.briefing_json is None and pending[1].article.text == "text 3"
        assert pending[2].item == ChannelItemRecord(
            ch.id, feed.id, f"{1:064d}", "https://x.example/1", "Story 1", T0
        )
        await uow.items.mark_digested([pending[0].id, pending[2].id], T0 + timedelta(hours=1))
    async with storage.unit_of_work() as uow:
        [left] = await uow.items.pending(ch.id)
        assert left.item.title == "Story 3"
        assert [p.item.title for p in await uow.items.pending(other.id)] == ["Story 1"]  # not another's
        await uow.items.mark_digested([left.id], T0)
        await uow.items.mark_digested([], T0)
    async with storage.unit_of_work() as uow:
        assert await uow.items.pending(ch.id) == []


async def test_carriers_are_the_feeds_seen_with_a_story_in_the_order_recorded(storage):
    ch, feed, _sub = await _setup(storage)
    async with storage.unit_of_work() as uow:
        second = await uow.feeds.add(FeedRecord(id=0, url="https://second.example/rss", title=None))
        other = await uow.channels.get_or_add("slack", "T1", "C2", now=T0)
        await uow.seen.add_many(
            [
                SeenRecord(ch.id, "g:1", second.id, None, "h1", T0),
                SeenRecord(ch.id, "g:2", feed.id, None, "h1", T0),
                SeenRecord(ch.id, "u:2", None, None, "h1", T0),  # no feed: not a carrier
                SeenRecord(ch.id, "g:3", feed.id, None, "h2", T0),
                SeenRecord(ch.id, "g:4", feed.id, None, None, T0),
                SeenRecord(other.id, "g:1", feed.id, None, "h1", T0),  # another channel's
            ]
        )
    async with storage.unit_of_work() as uow:
        assert await uow.seen.carriers(ch.id, ["h1", "h9"]) == [("h1", second.id), ("h1", feed.id)]
        assert await uow.seen.carriers(ch.id, ["h2", "h1"]) == [
            ("h1", second.id),
            ("h1", feed.id),
            ("h2", feed.id),
        ]
        assert await uow.seen.carriers(ch.id, []) == []
        found = await uow.feeds.many([second.id, feed.id, 99_999])
        assert sorted(f.id for f in found) == sorted([feed.id, second.id])
        assert {f.id: f.title for f in found} == {feed.id: "Example", second.id: None}
        assert await uow.feeds.many([]) == []


async def test_tracks_of_a_channel_oldest_first(storage):
    ch, _feed, _sub = await _setup(storage)
    async with storage.unit_of_work() as uow:
        other = await uow.channels.get_or_add("slack", "T1", "C2", now=T0)
        assert await uow.tracks.of_channel(ch.id) == []
        await uow.tracks.add(TrackRecord(ch.id, "Mayor Smith", ("offer", "denial"), "U1", T0))
        await uow.tracks.add(TrackRecord(ch.id, "library", (), None, T0 + timedelta(minutes=1)))
        await uow.tracks.add(TrackRecord(other.id, "port", (), None, T0))
    async with storage.unit_of_work() as uow:
        assert await uow.tracks.of_channel(ch.id) == [
            TrackRecord(ch.id, "Mayor Smith", ("offer", "denial"), "U1", T0),
            TrackRecord(ch.id, "library", (), None, T0 + timedelta(minutes=1)),
        ]
