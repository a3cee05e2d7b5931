"""Where discord.py sends its REST calls: Discord itself, or ``BRIEFBOT_DISCORD_API_BASE``.

discord.py builds every REST URL (bot, interaction callbacks and followups alike)
from the class attribute ``discord.http.Route.BASE``; setting it is how REST
rate-limit proxies (and our loopback tests) are plugged in. It is process-wide,
so it is set once, from the settings, before any client is created.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from discord.http import INTERNAL_API_VERSION, Route

from briefings.errors import ConfigError
from briefings.settings import Settings

from .config import discord_settings

DISCORD_API_BASE = f"https://discord.com/api/v{INTERNAL_API_VERSION}"


def api_base_of(settings: Settings) -> str:
    """The REST base URL to use, with the API version appended when the setting has none."""
    raw = discord_settings(settings).api_base
    if not raw:
        return DISCORD_API_BASE
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"BRIEFBOT_DISCORD_API_BASE must be an http(s) URL such as http://127.0.0.1:8080/api/v10, got {raw!r}"
        )
    base = raw.rstrip("/")
    if not re.search(r"/v\d+$", base):
        base += f"/v{INTERNAL_API_VERSION}"
    return base


def apply_api_base(settings: Settings) -> str:
    """Point discord.py's REST calls at the configured base URL; return it."""
    base = api_base_of(settings)
    Route.BASE = base
    return base
