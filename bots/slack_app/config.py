"""The Slack adapter's settings, read from the environment the core kept (``Settings.env``); the README's
configuration table lists each variable (``VARIABLES`` is the platform's ``settings``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from briefings.errors import ConfigError
from briefings.settings import Settings, env_text

VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "BRIEFBOT_SLACK_API_URL",
    "BRIEFBOT_SLACK_ADMINS",
)


@dataclass
class SlackSettings:
    bot_token: str | None = None  # SLACK_BOT_TOKEN
    signing_secret: str | None = None  # SLACK_SIGNING_SECRET
    app_token: str | None = None  # SLACK_APP_TOKEN (Socket Mode)
    client_id: str | None = None  # SLACK_CLIENT_ID
    client_secret: str | None = None  # SLACK_CLIENT_SECRET
    api_url: str | None = None  # BRIEFBOT_SLACK_API_URL
    admins: tuple[str, ...] = ()  # BRIEFBOT_SLACK_ADMINS: user ids allowed to change subscriptions

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackSettings:
        admins = env_text(env, "BRIEFBOT_SLACK_ADMINS")
        return cls(
            bot_token=env_text(env, "SLACK_BOT_TOKEN"),
            signing_secret=env_text(env, "SLACK_SIGNING_SECRET"),
            app_token=env_text(env, "SLACK_APP_TOKEN"),
            client_id=env_text(env, "SLACK_CLIENT_ID"),
            client_secret=env_text(env, "SLACK_CLIENT_SECRET"),
            api_url=env_text(env, "BRIEFBOT_SLACK_API_URL"),
            admins=tuple(a.strip() for a in admins.split(",") if a.strip()) if admins else (),
        )

    @property
    def oauth(self) -> bool:
        """Installed in many workspaces (OAuth) rather than one bot token."""
        return bool(self.client_id and self.client_secret)

    def require(self) -> None:
        """Fail fast with one line naming what is missing for ``briefbot serve slack``."""
        if self.client_id or self.client_secret:
            for name, value in (
                ("SLACK_CLIENT_ID", self.client_id),
                ("SLACK_CLIENT_SECRET", self.client_secret),
                ("SLACK_SIGNING_SECRET", self.signing_secret),
            ):
                if not value:
                    raise ConfigError(f"{name} is not set (Slack app > Basic Information > App Credentials)")
            return
        if not self.bot_token:
            raise ConfigError(
                "SLACK_BOT_TOKEN is not set (Slack app > OAuth & Permissions > Bot User OAuth Token, xoxb-...)"
            )
        if not self.bot_token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        if self.app_token:
            if not self.app_token.startswith("xapp-"):
                raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
        elif not self.signing_secret:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set (Slack app > Basic Information > Signing Secret); "
                "or set SLACK_APP_TOKEN for Socket Mode"
            )


def slack_settings(settings: Settings) -> SlackSettings:
    """The Slack settings of ``settings`` (parsed from its environment once, then kept with it)."""
    return settings.adapter("slack", SlackSettings.from_env)
