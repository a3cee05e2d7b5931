"""Answers of the statement memory (``/brief who``, tracking messages) in the core formats (text,
markdown), and the pieces platform renderers lay out their own way: grouped by act (offers, demands,
denials, accusations, then other statements), newest first, each with its article; article text is
escaped like briefings' (it never pings, links or formats)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from briefings.models import ACTS, Recall, Recalled
from briefings.present import limits as L
from briefings.present.escape import (
    md_escape,
    md_link,
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


def groups(recall: Recall) -> list[tuple[str, list[Recalled], int]]:
    """(act, shown statements newest first, how many more) in the reader's order of acts."""
    out: list[tuple[str, list[Recalled], int]] = []
    for act in ACTS:
        of_act = [s for s in recall.statements if s.act == act]
        if of_act:
            shown = of_act[:PER_ACT]
            out.append((act, shown, max(recall.counts.get(act, len(of_act)), len(of_act)) - len(shown)))
    return out


def more_line(n: int, act: str) -> str:
    shown = ACTS_SHOWN[act]
    return f"… and {n} more {shown['singular'] if n == 1 else shown['plural']}"


def who_line(s: Recalled) -> str:
    """``Hussein Amir-Abdollahian (Iranian Foreign Minister), 30 Nov 2026``: raw, escaped by the caller."""
    who = s.speaker + (f" ({s.role})" if s.role else "")
    day = _day(s.said_at)
    return f"{who}, {day}" if day else who


def render_recall(recall: Recall, fmt: str) -> str:
    """``recall`` in a core format (text, markdown); platforms with their own format render it with
    their renderer's ``recall`` (bots/<platform>/), from ``groups`` and the lines below."""
    return _markdown(recall) if fmt == "markdown" else _text(recall)


def _text(recall: Recall) -> str:
    lines = [text_escape(recall.title)]
    for act, shown, more in groups(recall):
        lines += ["", ACTS_SHOWN[act]["label"]]
        for s in shown:
            lines.append(f"  - {text_escape(who_line(s))}: {text_escape(L.clip(s.content, CONTENT_CHARS))}")
            where = " ".join(p for p in (s.article_title, f"<{s.article_url}>" if s.article_url else "") if p)
            if where:
                lines.append(f"    {text_escape(where)}")
        if more:
            lines.append(f"  {more_line(more, act)}")
    if recall.note:
        lines += ["", text_escape(recall.note)]
    return "\n".join(lines) + "\n"


def _markdown(recall: Recall) -> str:
    lines = [f"**{md_escape(recall.title)}**"]
    for act, shown, more in groups(recall):
        lines += ["", f"**{ACTS_SHOWN[act]['label']}**"]
        for s in shown:
            link = md_link(s.article_url, s.article_title or s.article_url or "article")
            lines.append(
                f"- {md_escape(who_line(s))}: {md_escape(L.clip(s.content, CONTENT_CHARS))} ({link})"
            )
        if more:
            lines.append(f"- {more_line(more, act)}")
    if recall.note:
        lines += ["", md_escape(recall.note)]
    return "\n".join(lines) + "\n"


def statement_line(
    s: Recalled, escape: Callable[[str], str], link: Callable[[str | None, str], str], bullet: str, bold: str
) -> str:
    title = s.article_title or s.article_url or "article"
    return (
        f"{bullet} {bold}{escape(who_line(s))}{bold}: {escape(L.clip(s.content, CONTENT_CHARS))} "
        f"({link(s.article_url, L.clip(title, 120))})"
    )
