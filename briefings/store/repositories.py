"""The storage port (``briefings.storage``) on SQLAlchemy: one ``AsyncSession`` transaction per unit of
work, ORM rows turned into plain records, IntegrityError turned into ``Conflict``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..storage import (
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
    join_times,
    split_times,
)
from .channels import channel_row
from .models import (
    ArticleRow,
    Channel,
    ChannelItem,
    Feed,
    MemoryTrack,
    OutboxEntry,
    SeenItem,
    SlotRun,
    SubscriptionRow,
)

# Keys per IN (...) look-up and rows per executemany INSERT: far below SQLite's and asyncpg's
# bind-parameter limits (32,766 and 32,767), big enough that 100,000 entries take a few dozen round trips.
LOOKUP_CHUNK = 5_000
INSERT_CHUNK = 5_000
_FEED_FIELDS = tuple(f for f in FeedRecord.__dataclass_fields__ if f != "id")


@asynccontextmanager
async def _unique(message: str = "that is stored already") -> AsyncIterator[None]:
    """A broken unique key inside, as the store's one-line ``Conflict``."""
    try:
        yield
    except IntegrityError as exc:
        raise Conflict(message, detail=str(exc.orig)) from None


async def _flush(session: AsyncSession) -> None:
    async with _unique():
        await session.flush()


async def _insert(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT ``rows`` at once (Core, not ORM objects flushed one by one: the morning's decisions write
    thousands); Conflict on a unique key, as ``_flush``."""
    async with _unique():
        await session.execute(insert(model), rows)


# The statements of a slot decision, built once (thousands of decisions a morning; SQLAlchemy caches
# their compiled form, building them anew each time cost more CPU than sending the message).
_FEEDS = select(Feed).where(Feed.id.in_(bindparam("ids", expanding=True)))
_CARRIERS = (
    select(SeenItem.content_hash, SeenItem.feed_id)
    .where(
        SeenItem.channel_id == bindparam("channel_id"),
        SeenItem.content_hash.in_(bindparam("hashes", expanding=True)),
        SeenItem.feed_id.is_not(None),
    )
    .order_by(SeenItem.id)
)
_PENDING = (
    select(ChannelItem, ArticleRow)
    .join(ArticleRow, ArticleRow.content_hash == ChannelItem.content_hash)
    .where(ChannelItem.channel_id == bindparam("channel_id"), ChannelItem.digested_at.is_(None))
    .order_by(ChannelItem.discovered_at.desc(), ChannelItem.id.desc())
)
_MARK_DIGESTED = (
    update(ChannelItem)
    .where(ChannelItem.id.in_(bindparam("ids", expanding=True)))
    .values(digested_at=bindparam("now"))
    .execution_options(synchronize_session=False)
)
_TRACKS = (
    select(MemoryTrack).where(MemoryTrack.channel_id == bindparam("channel_id")).order_by(MemoryTrack.id)
)


def channel_record(row: Channel) -> ChannelRecord:
    return ChannelRecord(row.id, row.platform, row.workspace, row.channel, row.timezone, row.created_at)


def feed_record(row: Feed) -> FeedRecord:
    return FeedRecord(row.id, **{f: getattr(row, f) for f in _FEED_FIELDS})


def subscription_record(row: SubscriptionRow) -> SubscriptionRecord:
    return SubscriptionRecord(
        id=row.id,
        channel_id=row.channel_id,
        feed_id=row.feed_id,
        times=split_times(row.times),
        weekdays=row.weekdays,
        timezone=row.timezone,
        mode=row.mode,
        active=row.active,
        created_at=row.created_at,
        created_by=row.created_by,
        filters=row.filters,
        paused_at=row.paused_at,
    )


# In SubscriptionRecord's and ChannelRecord's order (``scheduled`` builds the records from them).
_SUBSCRIPTION_COLUMNS = tuple(getattr(SubscriptionRow, f) for f in SubscriptionRecord.__dataclass_fields__)
_CHANNEL_COLUMNS = tuple(getattr(Channel, f) for f in ChannelRecord.__dataclass_fields__)


def _copy_subscription(sub: SubscriptionRecord, row: SubscriptionRow) -> None:
    row.channel_id, row.feed_id = sub.channel_id, sub.feed_id
    row.times = join_times(sub.times)
    row.weekdays, row.timezone, row.mode, row.active = sub.weekdays, sub.timezone, sub.mode, sub.active
    row.created_at, row.created_by, row.filters, row.paused_at = (
        sub.created_at,
        sub.created_by,
        sub.filters,
        sub.paused_at,
    )


class SqlChannels:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, platform: str, workspace: str | None, channel: str) -> ChannelRecord | None:
        row = await channel_row(self.session, platform, workspace, channel, create=False, now=datetime.min)
        return None if row is None else channel_record(row)

    async def get_or_add(
        self, platform: str, workspace: str | None, channel: str, *, now: datetime
    ) -> ChannelRecord:
        async with _unique("that channel is stored already"):
            row = await channel_row(self.session, platform, workspace, channel, create=True, now=now)
        assert row is not None
        return channel_record(row)

    async def set_timezone(self, channel_id: int, timezone: str | None) -> None:
        row = await self.session.get(Channel, channel_id)
        if row is not None:
            row.timezone = timezone


class SqlFeeds:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, feed_id: int) -> FeedRecord | None:
        row = await self.session.get(Feed, feed_id)
        return None if row is None else feed_record(row)

    async def by_url(self, url: str) -> FeedRecord | None:
        row = (await self.session.execute(select(Feed).where(Feed.url == url))).scalar_one_or_none()
        return None if row is None else feed_record(row)

    async def add(self, feed: FeedRecord) -> FeedRecord:
        row = Feed(**{f: getattr(feed, f) for f in _FEED_FIELDS})
        self.session.add(row)
        await _flush(self.session)
        return feed_record(row)

    async def save(self, feed: FeedRecord) -> None:
        row = await self.session.get(Feed, feed.id)
        if row is not None:
            for f in _FEED_FIELDS:
                setattr(row, f, getattr(feed, f))

    async def due(self, now: datetime) -> list[int]:
        rows = await self.session.execute(
            select(Feed.id)
            .where(Feed.id.in_(_polled()), or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now))
            .order_by(Feed.next_poll_at)
        )
        return list(rows.scalars())

    async def next_due(self) -> datetime | None:
        return (
            await self.session.execute(
                select(Feed.next_poll_at).where(Feed.id.in_(_polled())).order_by(Feed.next_poll_at).limit(1)
            )
        ).scalar_one_or_none()

    async def many(self, feed_ids: Sequence[int]) -> list[FeedRecord]:
        if not feed_ids:
            return []
        rows = await self.session.execute(_FEEDS, {"ids": list(feed_ids)})
        return [feed_record(row) for row in rows.scalars()]


def _polled() -> Any:
    """The ids of the feeds someone subscribes to, unpaused."""
    return select(SubscriptionRow.feed_id).where(
        SubscriptionRow.active.is_(True), SubscriptionRow.paused_at.is_(None)
    )


class SqlSubscriptions:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, channel_id: int, feed_id: int) -> SubscriptionRecord | None:
        row = (
            await self.session.execute(
                select(SubscriptionRow).where(
                    SubscriptionRow.channel_id == channel_id, SubscriptionRow.feed_id == feed_id
                )
            )
        ).scalar_one_or_none()
        return None if row is None else subscription_record(row)

    async def count_active(self, channel_id: int) -> int:
        return int(
            (
                await self.session.execute(
                    select(func.count(SubscriptionRow.id)).where(
                        SubscriptionRow.channel_id == channel_id, SubscriptionRow.active.is_(True)
                    )
                )
            ).scalar_one()
        )

    async def add(self, sub: SubscriptionRecord) -> SubscriptionRecord:
        row = SubscriptionRow()
        _copy_subscription(sub, row)
        self.session.add(row)
        await _flush(self.session)
        return subscription_record(row)

    async def save(self, sub: SubscriptionRecord) -> None:
        row = await self.session.get(SubscriptionRow, sub.id)
        if row is not None:
            _copy_subscription(sub, row)

    async def of_channel(self, channel_id: int) -> list[tuple[SubscriptionRecord, FeedRecord]]:
        rows = await self.session.execute(
            select(SubscriptionRow, Feed)
            .join(Feed, Feed.id == SubscriptionRow.feed_id)
            .where(SubscriptionRow.channel_id == channel_id, SubscriptionRow.active.is_(True))
            .order_by(SubscriptionRow.id)
        )
        return [(subscription_record(s), feed_record(f)) for s, f in rows.all()]

    async def scheduled(
        self, *, part: int = 0, parts: int = 1
    ) -> list[tuple[SubscriptionRecord, ChannelRecord]]:
        # Columns, not ORM rows: a scheduler tick reads every subscription, every few seconds.
        query = (
            select(*_SUBSCRIPTION_COLUMNS, *_CHANNEL_COLUMNS)
            .join(Channel, Channel.id == SubscriptionRow.channel_id)
            .where(SubscriptionRow.active.is_(True), SubscriptionRow.mode == "digest")
            .order_by(SubscriptionRow.id)
        )
        if parts > 1:
            query = query.where(SubscriptionRow.channel_id % parts == part)
        n = len(_SUBSCRIPTION_COLUMNS)
        out: list[tuple[SubscriptionRecord, ChannelRecord]] = []
        for row in (await self.session.execute(query)).all():
            sub = dict(zip(SubscriptionRecord.__dataclass_fields__, row[:n], strict=True))
            sub["times"] = split_times(sub["times"])
            out.append((SubscriptionRecord(**sub), ChannelRecord(*row[n:])))
        return out

    async def of_feed(
        self, feed_id: int, only_channel: int | None = None
    ) -> list[tuple[SubscriptionRecord, ChannelRecord]]:
        q = (
            select(SubscriptionRow, Channel)
            .join(Channel, Channel.id == SubscriptionRow.channel_id)
            .where(
                SubscriptionRow.feed_id == feed_id,
                SubscriptionRow.active.is_(True),
                SubscriptionRow.paused_at.is_(None),
            )
            .order_by(SubscriptionRow.id)
        )
        if only_channel is not None:
            q = q.where(Channel.id == only_channel)
        return [(subscription_record(s), channel_record(c)) for s, c in (await self.session.execute(q)).all()]


class SqlSlotRuns:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def decided_since(
        self, after: datetime, *, part: int = 0, parts: int = 1
    ) -> set[tuple[int, str, str]]:
        query = select(SlotRun.subscription_id, SlotRun.local_date, SlotRun.slot).where(
            SlotRun.due_at > after
        )
        if parts > 1:
            query = query.join(SubscriptionRow, SubscriptionRow.id == SlotRun.subscription_id).where(
                SubscriptionRow.channel_id % parts == part
            )
        rows = await self.session.execute(query)
        return {(sid, day, slot) for sid, day, slot in rows.all()}

    async def record(self, run: SlotRecord) -> None:
        await _insert(self.session, SlotRun, [vars(run)])


# In SeenRecord's order; columns, not ORM rows: a feed of 100,000 entries is one lookup per 5,000 keys.
_SEEN_COLUMNS = (
    SeenItem.channel_id,
    SeenItem.key,
    SeenItem.feed_id,
    SeenItem.fingerprint,
    SeenItem.content_hash,
    SeenItem.created_at,
)


class SqlSeenItems:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lookup(
        self, channel_ids: Sequence[int], keys: Sequence[str]
    ) -> dict[tuple[int, str], SeenRecord]:
        out: dict[tuple[int, str], SeenRecord] = {}
        keys = list(dict.fromkeys(keys))
        for start in range(0, len(keys), LOOKUP_CHUNK):
            rows = await self.session.execute(
                select(*_SEEN_COLUMNS).where(
                    SeenItem.channel_id.in_(list(channel_ids)),
                    SeenItem.key.in_(keys[start : start + LOOKUP_CHUNK]),
                )
            )
            for r in rows.all():
                out[(r.channel_id, r.key)] = SeenRecord(*r)
        return out

    async def set_fingerprint(
        self, channel_ids: Sequence[int], keys: Sequence[str], fingerprint: str, content_hash: str | None
    ) -> None:
        values: dict[str, Any] = {"fingerprint": fingerprint}
        if content_hash is not None:
            values["content_hash"] = content_hash
        await self.session.execute(
            update(SeenItem)
            .where(SeenItem.channel_id.in_(list(channel_ids)), SeenItem.key.in_(list(keys)))
            .values(**values)
        )

    async def add_many(self, rows: Sequence[SeenRecord]) -> None:
        values = [
            {
                "channel_id": r.channel_id,
                "key": r.key,
                "feed_id": r.feed_id,
                "fingerprint": r.fingerprint,
                "content_hash": r.content_hash,
                "created_at": r.created_at,
            }
            for r in rows
        ]
        async with _unique("that item is seen already"):
            for start in range(0, len(values), INSERT_CHUNK):
                await self.session.execute(insert(SeenItem), values[start : start + INSERT_CHUNK])

    async def carriers(self, channel_id: int, content_hashes: Sequence[str]) -> list[tuple[str, int]]:
        if not content_hashes:
            return []
        rows = await self.session.execute(
            _CARRIERS, {"channel_id": channel_id, "hashes": list(content_hashes)}
        )
        return [(h, fid) for h, fid in rows.all() if h is not None and fid is not None]


class SqlOutbox:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(
        self, channel_id: int, kind: str, payloads: Sequence[Any], *, key: str, now: datetime
    ) -> int:
        if not payloads:
            return 0
        rows = [
            {
                "channel_id": channel_id,
                "kind": kind,
                "seq": seq,
                "payload": json.dumps(payload, ensure_ascii=False),
                "idempotency_key": idempotency_key(key, seq),
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for seq, payload in enumerate(payloads)
        ]
        await _insert(self.session, OutboxEntry, rows)
        return len(payloads)

    async def pending(self, channel_id: int) -> list[tuple[str, Any]]:
        rows = await self.session.execute(
            select(OutboxEntry.kind, OutboxEntry.payload)
            .where(OutboxEntry.channel_id == channel_id, OutboxEntry.status != "sent")
            .order_by(OutboxEntry.id)
        )
        return [(kind, json.loads(payload)) for kind, payload in rows.all()]

    async def heads(
        self, channel_ids: Sequence[int] | None = None
    ) -> list[tuple[OutboxEntryRecord, ChannelRecord]]:
        query = (
            select(OutboxEntry, Channel)
            .join(Channel, Channel.id == OutboxEntry.channel_id)
            .where(OutboxEntry.status.in_(_UNSENT))
            .order_by(OutboxEntry.channel_id, OutboxEntry.id)
        )
        if channel_ids is not None:
            query = query.where(OutboxEntry.channel_id.in_(list(channel_ids)))
        heads: dict[int, tuple[OutboxEntryRecord, ChannelRecord]] = {}
        for entry, ch in (await self.session.execute(query)).all():
            if entry.channel_id not in heads:
                heads[entry.channel_id] = (outbox_record(entry), channel_record(ch))
        return list(heads.values())

    async def claim(
        self, seen: Mapping[int, int], *, now: datetime, lease: timedelta | None = None
    ) -> set[int]:
        if not seen:
            return set()
        if lease is not None:
            return await self._claim_leased(seen, now, lease)
        # Entries are claimed by (id, attempts seen): a concurrent worker's claim makes ours miss.
        by_attempts: dict[int, list[int]] = {}
        for entry_id, attempts in seen.items():
            by_attempts.setdefault(attempts, []).append(entry_id)
        got: set[int] = set()
        for attempts, ids in by_attempts.items():
            result = await self.session.execute(
                update(OutboxEntry)
                .where(
                    OutboxEntry.id.in_(ids),
                    OutboxEntry.attempts == attempts,
                    OutboxEntry.status.in_(_UNSENT),
                )
                .values(status="sending", attempts=attempts + 1)
                .returning(OutboxEntry.id)
            )
            got.update(result.scalars())
        return got

    async def _claim_leased(self, seen: Mapping[int, int], now: datetime, lease: timedelta) -> set[int]:
        # FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite runs one transaction at a time and has no row locks)
        # gives each entry to one claimant.
        rows = (
            await self.session.execute(
                select(OutboxEntry.id, OutboxEntry.attempts)
                .where(
                    OutboxEntry.id.in_(list(seen)),
                    OutboxEntry.status.in_(_UNSENT),
                    OutboxEntry.next_attempt_at <= now,
                )
                .order_by(OutboxEntry.id)
                .with_for_update(skip_locked=True)
            )
        ).all()
        # Only entries still as the worker read them (attempts unchanged): no stale claim.
        mine = [entry_id for entry_id, attempts in rows if seen[entry_id] == attempts]
        if mine:
            await self.session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.id.in_(mine))
                .values(status="sending", attempts=OutboxEntry.attempts + 1, next_attempt_at=now + lease)
            )
        return set(mine)

    async def record(self, outcomes: Sequence[tuple[int, Mapping[str, Any]]]) -> None:
        # Grouped by the columns they set, each group one executemany UPDATE by primary key.
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for entry_id, values in outcomes:
            groups.setdefault(tuple(sorted(values)), []).append({"id": entry_id, **values})
        for rows in groups.values():
            await self.session.execute(update(OutboxEntry), rows)


_UNSENT = ("pending", "sending")


def outbox_record(row: OutboxEntry) -> OutboxEntryRecord:
    return OutboxEntryRecord(
        id=row.id,
        channel_id=row.channel_id,
        kind=row.kind,
        seq=row.seq,
        payload=row.payload,
        idempotency_key=row.idempotency_key,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        last_error=row.last_error,
        message_id=row.message_id,
        sent_at=row.sent_at,
    )


def article_record(row: ArticleRow) -> ArticleRecord:
    return ArticleRecord(
        row.content_hash,
        row.url,
        row.title,
        row.published,
        row.text,
        row.briefing_json,
        row.error,
        row.created_at,
    )


class SqlArticles:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, content_hash: str) -> ArticleRecord | None:
        row = await self.session.get(ArticleRow, content_hash)
        return None if row is None else article_record(row)

    async def add(self, article: ArticleRecord) -> None:
        if await self.session.get(ArticleRow, article.content_hash) is None:
            self.session.add(ArticleRow(**vars(article)))
            await _flush(self.session)


class SqlChannelItems:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, item: ChannelItemRecord) -> None:
        self.session.add(ChannelItem(**vars(item)))

    async def pending(self, channel_id: int) -> list[PendingItem]:
        rows = await self.session.execute(_PENDING, {"channel_id": channel_id})
        return [
            PendingItem(
                item.id,
                ChannelItemRecord(
                    item.channel_id,
                    item.feed_id,
                    item.content_hash,
                    item.url,
                    item.title,
                    item.discovered_at,
                    item.digested_at,
                ),
                article_record(article),
            )
            for item, article in rows.all()
        ]

    async def mark_digested(self, item_ids: Sequence[int], now: datetime) -> None:
        if item_ids:
            await self.session.execute(_MARK_DIGESTED, {"ids": list(item_ids), "now": now})


class SqlTracks:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_channel(self, channel_id: int) -> list[TrackRecord]:
        rows = await self.session.execute(_TRACKS, {"channel_id": channel_id})
        return [
            TrackRecord(
                t.channel_id, t.term, tuple(a for a in t.acts.split(",") if a), t.created_by, t.created_at
            )
            for t in rows.scalars()
        ]

    async def add(self, track: TrackRecord) -> None:
        self.session.add(
            MemoryTrack(
                channel_id=track.channel_id,
                term=track.term,
                acts=",".join(track.acts),
                created_by=track.created_by,
                created_at=track.created_at,
            )
        )
        await _flush(self.session)


class SqlUnitOfWork:
    """The repositories on one session; ``session`` is there for the code not yet behind the port
    (the statement memory, the outbox worker)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.channels = SqlChannels(session)
        self.feeds = SqlFeeds(session)
        self.subscriptions = SqlSubscriptions(session)
        self.slots = SqlSlotRuns(session)
        self.seen = SqlSeenItems(session)
        self.outbox = SqlOutbox(session)
        self.articles = SqlArticles(session)
        self.items = SqlChannelItems(session)
        self.tracks = SqlTracks(session)


@asynccontextmanager
async def sql_unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[SqlUnitOfWork]:
    async with sessions() as session:
        async with _unique(), session.begin():  # at commit: a concurrent transaction got there first
            yield SqlUnitOfWork(session)


def session_of(uow: object) -> AsyncSession:
    """The SQL session under a unit of work, for the code not yet behind the port."""
    if not isinstance(uow, SqlUnitOfWork):
        raise TypeError(f"{type(uow).__name__} has no SQL session")
    return uow.session
