"""Feed polling: conditional GET on a per-feed interval with jitter, exponential backoff, one warning
after 24 h of failure, and dedupe (GUID, canonical URL, content hash) across all feeds of a channel."""

from __future__ import annotations

import asyncio
import difflib
import hashlib
import logging
import random
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from briefings.clock import Clock, sleep_until_woken
from briefings.deliver import feedhealth, filters, platforms
from briefings.deliver.digests import briefing_from_json, briefing_to_json
from briefings.deliver.outbox import enqueue
from briefings.errors import BriefbotError, FetchError
from briefings.ingest.feeds import entry_article, fetch_feed
from briefings.models import Article, Briefing
from briefings.settings import Settings
from briefings.storage import SeenRecord, UnitOfWork
from briefings.store import ArticleRow, Channel, ChannelItem, Feed, SeenItem, Store, SubscriptionRow

log = logging.getLogger(__name__)

FAILING_WARNING_AFTER = timedelta(hours=24)
# Keys per IN (...) look-up and rows per executemany INSERT: far below SQLite's and asyncpg's
# bind-parameter limits (32,766 and 32,767), big enough that 100,000 entries take a few dozen round trips.
LOOKUP_CHUNK = 5_000
INSERT_CHUNK = 5_000
MAX_BACKOFF = timedelta(hours=6)
# Query parameters that only track the reader; removed from URLs before comparing them.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi|"
    r"ref|ref_src|ref_url|cmpid|ocid|smid|smtyp|taid|at_medium|at_campaign|share|ito|wt\.mc_id|"
    r"__twitter_impression|s_cid|sr_share|mbid|rss|src)$",
    re.IGNORECASE,
)


# ---------------------------------------------------------------- dedupe keys


def canonical_url(url: str) -> str:
    """Scheme and host lower-cased, default port, fragment and tracking parameters dropped."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    )
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    # Both http and https forms of one story are the same story.
    return urlunsplit(("https" if scheme in ("http", "https") else scheme, netloc, path, query, ""))


def content_hash(text: str) -> str:
    """Hash of the article text with whitespace and case normalised (the same story, re-served)."""
    norm = re.sub(r"\s+", " ", text).strip().lower()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def _key(kind: str, value: str) -> str:
    return f"{kind}:" + hashlib.sha1(value.encode("utf-8")).hexdigest()


def entry_keys(entry: Any) -> list[str]:
    """The keys an entry is known by before its article is read: GUID and canonical link."""
    keys = []
    if getattr(entry, "guid", None):
        keys.append(_key("g", entry.guid))
    if getattr(entry, "link", None):
        keys.append(_key("u", canonical_url(entry.link)))
    return keys


def hash_key(chash: str) -> str:
    return f"h:{chash[:40]}"


def entry_fingerprint(entry: Any) -> str:
    """What the feed says about an entry (title and text); a change means the entry was updated."""
    parts = [getattr(entry, name, None) or "" for name in ("title", "content", "summary")]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def change_ratio(old: str, new: str) -> float:
    """The share of the words that changed between two versions of a text (0 = same, 1 = all new)."""
    a, b = old.split(), new.split()
    if not a and not b:
        return 0.0
    return 1.0 - difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


# ---------------------------------------------------------------- the poller


FetchFeed = Callable[..., Awaitable[tuple[Any, Any]]]
EntryArticle = Callable[[Any, Settings], Awaitable[Article]]


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
class _Target:
    channel: Channel
    sub: SubscriptionRow


class Poller:
    """Polls due feeds and files new articles for every subscribed channel (digest queue or instant post)."""

    def __init__(
        self,
        store: Store,
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
        self.store = store
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
        # Called for each article filed for a channel, in the filing transaction (the statement memory:
        # remember, tell tracks); True when it queued messages.
        self.on_filed: list[Callable[[AsyncSession, Channel, Briefing], Awaitable[bool]]] = []

    # The fetchers come from briefings.ingest.feeds unless injected; imported on first use (httpx, feedparser).
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
        every = interval or self.interval
        base = every if failures == 0 else min(MAX_BACKOFF, every * 2 ** (failures - 1))
        return now + base * (1 - self.jitter + 2 * self.jitter * self.rng.random())

    async def poll_due(self) -> PollReport:
        """Poll every feed with an active subscription whose next poll time has come."""
        now = self.clock.now()
        async with self.store.session() as session:
            feed_ids = (
                (
                    await session.execute(
                        select(Feed.id)
                        .where(
                            Feed.id.in_(
                                select(SubscriptionRow.feed_id).where(
                                    SubscriptionRow.active.is_(True), SubscriptionRow.paused_at.is_(None)
                                )
                            ),
                            or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now),
                        )
                        .order_by(Feed.next_poll_at)
                    )
                )
                .scalars()
                .all()
            )
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
        async with self.store.session() as session:
            return (
                await session.execute(
                    select(Feed.next_poll_at)
                    .where(
                        Feed.id.in_(
                            select(SubscriptionRow.feed_id).where(
                                SubscriptionRow.active.is_(True), SubscriptionRow.paused_at.is_(None)
                            )
                        )
                    )
                    .order_by(Feed.next_poll_at)
                    .limit(1)
                )
            ).scalar_one_or_none()

    async def poll_feed(self, feed_id: int, *, report: PollReport | None = None) -> PollReport:
        """One conditional GET of one feed, then its new entries filed for each subscribed channel."""
        report = report or PollReport()
        fetched = await self._fetch(feed_id, report)
        if fetched is not None:
            await self._apply(feed_id, *fetched, report=report)
        return report

    async def _fetch(self, feed_id: int, report: PollReport) -> tuple[Any, Any, datetime] | None:
        """Fetch a feed; a failure is recorded (backoff, 24 h warning) and gives None."""
        report.feeds += 1
        now = self.clock.now()
        async with self.store.session() as session:
            feed = await session.get(Feed, feed_id)
            if feed is None:
                return None
            url, etag, last_modified = feed.url, feed.etag, feed.last_modified
        try:
            parsed, result = await self.fetch_feed(url, etag=etag, last_modified=last_modified)
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
        async with self.store.session() as session, session.begin():
            feed = await session.get(Feed, feed_id)
            if feed is None:
                return
            if feed.failing_since is not None:
                log.info("feed %s recovered after %d failures", feed.url, feed.consecutive_failures)
            feed.etag = getattr(result, "etag", None) or feed.etag
            feed.last_modified = getattr(result, "last_modified", None) or feed.last_modified
            feed.title = (title or feed.title or "")[:512] or None
            feed.last_attempt_at = feed.last_success_at = now
            feed.consecutive_failures = 0
            feed.failing_since = feed.warned_at = None  # last_error (and its time) stay for `list`
            feed.next_poll_at = self.next_poll(now, 0, timedelta(seconds=feed.interval_s))

    async def _failed(self, feed_id: int, reason: str, now: datetime, report: PollReport) -> None:
        async with self.store.session() as session, session.begin():
            feed = await session.get(Feed, feed_id)
            if feed is None:
                return
            feed.consecutive_failures += 1
            feed.failing_since = feed.failing_since or now
            feed.last_error = reason[:1000]
            feed.last_error_at = now
            feed.last_attempt_at = now
            feed.next_poll_at = self.next_poll(
                now, feed.consecutive_failures, timedelta(seconds=feed.interval_s)
            )
            log.info("feed %s failed (%d in a row): %s", feed.url, feed.consecutive_failures, reason)
            if feed.warned_at is None and now - feed.failing_since >= FAILING_WARNING_AFTER:
                # One warning per failing spell (reset on recovery), not one per poll.
                feed.warned_at = now
                log.warning("feed %s failing for 24 h: %s", feed.url, reason)
                for target in await self._targets(session, feed_id):
                    text = (
                        f"The feed {feed.url} has been failing for more than 24 hours ({reason}). "
                        "briefbot keeps trying; `/brief list` shows its status."
                    )
                    payload = platforms.get(target.channel.platform).renderer.message(text)
                    await enqueue(
                        session,
                        target.channel.id,
                        "warning",
                        [payload],
                        key=f"warn:{feed_id}:{target.channel.id}:{feed.failing_since.isoformat()}",
                        now=now,
                    )
                    report.warnings += 1

            async def notify(session: AsyncSession, channel: Channel, text: str, key: str) -> None:
                payload = platforms.get(channel.platform).renderer.message(text)
                await enqueue(session, channel.id, "warning", [payload], key=key, now=now)

            if now - feed.failing_since >= timedelta(days=self.settings.feed_pause_days):
                report.paused += await feedhealth.pause_failing(
                    session,
                    feed,
                    await self._targets(session, feed_id),
                    now,
                    self.settings.feed_pause_days,
                    notify,
                )
        if report.warnings or report.paused:
            self._notify()

    async def _targets(
        self, session: AsyncSession, feed_id: int, only_channel: int | None = None
    ) -> list[_Target]:
        q = (
            select(SubscriptionRow, Channel)
            .join(Channel, Channel.id == SubscriptionRow.channel_id)
            .where(
                SubscriptionRow.feed_id == feed_id,
                SubscriptionRow.active.is_(True),
                SubscriptionRow.paused_at.is_(None),
            )
        )
        if only_channel is not None:
            q = q.where(Channel.id == only_channel)
        return [_Target(ch, sub) for sub, ch in (await session.execute(q)).all()]

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
        async with self.store.session() as session:
            targets = await self._targets(session, feed_id, only_channel)
            if not targets:
                return report
            channel_ids = [t.channel.id for t in targets]
            prepared = [
                (e, keys, entry_fingerprint(e)) for e in reversed(list(entries)) if (keys := entry_keys(e))
            ]
            seen = await self._seen_map(
                session, channel_ids, list({k for _, keys, _ in prepared for k in keys})
            )
        work: list[tuple[Any, list[str], str, list[_Target], list[_Target], dict[int, list[Any]]]] = []
        for entry, keys, fp in prepared:  # oldest first
            rows = {
                cid: found for cid in channel_ids if (found := [r for k in keys if (r := seen.get((cid, k)))])
            }
            fresh = [t for t in targets if t.channel.id not in rows]
            # Seen before, but the feed now says something else about it: an updated entry.
            updated = [
                t for t in targets if any(r.fingerprint not in (None, fp) for r in rows.get(t.channel.id, []))
            ]
            if fresh or updated:
                work.append((entry, keys, fp, fresh, updated, rows))
        work = await self._cap(feed_id, work, report)
        queued = False
        for entry, keys, fp, fresh, updated, rows in work:
            try:
                article = await self.entry_article(entry)
            except FetchError as exc:  # transient: try again at the next poll
                report.errors.append(exc.message)
                log.info(
                    "entry %s of feed %d not read yet: %s", getattr(entry, "link", None), feed_id, exc.message
                )
                continue
            except BriefbotError as exc:  # not an article we can brief: remember it so we do not retry
                report.errors.append(exc.message)
                await self._mark_seen(fresh, keys, feed_id, None, fp)
                await self._set_fingerprint(updated, keys, fp, None)
                continue
            chash = content_hash(article.text)
            row = await self._cached_or_briefed(article, chash)
            if updated:
                queued = await self._updated(updated, rows, keys, fp, article, row, feed_id, report) or queued
            if fresh:
                try:
                    queued = (
                        await self._file_fresh(fresh, keys, fp, chash, row, article, feed_id, report)
                        or queued
                    )
                except IntegrityError:
                    # Another process filed this entry for a channel at the same moment: it is seen.
                    log.info("entry %s filed concurrently elsewhere", getattr(entry, "link", None))
        if queued:
            self._notify()
        return report

    async def _cap(self, feed_id: int, work: list[Any], report: PollReport) -> list[Any]:
        """Keep the newest ``feed_max_new`` new entries (updated ones always go on); mark the older new
        ones seen in one transaction and tell each channel how many were left out, in one line."""
        limit = self.settings.feed_max_new
        new = [w for w in work if w[3]]
        if len(new) <= limit:
            return work
        dropped = new[: len(new) - limit]  # work is oldest first
        dropped_ids = {id(w) for w in dropped}
        per_channel: dict[int, tuple[_Target, int]] = {}
        rows: list[dict[str, Any]] = []
        now = self.clock.now()
        for _entry, keys, fp, fresh, _updated, _rows in dropped:
            for t in fresh:
                rows += [
                    {
                        "channel_id": t.channel.id,
                        "key": k,
                        "feed_id": feed_id,
                        "fingerprint": fp,
                        "created_at": now,
                    }
                    for k in keys
                ]
                target, n = per_channel.get(t.channel.id, (t, 0))
                per_channel[t.channel.id] = (target, n + 1)

        async with self.store.session() as session, session.begin():
            feed = await session.get(Feed, feed_id)
            name = (feed.title or feed.url) if feed is not None else f"feed {feed_id}"
            await self._insert_seen(session, rows)
            for target, n in per_channel.values():
                text = f"… and {n} more new items in {name} (only the newest {limit} of a poll are briefed)"
                payload = platforms.get(target.channel.platform).renderer.message(text)
                await enqueue(
                    session,
                    target.channel.id,
                    "notice",
                    [payload],
                    key=f"more:{feed_id}:{target.channel.id}:{now.isoformat()}",
                    now=now,
                )
        report.skipped += sum(n for _, n in per_channel.values())
        log.info("feed %s: %d new entries beyond the %d per poll marked seen", name, len(dropped), limit)
        if per_channel:
            self._notify()
        return [w for w in work if id(w) not in dropped_ids]

    async def _file_fresh(
        self,
        fresh: list[_Target],
        keys: list[str],
        fp: str,
        chash: str,
        row: ArticleRow,
        article: Article,
        feed_id: int,
        report: PollReport,
    ) -> bool:
        """Mark the entry seen for each channel and file it where it is news; True if posts were queued."""
        queued = False
        async with self.store.session() as session, session.begin():
            seen = await self._seen(session, [t.channel.id for t in fresh], [*keys, hash_key(chash)])
            for t in fresh:
                already = seen.get(t.channel.id, set())
                if already & set(keys):
                    continue  # filed meanwhile
                dup = hash_key(chash) in already
                self._add_seen(session, t.channel.id, [*keys, hash_key(chash)], already, feed_id, chash, fp)
                if dup:
                    report.duplicates += 1
                    continue
                if row.briefing_json is None:
                    continue  # the article could not be briefed; seen, nothing to post
                if not filters.wanted(t.sub.filters, row.briefing_json, article.text):
                    report.filtered += 1
                    continue  # seen; the channel's filters leave it out
                queued = await self._file(session, t, row, article, feed_id) or queued
                report.new_items += 1
                queued = queued or t.sub.mode == "instant"
        return queued

    async def _file(
        self, session: AsyncSession, t: _Target, row: ArticleRow, article: Article, feed_id: int
    ) -> bool:
        now = self.clock.now()
        item = ChannelItem(
            channel_id=t.channel.id,
            feed_id=feed_id,
            content_hash=row.content_hash,
            url=article.url or row.url,
            title=(article.title or row.title)[:1024],
            discovered_at=now,
            digested_at=now if t.sub.mode == "instant" else None,
        )
        session.add(item)
        if t.sub.mode == "instant" and row.briefing_json:
            payload = platforms.get(t.channel.platform).renderer.briefing(
                briefing_from_json(row.briefing_json)
            )
            await enqueue(
                session,
                t.channel.id,
                "instant",
                [payload],
                key=f"instant:{t.channel.id}:{row.content_hash}",
                now=now,
            )
        queued = False
        if self.on_filed and row.briefing_json:
            briefing = briefing_from_json(row.briefing_json)
            for hook in self.on_filed:
                queued = await hook(session, t.channel, briefing) or queued
        return queued

    async def _cached_or_briefed(self, article: Article, chash: str) -> ArticleRow:
        async with self.store.session() as session:
            row = await session.get(ArticleRow, chash)
        if row is not None:
            return row
        briefing_json: str | None = None
        error: str | None = None
        try:
            briefing_json = briefing_to_json(await self.brief(article))
        except BriefbotError as exc:
            error = exc.message
            log.info("article %s not briefed: %s", article.url or article.source, exc.message)
        row = ArticleRow(
            content_hash=chash,
            url=article.url,
            title=(article.title or "")[:1024],
            published=article.published,
            text=article.text,
            briefing_json=briefing_json,
            error=error,
            created_at=self.clock.now(),
        )
        async with self.store.session() as session, session.begin():
            if await session.get(ArticleRow, chash) is None:
                session.add(row)
        return row

    async def _seen(
        self, session: AsyncSession, channel_ids: list[int], keys: list[str]
    ) -> dict[int, set[str]]:
        rows = await session.execute(
            select(SeenItem.channel_id, SeenItem.key).where(
                SeenItem.channel_id.in_(channel_ids), SeenItem.key.in_(keys)
            )
        )
        out: dict[int, set[str]] = {}
        for cid, key in rows.all():
            out.setdefault(cid, set()).add(key)
        return out

    async def _seen_map(
        self, session: AsyncSession, channel_ids: list[int], keys: list[str]
    ) -> dict[tuple[int, str], Any]:
        """(channel id, key) -> its seen row's (fingerprint, content_hash), in chunked IN queries."""
        out: dict[tuple[int, str], Any] = {}
        for start in range(0, len(keys), LOOKUP_CHUNK):
            rows = await session.execute(
                select(SeenItem.channel_id, SeenItem.key, SeenItem.fingerprint, SeenItem.content_hash).where(
                    SeenItem.channel_id.in_(channel_ids), SeenItem.key.in_(keys[start : start + LOOKUP_CHUNK])
                )
            )
            for row in rows.all():
                out[(row.channel_id, row.key)] = row
        return out

    async def _insert_seen(self, session: AsyncSession, rows: list[dict[str, Any]]) -> None:
        """Many seen keys at once: executemany INSERTs in chunks, in the caller's transaction."""
        for start in range(0, len(rows), INSERT_CHUNK):
            await session.execute(insert(SeenItem), rows[start : start + INSERT_CHUNK])

    async def _seen_rows(
        self, session: AsyncSession, channel_ids: list[int], keys: list[str]
    ) -> dict[int, list[SeenItem]]:
        found = await session.execute(
            select(SeenItem).where(SeenItem.channel_id.in_(channel_ids), SeenItem.key.in_(keys))
        )
        out: dict[int, list[SeenItem]] = {}
        for item in found.scalars():
            out.setdefault(item.channel_id, []).append(item)
        return out

    async def _set_fingerprint(
        self, targets: list[_Target], keys: list[str], fp: str, chash: str | None
    ) -> None:
        if not targets:
            return
        async with self.store.session() as session, session.begin():
            values: dict[str, Any] = {"fingerprint": fp}
            if chash is not None:
                values["content_hash"] = chash
            await session.execute(
                update(SeenItem)
                .where(SeenItem.channel_id.in_([t.channel.id for t in targets]), SeenItem.key.in_(keys))
                .values(**values)
            )

    async def _updated(
        self,
        targets: list[_Target],
        rows: dict[int, list[SeenItem]],
        keys: list[str],
        fp: str,
        article: Article,
        row: ArticleRow,
        feed_id: int,
        report: PollReport,
    ) -> bool:
        """An entry the channel already had was updated: post it again only if its text changed
        materially (``settings.repost_change`` of its words), else just remember the new version."""
        queued = False
        for t in targets:
            previous = next((r.content_hash for r in rows[t.channel.id] if r.content_hash), None)
            material = False
            if previous and previous != row.content_hash:
                async with self.store.session() as session:
                    old = await session.get(ArticleRow, previous)
                material = (
                    old is not None and change_ratio(old.text, article.text) >= self.settings.repost_change
                )
            # An entry that was history at subscription time (no text known) is not re-posted either.
            await self._set_fingerprint([t], keys, fp, row.content_hash)
            if (
                material
                and row.briefing_json is not None
                and filters.wanted(t.sub.filters, row.briefing_json, article.text)
            ):
                async with self.store.session() as session, session.begin():
                    queued = await self._file(session, t, row, article, feed_id) or queued
                report.new_items += 1
                queued = queued or t.sub.mode == "instant"
                log.info(
                    "updated entry %s re-posted to %s: its text changed materially",
                    article.url,
                    t.channel.channel,
                )
        return queued

    async def _mark_seen(
        self, targets: list[_Target], keys: list[str], feed_id: int, chash: str | None, fp: str | None = None
    ) -> None:
        async with self.store.session() as session, session.begin():
            seen = await self._seen(session, [t.channel.id for t in targets], keys)
            for t in targets:
                self._add_seen(session, t.channel.id, keys, seen.get(t.channel.id, set()), feed_id, chash, fp)

    def _add_seen(
        self,
        session: AsyncSession,
        channel_id: int,
        keys: list[str],
        already: set[str],
        feed_id: int,
        chash: str | None,
        fp: str | None,
    ) -> None:
        """Record the keys this channel has not seen yet (in the caller's transaction)."""
        for k in keys:
            if k not in already:
                session.add(
                    SeenItem(
                        channel_id=channel_id,
                        key=k,
                        feed_id=feed_id,
                        content_hash=chash,
                        fingerprint=fp,
                        created_at=self.clock.now(),
                    )
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
