"""The subscription service: subscribe a channel to a feed on a schedule, list, unsubscribe, digest now."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from briefings.clock import Clock
from briefings.deliver import feedhealth, platforms
from briefings.deliver.delivery import ChannelRef
from briefings.deliver.digests import take_digest
from briefings.deliver.filters import Filters
from briefings.deliver.polling import Poller
from briefings.deliver.scheduler import (
    canonical_weekdays,
    digest_title,
    next_slot,
    parse_times,
    parse_timezone,
    parse_weekdays,
)
from briefings.errors import BriefbotError, InputError, PermissionDenied
from briefings.models import Digest
from briefings.settings import Settings
from briefings.storage import FeedRecord, Storage, SubscriptionRecord, UnitOfWork

log = logging.getLogger(__name__)

MODES = ("digest", "instant")
MAX_SUBSCRIPTIONS_PER_CHANNEL = 50


@dataclass
class Subscription:
    """A channel's subscription to one feed, as plain data."""

    id: int
    channel: ChannelRef
    feed_url: str
    times: list[str]
    weekdays: str
    timezone: str
    mode: str
    feed_title: str | None = None
    backfilled: int = 0  # entries filed at once because of ``backfill``
    marked_seen: int = 0  # the feed's existing entries taken as history (not in any digest)
    next_run: datetime | None = None  # UTC instant of the next scheduled digest (digest mode)
    filters: str = ""  # the subscription's filters as written back ("only offer; include ceasefire")


@dataclass
class SubscriptionView:
    """One line of ``list``: numbered from 1 in the channel, with the feed's health."""

    n: int
    feed_url: str
    feed_title: str | None
    times: list[str]
    weekdays: str
    timezone: str
    mode: str
    status: str  # ok | failing | waiting (not polled yet)
    failing_reason: str | None = None
    failing_since: datetime | None = None
    last_success: datetime | None = None
    next_run: datetime | None = None
    last_error: str | None = None  # the latest failure, also after a recovery
    last_error_at: datetime | None = None
    next_poll: datetime | None = None
    paused_at: datetime | None = None  # paused after BRIEFBOT_FEED_PAUSE_DAYS of failure
    filters: str = ""

    def describe(self) -> str:
        """``1. https://… - daily 07:30 (Europe/Berlin), digest - ok``: plain text, adapters escape it."""
        when = (
            "as they arrive"
            if self.mode == "instant"
            else f"{_days(self.weekdays)} {', '.join(self.times)} ({self.timezone})"
        )
        name = f"{self.feed_title} <{self.feed_url}>" if self.feed_title else self.feed_url
        status = self.status
        if self.status == "failing":
            status = f"FAILING since {self.failing_since:%Y-%m-%d %H:%M} UTC: {self.failing_reason}"
        if self.paused_at is not None:
            status = f"PAUSED since {feedhealth.when(self.paused_at, self.timezone)} (/brief resume {self.n})"
        lines = [f"{self.n}. {name} - {when}, {self.mode} - {status}"]
        lines.append(
            "   "
            + feedhealth.health_line(
                tz=self.timezone,
                last_success=self.last_success,
                last_error=self.last_error,
                last_error_at=self.last_error_at,
                next_poll=self.next_poll,
                paused=self.paused_at is not None,
            )
        )
        if self.filters:
            lines.append(f"   filters: {self.filters}")
        return "\n".join(lines)


def _days(weekdays: str) -> str:
    return "daily" if weekdays == "mon-sun" else weekdays


def validate_feed_url(url: str) -> str:
    url = url.strip().strip("<>")
    if (
        not url.lower().startswith(("http://", "https://"))
        or len(url) > 2048
        or any(c.isspace() for c in url)
    ):
        raise InputError(f"{url[:100]!r} is not a feed address; give an http(s) URL of an RSS or Atom feed")
    return url


class SubscriptionService:
    """Subscriptions of channels to feeds; feeds are fetched through the ``Poller``."""

    def __init__(self, storage: Storage, poller: Poller, settings: Settings, clock: Clock) -> None:
        self.storage = storage
        self.poller = poller
        self.settings = settings
        self.clock = clock
        self.on_queued: list[Callable[[], None]] = []  # called after a digest was queued (wakes the outbox)

    async def subscribe(
        self,
        channel: ChannelRef,
        feed_url: str,
        *,
        times: list[str] | None = None,
        weekdays: str = "mon-sun",
        tz: str | None = None,
        mode: str = "digest",
        backfill: int = 0,
        user: str | None = None,
        admin: bool = True,
        filters: Filters | None = None,
    ) -> Subscription:
        """Subscribe (or re-schedule) ``channel`` to ``feed_url``; the feed's current entries are marked
        seen (no flood) except the latest ``backfill`` (0 to ``settings.feed_max_new``, the most one poll
        briefs), which go into the next digest (instant: are posted now). A new subscription records
        ``user`` as its creator; changing an existing one takes its creator or an ``admin`` (PermissionDenied).
        ``filters`` replace the subscription's (None keeps them: OPML import re-subscribing).
        Raises InputError/FeedError/FetchError."""
        url = validate_feed_url(platforms.get(channel.platform).plain_links(feed_url))
        slot_times = parse_times(times or ["07:30"])
        days = canonical_weekdays(parse_weekdays(weekdays))
        if mode not in MODES:
            raise InputError(f"mode must be digest or instant, not {mode!r}")
        cap = self.settings.feed_max_new
        if not 0 <= backfill <= cap:
            raise InputError(
                f"backfill must be a number from 0 to {cap} (BRIEFBOT_FEED_MAX_NEW), got {backfill}"
            )
        if tz is not None:
            parse_timezone(tz)
        # Read the feed first: a wrong address fails here with a clear message, before anything is stored.
        parsed, result = await self.poller.fetch_feed(url)
        if parsed is None:
            raise InputError(f"{url} returned no feed")
        entries = list(parsed.entries)
        now = self.clock.now()
        async with self.storage.unit_of_work() as uow:
            ch = await uow.channels.get_or_add(channel.platform, channel.workspace, channel.channel, now=now)
            if tz is not None:
                await uow.channels.set_timezone(ch.id, tz)
            zone = tz or ch.timezone or self.settings.default_timezone
            feed = await uow.feeds.by_url(url)
            if feed is None:
                # A new feed: this fetch is its first poll (its validators are good for the next one).
                feed = await uow.feeds.add(
                    FeedRecord(
                        id=0,
                        url=url,
                        title=(getattr(parsed, "title", None) or None),
                        etag=getattr(result, "etag", None),
                        last_modified=getattr(result, "last_modified", None),
                        interval_s=int(self.poller.interval.total_seconds()),
                        consecutive_failures=0,
                        last_attempt_at=now,
                        last_success_at=now,
                        next_poll_at=self.poller.next_poll(now),
                    )
                )
            schedule = (tuple(slot_times), days, zone)
            sub = await uow.subscriptions.find(ch.id, feed.id)
            if sub is None:
                count = await uow.subscriptions.count_active(ch.id)
                if count >= MAX_SUBSCRIPTIONS_PER_CHANNEL:
                    raise InputError(
                        f"this channel already has {count} subscriptions; unsubscribe from one first"
                    )
                sub = SubscriptionRecord(0, ch.id, feed.id, *schedule, mode, False, now, user)
            elif sub.active and not _may_change(sub, user, admin):
                raise _denied(feed.title or url, "change")
            elif not sub.active or (sub.times, sub.weekdays, sub.timezone) != schedule:
                # A re-subscription or a new schedule starts afresh: no catch-up of slots before now.
                sub.created_at = now
            sub.times, sub.weekdays, sub.timezone = schedule
            sub.mode = mode
            if filters is not None:
                sub.filters = filters.to_json()
            sub.paused_at = None  # subscribing again is also a resume
            if not sub.active:
                sub.created_by = user  # a re-subscription is its new creator's
            sub.active = True
            if sub.id:
                await uow.subscriptions.save(sub)
            else:
                sub = await uow.subscriptions.add(sub)
            written = Filters.from_json(sub.filters).describe()
            # History is seen (in this same transaction, so no poll can file it meanwhile); the latest
            # ``backfill`` entries are filed as new below (briefed now).
            ordered = _newest_first(entries)
            old, recent = ordered[backfill:], ordered[:backfill]
            marked_seen = await self.poller.mark_seen(uow, ch.id, feed.id, old)
        sub_id, ch_id, feed_id, feed_title = sub.id, ch.id, feed.id, feed.title
        backfilled = 0
        if recent:
            report = await self.poller.file_entries(feed_id, recent, only_channel=ch_id)
            backfilled = report.new_items
        log.info("%s subscribed to %s (%s %s %s, %s)", channel, url, days, slot_times, zone, mode)
        nxt = next_slot(slot_times, parse_weekdays(days), ZoneInfo(zone), now) if mode == "digest" else None
        return Subscription(
            id=sub_id,
            channel=channel,
            feed_url=url,
            times=slot_times,
            weekdays=days,
            timezone=zone,
            mode=mode,
            feed_title=feed_title,
            backfilled=backfilled,
            marked_seen=marked_seen,
            next_run=nxt.due_at if nxt else None,
            filters=written,
        )

    async def _rows(
        self, uow: UnitOfWork, channel: ChannelRef
    ) -> list[tuple[SubscriptionRecord, FeedRecord]]:
        ch = await uow.channels.find(channel.platform, channel.workspace, channel.channel)
        return [] if ch is None else await uow.subscriptions.of_channel(ch.id)

    def _view(self, n: int, sub: SubscriptionRecord, feed: FeedRecord) -> SubscriptionView:
        status = "failing" if feed.consecutive_failures else "ok" if feed.last_success_at else "waiting"
        nxt = (
            next_slot(sub.times, parse_weekdays(sub.weekdays), ZoneInfo(sub.timezone), self.clock.now())
            if sub.mode == "digest"
            else None
        )
        return SubscriptionView(
            n=n,
            feed_url=feed.url,
            feed_title=feed.title,
            times=list(sub.times),
            weekdays=sub.weekdays,
            timezone=sub.timezone,
            mode=sub.mode,
            status=status,
            failing_reason=feed.last_error if feed.consecutive_failures else None,
            failing_since=feed.failing_since,
            last_success=feed.last_success_at,
            next_run=nxt.due_at if nxt else None,
            last_error=feed.last_error,
            last_error_at=feed.last_error_at,
            next_poll=feed.next_poll_at,
            paused_at=sub.paused_at,
            filters=Filters.from_json(sub.filters).describe(),
        )

    async def list(self, channel: ChannelRef) -> list[SubscriptionView]:
        """The channel's subscriptions, numbered from 1 (the numbers ``unsubscribe`` takes)."""
        async with self.storage.unit_of_work() as uow:
            return [self._view(n, s, f) for n, (s, f) in enumerate(await self._rows(uow, channel), 1)]

    async def unsubscribe(
        self, channel: ChannelRef, n: int, *, user: str | None = None, admin: bool = True
    ) -> SubscriptionView:
        """Stop subscription number ``n`` of ``list`` (its creator or an ``admin`` may; PermissionDenied)."""
        async with self.storage.unit_of_work() as uow:
            n, sub, feed = await self._pick(uow, channel, str(n), by_url=False)
            if not _may_change(sub, user, admin):
                raise _denied(feed.title or feed.url, "remove")
            sub.active = False
            await uow.subscriptions.save(sub)
            view = self._view(n, sub, feed)
        log.info("%s unsubscribed from %s", channel, view.feed_url)
        return view

    async def _pick(
        self, uow: UnitOfWork, channel: ChannelRef, which: str, *, by_url: bool = True
    ) -> tuple[int, SubscriptionRecord, FeedRecord]:
        """Subscription ``which`` of the channel: its number in ``list`` or (``by_url``) its feed's address."""
        rows = await self._rows(uow, channel)
        if not rows:
            raise InputError("this channel has no subscriptions")
        which = which.strip().lstrip("#").strip("<>")
        if which.isdigit() or not by_url:
            n = int(which)
            if not 1 <= n <= len(rows):
                raise InputError(
                    f"there is no subscription number {n} here; `/brief list` shows 1 to {len(rows)}"
                )
            return n, *rows[n - 1]
        for n, (sub, feed) in enumerate(rows, 1):
            if which and which.split("|", 1)[0] in (feed.url, feed.title):
                return n, sub, feed
        raise InputError(f"no subscription here to {which[:100]!r}; give its number from /brief list")

    async def resume(
        self, channel: ChannelRef, which: str, *, user: str | None = None, admin: bool = True
    ) -> SubscriptionView:
        """Resume a paused subscription (number or feed address): its feed is polled again at once."""
        async with self.storage.unit_of_work() as uow:
            n, sub, feed = await self._pick(uow, channel, which)
            if not _may_change(sub, user, admin):
                raise _denied(feed.title or feed.url, "resume")
            if sub.paused_at is None:
                raise InputError(f"{feed.title or feed.url} is not paused; `/brief list` shows its status")
            feedhealth.resume(feed, sub, self.clock.now())
            await uow.feeds.save(feed)
            await uow.subscriptions.save(sub)
            view = self._view(n, sub, feed)
        log.info("%s resumed %s", channel, feed.url)
        return view

    async def set_filters(
        self,
        channel: ChannelRef,
        which: str,
        filters: Filters,
        *,
        user: str | None = None,
        admin: bool = True,
    ) -> SubscriptionView:
        """Replace the filters of subscription ``which`` (number or feed address); empty: none."""
        async with self.storage.unit_of_work() as uow:
            n, sub, feed = await self._pick(uow, channel, which)
            if not _may_change(sub, user, admin):
                raise _denied(feed.title or feed.url, "change")
            sub.filters = filters.to_json()
            await uow.subscriptions.save(sub)
            return self._view(n, sub, feed)

    async def digest_now(
        self, channel: ChannelRef, *, user: str | None = None, admin: bool = True
    ) -> Digest | None:
        """Poll the channel's feeds, then take its digest now (the articles new since the last one) and
        queue its messages in the outbox, in the same transaction that marks the articles taken: a post
        that fails is retried by the outbox, never lost. None when there is nothing new.
        It takes the articles out of the next scheduled digest, so only an ``admin`` or the creator of one
        of the channel's subscriptions may (PermissionDenied)."""
        async with self.storage.unit_of_work() as uow:
            ch = await uow.channels.find(channel.platform, channel.workspace, channel.channel)
            rows = [] if ch is None else await uow.subscriptions.of_channel(ch.id)
        if rows and not any(_may_change(sub, user, admin) for sub, _feed in rows):
            raise PermissionDenied(
                "Only a workspace admin or someone who set up one of this channel's subscriptions "
                "may take its digest early."
            )
        if ch is None:
            return None
        for _sub, feed in rows:
            try:
                await self.poller.poll_feed(feed.id)
            except BriefbotError as exc:  # the feed's status shows in `list`; digest what we have
                log.info("digest: feed %s not polled: %s", feed.url, exc.message)
        now = self.clock.now()
        tz = ZoneInfo(ch.timezone or (rows[0][0].timezone if rows else self.settings.default_timezone))
        async with self.storage.unit_of_work() as uow:
            digest, _n = await take_digest(
                uow,
                ch.id,
                title=digest_title(now, tz, "digest"),
                now=now,
                cap=self.settings.digest_max_articles,
                max_listed=self.settings.digest_max_listed,
            )
            if digest is not None:
                payloads = platforms.get(ch.platform).renderer.digest(digest)
                key = f"ondemand:{ch.id}:{now.isoformat()}:{uuid.uuid4().hex}"
                await uow.outbox.enqueue(ch.id, "digest", payloads, key=key, now=now)
        if digest is not None:
            for callback in self.on_queued:
                callback()
        return digest


def _denied(name: str, verb: str) -> PermissionDenied:
    """Why a user may not ``verb`` (change, remove, resume) the subscription to feed ``name``."""
    return PermissionDenied(
        f"Only the person who subscribed this channel to {name} or a workspace admin may {verb} that "
        "subscription."
    )


def _may_change(sub: SubscriptionRecord, user: str | None, admin: bool) -> bool:
    """Admins may change any subscription, its creator their own; ``user`` None is a trusted caller."""
    return admin or user is None or (sub.created_by is not None and sub.created_by == user)


def _newest_first(entries: list[Any]) -> list[Any]:
    """Entries by publication date, newest first; feed order (newest first by convention) unless every
    entry has an ISO 8601 date."""
    dated = []
    for i, e in enumerate(entries):
        try:
            when = datetime.fromisoformat(str(getattr(e, "published", None) or ""))
        except ValueError:
            return list(entries)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        dated.append((when, -i, e))
    return [e for _, _, e in sorted(dated, key=lambda t: (t[0], t[1]), reverse=True)]
