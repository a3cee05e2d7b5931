"""Dedupe of feed entries: the keys an entry is known by (GUID, canonical URL, content hash), its
fingerprint (a change means the entry was updated), and the step that sorts a feed's entries into
new and updated ones for each subscribed channel."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from briefings.storage import SeenRecord

# Query parameters that only track the reader; removed from URLs before comparing them.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi|"
    r"ref|ref_src|ref_url|cmpid|ocid|smid|smtyp|taid|at_medium|at_campaign|share|ito|wt\.mc_id|"
    r"__twitter_impression|s_cid|sr_share|mbid|rss|src)$",
    re.IGNORECASE,
)


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


# ---------------------------------------------------------------- new entries


class HasChannel(Protocol):
    @property
    def channel_id(self) -> int: ...


T = TypeVar("T", bound=HasChannel)


@dataclass
class Prepared:
    """A feed entry with the keys it is known by and its fingerprint."""

    entry: Any
    keys: list[str]
    fingerprint: str


@dataclass
class EntryWork(Generic[T]):
    """An entry that is news somewhere: ``fresh`` targets never had it, ``updated`` ones had an older
    version (``seen``: their seen rows of it, by channel id)."""

    entry: Any
    keys: list[str]
    fingerprint: str
    fresh: list[T]
    updated: list[T]
    seen: dict[int, list[SeenRecord]]


def prepare(entries: Sequence[Any]) -> list[Prepared]:
    """The entries with keys, oldest first (feeds list the newest first); entries without any are dropped."""
    return [
        Prepared(e, keys, entry_fingerprint(e)) for e in reversed(list(entries)) if (keys := entry_keys(e))
    ]


def all_keys(prepared: Iterable[Prepared]) -> list[str]:
    return list({k for p in prepared for k in p.keys})


def new_entries(
    prepared: Sequence[Prepared], targets: Sequence[T], seen: Mapping[tuple[int, str], SeenRecord]
) -> list[EntryWork[T]]:
    """For each entry (oldest first), the targets for which it is new or updated; entries nobody needs
    are left out. ``seen``: what the targets' channels have had, by (channel id, key)."""
    channel_ids = [t.channel_id for t in targets]
    work: list[EntryWork[T]] = []
    for p in prepared:
        rows = {
            cid: found for cid in channel_ids if (found := [r for k in p.keys if (r := seen.get((cid, k)))])
        }
        fresh = [t for t in targets if t.channel_id not in rows]
        # Seen before, but the feed now says something else about it: an updated entry.
        updated = [
            t
            for t in targets
            if any(r.fingerprint not in (None, p.fingerprint) for r in rows.get(t.channel_id, []))
        ]
        if fresh or updated:
            work.append(EntryWork(p.entry, p.keys, p.fingerprint, fresh, updated, rows))
    return work
