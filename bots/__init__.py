"""Platform adapters: the terminal, Slack, Discord and outgoing webhooks. Each converts platform events to
core calls and Briefings to platform payloads; no NLP, SQL or scheduling logic of their own.

Importing ``bots`` registers each adapter's ``Platform`` (``briefings.deliver.platforms``), the only way
the core knows them; an adapter missing from this install is skipped.
"""

import importlib
import importlib.util

from briefings.deliver.platforms import register

# One line per platform: its module exposes PLATFORM (light to import: no SDK loads before it is used).
PLATFORMS = (
    "bots.console",
    "bots.slack_app.platform",
    "bots.discord_bot.platform",
    "bots.webhook.platform",
)

for _module in PLATFORMS:
    if importlib.util.find_spec(_module) is not None:
        register(importlib.import_module(_module).PLATFORM)
