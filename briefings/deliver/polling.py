"""Feed polling: conditional GET on a per-feed interval with jitter, exponential backoff, one warning
after 24 h of failure, and dedupe (GUID, canonical URL, content hash) across all feeds of a channel.

One poll of one feed is four steps, each a method of ``Poller`` below, each in its own unit of work
of the storage port (``briefings.storage``):

1. ``_fetch`` then ``_succeeded`` / ``_failed``: the conditional GET and the feed's poll state
   (``backoff``: next poll, failing spell, the 24 h warning, pausing after BRIEFBOT_FEED_PAUSE_DAYS);
2. ``file_entries``: which entries are new or updated for which channel (``dedupe.new_entries``), at
   most ``feed_max_new`` of them (``_cap``: the rest marked seen, one notice per channel);
3. ``_article_for``: an entry's article read and briefed once per story (``articles``, by content hash);
4. ``_file_fresh`` / ``_updated`` -> ``_file``: seen keys recorded, the article filed for the channel's
   digest or posted at once (instant), the filing hooks (the statement memory) told.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from briefings.clock import Clock, sleep_until_woken
from briefings.deliver import backoff, feedhealth, filters, platforms
from briefings.deliver.dedupe import (
    EntryWork,
    all_keys,
    change_ratio,
    content_hash,
    entry_fingerprint,
    entry_keys,
    hash_key,
    new_entries,
    prepare,
)
from briefings.deliver.digests import briefing_from_json, briefing_to_json
from briefings.errors import BriefbotError, FetchError
from briefings.ingest.feeds import entry_article, fetch_feed
from briefings.models import Article, Briefing
from briefings.settings import Settings
from briefings.storage import (
    ArticleRecord,
    ChannelItemRecord,
    ChannelRecord,
    Conflict,
    SeenRecord,
    Storage,
    SubscriptionRecord,
    UnitOfWork,
)

log = logging.getLogger(__name__)

FetchFeed = Callable[..., Awaitable[tuple[Any, Any]]]
EntryArticle = Callable[[Any, Settings], Awaitable[Article]]
# Told of each article filed for a channel, in the filing unit of work; True when it queued messages.
FiledHook = Callable[[UnitOfWork, ChannelRecord, Briefing], Awaitable[bool]]


@dataclass
class PollReport:
    feeds: int = 0
    not_modified: int = 0
    failed: int = 0
    new_items: int = 0  # (channel, article) pairs added
    duplicates: int = 0
    skipped: int = 0  # (channel, entry) pairs beyond BRIEFBOT_FEED_MAX_NEW, marked seen and counted
    warnings: int = 0
    filtered: int = 0  # (channel, article) pairs a subscription's filters left out
    paused: int = 0  # subscriptions paused because their feed failed for BRIEFBOT_FEED_PAUSE_DAYS
    errors: list[str] = field(default_factory=list)


@dataclass
class Target:
    """A channel subscribed to the feed being polled."""

    channel: ChannelRecord
    sub: SubscriptionRecord

    @property
    def channel_id(self) -> int:
        return self.channel.id


Work = EntryWork[Target]


class Poller:
    """Polls due feeds and files new articles for every subscribed channel (digest queue or instant post)."""

    def __init__(
        self,
        storage: Storage,
        settings: Settings,
        clock: Clock,
        brief: Callable[[Article], Awaitable[Briefing]],
        *,
        interval: timedelta | None = None,
        jitter: float = 0.1,
        rng: random.Random | None = None,
        fetch_feed: FetchFeed | None = None,
        entry_article: EntryArticle | None = None,
        fetch_concurrency: int = 8,
    ) -> None:
        self.storage = storage
        self.settings = settings
        self.clock = clock
        self.brief = brief
        self.interval = interval or timedelta(minutes=settings.feed_interval_minutes)
        self.jitter = jitter
        self.rng = rng or random.Random()
        self._fetch_feed = fetch_feed
        self._entry_article = entry_article
        self.fetch_concurrency = fetch_concurrency
        self.on_queued: list[Callable[[], None]] = []
        self.on_filed: list[FiledHook] = []

    # The fetchers come from briefings.ingest.feeds unless injected.
    async def fetch_feed(self, url: str, **kw: Any) -> tuple[Any, Any]:
        if self._fetch_feed is None:
            self._fetch_feed = fetch_feed
        return await self._fetch_feed(url, self.settings, **kw)

    async def entry_article(self, entry: Any) -> Article:
        if self._entry_article is None:
            self._entry_article = entry_article
        return await self._entry_article(entry, self.settings)

    def next_poll(self, now: datetime, failures: int = 0, interval: timedelta | None = None) -> datetime:
        """The next poll: the feed's interval (doubling per consecutive failure, up to 6 h), with jitter."""
        return backoff.next_poll(now, interval or self.interval, failures, jitter=self.jitter, rng=self.rng)

    async def poll_due(self) -> PollReport:
        """Poll every feed with an active subscription whose next poll time has come."""
        async with self.storage.unit_of_work() as uow:
            feed_ids = await uow.feeds.due(self.clock.now())
        report = PollReport()
        # Fetches run side by side (a slow feed must not hold up the rest); filing stays one feed at a
        # time, so the same story arriving in two feeds is deduplicated rather than raced.
        sem = asyncio.Semaphore(self.fetch_concurrency)
        filing = asyncio.Lock()

        async def one(feed_id: int) -> None:
            async with sem:
                fetched = await self._fetch(feed_id, report)
            if fetched is not None:
                async with filing:
                    await self._apply(feed_id, *fetched, report=report)

        await asyncio.gather(*(one(f) for f in feed_ids))
        return report

    async def next_due(self) -> datetime | None:
        async with self.storage.unit_of_work() as uow:
            return await uow.feeds.next_due()

    async def poll_feed(self, feed_id: int, *, report: PollReport | None = None) -> PollReport:
        """One conditional GET of one feed, then its new entries filed for each subscribed channel."""
        report = report or PollReport()
        fetched = await self._fetch(feed_id, report)
        if fetched is not None:
            await self._apply(feed_id, *fetched, report=report)
        return report

    # ------------------------------------------------------------ 1. fetch, with backoff

    async def _fetch(self, feed_id: int, report: PollReport) -> tuple[Any, Any, datetime] | None:
        """Fetch a feed; a failure is recorded (backoff, 24 h warning) and gives None."""
        report.feeds += 1
        now = self.clock.now()
        async with self.storage.unit_of_work() as uow:
            feed = await uow.feeds.get(feed_id)
        if feed is None:
            return None
        try:
            parsed, result = await self.fetch_feed(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        except BriefbotError as exc:
            report.failed += 1
            report.errors.append(exc.message)
            await self._failed(feed_id, exc.message, now, report)
            return None
        return parsed, result, now

    async def _apply(
        self, feed_id: int, parsed: Any, result: Any, now: datetime, *, report: PollReport
    ) -> None:
        if parsed is None or getattr(result, "not_modified", False):
            report.not_modified += 1
            await self._succeeded(feed_id, now, result, None)
            return
        await self.file_entries(feed_id, list(parsed.entries), report=report)
        await self._succeeded(feed_id, now, result, getattr(parsed, "title", None))

    async def _succeeded(self, feed_id: int, now: datetime, result: Any, title: str | None) -> None:
        async with self.storage.unit_of_work() as uow:
            feed = await uow.feeds.get(feed_id)
            if feed is None:
                return
            if feed.failing_since is not None:
                log.info("feed %s recovered after %d failures", feed.url, feed.consecutive_failures)
            etag, modified = getattr(result, "etag", None), getattr(result, "last_modified", None)
            backoff.succeeded(feed, now, etag=etag, last_modified=modified, title=title)
            feed.next_poll_at = self.next_poll(now, 0, timedelta(seconds=feed.interval_s))
            await uow.feeds.save(feed)

    async def _failed(self, feed_id: int, reason: str, now: datetime, report: PollReport) -> None:
        async with self.storage.unit_of_work() as uow:
            feed = await uow.feeds.get(feed_id)
            if feed is None:
                return
            warn = backoff.failed(feed, reason, now)
            feed.next_poll_at = self.next_poll(
                now, feed.consecutive_failures, timedelta(seconds=feed.interval_s)
            )
            await uow.feeds.save(feed)
            log.info("feed %s failed (%d in a row): %s", feed.url, feed.consecutive_failures, reason)
            assert feed.failing_since is not None
            if warn:
                log.warning("feed %s failing for 24 h: %s", feed.url, reason)
                text = (
                    f"The feed {feed.url} has been failing for more than 24 hours ({reason}). "
                    "briefbot keeps trying; `/brief list` shows its status."
                )
                for target in await self._targets(uow, feed_id):
                    key = f"warn:{feed_id}:{target.channel.id}:{feed.failing_since.isoformat()}"
                    await self._message(uow, target.channel, "warning", text, key, now)
                    report.warnings += 1

            async def notify(uow: UnitOfWork, channel: ChannelRecord, text: str, key: str) -> None:
                await self._message(uow, channel, "warning", text, key, now)

            if now - feed.failing_since >= timedelta(days=self.settings.feed_pause_days):
                report.paused += await feedhealth.pause_failing(
                    uow,
                    feed,
                    await self._targets(uow, feed_id),
                    now,
                    self.settings.feed_pause_days,
                    notify,
                )
        if report.warnings or report.paused:
            self._notify()

    async def _targets(self, uow: UnitOfWork, feed_id: int, only_channel: int | None = None) -> list[Target]:
        return [Target(ch, sub) for sub, ch in await uow.subscriptions.of_feed(feed_id, only_channel)]

    @staticmethod
    async def _message(
        uow: UnitOfWork, channel: ChannelRecord, kind: str, text: str, key: str, now: datetime
    ) -> None:
        """Queue one line of text for a channel, as its platform shows a message."""
        payload = platforms.get(channel.platform).renderer.message(text)
        await uow.outbox.enqueue(channel.id, kind, [payload], key=key, now=now)

    # ------------------------------------------------------------ 2. which entries are news, for whom

    async def file_entries(
        self,
        feed_id: int,
        entries: Sequence[Any],
        *,
        only_channel: int | None = None,
        report: PollReport | None = None,
    ) -> PollReport:
        """File the entries not yet seen by each subscribed channel (oldest first): brief each new
        story once (cached by content hash), queue it for the digest or post it at once (instant).

        What each channel has seen is read in one go (chunked IN queries), so an unchanged feed costs
        one query per few thousand entries, not a session per entry. At most ``settings.feed_max_new``
        new entries (the newest) are read and briefed per poll; the others are marked seen in one
        transaction and summarised in one line per channel ("and N more new items in <feed>")."""
        report = report or PollReport()
        async with self.storage.unit_of_work() as uow:
            targets = await self._targets(uow, feed_id, only_channel)
            if not targets:
                return report
            prepared = prepare(entries)
            seen = await uow.seen.lookup([t.channel.id for t in targets], all_keys(prepared))
        work = await self._cap(feed_id, new_entries(prepared, targets, seen), report)
        queued = False
        for w in work:
            queued = await self._file_entry(feed_id, w, report) or queued
        if queued:
            self._notify()
        return report

    async def _cap(self, feed_id: int, work: list[Work], report: PollReport) -> list[Work]:
        """Keep the newest ``feed_max_new`` new entries (updated ones always go on); mark the older new
        ones seen in one transaction and tell each channel how many were left out, in one line."""
        limit = self.settings.feed_max_new
        new = [w for w in work if w.fresh]
        if len(new) <= limit:
            return work
        dropped = new[: len(new) - limit]  # work is oldest first
        dropped_ids = {id(w) for w in dropped}
        per_channel: dict[int, tuple[Target, int]] = {}
        rows: list[SeenRecord] = []
        now = self.clock.now()
        for w in dropped:
            for t in w.fresh:
                rows += [SeenRecord(t.channel.id, k, feed_id, w.fingerprint, None, now) for k in w.keys]
                target, n = per_channel.get(t.channel.id, (t, 0))
                per_channel[t.channel.id] = (target, n + 1)

        async with self.storage.unit_of_work() as uow:
            feed = await uow.feeds.get(feed_id)
            name = (feed.title or feed.url) if feed is not None else f"feed {feed_id}"
            await uow.seen.add_many(rows)
            for target, n in per_channel.values():
                text = f"… and {n} more new items in {name} (only the newest {limit} of a poll are briefed)"
                key = f"more:{feed_id}:{target.channel.id}:{now.isoformat()}"
                await self._message(uow, target.channel, "notice", text, key, now)
        report.skipped += sum(n for _, n in per_channel.values())
        log.info("feed %s: %d new entries beyond the %d per poll marked seen", name, len(dropped), limit)
        if per_channel:
            self._notify()
        return [w for w in work if id(w) not in dropped_ids]

    # ------------------------------------------------------------ 3. entry -> briefed article

    async def _file_entry(self, feed_id: int, w: Work, report: PollReport) -> bool:
        """Read and brief one new or updated entry and file it; True if posts were queued."""
        try:
            article = await self.entry_article(w.entry)
        except FetchError as exc:  # transient: try again at the next poll
            report.errors.append(exc.message)
            log.info(
                "entry %s of feed %d not read yet: %s", getattr(w.entry, "link", None), feed_id, exc.message
            )
            return False
        except BriefbotError as exc:  # not an article we can brief: remember it so we do not retry
            report.errors.append(exc.message)
            await self._mark_seen(w.fresh, w.keys, feed_id, None, w.fingerprint)
            await self._set_fingerprint(w.updated, w.keys, w.fingerprint, None)
            return False
        chash = content_hash(article.text)
        row = await self._article_for(article, chash)
        queued = False
        if w.updated:
            queued = await self._updated(w, article, row, feed_id, report)
        if w.fresh:
            try:
                queued = await self._file_fresh(w, chash, row, article, feed_id, report) or queued
            except Conflict:
                # Another process filed this entry for a channel at the same moment: it is seen.
                log.info("entry %s filed concurrently elsewhere", getattr(w.entry, "link", None))
        return queued

    async def _article_for(self, article: Article, chash: str) -> ArticleRecord:
        """The story's cached briefing, or the article briefed now and cached (once per content hash)."""
        async with self.storage.unit_of_work() as uow:
            row = await uow.articles.get(chash)
        if row is not None:
            return row
        briefing_json: str | None = None
        error: str | None = None
        try:
            briefing_json = briefing_to_json(await self.brief(article))
        except BriefbotError as exc:
            error = exc.message
            log.info("article %s not briefed: %s", article.url or article.source, exc.message)
        row = ArticleRecord(
            content_hash=chash,
            url=article.url,
            title=(article.title or "")[:1024],
            published=article.published,
            text=article.text,
            briefing_json=briefing_json,
            error=error,
            created_at=self.clock.now(),
        )
        async with self.storage.unit_of_work() as uow:
            await uow.articles.add(row)
        return row

    # ------------------------------------------------------------ 4. file: seen, queued, told

    async def _file_fresh(
        self, w: Work, chash: str, row: ArticleRecord, article: Article, feed_id: int, report: PollReport
    ) -> bool:
        """Mark the entry seen for each channel and file it where it is news; True if posts were queued."""
        queued = False
        keys = [*w.keys, hash_key(chash)]
        async with self.storage.unit_of_work() as uow:
            seen = _by_channel(await uow.seen.lookup([t.channel.id for t in w.fresh], keys))
            for t in w.fresh:
                already = seen.get(t.channel.id, set())
                if already & set(w.keys):
                    continue  # filed meanwhile
                dup = hash_key(chash) in already
                await self._add_seen(uow, t.channel.id, keys, already, feed_id, chash, w.fingerprint)
                if dup:
                    report.duplicates += 1
                    continue
                if row.briefing_json is None:
                    continue  # the article could not be briefed; seen, nothing to post
                if not filters.wanted(t.sub.filters, row.briefing_json, article.text):
                    report.filtered += 1
                    continue  # seen; the channel's filters leave it out
                queued = await self._file(uow, t, row, article, feed_id) or queued
                report.new_items += 1
                queued = queued or t.sub.mode == "instant"
        return queued

    async def _file(
        self, uow: UnitOfWork, t: Target, row: ArticleRecord, article: Article, feed_id: int
    ) -> bool:
        now = self.clock.now()
        instant = t.sub.mode == "instant"
        await uow.items.add(
            ChannelItemRecord(
                channel_id=t.channel.id,
                feed_id=feed_id,
                content_hash=row.content_hash,
                url=article.url or row.url,
                title=(article.title or row.title)[:1024],
                discovered_at=now,
                digested_at=now if instant else None,
            )
        )
        if not row.briefing_json:
            return False
        briefing = briefing_from_json(row.briefing_json)
        if instant:
            payload = platforms.get(t.channel.platform).renderer.briefing(briefing)
            key = f"instant:{t.channel.id}:{row.content_hash}"
            await uow.outbox.enqueue(t.channel.id, "instant", [payload], key=key, now=now)
        queued = False
        for hook in self.on_filed:
            queued = await hook(uow, t.channel, briefing) or queued
        return queued

    async def _updated(
        self, w: Work, article: Article, row: ArticleRecord, feed_id: int, report: PollReport
    ) -> bool:
        """An entry the channel already had was updated: post it again only if its text changed
        materially (``settings.repost_change`` of its words), else just remember the new version."""
        queued = False
        for t in w.updated:
            previous = next((r.content_hash for r in w.seen[t.channel.id] if r.content_hash), None)
            material = False
            if previous and previous != row.content_hash:
                async with self.storage.unit_of_work() as uow:
                    old = await uow.articles.get(previous)
                material = (
                    old is not None and change_ratio(old.text, article.text) >= self.settings.repost_change
                )
            # An entry that was history at subscription time (no text known) is not re-posted either.
            await self._set_fingerprint([t], w.keys, w.fingerprint, row.content_hash)
            if (
                material
                and row.briefing_json is not None
                and filters.wanted(t.sub.filters, row.briefing_json, article.text)
            ):
                async with self.storage.unit_of_work() as uow:
                    queued = await self._file(uow, t, row, article, feed_id) or queued
                report.new_items += 1
                queued = queued or t.sub.mode == "instant"
                log.info(
                    "updated entry %s re-posted to %s: its text changed materially",
                    article.url,
                    t.channel.channel,
                )
        return queued

    async def _set_fingerprint(
        self, targets: list[Target], keys: list[str], fp: str, chash: str | None
    ) -> None:
        if not targets:
            return
        async with self.storage.unit_of_work() as uow:
            await uow.seen.set_fingerprint([t.channel.id for t in targets], keys, fp, chash)

    async def _mark_seen(
        self, targets: list[Target], keys: list[str], feed_id: int, chash: str | None, fp: str | None = None
    ) -> None:
        async with self.storage.unit_of_work() as uow:
            seen = _by_channel(await uow.seen.lookup([t.channel.id for t in targets], keys))
            for t in targets:
                await self._add_seen(
                    uow, t.channel.id, keys, seen.get(t.channel.id, set()), feed_id, chash, fp
                )

    async def _add_seen(
        self,
        uow: UnitOfWork,
        channel_id: int,
        keys: list[str],
        already: set[str],
        feed_id: int,
        chash: str | None,
        fp: str | None,
    ) -> None:
        """Record the keys this channel has not seen yet (in the caller's unit of work)."""
        now = self.clock.now()
        await uow.seen.add_many(
            [SeenRecord(channel_id, k, feed_id, fp, chash, now) for k in keys if k not in already]
        )

    async def mark_seen(self, uow: UnitOfWork, channel_id: int, feed_id: int, entries: Sequence[Any]) -> int:
        """First subscription: everything the feed holds now is history, not news (no flood).
        Runs in the caller's unit of work."""
        keys = {k: entry_fingerprint(e) for e in entries for k in entry_keys(e)}
        seen = await uow.seen.lookup([channel_id], list(keys)) if keys else {}
        now = self.clock.now()
        await uow.seen.add_many(
            [
                SeenRecord(channel_id, k, feed_id, fp, None, now)
                for k, fp in keys.items()
                if (channel_id, k) not in seen
            ]
        )
        return len(entries)

    def _notify(self) -> None:
        for cb in self.on_queued:
            cb()


def _by_channel(seen: dict[tuple[int, str], SeenRecord]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for cid, key in seen:
        out.setdefault(cid, set()).add(key)
    return out


async def run_poller(poller: Poller, stop: Any, *, idle_seconds: float = 60.0) -> None:
    """Poll due feeds until ``stop`` (an asyncio.Event) is set; a failing round is logged, never fatal."""

    while not stop.is_set():
        try:
            await poller.poll_due()
            nxt = await poller.next_due()
        except Exception:  # noqa: BLE001 - keep polling after a DB or parser hiccup
            log.exception("feed polling round failed; retrying")
            nxt = None
        wait = idle_seconds
        if nxt is not None:
            wait = max(0.5, min(wait, (nxt - poller.clock.now()).total_seconds()))
        await sleep_until_woken(poller.clock, wait, stop)
