"""Feed health people can see and act on: `/brief list` shows each feed's last success, last error and
next poll in the channel's time zone; a feed failing for ``BRIEFBOT_FEED_PAUSE_DAYS`` is paused for
the channels that subscribe to it (each told once, through the outbox) until ``/brief resume``."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from briefings.storage import FeedRecord, SubscriptionRecord, UnitOfWork

log = logging.getLogger(__name__)


def when(at: datetime | None, tz: str) -> str:
    """``Fri 27 Mar 13:05`` in ``tz``."""
    if at is None:
        return "never"
    local = at.astimezone(ZoneInfo(tz))
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def health_line(
    *,
    tz: str,
    last_success: datetime | None,
    last_error: str | None,
    last_error_at: datetime | None,
    next_poll: datetime | None,
    paused: bool,
) -> str:
    """``last success Fri 27 Mar 13:05 · next poll Fri 27 Mar 13:20 · last error Thu 26 Mar 09:00: HTTP 500``"""
    bits = [f"last success {when(last_success, tz)}"]
    bits.append("not polled while paused" if paused else f"next poll {when(next_poll, tz)}")
    if last_error:
        bits.append(f"last error {when(last_error_at, tz)}: {last_error[:200]}")
    return " · ".join(bits)


async def pause_failing(
    uow: UnitOfWork,
    feed: FeedRecord,
    targets: list[Any],
    now: datetime,
    pause_days: int,
    notify: Any,
) -> int:
    """Pause ``feed`` for its subscribed channels (``targets``: ``.sub``, ``.channel``) once it has
    failed for ``pause_days``; ``notify(uow, channel, text, key)`` queues the one notice per channel
    and failing spell. Returns how many subscriptions were paused (in the caller's unit of work)."""
    if feed.failing_since is None or now - feed.failing_since < timedelta(days=pause_days):
        return 0
    paused = 0
    for target in targets:
        if target.sub.paused_at is not None:
            continue
        target.sub.paused_at = now
        await uow.subscriptions.save(target.sub)
        days = "day" if pause_days == 1 else f"{pause_days} days"
        text = (
            f"The feed {feed.title or feed.url} has been failing for more than {days} "
            f"({feed.last_error or 'no answer'}), so it is paused here. "
            "`/brief resume` with its number from `/brief list` tries it again."
        )
        await notify(
            uow,
            target.channel,
            text,
            f"pause:{feed.id}:{target.channel.id}:{feed.failing_since.isoformat()}",
        )
        paused += 1
    if paused:
        log.warning(
            "feed %s paused for %d subscription(s) after %d days of failure", feed.url, paused, pause_days
        )
    return paused


def resume(feed: FeedRecord, sub: SubscriptionRecord, now: datetime) -> None:
    """Un-pause ``sub`` and poll its feed at once; a feed still failing starts a new spell (it is
    paused again only after another BRIEFBOT_FEED_PAUSE_DAYS)."""
    sub.paused_at = None
    feed.next_poll_at = now
    if feed.failing_since is not None:
        feed.failing_since = now
