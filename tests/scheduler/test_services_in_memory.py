"""The subscription service, the scheduler's slot decisions, taking a digest and the outbox worker on the
in-memory storage port: no database, the same rules (the port's contract tests hold it to the SQL
implementation's semantics)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sched_support import briefing

from briefings.deliver.delivery import ChannelRef, DeliveryError
from briefings.deliver.outbox import OutboxWorker
from briefings.deliver.polling import Poller, PollReport
from briefings.deliver.scheduler import Scheduler, Slot
from briefings.deliver.subscriptions import SubscriptionService
from briefings.errors import InputError, PermissionDenied
from briefings.models import Article
from briefings.settings import Settings
from briefings.store.inmemory import MemoryStorage

FEED = "https://news.example/feed.xml"
BERLIN = ChannelRef("console", None, "#berlin")


def _entries(n: int) -> list[SimpleNamespace]:
    return [
        SimpleNamespace(guid=f"id-{i}", link=f"https://news.example/{i}", title=f"Story {i}", summary="")
        for i in range(n)
    ]


async def _fetch(url, settings, **_kw):
    return SimpleNamespace(title="Example News", entries=_entries(3)), SimpleNamespace(etag='"v1"')


async def _never(_article):
    raise AssertionError("nothing is briefed when subscribing without backfill")


@pytest.fixture
def service(clock, tmp_path):
    storage = MemoryStorage()
    settings = Settings(data_dir=tmp_path, allow_private_hosts=True)
    poller = Poller(storage, settings, clock, _never, fetch_feed=_fetch)  # type: ignore[arg-type]
    return SubscriptionService(storage, poller, settings, clock)


async def test_subscribe_list_change_and_unsubscribe_in_memory(service, clock):
    sub = await service.subscribe(BERLIN, FEED, times=["18:00", "7:30"], tz="Europe/Berlin", user="U1")
    assert (sub.times, sub.weekdays, sub.marked_seen, sub.feed_title) == (
        ["07:30", "18:00"],
        "mon-sun",
        3,
        "Example News",
    )
    assert sub.next_run == datetime(2026, 3, 27, 17, 0, tzinfo=UTC)  # 18:00 CET that Friday
    tables = service.storage.tables
    assert len(tables.seen) == 6  # GUID and link of each entry: history, not news
    [stored] = tables.subscriptions.values()
    assert stored.times == ("07:30", "18:00")

    with pytest.raises(PermissionDenied):
        await service.subscribe(BERLIN, FEED, times=["06:00"], user="U2", admin=False)
    clock.advance(timedelta(hours=1))
    again = await service.subscribe(BERLIN, FEED, times=["06:00"], user="U1", admin=False)
    assert again.id == sub.id and again.times == ["06:00"] and again.timezone == "Europe/Berlin"
    assert service.storage.tables.subscriptions[sub.id].created_at == clock.now()  # a new schedule

    [view] = await service.list(BERLIN)
    assert view.describe().startswith(f"1. Example News <{FEED}> - daily 06:00 (Europe/Berlin), digest - ok")
    with pytest.raises(PermissionDenied):
        await service.unsubscribe(BERLIN, 1, user="U2", admin=False)
    with pytest.raises(InputError, match="no subscription number 2"):
        await service.unsubscribe(BERLIN, 2)
    await service.unsubscribe(BERLIN, 1, user="U1", admin=False)
    assert await service.list(BERLIN) == []


async def test_a_channel_has_at_most_fifty_subscriptions_in_memory(service, monkeypatch):
    monkeypatch.setattr("briefings.deliver.subscriptions.MAX_SUBSCRIPTIONS_PER_CHANNEL", 2)
    await service.subscribe(BERLIN, FEED + "?a")
    await service.subscribe(BERLIN, FEED + "?b")
    with pytest.raises(InputError, match="already has 2 subscriptions"):
        await service.subscribe(BERLIN, FEED + "?c")
    assert len(service.storage.tables.feeds) == 2  # the refused one left nothing behind


def _briefing_feed(service) -> list[SimpleNamespace]:
    """The service's poller reads and briefs a feed's entries (story ``n`` briefed as ``briefing(n)``);
    returns the feed's entries, to change."""
    entries = _entries(3)

    async def fetch(url, settings, **_kw):
        if "mirror" in url:  # the same stories under other GUIDs and links
            mirrored = [
                SimpleNamespace(
                    guid="m-" + e.guid, link=e.link.replace("news.", "mirror."), title=e.title, summary=""
                )
                for e in entries
            ]
            return SimpleNamespace(title="Mirror News", entries=mirrored), SimpleNamespace(etag=None)
        return SimpleNamespace(title="Example News", entries=entries), SimpleNamespace(etag=None)

    async def read(entry, settings):
        return Article(
            text=f"{entry.title}\n\nThe mayor said the library opens.", title=entry.title, url=entry.link
        )

    async def brief(article):
        return briefing(int(article.url.rsplit("/", 1)[1]))

    poller = service.poller
    poller._fetch_feed, poller._entry_article, poller.brief = fetch, read, brief
    return entries


async def test_slots_are_decided_once_even_by_two_schedulers_in_memory(service, clock):
    _briefing_feed(service)
    sub = await service.subscribe(BERLIN, FEED, times=["07:30"], tz="Europe/Berlin", backfill=1)
    settings = Settings(grace_hours=3)
    a = Scheduler(service.storage, settings, clock)  # the real digest taking, on the port
    b = Scheduler(service.storage, settings, clock)
    assert await a.next_due() == datetime(2026, 3, 28, 6, 30, tzinfo=UTC)
    clock.set(datetime(2026, 3, 28, 6, 31, tzinfo=UTC))
    [decision] = await a.tick()
    assert (decision.subscription_id, decision.status, decision.messages) == (sub.id, "queued", 1)
    assert await b.tick() == []  # already decided
    clock.set(datetime(2026, 3, 29, 11, 0, tzinfo=UTC))  # Sunday 07:30 CEST is 4.5 h ago
    [late] = await b.tick()
    assert (late.local_date, late.status) == ("2026-03-29", "skipped")
    [channel] = service.storage.tables.channels.values()
    [item] = service.storage.tables.items
    assert item.digested_at == datetime(2026, 3, 28, 6, 31, tzinfo=UTC)  # taken by the digest
    async with service.storage.unit_of_work() as uow:
        [(kind, payload)] = await uow.outbox.pending(channel.id)
    assert kind == "digest" and "Story number 0" in str(payload)
    runs = {run.local_date: (run.status, run.items) for run in service.storage.tables.slots.values()}
    assert runs == {"2026-03-28": ("queued", 1), "2026-03-29": ("skipped", 0)}


async def test_a_slot_with_nothing_new_is_decided_empty_in_memory(service, clock):
    _briefing_feed(service)
    await service.subscribe(BERLIN, FEED, times=["07:30"], tz="Europe/Berlin")  # history only
    clock.set(datetime(2026, 3, 28, 6, 31, tzinfo=UTC))
    [decision] = await Scheduler(service.storage, Settings(), clock).tick()
    assert (decision.status, decision.messages) == ("empty", 0)
    [channel] = service.storage.tables.channels.values()
    async with service.storage.unit_of_work() as uow:
        assert await uow.outbox.pending(channel.id) == []


async def test_a_slot_taken_by_another_scheduler_is_reported_taken_and_queues_nothing(service, clock):
    _briefing_feed(service)
    await service.subscribe(BERLIN, FEED, times=["07:30"], tz="Europe/Berlin", backfill=1)
    a = Scheduler(service.storage, Settings(), clock)
    clock.set(datetime(2026, 3, 28, 6, 31, tzinfo=UTC))
    # b read the schedule before a decided: it tries the same slot and loses the race.
    b = Scheduler(service.storage, Settings(), clock)
    [(sub, channel)] = await _scheduled(service.storage)
    [first] = await a.tick()
    slot = Slot(datetime(2026, 3, 28).date(), "07:30", datetime(2026, 3, 28, 6, 30, tzinfo=UTC))
    second = await b._decide(sub, channel, slot, "queued", clock.now())
    assert (first.status, second.status) == ("queued", "taken")
    async with service.storage.unit_of_work() as uow:
        assert len(await uow.outbox.pending(channel.id)) == 1


async def test_an_on_demand_digest_merges_one_story_from_two_feeds_in_memory(service, clock):
    _briefing_feed(service)
    await service.subscribe(BERLIN, FEED, backfill=1)
    await service.subscribe(BERLIN, FEED + "?mirror", backfill=1)  # the same story: filed once
    digest = await service.digest_now(BERLIN)
    assert digest is not None
    [item] = digest.items
    assert item.briefing.headline == "Story number 0" and item.also == ["Mirror News"]
    assert all(i.digested_at == clock.now() for i in service.storage.tables.items)
    assert await service.digest_now(BERLIN) is None  # nothing new since


async def _scheduled(storage):
    async with storage.unit_of_work() as uow:
        return await uow.subscriptions.scheduled()


async def test_polling_files_new_entries_once_in_memory(service, clock):
    entries = _briefing_feed(service)
    poller = service.poller
    await service.subscribe(BERLIN, FEED, backfill=1)
    tables = service.storage.tables
    assert [i.title for i in tables.items] == ["Story 0"]  # the newest, briefed now
    entries.insert(
        0, SimpleNamespace(guid="id-9", link="https://news.example/9", title="Story 9", summary="")
    )
    entries.append(
        SimpleNamespace(guid="id-1b", link="https://news.example/1?utm_source=x", title="Story 1", summary="")
    )
    [feed] = tables.feeds.values()
    report = await poller.poll_feed(feed.id)
    assert isinstance(report, PollReport)
    assert (report.new_items, report.duplicates) == (1, 0)  # 1?utm_source=x is story 1: seen as history
    assert [i.title for i in service.storage.tables.items] == ["Story 0", "Story 9"]
    assert service.storage.tables.feeds[feed.id].last_success_at == clock.now()
    assert (await poller.poll_feed(feed.id)).new_items == 0


class _Console:
    """A Deliverer that keeps what it was sent; the first send fails as a 5xx would (ambiguously)."""

    def __init__(self) -> None:
        self.sent: dict[str, Any] = {}
        self.failed = False

    async def send(self, channel, payload, *, idempotency_key):
        if not self.failed:
            self.failed = True
            raise DeliveryError("502 from the platform")
        self.sent[idempotency_key] = payload
        return f"m{len(self.sent)}"

    async def already_sent(self, channel, idempotency_key):
        return None


async def test_the_outbox_worker_drains_a_scheduled_digest_in_memory(service, clock):
    _briefing_feed(service)
    await service.subscribe(BERLIN, FEED, times=["07:30"], tz="Europe/Berlin", backfill=1)
    clock.set(datetime(2026, 3, 28, 6, 31, tzinfo=UTC))
    [decision] = await Scheduler(service.storage, Settings(), clock).tick()
    console = _Console()
    worker = OutboxWorker(service.storage, {"console": console}, clock, base_backoff=30.0)
    wait = await worker.run_once()  # the send fails: retried after its backoff
    assert console.sent == {} and wait is not None and 24 <= wait <= 36
    [entry] = service.storage.tables.outbox.values()
    assert (entry.status, entry.attempts, entry.last_error) == ("pending", 1, "502 from the platform")
    clock.advance(timedelta(seconds=wait))
    assert await worker.run_once() is None  # sent: the outbox is empty
    [entry] = service.storage.tables.outbox.values()
    assert (entry.status, entry.attempts, entry.message_id) == ("sent", 2, "m1")
    assert "Story number 0" in str(console.sent[entry.idempotency_key])
    assert decision.messages == 1 and worker.stats.sent == 1 and worker.stats.retried == 1
