"""Slack Block Kit payloads of briefings, digests and notices (the Slack platform's renderer).

The wording comes from the core's ``templates/slack/parts.j2``; this lays it out into
``{"text", "blocks"}`` messages within Slack's limits (``briefings.present.limits``).
"""

from __future__ import annotations

from typing import Any

from briefings.models import Briefing, Digest, Recall
from briefings.present import limits as L
from briefings.present import render as R
from briefings.present.code import chunks, no_fence
from briefings.present.escape import clean_text, slack_escape

from .recall_blocks import slack_recall

DIGEST_BULLETS = R.DIGEST_BULLETS


class SlackRenderer:
    """``briefings.deliver.platforms.Renderer`` for Slack."""

    def briefing(self, briefing: Briefing, *, tz: str | None = None) -> dict[str, Any]:
        return _slack_briefing(R.localised(briefing, tz))

    def digest(self, digest: Digest, *, tz: str | None = None) -> list[dict[str, Any]]:
        return _slack_digest(R.localised_digest(digest, tz))

    def recall(self, recall: Recall) -> dict[str, Any]:
        """A statement-memory answer (``/brief who``, tracking messages)."""
        return slack_recall(recall)

    def message(self, text: str) -> dict[str, Any]:
        text = clean_text(text).strip()
        body = L.fit(text, L.SLACK_SECTION_TEXT, slack_escape)
        return {
            "text": L.fit(text, L.SLACK_FALLBACK_TEXT, slack_escape),
            "blocks": [_section(body)] if body else [],
        }

    def code(self, text: str, code: str, *, lang: str = "") -> list[dict[str, Any]]:
        """A heading then ``code`` in ``` blocks, each section under its 3,000 characters, 45 blocks a message."""
        body = no_fence(code).rstrip("\n")
        head = _code_escape(text)
        blocks = [_section(head)] + [
            _section(f"```{_code_escape(c)}```") for c in chunks(body, CODE_CHUNK - 200)
        ]
        return [
            {"text": head, "blocks": blocks[i : i + CODE_BLOCKS]} for i in range(0, len(blocks), CODE_BLOCKS)
        ]


CODE_CHUNK = 2_900  # a section's text is at most 3,000 characters, with the fences
CODE_BLOCKS = 45  # of 50 per message


def _code_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def _context(mrkdwn: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn}]}


def _header(plain: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": plain, "emoji": True}}


def _fit_mrkdwn(text: str, limit: int = L.SLACK_SECTION_TEXT) -> str:
    """Last guard on an assembled mrkdwn text: the pieces are fitted already, this only trims the tail."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp >= 0 and ";" not in cut[amp:]:
        cut = cut[:amp]  # never leave half of an &amp; entity
    return cut.rstrip() + L.ELLIPSIS


def _slack_briefing_blocks(b: Briefing, parts: Any) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [_header(R.macro(parts.header, b))]
    meta = R.macro(parts.meta, b)
    if meta:
        blocks.append(_context(_fit_mrkdwn(meta)))
    who = R.macro(parts.speakers, b)
    if who:
        blocks.append(_section(_fit_mrkdwn(who)))
    blocks.append({"type": "divider"})
    bullet_blocks = [_section(_fit_mrkdwn(R.macro(parts.bullet, x))) for x in b.bullets]
    if not bullet_blocks:
        bullet_blocks = [_section(R.macro(parts.empty, b))]
    room = L.SLACK_BLOCKS - len(blocks) - 1  # one for the footer
    if len(bullet_blocks) > room:
        # Past the block limit the remaining bullets share sections, packed to the text limit.
        head, tail = bullet_blocks[: room - 1], bullet_blocks[room - 1 :]
        packed = L.pack((blk["text"]["text"] for blk in tail), L.SLACK_SECTION_TEXT, "\n\n")
        bullet_blocks = head + [_section(packed[0])]
    blocks.extend(bullet_blocks)
    blocks.append(_context(_fit_mrkdwn(R.macro(parts.footer, b))))
    return blocks


def _slack_briefing(b: Briefing) -> dict[str, Any]:
    parts = R.parts("slack")
    return {
        "text": _fit_mrkdwn(R.macro(parts.fallback, b), L.SLACK_FALLBACK_TEXT),
        "blocks": _slack_briefing_blocks(b, parts),
    }


def _slack_digest(d: Digest) -> list[dict[str, Any]]:
    parts = R.parts("slack")
    groups: list[list[dict[str, Any]]] = []  # blocks that belong together (one article)
    for n, item in enumerate(d.items, 1):
        group = [_section(_fit_mrkdwn(R.macro(parts.digest_item_head, item, n)))]
        if item.briefing is not None:
            also = R.macro(parts.digest_also, item)
            lines = [also] if also else []
            lines += [R.macro(parts.digest_bullet, x) for x in item.briefing.bullets[:DIGEST_BULLETS]]
            more = R.macro(parts.digest_item_more, item.briefing)
            lines += [more] if more else []
            group += [_section(chunk) for chunk in L.pack(lines, L.SLACK_SECTION_TEXT)]
        group.append({"type": "divider"})
        groups.append(group)
    if d.more:
        lines = [R.macro(parts.more_title, d)] + [R.macro(parts.more_item, item) for item in d.more]
        lines += [R.macro(parts.more_unlisted, d)] if d.unlisted else []
        groups.append([_section(chunk) for chunk in L.pack(lines, L.SLACK_SECTION_TEXT)])
    if not groups:
        groups.append([_section(R.macro(parts.digest_empty, d))])

    messages: list[list[dict[str, Any]]] = []
    room = L.SLACK_BLOCKS - 1  # every message opens with a header
    current: list[dict[str, Any]] = []
    for group in groups:
        while len(group) > room:  # a group alone too long for one message is split across messages
            if current:
                messages.append(current)
                current = []
            messages.append(group[:room])
            group = group[room:]
        if len(current) + len(group) > room:
            messages.append(current)
            current = []
        current.extend(group)
    if current:
        messages.append(current)

    total = len(messages)
    out = []
    for i, blocks in enumerate(messages, 1):
        head = _header(R.macro(parts.digest_header, d, i, total))
        out.append(
            {
                "text": _fit_mrkdwn(R.macro(parts.digest_fallback, d, i, total), L.SLACK_FALLBACK_TEXT),
                "blocks": [head, *blocks],
            }
        )
    return out
