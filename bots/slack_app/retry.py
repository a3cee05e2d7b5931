"""Retry handlers for the Slack Web API client: 429 honouring Retry-After, and dropped connections.

They subclass slack_sdk's own handlers; the only change is that the wait goes
through an injectable ``sleep`` so tests can observe it instead of waiting.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

Sleep = Callable[[float], Awaitable[None]]

# Slack's Retry-After is whole seconds; a little jitter keeps many workers from retrying in lockstep.
MAX_JITTER = 0.25


class RateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """On HTTP 429 wait exactly ``Retry-After`` seconds (plus a little jitter), then try again."""

    def __init__(self, max_retry_count: int = 2, *, sleep: Sleep = asyncio.sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("rate-limit retry without a response")
        state.next_attempt_requested = True
        await self._sleep(retry_after_seconds(response) + random.uniform(0, MAX_JITTER))
        state.increment_current_attempt()


class ConnectionRetry(AsyncConnectionErrorRetryHandler):
    """Retry once after a dropped connection or reset, with a short backoff."""

    def __init__(self, max_retry_count: int = 1, *, sleep: Sleep = asyncio.sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        await self._sleep(self.interval_calculator.calculate_sleep_duration(state.current_attempt))
        state.increment_current_attempt()


def retry_after_seconds(response: HttpResponse, default: float = 1.0) -> float:
    """The Retry-After header as seconds (Slack sends whole seconds); ``default`` when absent or odd."""
    for name, values in response.headers.items():
        if name.lower() == "retry-after":
            value = values[0] if isinstance(values, list) else values
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return default
    return default


def retry_handlers(*, sleep: Sleep = asyncio.sleep, rate_limits: bool = True) -> list[AsyncRetryHandler]:
    """The handlers every Slack client of ours uses.

    No retry on 5xx: Slack may have posted the message before failing, and a blind
    retry would post it twice (the outbox's idempotency check handles that case).
    ``rate_limits=False`` for the outbox's client: a 429 goes back to the outbox, which pauses the
    channel in every worker and sends again on a slot of the shared rate budget; a retry here would
    post outside that budget, into the platform's, and push other sends into 429s of their own.
    Interactive replies (not paced by the outbox) keep the retry.
    """
    handlers: list[AsyncRetryHandler] = [ConnectionRetry(sleep=sleep)]
    if rate_limits:
        handlers.append(RateLimitRetry(sleep=sleep))
    return handlers
