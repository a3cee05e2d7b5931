"""The configured hooks: ``BRIEFBOT_WEBHOOK_URL``/``_SECRET`` (the hook ``default``) and
``BRIEFBOT_WEBHOOK_<NAME>_URL``/``_SECRET`` (the hook ``name``, lower case)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from briefings.errors import BriefbotError, ConfigError, InputError
from briefings.ingest.netsafety import AddressPolicy, check_url
from briefings.settings import Settings

PREFIX = "BRIEFBOT_WEBHOOK_"
_VARIABLE = re.compile(r"^BRIEFBOT_WEBHOOK_(?:([A-Z0-9][A-Z0-9_]*)_)?(URL|SECRET)$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_]{0,39}$")
DEFAULT = "default"


@dataclass(frozen=True)
class Hook:
    name: str
    url: str = field(repr=False)  # the path often is the credential (Mattermost, Zapier): never shown
    secret: str = field(repr=False)

    def variable(self, what: str) -> str:
        return f"{PREFIX}{what}" if self.name == DEFAULT else f"{PREFIX}{self.name.upper()}_{what}"


def hooks(settings: Settings) -> dict[str, Hook]:
    """Every hook the environment names, checked: an http(s) URL allowed by the fetch safety rules and a
    secret. ConfigError (one line naming the variable) otherwise."""
    env: Mapping[str, str] = settings.env
    found: dict[str, dict[str, str]] = {}
    for key, value in env.items():
        m = _VARIABLE.match(key)
        if m and value.strip():
            found.setdefault((m.group(1) or DEFAULT).lower(), {})[m.group(2)] = value.strip()
    out = {}
    policy = AddressPolicy.from_settings(settings)
    for name, parts in sorted(found.items()):
        hook = Hook(name, parts.get("URL", ""), parts.get("SECRET", ""))
        if not hook.url:
            raise ConfigError(f"{hook.variable('URL')} is not set but {hook.variable('SECRET')} is")
        if not hook.secret:
            raise ConfigError(
                f"{hook.variable('SECRET')} is not set: each webhook signs its posts (docs/webhook.md)"
            )
        try:
            check_url(hook.url, policy=policy)
        except BriefbotError as exc:  # a refused address (UnsafeURLError): the fetch rules apply to webhooks
            raise ConfigError(f"{hook.variable('URL')}: {exc.message}") from None
        out[name] = hook
    return out


def hook(settings: Settings, name: str) -> Hook:
    """The hook ``name``; InputError naming the variable to set when there is none."""
    key = name.lower() or DEFAULT
    if not _NAME.match(key):
        raise InputError(f"a webhook name is letters, digits and _, got {name[:40]!r}")
    known = hooks(settings)
    if key not in known:
        variable = f"{PREFIX}URL" if key == DEFAULT else f"{PREFIX}{key.upper()}_URL"
        shown = ", ".join(known) or "none"
        raise InputError(f"no webhook named {key!r} (set {variable}); configured: {shown}")
    return known[key]
