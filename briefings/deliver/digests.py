"""A channel's digest from its pending articles: load cached briefings, compose, render per platform,
and (for scheduled slots) queue the messages in the caller's transaction."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol

from briefings.deliver import editor, platforms
from briefings.models import Briefing, Bullet, Digest, Speaker, StatementRecord
from briefings.present.compose import digest_of
from briefings.storage import ChannelRecord, UnitOfWork


def briefing_to_json(briefing: Briefing) -> str:
    return json.dumps(briefing.to_dict(), ensure_ascii=False)


def briefing_from_json(data: str) -> Briefing:
    raw: dict[str, Any] = json.loads(data)
    raw["speakers"] = [Speaker(**s) for s in raw.get("speakers", [])]
    raw["bullets"] = [Bullet(**b) for b in raw.get("bullets", [])]
    raw["record"] = [StatementRecord(**r) for r in raw.get("record", [])]
    return Briefing(**raw)


async def take_digest(
    uow: UnitOfWork,
    channel_id: int,
    *,
    title: str,
    now: datetime,
    cap: int,
    max_listed: int | None = None,
) -> tuple[Digest | None, int]:
    """Compose the pending articles into a Digest and mark them taken (in the caller's unit of work)."""

    items = await uow.items.pending(channel_id)
    if not items:
        return None, 0
    briefed = [
        (pending, briefing_from_json(pending.article.briefing_json))
        for pending in items
        if pending.article.briefing_json
    ]
    await uow.items.mark_digested([pending.id for pending in items], now)
    if not briefed:
        return None, len(items)
    # One item per story, "also reported by" the other feeds that carried it.
    found = await editor.stories(uow, channel_id, briefed)
    briefings = [(story.briefing, story.url) for story in found]
    digest = digest_of(briefings, title=title, cap=cap, generated_at=now.isoformat(), max_listed=max_listed)
    also = {id(story.briefing): story.also for story in found}
    for item in digest.items:
        item.also = also.get(id(item.briefing), [])
    for marker in editor.DIGEST_MARKERS:
        await marker(uow, channel_id, digest)
    return digest, len(items)


class QueueDigest(Protocol):
    """Take a channel's digest and queue its messages in the unit of work ``uow``: (messages, articles)."""

    async def __call__(
        self,
        uow: UnitOfWork,
        channel: ChannelRecord,
        *,
        title: str,
        now: datetime,
        key: str,
        cap: int,
        max_listed: int | None = None,
    ) -> tuple[int, int]: ...


async def queue_digest(
    uow: UnitOfWork,
    channel: ChannelRecord,
    *,
    title: str,
    now: datetime,
    key: str,
    cap: int,
    max_listed: int | None = None,
) -> tuple[int, int]:
    """Take the channel's digest and queue its messages in the outbox; returns (messages, articles)."""

    digest, n = await take_digest(uow, channel.id, title=title, now=now, cap=cap, max_listed=max_listed)
    if digest is None:
        return 0, n
    payloads = platforms.get(channel.platform).renderer.digest(digest, tz=channel.timezone)
    await uow.outbox.enqueue(channel.id, "digest", payloads, key=key, now=now)
    return len(payloads), n
