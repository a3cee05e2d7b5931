"""``SlackDeliverer``: the outbox's way to post to Slack (``briefings.deliver.delivery.Deliverer``).

Rate limits: a 429 is not retried by slack_sdk here (the client has no rate-limit retry handler) but
raised as ``RateLimited``, so that the outbox pauses that channel and sends again on a slot of the
shared rate budget (``deliver/outbox.py``).

Idempotency: Slack has no idempotency key on ``chat.postMessage``, so the key
travels in the message's metadata, and ``already_sent`` looks for it in the
channel's recent history (``conversations.history`` with ``include_all_metadata``).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from briefings.deliver.delivery import ChannelRef, DeliveryError, PermanentDeliveryError, RateLimited

log = logging.getLogger(__name__)

METADATA_EVENT = "briefbot_delivery"
# Errors after which trying again cannot help (see each method's "Errors" table in Slack's docs).
_PERMANENT = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "msg_too_long",
        "invalid_blocks",
        "invalid_blocks_format",
        "no_text",
        "too_many_attachments",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "cannot_reply_to_message",
        "account_inactive",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "team_access_not_granted",
        "ekm_access_denied",
    }
)


class SlackDeliverer:
    """Posts rendered Slack payloads (``{"text", "blocks"}``) through the Web API."""

    platform = "slack"

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        installation_store: AsyncInstallationStore | None = None,
        history_limit: int = 100,
    ) -> None:
        if any(isinstance(h, AsyncRateLimitErrorRetryHandler) for h in client.retry_handlers):
            # The outbox answers a 429: it pauses the channel in every worker and sends again on a slot
            # of the shared rate budget. A client retrying it would post outside that budget.
            raise ValueError(
                "the outbox's Slack client must not retry 429s: make_client(retry_rate_limits=False)"
            )
        self.client = client
        self.installation_store = installation_store
        self.history_limit = history_limit

    async def _token(self, channel: ChannelRef) -> str | None:
        """Single workspace: the client's token. Distributed app: the bot token installed in that workspace."""
        if self.installation_store is None:
            return self.client.token
        bot = await self.installation_store.async_find_bot(enterprise_id=None, team_id=channel.workspace)
        if bot is None or not bot.bot_token:
            raise PermanentDeliveryError(f"briefbot is not installed in Slack workspace {channel.workspace}")
        return bot.bot_token

    async def send(self, channel: ChannelRef, payload: Any, *, idempotency_key: str) -> str:
        """Post one message; return its ``ts``. Raises RateLimited / PermanentDeliveryError / DeliveryError."""
        if not isinstance(payload, dict) or not (payload.get("text") or payload.get("blocks")):
            raise PermanentDeliveryError("a Slack payload needs text or blocks")
        token = await self._token(channel)
        try:
            response = await self.client.chat_postMessage(
                token=token,
                channel=channel.channel,
                text=payload.get("text", ""),
                blocks=payload.get("blocks"),
                metadata={
                    "event_type": METADATA_EVENT,
                    "event_payload": {"idempotency_key": idempotency_key},
                },
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            raise _delivery_error(exc) from exc
        except (SlackClientError, OSError, TimeoutError) as exc:  # connection refused/reset, timeout
            raise DeliveryError(f"Slack unreachable: {type(exc).__name__}: {exc}") from exc
        return str(response.get("ts"))

    async def already_sent(self, channel: ChannelRef, idempotency_key: str) -> str | None:
        """The ``ts`` of a message carrying this key among the channel's recent messages, else None.

        If history cannot be read (missing scope, bot not in a private channel) this
        returns None after a warning: the outbox then re-sends, so a crash exactly
        between send and record may post twice in such channels, never zero times.
        """
        token = await self._token(channel)
        try:
            response = await self.client.conversations_history(
                token=token, channel=channel.channel, limit=self.history_limit, include_all_metadata=True
            )
        except SlackApiError as exc:
            error = exc.response.get("error")
            if exc.response.status_code == 429:
                raise _delivery_error(exc) from exc
            log.warning("cannot read %s history to check for duplicates (%s)", channel, error)
            return None
        except (SlackClientError, OSError, TimeoutError) as exc:
            raise DeliveryError(f"Slack unreachable: {type(exc).__name__}: {exc}") from exc
        for message in response.get("messages") or ():
            metadata = message.get("metadata") or {}
            if (
                metadata.get("event_type") == METADATA_EVENT
                and (metadata.get("event_payload") or {}).get("idempotency_key") == idempotency_key
            ):
                return str(message.get("ts"))
        return None


def _delivery_error(exc: SlackApiError) -> DeliveryError:
    response = exc.response
    error = str(response.get("error") or f"HTTP {response.status_code}")
    if response.status_code == 429 or error == "ratelimited":
        retry_after = response.headers.get("Retry-After") or response.headers.get("retry-after")
        try:
            seconds = float(retry_after) if retry_after is not None else 1.0
        except ValueError:
            seconds = 1.0
        return RateLimited(f"Slack rate limit ({error})", retry_after=seconds)
    if error in _PERMANENT:
        return PermanentDeliveryError(f"Slack refused the message: {error}")
    return DeliveryError(f"Slack error: {error}")
