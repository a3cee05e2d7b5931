"""Platform size limits as named constants, and helpers that cut text to fit them.

Cuts happen at clause or word boundaries and end in "…"; ``fit`` measures the
text *after* escaping, since that is what the platform counts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

ELLIPSIS = "…"

# Slack Block Kit (https://api.slack.com/reference/block-kit/blocks)
SLACK_SECTION_TEXT = 3000
SLACK_HEADER_TEXT = 150
SLACK_BLOCKS = 50
SLACK_CONTEXT_ELEMENTS = 10
SLACK_CONTEXT_TEXT = 3000  # per element
SLACK_FALLBACK_TEXT = 3000  # `text` is shown in notifications; Slack truncates at 40,000, we stay short

# Discord (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
DISCORD_CONTENT = 2000
DISCORD_EMBED_TITLE = 256
DISCORD_EMBED_DESCRIPTION = 4096
DISCORD_FIELD_NAME = 256
DISCORD_FIELD_VALUE = 1024
DISCORD_FIELDS = 25
DISCORD_FOOTER_TEXT = 2048
DISCORD_AUTHOR_NAME = 256
DISCORD_EMBED_TOTAL = 6000  # summed over every embed of one message
DISCORD_EMBEDS = 10

# Where a long quote may be cut without rewording it: after a clause mark or a dash.
_CLAUSE_END = re.compile(r"[,;:)\]](?=\s)|\s[—–-](?=\s)")
# Marks left dangling at a cut: they would read as part of a sentence that goes on.
_DANGLING = " \t\n,;:—–-([{“‘\"'«„"


def clip(text: str, limit: int, *, clauses: bool = False) -> str:
    """``text`` unchanged when it fits, else a prefix cut at a clause/word boundary plus "…" (<= limit)."""
    if limit < 1:
        return ""
    if len(text) <= limit:
        return text
    budget = limit - len(ELLIPSIS)
    head = text[:budget]
    cut = -1
    if clauses:
        # The last clause mark in the second half of the budget keeps a whole clause.
        for m in _CLAUSE_END.finditer(head):
            if m.start() >= budget * 0.6:
                cut = m.start()
    if cut < 0:
        if budget < len(text) and text[budget].isspace():
            cut = budget
        else:
            space = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
            # A word boundary too far back would throw away most of the room: cut the word instead.
            cut = space if space >= budget * 0.4 else budget
    head = text[:cut].rstrip(_DANGLING)
    if not head:
        head = text[:budget]
    if (len(head) - len(head.rstrip("\\"))) % 2:
        head = head[:-1]  # a lone trailing backslash would escape the ellipsis (and show up)
    return head + ELLIPSIS


def fit(text: str, limit: int, escape: Callable[[str], str] | None = None, *, clauses: bool = False) -> str:
    """``escape(clip(text, n))`` for the largest n whose escaped form is at most ``limit`` characters.

    Escaping lengthens text (``&`` -> ``&amp;``), so the cut is made on the raw text
    and measured escaped: an entity or escape sequence is never cut in half.
    """
    esc = escape or (lambda s: s)
    whole = esc(text)
    if len(whole) <= limit:
        return whole
    lo, hi = 0, min(len(text), limit)
    best = ""
    while lo <= hi:  # binary search on the raw length; escaped length grows with it
        mid = (lo + hi) // 2
        candidate = esc(clip(text, mid, clauses=clauses))
        if len(candidate) <= limit:
            best, lo = candidate, mid + 1
        else:
            hi = mid - 1
    return best


def pack(pieces: Iterable[str], limit: int, sep: str = "\n") -> list[str]:
    """Join pieces with ``sep`` into as few chunks of at most ``limit`` characters as possible.

    A piece longer than ``limit`` on its own is cut with ``clip`` (pieces are
    expected to be escaped already and cut with ``fit`` beforehand when it matters).
    """
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        piece = clip(piece, limit)
        if not current:
            current = piece
        elif len(current) + len(sep) + len(piece) <= limit:
            current = current + sep + piece
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks


def embed_size(embed: Mapping[str, Any]) -> int:
    """Characters Discord counts towards the 6,000 per message for one embed."""
    size = len(embed.get("title", "") or "") + len(embed.get("description", "") or "")
    size += len((embed.get("footer") or {}).get("text", "") or "")
    size += len((embed.get("author") or {}).get("name", "") or "")
    for f in embed.get("fields", []) or []:
        size += len(f.get("name", "") or "") + len(f.get("value", "") or "")
    return size
