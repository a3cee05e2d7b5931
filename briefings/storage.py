"""The storage port: what the delivery services need to keep, as repositories on a unit of work.

Plain records in and out (no SQLAlchemy here, so ``briefings.deliver`` can depend on this without the
database library); two implementations: SQL (``briefings.store.repositories``, the one deployed, on
SQLite and PostgreSQL) and in memory (``briefings.store.inmemory``, plain dicts, for service tests).
Both give the guarantees the SQL constraints give: one channel per address, one feed per URL, one
subscription per (channel, feed), one slot decision per (subscription, local date, slot), one outbox
entry per idempotency key; a breach raises ``Conflict`` (at the latest when the unit of work commits)
and nothing of that unit of work is kept.

A unit of work is one transaction: ``async with storage.unit_of_work() as uow: ...`` commits on a
clean exit and rolls back on an exception. Records read from it are copies: change one, then ``save``
it. Tests of the contract: ``tests/store/test_storage_port.py`` (both implementations).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from briefings.errors import BriefbotError


class Conflict(BriefbotError):
    """A write would break a uniqueness rule (another process got there first)."""


# ---------------------------------------------------------------- records


@dataclass
class ChannelRecord:
    id: int
    platform: str
    workspace: str  # "" when the platform has none
    channel: str
    timezone: str | None = None
    created_at: datetime | None = None


@dataclass
class FeedRecord:
    """A feed and its poll state."""

    id: int
    url: str
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    interval_s: int = 900
    next_poll_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    consecutive_failures: int = 0
    failing_since: datetime | None = None
    last_error: str | None = None
    warned_at: datetime | None = None
    last_error_at: datetime | None = None


@dataclass
class SubscriptionRecord:
    """A channel's subscription to a feed; ``times`` are sorted local ``HH:MM`` slots."""

    id: int
    channel_id: int
    feed_id: int
    times: tuple[str, ...]
    weekdays: str  # "mon-sun", "mon-fri", "mon,wed"
    timezone: str
    mode: str  # digest | instant
    active: bool
    created_at: datetime
    created_by: str | None = None
    filters: str | None = None  # briefings.deliver.filters as JSON; None: every article
    paused_at: datetime | None = None


@dataclass(frozen=True)
class SlotRecord:
    """The decision for one (subscription, local date, slot)."""

    subscription_id: int
    local_date: str  # 2026-03-29
    slot: str  # 07:30
    due_at: datetime
    decided_at: datetime
    status: str  # queued | empty | skipped
    items: int = 0

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.subscription_id, self.local_date, self.slot)


@dataclass(frozen=True)
class SeenRecord:
    """One dedupe key a channel has had (GUID, canonical URL or content hash)."""

    channel_id: int
    key: str
    feed_id: int | None
    fingerprint: str | None
    content_hash: str | None
    created_at: datetime


@dataclass
class ArticleRecord:
    """A briefed story, cached by the hash of its text (each story is briefed once)."""

    content_hash: str
    url: str | None
    title: str
    published: str | None
    text: str
    briefing_json: str | None  # None: it could not be briefed (``error`` says why)
    error: str | None
    created_at: datetime


@dataclass
class ChannelItemRecord:
    """An article filed for a channel; ``digested_at`` set when a digest (or an instant post) took it."""

    channel_id: int
    feed_id: int | None
    content_hash: str
    url: str | None
    title: str
    discovered_at: datetime
    digested_at: datetime | None = None


@dataclass
class PendingItem:
    """A channel's filed article that no digest has taken yet, with its cached story; ``id`` identifies
    the filing (for ``ChannelItems.mark_digested``)."""

    id: int
    item: ChannelItemRecord
    article: ArticleRecord


@dataclass(frozen=True)
class TrackRecord:
    """A name or keyword a channel tracks in the statement memory; ``acts`` empty: every act."""

    channel_id: int
    term: str
    acts: tuple[str, ...]
    created_by: str | None
    created_at: datetime


@dataclass
class OutboxEntryRecord:
    """One queued message; ``payload`` is its JSON text. ``status``: pending | sending | sent | failed."""

    id: int
    channel_id: int
    kind: str
    seq: int
    payload: str
    idempotency_key: str
    status: str
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    last_error: str | None = None
    message_id: str | None = None
    sent_at: datetime | None = None


# The fields of an outbox entry a worker's outcome may set (``Outbox.record``).
OUTCOME_FIELDS = frozenset({"status", "attempts", "next_attempt_at", "last_error", "message_id", "sent_at"})


# ---------------------------------------------------------------- repositories


class Channels(Protocol):
    async def find(self, platform: str, workspace: str | None, channel: str) -> ChannelRecord | None: ...

    async def get_or_add(
        self, platform: str, workspace: str | None, channel: str, *, now: datetime
    ) -> ChannelRecord: ...

    async def set_timezone(self, channel_id: int, timezone: str | None) -> None: ...


class Feeds(Protocol):
    async def get(self, feed_id: int) -> FeedRecord | None: ...

    async def by_url(self, url: str) -> FeedRecord | None: ...

    async def add(self, feed: FeedRecord) -> FeedRecord:
        """Store a new feed (its ``id`` is ignored) and return it with its id; Conflict on a known URL."""
        ...

    async def save(self, feed: FeedRecord) -> None: ...

    async def due(self, now: datetime) -> list[int]:
        """Feeds with an active, unpaused subscription whose next poll is not after ``now``, soonest first."""
        ...

    async def next_due(self) -> datetime | None:
        """The soonest next poll of a feed with an active, unpaused subscription."""
        ...

    async def many(self, feed_ids: Sequence[int]) -> list[FeedRecord]:
        """The stored feeds among ``feed_ids`` (in no particular order)."""
        ...


class Subscriptions(Protocol):
    async def find(self, channel_id: int, feed_id: int) -> SubscriptionRecord | None: ...

    async def count_active(self, channel_id: int) -> int: ...

    async def add(self, sub: SubscriptionRecord) -> SubscriptionRecord:
        """Store a new subscription (``id`` ignored); Conflict when the channel has one to that feed."""
        ...

    async def save(self, sub: SubscriptionRecord) -> None: ...

    async def of_channel(self, channel_id: int) -> list[tuple[SubscriptionRecord, FeedRecord]]:
        """The channel's active subscriptions with their feeds, oldest first."""
        ...

    async def scheduled(
        self, *, part: int = 0, parts: int = 1
    ) -> list[tuple[SubscriptionRecord, ChannelRecord]]:
        """Every active digest-mode subscription with its channel, oldest first; with ``parts`` > 1 only
        those of the channels whose id is ``part`` modulo ``parts``."""
        ...

    async def of_feed(
        self, feed_id: int, only_channel: int | None = None
    ) -> list[tuple[SubscriptionRecord, ChannelRecord]]:
        """The feed's active, unpaused subscriptions with their channels (or just ``only_channel``'s)."""
        ...


class SlotRuns(Protocol):
    async def decided_since(
        self, after: datetime, *, part: int = 0, parts: int = 1
    ) -> set[tuple[int, str, str]]:
        """Keys of the decisions for slots due after ``after``; with ``parts`` > 1 only those of the
        subscriptions of the channels whose id is ``part`` modulo ``parts`` (as ``scheduled``)."""
        ...

    async def record(self, run: SlotRecord) -> None:
        """Record a decision; Conflict when that slot was decided already."""
        ...


class SeenItems(Protocol):
    async def lookup(
        self, channel_ids: Sequence[int], keys: Sequence[str]
    ) -> dict[tuple[int, str], SeenRecord]:
        """The seen rows of these channels under these keys, by (channel id, key)."""
        ...

    async def add_many(self, rows: Sequence[SeenRecord]) -> None:
        """Record new keys; Conflict when a channel has one of them already."""
        ...

    async def set_fingerprint(
        self, channel_ids: Sequence[int], keys: Sequence[str], fingerprint: str, content_hash: str | None
    ) -> None:
        """An entry's new version: its fingerprint (and, unless None, its article's hash) for these keys."""
        ...

    async def carriers(self, channel_id: int, content_hashes: Sequence[str]) -> list[tuple[str, int]]:
        """(content hash, feed id) of the channel's seen keys that name a feed and one of these stories,
        in the order they were recorded: the feeds that carried exactly that text."""
        ...


class Articles(Protocol):
    async def get(self, content_hash: str) -> ArticleRecord | None: ...

    async def add(self, article: ArticleRecord) -> None:
        """Cache a story; one already cached under that hash is kept as it is."""
        ...


class ChannelItems(Protocol):
    async def add(self, item: ChannelItemRecord) -> None:
        """File an article for a channel (its story must be in ``articles``)."""
        ...

    async def pending(self, channel_id: int) -> list[PendingItem]:
        """The channel's articles not yet in a digest, with their stories, newest first (by discovery,
        then filing)."""
        ...

    async def mark_digested(self, item_ids: Sequence[int], now: datetime) -> None:
        """A digest (or an instant post) took these filings."""
        ...


class Tracks(Protocol):
    async def of_channel(self, channel_id: int) -> list[TrackRecord]:
        """The channel's tracks, oldest first."""
        ...

    async def add(self, track: TrackRecord) -> None: ...


class Outbox(Protocol):
    async def enqueue(
        self, channel_id: int, kind: str, payloads: Sequence[Any], *, key: str, now: datetime
    ) -> int:
        """Queue ``payloads`` (in order, JSON-able) for a channel; Conflict when ``key`` was queued before.
        Returns how many messages were queued."""
        ...

    async def pending(self, channel_id: int) -> list[tuple[str, Any]]:
        """(kind, payload) of the channel's unsent messages, in queue order."""
        ...

    async def heads(
        self, channel_ids: Sequence[int] | None = None
    ) -> list[tuple[OutboxEntryRecord, ChannelRecord]]:
        """The first pending or sending entry of every channel (of ``channel_ids`` only, when given),
        with its channel, by channel id."""
        ...

    async def claim(
        self, seen: Mapping[int, int], *, now: datetime, lease: timedelta | None = None
    ) -> set[int]:
        """Claim for sending the entries ``seen`` maps (id -> attempts as the worker read them) that are
        still pending or sending with those attempts: status ``sending``, attempts + 1. Returns the ids
        claimed. Without ``lease`` (one worker) that is all; with one (several workers) only entries due
        at ``now`` are claimed, each by one claimant (SQL: ``FOR UPDATE SKIP LOCKED``), and leased:
        ``next_attempt_at`` = now + lease, so other workers leave it alone until the lease runs out."""
        ...

    async def record(self, outcomes: Sequence[tuple[int, Mapping[str, Any]]]) -> None:
        """Set what sending did to each entry: (id, fields), the fields among ``OUTCOME_FIELDS``."""
        ...


class UnitOfWork(Protocol):
    @property
    def channels(self) -> Channels: ...
    @property
    def feeds(self) -> Feeds: ...
    @property
    def subscriptions(self) -> Subscriptions: ...
    @property
    def slots(self) -> SlotRuns: ...
    @property
    def seen(self) -> SeenItems: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def articles(self) -> Articles: ...
    @property
    def items(self) -> ChannelItems: ...
    @property
    def tracks(self) -> Tracks: ...


class Storage(Protocol):
    @property
    def concurrent(self) -> bool:
        """May units of work run side by side (PostgreSQL), or do they run one at a time (SQLite, memory)?"""
        ...

    def unit_of_work(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """One transaction: committed on a clean exit, rolled back on an exception (Conflict on commit
        when a concurrent one broke a uniqueness rule)."""
        ...


def join_times(times: Sequence[str]) -> str:
    """The stored form of slot times: ``("07:30", "18:00")`` -> ``"07:30,18:00"``."""
    return ",".join(times)


def split_times(stored: str) -> tuple[str, ...]:
    return tuple(t for t in stored.split(",") if t)


def idempotency_key(key: str, seq: int) -> str:
    """A stable 24-character key (fits Discord's 25-character nonce) for message ``seq`` of ``key``."""
    return hashlib.sha256(f"{key}#{seq}".encode()).hexdigest()[:24]
