"""The Slack platform as the core sees it (``briefings.deliver.platforms.Platform``): Block Kit renderer,
``<url|label>`` links, the REST Deliverer. Light to import: slack-bolt loads only with the deliverer."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator

from briefings.deliver.delivery import Deliverer
from briefings.deliver.platforms import Limits
from briefings.errors import ConfigError, InputError
from briefings.settings import Settings

from .blocks import SlackRenderer
from .config import VARIABLES, slack_settings

_LINKS = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"^[A-Z0-9]{2,30}$")


class SlackPlatform:
    name = "slack"
    format = "slack"
    settings = VARIABLES
    renderer = SlackRenderer()
    # chat.postMessage: "1 message per second to a specific channel" and, per app and workspace,
    # "several hundred messages per minute" (Slack's docs give no exact figure: 300/min, 5/s, the
    # lowest reading; BRIEFBOT_SEND_RATES=slack=N raises it)
    limits = Limits(pacing=1.0, rate=5.0, rate_scope="workspace")
    remote_target = False

    def plain_links(self, text: str) -> str:
        """Slack sends links as ``<https://…|label>``; keep the address."""
        return _LINKS.sub(r"\1", text)

    def configured(self, settings: Settings) -> bool:
        return bool(
            slack_settings(settings).bot_token
            or (slack_settings(settings).client_id and slack_settings(settings).client_secret)
        )

    def check_target(self, channel: str, settings: Settings) -> str:
        if not _CHANNEL.match(channel):
            raise InputError(f"a Slack channel id looks like C0123ABCD, got {channel[:40]!r}")
        return channel

    def deliverer(self, settings: Settings) -> contextlib.AbstractAsyncContextManager[Deliverer]:
        return _slack_deliverer(settings)


@contextlib.asynccontextmanager
async def _slack_deliverer(settings: Settings) -> AsyncIterator[Deliverer]:
    import aiohttp  # noqa: PLC0415 - the HTTP client and slack_sdk load only when Slack is configured

    from .app import make_client, oauth_enabled  # noqa: PLC0415 - slack_bolt, only when Slack is configured
    from .deliver import SlackDeliverer  # noqa: PLC0415 - slack_sdk, only when Slack is configured

    if not oauth_enabled(settings) and not slack_settings(settings).bot_token:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set (Slack app > OAuth & Permissions > Bot User OAuth Token)"
        )
    # One HTTP session for all posts: keeps connections to Slack open across a fan-out.
    async with aiohttp.ClientSession() as http:
        if oauth_enabled(settings):
            from .installations import open_installations  # noqa: PLC0415 - slack_bolt, only with OAuth

            installations = await open_installations(settings)
            try:
                client = make_client(settings, retry_rate_limits=False)  # a 429 goes back to the outbox
                client.session = http
                yield SlackDeliverer(client, installation_store=installations.installation_store)
            finally:
                await installations.close()
            return
        client = make_client(settings, token=slack_settings(settings).bot_token, retry_rate_limits=False)
        client.session = http
        yield SlackDeliverer(client)


PLATFORM = SlackPlatform()
