"""``WebhookDeliverer``: each payload POSTed as JSON, signed, through the fetch safety rules.

Headers: ``X-Briefbot-Signature: sha256=<hex HMAC-SHA256 of the body with the hook's secret>``,
``X-Briefbot-Timestamp`` (Unix seconds) and ``X-Briefbot-Delivery`` (the outbox entry's idempotency key,
the same on every retry: receivers drop repeats by it). 2xx is delivered; 429 and 5xx, timeouts and
connection failures are retried by the outbox with backoff; any other answer (4xx, a redirect) is
permanent. A receiver cannot be asked what it got, so delivery is at least once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

import httpx

from briefings.clock import Clock, SystemClock
from briefings.deliver.delivery import ChannelRef, DeliveryError, PermanentDeliveryError, RateLimited
from briefings.errors import BriefbotError, InputError
from briefings.ingest.fetch import SafeClient, safe_client
from briefings.settings import Settings

from .hooks import Hook, hook

log = logging.getLogger(__name__)

TIMEOUT = 10.0  # seconds for one POST: a slow receiver is retried later, not waited for


def sign(body: bytes, secret: str) -> str:
    """The ``X-Briefbot-Signature`` value of ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


class WebhookDeliverer:
    """Posts webhook payloads (dicts) to the hooks the settings name; the channel id is the hook's name."""

    platform = "webhook"

    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self._client: SafeClient | None = None

    async def __aenter__(self) -> WebhookDeliverer:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> SafeClient:
        if self._client is None:
            self._client = safe_client(self.settings, connect_timeout=TIMEOUT)
        return self._client

    async def send(self, channel: ChannelRef, payload: Any, *, idempotency_key: str) -> str:
        try:
            target: Hook = hook(self.settings, channel.channel)
        except InputError as exc:  # the hook was removed from the settings since the message was queued
            raise PermanentDeliveryError(exc.message) from None
        if not isinstance(payload, dict):
            raise PermanentDeliveryError(
                f"a webhook message must be a JSON object, got {type(payload).__name__}"
            )
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Briefbot-Signature": sign(body, target.secret),
            "X-Briefbot-Timestamp": str(int(self.clock.now().timestamp())),
            "X-Briefbot-Delivery": idempotency_key,
        }
        where = f"webhook {target.name}"
        try:
            response = await self._http().post(target.url, content=body, headers=headers, timeout=TIMEOUT)
        except BriefbotError as exc:  # a private address after resolution, a refused URL: never better later
            raise PermanentDeliveryError(f"{where}: {exc.message}") from None
        except httpx.TimeoutException:
            raise DeliveryError(f"{where}: no answer within {TIMEOUT:g} s") from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{where}: {type(exc).__name__}") from None
        status = response.status_code
        if 200 <= status < 300:
            log.info("%s: delivered %s (%d)", where, idempotency_key, status)
            return response.headers.get("X-Request-Id") or idempotency_key
        if status == 429:
            raise RateLimited(f"{where}: 429 Too Many Requests", retry_after=_retry_after(response))
        if status >= 500 or status == 408:
            raise DeliveryError(f"{where}: HTTP {status}", retry_after=_retry_after(response))
        raise PermanentDeliveryError(f"{where}: HTTP {status} (not retried)")

    async def already_sent(self, channel: ChannelRef, idempotency_key: str) -> str | None:
        return None  # a receiver cannot be asked; X-Briefbot-Delivery lets it drop a repeat
