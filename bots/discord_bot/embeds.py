"""Discord embeds of briefings, digests and notices (the Discord platform's renderer).

The wording comes from the core's ``templates/discord/parts.j2``; this lays it out into
``{"content", "embeds", "allowed_mentions"}`` messages within Discord's limits
(``briefings.present.limits``). Nobody is ever pinged.
"""

from __future__ import annotations

from typing import Any

from briefings.models import Briefing, Digest, DigestItem, Recall
from briefings.present import limits as L
from briefings.present import render as R
from briefings.present.code import chunks, no_fence
from briefings.present.escape import clean_text, discord_escape, safe_url

from .recall_embed import discord_recall

DIGEST_BULLETS = R.DIGEST_BULLETS


def _no_mentions() -> dict[str, list[str]]:
    """allowed_mentions for every Discord message: nobody is pinged (a new dict each time, never shared)."""
    return {"parse": []}


class DiscordRenderer:
    """``briefings.deliver.platforms.Renderer`` for Discord."""

    def briefing(self, briefing: Briefing, *, tz: str | None = None) -> dict[str, Any]:
        return _discord_briefing(R.localised(briefing, tz))

    def digest(self, digest: Digest, *, tz: str | None = None) -> list[dict[str, Any]]:
        return _discord_digest(R.localised_digest(digest, tz))

    def recall(self, recall: Recall) -> dict[str, Any]:
        """A statement-memory answer (``/briefing who``, tracking messages)."""
        return discord_recall(recall)

    def message(self, text: str) -> dict[str, Any]:
        text = clean_text(text).strip()
        return {
            "content": L.fit(text, L.DISCORD_CONTENT, discord_escape),
            "embeds": [],
            "allowed_mentions": _no_mentions(),
        }

    def code(self, text: str, code: str, *, lang: str = "") -> list[dict[str, Any]]:
        """A heading then ``code`` in ```lang blocks, each message under its 2,000 characters."""
        first = text.replace("@", "@\u200b")[:300]
        parts = chunks(no_fence(code).rstrip("\n"), CODE_CHUNK - len(first) - 20)
        return [
            {
                "content": f"{first + chr(10) if i == 0 else ''}```{lang}\n{chunk}\n```",
                "embeds": [],
                "allowed_mentions": _no_mentions(),
            }
            for i, chunk in enumerate(parts)
        ]


CODE_CHUNK = 1_900  # a message's content is at most 2,000 characters, with the fences


def _shrink_embeds(embeds: list[dict[str, Any]], note: Any) -> None:
    """Drop trailing fields (counted in a footer note) until the message is within 6,000 characters."""

    def total() -> int:
        return sum(L.embed_size(e) for e in embeds)

    dropped = 0
    while total() > L.DISCORD_EMBED_TOTAL:
        embed = embeds[-1]
        if embed.get("fields"):
            embed["fields"].pop()
            dropped += 1
            embed["footer"] = {"text": L.clip(str(note(dropped)).strip(), L.DISCORD_FOOTER_TEXT)}
        elif embed.get("description") and len(embed["description"]) > 200:
            over = total() - L.DISCORD_EMBED_TOTAL
            embed["description"] = L.clip(
                embed["description"], max(200, len(embed["description"]) - over - 1)
            )
        elif len(embeds) > 1:
            embeds.pop()
        else:
            break


def _discord_briefing(b: Briefing) -> dict[str, Any]:
    parts = R.parts("discord")
    embed: dict[str, Any] = {
        "title": L.fit(b.headline, L.DISCORD_EMBED_TITLE, discord_escape),
        "color": 0x3B82F6,
    }
    url = safe_url(b.url)
    if url:
        embed["url"] = url
    description = R.macro(parts.description, b)
    if description:
        embed["description"] = L.clip(description, L.DISCORD_EMBED_DESCRIPTION)
    fields = []
    for x in b.bullets[: L.DISCORD_FIELDS]:
        fields.append(
            {
                "name": L.clip(R.macro(parts.field_name, x), L.DISCORD_FIELD_NAME),
                "value": L.clip(R.macro(parts.field_value, x), L.DISCORD_FIELD_VALUE),
                "inline": False,
            }
        )
    if not fields:
        fields.append(
            {
                "name": "\u200b",
                "value": L.clip(R.macro(parts.empty, b), L.DISCORD_FIELD_VALUE),
                "inline": False,
            }
        )
    embed["fields"] = fields
    embed["footer"] = {"text": L.clip(R.macro(parts.footer, b, 0), L.DISCORD_FOOTER_TEXT)}
    embeds = [embed]
    _shrink_embeds(embeds, lambda dropped: parts.footer(b, dropped))
    return {"content": "", "embeds": embeds, "allowed_mentions": _no_mentions()}


def _discord_digest(d: Digest) -> list[dict[str, Any]]:
    parts = R.parts("discord")
    embeds: list[dict[str, Any]] = []
    for n, item in enumerate(d.items, 1):
        embeds.append(_discord_digest_embed(parts, item, n))
    if d.more:
        lines = [R.macro(parts.more_item, item) for item in d.more]
        lines += [R.macro(parts.more_unlisted, d)] if d.unlisted else []
        chunks = L.pack(lines, L.DISCORD_EMBED_DESCRIPTION)
        for i, chunk in enumerate(chunks):
            title = R.macro(parts.more_title, d) if i == 0 else R.macro(parts.more_title_continued, d)
            embeds.append(
                {"title": L.clip(title, L.DISCORD_EMBED_TITLE), "description": chunk, "color": 0x94A3B8}
            )

    messages: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for embed in embeds:
        n = L.embed_size(embed)
        if current and (len(current) >= L.DISCORD_EMBEDS or size + n > L.DISCORD_EMBED_TOTAL):
            messages.append(current)
            current, size = [], 0
        current.append(embed)
        size += n
    if current or not messages:
        messages.append(current)

    total = len(messages)
    out: list[dict[str, Any]] = []
    for i, group in enumerate(messages, 1):
        content = L.clip(R.macro(parts.digest_content, d, i, total), L.DISCORD_CONTENT)
        if not group and i == 1:
            content = L.clip(content + "\n" + R.macro(parts.digest_empty, d), L.DISCORD_CONTENT)
        out.append({"content": content, "embeds": group, "allowed_mentions": _no_mentions()})
    return out


def _discord_digest_embed(parts: Any, item: DigestItem, n: int) -> dict[str, Any]:
    embed: dict[str, Any] = {
        "title": f"{n}. " + L.fit(item.headline, L.DISCORD_EMBED_TITLE - len(f"{n}. "), discord_escape),
        "color": 0x3B82F6,
    }
    url = safe_url(item.url)
    if url:
        embed["url"] = url
    if item.briefing is not None:
        lines = [R.macro(parts.digest_meta, item.briefing), R.macro(parts.digest_also, item)]
        lines += [R.macro(parts.digest_bullet, x) for x in item.briefing.bullets[:DIGEST_BULLETS]]
        more = R.macro(parts.digest_item_more, item.briefing)
        lines += [more] if more else []
        # One article takes at most a third of a message, so that articles share messages.
        budget = min(L.DISCORD_EMBED_DESCRIPTION, L.DISCORD_EMBED_TOTAL // 3)
        embed["description"] = L.pack([ln for ln in lines if ln], budget)[0] if any(lines) else ""
        if not embed["description"]:
            del embed["description"]
    return embed
