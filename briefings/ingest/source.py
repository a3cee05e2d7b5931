"""Every way a source becomes articles, in one place: a URL (page or feed), a local file (only where
the caller allows files: the CLI and the console) or pasted text. Chat adapters never allow files:
text a stranger types must not read the server's disk."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path

from briefings.errors import BriefbotError, InputError
from briefings.ingest.feeds import entry_article, entry_text_article, parse_feed
from briefings.ingest.fetch import ACCEPT_FEED, fetch, is_feed, sniff_media_type
from briefings.ingest.html import article_from_html
from briefings.ingest.netsafety import shorten
from briefings.ingest.pages import article_from_result, fetch_article
from briefings.ingest.text import article_from_text, decode_text
from briefings.models import Article
from briefings.settings import Settings

_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_ADDRESS = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)
# "www.example.com/news", "example.co.uk/a": a web address without its scheme (for a hint only).
_SCHEMELESS = re.compile(r"^(?:www\.|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/)", re.IGNORECASE)
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
FEED_SUFFIXES = (".xml", ".rss", ".atom")


def is_url(text: str) -> bool:
    return bool(_URL.match(text.strip()))


def address_scheme(text: str) -> str | None:
    """The scheme of ``text`` written as an address (``file:///…``, ``http://``), lower case; else None."""
    m = _ADDRESS.match(text.strip())
    return m.group(1).lower() if m else None


async def load_address(address: str, settings: Settings) -> Article:
    """A source written as an address: an http(s) page (a malformed one gets ``check_url``'s line, not
    "no such file"); any other scheme (``file://``, ``ftp://``) one line."""
    address = address.strip()
    if address_scheme(address) not in ("http", "https"):
        raise _not_web(address)
    return await fetch_article(address, settings)


def _not_web(address: str) -> InputError:
    return InputError(f"{shorten(address)}: only http:// and https:// addresses can be briefed")


def _no_such_file(source: str) -> InputError:
    """The line for a path that is not there: an address of another scheme is said to be one."""
    scheme = address_scheme(source)
    if scheme is not None and scheme not in ("http", "https"):
        return _not_web(source)
    if _SCHEMELESS.match(source):
        return InputError(f"{source}: no such file (a web address starts with https://)")
    return InputError(f"{source}: no such file")


def _is_file(source: str) -> bool:
    return Path(source).is_file()


async def load_source(
    source: str,
    settings: Settings,
    *,
    allow_files: bool = False,
    pasted: bool = False,
    refuse_words: bool = False,
) -> Article:
    """A URL, a local path (only with ``allow_files``) or pasted text -> Article.

    ``pasted``: the source is text, taken as given (never a URL or a path). ``refuse_words``: a single word
    that is neither a URL nor a file is refused (a chat command, not an article).
    """
    text = source if pasted else source.strip()
    if not pasted and address_scheme(text) and not any(c.isspace() for c in text):
        return await load_address(text, settings)
    if not pasted and allow_files and "\n" not in text and len(text) < 4096:
        if await asyncio.to_thread(_is_file, text):
            return await asyncio.to_thread(load_path, text)
    if refuse_words and len(text) < 200 and "\n" not in text and " " not in text:
        raise InputError(f"{text[:100]!r} is not a URL or an article; try /brief help")
    return article_from_text(text, "pasted text")


async def load_articles(
    source: str, settings: Settings, max_entries: int, *, skipped: Callable[[str, BriefbotError], None]
) -> list[Article]:
    """A source -> its articles: a file or URL of an article (one), or of a feed (its newest entries).

    An entry of a fetched feed that cannot be briefed is passed to ``skipped`` and left out.
    """
    if address_scheme(source) not in (None, "http", "https"):
        raise _not_web(source)
    if re.match(r"^https?://", source, re.I):
        result = await fetch(source, settings, accept=ACCEPT_FEED)
        if is_feed(result):
            feed = parse_feed(result.content, url=result.url)
            out = []
            for entry in feed.entries[:max_entries]:
                try:
                    out.append(await entry_article(entry, settings))
                except BriefbotError as exc:
                    skipped(entry.link or entry.title, exc)
            return out
        return [await asyncio.to_thread(article_from_result, result, source=source)]
    if Path(source).suffix.lower() in FEED_SUFFIXES:
        return (await asyncio.to_thread(load_feed_file, source))[:max_entries]
    return [await asyncio.to_thread(load_path, source)]


def _read(p: Path, source: str) -> bytes:
    try:
        return p.read_bytes()
    except OSError as exc:
        raise InputError(f"{source} cannot be read: {exc.strerror or exc}") from None


def load_path(path: str | Path) -> Article:
    """Read a local article file (``.txt``: headline on line 1; ``.html``); feeds go to ``load_feed_file``."""
    p = Path(path)
    source = str(path)
    if not p.exists():
        raise _no_such_file(source)
    if p.is_dir():
        raise InputError(f"{source} is a folder; give an article file")
    data = _read(p, source)
    suffix = p.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return article_from_html(data, source=source)
    if suffix in FEED_SUFFIXES:
        raise InputError(f"{source} is a feed; use `briefbot digest {source}` to brief its entries")
    return article_from_bytes(data, source)


def article_from_bytes(data: bytes, source: str) -> Article:
    """A file's or stdin's bytes -> Article: a saved web page (``curl URL | briefbot brief -``, a page
    saved as ``.php`` or without a suffix) by its markup, anything else as plain text."""
    if sniff_media_type(data) == "text/html":
        return article_from_html(data, source=source)
    return article_from_text(decode_text(data, source), source)


def load_feed_file(path: str | Path) -> list[Article]:
    """Read a local RSS/Atom file: one Article per entry that carries text (full content, else summary).

    Nothing is fetched: an entry with only a summary is briefed from its summary.
    """
    p = Path(path)
    source = str(path)
    if not p.is_file():
        raise (
            _no_such_file(source) if not p.exists() else InputError(f"{source} is a folder; give a feed file")
        )
    data = _read(p, source)
    feed = parse_feed(data, url=p.resolve().as_uri())
    articles = []
    for n, entry in enumerate(feed.entries, 1):
        try:
            articles.append(entry_text_article(entry, source=entry.link or f"{source}#{n}"))
        except InputError:
            continue  # an entry without text (a bare link) has nothing to brief offline
    if not articles:
        raise InputError(f"{source} has no entries with text to brief ({len(feed.entries)} entries)")
    return articles
