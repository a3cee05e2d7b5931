"""Turn what a user gives us (a text file, pasted text, stdin) into an ``Article``.

URLs, HTML pages and feeds come through ``fetch``/``html``/``feeds`` and end in
the same ``Article``. Every refusal is an ``InputError`` with a one-line message.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import InputError
from .language import looks_english
from .models import Article

MAX_TEXT_CHARS = 2_000_000  # a briefing of more than this is not a news article
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode_text(data: bytes, source: str) -> str:
    """Decode UTF-8 bytes exactly (no newline translation); refuse binary and non-UTF-8 input."""
    if not data.strip():
        raise InputError(f"{source} is empty: there is no article to brief")
    if b"\x00" in data[:8192]:
        raise InputError(f"{source} looks like a binary file, not an article (expected UTF-8 text)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source} is not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8 and try again"
        ) from None
    if len(_CONTROL.findall(text[:8192])) > 8:
        raise InputError(f"{source} looks like a binary file, not an article (expected UTF-8 text)")
    return text


def article_from_text(text: str, source: str = "pasted text", *, headline_line: bool = True) -> Article:
    """Build an Article from plain text: line 1 is the headline when ``headline_line`` (as in ``seeds/``).

    Offsets of later stages index into ``text`` exactly as given.
    """
    if not text.strip():
        raise InputError(f"{source} is empty: there is no article to brief")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            f"{source} is too long to brief ({len(text):,} characters; the limit is {MAX_TEXT_CHARS:,})"
        )
    if not looks_english(text):
        raise InputError(f"{source} does not look like English text; briefbot briefs English news only")
    title = ""
    body_start = 0
    if headline_line:
        lead = len(text) - len(text.lstrip())
        newline = text.find("\n", lead)
        first = text[lead:newline] if newline >= 0 else text[lead:]
        rest = text[newline + 1 :] if newline >= 0 else ""
        # A one-line text, or a first line that reads as a paragraph rather than a
        # headline, is body too.
        if rest.strip() and _is_headline(first):
            title = first.strip()
            body_start = newline + 1
    return Article(text=text, title=title, source=source, body_start=body_start)


def _is_headline(line: str) -> bool:
    line = line.strip()
    if not line or len(line) > 200:
        return False
    # A headline rarely ends in a full stop and rarely holds two sentences.
    return not re.search(r"[.!?][\"'”’]?\s+[A-Z“\"]", line) and not line.endswith((".", ":"))


def load_path(path: str | Path) -> Article:
    """Read a local article file (``.txt``: headline on line 1); HTML and feeds go through ``html``/``feeds``."""
    p = Path(path)
    source = str(path)
    if not p.exists():
        raise InputError(f"{source}: no such file")
    if p.is_dir():
        raise InputError(f"{source} is a folder; give an article file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{source} cannot be read: {exc.strerror or exc}") from None
    suffix = p.suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        from .html import article_from_html  # noqa: PLC0415 - trafilatura is only needed for HTML

        return article_from_html(data, source=source)
    if suffix in (".xml", ".rss", ".atom"):
        raise InputError(f"{source} is a feed; use `briefbot digest {source}` to brief its entries")
    text = decode_text(data, source)
    return article_from_text(text, source)


FEED_SUFFIXES = (".xml", ".rss", ".atom")


def load_feed_file(path: str | Path) -> list[Article]:
    """Read a local RSS/Atom file: one Article per entry that carries text (full content, else summary).

    Nothing is fetched: an entry with only a summary is briefed from its summary.
    """
    from .feeds import entry_text_article, parse_feed  # noqa: PLC0415 - feedparser only for feeds

    p = Path(path)
    source = str(path)
    if not p.is_file():
        raise InputError(
            f"{source}: no such file" if not p.exists() else f"{source} is a folder; give a feed file"
        )
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{source} cannot be read: {exc.strerror or exc}") from None
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
