"""The tables: channels, feeds (poll state), subscriptions, seen items, articles (briefing cache),
channel items (waiting for a digest), slot runs (exactly-once decisions) and the outbox."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite keeps no zone; PostgreSQL column is naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


# Stable constraint names so Alembic migrations match on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Channel(Base):
    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("platform", "workspace", "channel", name="uq_channels_address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64), default="")  # "" when the platform has none
    channel: Mapped[str] = mapped_column(String(64))
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Feed(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str | None] = mapped_column(String(512), nullable=True)
    etag: Mapped[str | None] = mapped_column(String(512), nullable=True)
    last_modified: Mapped[str | None] = mapped_column(String(128), nullable=True)
    interval_s: Mapped[int] = mapped_column(Integer, default=900)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The latest failure, kept after a recovery (``last_error`` with it) so `list` can show it.
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("channel_id", "feed_id", name="uq_subscriptions_channel_feed"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id"))
    times: Mapped[str] = mapped_column(String(128))  # "07:30,18:00" local times
    weekdays: Mapped[str] = mapped_column(String(32))  # "mon-sun", "mon-fri", "mon,wed"
    timezone: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))  # digest | instant
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The platform user who set it up (None: from before 0002, or not from a chat): may change or remove it.
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # What the channel wants of the feed (briefings.deliver.filters, JSON); None: every article.
    filters: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Set when the feed had failed for BRIEFBOT_FEED_PAUSE_DAYS: not polled for it until `/brief resume`.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SeenItem(Base):
    """One dedupe key (GUID, canonical URL or content hash) a channel has already had."""

    __tablename__ = "seen_items"
    __table_args__ = (UniqueConstraint("channel_id", "key", name="uq_seen_items_channel_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    key: Mapped[str] = mapped_column(String(64))  # "g:<sha1>", "u:<sha1>", "h:<sha1>"
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id"), nullable=True)
    fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)  # entry text hash
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ArticleRow(Base):
    """Briefings cache, keyed by the hash of the article text: each story is briefed once."""

    __tablename__ = "articles"

    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    title: Mapped[str] = mapped_column(String(1024), default="")
    published: Mapped[str | None] = mapped_column(String(64), nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")
    briefing_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChannelItem(Base):
    """A new article for a channel; ``digested_at`` is set when a digest (or an instant post) took it."""

    __tablename__ = "channel_items"
    __table_args__ = (Index("ix_channel_items_pending", "channel_id", "digested_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id"), nullable=True)
    content_hash: Mapped[str] = mapped_column(ForeignKey("articles.content_hash"))
    url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    title: Mapped[str] = mapped_column(String(1024), default="")
    discovered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SlotRun(Base):
    """The decision for one (subscription, local date, slot): the unique constraint makes it exactly once."""

    __tablename__ = "slot_runs"
    __table_args__ = (UniqueConstraint("subscription_id", "local_date", "slot", name="uq_slot_runs_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"))
    local_date: Mapped[str] = mapped_column(String(10))  # 2026-03-29
    slot: Mapped[str] = mapped_column(String(5))  # 07:30
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))  # queued | empty | skipped
    items: Mapped[int] = mapped_column(Integer, default=0)


class OutboxEntry(Base):
    """One message to send; ``idempotency_key`` is stable across retries and restarts."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    kind: Mapped[str] = mapped_column(String(16))  # digest | instant | warning | notice
    seq: Mapped[int] = mapped_column(Integer, default=0)  # continuation order within one digest
    payload: Mapped[str] = mapped_column(Text)  # JSON of the rendered platform payload
    idempotency_key: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    message_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
