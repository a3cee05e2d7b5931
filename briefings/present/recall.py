"""Answers of the statement memory (``/brief who``, tracking messages) per output: plain text, Slack
mrkdwn blocks, Discord markdown in an embed. Grouped by act (offers, demands, denials, accusations,
then other statements), newest first, each with its article; article text is escaped like briefings'
(it never pings, links or formats), and every payload stays inside the platform's limits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from briefings.models import ACTS, Recall, Recalled
from briefings.present import limits as L
from briefings.present.escape import (
    clean_text,
    discord_escape,
    discord_link,
    md_escape,
    md_link,
    slack_escape,
    slack_link,
    text_escape,
)
from briefings.present.render import ACTS_SHOWN

PER_ACT = 5  # statements shown per act; the rest are counted
CONTENT_CHARS = 280  # a statement longer than this is cut with "…"


def _day(value: str | None) -> str:
    if not value:
        return ""
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return ""
    return f"{when.day} {when:%b %Y}"


def _groups(recall: Recall) -> list[tuple[str, list[Recalled], int]]:
    """(act, shown statements newest first, how many more) in the reader's order of acts."""
    out: list[tuple[str, list[Recalled], int]] = []
    for act in ACTS:
        of_act = [s for s in recall.statements if s.act == act]
        if of_act:
            shown = of_act[:PER_ACT]
            out.append((act, shown, max(recall.counts.get(act, len(of_act)), len(of_act)) - len(shown)))
    return out


def _more(n: int, act: str) -> str:
    shown = ACTS_SHOWN[act]
    return f"… and {n} more {shown['singular'] if n == 1 else shown['plural']}"


def _who(s: Recalled) -> str:
    """``Hussein Amir-Abdollahian (Iranian Foreign Minister), 30 Nov 2026``: raw, escaped by the caller."""
    who = s.speaker + (f" ({s.role})" if s.role else "")
    day = _day(s.said_at)
    return f"{who}, {day}" if day else who


def render_recall(recall: Recall, fmt: str) -> str | dict[str, Any]:
    """``recall`` as ``fmt``: text (console, markdown falls back to it), slack or discord payloads."""
    if fmt == "slack":
        return _slack(recall)
    if fmt == "discord":
        return _discord(recall)
    if fmt == "markdown":
        return _markdown(recall)
    return _text(recall)


def _text(recall: Recall) -> str:
    lines = [text_escape(recall.title)]
    for act, shown, more in _groups(recall):
        lines += ["", ACTS_SHOWN[act]["label"]]
        for s in shown:
            lines.append(f"  - {text_escape(_who(s))}: {text_escape(L.clip(s.content, CONTENT_CHARS))}")
            where = " ".join(p for p in (s.article_title, f"<{s.article_url}>" if s.article_url else "") if p)
            if where:
                lines.append(f"    {text_escape(where)}")
        if more:
            lines.append(f"  {_more(more, act)}")
    if recall.note:
        lines += ["", text_escape(recall.note)]
    return "\n".join(lines) + "\n"


def _markdown(recall: Recall) -> str:
    lines = [f"**{md_escape(recall.title)}**"]
    for act, shown, more in _groups(recall):
        lines += ["", f"**{ACTS_SHOWN[act]['label']}**"]
        for s in shown:
            link = md_link(s.article_url, s.article_title or s.article_url or "article")
            lines.append(f"- {md_escape(_who(s))}: {md_escape(L.clip(s.content, CONTENT_CHARS))} ({link})")
        if more:
            lines.append(f"- {_more(more, act)}")
    if recall.note:
        lines += ["", md_escape(recall.note)]
    return "\n".join(lines) + "\n"


def _line(
    s: Recalled, escape: Callable[[str], str], link: Callable[[str | None, str], str], bullet: str, bold: str
) -> str:
    title = s.article_title or s.article_url or "article"
    return (
        f"{bullet} {bold}{escape(_who(s))}{bold}: {escape(L.clip(s.content, CONTENT_CHARS))} "
        f"({link(s.article_url, L.clip(title, 120))})"
    )


def _slack(recall: Recall) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*" + L.fit(recall.title, 2900, slack_escape) + "*"},
        }
    ]
    for act, shown, more in _groups(recall):
        shown_act = ACTS_SHOWN[act]
        pieces = [f"{shown_act['slack']} *{shown_act['label']}*"]
        pieces += [_line(s, slack_escape, slack_link, "•", "*") for s in shown]
        if more:
            pieces.append(_more(more, act))
        for chunk in L.pack(pieces, L.SLACK_SECTION_TEXT):
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
    if recall.note:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": L.fit(recall.note, 2900, slack_escape)}],
            }
        )
    return {
        "text": L.fit(recall.title, L.SLACK_FALLBACK_TEXT, slack_escape),
        "blocks": blocks[: L.SLACK_BLOCKS],
    }


def _discord(recall: Recall) -> dict[str, Any]:
    pieces: list[str] = []
    for act, shown, more in _groups(recall):
        shown_act = ACTS_SHOWN[act]
        pieces.append(f"{shown_act['emoji']} **{shown_act['label']}**")
        for s in shown:
            pieces.append(_line(s, discord_escape, discord_link, "-", "**"))
        if more:
            pieces.append(_more(more, act))
    if recall.note:
        pieces.append(discord_escape(recall.note))
    description = (L.pack(pieces, L.DISCORD_EMBED_DESCRIPTION) or [""])[0]
    embed = {"title": L.fit(clean_text(recall.title), L.DISCORD_EMBED_TITLE), "description": description}
    return {"content": "", "embeds": [embed], "allowed_mentions": {"parse": []}}
