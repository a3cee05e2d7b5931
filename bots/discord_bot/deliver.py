"""``DiscordDeliverer``: posts rendered payloads to channels through Discord's REST API only (no gateway).

Usage (``briefbot digest --to discord:<channel_id>``, the outbox worker)::

    async with DiscordDeliverer(settings) as deliverer:      # logs in: GET /users/@me
        message_id = await deliverer.send(ChannelRef("discord", "123"), payload, idempotency_key=key)

``send`` also logs in on first use, so a deliverer built by the composition root
can be used without ``async with``; then call ``await deliverer.close()``.

Idempotency: every message carries ``nonce`` = a 25-character digest of the
idempotency key, with ``enforce_nonce``, so a retry of the same outbox entry
within Discord's nonce window returns the message already created instead of
posting it again. Discord does not keep nonces on stored messages, so for
later checks the last embed's footer carries a short ``ref`` of the key, which
``already_sent`` looks for among the bot's recent messages in the channel.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import logging
from typing import Any

import aiohttp
import discord
from discord.http import HTTPClient, Route, handle_message_parameters

from briefings.deliver.delivery import ChannelRef, DeliveryError, PermanentDeliveryError, RateLimited
from briefings.errors import ConfigError
from briefings.settings import Settings

from .config import discord_settings
from .replies import NO_MENTIONS
from .rest import apply_api_base

log = logging.getLogger(__name__)

NONCE_CHARS = 25  # Discord's limit for a message nonce
EMBED_TOTAL = 6000  # Discord's limit on the characters of all embeds of a message
FOOTER_CHARS = 2048
# discord.py sleeps through a 429 itself; a longer wait is handed back to the outbox worker.
MAX_RATELIMIT_WAIT = 30.0


def nonce_of(idempotency_key: str) -> str:
    """A nonce Discord accepts (at most 25 characters), stable for the key."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:NONCE_CHARS]


def ref_of(idempotency_key: str) -> str:
    """The short reference shown in the footer, found again by ``already_sent``."""
    return "ref " + hashlib.sha256(idempotency_key.encode()).hexdigest()[:10]


def _embed_chars(embed: dict[str, Any]) -> int:
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "") + len(
        (embed.get("author") or {}).get("name") or ""
    )
    for field in embed.get("fields") or []:
        total += len(field.get("name") or "") + len(field.get("value") or "")
    return total


def with_ref(payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
    """A copy of the payload whose last embed's footer ends with the key's ref, when it still fits."""
    embeds = payload.get("embeds") or []
    if not embeds:
        return payload
    marked = copy.deepcopy(payload)
    last = marked["embeds"][-1]
    ref = ref_of(idempotency_key)
    footer = (last.get("footer") or {}).get("text") or ""
    text = f"{footer} · {ref}" if footer else ref
    if len(text) > FOOTER_CHARS or sum(map(_embed_chars, embeds)) - len(footer) + len(text) > EMBED_TOTAL:
        return payload  # never push a message over Discord's limits for the sake of the ref
    last["footer"] = {**(last.get("footer") or {}), "text": text}
    return marked


class TokenRefused(PermanentDeliveryError, ConfigError):
    """Discord refused DISCORD_TOKEN: permanent for the outbox, a one-line setting error for the CLI."""


class DiscordDeliverer:
    """Implements ``briefings.deliver.delivery.Deliverer`` for Discord with discord.py's ``HTTPClient``."""

    platform = "discord"

    def __init__(self, settings: Settings, *, history_limit: int = 50) -> None:
        discord_settings(settings).require()
        self.settings = settings
        self.history_limit = history_limit
        self._http: HTTPClient | None = None
        self._user_id: int | None = None
        self._login_lock = asyncio.Lock()

    async def __aenter__(self) -> DiscordDeliverer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Log in over REST (once); raises DeliveryError if Discord refuses the token."""
        async with self._login_lock:
            if self._http is not None:
                return
            apply_api_base(self.settings)
            http = HTTPClient(asyncio.get_running_loop(), max_ratelimit_timeout=MAX_RATELIMIT_WAIT)
            try:
                me = await http.static_login(discord_settings(self.settings).token or "")
            except discord.LoginFailure:
                await http.close()
                raise TokenRefused(
                    "Discord refused DISCORD_TOKEN (reset it in the Developer Portal > Bot)"
                ) from None
            except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
                await http.close()
                raise DeliveryError(f"could not reach Discord at {Route.BASE}: {exc}") from exc
            self._http, self._user_id = http, int(me["id"])

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def send(self, channel: ChannelRef, payload: Any, *, idempotency_key: str) -> str:
        """Post one rendered payload; return the message id."""
        await self.start()
        assert self._http is not None
        if not isinstance(payload, dict):
            raise PermanentDeliveryError(
                f"a Discord message must be a rendered dict, got {type(payload).__name__}"
            )
        payload = with_ref(payload, idempotency_key)
        embeds = [discord.Embed.from_dict(e) for e in payload.get("embeds") or []]
        with handle_message_parameters(
            content=payload.get("content") or None,
            embeds=embeds,
            allowed_mentions=NO_MENTIONS,
            nonce=nonce_of(idempotency_key),  # also sets enforce_nonce
        ) as params:
            data = await self._call(self._http.send_message(_channel_id(channel), params=params), channel)
        return str(data["id"])

    async def already_sent(self, channel: ChannelRef, idempotency_key: str) -> str | None:
        """The id of a recent message of ours in the channel carrying this key's ref, if any."""
        await self.start()
        assert self._http is not None
        ref = ref_of(idempotency_key)
        messages = await self._call(self._http.logs_from(_channel_id(channel), self.history_limit), channel)
        for message in messages:
            if int(message.get("author", {}).get("id", 0)) != self._user_id:
                continue
            for embed in message.get("embeds") or []:
                if ref in ((embed.get("footer") or {}).get("text") or ""):
                    return str(message["id"])
        return None

    async def _call(self, request: Any, channel: ChannelRef) -> Any:
        """Await a discord.py request, translating its errors into the core's delivery errors."""
        try:
            return await request
        except discord.RateLimited as exc:
            raise RateLimited(f"Discord rate limit on {channel}", retry_after=exc.retry_after) from exc
        except (discord.Forbidden, discord.NotFound) as exc:
            raise PermanentDeliveryError(f"Discord refused {channel}: {exc.text or exc.status}") from exc
        except discord.DiscordServerError as exc:
            raise DeliveryError(f"Discord server error {exc.status} for {channel}") from exc
        except discord.HTTPException as exc:
            # 4xx other than rate limits: the payload or the channel is wrong, retrying will not help.
            raise PermanentDeliveryError(f"Discord said {exc.status} for {channel}: {exc.text}") from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise DeliveryError(f"could not reach Discord for {channel}: {exc}") from exc


def _channel_id(channel: ChannelRef) -> int:
    if channel.platform != "discord" or not channel.channel.isdigit():
        raise PermanentDeliveryError(f"not a Discord channel id: {channel}")
    return int(channel.channel)
