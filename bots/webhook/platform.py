"""The webhook platform as the core sees it (``briefings.deliver.platforms.Platform``)."""

from __future__ import annotations

import contextlib

from briefings.deliver.delivery import Deliverer
from briefings.deliver.platforms import Limits, angle_links
from briefings.errors import ConfigError
from briefings.settings import Settings

from .deliver import WebhookDeliverer
from .hooks import hook, hooks
from .payload import WebhookRenderer


class WebhookPlatform:
    name = "webhook"
    format = "webhook"
    settings = (
        "BRIEFBOT_WEBHOOK_URL",
        "BRIEFBOT_WEBHOOK_SECRET",
        "BRIEFBOT_WEBHOOK_<NAME>_URL",
        "BRIEFBOT_WEBHOOK_<NAME>_SECRET",
    )
    renderer = WebhookRenderer()
    limits = Limits()
    remote_target = True  # "/brief subscribe <feed> daily 07:30 to webhook:ops" from any chat (managers)

    def plain_links(self, text: str) -> str:
        return angle_links(text)

    def configured(self, settings: Settings) -> bool:
        return bool(hooks(settings))

    def check_target(self, channel: str, settings: Settings) -> str:
        return hook(settings, channel).name  # InputError / ConfigError: one line naming the variable

    def deliverer(self, settings: Settings) -> contextlib.AbstractAsyncContextManager[Deliverer]:
        if not hooks(settings):
            raise ConfigError(
                "no webhook is configured: set BRIEFBOT_WEBHOOK_URL and BRIEFBOT_WEBHOOK_SECRET"
            )
        return WebhookDeliverer(settings)


PLATFORM = WebhookPlatform()
