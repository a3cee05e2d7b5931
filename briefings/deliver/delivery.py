"""What the core needs from a platform to deliver a message; adapters implement ``Deliverer``.

A *payload* is what the platform's renderer (``platforms.get(name).renderer``)
returns for that platform: a dict for Slack (``text`` + ``blocks``) and Discord
(``content`` + ``embeds`` + ``allowed_mentions``), a str for the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class ChannelRef:
    """Where a message goes: platform, workspace (Slack team / Discord guild) and channel id."""

    platform: str  # "console" | "slack" | "discord"
    channel: str
    workspace: str | None = None

    def __str__(self) -> str:
        return f"{self.platform}:{self.channel}"


class DeliveryError(Exception):
    """Sending failed; ``retryable`` says whether trying again later may succeed."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(DeliveryError):
    """The platform said 429; wait ``retry_after`` seconds."""


class PermanentDeliveryError(DeliveryError):
    """Trying again will not help (channel gone, bot removed, payload refused)."""

    retryable = False


@runtime_checkable
class Deliverer(Protocol):
    """Sends rendered payloads to one platform."""

    platform: str

    async def send(self, channel: ChannelRef, payload: Any, *, idempotency_key: str) -> str:
        """Post one message; return the platform's message id. Raise DeliveryError subclasses on failure.

        ``idempotency_key`` is stable across retries of the same outbox entry: use it
        where the platform has idempotency (Discord's nonce with enforce_nonce) or
        embed it where a later ``already_sent`` can find it.
        """
        ...

    async def already_sent(self, channel: ChannelRef, idempotency_key: str) -> str | None:
        """The message id if a message with this key is already in the channel's recent history."""
        ...
