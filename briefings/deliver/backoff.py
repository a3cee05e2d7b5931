"""A feed's poll state after each fetch: the next poll on the feed's interval with jitter, doubling per
consecutive failure up to 6 h; a failing spell's start, its error, one warning after 24 h."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from briefings.storage import FeedRecord

FAILING_WARNING_AFTER = timedelta(hours=24)
MAX_BACKOFF = timedelta(hours=6)


def next_poll(
    now: datetime, every: timedelta, failures: int, *, jitter: float, rng: random.Random
) -> datetime:
    """The next poll: ``every`` (doubling per consecutive failure, up to 6 h), with jitter."""
    base = every if failures == 0 else min(MAX_BACKOFF, every * 2 ** (failures - 1))
    return now + base * (1 - jitter + 2 * jitter * rng.random())


def succeeded(
    feed: FeedRecord, now: datetime, *, etag: str | None, last_modified: str | None, title: str | None
) -> None:
    """A fetch worked (or the feed was not modified): the failing spell, if any, is over."""
    feed.etag = etag or feed.etag
    feed.last_modified = last_modified or feed.last_modified
    feed.title = (title or feed.title or "")[:512] or None
    feed.last_attempt_at = feed.last_success_at = now
    feed.consecutive_failures = 0
    feed.failing_since = feed.warned_at = None  # last_error (and its time) stay for `list`


def failed(feed: FeedRecord, reason: str, now: datetime) -> bool:
    """A fetch failed; True when the spell has lasted 24 h and nobody was warned yet (one warning per
    spell, reset on recovery): the caller warns, ``warned_at`` is set."""
    feed.consecutive_failures += 1
    feed.failing_since = feed.failing_since or now
    feed.last_error = reason[:1000]
    feed.last_error_at = now
    feed.last_attempt_at = now
    if feed.warned_at is None and now - feed.failing_since >= FAILING_WARNING_AFTER:
        feed.warned_at = now
        return True
    return False
