"""A fetched web page (or plain-text URL) -> ``Article``: ``fetch`` brings the bytes, ``html`` and
``text`` read them."""

from __future__ import annotations

import asyncio

import httpx

from briefings.errors import InputError
from briefings.ingest.fetch import CONNECT_TIMEOUT, TEXT_TYPES, TOTAL_TIMEOUT, FetchResult, fetch, is_feed
from briefings.ingest.html import article_from_html
from briefings.ingest.netsafety import Resolver, shorten
from briefings.ingest.text import article_from_text
from briefings.models import Article
from briefings.settings import Settings


async def fetch_article(
    url: str,
    settings: Settings,
    *,
    client: httpx.AsyncClient | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    total_timeout: float = TOTAL_TIMEOUT,
    resolver: Resolver | None = None,
) -> Article:
    """A web page (or plain-text URL) -> Article: main text, title, date, author, site name (trafilatura)."""
    result = await fetch(
        url,
        settings,
        client=client,
        connect_timeout=connect_timeout,
        total_timeout=total_timeout,
        resolver=resolver,
    )
    # trafilatura takes 50-100 ms a page: off the event loop, so bots stay responsive.
    return await asyncio.to_thread(article_from_result, result, source=url)


def article_from_result(result: FetchResult, *, source: str) -> Article:
    """A fetched page -> Article (HTML via trafilatura; plain text as in ``seeds/``); feeds are refused."""
    if result.content_type in TEXT_TYPES:
        article = article_from_text(result.text, source)
        article.url = result.url
        return article
    if is_feed(result):
        raise InputError(
            f"{shorten(result.url)} is a feed, not an article; subscribe to it to get its articles",
            detail=f"Content-Type {result.content_type}",
        )
    return article_from_html(result.text, source=source, url=result.url)
