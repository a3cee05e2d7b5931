"""Slack-formatted text as it arrives (``<https://…|label>``, ``<@U1>``, ``&amp;``) -> what the user meant.

Slack sends message and command text with its own markup: links in angle
brackets, mentions as ids, and ``& < >`` as HTML entities. The core wants plain
text or a URL, so every adapter input goes through here first.
"""

from __future__ import annotations

import re

# Any <...> token: Slack escapes a literal "<" as "&lt;", so a raw "<" always starts markup.
_TOKEN = re.compile(r"<([^<>]*)>")
_HTTP = re.compile(r"^https?://", re.IGNORECASE)
_SPECIAL = {"channel": "@channel", "here": "@here", "everyone": "@everyone"}
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def _replace(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if _HTTP.match(target):
        return target  # the URL is what the user typed; Slack's label is often the URL minus its scheme
    if target.startswith("@"):  # user mention <@U123|name>
        return "@" + (label or target[1:])
    if target.startswith("#"):  # channel mention <#C123|general>
        return "#" + (label or target[1:])
    if target.startswith("!"):  # <!here>, <!channel>, <!subteam^S1|@team>, <!date^...|fallback>
        name = target[1:].split("^", 1)[0]
        return label or _SPECIAL.get(name, name)
    return label or target  # mailto:, tel: and others: the visible text


def unescape(text: str) -> str:
    """Undo Slack's three HTML entities (``&amp;`` last, so ``&amp;lt;`` stays ``&lt;``)."""
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def to_plain(text: str) -> str:
    """Slack-formatted text -> plain text: links become their URL, mentions their visible name."""
    return unescape(_TOKEN.sub(_replace, text or ""))


def links_in(text: str) -> list[str]:
    """The http(s) links of a Slack-formatted message, in order, without duplicates."""
    seen: list[str] = []
    for match in _TOKEN.finditer(text or ""):
        target = match.group(1).partition("|")[0]
        if _HTTP.match(target):
            url = unescape(target)
            if url not in seen:
                seen.append(url)
    return seen
