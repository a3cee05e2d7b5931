"""What an editor does to a channel's pending articles before they become a digest: one item per story,
naming the other feeds and sites that "also reported" it, and (statement memory, issue 14 part A) the
marks of what is new since the last digest.

Two kinds of "same story" are merged: the same text that the poller already recognised by its content
hash when a second feed carried it (filed once; the other feed is remembered in ``seen_items``), and
rewrites of one story (``stories.cluster``: Jaccard of word 3-shingles at ``stories.SAME_STORY``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from briefings.deliver.stories import SAME_STORY, cluster
from briefings.models import Briefing, Digest
from briefings.storage import PendingItem, UnitOfWork


@dataclass
class Story:
    """One story of a digest: the version shown and who else carried it."""

    briefing: Briefing
    url: str | None
    also: list[str] = field(default_factory=list)  # feed or site names, in the order they were seen


# Statement memory's hook (issue 14 part A): each marker is awaited with the unit of work, the channel id and
# the composed digest, before it is rendered, and may mark its items (e.g. statements by tracked speakers
# new since the channel's last digest). Register with ``DIGEST_MARKERS.append(marker)``.
DigestMarker = Callable[[UnitOfWork, int, Digest], Awaitable[None]]
DIGEST_MARKERS: list[DigestMarker] = []


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host or None


async def stories(
    uow: UnitOfWork,
    channel_id: int,
    items: list[tuple[PendingItem, Briefing]],
    *,
    threshold: float = SAME_STORY,
) -> list[Story]:
    """The pending (item, briefing) pairs, newest first, as one Story per story: the version with the
    most statements is shown (the newest among equals), the others' sources are named."""
    if not items:
        return []
    hashes = list({pending.article.content_hash for pending, _ in items})
    # Feeds that carried exactly the same text: the poller filed the story once and remembered the rest.
    carried = await uow.seen.carriers(channel_id, hashes)
    feed_ids = {fid for _, fid in carried} | {p.item.feed_id for p, _ in items if p.item.feed_id}
    titles = {f.id: f.title or _host(f.url) or f.url for f in await uow.feeds.many(sorted(feed_ids))}

    def source(feed_id: int | None, briefing: Briefing, url: str | None) -> str | None:
        if feed_id is not None and feed_id in titles:
            return titles[feed_id]
        return briefing.site_name or _host(url or briefing.url)

    out: list[Story] = []
    texts = [pending.article.text for pending, _ in items]
    # A feed's own near-identical items stay apart; an item without a feed is a source of its own.
    sources = [p.item.feed_id if p.item.feed_id is not None else f"item{p.id}" for p, _ in items]
    # Pure CPU (about 2 ms an article, benchmarks/dedupe_threshold.py): off the event loop, unless there
    # is nothing to compare (one article: a thread hop would cost more than the answer).
    groups = [[0]] if len(items) == 1 else await asyncio.to_thread(cluster, texts, threshold, sources)
    for group in groups:
        members = [items[i] for i in group]
        shown = max(range(len(members)), key=lambda k: (members[k][1].total_statements, -k))
        pending, briefing = members[shown]
        own = source(pending.item.feed_id, briefing, pending.item.url)
        names: list[str] = []
        for other, other_briefing in members:
            feeds: list[int | None] = [other.item.feed_id]
            feeds += [fid for h, fid in carried if h == other.article.content_hash]
            for carrier in feeds:
                name = source(carrier, other_briefing, other.item.url)
                if name and name != own and name not in names:
                    names.append(name)
        out.append(Story(briefing=briefing, url=pending.item.url or pending.article.url, also=names))
    return out
