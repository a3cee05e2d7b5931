"""OPML, the feed-list format every feed reader imports and exports: a channel's subscriptions out
(``/brief export``, ``briefbot feeds export``) and a reader's list in (``briefbot feeds import``).

Reading is defensive: at most ``MAX_BYTES``, no DOCTYPE or entities (no entity-expansion bombs), and
anything that is not OPML gets one line saying what is wrong."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import quoteattr

from briefings.errors import InputError

MAX_BYTES = 2 * 1024 * 1024
MAX_FEEDS = 500


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str | None = None


def parse_opml(data: bytes | str, *, name: str = "the OPML file") -> list[OpmlFeed]:
    """The feeds (``outline`` elements with an ``xmlUrl``, at any depth) of an OPML document, in
    document order, each address once. InputError (one line) when it is not OPML."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_BYTES:
        raise InputError(f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MB; not an OPML feed list")
    head = raw[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in raw.lower():
        raise InputError(f"{name} declares a DOCTYPE or entities, which OPML never needs; refused")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise InputError(f"{name} is not well-formed XML ({exc})") from None
    if root.tag.lower() != "opml":
        raise InputError(f"{name} is not OPML: its root element is <{root.tag[:40]}>, not <opml>")
    body = root.find("body")
    if body is None:
        raise InputError(f"{name} has no <body>; not an OPML feed list")
    out: list[OpmlFeed] = []
    seen: set[str] = set()
    for outline in body.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url or url in seen:
            continue
        seen.add(url)
        title = (outline.get("title") or outline.get("text") or "").strip() or None
        out.append(OpmlFeed(url, title))
    if not out:
        raise InputError(f"{name} lists no feeds (no <outline> with an xmlUrl)")
    if len(out) > MAX_FEEDS:
        raise InputError(f"{name} lists {len(out)} feeds; at most {MAX_FEEDS} are imported at once")
    return out


def to_opml(feeds: list[OpmlFeed], *, title: str, created: datetime | None = None) -> str:
    """An OPML 2.0 document listing ``feeds`` (RSS outlines, title and address)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{_text(title)}</title>",
    ]
    if created is not None:
        lines.append(f"    <dateCreated>{format_datetime(created)}</dateCreated>")
    lines += ["  </head>", "  <body>"]
    for feed in feeds:
        name = quoteattr(feed.title or feed.url)
        lines.append(f'    <outline type="rss" text={name} title={name} xmlUrl={quoteattr(feed.url)}/>')
    lines += ["  </body>", "</opml>"]
    return "\n".join(lines) + "\n"


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
