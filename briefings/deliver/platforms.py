"""The platform port: what the core knows of a chat platform (Slack, Discord, the console, a webhook...).

Each adapter in ``bots/`` describes its platform with one ``Platform`` and registers it
(``bots/__init__.py`` registers every adapter of the install when ``bots`` is imported). The core
reaches a platform only through ``get(name)``: its renderer for briefings, digests and replies, its
deliverer factory, its limits and its link markup. Nothing in ``briefings/`` names a platform.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from briefings.deliver.delivery import Deliverer
from briefings.errors import ConfigError, InputError
from briefings.models import Briefing, Digest
from briefings.present import render as templates
from briefings.present.code import plain_code
from briefings.settings import Settings

# A rendered message: a str (text, markdown) or a platform's JSON payload (a dict).
Payload = str | dict[str, Any]


class Renderer(Protocol):
    """Turns briefings, digests and short replies into a platform's message payloads."""

    def briefing(self, briefing: Briefing, *, tz: str | None = None) -> Payload: ...

    def digest(self, digest: Digest, *, tz: str | None = None) -> Sequence[Payload]: ...

    def message(self, text: str) -> Payload: ...

    def code(self, text: str, code: str, *, lang: str = "") -> Sequence[Payload]:
        """``text`` (a short heading, plain) then ``code`` verbatim (an OPML export), as code blocks
        split to fit the platform's limits."""
        ...


@dataclass(frozen=True)
class TemplateRenderer:
    """A core format of ``templates/`` (text, markdown) as a Renderer."""

    fmt: str

    def briefing(self, briefing: Briefing, *, tz: str | None = None) -> Payload:
        return templates.render(briefing, self.fmt, tz=tz)

    def digest(self, digest: Digest, *, tz: str | None = None) -> list[Payload]:
        return list(templates.render_digest(digest, self.fmt, tz=tz))

    def message(self, text: str) -> Payload:
        return templates.render_message(text, self.fmt)

    def code(self, text: str, code: str, *, lang: str = "") -> list[Payload]:
        return list(plain_code(text, code))


@dataclass(frozen=True)
class Limits:
    """How fast a platform may be sent to (the outbox's pacing). Payload size limits are the renderer's."""

    pacing: float = 0.0  # seconds between two messages to one channel
    # messages per second across the platform (None: no known limit), shared by every outbox worker;
    # BRIEFBOT_SEND_RATES overrides it
    rate: float | None = None
    # what one rate budget covers: "platform" (the whole bot, e.g. Discord's global limit) or
    # "workspace" (each workspace/guild apart, e.g. Slack's per-app-per-workspace limit)
    rate_scope: Literal["platform", "workspace"] = "platform"


_ANGLE_LINK = re.compile(r"<(https?://[^>\s]+)>")


def angle_links(text: str) -> str:
    """``<https://…>`` (how many chats write a bare link) as the address alone."""
    return _ANGLE_LINK.sub(r"\1", text)


class Platform(Protocol):
    """One platform as the core sees it (read-only members: plain class attributes satisfy them)."""

    @property
    def name(self) -> str:
        """The ChannelRef.platform it serves: "slack", "webhook", ..."""
        ...

    @property
    def format(self) -> str:
        """What its renderer produces: a core format ("text") or its own (its name)."""
        ...

    @property
    def settings(self) -> tuple[str, ...]:
        """The environment variables it reads (the README's configuration table lists them)."""
        ...

    @property
    def renderer(self) -> Renderer: ...

    @property
    def limits(self) -> Limits: ...

    @property
    def remote_target(self) -> bool:
        """May a chat elsewhere name one of its channels as a subscription's target ("to webhook:ops")?"""
        ...

    def plain_links(self, text: str) -> str:
        """Text a user sent, with the platform's link markup (``<url|label>``) turned into bare URLs."""
        ...

    def configured(self, settings: Settings) -> bool:
        """Its settings are present: the process should start its deliverer."""
        ...

    def check_target(self, channel: str, settings: Settings) -> str:
        """A channel id given by a user (``--to``, ``to <platform>:<id>``), validated; InputError if not."""
        ...

    def deliverer(self, settings: Settings) -> AbstractAsyncContextManager[Deliverer]:
        """Its Deliverer (REST only), open while the context is; raises ConfigError when not configured."""
        ...


_REGISTRY: dict[str, Platform] = {}


def register(platform: Platform) -> Platform:
    """Make ``platform`` known to the core (again: the newer one replaces the older)."""
    _REGISTRY[platform.name] = platform
    return platform


def get(name: str) -> Platform:
    """The registered platform ``name``; ConfigError (one line) when there is none."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(_REGISTRY) or "none (is the bots package imported?)"
        raise ConfigError(f"no platform {name!r} in this install; registered: {known}") from None


def registered() -> list[Platform]:
    return list(_REGISTRY.values())


def formats() -> list[str]:
    """Every render format: the core's (text, markdown), then each platform's own, in registration order."""
    out = list(templates.FORMATS)
    for p in _REGISTRY.values():
        if p.format not in out:
            out.append(p.format)
    return out


def _renderer_of(fmt: str) -> Renderer:
    if fmt in templates.FORMATS:
        return TemplateRenderer(fmt)
    for p in _REGISTRY.values():
        if p.format == fmt:
            return p.renderer
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(formats())}")


def render(briefing: Briefing, fmt: str, *, tz: str | None = None) -> Payload:
    """One briefing in any format (a core one or a registered platform's)."""
    return _renderer_of(fmt).briefing(briefing, tz=tz)


def render_digest(digest: Digest, fmt: str, *, tz: str | None = None) -> list[Payload]:
    return list(_renderer_of(fmt).digest(digest, tz=tz))


def render_message(text: str, fmt: str) -> Payload:
    return _renderer_of(fmt).message(text)


def parse_target(text: str, settings: Settings, *, remote: bool = False) -> tuple[str, str]:
    """``<platform>:<channel>`` -> (platform, checked channel id). With ``remote``, only platforms that
    may be named from another chat. InputError (one line) otherwise."""
    name, sep, channel = text.strip().partition(":")
    candidates = [p for p in _REGISTRY.values() if p.remote_target or not remote]
    shown = ", ".join(f"{p.name}:<id>" for p in candidates)
    platform = _REGISTRY.get(name.lower()) if sep else None
    if platform is None or platform not in candidates:
        raise InputError(f"{text.strip()[:60]!r} is not a target; use {shown}")
    return platform.name, platform.check_target(channel, settings)
