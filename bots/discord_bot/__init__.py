"""The Discord adapter: app commands in, briefings out as embeds; a REST-only Deliverer for digests.

Modules: ``bot`` (the bot and its commands), ``replies`` (rendered payloads -> discord.py calls),
``deliver`` (``DiscordDeliverer``), ``rest`` (API base URL), ``invite`` (OAuth2 URL), ``serve``.
"""
