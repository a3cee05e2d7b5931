"""Bolt listeners: the ``/brief`` command, the "Brief this" message shortcut and the paste modal.

Each is bolt's lazy-listener pair: an ``ack_*`` function that answers Slack at once
(Slack wants the HTTP answer within 3 s) and a lazy function, started after the
answer has gone, that does the slow part: Slack payload -> core call ->
``SlackRenderer`` (Block Kit) -> Web API. Failures reach the user alone, ephemerally.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from briefings.deliver.chat import ChatCommands, Reply
from briefings.deliver.delivery import ChannelRef
from briefings.deliver.tenants import tenant_of, tenant_scope
from briefings.errors import BriefbotError
from briefings.pipeline import Briefer
from briefings.settings import Settings

from . import modal
from .blocks import SlackRenderer
from .config import slack_settings
from .incoming import links_in, to_plain

log = logging.getLogger(__name__)
SLACK = SlackRenderer()

COMMAND = "/brief"
SHORTCUT_ID = "brief_this"
# A message with a wall of links should not start a wall of briefings.
MAX_SHORTCUT_LINKS = 3
# Where a channel post cannot go (bot not invited, a DM with someone else), the
# response_url still can: Slack gives one with every command.
_NOT_POSTABLE = frozenset({"not_in_channel", "channel_not_found"})
_NOTHING_SAID = "Nobody is quoted or reported as saying anything there, so there is nothing to brief."
_FAILED = "Sorry, something went wrong while briefing that; the error was logged."


class SlackHandlers:
    """The listeners, holding the core services they call.

    ``/brief`` goes through the shared chat layer (``ChatCommands``: help, briefings,
    subscriptions); the modal and the shortcut call the Briefer directly, so pasted
    or quoted text that starts with "subscribe" is briefed, never run as a command.
    """

    def __init__(self, settings: Settings, briefer: Briefer, chat: ChatCommands) -> None:
        self.settings = settings
        self.briefer = briefer
        self.chat = chat

    async def is_admin(self, client: AsyncWebClient, user_id: str) -> bool:
        """May change any subscription of any channel: workspace admins and owners (``users.info``,
        scope ``users:read``) and the members BRIEFBOT_SLACK_ADMINS lists. Everyone else may change
        only the subscriptions they set up themselves."""
        if user_id in slack_settings(self.settings).admins:
            return True
        try:
            user = (await client.users_info(user=user_id)).get("user") or {}
        except SlackApiError as exc:
            log.warning(
                "users.info %s failed (%s): treated as not an admin", user_id, exc.response.get("error")
            )
            return False
        return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))

    # -- acknowledgements: nothing slow here ---------------------------------------------------

    async def ack_now(self, ack: Any) -> None:
        await ack()

    async def ack_modal(self, ack: Any, view: dict[str, Any]) -> None:
        if not modal.submitted_text(view).strip():
            await ack(response_action="errors", errors={"article_0": "Paste the article's text here."})
        else:
            await ack()  # closes the modal

    # -- /brief ---------------------------------------------------------------------------------

    async def on_command(self, command: dict[str, Any], client: AsyncWebClient, respond: Any) -> None:
        text = to_plain(command.get("text", "")).strip()
        channel = ChannelRef("slack", command["channel_id"], command.get("team_id"))
        if not text:
            # trigger_id expires 3 s after the command: open the modal before anything slow.
            await self._open_modal(client, command, respond)
            return
        try:
            user_id = command["user_id"]

            async def admin() -> bool:
                return await self.is_admin(client, user_id)

            reply = await self.chat.handle(
                text, channel=channel, user=user_id, can_manage=admin, creators_may_manage=True
            )
            await self._send_reply(reply, client, respond, command)
        except BriefbotError as exc:
            await _ephemeral_respond(respond, exc.message)
        except Exception:
            log.exception("/brief failed for %r", text[:200])
            await _ephemeral_respond(respond, _FAILED)

    async def _open_modal(self, client: AsyncWebClient, command: dict[str, Any], respond: Any) -> None:
        target = modal.ModalTarget(channel=command["channel_id"], team=command.get("team_id"))
        try:
            await client.views_open(trigger_id=command["trigger_id"], view=modal.brief_modal(target))
        except SlackApiError as exc:
            log.warning("views.open failed: %s", exc.response.get("error"))
            await _ephemeral_respond(respond, "Could not open the paste box; try /brief <url> instead.")

    async def _send_reply(
        self, reply: Reply, client: AsyncWebClient, respond: Any, command: dict[str, Any]
    ) -> None:
        channel_id = command["channel_id"]
        if reply.kind == "modal":
            await self._open_modal(client, command, respond)
        elif reply.kind == "briefing" and reply.briefing is not None:
            await _post(client, channel_id, _slack(SLACK.briefing(reply.briefing)), respond=respond)
        elif reply.recall is not None:  # /brief who: for the asker only
            await _ephemeral_respond(respond, reply.text, payload=_slack(SLACK.recall(reply.recall)))
        elif reply.code is not None:  # an OPML export: code blocks, to the user only
            for payload in SLACK.code(reply.text, reply.code):
                await respond(
                    text=payload["text"],
                    blocks=payload["blocks"],
                    response_type="ephemeral",
                    replace_original=False,
                )
        elif reply.ephemeral or reply.error:
            await _ephemeral_respond(respond, reply.text)
        else:
            await _post(client, channel_id, _slack(SLACK.message(reply.text)), respond=respond)

    # -- the paste modal ----------------------------------------------------------------------

    async def on_modal_submit(
        self, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        text = modal.submitted_text(view)
        if not text.strip():
            return  # ack_modal showed the field error
        target = modal.submission_target(view)
        user = body["user"]["id"]
        try:
            with (
                self.briefer.limits.hold(user, f"slack:{target.channel}"),
                tenant_scope(tenant_of("slack", target.team, target.channel)),
            ):
                _, briefing = await self.briefer.brief_source(text)
            await self.chat.remember(ChannelRef("slack", target.channel, target.team), briefing)
            await _post(client, target.channel, _slack(SLACK.briefing(briefing)), fallback_user=user)
        except BriefbotError as exc:
            await _ephemeral_post(client, target.channel, user, exc.message)
        except Exception:
            log.exception("modal briefing failed")
            await _ephemeral_post(client, target.channel, user, _FAILED)

    # -- "Brief this" message shortcut ---------------------------------------------------------

    async def on_shortcut(self, shortcut: dict[str, Any], client: AsyncWebClient) -> None:
        message = shortcut.get("message") or {}
        channel_id = shortcut["channel"]["id"]
        user = shortcut["user"]["id"]
        thread_ts = message.get("thread_ts") or message.get("ts")
        # Links win over the words around them; a message without links is the article itself.
        sources = _message_links(message)[:MAX_SHORTCUT_LINKS] or [to_plain(message.get("text", ""))]
        for source in sources:
            try:
                with (
                    self.briefer.limits.hold(user, f"slack:{channel_id}"),
                    tenant_scope(tenant_of("slack", (shortcut.get("team") or {}).get("id"), channel_id)),
                ):
                    _, briefing = await self.briefer.brief_source(source)
                team = (shortcut.get("team") or {}).get("id") or shortcut.get("team_id")
                await self.chat.remember(ChannelRef("slack", channel_id, team), briefing)
                if not briefing.bullets:
                    # Someone else's thread: an empty briefing there is noise, so tell only the user.
                    await _ephemeral_post(client, channel_id, user, _NOTHING_SAID, thread_ts=thread_ts)
                    continue
                await _post(
                    client,
                    channel_id,
                    _slack(SLACK.briefing(briefing)),
                    thread_ts=thread_ts,
                    fallback_user=user,
                )
            except BriefbotError as exc:
                await _ephemeral_post(client, channel_id, user, exc.message, thread_ts=thread_ts)
            except Exception:
                log.exception("shortcut briefing failed for %r", source[:200])
                await _ephemeral_post(client, channel_id, user, _FAILED, thread_ts=thread_ts)


def register(app: AsyncApp, handlers: SlackHandlers) -> None:
    """Attach the listeners to a bolt app built with ``process_before_response=True``.

    With that flag bolt runs the ack function inside the request and answers as soon
    as it returns, then starts the lazy function as its own task. Without it, the
    answer waits for a listener task and a 10 ms polling loop, both queued behind
    every other command's post-ack work: under a burst of 50 commands the acks took
    p50 0.62 s / p99 0.65 s that way, 0.14 s / 0.29 s this way (benchmarks/slack_ack_bench.py).
    """
    app.command(COMMAND)(ack=handlers.ack_now, lazy=[handlers.on_command])
    app.view(modal.CALLBACK_ID)(ack=handlers.ack_modal, lazy=[handlers.on_modal_submit])
    app.shortcut(SHORTCUT_ID)(ack=handlers.ack_now, lazy=[handlers.on_shortcut])


def _slack(payload: str | dict[str, Any]) -> dict[str, Any]:
    """``SlackRenderer`` gives ``{"text", "blocks"}``; anything else is a bug upstream."""
    if not isinstance(payload, dict):
        raise TypeError("a Slack payload must be a dict with text and blocks")
    return payload


def _message_links(message: dict[str, Any]) -> list[str]:
    links = links_in(message.get("text", ""))
    for attachment in message.get("attachments") or ():  # unfurled links carry their address here
        url = attachment.get("original_url") or attachment.get("from_url")
        if url and url not in links:
            links.append(url)
    return links


async def _post(
    client: AsyncWebClient,
    channel_id: str,
    payload: dict[str, Any],
    *,
    thread_ts: str | None = None,
    respond: Any = None,
    fallback_user: str | None = None,
) -> None:
    """Post a rendered payload to a channel; where the bot may not post, fall back to what Slack allows."""
    try:
        await client.chat_postMessage(
            channel=channel_id,
            text=payload.get("text", ""),
            blocks=payload.get("blocks"),
            thread_ts=thread_ts,
            # Never let Slack turn names into mentions or unfurl article links into a wall of previews.
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error in _NOT_POSTABLE and respond is not None:
            await respond(
                text=payload.get("text", ""),
                blocks=payload.get("blocks"),
                response_type="in_channel",
                replace_original=False,
            )
        elif error in _NOT_POSTABLE and fallback_user:
            # No response_url here (modal, shortcut): the user's DM with the app always works.
            await client.chat_postMessage(
                channel=fallback_user,
                text=payload.get("text", ""),
                blocks=payload.get("blocks"),
                unfurl_links=False,
            )
        else:
            raise BriefbotError(f"Slack refused the message ({error}).", detail=str(exc)) from None


async def _ephemeral_respond(respond: Any, text: str, *, payload: dict[str, Any] | None = None) -> None:
    payload = payload or _slack(SLACK.message(text))
    try:
        await respond(
            text=payload.get("text", ""),
            blocks=payload.get("blocks"),
            response_type="ephemeral",
            replace_original=False,
        )
    except Exception:  # the response_url expired or is unreachable: nothing else can reach the user
        log.warning("could not send an ephemeral reply: %s", text[:200], exc_info=True)


async def _ephemeral_post(
    client: AsyncWebClient, channel_id: str, user: str, text: str, *, thread_ts: str | None = None
) -> None:
    payload = _slack(SLACK.message(text))
    try:
        await client.chat_postEphemeral(
            channel=channel_id,
            user=user,
            text=payload.get("text", ""),
            blocks=payload.get("blocks"),
            thread_ts=thread_ts,
        )
    except SlackApiError as exc:
        log.warning("could not send an ephemeral message (%s): %s", exc.response.get("error"), text[:200])
