"""Optional: after a channel digest, one thread per article holding that article's full briefing.

Needs two permissions beyond the default invite (``briefbot discord invite --threads``):
Create Public Threads and Send Messages in Threads.
"""

from __future__ import annotations

import logging
from typing import Final, Literal

import discord

from briefings.models import Digest

from .replies import briefing_payload, message_kwargs

log = logging.getLogger(__name__)

THREAD_NAME = 100  # Discord's limit on a channel (thread) name
ONE_DAY: Final[Literal[1440]] = 1440  # minutes of inactivity before Discord archives the thread


def thread_name(headline: str) -> str:
    """A thread name from a headline: one line, at most 100 characters."""
    name = " ".join(headline.split()) or "Briefing"
    return name if len(name) <= THREAD_NAME else name[: THREAD_NAME - 1].rstrip() + "…"


async def post_article_threads(channel: discord.TextChannel, digest: Digest) -> int:
    """Open a public thread per briefed article of the digest and post its full briefing; return how many.

    Raises ``discord.Forbidden`` when the bot lacks the thread permissions.
    """
    opened = 0
    for item in digest.items:
        if item.briefing is None:
            continue
        thread = await channel.create_thread(
            name=thread_name(item.headline or item.briefing.headline),
            type=discord.ChannelType.public_thread,
            auto_archive_duration=ONE_DAY,
        )
        await thread.send(**message_kwargs(briefing_payload(item.briefing)))
        opened += 1
    return opened
