"""The storage port (``briefings.storage``) in plain dicts, for service tests: no database, the same
semantics as the SQL implementation (uniqueness as its constraints give it, all-or-nothing units of
work, copies out). Units of work run one at a time, as SQLite's single connection runs them.

    storage = MemoryStorage()
    async with storage.unit_of_work() as uow:
        ch = await uow.channels.get_or_add("console", "", "#terminal", now=now)
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from ..storage import (
    OUTCOME_FIELDS,
    ArticleRecord,
    ChannelItemRecord,
    ChannelRecord,
    Conflict,
    FeedRecord,
    OutboxEntryRecord,
    PendingItem,
    SeenRecord,
    SlotRecord,
    SubscriptionRecord,
    TrackRecord,
    idempotency_key,
)


@dataclass
class _Tables:
    channels: dict[int, ChannelRecord] = field(default_factory=dict)
    feeds: dict[int, FeedRecord] = field(default_factory=dict)
    subscriptions: dict[int, SubscriptionRecord] = field(default_factory=dict)
    slots: dict[tuple[int, str, str], SlotRecord] = field(default_factory=dict)
    seen: dict[tuple[int, str], SeenRecord] = field(default_factory=dict)
    outbox: dict[int, OutboxEntryRecord] = field(default_factory=dict)  # by id, in queue order
    articles: dict[str, ArticleRecord] = field(default_factory=dict)
    items: list[ChannelItemRecord] = field(default_factory=list)  # an item's id is its place + 1
    tracks: list[TrackRecord] = field(default_factory=list)
    next_id: int = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


class _Repo:
    def __init__(self, t: _Tables) -> None:
        self.t = t


class MemoryChannels(_Repo):
    async def find(self, platform: str, workspace: str | None, channel: str) -> ChannelRecord | None:
        address = (platform, workspace or "", channel)
        for row in self.t.channels.values():
            if (row.platform, row.workspace, row.channel) == address:
                return replace(row)
        return None

    async def get_or_add(
        self, platform: str, workspace: str | None, channel: str, *, now: datetime
    ) -> ChannelRecord:
        found = await self.find(platform, workspace, channel)
        if found is not None:
            return found
        row = ChannelRecord(self.t.new_id(), platform, workspace or "", channel, None, now)
        self.t.channels[row.id] = row
        return replace(row)

    async def set_timezone(self, channel_id: int, timezone: str | None) -> None:
        if channel_id in self.t.channels:
            self.t.channels[channel_id].timezone = timezone


class MemoryFeeds(_Repo):
    async def get(self, feed_id: int) -> FeedRecord | None:
        row = self.t.feeds.get(feed_id)
        return None if row is None else replace(row)

    async def by_url(self, url: str) -> FeedRecord | None:
        return next((replace(f) for f in self.t.feeds.values() if f.url == url), None)

    async def add(self, feed: FeedRecord) -> FeedRecord:
        if any(f.url == feed.url for f in self.t.feeds.values()):
            raise Conflict(f"the feed {feed.url} is stored already")
        row = replace(feed, id=self.t.new_id())
        self.t.feeds[row.id] = row
        return replace(row)

    async def save(self, feed: FeedRecord) -> None:
        if feed.id in self.t.feeds:
            self.t.feeds[feed.id] = replace(feed)

    def _polled(self) -> list[FeedRecord]:
        ids = {s.feed_id for s in self.t.subscriptions.values() if s.active and s.paused_at is None}
        # Never-polled feeds first, as SQLite orders NULLs.
        return sorted(
            (self.t.feeds[i] for i in ids),
            key=lambda f: (f.next_poll_at is not None, f.next_poll_at or datetime.min, f.id),
        )

    async def due(self, now: datetime) -> list[int]:
        return [f.id for f in self._polled() if f.next_poll_at is None or f.next_poll_at <= now]

    async def next_due(self) -> datetime | None:
        polled = self._polled()
        return polled[0].next_poll_at if polled else None

    async def many(self, feed_ids: Sequence[int]) -> list[FeedRecord]:
        return [replace(self.t.feeds[i]) for i in set(feed_ids) if i in self.t.feeds]


class MemorySubscriptions(_Repo):
    async def find(self, channel_id: int, feed_id: int) -> SubscriptionRecord | None:
        return next(
            (
                replace(s)
                for s in self.t.subscriptions.values()
                if (s.channel_id, s.feed_id) == (channel_id, feed_id)
            ),
            None,
        )

    async def count_active(self, channel_id: int) -> int:
        return sum(1 for s in self.t.subscriptions.values() if s.channel_id == channel_id and s.active)

    async def add(self, sub: SubscriptionRecord) -> SubscriptionRecord:
        if sub.channel_id not in self.t.channels or sub.feed_id not in self.t.feeds:
            raise Conflict("a subscription needs a stored channel and feed")
        if await self.find(sub.channel_id, sub.feed_id) is not None:
            raise Conflict("the channel has a subscription to that feed already")
        row = replace(sub, id=self.t.new_id(), times=tuple(sub.times))
        self.t.subscriptions[row.id] = row
        return replace(row)

    async def save(self, sub: SubscriptionRecord) -> None:
        if sub.id in self.t.subscriptions:
            self.t.subscriptions[sub.id] = replace(sub, times=tuple(sub.times))

    async def of_channel(self, channel_id: int) -> list[tuple[SubscriptionRecord, FeedRecord]]:
        return [
            (replace(s), replace(self.t.feeds[s.feed_id]))
            for s in sorted(self.t.subscriptions.values(), key=lambda s: s.id)
            if s.channel_id == channel_id and s.active
        ]

    async def scheduled(
        self, *, part: int = 0, parts: int = 1
    ) -> list[tuple[SubscriptionRecord, ChannelRecord]]:
        return [
            (replace(s), replace(self.t.channels[s.channel_id]))
            for s in sorted(self.t.subscriptions.values(), key=lambda s: s.id)
            if s.active and s.mode == "digest" and s.channel_id % parts == part
        ]

    async def of_feed(
        self, feed_id: int, only_channel: int | None = None
    ) -> list[tuple[SubscriptionRecord, ChannelRecord]]:
        return [
            (replace(s), replace(self.t.channels[s.channel_id]))
            for s in sorted(self.t.subscriptions.values(), key=lambda s: s.id)
            if s.feed_id == feed_id
            and s.active
            and s.paused_at is None
            and (only_channel is None or s.channel_id == only_channel)
        ]


class MemorySlotRuns(_Repo):
    async def decided_since(
        self, after: datetime, *, part: int = 0, parts: int = 1
    ) -> set[tuple[int, str, str]]:
        return {
            key
            for key, run in self.t.slots.items()
            if run.due_at > after
            and (parts == 1 or self.t.subscriptions[run.subscription_id].channel_id % parts == part)
        }

    async def record(self, run: SlotRecord) -> None:
        if run.key in self.t.slots:
            raise Conflict(
                f"slot {run.local_date} {run.slot} of subscription {run.subscription_id} is decided"
            )
        if run.subscription_id not in self.t.subscriptions:
            raise Conflict(f"there is no subscription {run.subscription_id}")
        self.t.slots[run.key] = run


class MemorySeenItems(_Repo):
    async def lookup(
        self, channel_ids: Sequence[int], keys: Sequence[str]
    ) -> dict[tuple[int, str], SeenRecord]:
        wanted = set(keys)
        return {
            (cid, key): row for (cid, key), row in self.t.seen.items() if cid in channel_ids and key in wanted
        }

    async def add_many(self, rows: Sequence[SeenRecord]) -> None:
        batch = {(r.channel_id, r.key) for r in rows}
        if len(batch) < len(rows) or batch & self.t.seen.keys():
            raise Conflict("a channel has seen one of those items already")
        self.t.seen.update({(r.channel_id, r.key): r for r in rows})

    async def set_fingerprint(
        self, channel_ids: Sequence[int], keys: Sequence[str], fingerprint: str, content_hash: str | None
    ) -> None:
        for cid in channel_ids:
            for key in keys:
                if (row := self.t.seen.get((cid, key))) is not None:
                    self.t.seen[(cid, key)] = replace(
                        row, fingerprint=fingerprint, content_hash=content_hash or row.content_hash
                    )

    async def carriers(self, channel_id: int, content_hashes: Sequence[str]) -> list[tuple[str, int]]:
        wanted = set(content_hashes)
        return [
            (row.content_hash, row.feed_id)
            for (cid, _key), row in self.t.seen.items()  # in the order they were recorded
            if cid == channel_id
            and row.content_hash is not None
            and row.content_hash in wanted
            and row.feed_id is not None
        ]


class MemoryArticles(_Repo):
    async def get(self, content_hash: str) -> ArticleRecord | None:
        row = self.t.articles.get(content_hash)
        return None if row is None else replace(row)

    async def add(self, article: ArticleRecord) -> None:
        self.t.articles.setdefault(article.content_hash, replace(article))


class MemoryChannelItems(_Repo):
    async def add(self, item: ChannelItemRecord) -> None:
        if item.content_hash not in self.t.articles or item.channel_id not in self.t.channels:
            raise Conflict("an item needs a stored article and channel")
        self.t.items.append(replace(item))

    async def pending(self, channel_id: int) -> list[PendingItem]:
        found = [
            PendingItem(place + 1, replace(item), replace(self.t.articles[item.content_hash]))
            for place, item in enumerate(self.t.items)
            if item.channel_id == channel_id and item.digested_at is None
        ]
        return sorted(found, key=lambda p: (p.item.discovered_at, p.id), reverse=True)

    async def mark_digested(self, item_ids: Sequence[int], now: datetime) -> None:
        for item_id in item_ids:
            if 0 < item_id <= len(self.t.items):
                self.t.items[item_id - 1] = replace(self.t.items[item_id - 1], digested_at=now)


class MemoryTracks(_Repo):
    async def of_channel(self, channel_id: int) -> list[TrackRecord]:
        return [t for t in self.t.tracks if t.channel_id == channel_id]

    async def add(self, track: TrackRecord) -> None:
        if track.channel_id not in self.t.channels:
            raise Conflict("a track needs a stored channel")
        self.t.tracks.append(track)


class MemoryOutbox(_Repo):
    async def enqueue(
        self, channel_id: int, kind: str, payloads: Sequence[Any], *, key: str, now: datetime
    ) -> int:
        keys = [idempotency_key(key, seq) for seq in range(len(payloads))]
        if {e.idempotency_key for e in self.t.outbox.values()} & set(keys):
            raise Conflict(f"{key!r} is queued already")
        if channel_id not in self.t.channels:
            raise Conflict(f"there is no channel {channel_id}")
        for seq, (k, payload) in enumerate(zip(keys, payloads, strict=True)):
            entry_id = self.t.new_id()
            self.t.outbox[entry_id] = OutboxEntryRecord(
                id=entry_id,
                channel_id=channel_id,
                kind=kind,
                seq=seq,
                payload=json.dumps(payload, ensure_ascii=False),
                idempotency_key=k,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        return len(payloads)

    async def pending(self, channel_id: int) -> list[tuple[str, Any]]:
        return [
            (e.kind, json.loads(e.payload))
            for e in self.t.outbox.values()
            if e.channel_id == channel_id and e.status != "sent"
        ]

    async def heads(
        self, channel_ids: Sequence[int] | None = None
    ) -> list[tuple[OutboxEntryRecord, ChannelRecord]]:
        heads: dict[int, OutboxEntryRecord] = {}
        for e in self.t.outbox.values():  # ids grow with the queue: the first found is the head
            if e.status in _UNSENT and (channel_ids is None or e.channel_id in channel_ids):
                heads.setdefault(e.channel_id, e)
        return [(replace(heads[cid]), replace(self.t.channels[cid])) for cid in sorted(heads)]

    async def claim(
        self, seen: Mapping[int, int], *, now: datetime, lease: timedelta | None = None
    ) -> set[int]:
        # Units of work run one at a time (under the storage's lock): a claim has no rival to skip.
        got: set[int] = set()
        for entry_id, attempts in seen.items():
            e = self.t.outbox.get(entry_id)
            if e is None or e.status not in _UNSENT or e.attempts != attempts:
                continue
            if lease is not None and e.next_attempt_at > now:
                continue  # not due, or leased to another worker
            claimed = replace(e, status="sending", attempts=e.attempts + 1)
            if lease is not None:
                claimed.next_attempt_at = now + lease
            self.t.outbox[entry_id] = claimed
            got.add(entry_id)
        return got

    async def record(self, outcomes: Sequence[tuple[int, Mapping[str, Any]]]) -> None:
        for entry_id, values in outcomes:
            if unknown := set(values) - OUTCOME_FIELDS:
                raise ValueError(f"not an outcome field: {sorted(unknown)}")
            if entry_id in self.t.outbox:
                self.t.outbox[entry_id] = replace(self.t.outbox[entry_id], **values)


_UNSENT = ("pending", "sending")


class MemoryUnitOfWork:
    def __init__(self, tables: _Tables) -> None:
        self.tables = tables
        self.channels = MemoryChannels(tables)
        self.feeds = MemoryFeeds(tables)
        self.subscriptions = MemorySubscriptions(tables)
        self.slots = MemorySlotRuns(tables)
        self.seen = MemorySeenItems(tables)
        self.outbox = MemoryOutbox(tables)
        self.articles = MemoryArticles(tables)
        self.items = MemoryChannelItems(tables)
        self.tracks = MemoryTracks(tables)


class MemoryStorage:
    """Every table a dict; a unit of work edits a copy that replaces them when it ends cleanly."""

    concurrent = False  # units of work run one at a time

    def __init__(self) -> None:
        self.tables = _Tables()
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[MemoryUnitOfWork]:
        async with self._lock:
            work = copy.deepcopy(self.tables)
            yield MemoryUnitOfWork(work)
            self.tables = work  # not reached on an exception: nothing of it is kept


if TYPE_CHECKING:  # both implementations satisfy the port (mypy checks it here)
    from ..storage import Storage
    from .engine import Store

    _MEMORY: Storage = MemoryStorage()
    _SQL: Storage = cast(Store, None)
