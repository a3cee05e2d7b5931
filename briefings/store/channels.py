"""The channel rows every service files things under (subscriptions, statement memory, tracks)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Channel


async def channel_row(
    session: AsyncSession, platform: str, workspace: str | None, channel: str, *, create: bool, now: datetime
) -> Channel | None:
    """The channel's row; with ``create``, made (and flushed) when there is none yet."""
    row = (
        await session.execute(
            select(Channel).where(
                Channel.platform == platform,
                Channel.workspace == (workspace or ""),
                Channel.channel == channel,
            )
        )
    ).scalar_one_or_none()
    if row is None and create:
        row = Channel(platform=platform, workspace=workspace or "", channel=channel, created_at=now)
        session.add(row)
        await session.flush()
    return row
