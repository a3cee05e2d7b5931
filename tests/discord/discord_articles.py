"""Articles served on loopback for the URL cases (``BRIEFBOT_ALLOW_PRIVATE_HOSTS`` lets the fetcher in)."""

from __future__ import annotations

import html
import time

from aiohttp import web


def article_html(title: str, paragraphs: list[str]) -> str:
    """A plain news page: headline and paragraphs inside <article>."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body><article>"
        f"<h1>{html.escape(title)}</h1>\n{body}\n</article></body></html>"
    )


def rss(title: str, items: list[tuple[str, str]]) -> str:
    """An RSS 2.0 feed of (title, link) items, newest first."""
    entries = "".join(
        f"<item><title>{html.escape(t)}</title><link>{html.escape(link)}</link><guid>{html.escape(link)}</guid>"
        f"<pubDate>Fri, 27 Nov 2026 0{i % 10}:00:00 GMT</pubDate></item>"
        for i, (t, link) in enumerate(items)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>{html.escape(title)}</title><link>http://example.com/</link><description>news</description>"
        f"{entries}</channel></rss>"
    )


class ArticleServer:
    """Serves ``pages`` (path -> HTML) on 127.0.0.1; anything else is a 404."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, str]] = {}
        self.hits: list[tuple[str, int]] = []  # (path, time.perf_counter_ns()) of every request
        self._runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/{path:.*}", self._page)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"
        return self.base

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def add(self, path: str, page: str, content_type: str = "text/html") -> str:
        self.pages[path.lstrip("/")] = (page, content_type)
        return f"{self.base}/{path.lstrip('/')}"

    async def _page(self, request: web.Request) -> web.Response:
        self.hits.append((request.match_info["path"], time.perf_counter_ns()))
        found = self.pages.get(request.match_info["path"])
        if found is None:
            return web.Response(status=404, text="not found")
        page, content_type = found
        return web.Response(text=page, content_type=content_type, charset="utf-8")
