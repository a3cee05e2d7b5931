"""RSS 0.9x/1.0/2.0 and Atom feeds (feedparser) -> entries -> Articles, fetching full text when needed.

``parse_feed`` never touches the network or the file system (feedparser gets a
byte stream). An entry carrying its full text becomes an Article directly; an
entry with only a summary gets its link's page fetched (``entry_article``).
"""

from __future__ import annotations

import asyncio
import calendar
import io
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from briefings.errors import FeedError, InputError, MissingPartError
from briefings.ingest.fetch import ACCEPT_FEED, CONNECT_TIMEOUT, TOTAL_TIMEOUT, FetchResult, fetch
from briefings.ingest.html import clean_line, fragment_paragraphs, make_article, trim_site_suffix
from briefings.ingest.language import looks_english
from briefings.ingest.netsafety import Resolver, shorten
from briefings.ingest.pages import fetch_article
from briefings.models import Article
from briefings.redact import redact_urls
from briefings.settings import Settings

log = logging.getLogger(__name__)

# Shown with an item briefed from its feed summary because its page could not be read.
SUMMARY_NOTE = "feed summary: the article page could not be read"

# Feed content this long is the article itself, not a teaser (teasers run 20-80 words).
FULL_TEXT_MIN_WORDS = 150
_WORD = re.compile(r"\w+")
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html)[\s>]", re.I)
_FEED_LINK = re.compile(rb"""<link\b[^>]*\btype\s*=\s*["']application/(?:rss|atom)\+xml["'][^>]*>""", re.I)
# Entries read from one feed (the first and last half of them); a news feed holds a few hundred at most.
MAX_FEED_ENTRIES = 1000
_ENTRY_CLOSE = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>", re.I)
_HREF = re.compile(rb"""\bhref\s*=\s*["']([^"']{1,500})["']""", re.I)


@dataclass
class FeedEntry:
    """One item of a feed; ``content`` is the full text (paragraphs split by blank lines) when the feed carries it."""

    guid: str | None
    link: str | None
    title: str
    published: str | None  # ISO 8601 (UTC) when the feed dates the entry
    summary: str | None  # plain text
    content: str | None  # plain text; None when the feed only has a teaser
    author: str | None = None


@dataclass
class Feed:
    """A parsed feed: its title, its site link and its entries in feed order."""

    title: str
    link: str | None
    entries: list[FeedEntry]


def parse_feed(data: bytes, *, url: str, content_type: str | None = None) -> Feed:
    """Parse RSS/Atom bytes; raise FeedError with one clear line when it is not a readable feed.

    ``url`` is where the feed came from (relative links are resolved against it);
    ``content_type`` (the HTTP header, charset included) helps decoding.
    """
    try:
        import feedparser  # noqa: PLC0415 - its ImportError becomes one MissingPartError line (a broken install)
    except ImportError as exc:
        raise MissingPartError.of("the feed reader (feedparser)", exc) from None

    where = shorten(url)
    if not data.strip():
        raise FeedError(f"the feed at {where} is empty")
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    data, left_out = trim_entries(data)
    if left_out:
        log.warning(
            "feed %s has more than %d entries: %d in the middle were not read",
            url,
            MAX_FEED_ENTRIES,
            left_out,
        )
    try:
        # A byte stream, never a str: feedparser would fetch a str that looks like a URL.
        parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=True)
    except Exception as exc:  # feedparser is lenient, but its sub-parsers can still raise
        raise FeedError(f"{where} isn't a readable RSS or Atom feed", detail=repr(exc)) from None
    problem = parsed.get("bozo_exception")
    # Only XML errors make a feed unreadable; a charset mismatch or an odd Content-Type does not.
    harmless = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    broken = bool(parsed.get("bozo")) and not isinstance(problem, harmless)
    if not parsed.get("version") or (broken and not parsed.entries):
        if _HTML_ROOT.search(data[:2048]):
            hint = discover_feed_link(data, url)
            raise FeedError(
                f"{where} is a web page, not an RSS or Atom feed" + (f"; its feed is {hint}" if hint else ""),
                detail=repr(problem),
            )
        raise FeedError(f"{where} isn't a readable RSS or Atom feed", detail=repr(problem))
    if broken:
        log.warning("feed %s is malformed, read leniently: %r", redact_urls(url), problem)
    feed = parsed.feed
    title = _text(feed.get("title"))
    entries = [_entry(e, title or None) for e in parsed.entries]
    return Feed(title=title, link=_http_link(feed.get("link")), entries=entries)


def trim_entries(data: bytes, limit: int | None = None) -> tuple[bytes, int]:
    """A feed of more than ``limit`` entries keeps its first and last ``limit // 2`` (feeds list newest
    first by convention, some oldest first): feedparser reads 100,000 entries in about 14 s, 1,000 in
    0.15 s. Cut at entry boundaries, so the document stays well formed. Returns (data, entries left out)."""
    limit = MAX_FEED_ENTRIES if limit is None else limit
    closes = [m.end() for m in _ENTRY_CLOSE.finditer(data)]
    if len(closes) <= limit:
        return data, 0
    half = limit // 2
    head_end = closes[half - 1]
    tail_start = closes[len(closes) - (limit - half) - 1]  # the end of the entry before the kept tail
    return data[:head_end] + data[tail_start:], len(closes) - limit


def discover_feed_link(html: bytes, base: str) -> str | None:
    """The first RSS/Atom feed a page advertises with <link rel="alternate" type=...>, made absolute."""
    for tag in _FEED_LINK.finditer(html[:200_000]):
        href = _HREF.search(tag.group(0))
        if href:
            try:
                return _http_link(str(httpx.URL(base).join(href.group(1).decode("utf-8", "replace"))))
            except (httpx.InvalidURL, ValueError):
                continue
    return None


def _entry(e: Any, site_name: str | None = None) -> FeedEntry:
    content_html = _best_content(e.get("content") or [])
    summary_html = e.get("summary") or ""
    content_paragraphs = fragment_paragraphs(content_html) if content_html else []
    summary_paragraphs = fragment_paragraphs(summary_html) if summary_html else []
    content_words = sum(len(_WORD.findall(p)) for p in content_paragraphs)
    summary_words = sum(len(_WORD.findall(p)) for p in summary_paragraphs)
    if summary_paragraphs == content_paragraphs:
        summary_words = 0  # feedparser copies content into summary when there is none
    full = content_words >= FULL_TEXT_MIN_WORDS or (
        content_words >= 60 and content_words >= 2 * summary_words
    )
    summary = "\n\n".join(summary_paragraphs or content_paragraphs) or None
    link = _http_link(e.get("link"))
    return FeedEntry(
        guid=clean_line(e.get("id") or "") or None,
        link=link,
        title=trim_site_suffix(
            _text(e.get("title")),
            site_name=site_name,
            host=urlsplit(link).hostname if link else None,
        ),
        published=_iso(e.get("published_parsed") or e.get("updated_parsed")),
        summary=summary,
        content="\n\n".join(content_paragraphs) if full else None,
        author=clean_line(e.get("author") or "") or None,
    )


def _best_content(contents: list[Any]) -> str:
    """The richest of an entry's content elements (HTML preferred over plain text)."""
    best = ""
    for item in contents:
        value = item.get("value") or ""
        if len(value) > len(best):
            best = value
    return best


def _text(value: str | None) -> str:
    return " ".join(fragment_paragraphs(value)) if value else ""


def _http_link(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if re.match(r"^https?://", value, re.I) else None


def _iso(parsed: Any) -> str | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()
    except (TypeError, ValueError, OverflowError):
        return None


def entry_text_article(entry: FeedEntry, *, source: str | None = None) -> Article:
    """An entry -> Article from the text the feed carries (full content, else the summary); no network."""
    text = entry.content or entry.summary or ""
    where = source or entry.link or entry.guid or entry.title or "feed entry"
    if not text.strip():
        raise InputError(f"the feed entry {shorten(entry.title or where, 80)!r} has no text to brief")
    article = make_article(
        entry.title,
        text.split("\n\n"),
        source=where,
        url=entry.link,
        published=entry.published,
        author=entry.author,
        guid=entry.guid,
        summary=entry.summary,
    )
    if not looks_english(article.body):
        raise InputError(
            f"{shorten(where)} does not look like English text; briefbot briefs English news only"
        )
    return article


async def entry_article(
    entry: FeedEntry,
    settings: Settings,
    *,
    client: httpx.AsyncClient | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    total_timeout: float = TOTAL_TIMEOUT,
    resolver: Resolver | None = None,
) -> Article:
    """An entry -> Article: directly when it carries full text, else its link's page fetched.

    When the page has no extractable text (paywall, app shell) the summary is
    briefed instead; network failures raise FetchError so a scheduler can retry.
    """
    if entry.content or not entry.link:
        return entry_text_article(entry)
    try:
        article = await fetch_article(
            entry.link,
            settings,
            client=client,
            connect_timeout=connect_timeout,
            total_timeout=total_timeout,
            resolver=resolver,
        )
    except InputError as exc:
        if not entry.summary:
            raise
        log.warning(
            "no article text at %s (%s); briefing the feed summary", redact_urls(entry.link), exc.detail
        )
        article = entry_text_article(entry)
        article.note = SUMMARY_NOTE
        return article
    article.guid = entry.guid
    article.summary = entry.summary
    article.published = article.published or entry.published
    article.author = article.author or entry.author
    if not article.title and entry.title:
        article = make_article(
            entry.title,
            article.body.split("\n\n"),
            source=article.source,
            url=article.url,
            published=article.published,
            author=article.author,
            site_name=article.site_name,
            guid=article.guid,
            summary=article.summary,
        )
    return article


async def fetch_feed(
    url: str,
    settings: Settings,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    client: httpx.AsyncClient | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    total_timeout: float = TOTAL_TIMEOUT,
    resolver: Resolver | None = None,
) -> tuple[Feed | None, FetchResult]:
    """Conditional GET of a feed; ``(None, result)`` when it has not changed (304), else the parsed feed."""
    result = await fetch(
        url,
        settings,
        etag=etag,
        last_modified=last_modified,
        accept=ACCEPT_FEED,
        client=client,
        connect_timeout=connect_timeout,
        total_timeout=total_timeout,
        resolver=resolver,
    )
    if result.not_modified:
        return None, result
    charset = f"; charset={result.charset}" if result.charset else ""
    # A large feed takes a while to parse: off the event loop.
    feed = await asyncio.to_thread(
        parse_feed, result.content, url=result.url, content_type=f"{result.content_type}{charset}"
    )
    return feed, result
