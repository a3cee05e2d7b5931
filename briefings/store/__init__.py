"""Persistence for subscriptions, feed state, dedupe, the briefing cache, slot decisions and the outbox."""

from .engine import Store, alembic_config, open_store
from .models import (
    ArticleRow,
    Base,
    Channel,
    ChannelItem,
    Feed,
    MemorySpeaker,
    MemoryStatement,
    MemoryTrack,
    OutboxEntry,
    SeenItem,
    SlotRun,
    SubscriptionRow,
)

__all__ = [
    "ArticleRow",
    "Base",
    "Channel",
    "ChannelItem",
    "Feed",
    "MemorySpeaker",
    "MemoryStatement",
    "MemoryTrack",
    "OutboxEntry",
    "SeenItem",
    "SlotRun",
    "Store",
    "SubscriptionRow",
    "alembic_config",
    "open_store",
]
