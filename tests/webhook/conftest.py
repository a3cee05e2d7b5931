"""A webhook receiver on loopback (answers scripted statuses) that also serves a small feed and its story."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from aiohttp import web
from webhook_support import STORY, Post, Receiver

from briefings.clock import FakeClock


@pytest.fixture
async def receiver(clock):
    r = Receiver()

    async def hook(request: web.Request) -> web.Response:
        r.posts.append(Post(dict(request.headers), await request.read()))
        return web.Response(status=r.statuses.pop(0) if r.statuses else 200, text="ok")

    async def feed(request: web.Request) -> web.Response:
        item = (
            f"<item><guid>story-1</guid><link>{r.base}/story</link><title>Harbour plan approved</title>"
            f"<pubDate>{format_datetime(clock.now())}</pubDate><description>The harbour plan.</description></item>"
        )
        body = f"<?xml version='1.0'?><rss version='2.0'><channel><title>Harbour news</title>{item}</channel></rss>"
        return web.Response(text=body, content_type="application/rss+xml")

    async def story(request: web.Request) -> web.Response:
        head, _, text = STORY.partition("\n")
        html = f"<html><head><title>{head}</title></head><body><article><h1>{head}</h1><p>{text}</p></article></body></html>"
        return web.Response(text=html, content_type="text/html")

    app = web.Application()
    app.router.add_post("/hooks/abc123", hook)
    app.router.add_get("/feed.xml", feed)
    app.router.add_get("/story", story)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    r.base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    yield r
    await runner.cleanup()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
