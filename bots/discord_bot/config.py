"""The Discord adapter's settings, read from the environment the core kept (``Settings.env``); the
README's configuration table lists each variable (``VARIABLES`` is the platform's ``settings``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from briefings.errors import ConfigError
from briefings.settings import Settings, env_int, env_text

VARIABLES = (
    "DISCORD_TOKEN",
    "BRIEFBOT_DISCORD_GUILD",
    "BRIEFBOT_DISCORD_API_BASE",
    "DISCORD_APPLICATION_ID",
)


@dataclass
class DiscordSettings:
    token: str | None = None  # DISCORD_TOKEN
    guild: int | None = None  # BRIEFBOT_DISCORD_GUILD: sync commands to this guild at once
    api_base: str | None = None  # BRIEFBOT_DISCORD_API_BASE (tests, proxies)
    application_id: int | None = None  # DISCORD_APPLICATION_ID

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DiscordSettings:
        return cls(
            token=env_text(env, "DISCORD_TOKEN"),
            guild=env_int(env, "BRIEFBOT_DISCORD_GUILD", "a numeric guild id"),
            api_base=env_text(env, "BRIEFBOT_DISCORD_API_BASE"),
            application_id=env_int(env, "DISCORD_APPLICATION_ID", "a numeric id"),
        )

    def require(self) -> None:
        """Fail fast with one line naming what is missing for Discord."""
        if not self.token:
            raise ConfigError(
                "DISCORD_TOKEN is not set (Discord Developer Portal > your application > Bot > Reset Token)"
            )


def discord_settings(settings: Settings) -> DiscordSettings:
    """The Discord settings of ``settings`` (parsed from its environment once, then kept with it)."""
    return settings.adapter("discord", DiscordSettings.from_env)
