"""Helpers shared by the scheduler tests (imported by name; conftest only holds fixtures)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web

from briefings.clock import FakeClock
from briefings.deliver.delivery import ChannelRef, DeliveryError, PermanentDeliveryError, RateLimited
from briefings.models import Briefing, Bullet, Speaker

T0 = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # a Friday, two days before Europe's spring-forward


@dataclass
class Sent:
    channel: ChannelRef
    payload: Any
    key: str
    at: datetime


@dataclass
class RecordingPlatform:
    """Plays the platform side of a Deliverer: records accepted messages, fails as scripted.

    ``script`` is consumed one item per send attempt: "ok", "5xx", "429:<seconds>", "gone",
    or "crash" (the platform accepts the message, then our process dies before recording it).
    """

    clock: FakeClock
    platform: str = "slack"
    script: list[str] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    attempts: list[tuple[str, datetime]] = field(default_factory=list)
    history_checks: int = 0

    dead: bool = False  # after a "crash", our process is gone: it sends nothing more until restarted

    async def send(self, channel: ChannelRef, payload: Any, *, idempotency_key: str) -> str:
        if self.dead:
            raise ProcessDied()
        now = self.clock.now()
        self.attempts.append((idempotency_key, now))
        step = self.script.pop(0) if self.script else "ok"
        if step == "5xx":
            raise DeliveryError("HTTP 503 from the platform")
        if step.startswith("429"):
            raise RateLimited("rate limited", retry_after=float(step.split(":")[1]))
        if step == "gone":
            raise PermanentDeliveryError("channel_not_found")
        self.sent.append(Sent(channel, payload, idempotency_key, now))
        if step == "crash":
            self.dead = True
            raise ProcessDied()
        return f"m{len(self.sent)}"

    async def already_sent(self, channel: ChannelRef, idempotency_key: str) -> str | None:
        self.history_checks += 1
        for n, s in enumerate(self.sent, 1):
            if s.key == idempotency_key and s.channel == channel:
                return f"m{n}"
        return None


class ProcessDied(BaseException):
    """Not an Exception: nothing in the worker may catch it, like a kill -9 between send and record."""


def briefing(n: int, *, offers: int = 0) -> Briefing:
    bullets = [
        Bullet(
            speaker="A. Speaker", act="offer", kind="direct", text=f"offer {i}", cue="said", start=0, end=5
        )
        for i in range(offers)
    ]
    return Briefing(
        headline=f"Story number {n}",
        source=f"https://news.example/{n}",
        url=f"https://news.example/{n}",
        speakers=[Speaker(name="A. Speaker", statements=max(1, offers))],
        bullets=bullets,
        total_statements=len(bullets),
        counts={"offer": offers} if offers else {},
    )


# ---------------------------------------------------------------- a feed server on loopback


ARTICLE = (
    "{title}\n\n"
    "{who} said on {day} that the city would open {n} new libraries next year. "
    '"We are ready to pay for all of them," {who} told reporters. '
    "The council's finance committee demanded a full audit before any money is spent, "
    "according to a statement. Opposition leaders denied that the plan had been agreed.\n"
    "The libraries would be built in the northern districts, where residents have waited a decade "
    "for public reading rooms, and each would stay open until late in the evening on weekdays."
)


@dataclass
class FeedItem:
    guid: str
    link: str
    title: str
    published: datetime
    text: str | None = None  # full content; None = summary only


class FeedServer:
    """RSS 2.0 feeds on 127.0.0.1 with ETag / Last-Modified; ``fail`` makes a feed answer 500."""

    def __init__(self) -> None:
        self.feeds: dict[str, list[FeedItem]] = {}
        self.fail: dict[str, int] = {}  # path -> HTTP status to answer instead
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.not_modified = 0
        self.base = ""
        self._runner: web.AppRunner | None = None

    def url(self, path: str) -> str:
        return f"{self.base}/{path}"

    def add(
        self, path: str, n: int, *, start: int = 0, who: str = "Mayor Jane Doe", host: str = "news.example"
    ) -> list[FeedItem]:
        items = [
            FeedItem(
                guid=f"{path}-{i}",
                link=f"https://{host}/{path}/story-{i}",
                title=f"Libraries plan number {i}",
                published=T0 - timedelta(hours=100 - i),
                text=ARTICLE.format(title=f"Libraries plan number {i}", who=who, day="Monday", n=i + 2),
            )
            for i in range(start, start + n)
        ]
        self.feeds.setdefault(path, []).extend(items)
        return items

    def body(self, path: str) -> bytes:
        items = sorted(self.feeds[path], key=lambda i: i.published, reverse=True)
        parts = []
        for it in items:
            content = (
                f"<content:encoded><![CDATA[{''.join(f'<p>{p}</p>' for p in it.text.split(chr(10)) if p)}]]></content:encoded>"
                if it.text
                else ""
            )
            parts.append(
                f"<item><guid isPermaLink='false'>{escape(it.guid)}</guid><link>{escape(it.link)}</link>"
                f"<title>{escape(it.title)}</title><pubDate>{format_datetime(it.published)}</pubDate>"
                f"<description>{escape(it.title)}</description>{content}</item>"
            )
        return (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0' xmlns:content='http://purl.org/rss/1.0/modules/content/'>"
            f"<channel><title>Feed {path}</title><link>https://news.example/</link>{''.join(parts)}</channel></rss>"
        ).encode()

    async def handle(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        self.requests.append((path, dict(request.headers)))
        if path in self.fail:
            return web.Response(status=self.fail[path], text="broken")
        if path not in self.feeds:
            return web.Response(status=404, text="no such feed")
        body = self.body(path)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            self.not_modified += 1
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, content_type="application/rss+xml", headers={"ETag": etag})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{path}", self.handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()


def payload_text(payload: Any) -> str:
    return payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)


class Rows:
    """Writes channels, subscriptions and pending articles straight into the store (no feeds, no NLP)."""

    def __init__(self, store) -> None:
        self.store = store
        self._n = 0  # stories, numbered from 1
        self._feeds = 0

    async def subscription(
        self,
        *,
        platform: str = "slack",
        channel: str = "C1",
        times: str = "07:30",
        weekdays: str = "mon-sun",
        tz: str = "Europe/Berlin",
        created_at: datetime = T0,
        feed_url: str | None = None,
    ):
        from briefings.store import Channel, Feed, SubscriptionRow

        async with self.store.session() as session, session.begin():
            ch = Channel(
                platform=platform, workspace="W", channel=channel, timezone=tz, created_at=created_at
            )
            self._feeds += 1
            feed = Feed(
                url=feed_url or f"https://feeds.example/{self._feeds}.xml",
                interval_s=900,
                consecutive_failures=0,
            )
            session.add_all([ch, feed])
            await session.flush()
            sub = SubscriptionRow(
                channel_id=ch.id,
                feed_id=feed.id,
                times=times,
                weekdays=weekdays,
                timezone=tz,
                mode="digest",
                active=True,
                created_at=created_at,
            )
            session.add(sub)
            await session.flush()
            return sub, ch

    async def pending(self, channel_id: int, n: int, *, at: datetime = T0, offers_every: int = 3) -> None:
        from briefings.deliver.digests import briefing_to_json
        from briefings.store import ArticleRow, ChannelItem

        async with self.store.session() as session, session.begin():
            for _ in range(n):
                self._n += 1
                b = briefing(self._n, offers=1 if self._n % offers_every == 0 else 0)
                h = hashlib.sha256(f"article {self._n}".encode()).hexdigest()
                session.add(
                    ArticleRow(
                        content_hash=h,
                        url=b.url,
                        title=b.headline,
                        text="x",
                        briefing_json=briefing_to_json(b),
                        created_at=at,
                    )
                )
                await session.flush()
                session.add(
                    ChannelItem(
                        channel_id=channel_id, content_hash=h, url=b.url, title=b.headline, discovered_at=at
                    )
                )
