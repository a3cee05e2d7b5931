"""The storage port's contract, run against every implementation (in memory, SQLite, PostgreSQL) by the
parametrised ``storage`` fixture: what one does, the others do, so service tests on the in-memory one
mean something."""

from __future__ import annotations

import asyncio
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
    assert everything[0] == (sub, _ch)  # the whole records, as stored
    assert sorted(s.id for part in parts for s, _c in part) == [sub.id, second.id]
    assert all(c.id % 2 == p for p, part in enumerate(parts) for _s, c in part)
    # The decisions split the same way (a tick of one part reads only its part's).
    runs = [SlotRecord(s.id, "2026-03-30", "07:30", T0, T0, "queued", 1) for s in (sub, second)]
    async with storage.unit_of_work() as uow:
        for run in runs:
            await uow.slots.record(run)
    async with storage.unit_of_work() as uow:
        assert await uow.slots.decided_since(T0 - timedelta(days=1)) == {r.key for r in runs}
        for p, part in enumerate(parts):
            keys = await uow.slots.decided_since(T0 - timedelta(days=1), part=p, parts=2)
            assert keys == {r.key for r in runs if r.subscription_id in {s.id for s, _c in part}}


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


async def _queue(storage, *addresses: str) -> dict[str, list[int]]:
    """Two messages queued for each channel ``C…`` of T1; by channel, [the id of its first one]."""
    ids: dict[str, list[int]] = {}
    async with storage.unit_of_work() as uow:
        for address in addresses:
            ch = await uow.channels.get_or_add("slack", "T1", address, now=T0)
            await uow.outbox.enqueue(ch.id, "digest", [{"n": 1}, {"n": 2}], key=address, now=T0)
    async with storage.unit_of_work() as uow:
        for entry, ch in await uow.outbox.heads():
            ids[ch.channel] = [entry.id]
    return ids


async def test_outbox_heads_are_each_channels_first_unsent_entry(storage):
    await _queue(storage, "C1", "C2")
    async with storage.unit_of_work() as uow:
        heads = await uow.outbox.heads()
        assert [(ch.channel, e.seq, e.status, e.attempts) for e, ch in heads] == [
            ("C1", 0, "pending", 0),
            ("C2", 0, "pending", 0),
        ]
        first, ch1 = heads[0]
        assert (first.kind, first.payload, first.next_attempt_at, ch1.workspace) == (
            "digest",
            '{"n": 1}',
            T0,
            "T1",
        )
        assert len(first.idempotency_key) == 24 and first.message_id is None
        assert [ch.channel for _e, ch in await uow.outbox.heads([heads[1][1].id])] == ["C2"]
        assert await uow.outbox.heads([]) == []
        await uow.outbox.record([(first.id, {"status": "sent", "message_id": "m1", "sent_at": T0})])
    async with storage.unit_of_work() as uow:
        [(second, _ch), _other] = await uow.outbox.heads()
        assert second.seq == 1  # the next one once the first is sent
        assert await uow.outbox.pending(ch1.id) == [("digest", {"n": 2})]
        await uow.outbox.record([(second.id, {"status": "failed", "last_error": "gone"})])
    async with storage.unit_of_work() as uow:
        assert [ch.channel for _e, ch in await uow.outbox.heads()] == ["C2"]  # failed: not a head


async def test_outbox_claim_by_attempts_seen_without_a_lease(storage):
    ids = await _queue(storage, "C1", "C2")
    [a], [b] = ids["C1"], ids["C2"]
    async with storage.unit_of_work() as uow:
        assert await uow.outbox.claim({a: 0, b: 1}, now=T0) == {a}  # b: not as it was read
    with pytest.raises(RuntimeError):  # a failed unit of work claims nothing
        async with storage.unit_of_work() as uow:
            assert await uow.outbox.claim({b: 0}, now=T0) == {b}
            raise RuntimeError
    async with storage.unit_of_work() as uow:
        assert await uow.outbox.claim({a: 0}, now=T0) == set()  # claimed already (attempts now 1)
        heads = {e.id: e for e, _ch in await uow.outbox.heads()}
        assert (heads[a].status, heads[a].attempts, heads[a].next_attempt_at) == ("sending", 1, T0)
        assert (heads[b].status, heads[b].attempts) == ("pending", 0)
        # A ``sending`` entry found at start (a crash) is claimed again, not yet due ones too.
        assert await uow.outbox.claim({a: 1}, now=T0 - timedelta(hours=1)) == {a}
        await uow.outbox.record(
            [(a, {"status": "pending", "attempts": 2, "next_attempt_at": T0, "last_error": "5xx"})]
        )
    async with storage.unit_of_work() as uow:
        [(entry, _ch), _other] = await uow.outbox.heads()
        assert (entry.id, entry.status, entry.attempts, entry.last_error) == (a, "pending", 2, "5xx")
        await uow.outbox.record(
            [(a, {"status": "sent", "message_id": "m1", "sent_at": T0, "last_error": None})]
        )
        assert await uow.outbox.claim({a: 2}, now=T0) == set()  # sent: never claimed again
        assert await uow.outbox.claim({}, now=T0) == set()


async def test_outbox_claim_with_a_lease_takes_due_entries_and_leaves_leased_ones_alone(storage):
    ids = await _queue(storage, "C1", "C2")
    [a], [b] = ids["C1"], ids["C2"]
    lease = timedelta(minutes=5)
    async with storage.unit_of_work() as uow:
        await uow.outbox.record([(b, {"next_attempt_at": T0 + timedelta(minutes=1)})])  # backing off
        assert await uow.outbox.claim({a: 0, b: 0}, now=T0, lease=lease) == {a}  # b: not due
    async with storage.unit_of_work() as uow:
        heads = {e.id: e for e, _ch in await uow.outbox.heads()}
        assert (heads[a].status, heads[a].attempts, heads[a].next_attempt_at) == ("sending", 1, T0 + lease)
        # Another worker, before the lease runs out: leaves it alone (even having read it as it is now).
        assert await uow.outbox.claim({a: 1}, now=T0 + timedelta(minutes=4), lease=lease) == set()
        assert await uow.outbox.claim({b: 0}, now=T0 + timedelta(minutes=1), lease=lease) == {b}
    async with storage.unit_of_work() as uow:
        # The claimant died: once the lease is out, the entry is taken over (attempts as read now).
        later = T0 + lease
        assert await uow.outbox.claim({a: 0}, now=later, lease=lease) == set()  # a stale read
        assert await uow.outbox.claim({a: 1}, now=later, lease=lease) == {a}
        heads = {e.id: e for e, _ch in await uow.outbox.heads()}
        assert (heads[a].attempts, heads[a].next_attempt_at) == (2, later + lease)


async def test_concurrent_leased_claims_give_each_entry_to_one_claimant(storage):
    ids = await _queue(storage, *(f"C{i}" for i in range(8)))
    seen = {entry_id: 0 for [entry_id] in ids.values()}

    async def claim() -> set[int]:
        async with storage.unit_of_work() as uow:
            got = await uow.outbox.claim(seen, now=T0, lease=timedelta(minutes=5))
            await asyncio.sleep(0.05)  # hold the claim's locks (PostgreSQL) while the other claims
            return got

    first, second = await asyncio.gather(claim(), claim())
    assert not first & second and first | second == set(seen)
