"""Builds the bolt ``AsyncApp`` from Settings and the core services (nothing connects until it serves).

Single workspace: ``SLACK_BOT_TOKEN`` (+ signing secret, or an app token for
Socket Mode). Distribution: ``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET`` with the
OAuth flow at ``/slack/install`` and installations kept in our database.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from briefings.deliver.chat import ChatCommands
from briefings.errors import ConfigError
from briefings.pipeline import Briefer
from briefings.settings import Settings

from .config import slack_settings
from .handlers import SlackHandlers, register
from .retry import Sleep, retry_handlers

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
EVENTS_PATH = "/slack/events"
# Keep in step with manifest.yaml (the OAuth flow asks for exactly these).
# The history scopes are optional (see Deliverer.already_sent); a reply in the app's DM when a channel is closed
# goes to the user id with chat:write (no im:write: the bot never opens conversations).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "channels:history",
    "groups:history",
    "users:read",
)


@dataclass
class SlackServices:
    """The core services the Slack app calls, from ``bots.bootstrap`` (its ``Services`` also fits)."""

    briefer: Briefer
    chat: ChatCommands


def api_url(settings: Settings) -> str:
    """The Web API base URL (BRIEFBOT_SLACK_API_URL, for tests and proxies), validated, with a trailing /."""
    url = slack_settings(settings).api_url or DEFAULT_API_URL
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", url):
        raise ConfigError(
            f"BRIEFBOT_SLACK_API_URL must be an http(s) URL such as {DEFAULT_API_URL}, got {url!r}"
        )
    return url if url.endswith("/") else url + "/"


def make_client(
    settings: Settings,
    *,
    token: str | None = None,
    sleep: Sleep | None = None,
    retry_rate_limits: bool = True,
) -> AsyncWebClient:
    """A Web API client with our retry handlers; ``sleep`` is injectable so tests never wait.
    ``retry_rate_limits=False`` for the outbox's ``SlackDeliverer``: its 429s go back to the outbox."""
    handlers = retry_handlers(sleep=sleep or asyncio.sleep, rate_limits=retry_rate_limits)
    return AsyncWebClient(token=token, base_url=api_url(settings), retry_handlers=handlers, timeout=30)


def oauth_enabled(settings: Settings) -> bool:
    return bool(slack_settings(settings).client_id and slack_settings(settings).client_secret)


def build_app(
    settings: Settings,
    services: Any,
    *,
    client: AsyncWebClient | None = None,
    installation_store: AsyncInstallationStore | None = None,
    state_store: AsyncOAuthStateStore | None = None,
) -> AsyncApp:
    """The bolt app with our listeners; ``services`` needs ``briefer`` and ``chat`` (see SlackServices).

    In OAuth mode pass the installation and state stores (see ``installations.py``);
    the client's token is then ignored and each request uses its workspace's token.
    """
    slack_settings(settings).require()
    if oauth_enabled(settings):
        if installation_store is None or state_store is None:
            raise ConfigError(
                "SLACK_CLIENT_ID is set but no installation store was opened (see bots.slack_app.serve)"
            )
        client = client or make_client(settings)
        oauth = AsyncOAuthSettings(
            client_id=slack_settings(settings).client_id,
            client_secret=slack_settings(settings).client_secret,
            scopes=list(BOT_SCOPES),
            installation_store=installation_store,
            state_store=state_store,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
        )
        app = AsyncApp(
            name="briefbot",
            process_before_response=True,  # answer Slack when the ack function returns (see handlers.register)
            signing_secret=slack_settings(settings).signing_secret,
            client=client,
            oauth_settings=oauth,
            logger=logging.getLogger("briefbot.slack.bolt"),
        )
        # app_uninstalled / tokens_revoked: delete the workspace's installations and bot tokens from our store.
        app.enable_token_revocation_listeners()
    else:
        client = client or make_client(settings, token=slack_settings(settings).bot_token)
        if client.token is None:
            client.token = slack_settings(settings).bot_token
        app = AsyncApp(
            name="briefbot",
            process_before_response=True,  # answer Slack when the ack function returns (see handlers.register)
            # Socket Mode has no signature to check; bolt skips verification for it.
            signing_secret=slack_settings(settings).signing_secret or "",
            client=client,
            logger=logging.getLogger("briefbot.slack.bolt"),
        )
    handlers = SlackHandlers(settings, services.briefer, services.chat)
    register(app, handlers)
    return app
