"""Assertions on what arrived at the loopback Discord: Discord's hard limits and no mentions."""

from __future__ import annotations

import re
from typing import Any

# Text that would ping someone if mentions were parsed.
PINGS = re.compile(r"@(everyone|here)\b|<@[!&]?\d+>|<#\d+>")


def embed_chars(embed: dict[str, Any]) -> int:
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "") + len(
        (embed.get("author") or {}).get("name") or ""
    )
    return total + sum(
        len(f.get("name") or "") + len(f.get("value") or "") for f in embed.get("fields") or []
    )


def texts(body: dict[str, Any]) -> list[str]:
    """Every user-visible string of a message body."""
    out = [body.get("content") or ""]
    for e in body.get("embeds") or []:
        out += [e.get("title") or "", e.get("description") or "", (e.get("footer") or {}).get("text") or ""]
        out += [(e.get("author") or {}).get("name") or ""]
        for f in e.get("fields") or []:
            out += [f.get("name") or "", f.get("value") or ""]
    return out


def check_message(body: dict[str, Any]) -> None:
    """A message body Discord would accept, that cannot ping anyone."""
    assert body.get("allowed_mentions", {}).get("parse") == [], body.get("allowed_mentions")
    assert not body["allowed_mentions"].get("users") and not body["allowed_mentions"].get("roles")
    assert len(body.get("content") or "") <= 2000
    embeds = body.get("embeds") or []
    assert body.get("content") or embeds, "an empty message"
    assert len(embeds) <= 10
    for e in embeds:
        assert len(e.get("title") or "") <= 256
        assert len(e.get("description") or "") <= 4096
        assert len(e.get("fields") or []) <= 25
        for f in e.get("fields") or []:
            assert 0 < len(f["name"]) <= 256 and 0 < len(f["value"]) <= 1024
        assert len((e.get("footer") or {}).get("text") or "") <= 2048
    assert sum(embed_chars(e) for e in embeds) <= 6000
    for text in texts(body):
        assert not PINGS.search(text), f"a live mention in {text!r}"


def flat(body: dict[str, Any]) -> str:
    return "\n".join(texts(body))
