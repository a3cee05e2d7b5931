"""Checks of rendered payloads against platform limits and mention/markup safety, shared by the render tests."""

from __future__ import annotations

import json
import re
from typing import Any

from briefings.present import limits as L

# Every format rendered by the tests: the core's and the Slack and Discord platforms' (registered by
# ``import bots`` in tests/conftest.py).
FORMATS = ("text", "markdown", "slack", "discord")

# Mention and link syntax that article text must never produce.
SLACK_FORBIDDEN = re.compile(r"<!(channel|here|everyone)|<@[UW]|<#C|<!subteam|@(here|everyone|channel)\b")
DISCORD_FORBIDDEN = re.compile(r"@(everyone|here)\b|<@|<#|</|<t:")


def texts(node: Any) -> list[str]:
    """Every string in a payload."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in texts(v)]
    if isinstance(node, list):
        return [s for v in node for s in texts(v)]
    return []


def check_slack(payload: dict[str, Any]) -> None:
    """Raise AssertionError when a Slack message breaks a Block Kit limit."""
    assert set(payload) == {"text", "blocks"}, payload.keys()
    assert isinstance(payload["text"], str) and payload["text"].strip(), "plain-text fallback missing"
    assert len(payload["text"]) <= L.SLACK_FALLBACK_TEXT
    blocks = payload["blocks"]
    assert 0 < len(blocks) <= L.SLACK_BLOCKS, len(blocks)
    for block in blocks:
        kind = block["type"]
        if kind == "header":
            assert block["text"]["type"] == "plain_text"
            assert 0 < len(block["text"]["text"]) <= L.SLACK_HEADER_TEXT, len(block["text"]["text"])
        elif kind == "section":
            assert 0 < len(block["text"]["text"]) <= L.SLACK_SECTION_TEXT, len(block["text"]["text"])
        elif kind == "context":
            assert 0 < len(block["elements"]) <= L.SLACK_CONTEXT_ELEMENTS
            for el in block["elements"]:
                assert 0 < len(el["text"]) <= L.SLACK_CONTEXT_TEXT
        else:
            assert kind == "divider", kind
    json.dumps(payload)  # serialisable as sent


def check_discord(payload: dict[str, Any]) -> None:
    """Raise AssertionError when a Discord message breaks an embed or content limit."""
    assert payload["allowed_mentions"] == {"parse": []}
    assert len(payload["content"]) <= L.DISCORD_CONTENT
    embeds = payload["embeds"]
    assert len(embeds) <= L.DISCORD_EMBEDS
    assert payload["content"] or embeds, "an empty message"
    total = 0
    for e in embeds:
        assert len(e.get("title", "")) <= L.DISCORD_EMBED_TITLE
        assert len(e.get("description", "")) <= L.DISCORD_EMBED_DESCRIPTION
        assert len(e.get("fields", [])) <= L.DISCORD_FIELDS
        for f in e.get("fields", []):
            assert 0 < len(f["name"]) <= L.DISCORD_FIELD_NAME, len(f["name"])
            assert 0 < len(f["value"]) <= L.DISCORD_FIELD_VALUE, len(f["value"])
        assert len((e.get("footer") or {}).get("text", "")) <= L.DISCORD_FOOTER_TEXT
        total += L.embed_size(e)
    assert total <= L.DISCORD_EMBED_TOTAL, total
    json.dumps(payload)


def check_safe(payload: Any, fmt: str) -> None:
    """No mass mention, user/channel mention, foreign link or terminal code in any string of the payload."""
    for s in texts(payload):
        assert "\x1b" not in s, repr(s)
        if fmt == "slack":
            m = SLACK_FORBIDDEN.search(s)
            assert m is None, f"{m.group()!r} in {s!r}"
            assert "<http://evil" not in s
        elif fmt == "discord":
            m = DISCORD_FORBIDDEN.search(s)
            assert m is None, f"{m.group()!r} in {s!r}"
            assert re.search(r"(?<!\\)\]\(http://evil", s) is None, s
        else:
            assert re.search(r"@(everyone|here)\b", s) is None, s
            if fmt == "markdown":
                assert re.search(r"(?<!\\)\]\(<?http://evil", s) is None, s
                assert re.search(r"(?<!\\)<http://evil", s) is None, s
